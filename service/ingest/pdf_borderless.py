"""Borderless tables on text-layer PDF pages (无框线表格), rebuilt from character positions.

Reports from many provinces print the 绩效自评表, the 基础数据表 or a project list without
rulings: cells stand only by position. PyMuPDF's ``find_tables(strategy="text")`` finds
tables in nearly any page of aligned prose, so this module uses a deterministic
column-band method of its own:

1. the page's characters (those no ruled table took) are grouped into visual lines, and a
   line is cut into *segments* wherever two characters stand far apart (``CELL_GAP`` em);
2. a *block* starts at a line of three or more segments with a figure after the first one
   and grows downwards while every column gutter (whitespace running down through all its
   lines) survives; a prose line crosses the gutters and ends it;
3. the block is a table only when it has three or more columns, three or more full rows, a
   column that is mostly figures, no column of ``标签：`` labels and short cells, and a
   header line above it (a headerless block is accepted only at the top of a page,
   continuing the previous page's table with the same gutters);
4. lines that fill only a few columns and no figure column are wrapped cell text (a long
   三级指标 name over two lines): they join the row they belong to. A merged first-column
   cell (一级/二级 written once) leaves the cells below it empty, as exported tables do.

The result is a ``PdfTable`` like a ruled one (cells with boxes on their words), so reading
order, joining across pages and writing go through the same code. Owns no text layer
reading and writes nothing: ``pdf.py`` calls ``find_borderless`` with the page's chars.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from service.ingest.flat_tables import is_figure
from service.ingest.pdf_tables import Char, GridCell, PdfTable, gutters_match, join_wrapped

Interval = tuple[float, float]

# Two characters further apart than this (in em) stand in different cells: Word's default
# cell margins leave about one em between a right-aligned figure and the next cell.
CELL_GAP = 0.9
# ...unless one space character fills the gap: a word space, which a CJK font that sets
# Latin on a full em makes as wide as a column gap (justified lines stretch it further).
WORD_SPACE = 2.5
# Lines of one cell stand closer than this (em).
TIGHT = 0.6
# The least gap (em) at which a block's gutter may cut a segment in two.
NARROW_GAP = 0.25
# A gutter must stay at least this wide (em) through every line of the block.
MIN_GUTTER = 0.3
# Lines further apart than this (in line heights) do not belong to one table.
MAX_ROW_GAP = 2.5
# Share of a figure column's cells that must be figures.
FIGURE_SHARE = 0.6
# A table's cells are short; a paragraph cut into columns is not.
MAX_MEDIAN_CELL_CHARS = 16
# Share of the page height where running headers stand above a continued table.
TOP_MARGIN = 0.1
_PLACEHOLDER = re.compile(r"^[-—/\\无]+$")
_LABEL = re.compile(r"[:：]$")
_UNIT_NOTE = re.compile(r"^(?:金额|计量|货币)?单位\s*[:：]")


@dataclass
class _Seg:
    """Characters of one line standing together: one cell's text on that line."""

    chars: list[tuple[int, Char]]
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        inked = [c for _, c in self.chars if not c[0].isspace()]
        self.box = (
            min(c[1] for c in inked),
            min(c[2] for c in inked),
            max(c[3] for c in inked),
            max(c[4] for c in inked),
        )

    @property
    def text(self) -> str:
        return "".join(c[0] for _, c in self.chars).strip()

    @property
    def centre(self) -> float:
        return (self.box[0] + self.box[2]) / 2


@dataclass
class _Line:
    segs: list[_Seg]
    size: float
    top: float = 0.0
    bottom: float = 0.0

    def __post_init__(self) -> None:
        self.top = min(s.box[1] for s in self.segs)
        self.bottom = max(s.box[3] for s in self.segs)

    @property
    def has_figure(self) -> bool:
        return any(is_figure(s.text) for s in self.segs[1:])


@dataclass
class _Block:
    lines: list[_Line]
    gutters: list[Interval]
    header: list[_Line] = field(default_factory=list)


