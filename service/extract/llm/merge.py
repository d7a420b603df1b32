"""``auto``: the rules result and the LLM's, merged into one export.

Owns: how LLM candidates join the rules candidates before the project's resolver
(``service.extract.resolve``) runs once over both, and how the list records are combined.

* Scalars. An LLM statement at a span the rules also read, with the same value, is the same
  statement: it is not counted again (the field is reported as *agreed*) and the chosen
  value keeps both sources (the LLM's in ``Value.also``). An LLM statement
  the rules did not read is one more candidate: where it disagrees, the resolver's
  ``conflict`` finding carries both values with their sources; where the rules found
  nothing, it *fills* the field. An ungrounded LLM value only fills a field nothing else
  speaks for (it stays marked ``grounded=False`` with its finding). Conflicts on figures
  the consistency checks read are then settled as the rules extractor settles its own
  (``rules.settle_conflicts``: the reading that leaves the report's arithmetic whole).
* Lists. The rules' items stay; an LLM item matching none of them (by project name, by
  三级指标, by overlapping text span) is added. A matched project or indicator row whose
  amount/score differs raises a ``conflict``; where it agrees, the LLM's source joins
  ``also``.

Must not call the model, parse text, or import the database or the web.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from service.extract.missed import keep_still_missing
from service.extract.resolve import (
    Candidate,
    add_sources,
    get_path,
    resolve,
    same_value,
    set_path,
)
from service.extract.rules import RulesOutput, settle_conflicts
from service.records import Finding, FindingItem, ReportExport, Value


@dataclass
class MergeReport:
    """Per-field outcome of the merge, for notes and the evaluation."""

    agreed: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    added_items: dict[str, int] = field(default_factory=dict)
    agreeing: list[Candidate] = field(default_factory=list, repr=False)
    # the rules' possibly-missed fields (可能漏读), those the LLM filled with a grounded
    # value, and those it filled with a value its quote does not ground (still to check)
    possibly_missed: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    resolved_ungrounded: list[str] = field(default_factory=list)

    def note(self) -> str:
        added = ", ".join(f"{k} +{v}" for k, v in self.added_items.items() if v) or "none"
        return (
            f"llm+rules: {len(self.agreed)} fields agreed, {len(self.filled)} filled by the "
            f"LLM, {len(self.conflicts)} in conflict; list items added by the LLM: {added}"
            f"{self._missed_note()}"
        )

    def _missed_note(self) -> str:
        if not self.possibly_missed:
            return ""
        named = f" ({', '.join(self.resolved)})" if self.resolved else ""
        ungrounded = (
            f", {len(self.resolved_ungrounded)} filled ungrounded "
            f"({', '.join(self.resolved_ungrounded)})"
            if self.resolved_ungrounded
            else ""
        )
        return (
            f"; possibly-missed places resolved by the LLM: {len(self.resolved)} of "
            f"{len(self.possibly_missed)}{named}{ungrounded}"
        )


def _grounded(v: Value | None) -> bool:
    return v is not None and v.source is not None and v.source.grounded


def _overlap(a: Value | None, b: Value | None) -> bool:
    if not (_grounded(a) and _grounded(b)):
        return False
    assert a is not None and b is not None and a.source and b.source
    return a.source.span.overlaps(b.source.span)


def _key(text: Any) -> str:
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", str(text or "")))


def merge_scalars(
    rules: list[Candidate], llm: Iterable[Candidate]
) -> tuple[list[Candidate], MergeReport]:
    """The candidates the resolver should see, and which fields agreed / were filled (the
    agreeing LLM statements themselves are kept in ``report.agreeing``)."""
    report = MergeReport()
    extra: list[Candidate] = []
    by_path: dict[str, list[Candidate]] = {}
    for c in rules:
        by_path.setdefault(c.path, []).append(c)
    pending_ungrounded: list[Candidate] = []
    for c in llm:
        if not _grounded(c.value):
            pending_ungrounded.append(c)
            continue
        same = [r for r in by_path.get(c.path, []) if _overlap(r.value, c.value)]
        if same and all(same_value(r.value, c.value) for r in same):
            if c.path not in report.agreed:
                report.agreed.append(c.path)
            report.agreeing.append(c)
            continue
        extra.append(c)
    spoken = set(by_path) | {c.path for c in extra}
    extra += [c for c in pending_ungrounded if c.path not in spoken]
    for c in extra:
        if c.path not in by_path and c.path not in report.filled:
            report.filled.append(c.path)
    return rules + extra, report


def merge(rules: RulesOutput, llm_export: ReportExport, llm_candidates: list[Candidate],
          llm_findings: list[Finding]) -> tuple[ReportExport, MergeReport]:  # fmt: skip
    """The auto export: rules and LLM candidates resolved together, lists combined."""
    export = rules.export.model_copy(deep=True)
    candidates, report = merge_scalars(rules.candidates, llm_candidates)
    resolution = resolve(candidates)
    for path, value in resolution.chosen.items():
        set_path(export, path, value)
    settle_conflicts(export, resolution, rules.shares)
    for c in report.agreeing:  # the LLM read the chosen statement too: keep its source
        chosen = resolution.chosen.get(c.path)
        if chosen is not None and same_value(chosen, c.value):
            resolution.chosen[c.path] = add_sources(chosen, [c.value])
            set_path(export, c.path, resolution.chosen[c.path])
    old = {id(f) for f in (rules.resolution.findings if rules.resolution else [])}
    kept = [
        f for f, orig in zip(export.findings, rules.export.findings, strict=True)
        if id(orig) not in old
    ]  # fmt: skip
    report.conflicts = [f.paths[0] for f in resolution.findings if f.paths]
    list_findings = _merge_lists(export, llm_export, report)
    export.findings = resolution.findings + kept + list_findings + list(llm_findings)
    keep_still_missing(export)  # what the LLM filled is no longer not stated / missed
    _count_resolved(rules.export, export, report)
    return export, report


def _count_resolved(rules: ReportExport, merged: ReportExport, report: MergeReport) -> None:
    """Which of the rules' possibly-missed fields the merged export now has a value for."""
    report.possibly_missed = [m.path for m in rules.possibly_missed]
    still = {m.path for m in merged.possibly_missed}
    for path in report.possibly_missed:
        if path in still:
            continue
        target = (
            report.resolved if _grounded(get_path(merged, path)) else report.resolved_ungrounded
        )
        target.append(path)


