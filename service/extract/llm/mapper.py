"""From LLM answers to the project's records, every value grounded or flagged.

Owns: turning each task's answer (``schemas``) into ``service.records`` values with
sources (``extractor="llm"``): quotes are aligned to spans of ``Document.text`` inside the
text the call was shown (``grounding``), the value is then looked up inside its quote, and
the ``Value`` gets the span of the value itself (so ``raw == text[span]``). A value whose
quote cannot be aligned, or whose quote does not hold it, is kept with ``grounded=False``
and an ``ungrounded`` finding. Scalar fields are not written here: every statement found
(prose and table alike) becomes a ``Candidate`` for the project's resolver
(``service.extract.resolve``), which picks the value and reports conflicts; list records
(projects, indicators, achievements, problems, measures) go straight into the export.
Must not call the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.document import Document, Span
from service.extract.ground import Grounder, clean_text
from service.extract.llm.chunks import Chunk
from service.extract.llm.focus import REPORT_FIELDS
from service.extract.llm.grounding import FoldedText, align_quote, find_number
from service.extract.llm.schemas import (
    AchievementsAnswer,
    BudgetAnswer,
    IndicatorAnswer,
    IndicatorRow,
    ListsAnswer,
    Num,
    ReportAnswer,
    Txt,
)
from service.extract.resolve import Candidate
from service.records import (
    Achievement,
    Finding,
    FindingItem,
    Indicator,
    ListItem,
    Metric,
    Project,
    ReportExport,
    Source,
    Value,
)
from service.records.numbers import MONEY_FACTORS, find_date, parse_date, parse_quantity

_NO_SPAN = Span(start=0, end=0)


@dataclass
class Mapper:
    """Maps the answers of one document into ``export`` (filled in place)."""

    doc: Document
    export: ReportExport
    folded: FoldedText = field(init=False)
    grounder: Grounder = field(init=False)
    # scalar candidates for the resolver (service.extract.resolve), in the order found
    candidates: list[Candidate] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    _row_cursor: int | None = None  # end of the last indicator row placed

    def __post_init__(self) -> None:
        self.folded = FoldedText(self.doc.text)
        self.grounder = Grounder(self.doc, extractor="llm")

    # --- values ------------------------------------------------------------------------------

    def _ungrounded(
        self, path: str, value: Any, unit: str | None, quote: str, span: Span | None, why: str
    ) -> Value:
        source = Source(
            span=span or _NO_SPAN,
            page=self.doc.page_at(span.start) if span is not None and self.doc.text else None,
            extractor="llm",
            grounded=False,
            locator=f"llm: {why}",
        )
        v = Value(value=value, unit=unit, raw=quote, source=source)
        self.findings.append(
            Finding(
                kind="ungrounded",
                severity="warning",
                paths=[path],
                message_zh=f"大模型给出的“{path}”在原文中找不到依据（{why}）：{quote[:60]}",
                message_en=f"The LLM's value for {path} is not grounded in the document ({why}).",
                items=[FindingItem(path=path, label="llm", value=v)],
            )
        )
        return v

    def number(
        self, path: str, num: Num, window: tuple[int, int], near: int | None = None
    ) -> Value:
        found = align_quote(self.folded, num.quote, window=window, near=near)
        unit = (num.unit or "").strip() or None
        if found is None:
            return self._ungrounded(
                path, *_as_stated(num.value, unit), num.quote, None, "quote not found"
            )
        match = find_number(self.doc.text, found.start, found.end, num.value, unit)
        if match is None:
            span = Span(start=found.start, end=found.end)
            return self._ungrounded(
                path, *_as_stated(num.value, unit), self.doc.slice(span), span, "value not in quote"
            )
        q = match.quantity
        start, end = self.grounder.trim(match.start, match.end)
        value = q.value
        if unit in ("人", "年") and isinstance(value, float) and value.is_integer():
            value = int(value)
        return Value(
            value=value,
            unit=q.unit or unit,
            raw=self.doc.text[start:end],
            comparator=q.comparator,
            direction=q.direction,
            original_unit=q.original_unit,
            low=q.low,
            high=q.high,
            precision=q.precision,
            source=self.grounder.source(start, end, locator=f"llm:{path}"),
        )

    def text(
        self, path: str, quote: str, window: tuple[int, int], near: int | None = None
    ) -> Value:
        """A verbatim text (a cell, a sentence, a name): the quote is the value."""
        found = align_quote(self.folded, quote, window=window, near=near)
        if found is None:
            return self._ungrounded(path, clean_text(quote), None, quote, None, "text not found")
        value = self.grounder.text(found.start, found.end, locator=f"llm:{path}")
        assert value is not None
        return value

    def quoted_text(self, path: str, txt: Txt, window: tuple[int, int]) -> Value:
        """A text value with a separate quote (a name, a ticked box, a date)."""
        found = align_quote(self.folded, txt.quote, window=window)
        if found is None:
            return self._ungrounded(path, txt.value, None, txt.quote, None, "quote not found")
        if path.endswith("report_date"):
            return self._date(path, txt, found.start, found.end)
        inner = align_quote(self.folded, txt.value, window=(found.start, found.end))
        if inner is None:
            span = Span(start=found.start, end=found.end)
            return self._ungrounded(
                path, txt.value, None, self.doc.slice(span), span, "value not in quote"
            )
        value = self.grounder.text(inner.start, inner.end, locator=f"llm:{path}")
        assert value is not None
        return value

    def _date(self, path: str, txt: Txt, start: int, end: int) -> Value:
        wanted = parse_date(txt.value)
        hit = find_date(self.doc.text[start:end])
        if wanted is None or hit is None or hit[0] != wanted:
            span = Span(start=start, end=end)
            return self._ungrounded(
                path, txt.value, None, self.doc.slice(span), span, "date not in quote"
            )
        date, s, e = hit
        value = self.grounder.text(start + s, start + e, locator=f"llm:{path}", value=date)
        assert value is not None
        return value

    def cell(self, path: str, text: str, window: tuple[int, int], near: int | None) -> Value:
        """A table cell: a number where it parses as one, else text."""
        v = self.text(path, text, window, near)
        if v.source is None or not v.source.grounded:
            return v
        q = parse_quantity(v.raw)
        if q is None:
            return v
        return v.model_copy(update=q.value_fields())

    # --- candidates --------------------------------------------------------------------------

    def offer(self, path: str, value: Value) -> None:
        # An ungrounded value is kept but weighs little: a statement found in the text
        # always outvotes it in the resolver.
        grounded = value.source is not None and value.source.grounded
        self.candidates.append(
            Candidate(path, value, origin="llm", weight=1.0 if grounded else 0.1)
        )

    # --- tasks -------------------------------------------------------------------------------

    def report(self, answer: ReportAnswer, chunk: Chunk) -> None:
        w = chunk.window
        for name, path in REPORT_FIELDS.items():
            found = getattr(answer, name)
            if isinstance(found, Txt):
                self.offer(path, self.quoted_text(path, found, w))
            elif isinstance(found, Num):
                self.offer(path, self.number(path, found, w))

    def budget(self, answer: BudgetAnswer, chunk: Chunk) -> None:
        w = chunk.window
        for fig in answer.figures:
            self.offer(fig.field, self.number(fig.field, fig, w))
        for item in answer.projects:
            name = self.text("projects.name", item.name, w)
            near = name.source.span.start if name.source and name.source.grounded else None
            project = Project(name=name)
            if item.amount is not None:
                project.amount = self.number("projects.amount", item.amount, w, near)
            if item.budget is not None:
                project.budget = self.number("projects.budget", item.budget, w, near)
            self.export.projects.append(project)

    def indicators(self, answer: IndicatorAnswer, chunk: Chunk) -> None:
        w = chunk.window
        self._row_cursor = w[0]
        for row in answer.rows:
            self.export.indicators.append(self._indicator(row, w))
        if answer.total_score is not None:
            self.offer(
                "report.total_score", self.number("report.total_score", answer.total_score, w)
            )
        if answer.grade is not None:
            self.offer("report.grade", self.quoted_text("report.grade", answer.grade, w))

    def _whole_cell(self, text: str, window: tuple[int, int], near: int | None) -> Value | None:
        """``text`` where it fills a whole cell (tab, line or window on both sides): '土壤环境
        质量' is its own row, not the tail of '水环境、土壤环境质量'."""
        body, lo, hi = self.doc.text, window[0], window[1]
        needle = text.strip()
        hits = []
        i = body.find(needle, lo, hi) if needle else -1
        while i != -1:
            before = body[i - 1] if i > lo else "\n"
            after = body[i + len(needle)] if i + len(needle) < hi else "\n"
            if before in "\t\n\f" and after in "\t\n\f":
                hits.append(i)
            i = body.find(needle, i + 1, hi)
        if not hits:
            return None
        start = min(hits, key=lambda h: (abs(h - near), h)) if near is not None else hits[0]
        return self.grounder.text(start, start + len(needle), locator="llm:indicators.level3")

    def _indicator(self, row: IndicatorRow, window: tuple[int, int]) -> Indicator:
        level3 = self._whole_cell(row.level3, window, self._row_cursor) or self.text(
            "indicators.level3", row.level3, window, self._row_cursor
        )
        grounded = level3.source is not None and level3.source.grounded
        anchor = level3.source.span.start if grounded and level3.source else None
        line = _line_of(self.doc.text, anchor, window) if anchor is not None else window
        out = Indicator(level3=level3)
        cursor = level3.source.span.end if grounded and level3.source else line[0]
        for name in ("target", "actual", "weight", "score", "deviation"):
            cell = getattr(row, name)
            if cell is None:
                continue
            # Cells read left to right: look after the previous one first ('5' | '5').
            after = align_quote(self.folded, cell, window=(cursor, line[1]))
            near = after.start if after is not None else anchor
            value = self.cell(
                f"indicators.{name}", cell, line if after is None else (cursor, line[1]), near
            )
            if value.source is not None and value.source.grounded:
                cursor = value.source.span.end
            setattr(out, name, value)
        self._row_cursor = line[1]
        for name in ("level1", "level2"):
            cell = getattr(row, name)
            if cell is None:
                continue
            # A merged cell stands once for several rows, usually above (sometimes in the
            # middle of) them: the nearest occurrence before the row, else the nearest.
            before = align_quote(self.folded, cell, window=(window[0], line[1]), near=line[0])
            where = (window[0], line[1]) if before is not None else window
            setattr(out, name, self.text(f"indicators.{name}", cell, where, near=line[0]))
        return out

    def achievements(self, answer: AchievementsAnswer, chunk: Chunk) -> None:
        w = chunk.window
        for item in answer.items:
            text = self.text("achievements.text", item.text, w)
            near = text.source.span.start if text.source and text.source.grounded else None
            metrics = [
                Metric(name=m.name, value=self.number("achievements.metrics", m, w, near))
                for m in item.metrics
            ]
            self.export.achievements.append(
                Achievement(text=text, section=item.section, metrics=metrics)
            )

    def lists(self, answer: ListsAnswer, chunk: Chunk) -> None:
        w = chunk.window
        for key in ("problems", "measures"):
            for entry in getattr(answer, key):
                body = self.text(f"{key}.text", entry.text, w)
                near = body.source.span.start if body.source and body.source.grounded else None
                title = self.text(f"{key}.title", entry.title, w, near) if entry.title else None
                getattr(self.export, key).append(ListItem(title=title, text=body))


# --- helpers ----------------------------------------------------------------------------------


def _as_stated(value: float, unit: str | None) -> tuple[float | int, str | None]:
    """An ungrounded number in the records' units (money in 万元)."""
    if unit in MONEY_FACTORS:
        scaled = round(value * float(MONEY_FACTORS[unit]), 10)
        return (int(scaled) if float(scaled).is_integer() else scaled), "万元"
    return (int(value) if float(value).is_integer() else value), unit


def _line_of(text: str, offset: int, window: tuple[int, int]) -> tuple[int, int]:
    start = text.rfind("\n", window[0], offset) + 1 or window[0]
    end = text.find("\n", offset, window[1])
    return max(start, window[0]), (window[1] if end == -1 else end)