def find_borderless(
    chars: list[Char],
    sizes: list[float],
    taken: list[bool],
    page: tuple[int, float],
    previous: PdfTable | None = None,
) -> list[PdfTable]:
    """Borderless tables among the characters not ``taken`` (marked taken when used).

    ``sizes``: each character's font size; ``page``: its number and height. ``previous``:
    the last table of the page before, which a block at the top of this page (headerless,
    or with its header repeated) may continue."""
    page_number, height = page
    if not _could_hold_table(chars, sizes, taken):
        return []
    lines = _lines(chars, sizes, taken)
    if not any(len(ln.segs) >= 3 and ln.has_figure for ln in lines):
        return []
    tables = []
    for block in _blocks(lines):
        has_header = _header(block, lines)
        continues = _continues(block, lines, previous, height)
        if not has_header and not continues:
            continue
        # A table's first rows at the foot of a page go on over the page: fewer will do.
        short = continues or (has_header and _at_foot(block, lines, height))
        table = _table(block, page_number, 1 if short else 3)
        if table is None:
            continue
        for line in (*block.header, *block.lines):
            for seg in line.segs:
                for i, _ in seg.chars:
                    taken[i] = True
        tables.append(table)
    return tables


# --- lines and segments ------------------------------------------------------------------------


def _could_hold_table(chars: list[Char], sizes: list[float], taken: list[bool]) -> bool:
    """The cheap gate, one pass over the characters in text-layer order: are there two
    visual lines of three or more pieces set apart (a header and a row at least), one with
    a digit? A page of prose has none and costs no more than this."""
    pieces: list[list] = []  # [y centre, height, pieces, digit] of each run of a text line
    run: list = []
    px1 = py0 = ph = 0.0
    for c, size, used in zip(chars, sizes, taken, strict=True):
        if used or c[0].isspace():
            continue
        x0, y0, x1, y1 = c[1], c[2], c[3], c[4]
        if run and abs(y0 - py0) <= 0.5 * ph and x0 >= px1 - 0.5 * ph:
            if x0 - px1 > CELL_GAP * size:
                run[2] += 1
            if not run[3] and c[0].isdigit():
                run[3] = True
        else:
            run = [(y0 + y1) / 2, y1 - y0, 1, c[0].isdigit()]
            pieces.append(run)
        px1, py0, ph = x1, y0, y1 - y0
    pieces.sort(key=lambda p: p[0])
    rows: list[list] = []
    for y, h, n, digit in pieces:
        if rows and abs(y - rows[-1][0]) <= 0.5 * min(h, rows[-1][1]):
            rows[-1][2] += n
            rows[-1][3] = rows[-1][3] or digit
        else:
            rows.append([y, h, n, digit])
    aligned = [r for r in rows if r[2] >= 3]
    return len(aligned) >= 2 and any(r[3] for r in aligned)


def _lines(chars: list[Char], sizes: list[float], taken: list[bool]) -> list[_Line]:
    """Visual lines of the free characters, top-down, each cut into segments."""
    order = sorted(
        (i for i, c in enumerate(chars) if not taken[i]),
        key=lambda i: ((chars[i][2] + chars[i][4]) / 2, chars[i][1]),
    )
    rows: list[list[int]] = []
    centre = height = 0.0
    for i in order:
        c = chars[i]
        mid, h = (c[2] + c[4]) / 2, c[4] - c[2]
        if rows and abs(mid - centre) <= 0.5 * min(h, height):
            rows[-1].append(i)
            continue
        rows.append([i])
        centre, height = mid, h
    out = []
    for row in rows:
        line = _segment(row, chars, sizes)
        if line is not None:
            out.append(line)
    return out


def _segment(row: list[int], chars: list[Char], sizes: list[float]) -> _Line | None:
    row.sort(key=lambda i: chars[i][1])
    size = max(sizes[i] for i in row) or 10.0
    segs: list[list[tuple[int, Char]]] = []
    right = None
    spaces = 0
    for i in row:
        c = chars[i]
        if c[0].isspace():
            if segs:
                segs[-1].append((i, c))
                spaces += 1
            continue
        if right is None or _apart(c[1] - right, spaces, size):
            segs.append([])
        segs[-1].append((i, c))
        right = c[3] if right is None else max(right, c[3])
        spaces = 0
    parts = [_Seg(s) for s in segs if any(not c[0].isspace() for _, c in s)]
    return _Line(parts, size) if parts else None


