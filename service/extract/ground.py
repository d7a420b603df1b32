"""Making grounded ``Value``s from spans of ``Document.text``.

Owns: the one way an extractor turns a span (plus what it parsed) into a ``Value`` whose
``source`` points back into the document (span, page, boxes). Everything the rules
extractor emits goes through ``Grounder`` so the invariant "``doc.text[span] == raw``"
holds by construction; the LLM extractor uses ``Grounder.align`` to find its quotes.
Must not touch the document model itself.
"""

from __future__ import annotations

import re
from typing import Any

from service.document import Document, Span
from service.extract.text import PAGE_NUMBER, Block, ProseView, paragraphs
from service.records import Source, Value
from service.records.numbers import Quantity

_WS = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"[\n\f]")
_EDGE = " \t\n\f\u3000"


def clean_text(raw: str) -> str:
    """A text value as a person would write it: no line breaks, single spaces between
    Latin words, none between CJK characters (wrapped lines of a PDF rejoin cleanly)."""
    # A value wrapped over a page break carries the page number line with it: drop it.
    lines = [ln for ln in _LINE_BREAK.split(raw) if not PAGE_NUMBER.fullmatch(ln)]
    parts = [p for p in _WS.split("\n".join(lines).strip(_EDGE)) if p]
    out = ""
    for part in parts:
        if (
            out
            and out[-1].isascii()
            and out[-1].isalnum()
            and part[0].isascii()
            and part[0].isalnum()
        ):
            out += " "
        out += part
    return out


class Grounder:
    """Builds ``Value``s for one document and one extractor.

    Positions given to it are offsets in ``src``: the document text itself, or, for a
    grounder made with ``for_view``, the prose view whose wrapped lines are joined (its
    offsets are mapped back to the document before any span is made).

    Every figure read makes a ``Span``, a ``Source`` and a ``Value``: each is validated from a
    dict by its model's validator (``model_validate``'s one step), which is ``Model(**fields)``
    less the Python of ``BaseModel.__init__``, a third of the time of such small models."""

    def __init__(
        self, doc: Document, extractor: str = "rules", view: ProseView | None = None
    ) -> None:
        self.doc = doc
        self.extractor = extractor
        self.view = view
        self.src = view.text if view is not None else doc.text

    def for_view(self, view: ProseView) -> Grounder:
        g = Grounder(self.doc, self.extractor, view)
        return g

    def paragraphs(self) -> list[Block]:
        """Prose paragraphs in ``src`` coordinates."""
        return self.view.paragraphs if self.view is not None else list(paragraphs(self.doc))

    def to_doc(self, start: int, end: int) -> tuple[int, int]:
        return self.view.to_doc(start, end) if self.view is not None else (start, end)

    def source(self, start: int, end: int, locator: str | None = None) -> Source:
        span = Span.__pydantic_validator__.validate_python({"start": start, "end": end})
        places = self.doc.places(start, end)  # Document.locate's fields, without the models
        boxes = [box for _, box, _ in places if box is not None]
        page = places[0][0] if places else None
        # a spreadsheet's value names its cell (自评表!E5) beside the reader's hint
        ref = next((ref for _, _, ref in places if ref), None)
        if ref:
            locator = f"{locator} {ref}" if locator else ref
        return Source.__pydantic_validator__.validate_python(
            {
                "span": span,
                "page": page,
                "boxes": boxes,
                "extractor": self.extractor,
                "grounded": True,
                "locator": locator,
            }
        )

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """Shrink [start, end) past surrounding whitespace (full-width spaces included)."""
        text = self.doc.text
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        return start, end

    def text(
        self, start: int, end: int, locator: str | None = None, value: Any = None, **extra: Any
    ) -> Value | None:
        """A text value over [start, end) of ``src`` (trimmed); ``value`` defaults to the
        cleaned raw."""
        start, end = self.trim(*self.to_doc(start, end))
        if start >= end:
            return None
        raw = self.doc.text[start:end]
        return Value.__pydantic_validator__.validate_python(
            {
                "value": clean_text(raw) if value is None else value,
                "raw": raw,
                "source": self.source(start, end, locator),
                **extra,
            }
        )

    def quantity(self, q: Quantity, offset: int, locator: str | None = None) -> Value:
        """A parsed quantity found at ``offset + q.start`` in ``src``."""
        start, end = self.trim(*self.to_doc(offset + q.start, offset + q.end))
        return Value.__pydantic_validator__.validate_python(
            {
                **q.value_fields(),
                "raw": self.doc.text[start:end],
                "source": self.source(start, end, locator),
            }
        )

    def align(self, quote: str, near: int = 0) -> Span | None:
        """The span of ``quote`` in the document: exact first, then ignoring whitespace.
        The occurrence nearest to ``near`` wins. Used to ground LLM quotes."""
        text = self.doc.text
        hits = [m.start() for m in re.finditer(re.escape(quote), text)] if quote else []
        if hits:
            best = min(hits, key=lambda s: abs(s - near))
            return Span(start=best, end=best + len(quote))
        chars = [re.escape(c) for c in quote if not c.isspace()]
        if not chars:
            return None
        pattern = re.compile(r"\s*".join(chars))
        found = [(m.start(), m.end()) for m in pattern.finditer(text)]
        if not found:
            return None
        s, e = min(found, key=lambda se: abs(se[0] - near))
        return Span(start=s, end=e)
