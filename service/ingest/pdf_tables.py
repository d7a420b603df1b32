"""Ruled tables on text-layer PDF pages.

Finds tables with PyMuPDF's table finder (only on pages with drawn lines, where it can find
any), rebuilds each as a cell grid with row/column spans derived from the cell rectangles,
reads every cell's own characters, and joins a table that continues across a page break.

Cell text is *not* taken from ``Table.extract()``: PyMuPDF assembles text lines for the
whole page first, and a line can run across cell borders or (in 2.0) split a decimal such
as "1059.01" into pieces. Each cell's characters are re-read from the page by position and
re-assembled into lines inside the cell only — the same result as
``page.get_text(clip=cell)``, at a fraction of the cost.

Finding the grid does not go through ``Page.find_tables`` either (see ``ruled_cells``): the
finder also re-reads every character of the page into 25-key dictionaries and detects each
table's header, and Jixiao uses neither; those were two thirds of its cost, and its helpers
(all-pairs searches over dictionaries) most of the rest. ``pdf_grid`` runs the finder's
steps (edges, intersections, cells, tables) on tuples, with only the character boxes they
test against, so the cells are the finder's cells.

Owns table geometry for PDFs. Writes nothing to the document: ``pdf.py`` places tables in
reading order through ``DocumentBuilder``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

import pymupdf
import pymupdf.table as _finder

from service.ingest import pdf_grid

Box = tuple[float, float, float, float]
Char = tuple[str, float, float, float, float]  # character, x0, y0, x1, y1 (display coords)

# Edges closer than this (points) are the same grid line.
SNAP = 2.0
# Column boundaries of two table parts on consecutive pages may differ this much.
JOIN_TOLERANCE = 3.0
# A page needs at least this many drawn line segments before the table finder is worth
# its cost (about 30-50 ms a page).
MIN_RULES = 4
# Internal switch: True finds grids with ``Page.find_tables`` as before (kept to prove the two
# give the same cells: tests/ingest/test_pdf_grid.py and eval/bench_speed.py --compare).
USE_LIBRARY_FINDER = False


@dataclass
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    box: Box
    page: int
    chars: list[Char] = field(default_factory=list)
    text: str = ""


@dataclass
class PdfTable:
    """A table as found on one page, later perhaps extended by its continuation."""

    page: int
    box: Box  # on the first page
    cols: list[float]  # x boundaries, n_cols + 1
    rows: list[float]  # y boundaries of the first part, n_rows + 1
    cells: list[GridCell]
    n_rows: int
    pages: list[int] = field(default_factory=list)
    last_box: Box | None = None  # the part on the last page
    dropped_header_rows: int = 0
    joined_into: PdfTable | None = None  # set on a continuation once it is appended
    # A borderless table (no rulings): the whitespace gutters between its columns.
    gutters: list[tuple[float, float]] | None = None

    @property
    def n_cols(self) -> int:
        return len(self.cols) - 1

    def row_texts(self, row: int) -> list[str]:
        by_col = {c.col: c.text for c in self.cells if c.row == row}
        return [by_col.get(col, "") for col in range(self.n_cols)]


# --- finding ------------------------------------------------------------------------------


def rules_area(paths: list[dict]) -> pymupdf.Rect | None:
    """The area holding a page's straight drawn lines and rectangles (candidate table
    rulings), or None when there are too few for a table. ``paths``: ``get_drawings()``."""
    xs: list[float] = []
    ys: list[float] = []
    count = 0
    for path in paths:
        for item in path["items"]:
            kind = item[0]
            if kind == "l":
                p, q = item[1], item[2]
                if abs(p.x - q.x) < 1 or abs(p.y - q.y) < 1:  # horizontal or vertical
                    count += 1
                    xs += (p.x, q.x)
                    ys += (p.y, q.y)
            elif kind in ("re", "qu"):
                rect = item[1].rect if kind == "qu" else item[1]
                count += 4
                xs += (rect.x0, rect.x1)
                ys += (rect.y0, rect.y1)
    if count < MIN_RULES:
        return None
    return pymupdf.Rect(min(xs), min(ys), max(xs), max(ys))


def find_tables(page: pymupdf.Page, page_number: int) -> list[PdfTable]:
    """Ruled tables on ``page`` as grids (display coordinates), without their text yet."""
    paths = page.get_drawings()
    area = rules_area(paths)
    if area is None:
        return []
    reuse: list[dict] | None = paths
    rotation = page.rotation
    if rotation:
        # Drawings come unrotated; the finder takes its clip and answers in display space,
        # and reads the drawings again itself in the space it works in.
        area = area * page.rotation_matrix
        reuse = None
    clip = area + (-2, -2, 2, 2)
    if USE_LIBRARY_FINDER or rotation:
        groups = library_cells(page, clip, reuse)
    else:
        groups = ruled_cells(page, clip, paths)
    tables = []
    for cells in groups:
        grid = _grid([tuple(c) for c in cells if c is not None], page_number)
        if grid is not None:
            tables.append(grid)
    return tables


def library_cells(
    page: pymupdf.Page, clip: pymupdf.Rect, paths: list[dict] | None
) -> list[list[Box]]:
    """Each table's cell rectangles as ``Page.find_tables`` gives them."""
    # use_layout=False: 1.28 can gate tables through an optional layout-analysis package;
    # it is not installed, and results must not depend on whether it is.
    found = page.find_tables(clip=clip, use_layout=False, paths=paths)
    if found is None:  # PyMuPDF swallows the finder's own exceptions and returns None
        return []
    return [list(table.cells) for table in found.tables]