def _apart(gap: float, spaces: int, size: float) -> bool:
    """Whether a gap of ``gap`` points holding ``spaces`` space characters parts two cells."""
    if spaces == 1:
        return gap > WORD_SPACE * size
    return gap > CELL_GAP * size


# --- blocks of aligned lines ------------------------------------------------------------------


def _free(segs: list[_Seg], left: float, right: float) -> list[Interval]:
    out, x = [], left
    for x0, x1 in sorted((s.box[0], s.box[2]) for s in segs):
        if x0 > x:
            out.append((x, x0))
        x = max(x, x1)
    if x < right:
        out.append((x, right))
    return out


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            if min(a1, b1) > max(a0, b0):
                out.append((max(a0, b0), min(a1, b1)))
    return out


def _gutters(free: list[Interval], segs: list[_Seg], size: float) -> list[Interval]:
    """Free intervals wide enough, with text on both sides."""
    return [
        (lo, hi)
        for lo, hi in free
        if hi - lo >= MIN_GUTTER * size
        and any(s.box[2] <= lo + 0.5 for s in segs)
        and any(s.box[0] >= hi - 0.5 for s in segs)
    ]


def _keeps(old: list[Interval], new: list[Interval]) -> bool:
    """Every gutter of ``old`` lives on (perhaps narrower) in ``new``."""
    return all(any(n0 < o1 and o0 < n1 for n0, n1 in new) for o0, o1 in old)


def _blocks(lines: list[_Line]) -> list[_Block]:
    left = min(s.box[0] for ln in lines for s in ln.segs) - 1
    right = max(s.box[2] for ln in lines for s in ln.segs) + 1
    blocks: list[_Block] = []
    i = 0
    while i < len(lines):
        start = lines[i]
        if len(start.segs) < 3 or not start.has_figure:
            i += 1
            continue
        block = [start]
        free = _free(start.segs, left, right)
        gutters = _gutters(free, start.segs, start.size)
        j = i + 1
        while j < len(lines) and lines[j].top - block[-1].bottom <= MAX_ROW_GAP * start.size:
            lines[j] = _split_at(lines[j], gutters)
            more = _intersect(free, _free(lines[j].segs, left, right))
            segs = [s for ln in (*block, lines[j]) for s in ln.segs]
            kept = _gutters(more, segs, start.size)
            if len(kept) < len(gutters) or not _keeps(gutters, kept):
                break
            block.append(lines[j])
            free, gutters = more, kept
            j += 1
        if len(gutters) >= 2:
            blocks.append(_Block(block, gutters))
        i = j
    return blocks


def _split_at(line: _Line, gutters: list[Interval]) -> _Line:
    """Cut segments where a gutter of the block runs between two of their characters: two
    cells of narrow columns can stand closer than ``CELL_GAP`` ('成本指标经济成本')."""
    segs: list[_Seg] = []
    for seg in line.segs:
        part: list[tuple[int, Char]] = []
        last: Char | None = None
        for i, c in seg.chars:
            if c[0].isspace():
                part.append((i, c))
                continue
            gap = c[1] - (last[3] if last else c[1])
            if gap >= NARROW_GAP * line.size and any(
                last[3] < hi and c[1] > lo
                for lo, hi in gutters  # type: ignore[index]
            ):
                segs.append(_Seg(part))
                part = []
            part.append((i, c))
            last = c
        segs.append(_Seg(part))
    if len(segs) == len(line.segs) or any(
        s.box[0] < lo and s.box[2] > hi for s in segs for lo, hi in gutters
    ):
        return line  # a line that crosses a gutter anyway is no row of the table
    return _Line(segs, line.size)


# --- header and continuation ------------------------------------------------------------------


def _column(x: float, gutters: list[Interval]) -> int:
    return sum(1 for lo, hi in gutters if x >= (lo + hi) / 2)


def _no_figures(line: _Line, gutters: list[Interval]) -> bool:
    """Header words: no figure, one segment to a column."""
    cols = [_column(seg.centre, gutters) for seg in line.segs]
    return len(set(cols)) == len(cols) and not any(is_figure(seg.text) for seg in line.segs)


