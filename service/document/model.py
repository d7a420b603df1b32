"""Data types of the grounded document.

Conventions
-----------
* ``Document.text`` is the whole document as one NFKC-normalised string. Pages follow each
  other separated by ``PAGE_BREAK`` (a form feed); every page's text lies in ``Page.span``.
* Tables are part of that text: each table is written in place as tab-separated rows
  (cells joined by ``\\t``, rows ended by ``\\n``), so every cell has an exact span.
* A ``Span`` is a half-open ``[start, end)`` range of ``Document.text``.
* Boxes are in page coordinates with the origin top-left: PDF points for PDFs (rendered
  and scanned alike), pixels for images. ``Page.width``/``height`` give the scale; a
  format without pages (plain text, DOCX) has pages with no size and elements with no box.
"""

from __future__ import annotations

import bisect
import unicodedata
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, model_validator

PAGE_BREAK = "\f"


class SourceFormat(StrEnum):
    pdf = "pdf"
    docx = "docx"
    png = "png"
    jpeg = "jpeg"
    tiff = "tiff"
    text = "text"
    html = "html"  # a web page: the article body, the site's chrome left out
    xlsx = "xlsx"  # an Excel workbook: every sheet's used range as a table
    xls = "xls"  # a legacy Excel (BIFF) workbook
    ofd = "ofd"  # GB/T 33190 fixed-layout document: text objects with positions
    ods = "ods"  # an OpenDocument spreadsheet, converted to XLSX by LibreOffice
    et = "et"  # a WPS spreadsheet: an Excel 97 (BIFF8) file, told from .xls by its name
    doc = "doc"  # legacy Word 97-2003 (OLE2), converted to DOCX by LibreOffice
    wps = "wps"  # a WPS Writer or MS Works file (OLE2), converted likewise
    rtf = "rtf"  # Rich Text Format, converted likewise
    bundle = "bundle"  # one report in several files (a ZIP of them)


class TextSource(StrEnum):
    """Where a page's text came from."""

    text_layer = "text"  # a PDF text layer, a DOCX body or a plain-text file
    ocr = "ocr"
    empty = "empty"  # nothing readable on the page


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} before start {self.start}")
        return self

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


class BBox(BaseModel):
    model_config = ConfigDict(frozen=True)

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def union(cls, boxes: list[BBox]) -> BBox:
        return cls(
            x0=min(b.x0 for b in boxes),
            y0=min(b.y0 for b in boxes),
            x1=max(b.x1 for b in boxes),
            y1=max(b.y1 for b in boxes),
        )

    @property
    def center(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    def round(self, ndigits: int = 2) -> BBox:
        return BBox(
            x0=round(self.x0, ndigits),
            y0=round(self.y0, ndigits),
            x1=round(self.x1, ndigits),
            y1=round(self.y1, ndigits),
        )


class Page(BaseModel):
    number: int = Field(ge=1, description="1-based page number.")
    width: float | None = None
    height: float | None = None
    rotation: int = 0
    text_source: TextSource = TextSource.text_layer
    span: Span
    ocr_confidence: float | None = Field(
        None, description="Mean recognition score of the page's OCR lines, 0..1."
    )
    file: int | None = Field(
        None, description="In a report of several files: index into ``Document.files``."
    )


class Line(BaseModel):
    """A line (or short block) of running text, outside tables."""

    page: int
    span: Span
    bbox: BBox | None = None
    confidence: float | None = None
    ref: str | None = Field(None, description="A spreadsheet cell read as a line: 'Sheet1!A3'.")


class Cell(BaseModel):
    row: int = Field(ge=0)
    col: int = Field(ge=0)
    row_span: int = Field(1, ge=1)
    col_span: int = Field(1, ge=1)
    text: str
    page: int
    span: Span
    bbox: BBox | None = None
    ref: str | None = Field(
        None, description="The cell's own address where the format has one: 'Sheet1!B3'."
    )
    value: float | None = Field(
        None,
        description="The number the format stores for the cell (a spreadsheet's), "
        "beside ``text``, which is what it displays: 0.9729 shown as '97.29%'.",
    )


class Table(BaseModel):
    """A grid of cells. A merged cell appears once, at its top-left, with its spans."""

    index: int = Field(ge=0, description="Position among the document's tables.")
    pages: list[int] = Field(description="Pages the table stands on, in order.")
    n_rows: int = Field(ge=0)
    n_cols: int = Field(ge=0)
    cells: list[Cell]
    span: Span
    bbox: BBox | None = Field(None, description="Box on the first page.")

    def cell_at(self, row: int, col: int) -> Cell | None:
        """The cell covering (row, col), following merges."""
        for cell in self.cells:
            if (
                cell.row <= row < cell.row + cell.row_span
                and cell.col <= col < cell.col + cell.col_span
            ):
                return cell
        return None

    def grid(self, fill_merged: bool = False) -> list[list[str]]:
        """Rows of cell texts. Merged areas are '' unless ``fill_merged`` repeats the text."""
        rows = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.row_span, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.col_span, self.n_cols)):
                    if (r, c) == (cell.row, cell.col) or fill_merged:
                        rows[r][c] = cell.text
        return rows