def ruled_cells(page: pymupdf.Page, clip: pymupdf.Rect, paths: list[dict]) -> list[list[Box]]:
    """The cells ``library_cells`` gives, on an unrotated page, without what the finder does
    that Jixiao does not use (its own 25-key dictionary per character of the page, the
    header detection of each table) and without its slow helpers: ``pdf_grid`` runs the
    finder's steps on plain tuples, with the characters the finder's text probes test (the
    same text page: clip, flags, small glyph heights)."""
    small = bool(pymupdf.TOOLS.set_small_glyph_heights())
    pymupdf.TOOLS.set_small_glyph_heights(True)  # as the finder: minimal glyph boxes
    try:
        chars = _probe_chars(page, clip)
        return pdf_grid.table_cells(paths, tuple(clip), chars)
    except Exception:  # noqa: BLE001 - as find_tables: a failing finder finds no table
        return []
    finally:
        pymupdf.TOOLS.set_small_glyph_heights(small)


def _probe_chars(page: pymupdf.Page, clip: pymupdf.Rect) -> pdf_grid.ProbeChars:
    """The page's characters as the finder's ``make_chars`` makes them, with only what its
    text probes read: the text and box (page space), and the box's y under the page's
    transformation matrix, transformed by MuPDF as ``Rect * Matrix`` does (so the values
    are the finder's to the last bit) for only the characters a probe reaches.
    Small glyph heights must be on (the boxes are computed as the text page is read).

    The text page is first read without the finder's style collection, which costs most
    of it (MuPDF compares every character with every earlier one for "fake bold"): its
    only effect on characters is to drop a repeat of one already there (same character,
    origin within a tenth of the font size), and a repeat printed exactly over another
    (a fill-and-stroke pass) adds no box the probes do not already see. Where any two
    characters of the page stand that close the page is read again as the finder reads
    it."""
    ctm = tuple(page.transformation_matrix)
    transform = _transform_rect()
    chars, marks = _read_probe(page, clip, _PROBE_FLAGS)
    if _PROBE_FLAGS != _finder.FLAGS and _repeats(marks):
        chars, _ = _read_probe(page, clip, _finder.FLAGS)

    def flipped(i: int) -> tuple[float, float]:
        box = transform(chars[i][1:], ctm)
        return box[1], box[3]

    upright = ctm[1] == ctm[2] == 0 and ctm[3] == -1  # y becomes ctm[5] - y
    return pdf_grid.ProbeChars(chars, flipped, ctm[5] if upright else None)


# The finder's text flags without style collection (see _probe_chars).
_PROBE_FLAGS = _finder.FLAGS & ~pymupdf.TEXT_COLLECT_STYLES
# MuPDF takes a character for "fake bold" within 0.1 of the font size; twice that is safe.
_REPEAT_DISTANCE = 0.2