def _crosses(line: _Line, gutters: list[Interval]) -> bool:
    return any(seg.box[0] < lo and seg.box[2] > hi for seg in line.segs for lo, hi in gutters)


def _header(block: _Block, lines: list[_Line]) -> bool:
    """Find the header above ``block``; True when found. The lines set tight above the
    first row are its centred cells' tops when a header stands above them; otherwise the
    lines between the header and the body go to whichever they stand closer to."""
    at = lines.index(block.lines[0])
    k = at
    while k > 0 and _wrap_above(lines[k - 1], lines[k], block.gutters):
        lines[k - 1] = _split_at(lines[k - 1], block.gutters)
        k -= 1
    if k < at and _header_from(block, lines, k):
        block.lines[:0] = lines[k:at]
        return True
    return _header_from(block, lines, at)


def _wrap_above(line: _Line, below: _Line, gutters: list[Interval]) -> bool:
    return (
        below.top - line.bottom <= TIGHT * line.size
        and len(line.segs) < len(gutters) + 1
        and not any(is_figure(seg.text) for seg in line.segs)
        and not _crosses(_split_at(line, gutters), gutters)
    )


def _header_from(block: _Block, lines: list[_Line], at: int) -> bool:
    """The header line(s) right above ``lines[at]``: a line of three or more column names
    with the lines of its wrapped (or centred) cells close above and below."""
    gutters = block.gutters
    n_cols = len(gutters) + 1
    found: list[_Line] = []
    main: _Line | None = None
    below = lines[at].top
    for k in range(at - 1, max(at - 8, -1), -1):
        line = lines[k] = _split_at(lines[k], gutters)
        gap = below - line.bottom
        wider = _header_gutters([line], block) if main is None else gutters
        if not _no_figures(line, wider) or gap > MAX_ROW_GAP * line.size:
            break
        if _UNIT_NOTE.match(line.segs[0].text):
            break  # '单位:万元' over the table is no column name
        if main is None and len(line.segs) >= min(3, n_cols):
            main = line
            gutters[:] = wider
        elif _crosses(line, gutters) or (main is not None and gap > TIGHT * line.size):
            break
        elif main is not None and len(line.segs) == 1 and _above_filled(line, main, block):
            break  # above the header only the tops of cells it leaves empty ('单位:万元' is not)
        found.insert(0, line)
        below = line.top
    if main is None:
        return False
    after = found[found.index(main) + 1 :]
    edges = [main, *after, lines[at]]
    gaps = [b.top - a.bottom for a, b in zip(edges, edges[1:], strict=False)]
    cut = max(range(len(gaps)), key=lambda g: (gaps[g], g))
    block.header = found[: found.index(main) + 1 + cut]
    gutters[:] = _header_gutters(block.header, block)
    block.lines[:0] = after[cut:]
    return True


def _above_filled(line: _Line, main: _Line, block: _Block) -> bool:
    """Whether ``line`` stands over a cell of the header line ``main``."""
    gutters = _header_gutters([main, line], block)
    return bool(_cells_of(line, gutters).keys() & _cells_of(main, gutters).keys())


def _header_gutters(header: list[_Line], block: _Block) -> list[Interval]:
    """The block's gutters and those only the header shows: a column whose cells are all
    empty (a 偏差原因 column nobody filled) has no gutter in the body."""
    body = [seg for ln in block.lines for seg in ln.segs]
    spans: list[list[float]] = []
    for x0, x1 in sorted((seg.box[0], seg.box[2]) for ln in header for seg in ln.segs):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    out = list(block.gutters)
    for (a0, a1), (b0, _) in zip(spans, spans[1:], strict=False):
        same = _column((a0 + a1) / 2, block.gutters) == _column(b0, block.gutters)
        if (
            same
            and not any(s.box[0] < b0 and s.box[2] > a1 for s in body)
            and not any(lo < b0 and a1 < hi for lo, hi in out)
        ):
            out.append((a1, b0))
    return sorted(out)