# --- lists ------------------------------------------------------------------------------------


def _merge_lists(export: ReportExport, llm: ReportExport, report: MergeReport) -> list[Finding]:
    findings: list[Finding] = []
    findings += _merge_keyed(export.projects, llm.projects, lambda p: _key(p.name.value),
                             ("amount", "budget"), "projects", report)  # fmt: skip
    findings += _merge_keyed(export.indicators, llm.indicators,
                             lambda i: _key(i.level3.value if i.level3 else ""),
                             ("weight", "score"), "indicators", report)  # fmt: skip
    for name in ("achievements", "problems", "measures"):
        mine, theirs = getattr(export, name), getattr(llm, name)
        added = [item for item in theirs if not any(_overlap(item.text, m.text) for m in mine)]
        mine.extend(added)
        report.added_items[name] = len(added)
    return findings


def _merge_keyed(
    mine: list[Any],
    theirs: list[Any],
    key: Any,
    compared: tuple[str, ...],
    name: str,
    report: MergeReport,
) -> list[Finding]:
    findings: list[Finding] = []
    index = {key(item): i for i, item in enumerate(mine)}
    added = 0
    for item in theirs:
        k = key(item)
        if not k:
            continue
        if k not in index:
            index[k] = len(mine)
            mine.append(item)
            added += 1
            continue
        have = mine[index[k]]
        for attr in compared:
            a, b = getattr(have, attr), getattr(item, attr)
            if a is None and b is not None:
                setattr(have, attr, b)
            elif a is not None and _grounded(b) and same_value(a, b):
                setattr(have, attr, add_sources(a, [b]))
            elif a is not None and _grounded(b) and not same_value(a, b):
                path = f"{name}[{index[k]}].{attr}"
                findings.append(_list_conflict(path, a, b))
                report.conflicts.append(path)
    report.added_items[name] = added
    return findings


def _list_conflict(path: str, rules_value: Value, llm_value: Value) -> Finding:
    return Finding(
        kind="conflict",
        severity="error",
        paths=[path],
        message_zh=f"规则与大模型读数不一致：{path} 为 {rules_value.raw} / {llm_value.raw}；采用规则结果。",
        message_en=f"Rules and LLM disagree on {path}: {rules_value.raw} vs {llm_value.raw}; "
        "the rules value is kept.",
        items=[
            FindingItem(path=path, label="rules", value=rules_value),
            FindingItem(path=path, label="llm (not chosen)", value=llm_value),
        ],
    )
