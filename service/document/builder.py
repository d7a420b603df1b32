"""``DocumentBuilder``: the one place that writes ``Document.text`` and its spans.

Every reader feeds pages, lines and tables through it, so spans, page breaks, table
serialisation and NFKC normalisation are the same for every format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from service.document.model import (
    PAGE_BREAK,
    BBox,
    Cell,
    Document,
    Line,
    Page,
    SourceInfo,
    Span,
    Table,
    TextSource,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CELL_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII, compatibility ideographs → unified),
    control characters dropped. OCR emits half-width punctuation and some PDFs emit CJK
    compatibility ideographs: after this both read the same."""
    return _CONTROL.sub("", unicodedata.normalize("NFKC", text))


def normalize_cell(text: str) -> str:
    """A cell's text on one line: tabs and newlines would break the table serialisation."""
    return _CELL_WS.sub(" ", normalize_text(text)).strip()


@dataclass
class CellDraft:
    """A cell as a reader found it, before it has a span."""

    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1
    bbox: BBox | None = None
    page: int | None = None  # defaults to the builder's current page
    ref: str | None = None  # the cell's own address (a spreadsheet's 'Sheet1!B3')
    value: float | None = None  # the number a spreadsheet stores for it


class DocumentBuilder:
    def __init__(self, source: SourceInfo) -> None:
        self.source = source
        self._parts: list[str] = []
        self._length = 0
        self._pages: list[Page] = []
        self._lines: list[Line] = []
        self._tables: list[Table] = []
        self._warnings: list[str] = []
        self._page_open = False
        self._page_start = 0
        self._page_meta: dict = {}
        self.metadata: dict[str, str] = {}
        self._rounded: dict[float, float] = {}

    # --- text -----------------------------------------------------------------------------

    def _write(self, text: str) -> Span:
        start = self._length
        self._append(text)
        return Span(start=start, end=self._length)

    def _append(self, text: str) -> None:
        """``_write`` for a separator whose span nobody keeps (a line's newline, a cell's
        tab, a page break): no Span is built for it (a model per separator of a long
        document)."""
        self._parts.append(text)
        self._length += len(text)

    @property
    def current_page(self) -> int:
        if not self._page_open:
            raise RuntimeError("no page open")
        return len(self._pages) + 1

    def start_page(
        self,
        width: float | None = None,
        height: float | None = None,
        rotation: int = 0,
        text_source: TextSource = TextSource.text_layer,
        ocr_confidence: float | None = None,
    ) -> int:
        if self._page_open:
            self.end_page()
        if self._pages:
            self._append(PAGE_BREAK)
        self._page_open = True
        self._page_start = self._length
        self._page_meta = {
            "width": width,
            "height": height,
            "rotation": rotation,
            "text_source": text_source,
            "ocr_confidence": ocr_confidence,
        }
        return len(self._pages) + 1

    def set_page(self, **meta: object) -> None:
        """Change the open page's metadata (e.g. text_source once OCR has run)."""
        self._page_meta.update(meta)

    def end_page(self) -> None:
        if not self._page_open:
            return
        # Drop a trailing newline so the page text ends on content; keep the offsets honest.
        page = Page(
            number=len(self._pages) + 1,
            span=Span(start=self._page_start, end=self._length),
            **self._page_meta,
        )
        if page.span.start == page.span.end and page.text_source != TextSource.ocr:
            page = page.model_copy(update={"text_source": TextSource.empty})
        self._pages.append(page)
        self._page_open = False

    def add_line(
        self,
        text: str,
        bbox: BBox | None = None,
        confidence: float | None = None,
        ref: str | None = None,
    ) -> Span | None:
        """Append one line of running text (a newline follows it). Blank lines are skipped
        but keep a paragraph break so sections stay apart."""
        page = self.current_page
        text = normalize_text(text).replace("\n", " ").rstrip()
        if not text.strip():
            self.add_blank()
            return None
        span = self._write(text)
        self._append("\n")
        self._lines.append(
            Line(
                page=page,
                span=span,
                bbox=self._round(bbox) if bbox else None,
                confidence=confidence,
                ref=ref,
            )
        )
        return span

    def add_blank(self) -> None:
        """A paragraph break (at most one blank line in a row)."""
        text = "".join(self._parts[-2:])
        if self._length > self._page_start and not text.endswith("\n\n"):
            self._append("\n")

    # --- tables ---------------------------------------------------------------------------

    def add_table(self, cells: list[CellDraft], bbox: BBox | None = None) -> Table | None:
        """Write a table in place as tab-separated rows and record every cell's span.

        ``cells`` hold each merged cell once (at its top-left). Rows are written in order;
        covered positions of a merged cell are written as empty fields so every row has
        ``n_cols`` fields.
        """
        if not cells:
            return None
        page = self.current_page
        n_rows = max(c.row + c.row_span for c in cells)
        n_cols = max(c.col + c.col_span for c in cells)
        at: dict[tuple[int, int], CellDraft] = {(c.row, c.col): c for c in cells}
        if self._length > self._page_start and not "".join(self._parts[-1:]).endswith("\n"):
            self._append("\n")
        start = self._length
        out: list[Cell] = []
        pages: list[int] = []
        for r in range(n_rows):
            for c in range(n_cols):
                if c:
                    self._append("\t")
                draft = at.get((r, c))
                if draft is None:
                    continue
                span = self._write(normalize_cell(draft.text))
                cell_page = draft.page or page
                if cell_page not in pages:
                    pages.append(cell_page)
                out.append(
                    Cell(
                        row=r,
                        col=c,
                        row_span=draft.row_span,
                        col_span=draft.col_span,
                        text=self._parts[-1],
                        page=cell_page,
                        span=span,
                        bbox=self._round(draft.bbox) if draft.bbox else None,
                        ref=draft.ref,
                        value=draft.value,
                    )
                )
            self._append("\n")
        table = Table(
            index=len(self._tables),
            pages=sorted(pages) or [page],
            n_rows=n_rows,
            n_cols=n_cols,
            cells=out,
            span=Span(start=start, end=self._length),
            bbox=self._round(bbox) if bbox else None,
        )
        self._tables.append(table)
        return table

    def _round(self, bbox: BBox) -> BBox:
        """``bbox.round()`` (to 2 digits), each coordinate rounded once per document: a
        table's cells share their grid lines, a page's lines their margins, and ``round``
        is most of the cost of a box."""
        memo = self._rounded
        coords = []
        for v in (bbox.x0, bbox.y0, bbox.x1, bbox.y1):
            r = memo.get(v) if v else None  # 0.0 and -0.0 are one key but round apart
            if r is None:
                r = round(v, 2)
                if v:
                    memo[v] = r
            coords.append(r)
        return BBox(x0=coords[0], y0=coords[1], x1=coords[2], y1=coords[3])

    def warn(self, message: str) -> None:
        self._warnings.append(message)

    def build(self) -> Document:
        if self._page_open:
            self.end_page()
        # A page holding only the continuation of a table joined across the break has no text
        # of its own (the table is written at its first page) but is not empty.
        with_cells = {c.page for t in self._tables for c in t.cells}
        pages = [
            p.model_copy(update={"text_source": TextSource.text_layer})
            if p.text_source is TextSource.empty and p.number in with_cells
            else p
            for p in self._pages
        ]
        return Document(
            source=self.source,
            text="".join(self._parts),
            pages=pages,
            lines=self._lines,
            tables=self._tables,
            warnings=self._warnings,
            metadata=self.metadata,
        )
