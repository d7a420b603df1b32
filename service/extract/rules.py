"""The deterministic (rules) extractor: a ``Document`` in, a ``ReportExport`` out, no LLM.

Owns: the order of the rule passes and putting their results together. Each pass lives in
its own module and proposes ``Candidate``s (scalars) or records (lists): meta/ (cover,
title, header, opening, signature), staffing.py, prose.py (figures stated in sentences),
projects.py, tables.py (基础数据表, 三公 and 绩效自评表 mapped by their headers),
statement_tables.py (an annex's two-column 指标 | 数值 rows, statements like sentences),
narrative.py (achievements, problems, measures). Field words come from lexicon/.
resolve.py merges the candidates; checks.py (run by the pipeline) adds the findings.
Must not import the store, the API or an LLM client.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from service.document import Document, Span
from service.extract import meta, narrative, settle_checks, staffing
from service.extract.basis import annotate
from service.extract.checks import ShareStatement, run_checks
from service.extract.ground import Grounder
from service.extract.indicators import prose_indicators
from service.extract.missed import split_missing
from service.extract.projects import prose_projects
from service.extract.prose import prose_figures
from service.extract.resolve import (
    Candidate,
    Resolution,
    resolve,
    same_value,
    scalar_paths,
    set_path,
)
from service.extract.sections import Section, build_sections
from service.extract.settle_checks import FindingCounter
from service.extract.statement_tables import statement_table_candidates
from service.extract.tables import map_tables
from service.extract.text import build_view
from service.records import (
    DocumentFile,
    DocumentInfo,
    ExtractorInfo,
    Finding,
    FindingItem,
    Project,
    ReportExport,
    Value,
)

RULES_VERSION = "0.1.0"


@dataclass
class RulesOutput:
    """What the rule passes found, before and after resolution (kept for the resolver of
    the LLM extractor, which merges its own candidates with these)."""

    export: ReportExport
    candidates: list[Candidate] = field(default_factory=list)
    resolution: Resolution | None = None
    sections: Section | None = None
    shares: list[ShareStatement] = field(default_factory=list)


def document_info(doc: Document) -> DocumentInfo:
    return DocumentInfo(
        sha256=doc.source.sha256,
        filename=doc.source.filename,
        format=doc.source.format.value,
        pages=len(doc.pages),
        chars=len(doc.text),
        files=[
            DocumentFile(name=f.filename, format=f.format.value, sha256=f.sha256, pages=f.pages)
            for f in doc.files
        ],
    )


def collect(
    doc: Document, sections: Section
) -> tuple[list[Candidate], ReportExport, list[ShareStatement]]:
    """Run every rule pass; scalar candidates come back unresolved, list records filled."""
    g = Grounder(doc, "rules")
    export = ReportExport(
        document=document_info(doc), extractor=ExtractorInfo(name="rules", version=RULES_VERSION)
    )
    # an annex's line over the title (“附件2”) is no heading the title stands before
    head_end = next((c.span.start for c in sections.children if c.style != "annex"), len(doc.text))
    candidates: list[Candidate] = []
    gv = g.for_view(build_view(doc))  # prose with wrapped lines joined
    candidates += meta.report_candidates(g, gv, head_end)
    candidates += staffing.staffing_candidates(gv)

    innermost = _innermost(sections)
    labels: dict[int, str] = {}  # id of a section → its locator: asked once per figure

    def locator(offset: int) -> str:
        at = gv.to_doc(offset, offset + 1)[0]
        part = innermost(at)
        label = labels.get(id(part))
        if label is None:
            label = labels[id(part)] = "prose:" + (part.label() or "front")
        return label

    prose = prose_figures(gv, locator)
    tables = map_tables(g, doc.tables)
    candidates += prose.candidates + tables.candidates
    # an annex's two-column table (指标 | 数值) restates figures: statements like any other
    candidates += statement_table_candidates(g, doc.tables)
    export.budget.lines = tables.lines
    export.budget.basic_breakdown = prose.basic_breakdown
    export.projects, conflicts = merge_projects(
        prose_projects(gv, locator, sections), tables.projects
    )
    export.findings.extend(conflicts)
    # Indicators from the 自评表; a template without the table writes them as sentences.
    export.indicators = tables.indicators or prose_indicators(gv)
    # A sentence read as an indicator row (prose-only templates) is not also an achievement.
    taken = _overlaps_any(
        [v.source.span for i in export.indicators for v in _values(i) if v.source]
    )
    export.achievements = [
        a for a in narrative.achievements(gv, sections, ((c.path, c.value) for c in candidates))
        if not (a.text.source and taken(a.text.source.span))
    ]  # fmt: skip
    export.problems, export.measures = narrative.problems_and_measures(g, sections)
    shares = [ShareStatement(s.part_path, s.whole_path, s.part, s.percent) for s in prose.shares]
    return candidates, export, shares


def _innermost(root: Section) -> Callable[[int], Section]:
    """``root.innermost`` with the top level found by bisection: reports joined into one
    file have hundreds of top-level parts, and every figure in prose asks for its part."""
    parts = root.children
    starts = [s.span.start for s in parts]
    if not all(a.span.end <= b.span.start for a, b in zip(parts, parts[1:], strict=False)):
        return root.innermost  # overlapping parts: the first that holds the offset wins

    def find(offset: int) -> Section:
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and parts[i].span.start <= offset < parts[i].span.end:
            return parts[i].innermost(offset)
        return root

    return find


def _overlaps_any(spans: list[Span]) -> Callable[[Span], bool]:
    """Whether a span overlaps any of ``spans`` (``Span.overlaps``), by bisection: a
    long document has thousands of achievements and indicator values."""
    ordered = sorted((s.start, s.end) for s in spans)
    starts = [a for a, _ in ordered]
    reach = list(itertools.accumulate((b for _, b in ordered), max))

    def test(span: Span) -> bool:
        k = bisect.bisect_left(starts, span.end)  # those starting before the span ends
        return k > 0 and reach[k - 1] > span.start

    return test


def _values(model: object) -> list[Value]:
    return [v for v in vars(model).values() if isinstance(v, Value)]


def _key(name: object) -> str:
    return re.sub(r"[\s\W_]+", "", str(name))


def merge_projects(
    prose: list[Project], table: list[Project]
) -> tuple[list[Project], list[Finding]]:
    """One project per name: the prose statement first, the table's columns added; two
    different amounts for one project are a conflict."""
    merged: list[Project] = []
    findings: list[Finding] = []
    by_key: dict[str, int] = {}
    for p in prose + table:
        k = _key(p.name.value)
        if k not in by_key:
            by_key[k] = len(merged)
            merged.append(p.model_copy())
            continue
        i = by_key[k]
        have = merged[i]
        if (
            have.amount is not None
            and p.amount is not None
            and not same_value(have.amount, p.amount)
        ):
            findings.append(
                Finding(
                    kind="conflict",
                    severity="error",
                    paths=[f"projects[{i}].amount"],
                    message_zh=f"项目“{have.name.value}”金额前后不一致：{have.amount.raw} / {p.amount.raw}。",
                    message_en=f"Project '{have.name.value}' is stated as {have.amount.raw} and {p.amount.raw}.",
                    items=[
                        FindingItem(path=f"projects[{i}].amount", label="prose", value=have.amount),
                        FindingItem(
                            path=f"projects[{i}].amount", label="table (not chosen)", value=p.amount
                        ),
                    ],
                )
            )
        merged[i] = have.model_copy(
            update={
                "amount": have.amount or p.amount,
                "budget": have.budget or p.budget,
                "previous": have.previous or p.previous,
            }
        )
    return merged, findings


def apply(
    export: ReportExport, resolution: Resolution, doc: Document | None = None
) -> ReportExport:
    """Write the chosen values; list what was not read (with ``doc``: split into
    not_stated / possibly_missed by the label words that stand in it)."""
    for path, value in resolution.chosen.items():
        set_path(export, path, value)
    if doc is not None:
        split_missing(export, doc)
    else:
        export.missing = [p for p in scalar_paths() if _get(export, p) is None]
    return export


def _fiscal_year(candidates: list[Candidate]) -> int | None:
    """The report's year, as the vote on its statements gives it (cue words name years)."""
    chosen = resolve(c for c in candidates if c.path == "report.fiscal_year").chosen
    year = chosen.get("report.fiscal_year")
    return int(year.number) if year is not None and year.number is not None else None