def _at_foot(block: _Block, lines: list[_Line], height: float) -> bool:
    """Nothing but the running footer below ``block``."""
    below = lines[lines.index(block.lines[-1]) + 1 :]
    return all(line.top >= (1 - TOP_MARGIN) * height for line in below)


def _continues(block: _Block, lines: list[_Line], previous: PdfTable | None, height: float) -> bool:
    """A block first on its page (below the running header), with the gutters of the table
    before it."""
    if previous is None or previous.gutters is None:
        return False
    first = (block.header or block.lines)[0]
    above = lines[: lines.index(first)]
    if any(line.bottom > TOP_MARGIN * height for line in above):
        return False
    return gutters_match(previous.gutters, block.gutters)


# --- the grid ----------------------------------------------------------------------------------


def _cells_of(line: _Line, gutters: list[Interval]) -> dict[int, list[_Seg]]:
    out: dict[int, list[_Seg]] = {}
    for seg in line.segs:
        out.setdefault(_column(seg.centre, gutters), []).append(seg)
    return out


def _figure_columns(rows: list[dict[int, list[_Seg]]], n_cols: int, least: int) -> set[int]:
    """Columns (after the first) whose filled cells are mostly figures, ``least`` of them."""
    out = set()
    for col in range(1, n_cols):
        texts = [" ".join(s.text for s in r[col]) for r in rows if col in r]
        texts = [t for t in texts if not _PLACEHOLDER.match(t)]
        figures = sum(1 for t in texts if is_figure(t))
        if figures >= least and figures >= FIGURE_SHARE * len(texts):
            out.add(col)
    return out


def _is_full(cells: dict[int, list[_Seg]], figures: set[int]) -> bool:
    """A row's own line: it fills a figure column. Lines of wrapped or centred cells,
    however many columns they touch, do not."""
    return bool(figures & cells.keys())


def _bands(lines: list[_Line]) -> list[list[int]] | None:
    """Lines grouped into table rows where rows stand further apart than the lines of one
    cell; None when every line is as far from the next (no telling rows from wraps)."""
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False)]
    if not gaps:
        return [[0]]
    size = statistics.median(ln.size for ln in lines)
    small = min(gaps)
    if max(gaps) - small <= 0.25 * size:
        return None
    # Centred cells set their lines half a line apart, so gaps inside a row can be
    # negative; a row break is a real gap.
    apart = max(small + 0.25 * size, TIGHT * size)
    bands = [[0]]
    for k, gap in enumerate(gaps, start=1):
        if gap > apart:
            bands.append([k])
        else:
            bands[-1].append(k)
    return bands


Cells = dict[int, list[_Seg]]


def _merge(into: Cells, extra: Cells, before: bool = False) -> None:
    for c, segs in extra.items():
        if before:
            into.setdefault(c, [])[:0] = segs
        else:
            into.setdefault(c, []).extend(segs)


def _group_rows(body: list[Cells], full: list[bool], lines: list[_Line]) -> tuple[list[Cells], int]:
    """Full rows with the wrapped lines that belong to them, and how many lines were used
    (wrapped-looking lines after the last row are not the table's). Rows apart: each row's
    lines together. Otherwise a partial line joins the full row below when that row leaves
    its columns empty (a cell centred over two lines), else the row above."""
    bands = _bands(lines)
    if bands is None:
        return _group_lines(body, full, range(len(body)), lines)
    rows: list[Cells] = []
    pending: list[Cells] = []
    used = 0
    for band in bands:
        fulls = [k for k in band if full[k]]
        if not fulls:
            pending += [body[k] for k in band]
            continue
        if len(fulls) == 1:
            row: Cells = {}
            for k in band:
                _merge(row, body[k])
            rows.append(row)
        else:
            rows += _group_lines(body, full, band, lines)[0]
        for extra in reversed(pending):
            _merge(rows[-len(fulls) if len(fulls) > 1 else -1], extra, before=True)
        pending = []
        used = band[-1] + 1
    return rows, used


