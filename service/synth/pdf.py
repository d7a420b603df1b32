"""Render a ``ReportSpec`` to a text-layer PDF with PyMuPDF: A4, embedded CJK font, real
ruled tables, page numbers.

Owns page layout: line wrapping by measured width with the Chinese line-break rules, the
table grid (column widths, row heights, merged cells as one rectangle, tables continued on
the next page with their header rows repeated) and byte-stable output. Knows nothing of
where a spec comes from.

The font is PyMuPDF's built-in CJK font (``pymupdf.Font("china-s")``, Droid Sans Fallback),
embedded and subset. Referring to it by the name ``china-s`` alone would leave it
unembedded: viewers then set every character, digits included, one em wide and text
extraction drops characters outside GB 2312, so we embed the font file instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pymupdf

from service.synth.spec import Heading, PageBreak, Paragraph, PlacedCell, ReportSpec, TableBlock

FONT_NAME = "cjk"
# Stable metadata: with these and ``no_new_id`` the same spec gives the same bytes.
FIXED_DATE = "D:20250101000000+00'00'"

# Characters that must not start a line (they close something) and that must not end one.
_NO_LINE_START = set("，。、；：！？）》」』”’％%…—·,.;:!?)]}")
_NO_LINE_END = set("（《「『“‘([{≥≤＞＜<>")
# Digits, Latin letters and the marks inside numbers stay together on one line.
_TOKEN = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ.．,，%％‰\-+/~～]+(?<![，])|\s+|.", re.S)
# Check boxes of the cover page: the CJK font has no glyph for ☐/☒ and a missing glyph
# also vanishes from the text layer, so they are set as □ (unchecked) and ■ (checked).
_CHECKBOXES = str.maketrans({"☐": "□", "☒": "■"})


@lru_cache(maxsize=1)
def cjk_font() -> pymupdf.Font:
    return pymupdf.Font("china-s")


@lru_cache(maxsize=8192)
def _char_width(ch: str) -> float:
    """Advance of one character at font size 1 (the font has no kerning, so a string's
    width is the sum of its characters')."""
    return cjk_font().text_length(ch, fontsize=1)


def text_width(text: str, size: float) -> float:
    return sum(_char_width(ch) for ch in text) * size


def _tokens(text: str) -> list[str]:
    """Units a line may break between, with the no-break rules applied."""
    raw = _TOKEN.findall(text)
    out: list[str] = []
    carry = ""
    for tok in raw:
        if tok and tok[0] in _NO_LINE_START and out:
            out[-1] += tok
            continue
        tok = carry + tok
        carry = ""
        if tok[-1] in _NO_LINE_END:
            carry = tok
            continue
        out.append(tok)
    if carry:
        out.append(carry)
    return out


def wrap(text: str, width: float, size: float, first_indent: float = 0.0) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (the first ``first_indent`` less)."""
    lines: list[str] = []
    for para in text.split("\n"):
        current = ""
        avail = width - (first_indent if not lines else 0.0)
        for tok in _tokens(para):
            if text_width(current + tok, size) <= avail or not current.strip():
                if text_width(current + tok, size) <= avail:
                    current += tok
                    continue
                # a token wider than the whole line: split it character by character
                for ch in tok:
                    if current and text_width(current + ch, size) > avail:
                        lines.append(current)
                        current, avail = "", width
                    current += ch
                continue
            lines.append(current.rstrip())
            current, avail = tok.lstrip(), width
        lines.append(current.rstrip())
    return lines


@dataclass(frozen=True)
class PdfStyle:
    """Layout of an A4 report, in points (1/72 inch)."""

    page_width: float = 595.28
    page_height: float = 841.89
    margin_x: float = 72.0
    margin_top: float = 72.0
    margin_bottom: float = 72.0
    title_size: float = 18.0
    heading_sizes: tuple[float, float, float, float] = (15.0, 13.0, 12.0, 12.0)
    body_size: float = 12.0
    table_size: float = 10.5
    leading: float = 1.6  # line height as a multiple of the font size
    cell_pad: float = 3.0
    rule_width: float = 0.6

    @property
    def content_width(self) -> float:
        return self.page_width - 2 * self.margin_x

    @property
    def bottom(self) -> float:
        return self.page_height - self.margin_bottom


@dataclass
class _Page:
    page: pymupdf.Page
    shape: pymupdf.Shape


@dataclass
class _Writer:
    style: PdfStyle
    doc: pymupdf.Document = field(default_factory=pymupdf.open)
    pages: list[_Page] = field(default_factory=list)
    y: float = 0.0
    font_xref: int = 0

    # --- pages ----------------------------------------------------------------------------

    def new_page(self) -> None:
        # PyMuPDF orphans earlier Page objects when a page is added: commit before that
        if self.pages:
            self.pages[-1].shape.commit()
        page = self.doc.new_page(width=self.style.page_width, height=self.style.page_height)
        if self.font_xref:
            # share the first page's font object: inserting the font on every page would
            # embed it again and recompute its glyph widths each time (seconds per report)
            kind, ref = self.doc.xref_get_key(page.xref, "Resources")
            resources = int(ref.split()[0]) if kind == "xref" else page.xref
            key = f"Font/{FONT_NAME}" if kind == "xref" else f"Resources/Font/{FONT_NAME}"
            self.doc.xref_set_key(resources, key, f"{self.font_xref} 0 R")
        else:
            self.font_xref = page.insert_font(fontname=FONT_NAME, fontbuffer=cjk_font().buffer)
            # PyMuPDF maps characters to glyphs through a table it rebuilds whenever a higher
            # code point appears; build it once for the whole BMP (full-width ，is U+FF0C)
            self.doc.get_char_widths(self.font_xref, 0x10000)
        self.pages.append(_Page(page, page.new_shape()))
        self.y = self.style.margin_top

    @property
    def shape(self) -> pymupdf.Shape:
        return self.pages[-1].shape

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` more points fit on this one."""
        if not self.pages or (
            self.y + height > self.style.bottom and self.y > self.style.margin_top
        ):
            self.new_page()

    # --- text -----------------------------------------------------------------------------

    def text(self, x: float, baseline: float, s: str, size: float, bold: bool = False) -> None:
        extra = {"render_mode": 2, "border_width": 0.03, "color": (0, 0, 0)} if bold else {}
        self.shape.insert_text(
            (x, baseline),
            s.translate(_CHECKBOXES),
            fontname=FONT_NAME,
            fontsize=size,
            fill=(0, 0, 0),
            **extra,
        )

    def flow(
        self,
        text: str,
        size: float,
        align: str = "left",
        indent: bool = False,
        bold: bool = False,
        keep_with_next: bool = False,
    ) -> None:
        """A wrapped block of text at the cursor, continuing on new pages as needed."""
        st = self.style
        line_h = size * st.leading
        first = 2 * size if indent else 0.0
        lines = wrap(text, st.content_width, size, first_indent=first)
        self.ensure(line_h * (3 if keep_with_next else 1))
        for i, line in enumerate(lines):
            self.ensure(line_h)
            w = text_width(line, size)
            x = st.margin_x + (first if i == 0 else 0.0)
            if align == "center":
                x = st.margin_x + (st.content_width - w) / 2
            elif align == "right":
                x = st.margin_x + st.content_width - w
            self.text(x, self.y + size * 1.15, line, size, bold)
            self.y += line_h

    def space(self, points: float) -> None:
        self.y += points

    # --- finishing ------------------------------------------------------------------------

    def finish(self, title: str, header: str | None = None) -> bytes:
        st = self.style
        self.pages[-1].shape.commit()
        total = len(self.pages)
        for n, page in enumerate(self.doc, start=1):
            label = f"- {n} -"
            size = 10.5
            x = (st.page_width - text_width(label, size)) / 2
            page.insert_text((x, st.page_height - 40), label, fontname=FONT_NAME, fontsize=size)
            if header:
                _running_header(page, st, header)
        self.doc.set_metadata(
            {
                "title": title,
                "author": "",
                "subject": f"{total} pages",
                "keywords": "",
                "creator": "jixiao synth",
                "producer": "jixiao synth",
                "creationDate": FIXED_DATE,
                "modDate": FIXED_DATE,
            }
        )
        self.doc.subset_fonts()
        data = self.doc.tobytes(garbage=4, deflate=True, no_new_id=True)
        self.doc.close()
        return data


def _running_header(page: pymupdf.Page, st: PdfStyle, header: str) -> None:
    """The running header (页眉): small, centred above the text, over a thin rule."""
    size = 9.0
    x = (st.page_width - text_width(header, size)) / 2
    y = st.margin_top - 24
    page.insert_text((x, y), header, fontname=FONT_NAME, fontsize=size)
    page.draw_line((st.margin_x, y + 5), (st.page_width - st.margin_x, y + 5), width=0.5)


# --- tables ---------------------------------------------------------------------------------


def _column_widths(table: TableBlock, avail: float, size: float, pad: float) -> list[float]:
    """Column widths: the hints scaled to the page, or the automatic layout of HTML tables
    (each column gets at least its longest unbreakable word, and the rest of the width
    goes to the columns by how much more their text would like)."""
    if table.col_widths:
        total = sum(table.col_widths)
        return [avail * w / total for w in table.col_widths]
    least = [2 * size + 2 * pad] * table.n_cols
    most = list(least)
    for cell in table.layout():
        if cell.col_span != 1 or not cell.text:
            continue
        words = [t for part in cell.text.split("\n") for t in _tokens(part)]
        longest_word = max(text_width(t, size) for t in words) + 2 * pad
        longest_line = max(text_width(part, size) for part in cell.text.split("\n")) + 2 * pad
        least[cell.col] = max(least[cell.col], min(longest_word, avail / 3))
        most[cell.col] = max(most[cell.col], longest_line)
    if sum(least) >= avail:
        return [avail * w / sum(least) for w in least]
    if sum(most) <= avail:
        return [avail * w / sum(most) for w in most]
    spare = avail - sum(least)
    # square root: one very long cell (a goal statement) must not starve the other columns
    want = [(m - lo) ** 0.5 for m, lo in zip(most, least, strict=True)]
    return [lo + spare * w / sum(want) for lo, w in zip(least, want, strict=True)]


@dataclass
class _Grid:
    cells: list[PlacedCell]
    widths: list[float]
    heights: list[float]
    lines: dict[tuple[int, int], list[str]]
    line_h: float
    pad: float


def _grid(table: TableBlock, st: PdfStyle, size: float) -> _Grid:
    pad = st.cell_pad
    widths = _column_widths(table, st.content_width, size, pad)
    line_h = size * 1.35
    cells = table.layout()
    lines: dict[tuple[int, int], list[str]] = {}
    heights = [line_h + 2 * pad] * table.n_rows
    for cell in cells:
        w = sum(widths[cell.col : cell.col + cell.col_span]) - 2 * pad
        wrapped = wrap(cell.text, w, size) if cell.text else []
        lines[(cell.row, cell.col)] = wrapped
        need = len(wrapped) * line_h + 2 * pad
        if cell.row_span == 1:
            heights[cell.row] = max(heights[cell.row], need)
    for cell in cells:  # merged rows: grow the last row of the span if the text needs it
        if cell.row_span > 1:
            need = len(lines[(cell.row, cell.col)]) * line_h + 2 * pad
            have = sum(heights[cell.row : cell.row + cell.row_span])
            if need > have:
                heights[cell.row + cell.row_span - 1] += need - have
    return _Grid(cells, widths, heights, lines, line_h, pad)


def _page_runs(grid: _Grid, table: TableBlock, first_room: float, page_room: float) -> list[range]:
    """Split the body rows into runs, one per page. A break may not cut a merged cell
    whose text would fit in neither part, unless the cell alone is taller than a page."""
    head = table.header_rows if table.repeat_header else 0
    head_h = sum(grid.heights[:head])
    runs: list[range] = []
    start, room = 0, first_room
    while start < table.n_rows:
        used, end = 0.0, start
        while end < table.n_rows and used + grid.heights[end] <= room:
            used += grid.heights[end]
            end += 1
        if end == table.n_rows:
            runs.append(range(start, end))
            break
        end = _safe_break(grid, start, end)
        if end == start and not runs and room < page_room:
            runs.append(range(start, start))  # nothing fits under the text above: new page
        else:
            end = max(end, start + 1)
            runs.append(range(start, end))
            start = end
        room = page_room - (head_h if start >= head else 0.0)
    return runs


def _safe_break(grid: _Grid, start: int, end: int) -> int:
    """Move a break before ``end`` up to the start of a merged cell it would cut, when the
    cell's text (drawn in its first part) would not fit above the break."""
    for cell in grid.cells:
        if start < cell.row < end < cell.row + cell.row_span:
            need = len(grid.lines[(cell.row, cell.col)]) * grid.line_h + 2 * grid.pad
            if need > sum(grid.heights[cell.row : end]):
                return _safe_break(grid, start, cell.row)
    return end


def _draw_table(w: _Writer, table: TableBlock) -> None:
    st = w.style
    size = table.font_size or st.table_size
    grid = _grid(table, st, size)
    w.ensure(grid.heights[0] + (grid.heights[1] if table.n_rows > 1 else 0.0))
    page_room = st.bottom - st.margin_top
    runs = _page_runs(grid, table, st.bottom - w.y, page_room)
    head = table.header_rows if table.repeat_header else 0
    for i, run in enumerate(runs):
        if i > 0:
            w.new_page()
            if head and run.start >= head:
                _draw_rows(w, table, grid, range(0, head), size)
        if len(run):
            _draw_rows(w, table, grid, run, size)
    w.space(size * 0.8)


def _draw_rows(w: _Writer, table: TableBlock, grid: _Grid, rows: range, size: float) -> None:
    st = w.style
    tops: dict[int, float] = {}
    y = w.y
    for r in rows:
        tops[r] = y
        y += grid.heights[r]
    xs = [st.margin_x]
    for width in grid.widths:
        xs.append(xs[-1] + width)
    for cell in grid.cells:
        r0 = max(cell.row, rows.start)
        r1 = min(cell.row + cell.row_span, rows.stop)
        if r0 >= r1:
            continue
        rect = pymupdf.Rect(
            xs[cell.col],
            tops[r0],
            xs[cell.col + cell.col_span],
            tops[r1 - 1] + grid.heights[r1 - 1],
        )
        if table.style == "ruled":
            w.shape.draw_rect(rect)
        # the text of a merged cell cut by a page break goes in its first part
        if r0 == cell.row:
            _cell_text(w, rect, grid.lines[(cell.row, cell.col)], size)
    w.shape.finish(width=st.rule_width, color=(0, 0, 0))
    w.y = y


def _cell_text(w: _Writer, rect: pymupdf.Rect, lines: list[str], size: float) -> None:
    if not lines:
        return
    line_h, pad = size * 1.35, w.style.cell_pad
    y = rect.y0 + max(pad, (rect.height - len(lines) * line_h) / 2)
    for line in lines:
        lw = text_width(line, size)
        # one-line cells are centred, as in printed government tables; wrapped text reads left
        x = rect.x0 + (rect.width - lw) / 2 if len(lines) == 1 else rect.x0 + pad
        w.text(x, y + size * 1.08, line, size)
        y += line_h


# --- entry point ----------------------------------------------------------------------------


def render_pdf(spec: ReportSpec, style: PdfStyle | None = None) -> bytes:
    """The spec as a text-layer PDF; the same spec always gives the same bytes."""
    st = style or PdfStyle()
    w = _Writer(st)
    w.new_page()
    w.flow(spec.title, st.title_size, align="center", bold=True)
    w.space(st.body_size)
    for block in spec.blocks:
        if isinstance(block, Heading):
            size = st.heading_sizes[block.level - 1]
            w.flow(block.text, size, indent=True, bold=block.level <= 2, keep_with_next=True)
        elif isinstance(block, Paragraph):
            w.flow(
                block.text,
                st.body_size,
                block.align,
                indent=block.indent and block.align == "left",
                bold=block.bold,
            )
        elif isinstance(block, TableBlock):
            _draw_table(w, block)
        elif isinstance(block, PageBreak):
            w.new_page()
    return w.finish(spec.title.replace("\n", ""), spec.header)
