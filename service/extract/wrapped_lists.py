"""Paragraphs of a PDF that a line wrap parted, joined again for the problem and measure
lists (存在的问题, 改进措施).

Owns: deciding, for two paragraphs in a row, whether the second goes on with the first:
the first's last line reaches the right edge its own lines and the next paragraph's share
(a wrapped line, whatever its length in characters) and does not end a sentence, or the
first ends a clause (；) and the second opens with the next marker of a numbered run the
first holds (一是…；| 二是…). text.paragraphs cuts a short line (a large font, a narrow
column) and a line ending in ；, so an inline list “存在问题方面，一是…；二是…。” wrapped at
such a place was read as one item per line, or lost its count. Lines with boxes (PDF,
OCR) are compared by position; a copy without boxes that kept the PDF's line breaks (text,
Word) by the lines' lengths. Headings are never joined.
Must not change paragraphs for any other reader.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Collection

from service.document import Document, Line
from service.extract.enumerate import ITEM_MARKER, marker_number
from service.extract.text import Block

_SENTENCE_END = "。！？!?:："
_CLAUSE_END = "；;"
_EDGE = 1.2  # how far short of the right edge a wrapped line may end, in line heights


def join_wrapped(doc: Document, blocks: list[Block], heads: Collection[int]) -> list[Block]:
    """``blocks`` (paragraphs in document order) with each one a wrap parted from the one
    before joined to it; a paragraph starting at one of ``heads`` (a heading) stands alone."""
    lines = _Lines(doc)
    out: list[Block] = []
    for block in blocks:
        heading = block.start in heads or (out and out[-1].start in heads)
        if out and not heading and _goes_on(doc.text, out[-1], block, lines):
            out[-1] = Block(out[-1].start, block.end)
            continue
        out.append(block)
    return out


class _Lines:
    """The document's lines with boxes, found by offset."""

    def __init__(self, doc: Document) -> None:
        self.text = doc.text
        self.lines = [ln for ln in doc.lines if ln.bbox is not None]
        self.starts = [ln.span.start for ln in self.lines]

    def within(self, start: int, end: int) -> list[Line]:
        i = bisect.bisect_right(self.starts, start) - 1
        i = max(i, 0)
        out = []
        while i < len(self.lines) and self.lines[i].span.start < end:
            if self.lines[i].span.end > start:
                out.append(self.lines[i])
            i += 1
        return out


def _goes_on(text: str, prev: Block, block: Block, lines: _Lines) -> bool:
    body = text[prev.start : prev.end].rstrip()
    last = body[-1:]
    first = ITEM_MARKER.match(text, block.start, block.end)
    if last in _CLAUSE_END:
        return first is not None and _continues_run(text, prev, first)
    if last in "。.":
        # “一是A。|B；二是C。”: a sentence of an item wrapped at its end, the run going on
        return first is None and _run_inside(text, prev, block) and _wrapped(prev, block, lines)
    if not last or last in _SENTENCE_END:
        return False
    if first is not None and not _continues_run(text, prev, first):
        return False  # a new list item, or a sub-heading's number
    return _wrapped(prev, block, lines)


def _continues_run(text: str, prev: Block, first: object) -> bool:
    """The marker opening the next paragraph is the one after the last of its style in
    ``prev`` (二是 after 一是, （3） after （2））."""
    style, n = marker_number(first)  # type: ignore[arg-type]
    before = [marker_number(m) for m in ITEM_MARKER.finditer(text, prev.start, prev.end)]
    same = [k for s, k in before if s == style]
    return bool(same) and same[-1] + 1 == n


def _run_inside(text: str, prev: Block, block: Block) -> bool:
    """The next paragraph holds, after a clause end, the marker after the last one of
    ``prev`` (二是 after 一是)."""
    before = [marker_number(m) for m in ITEM_MARKER.finditer(text, prev.start, prev.end)]
    if not before:
        return False
    style, n = before[-1]
    return any(
        marker_number(m) == (style, n + 1) and text[m.start() - 1 : m.start()] in "；;。"
        for m in ITEM_MARKER.finditer(text, block.start, block.end)
    )


def _wrapped(prev: Block, block: Block, lines: _Lines) -> bool:
    """``prev``'s last line ends at the right edge of the lines of both paragraphs on its
    page: the line was full, so the text runs on."""
    own = lines.within(prev.start, prev.end)
    if not own:
        return _wrapped_text(lines.text, prev, block)  # no boxes: a text or DOCX copy
    last = own[-1]
    near = [ln for ln in own + lines.within(block.start, block.end) if ln.page == last.page]
    assert last.bbox is not None
    height = last.bbox.y1 - last.bbox.y0
    edge = max(ln.bbox.x1 for ln in near if ln.bbox is not None)
    return len(near) > 1 and last.bbox.x1 >= edge - _EDGE * height


_MIN_WRAP = 12  # characters: a shorter line is a label, a heading or an item, not a wrap


def _wrapped_text(text: str, prev: Block, block: Block) -> bool:
    """A copy with hard line breaks (a PDF pasted into a text file or a Word document):
    ``prev``'s last line is as long as the longest line of both paragraphs, in characters
    or in display width (a line with digits holds more of them), give or take one."""
    before, after = (
        [line.strip() for line in text[p.start : p.end].split("\n") if line.strip()]
        for p in (prev, block)
    )
    rows = before + after
    if not before or len(rows) < 2:
        return False
    last = before[-1]
    chars = max(len(r) for r in rows)
    if chars < _MIN_WRAP:
        return False
    if len(last) >= chars - 1:
        return True  # long enough in characters: no need to weigh every character's width
    return _width(last) >= max(_width(r) for r in rows) - 2


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
