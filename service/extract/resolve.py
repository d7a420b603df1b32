"""Merging candidate values per field: the one place where several statements of the same
quantity become one value plus, where they disagree, a ``conflict`` finding.

Owns: ``Candidate`` (a value proposed for a dotted field path by some origin), the choice
rule, the tolerance for "the same value", and writing the choice into a ``ReportExport``.
The rules extractor proposes candidates from prose and tables; the LLM extractor will
propose its own (extractor='llm') and go through the same ``resolve``. Must not parse text.

Choice rule here: the value stated most often wins; a tie goes to the earliest statement
in reading order. The rules extractor then re-decides every conflict by the report's
arithmetic (rules.settle_conflicts), which this module's ``Resolution.choose`` records. Numbers are "the same" when they
differ by no more than the larger rounding tolerance of the two (see
``numbers.rounding_tolerance``: half the last stated digit, at most 0.005 万元 for money,
so 53.5 equals 53.50 but neither 52.53 nor 53.46); signs follow 增长/下降; texts are the
same after whitespace/punctuation normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel

from service.records import Finding, FindingItem, ReportExport, Source, Value
from service.records.numbers import half_unit, rounding_tolerance

EPS = 1e-9


@dataclass
class Candidate:
    path: str
    value: Value
    origin: str = "prose"  # 'prose' | 'table' | 'cover' | 'title' | 'llm'
    weight: float = 1.0  # a weak origin (a title) counts less in the vote


@dataclass
class Resolution:
    chosen: dict[str, Value] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)
    # Paths stated differently: their groups of agreeing statements, in reading order.
    groups: dict[str, list[list[Candidate]]] = field(default_factory=dict)

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
            _conflict(path, group, self.groups[path])
            if path in f.paths and f.kind == "conflict"
            else f
            for f in self.findings
        ]


def _norm_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"[\s\W_]+", "", s)


def same_value(a: Value, b: Value) -> bool:
    """Whether two statements agree (numbers within the coarser half-unit, signs applied)."""
    na, nb = a.signed, b.signed
    if na is not None and nb is not None:
        if (a.unit or "") != (b.unit or "") and a.unit and b.unit:
            return False
        tol = max(_tol(a), _tol(b))
        return abs(na - nb) <= tol + EPS
    if a.value is None or b.value is None:
        return a.value is None and b.value is None
    return _norm_text(str(a.value)) == _norm_text(str(b.value))


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


def resolve(candidates: Iterable[Candidate]) -> Resolution:
    by_path: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_path.setdefault(c.path, []).append(c)
    out = Resolution(candidates=by_path)
    for path, cands in by_path.items():
        groups = _groups(cands)
        # Most statements win; the earliest group breaks a tie (groups are in reading order).
        # The rules extractor then re-decides ties by arithmetic (rules.settle_ties).
        best = max(groups, key=lambda g: (_votes(g), -_position(g[0])))
        out.chosen[path] = with_agreeing_sources(best)
        if len(groups) > 1:
            out.groups[path] = groups
            out.findings.append(_conflict(path, best, groups))
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


def _conflict(path: str, best: list[Candidate], groups: list[list[Candidate]]) -> Finding:
    items = [
        FindingItem(
            path=path, label=f"{c.origin}{'' if g is best else ' (not chosen)'}", value=c.value
        )
        for g in groups
        for c in g
    ]
    shown = " / ".join(g[0].value.raw for g in groups)
    return Finding(
        kind="conflict",
        severity="error",
        paths=[path],
        message_zh=f"同一数据前后不一致：{path} 有 {shown}；采用 {best[0].value.raw}。",
        message_en=f"The same figure is stated differently: {path} is {shown}; "
        f"using {best[0].value.raw}.",
        items=items,
        tolerance=max(_tol(c.value) for g in groups for c in g) or None,
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
    from service.records import Budget, Report, Staffing, ThreePublic

    if model is None:
        sections: list[tuple[str, type[BaseModel]]] = [
            ("report", Report),
            ("staffing", Staffing),
            ("budget", Budget),
            ("three_public", ThreePublic),
        ]
        return [p for name, cls in sections for p in scalar_paths(cls, name)]
    out: list[str] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        path = f"{prefix}.{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel) and ann is not Value:
            out.extend(scalar_paths(ann, path))
        elif "Value" in str(ann) and "list" not in str(ann):
            out.append(path)
    return out