def _group_lines(
    body: list[Cells], full: list[bool], at: range | list[int], lines: list[_Line]
) -> tuple[list[Cells], int]:
    rows: list[Cells] = []
    pending: list[Cells] = []
    used = 0
    for k in at:
        cells = body[k]
        if full[k]:
            merged = {c: list(s) for c, s in cells.items()}
            for extra in reversed(pending):
                _merge(merged, extra, before=True)
            pending = []
            rows.append(merged)
            used = k + 1
            continue
        below = next((body[m] for m in at if m > k and full[m]), None)
        if below is None:
            # After the last row only the rest of its cells, set tight under it; a note or
            # heading under the table stands further off.
            if rows and used == k and lines[k].top - lines[k - 1].bottom <= TIGHT * lines[k].size:
                _merge(rows[-1], cells)
                used = k + 1
                continue
            break
        if not rows or not cells.keys() & below.keys():
            pending.append(cells)
        else:
            _merge(rows[-1], cells)
            used = k + 1
    return rows, used


def _looks_like_table(
    rows: list[dict[int, list[_Seg]]], n_cols: int, figures: set[int], min_rows: int
) -> bool:
    if n_cols < 3 or len(rows) < min_rows or not figures:
        return False
    texts = [_text(segs) for r in rows for segs in r.values()]
    if statistics.median(len(t) for t in texts) > MAX_MEDIAN_CELL_CHARS:
        return False
    for col in range(n_cols):  # a form: a column of '名称：' labels
        labels = [_text(r[col]) for r in rows if col in r]
        if len(labels) >= 2 and sum(1 for t in labels if _LABEL.search(t)) * 2 >= len(labels):
            return False
    return True


def _text(segs: list[_Seg]) -> str:
    """A cell's segments as text: one line's pieces joined by a space, lines by
    ``join_wrapped`` (no space inside Chinese or a wrapped number)."""
    by_line: list[list[_Seg]] = []
    for seg in sorted(segs, key=lambda s: (s.box[1], s.box[0])):
        if by_line and abs(seg.box[1] - by_line[-1][0].box[1]) < 0.5 * (seg.box[3] - seg.box[1]):
            by_line[-1].append(seg)
        else:
            by_line.append([seg])
    return join_wrapped(
        [" ".join(s.text for s in sorted(ln, key=lambda s: s.box[0])) for ln in by_line]
    )


def _table(block: _Block, page_number: int, min_rows: int) -> PdfTable | None:
    gutters = block.gutters
    n_cols = len(gutters) + 1
    body = [_cells_of(ln, gutters) for ln in block.lines]
    figures = _figure_columns(body, n_cols, min(min_rows, 3))
    rows, used = _group_rows(body, [_is_full(c, figures) for c in body], block.lines)
    if not _looks_like_table(rows, n_cols, figures, min_rows):
        return None
    del block.lines[used:]
    if block.header:
        header: dict[int, list[_Seg]] = {}
        for line in block.header:
            for c, segs in _cells_of(line, gutters).items():
                header.setdefault(c, []).extend(segs)
        rows.insert(0, header)
    return _grid(rows, gutters, page_number)


def _grid(rows: list[dict[int, list[_Seg]]], gutters: list[Interval], page: int) -> PdfTable:
    segs = [s for r in rows for ss in r.values() for s in ss]
    box = (
        min(s.box[0] for s in segs),
        min(s.box[1] for s in segs),
        max(s.box[2] for s in segs),
        max(s.box[3] for s in segs),
    )
    cols = [box[0], *((lo + hi) / 2 for lo, hi in gutters), box[2]]
    tops = [min(s.box[1] for ss in r.values() for s in ss) for r in rows]
    bottoms = [max(s.box[3] for ss in r.values() for s in ss) for r in rows]
    cells = []
    for r, row in enumerate(rows):
        for c in range(len(cols) - 1):
            found = row.get(c, [])
            cell_box = (
                _union([s.box for s in found])
                if found
                else (cols[c], tops[r], cols[c + 1], bottoms[r])
            )
            cells.append(GridCell(r, c, 1, 1, cell_box, page, text=_text(found) if found else ""))
    return PdfTable(
        page=page,
        box=box,
        cols=cols,
        rows=[*tops, bottoms[-1]],
        cells=cells,
        n_rows=len(rows),
        pages=[page],
        last_box=box,
        gutters=list(gutters),
    )


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