def _read_probe(
    page: pymupdf.Page, clip: pymupdf.Rect, flags: int
) -> tuple[list[Char], list[tuple[str, float, float, float]]]:
    """Each character of the clipped text page as (text, box), and as (text, origin y,
    origin x, font size) for ``_repeats``."""
    chars: list[Char] = []
    marks: list[tuple[str, float, float, float]] = []
    textpage = page.get_textpage(clip=clip, flags=flags)
    for block in textpage.extractRAWDICT()["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                size = span["size"]
                chars += [(ch["c"], *ch["bbox"]) for ch in span["chars"]]
                marks += [(ch["c"], ch["origin"][1], ch["origin"][0], size) for ch in span["chars"]]
    return chars, marks


def _repeats(marks: list[tuple[str, float, float, float]]) -> bool:
    """Whether two of the characters are the same and start within ``_REPEAT_DISTANCE``
    of the larger font size of each other, down and across (text printed twice, slightly
    moved or not: what MuPDF's fake-bold check drops)."""
    if not marks:
        return False
    reach = _REPEAT_DISTANCE * max(m[3] for m in marks)
    ordered = sorted(marks)  # by character, then down the page
    # Where the next one is the same character on about the same line (few places).
    starts = [
        i
        for i, (a, b) in enumerate(zip(ordered, ordered[1:], strict=False))
        if b[1] - a[1] < reach and a[0] == b[0]
    ]
    n = len(ordered)
    for i in starts:
        c, y, x, size = ordered[i]
        j = i + 1
        while j < n:
            c2, y2, x2, size2 = ordered[j]
            if c2 != c or y2 - y >= reach:
                break
            near = _REPEAT_DISTANCE * max(size, size2)
            if y2 - y < near and abs(x2 - x) < near:
                return True
            j += 1
    return False


def _transform_rect():  # type: ignore[no-untyped-def]
    """MuPDF's rectangle transform on plain tuples (what ``Rect * Matrix`` calls, without
    building three ``Rect`` objects per character)."""
    fast = getattr(getattr(pymupdf, "extra", None), "util_transform_rect", None)
    if fast is not None and getattr(pymupdf, "g_use_extra", False):
        return fast
    return lambda bbox, m: tuple(pymupdf.Rect(bbox) * pymupdf.Matrix(m))


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _nearest(bounds: list[float], value: float) -> int:
    i = bisect.bisect_left(bounds, value)
    if i == 0:
        return 0
    if i == len(bounds):
        return len(bounds) - 1
    return i if bounds[i] - value < value - bounds[i - 1] else i - 1


def _grid(rects: list[Box], page_number: int) -> PdfTable | None:
    """Rows, columns and spans from the cell rectangles: a merged cell covers several grid
    intervals, and the grid lines are all the cells' edges."""
    if not rects:
        return None
    cols = _snap([x for r in rects for x in (r[0], r[2])])
    rows = _snap([y for r in rects for y in (r[1], r[3])])
    if len(cols) < 2 or len(rows) < 2:
        return None
    cells = []
    taken: set[tuple[int, int]] = set()
    for rect in sorted(rects, key=lambda r: (r[1], r[0])):
        c0, c1 = _nearest(cols, rect[0]), _nearest(cols, rect[2])
        r0, r1 = _nearest(rows, rect[1]), _nearest(rows, rect[3])
        slots = {(r, c) for r in range(r0, r1) for c in range(c0, c1)}
        if c1 <= c0 or r1 <= r0 or slots & taken:
            continue  # degenerate or overlapping: keep the first reading
        taken |= slots
        cells.append(GridCell(r0, c0, r1 - r0, c1 - c0, rect, page_number))
    box = (cols[0], rows[0], cols[-1], rows[-1])
    return PdfTable(
        page=page_number,
        box=box,
        cols=cols,
        rows=rows,
        cells=cells,
        n_rows=len(rows) - 1,
        pages=[page_number],
        last_box=box,
    )


# --- cell text ------------------------------------------------------------------------------


def claim_chars(tables: list[PdfTable], chars: list[Char]) -> list[bool]:
    """Give each character whose centre lies in a table's cell to that cell. Returns, for
    every character, whether a table took it (so it is not also running text)."""
    taken = [False] * len(chars)
    cxs = [(ch[1] + ch[3]) / 2 for ch in chars]
    cys = [(ch[2] + ch[4]) / 2 for ch in chars]
    by_y = sorted(range(len(chars)), key=cys.__getitem__)
    ys = [cys[i] for i in by_y]
    for table in tables:
        owner: dict[tuple[int, int], GridCell] = {}
        for cell in table.cells:
            for r in range(cell.row, cell.row + cell.row_span):
                for c in range(cell.col, cell.col + cell.col_span):
                    owner[(r, c)] = cell
        x0, y0, x1, y1 = table.box
        cols, rows = table.cols, table.rows
        # The characters whose centre is level with the table, in page order (a cell's
        # characters keep the order the text layer gives them).
        level = by_y[bisect.bisect_left(ys, y0) : bisect.bisect_left(ys, y1)]
        for i in sorted(level):
            cx = cxs[i]
            if taken[i] or not x0 <= cx < x1:
                continue
            cell = owner.get(
                (bisect.bisect_right(rows, cys[i]) - 1, bisect.bisect_right(cols, cx) - 1)
            )
            if cell is not None:  # text in a hole of the grid stays running text
                cell.chars.append(chars[i])
                taken[i] = True
        for cell in table.cells:
            cell.text = cell_text(cell.chars)
            cell.chars = []
    return taken


def cell_text(chars: list[Char]) -> str:
    """A cell's characters as text: lines rebuilt from positions inside the cell only,
    wrapped lines joined the way the cell would read on one line."""
    if not chars:
        return ""
    lines: list[list[Char]] = []
    centre = height = 0.0
    for ch in sorted(chars, key=_centre_then_x):
        mid, h = (ch[2] + ch[4]) / 2, ch[4] - ch[2]
        if lines and abs(mid - centre) <= 0.5 * min(h, height):
            lines[-1].append(ch)
        else:
            lines.append([ch])
        centre, height = mid, h  # the line's last character, as it is compared with
    texts = []
    for line in lines:
        line.sort(key=_x0)
        text = "".join([c[0] for c in line]).strip()
        if text:
            texts.append(text)
    return join_wrapped(texts)


def _centre_then_x(ch: Char) -> tuple[float, float]:
    return ((ch[2] + ch[4]) / 2, ch[1])


def _x0(ch: Char) -> float:
    return ch[1]


_WORD_END = re.compile(r"[A-Za-z]$")
_WORD_START = re.compile(r"^[A-Za-z]")


def join_wrapped(lines: list[str]) -> str:
    """Join a cell's wrapped lines: no space inside Chinese text or a wrapped number
    ("1059." + "01"), a space between two Latin words."""
    out = ""
    for line in lines:
        if out and _WORD_END.search(out) and _WORD_START.search(line):
            out += " "
        out += line
    return unicodedata.normalize("NFKC", out)


# --- tables across page breaks ----------------------------------------------------------


def compatible(first: PdfTable, second: PdfTable) -> bool:
    """Whether ``second`` (top of the next page) can continue ``first``: the same outer
    edges, and one part's column lines a subset of the other's (a continuation may have
    merged cells where the first part has none, or the reverse)."""
    if first.gutters is not None or second.gutters is not None:
        # Borderless parts: text edges move from page to page, the gutters stay.
        return (
            first.gutters is not None
            and second.gutters is not None
            and gutters_match(first.gutters, second.gutters)
        )
    a, b = first.cols, second.cols
    if len(a) < 3 or len(b) < 3:
        return False
    if abs(a[0] - b[0]) > JOIN_TOLERANCE or abs(a[-1] - b[-1]) > JOIN_TOLERANCE:
        return False
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return all(min(abs(x - y) for y in large) <= JOIN_TOLERANCE for x in small)


def join(first: PdfTable, second: PdfTable) -> None:
    """Append ``second``'s rows to ``first``, dropping a repeated header row(s)."""
    cols = first.cols if len(first.cols) >= len(second.cols) else second.cols
    if len(first.cols) != len(second.cols):
        # Re-place every cell on the finer column grid, by its own x edges.
        for cell in (*first.cells, *second.cells):
            c0, c1 = _nearest(cols, cell.box[0]), _nearest(cols, cell.box[2])
            cell.col, cell.col_span = c0, max(c1 - c0, 1)
        first.cols = cols
    repeated = _repeated_header(first, second)
    cut = _cut_merged_cells(first, second, repeated)
    for cell in second.cells:
        if cell.row + cell.row_span <= repeated:
            continue
        if id(cell) in cut:
            cut[id(cell)].row_span += cell.row_span
            continue
        start = max(cell.row, repeated)
        cell.row_span -= start - cell.row
        cell.row = first.n_rows + start - repeated
        first.cells.append(cell)
    first.n_rows += second.n_rows - repeated
    first.pages.append(second.page)
    first.last_box = second.box
    first.dropped_header_rows += repeated
    second.joined_into = first


def _cut_merged_cells(first: PdfTable, second: PdfTable, repeated: int) -> dict[int, GridCell]:
    """Merged cells the page break cut in two: a cell of ``first`` spanning several rows
    down to its last row, continued by an empty cell in the same columns at the top of
    ``second``. Maps the continuation (by id) to the cell it extends."""
    bottom = {
        (c.col, c.col_span): c
        for c in first.cells
        if c.row + c.row_span == first.n_rows and c.row_span > 1 and c.text
    }
    out = {}
    for cell in second.cells:
        above = bottom.get((cell.col, cell.col_span))
        if cell.row == repeated and not cell.text and above is not None:
            out[id(cell)] = above
    return out


def gutters_match(
    a: list[tuple[float, float]], b: list[tuple[float, float]], slack: float = 2.0
) -> bool:
    """Two parts of one borderless table: as many gutters, each pair overlapping."""
    return len(a) == len(b) and all(
        min(a1, b1) + slack > max(a0, b0) for (a0, a1), (b0, b1) in zip(a, b, strict=True)
    )


def _repeated_header(first: PdfTable, second: PdfTable) -> int:
    """How many of ``second``'s top rows repeat ``first``'s header rows (up to 3)."""
    best = 0
    for k in range(1, min(3, first.n_rows - 1, second.n_rows - 1) + 1):
        a = [first.row_texts(r) for r in range(k)]
        b = [second.row_texts(r) for r in range(k)]
        if a == b and any(t for row in a for t in row):
            best = k
    return best
