"""Where the rules possibly missed a field, as the LLM stage uses it (可能漏读, first).

Owns: which LLM task can answer a field path and under which answer key; turning the rules'
``PossiblyMissed`` entries into places (path, label words as written, span); finding the
chunks that hold them (a place counts for a chunk of a task that can answer its field);
a chunk of its own for a place no such chunk holds (the lines around it: a label in a
skipped 说明 section, or a budget label inside the achievements); ordering the calls (the
chunks holding most places first, the rest in plan order); and the ``$focus`` text that
tells such a call which fields to look for. Never calls the model, never proposes a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.document import Document
from service.extract.llm.chunks import Chunk
from service.extract.llm.schemas import FIGURE_FIELDS
from service.records import PossiblyMissed

# Answer attribute → export path of the report task (the ReportAnswer's named fields).
REPORT_FIELDS: dict[str, str] = {
    "department": "report.department",
    "fiscal_year": "report.fiscal_year",
    "budget_code": "report.budget_code",
    "report_date": "report.report_date",
    "evaluation_method": "report.evaluation_method",
    "evaluator": "report.evaluator",
    "authorized": "staffing.authorized",
    "actual": "staffing.actual",
    "retired": "staffing.retired",
}
INDICATOR_FIELDS: dict[str, str] = {"total_score": "report.total_score", "grade": "report.grade"}

# task → {export path → the key its answer uses for it}. A path two tasks answer (编制数 in
# the cover or in a budget table) goes, when no chunk holds it, to the first task listed.
ANSWER_KEYS: dict[str, dict[str, str]] = {
    "report": {path: key for key, path in REPORT_FIELDS.items()},
    "budget": {path: path for path in FIGURE_FIELDS},
    "indicators": {path: key for key, path in INDICATOR_FIELDS.items()},
}

# A place's own chunk: its line and the next (a figure often stands after a line break or
# in the next cell), cut to this many characters before the label and after it.
_BEFORE, _AFTER = 60, 180
_OWN_LABEL = "可能漏读"


@dataclass(frozen=True)
class Place:
    """One place where a field's label words stand and the rules read no value."""

    path: str
    label: str
    start: int
    end: int


def places_of(doc: Document, missed: Iterable[PossiblyMissed]) -> list[Place]:
    """Every place of every possibly-missed field (its first place and those in ``also``),
    with the label words as they stand there."""
    out: list[Place] = []
    for entry in missed:
        for source in (entry.source, *entry.also):
            start, end = source.span.start, source.span.end
            if end > start and end <= len(doc.text):
                out.append(Place(entry.path, doc.text[start:end], start, end))
    return out


def answering_task(path: str) -> str | None:
    """The first task whose answer has a key for ``path`` (None: no LLM task reads it)."""
    return next((task for task, keys in ANSWER_KEYS.items() if path in keys), None)


def holds(chunk: Chunk, place: Place) -> bool:
    """The chunk shows the place and its task can answer the place's field."""
    if place.path not in ANSWER_KEYS.get(chunk.task, {}):
        return False
    return any(s <= place.start and place.end <= e for s, e in chunk.spans)


def focus_chunks(doc: Document, chunks: Sequence[Chunk], places: Sequence[Place]) -> list[Chunk]:
    """``chunks`` with the places each holds in ``focus``, plus a chunk of its own for the
    places none holds, ordered: most places first, then the rest in their planned order.
    No places: the chunks as planned."""
    out = list(chunks)
    unheld: list[Place] = []
    for place in places:
        holders = [c for c in out if holds(c, place)]
        for chunk in holders:
            chunk.focus.append(place)
        if not holders and answering_task(place.path) is not None:
            unheld.append(place)
    out += _own_chunks(doc, unheld, out)
    order = {id(c): i for i, c in enumerate(out)}
    return sorted(out, key=lambda c: (-len(c.focus), order[id(c)]))


def _own_chunks(doc: Document, places: list[Place], planned: list[Chunk]) -> list[Chunk]:
    """One chunk per task for the lines around its unheld places (overlapping lines join)."""
    by_task: dict[str, list[Place]] = {}
    for place in sorted(places, key=lambda p: p.start):
        task = answering_task(place.path)
        assert task is not None
        by_task.setdefault(task, []).append(place)
    out: list[Chunk] = []
    for task, mine in by_task.items():
        spans: list[tuple[int, int]] = []
        for place in mine:
            lo, hi = _lines_around(doc.text, place)
            if spans and lo <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(hi, spans[-1][1]))
            else:
                spans.append((lo, hi))
        text = "\n".join(doc.text[s:e].strip() for s, e in spans)
        index = sum(1 for c in planned if c.task == task)
        chunk = Chunk(task, index, _OWN_LABEL, f"【{_OWN_LABEL}】\n{text}", spans)
        chunk.focus = list(mine)
        out.append(chunk)
    return out


def _lines_around(text: str, place: Place) -> tuple[int, int]:
    """The line the place stands on and the next one, cut to ``_BEFORE`` characters before
    the label and ``_AFTER`` after it (a long paragraph is not sent whole)."""
    lo = max(text.rfind("\n", 0, place.start) + 1, place.start - _BEFORE)
    first = text.find("\n", place.end)
    second = -1 if first == -1 else text.find("\n", first + 1)
    hi = len(text) if second == -1 else second
    return lo, min(hi, place.end + _AFTER)


def focus_text(chunk: Chunk) -> str:
    """The ``$focus`` of a call: the fields whose label words stand in this text although
    the rules read no value, with those words; empty for a chunk without such places."""
    if not chunk.focus:
        return ""
    keys = ANSWER_KEYS.get(chunk.task, {})
    labels: dict[str, list[str]] = {}
    for place in chunk.focus:
        words = labels.setdefault(place.path, [])
        if place.label not in words:
            words.append(place.label)
    lines = []
    for path, words in labels.items():
        key = keys.get(path, path)
        named = key if key == path else f"{key}（{path}）"
        quoted = "、".join(f"“{_one_line(w)}”" for w in words)
        lines.append(f"- {named}：原文标签 {quoted}")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sent_paths(chunks: Iterable[Chunk]) -> set[str]:
    """The possibly-missed fields the calls in ``chunks`` were told to look for."""
    return {place.path for chunk in chunks for place in chunk.focus}
