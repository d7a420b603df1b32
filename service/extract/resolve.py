"""Merging candidate values per field: the one place where several statements of the same
quantity become one value plus, where they disagree, a ``conflict`` finding.

Owns: ``Candidate`` (a value proposed for a dotted field path by some origin, with the
``Basis`` its words give), the choice rule, the tolerance for "the same value", and writing
the choice into a ``ReportExport``. The rules extractor proposes candidates from prose and
tables; the LLM extractor proposes its own (extractor='llm') and goes through the same
``resolve``. Must not parse text (basis.py reads the cue words).

Same quantity first. A candidate whose words name another quantity than its path (last
year's figure, a budget figure for a final one, a sub-quota such as 专项业务费项目支出) is
set aside: it neither votes nor conflicts. Two remaining statements that disagree are a
``conflict``; an ``error`` only when both are tied to the quantity by their own words (both
labelled, no cue telling them apart, see ``basis.same_quantity``), a ``warning`` otherwise,
and the finding says why (``basis``, ``reason_zh``/``reason_en``).

Choice rule: the value stated most often wins; a tie goes to the earliest statement in
reading order. The rules extractor then re-decides every conflict by the report's arithmetic
(rules.settle_conflicts), which ``Resolution.choose`` records. Numbers are "the same" when
they differ by no more than the larger rounding tolerance of the two (see
``numbers.rounding_tolerance``: half the last stated digit, at most 0.005 万元 for money, so
53.5 equals 53.50 but neither 52.53 nor 53.46); an approximation (约/余/近/以上…) covers the
interval its words give; signs follow 增长/下降; texts are the same after whitespace/
punctuation normalisation.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from pydantic import BaseModel

from service.extract.basis import Basis, expected, fit, same_quantity
from service.records import Finding, FindingBasis, FindingItem, ReportExport, Source, Value
from service.records.numbers import half_unit, rounding_tolerance

EPS = 1e-9


@dataclass
class Candidate:
    path: str
    value: Value
    origin: str = "prose"  # 'prose' | 'table' | 'cover' | 'title' | 'llm'
    weight: float = 1.0  # a weak origin (a title) counts less in the vote
    # Which quantity the statement's own words say it is (口径); None: not read. Readers that
    # know it (a table's column) may set it; rules.extract_rules fills the others.
    basis: Basis | None = None


@dataclass
class Resolution:
    chosen: dict[str, Value] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)
    # Paths stated differently: their groups of agreeing statements, in reading order.
    groups: dict[str, list[list[Candidate]]] = field(default_factory=dict)
    # Statements whose words name another quantity than their path (not voted on).
    set_aside: dict[str, list[Candidate]] = field(default_factory=dict)
    fiscal_year: int | None = None

    def tied(self, path: str) -> list[list[Candidate]]:
        """The groups sharing the most statements (more than one when the vote is tied)."""
        groups = self.groups.get(path, [])
        if not groups:
            return []
        top = max(_votes(g) for g in groups)
        return [g for g in groups if _votes(g) == top]

    def choose(self, path: str, group: list[Candidate]) -> None:
        """Settle ``path`` on ``group`` (the conflict finding is rewritten to say so)."""
        self.chosen[path] = with_agreeing_sources(group)
        self.findings = [
            _conflict(path, group, self.groups[path], self.fiscal_year)
            if path in f.paths and f.kind == "conflict"
            else f
            for f in self.findings
        ]


def _norm_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"[\s\W_]+", "", s)


def same_value(a: Value, b: Value) -> bool:
    """Whether two statements agree (numbers within the coarser half-unit, approximations
    within the interval their words give, signs applied)."""
    na, nb = a.signed, b.signed
    if na is not None and nb is not None:
        if (a.unit or "") != (b.unit or "") and a.unit and b.unit:
            return False
        if _APPROX.get(a.comparator or "") or _APPROX.get(b.comparator or ""):
            (lo_a, hi_a), (lo_b, hi_b) = interval(a), interval(b)
            return lo_a <= hi_b + EPS and lo_b <= hi_a + EPS
        tol = max(_tol(a), _tol(b))
        return abs(na - nb) <= tol + EPS
    if a.value is None or b.value is None:
        return a.value is None and b.value is None
    return _norm_text(str(a.value)) == _norm_text(str(b.value))


def agree_rounded(a: Value, b: Value) -> bool:
    """Whether the coarser of two figures is the finer one rounded to its own digits
    (“842万元” beside “842.13万元”): a difference of writing, not of fact."""
    na, nb = a.signed, b.signed
    if na is None or nb is None or a.precision is None or b.precision is None:
        return False
    return abs(na - nb) <= max(half_unit(a.precision), half_unit(b.precision)) + EPS


# Comparators and the interval around the stated figure n they cover, in units u of the
# last significant digit: 约/左右 n±u/2, 余/多 [n, n+u], 近 [n−u, n], 以上/≥ [n, ∞) …
_APPROX: dict[str, tuple[float, float]] = {
    "约": (-0.5, 0.5),
    "余": (0.0, 1.0),
    "近": (-1.0, 0.0),
    "以上": (0.0, math.inf),
    "≥": (0.0, math.inf),
    ">": (0.0, math.inf),
    "以下": (-math.inf, 0.0),
    "以内": (-math.inf, 0.0),
    "≤": (-math.inf, 0.0),
    "<": (-math.inf, 0.0),
}


def _significant_unit(v: Value) -> float:
    """The unit of the last non-zero digit: in “约480万元” the zero is not a measurement."""
    n, unit = abs(v.signed or 0.0), v.precision or 1.0
    while n and unit < 1e12 and abs(n / (unit * 10) - round(n / (unit * 10))) < 1e-9:
        unit *= 10
    return unit


def interval(v: Value) -> tuple[float, float]:
    """The figures a statement allows (its rounding, widened by its comparator)."""
    n = v.signed or 0.0
    lo_k, hi_k = _APPROX.get(v.comparator or "", (0.0, 0.0))
    if (lo_k, hi_k) == (0.0, 0.0):
        t = _tol(v)
        return n - t, n + t
    u = _significant_unit(v)
    return n + lo_k * u, n + hi_k * u


def _tol(v: Value) -> float:
    if v.comparator:  # “约 270 / 270余”: as precise as its digits, no tighter
        return half_unit(v.precision)
    return rounding_tolerance(v.number, v.unit, v.precision)


def _position(c: Candidate) -> int:
    return c.value.source.span.start if c.value.source else 1 << 40


def _groups(cands: list[Candidate]) -> list[list[Candidate]]:
    groups: list[list[Candidate]] = []
    for c in sorted(cands, key=_position):
        for g in groups:
            if same_value(g[0].value, c.value):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


def _votes(group: list[Candidate]) -> float:
    return sum(c.weight for c in group)


def resolve(candidates: Iterable[Candidate], fiscal_year: int | None = None) -> Resolution:
    """One value per path; ``fiscal_year`` (the report's) tells this year's figures from
    other years' where a statement names its year."""
    by_path: dict[str, list[Candidate]] = {}
    seen: set[tuple[str, tuple[int, int, str]]] = set()
    for c in candidates:
        # One place read twice (a heading's figure reached from the heading and from its
        # own line) is one statement: it votes once.
        key = _source_key(c.value.source)
        if key is not None and (c.path, key) in seen:
            continue
        if key is not None:
            seen.add((c.path, key))
        by_path.setdefault(c.path, []).append(c)
    out = Resolution(candidates=by_path, fiscal_year=fiscal_year)
    for path, cands in by_path.items():
        # Set aside only beside a statement that may be of the path's quantity: a reading
        # with nothing better stays (readers decide what a path is; this only arbitrates).
        fits = [fit(path, c.basis, fiscal_year) != "other" for c in cands]
        usable = [c for c, ok in zip(cands, fits, strict=True) if ok] or cands
        if len(usable) < len(cands):  # an equal statement has the same basis, so the same fit
            out.set_aside[path] = [c for c, ok in zip(cands, fits, strict=True) if not ok]
        groups = _groups(usable)
        # Most statements win; the earliest group breaks a tie (groups are in reading order).
        # The rules extractor then re-decides ties by arithmetic (rules.settle_conflicts).
        best = max(groups, key=lambda g: (_votes(g), -_position(g[0])))
        out.chosen[path] = with_agreeing_sources(best)
        if len(groups) > 1:
            out.groups[path] = groups
            out.findings.append(_conflict(path, best, groups, fiscal_year))
    return out


def with_agreeing_sources(group: list[Candidate]) -> Value:
    """The group's first statement, carrying the sources of the others in ``also``."""
    return add_sources(group[0].value, [c.value for c in group[1:]])


def add_sources(first: Value, others: Iterable[Value]) -> Value:
    """``first`` with the sources of ``others`` (statements of the same value) in ``also``:
    each place once; an LLM reading of the rules' own span stays, marked by its extractor."""
    seen = {_source_key(first.source)} | {_source_key(s) for s in first.also}
    also = list(first.also)
    for other in others:
        for src in [other.source, *other.also]:
            if src is not None and _source_key(src) not in seen:
                seen.add(_source_key(src))
                also.append(src)
    return first.model_copy(update={"also": also}) if len(also) != len(first.also) else first


def _source_key(src: Source | None) -> tuple[int, int, str] | None:
    return None if src is None else (src.span.start, src.span.end, src.extractor)


# --- the conflict finding and its reason ---------------------------------------------------


def _clear_pair(
    path: str, best: list[Candidate], groups: list[list[Candidate]], fiscal_year: int | None
) -> tuple[Candidate, Candidate] | None:
    """Two disagreeing statements that are, by their own words, of the same quantity."""
    sure = [c for c in best if fit(path, c.basis, fiscal_year) == "same"]
    for g in groups:
        if g is best:
            continue
        for b in g:
            if fit(path, b.basis, fiscal_year) != "same":
                continue
            for a in sure:
                if same_quantity(a.basis, b.basis) and not agree_rounded(a.value, b.value):
                    return a, b
    return None


def conflict_basis(path: str, a: Candidate, b: Candidate, fiscal_year: int | None) -> FindingBasis:
    """What two statements share: label, year, stage, the columns they stand in."""
    ba, bb = a.basis or Basis(), b.basis or Basis()
    period, stage = expected(path)
    year = ba.year or bb.year or (fiscal_year if period == "current" else None)
    return FindingBasis(
        label=ba.label if ba.label == bb.label else f"{ba.label} / {bb.label}",
        year=year,
        period=ba.period or bb.period or period,  # type: ignore[arg-type]
        stage=ba.stage or bb.stage or stage,  # type: ignore[arg-type]
        columns=[x.column for x in (ba, bb) if x.column],
        clear=True,
    )


def _reason(path: str, basis: FindingBasis, a: Candidate, b: Candidate) -> tuple[str, str]:
    ba, bb = a.basis or Basis(), b.basis or Basis()
    if ba.label == bb.label:
        zh, en = [f"两处均标为“{ba.label}”"], [f"both are labelled {ba.label}"]
    else:
        zh = [f"分别标为“{ba.label}”和“{bb.label}”（同一字段的说法）"]
        en = [f"labelled {ba.label} and {bb.label} (words for the same field)"]
    if basis.year:
        zh.append(f"均为{basis.year}年度的数")
        en.append(f"both for {basis.year}")
    elif basis.period == "previous":
        zh.append("均为上年数")
        en.append("both last year's")
    stated = ba.stage or bb.stage
    stage_zh = {"final": "决算（实际）数", "budget": "预算数"}.get(basis.stage or "", "")
    stage_en = {"final": "final figures", "budget": "budget figures"}.get(basis.stage or "", "")
    if stage_zh and stated:
        zh.append(f"均为{stage_zh}")
        en.append(f"both {stage_en}")
    elif stage_zh:
        zh.append(f"均无预算或其他年度字样（按{stage_zh}）")
        en.append(f"neither names a budget or another year (read as {stage_en})")
    if basis.columns:
        zh.append("表格列“" + "”、“".join(basis.columns) + "”")
        en.append("table column " + ", ".join(basis.columns))
    return "，".join(zh) + "。", "; ".join(en) + "."


def _warning_reason(path: str, groups: list[list[Candidate]], fy: int | None) -> tuple[str, str]:
    firsts = [g[0].value for g in groups]
    if all(agree_rounded(firsts[0], v) for v in firsts[1:]):
        return (
            "两数仅在较粗写法的位数内一致（可能只是取整），故为警告。",
            "The figures agree only to the digits of the coarser one (perhaps rounding): a "
            "warning.",
        )
    unclear = [c.value.raw for g in groups for c in g if fit(path, c.basis, fy) != "same"] or [
        c.value.raw for g in groups for c in g
    ]
    shown = "、".join(dict.fromkeys(unclear))
    return (
        f"无法从原文确认各处为同一口径（{shown} 旁没有明确的标签或年度/预算字样），故为警告。",
        f"The words around {', '.join(dict.fromkeys(unclear))} do not tie every statement to "
        "this quantity (no clear label, year or budget/final word): a warning.",
    )


def _conflict(
    path: str,
    best: list[Candidate],
    groups: list[list[Candidate]],
    fiscal_year: int | None = None,
) -> Finding:
    items = [
        FindingItem(
            path=path, label=f"{c.origin}{'' if g is best else ' (not chosen)'}", value=c.value
        )
        for g in groups
        for c in g
    ]
    shown = " / ".join(g[0].value.raw for g in groups)
    pair = _clear_pair(path, best, groups, fiscal_year)
    if pair is not None:
        basis = conflict_basis(path, *pair, fiscal_year)
        reason_zh, reason_en = _reason(path, basis, *pair)
    else:
        basis = None
        reason_zh, reason_en = _warning_reason(path, groups, fiscal_year)
    return Finding(
        kind="conflict",
        severity="error" if pair is not None else "warning",
        paths=[path],
        message_zh=f"同一数据前后不一致：{path} 有 {shown}；采用 {best[0].value.raw}。",
        message_en=f"The same figure is stated differently: {path} is {shown}; "
        f"using {best[0].value.raw}.",
        items=items,
        tolerance=max(_tol(c.value) for g in groups for c in g) or None,
        basis=basis,
        reason_zh=reason_zh,
        reason_en=reason_en,
    )


# --- writing into the export ----------------------------------------------------------------


def set_path(export: ReportExport, path: str, value: Value) -> None:
    """Set a dotted scalar path such as 'three_public.reception.actual'."""
    *parents, leaf = path.split(".")
    node: BaseModel = export
    for name in parents:
        node = getattr(node, name)
    if leaf not in type(node).model_fields:
        raise KeyError(path)
    setattr(node, leaf, value)


def get_path(export: ReportExport, path: str) -> Value | None:
    node: object = export
    for name in path.split("."):
        node = getattr(node, name, None)
        if node is None:
            return None
    return node if isinstance(node, Value) else None


def scalar_paths(model: type[BaseModel] | None = None, prefix: str = "") -> list[str]:
    """Every scalar (Value) field path of the export's record sections, in schema order."""
    return list(_scalar_paths(model, prefix))  # a new list: the caller may change it


@cache
def _scalar_paths(model: type[BaseModel] | None, prefix: str) -> tuple[str, ...]:
    """``scalar_paths``, walked once per model: every extraction asks for the whole list."""
    from service.records import Budget, Report, Staffing, ThreePublic

    if model is None:
        sections: list[tuple[str, type[BaseModel]]] = [
            ("report", Report),
            ("staffing", Staffing),
            ("budget", Budget),
            ("three_public", ThreePublic),
        ]
        return tuple(p for name, cls in sections for p in _scalar_paths(cls, name))
    out: list[str] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        path = f"{prefix}.{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel) and ann is not Value:
            out.extend(_scalar_paths(ann, path))
        elif "Value" in str(ann) and "list" not in str(ann):
            out.append(path)
    return tuple(out)