def _get(export: ReportExport, path: str) -> object:
    node: object = export
    for name in path.split("."):
        node = getattr(node, name)
        if node is None:
            return None
    return node


MAX_COMBINATIONS = 64
# Internal switch: True counts every combination's findings with a full ``run_checks`` as
# before (kept to prove the two settle alike: eval/bench_speed.py --compare).
SETTLE_BY_FULL_CHECKS = False
_ARITHMETIC = ("budget.", "three_public.", "report.total_score")


def settle_conflicts(
    export: ReportExport, resolution: Resolution, shares: list[ShareStatement]
) -> None:
    """Decide every figure stated in disagreeing ways by the arithmetic of the report: keep
    the combination of statements that leaves the fewest arithmetic findings (a typo, real
    or planted, rarely keeps every total right); among equals, the most-stated values, then
    the earliest. Up to ``MAX_COMBINATIONS`` combinations are tried jointly (two conflicting
    parts of one total must be decided together), beyond that one path at a time."""
    # Only figures the checks read can be decided by them; texts keep the vote.
    paths = [
        p
        for p in resolution.groups
        if p.startswith(_ARITHMETIC) and resolution.groups[p][0][0].value.number is not None
    ]
    if not paths:
        return
    options = {
        p: sorted(resolution.groups[p], key=lambda g: (-_votes(g), _start(g))) for p in paths
    }
    # the findings count re-runs only the checks a choice can change (linear settling)
    counter = None if SETTLE_BY_FULL_CHECKS else _finding_counter(export, shares, paths)

    written: dict[str, list[Candidate]] = {}  # the group each path's value came from now

    def score(choice: dict[str, list[Candidate]]) -> tuple[int, float, tuple[int, ...]]:
        for path, group in choice.items():
            # one path's options are tried at a time: the others already hold theirs
            if written.get(path) is not group:
                set_path(export, path, group[0].value)
                written[path] = group
        order = tuple(options[p].index(g) for p, g in choice.items())
        if counter is None:
            findings = len(run_checks(export, shares))
        else:
            findings = counter.count(dict(zip(choice, order, strict=True)))
        votes = sum(_votes(g) for g in choice.values())
        return findings, -votes, order

    combos = 1
    for p in paths:
        combos *= len(options[p])
    if combos <= MAX_COMBINATIONS:
        best = min(
            (dict(zip(paths, pick, strict=True)) for pick in itertools.product(*options.values())),
            key=score,
        )
    else:
        best = {p: options[p][0] for p in paths}
        for p in paths:
            best[p] = min(options[p], key=lambda g, p=p: score({**best, p: g}))
    for path, group in best.items():
        resolution.choose(path, group)
        set_path(export, path, resolution.chosen[path])


def _finding_counter(
    export: ReportExport, shares: list[ShareStatement], paths: list[str]
) -> FindingCounter | None:
    return FindingCounter(export, shares, paths) if settle_checks.available() else None


def _votes(group: list[Candidate]) -> float:
    return sum(c.weight for c in group)


def _start(group: list[Candidate]) -> int:
    src = group[0].value.source
    return src.span.start if src else 1 << 40


def extract_rules(doc: Document) -> RulesOutput:
    sections = build_sections(doc)
    candidates, export, shares = collect(doc, sections)
    annotate(candidates, doc)  # which quantity each statement is of, from its words
    resolution = resolve(candidates, _fiscal_year(candidates))
    apply(export, resolution, doc)
    settle_conflicts(export, resolution, shares)
    export.findings[:0] = resolution.findings
    return RulesOutput(
        export=export,
        candidates=candidates,
        resolution=resolution,
        sections=sections,
        shares=shares,
    )