class SourceInfo(BaseModel):
    filename: str | None = None
    format: SourceFormat
    media_type: str
    sha256: str
    size: int = Field(ge=0, description="Bytes.")


class SourceFile(BaseModel):
    """One file of a report that arrived as several (a bundle): which pages, and which
    part of ``Document.text``, came from it."""

    index: int = Field(ge=0)
    filename: str | None = None
    format: SourceFormat
    sha256: str
    size: int = Field(ge=0, description="Bytes.")
    pages: list[int] = Field(description="The bundle's page numbers read from this file.")
    span: Span


class Location(BaseModel):
    """Where a piece of text stands: a page and, where the format has one, a box."""

    page: int
    bbox: BBox | None = None
    ref: str | None = Field(None, description="The spreadsheet cell: 'Sheet1!B3'.")


class Document(BaseModel):
    """The whole read document. Serialises to JSON and back without loss."""

    source: SourceInfo
    text: str
    pages: list[Page]
    lines: list[Line] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    files: list[SourceFile] = Field(
        default_factory=list,
        description="The files of a report read from several (a bundle); empty otherwise.",
    )
    metadata: dict[str, str] = Field(
        default_factory=dict,
        description="What the file says about itself beside its text: a web page's "
        "'published' date (ISO) and 'publisher' (来源), its 'url'; a workbook's sheets.",
    )

    # --- navigation ---------------------------------------------------------------------

    def slice(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def page_at(self, offset: int) -> int:
        """The page number holding character ``offset``."""
        starts = [p.span.start for p in self.pages]
        i = max(bisect.bisect_right(starts, offset) - 1, 0)
        return self.pages[i].number

    def page(self, number: int) -> Page:
        return self.pages[number - 1]

    @cached_property
    def _segments(self) -> list[tuple[int, int, int, BBox | None, str | None]]:
        """(start, end, page, box, ref) of every line and cell, sorted by start."""
        segs = [(ln.span.start, ln.span.end, ln.page, ln.bbox, ln.ref) for ln in self.lines]
        for table in self.tables:
            segs.extend((c.span.start, c.span.end, c.page, c.bbox, c.ref) for c in table.cells)
        segs.sort(key=lambda s: (s[0], s[1]))
        return segs

    @cached_property
    def _segment_ends(self) -> list[int]:
        return [s[1] for s in self._segments]

    @cached_property
    def _line_advances(self) -> dict[tuple[int, int], _LineScale]:
        """(start, end) of a line → its characters' advances and scale (``locate``)."""
        return {}

    def locate(self, span: Span) -> list[Location]:
        """Pages and boxes covering ``span``: what the reviewer page highlights.

        A span that covers part of a line gets the matching part of the line's box,
        interpolated by character advance: a CJK (wide) character counts one em, a narrow one
        (digit, Latin letter) half an em to one em as the line's own width says (exact for
        CJK fonts with half-width or with full-width digits, close otherwise).
        """
        found = self._covering(span.start, span.end)
        if not found and len(self.text) > 0:
            return [Location(page=self.page_at(min(span.start, len(self.text) - 1)))]
        return [Location(page=page, bbox=bbox, ref=ref) for page, bbox, ref in found]

    def places(self, start: int, end: int) -> list[tuple[int, BBox | None, str | None]]:
        """``locate`` for the span [start, end) as (page, box, ref) tuples: the extractors
        ground thousands of values and read these three fields straight away, so building
        (and validating) a ``Location`` for each was wasted work."""
        found = self._covering(start, end)
        if not found and len(self.text) > 0:
            found.append((self.page_at(min(start, len(self.text) - 1)), None, None))
        return found

    def _covering(self, start: int, end: int) -> list[tuple[int, BBox | None, str | None]]:
        """(page, box, ref) of the lines and cells that [start, end) covers, in order."""
        out: list[tuple[int, BBox | None, str | None]] = []
        segments = self._segments
        # Segments never overlap (the builder writes them one after another), so their ends
        # are sorted too: skip straight to the first one that ends after the span starts.
        first = bisect.bisect_right(self._segment_ends, start)
        for i in range(first, len(segments)):  # no slice: it would copy the rest each call
            seg_start, seg_end, page, box, ref = segments[i]
            if seg_start >= end:
                break
            if seg_end <= start or seg_end == seg_start:
                continue
            bbox = _sub_box(self.text, box, seg_start, seg_end, start, end, self._line_advances)
            out.append((page, bbox, ref))
        return out

    def tables_on(self, page: int) -> list[Table]:
        return [t for t in self.tables if page in t.pages]

    def file_at(self, offset: int) -> SourceFile | None:
        """The file of a bundle that character ``offset`` was read from (None: one file)."""
        for part in self.files:
            if part.span.start <= offset < part.span.end:
                return part
        return None


# The East Asian Width classes of the characters set on one em (CJK, full-width forms).
_WIDE = ("W", "F")


# A text line's box is about 1.2-1.3 em high in the CJK fonts (ascender + descender).
_LINE_HEIGHT_EM = 1.25


def _advances(line: str, box: BBox) -> list[float]:
    """Each character's advance in em, as the line's box suggests: one em for a wide (CJK)
    character; for the narrow ones either one em too (PDF's built-in CJK fonts set every
    glyph on one advance) or a proportional font's widths (digits ~0.55 em, '.' ~0.27 em).
    Which of the two, the line's own width tells: its width in em, less one em per wide
    character, shared by the narrow ones."""
    width_class = unicodedata.east_asian_width  # no function of ours per character
    wide = [width_class(ch) in _WIDE for ch in line]
    n_wide = sum(wide)
    n_narrow = len(line) - n_wide
    em = (box.y1 - box.y0) / _LINE_HEIGHT_EM
    if n_narrow and em > 0 and ((box.x1 - box.x0) / em - n_wide) / n_narrow > 0.8:
        return [1.0] * len(line)
    out = [1.0 if w else _PROPORTIONAL.get(ch, 0.55) for ch, w in zip(line, wide, strict=True)]
    # The text is NFKC: '，' and '：' were folded to ',' and ':'. Beside a CJK character
    # such a mark was set full-width.
    for i, ch in enumerate(line):
        if ch in _FOLDED and ((i and wide[i - 1]) or (i + 1 < len(line) and wide[i + 1])):
            out[i] = 1.0
    return out


# Marks NFKC folds from their full-width forms ('，' → ',').
_FOLDED = frozenset(",:;!?()")
# Narrow advances of the usual CJK fonts' Latin glyphs, in em (digits and most letters 0.55).
_PROPORTIONAL = dict.fromkeys(".,:;'!|Iijl", 0.27) | dict.fromkeys(" ()-", 0.33) | {"%": 0.8}


# A line's characters' advances, points per advance, and its box's top and bottom rounded
# as ``BBox.round`` does: what every part of the line's box is drawn from.
_LineScale = tuple[list[float], float, float, float]


def _sub_box(
    text: str,
    box: BBox | None,
    start: int,
    end: int,
    span_start: int,
    span_end: int,
    advances: dict[tuple[int, int], _LineScale],
) -> BBox | None:
    """The part of the line [start, end)'s ``box`` that [span_start, span_end) covers."""
    if box is None:
        return None
    lo, hi = max(start, span_start), min(end, span_end)
    if (lo, hi) == (start, end):
        return box
    held = advances.get((start, end))
    if held is None:  # once per line: the readers locate many spans on the same line
        widths = _advances(text[start:end], box)
        scale = (box.x1 - box.x0) / (sum(widths) or 1.0)
        held = advances[(start, end)] = (widths, scale, round(box.y0, 2), round(box.y1, 2))
    widths, scale, y0, y1 = held
    before, inside = sum(widths[: lo - start]), sum(widths[lo - start : hi - start])
    # rounded as BBox.round does; validated from a dict: BBox(...) less the Python of
    # BaseModel.__init__ (every figure read in prose has such a box)
    return BBox.__pydantic_validator__.validate_python(
        {
            "x0": round(box.x0 + scale * before, 2),
            "y0": y0,
            "x1": round(box.x0 + scale * (before + inside), 2),
            "y1": y1,
        }
    )


def part_box(text: str, box: BBox, start: int, end: int, span: Span) -> BBox | None:
    """The part of a line's ``box`` (the line is ``text[start:end]``) that ``span`` covers,
    as ``Document.locate`` draws it: for a view that keeps the lines' boxes, not the model."""
    return _sub_box(text, box, start, end, span.start, span.end, {})
