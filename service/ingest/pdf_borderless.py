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
reading and writes nothing: ``pdf.py`` calls ``find_borderless`` with the page's chars;
``pdf_borderless_rows`` turns a found block into rows and the grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.ingest.flat_tables import is_figure
from service.ingest.pdf_borderless_rows import (
    TIGHT,
    Interval,
    Line,
    Seg,
    cells_of,
    column,
    figure_columns,
    grid,
    group_rows,
    is_full,
    looks_like_table,
)
from service.ingest.pdf_tables import Char, PdfTable, gutters_match

# Two characters further apart than this (in em) stand in different cells: Word's default
# cell margins leave about one em between a right-aligned figure and the next cell.
CELL_GAP = 0.9
# ...unless one space character fills the gap: a word space, which a CJK font that sets
# Latin on a full em makes as wide as a column gap (justified lines stretch it further).
WORD_SPACE = 2.5
# The least gap (em) at which a block's gutter may cut a segment in two.
NARROW_GAP = 0.25
# A gutter must stay at least this wide (em) through every line of the block.
MIN_GUTTER = 0.3
# Lines further apart than this (in line heights) do not belong to one table.
MAX_ROW_GAP = 2.5
# Share of the page height where running headers stand above a continued table.
TOP_MARGIN = 0.1
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"\s")  # what str.isspace calls a space
_UNIT_NOTE = re.compile(r"^(?:金额|计量|货币)?单位\s*[:：]")
_LABEL_COLON = re.compile(r"[:：]")
# A column name in a header row is short: longer text over a table is a caption.
_HEADER_WORD = 10


@dataclass
class _Block:
    lines: list[Line]
    gutters: list[Interval]
    header: list[Line] = field(default_factory=list)


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


def could_hold_table(lines: list[tuple[list[Char], float]]) -> bool:
    """The cheap gate, on the text layer's own lines (characters and font size): are
    there two visual lines of three or more pieces set apart (a header and a row at
    least), one with a digit? A page of prose has none and costs little more than this."""
    pieces: list[tuple[float, float, int, bool]] = []
    for chars, size in lines:
        text = "".join([c[0] for c in chars])
        # (A space is never a digit: the line's text answers for its ink.)
        ink = chars if _SPACE.search(text) is None else [c for c in chars if not c[0].isspace()]
        if not ink:
            continue
        gap = CELL_GAP * size
        n = 1 + sum(1 for a, b in zip(ink, ink[1:], strict=False) if b[1] - a[3] > gap)
        first = ink[0]
        digit = _DIGIT.search(text) is not None
        pieces.append(((first[2] + first[4]) / 2, first[4] - first[2], n, digit))
    pieces.sort()
    rows: list[list] = []
    for y, h, n, digit in pieces:
        if rows and abs(y - rows[-1][0]) <= 0.5 * min(h, rows[-1][1]):
            rows[-1][2] += n
            rows[-1][3] = rows[-1][3] or digit
        else:
            rows.append([y, h, n, digit])
    aligned = [r for r in rows if r[2] >= 3]
    return len(aligned) >= 2 and any(r[3] for r in aligned)


def _lines(chars: list[Char], sizes: list[float], taken: list[bool]) -> list[Line]:
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


def _segment(row: list[int], chars: list[Char], sizes: list[float]) -> Line | None:
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
    parts = [Seg(s) for s in segs if any(not c[0].isspace() for _, c in s)]
    return Line(parts, size) if parts else None


def _apart(gap: float, spaces: int, size: float) -> bool:
    """Whether a gap of ``gap`` points holding ``spaces`` space characters parts two cells."""
    if spaces == 1:
        return gap > WORD_SPACE * size
    return gap > CELL_GAP * size


# --- blocks of aligned lines ------------------------------------------------------------------


def _free(segs: list[Seg], left: float, right: float) -> list[Interval]:
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


def _gutters(free: list[Interval], segs: list[Seg], size: float) -> list[Interval]:
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


def _starts_block(line: Line) -> bool:
    return len(line.segs) >= 3 and line.has_figure


def _blocks(lines: list[Line]) -> list[_Block]:
    left = min(s.box[0] for ln in lines for s in ln.segs) - 1
    right = max(s.box[2] for ln in lines for s in ln.segs) + 1
    blocks: list[_Block] = []
    i = 0
    while i < len(lines):
        if not _starts_block(lines[i]):
            i += 1
            continue
        saved = list(lines)
        block, gutters, j = _grow(lines, i, (left, right))
        later = next((k for k in range(i + 1, min(i + 3, j)) if _starts_block(lines[k])), None)
        if later is not None:
            # A line of a form over the table (单位名称 … 自评得分 92) has fewer columns
            # than the rows below it and would hide their gutters: start below it.
            trial = list(saved)
            _, more, _ = _grow(trial, later, (left, right))
            if len(more) > len(gutters):
                lines[:] = saved
                i = later
                continue
        if len(gutters) >= 2:
            blocks.append(_Block(block, gutters))
        i = j
    return blocks


def _grow(
    lines: list[Line], i: int, bounds: tuple[float, float]
) -> tuple[list[Line], list[Interval], int]:
    """The block starting at ``lines[i]``, grown downwards while its gutters survive:
    its lines, its gutters and the index after it (``lines`` are cut at the gutters)."""
    left, right = bounds
    start = lines[i]
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
    return block, gutters, j


def _split_at(line: Line, gutters: list[Interval]) -> Line:
    """Cut segments where a gutter of the block runs between two of their characters: two
    cells of narrow columns can stand closer than ``CELL_GAP`` ('成本指标经济成本')."""
    segs: list[Seg] = []
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
                segs.append(Seg(part))
                part = []
            part.append((i, c))
            last = c
        segs.append(Seg(part))
    if len(segs) == len(line.segs) or any(
        s.box[0] < lo and s.box[2] > hi for s in segs for lo, hi in gutters
    ):
        return line  # a line that crosses a gutter anyway is no row of the table
    return Line(segs, line.size)


# --- header and continuation ------------------------------------------------------------------


def _no_figures(line: Line, gutters: list[Interval]) -> bool:
    """Header words: no figure, one segment to a column."""
    cols = [column(seg.centre, gutters) for seg in line.segs]
    return len(set(cols)) == len(cols) and not any(is_figure(seg.text) for seg in line.segs)


def _crosses(line: Line, gutters: list[Interval]) -> bool:
    return any(seg.box[0] < lo and seg.box[2] > hi for seg in line.segs for lo, hi in gutters)


def _header(block: _Block, lines: list[Line]) -> bool:
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


def _wrap_above(line: Line, below: Line, gutters: list[Interval]) -> bool:
    return (
        below.top - line.bottom <= TIGHT * line.size
        and len(line.segs) < len(gutters) + 1
        and not any(is_figure(seg.text) for seg in line.segs)
        and not _crosses(_split_at(line, gutters), gutters)
    )


def _header_from(block: _Block, lines: list[Line], at: int) -> bool:
    """The header line(s) right above ``lines[at]``: a line of three or more column names
    with the lines of its wrapped (or centred) cells close above and below."""
    gutters = block.gutters
    n_cols = len(gutters) + 1
    found: list[Line] = []
    main: Line | None = None
    below = lines[at].top
    # Lines set tight together a row's gap above the body: one header row whose cells
    # were wrapped and centred over two or three lines (None while tight to the body).
    run: list[Line] | None = None
    for k in range(at - 1, max(at - 8, -1), -1):
        line = lines[k] = _split_at(lines[k], gutters)
        gap = below - line.bottom
        if gap > TIGHT * line.size:
            run = []
        wider = _header_gutters([line, *(run or [])], block) if main is None else gutters
        if not _no_figures(line, wider) or gap > MAX_ROW_GAP * line.size:
            break
        if _UNIT_NOTE.match(line.segs[0].text):
            break  # '单位:万元' over the table is no column name
        if main is None and _names(line, run, wider) >= min(3, n_cols):
            main = line
            gutters[:] = wider
        elif main is not None and gap > TIGHT * line.size:
            if _upper_row(line, main, gutters):
                found.insert(0, line)  # 绩效指标 over 一级|二级|三级: a header of two rows
            break
        elif _crosses(line, gutters):
            break
        elif main is not None and len(line.segs) == 1 and _above_filled(line, main, block):
            break  # above the header only the tops of cells it leaves empty ('单位:万元' is not)
        found.insert(0, line)
        below = line.top
        if run is not None:
            run.append(line)
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


def _names(line: Line, run: list[Line] | None, gutters: list[Interval]) -> int:
    """How many columns ``line`` names, with the lines set tight under it (``run``)."""
    if not run:
        return len(line.segs)
    return len({c for ln in (line, *run) for c in cells_of(ln, gutters)})


def _upper_row(line: Line, main: Line, gutters: list[Interval]) -> bool:
    """Whether ``line``, a row's gap above the header line ``main``, is the upper row of a
    two-row header: short column names only (no figure, no '名称:'), one of them over
    columns ``main`` leaves empty or centred across several of its columns (a merged
    “绩效指标” over 一级|二级|三级, “指标值” over 年度目标|实际完成)."""
    if len(line.segs) < 2 or any(
        is_figure(seg.text) or len(seg.text) > _HEADER_WORD or _LABEL_COLON.search(seg.text)
        for seg in line.segs
    ):
        return False
    below = cells_of(main, gutters).keys()
    return bool(cells_of(line, gutters).keys() - below) or _crosses(line, gutters)


def _header_rows(header: list[Line], gutters: list[Interval]) -> list[dict[int, list[Seg]]]:
    """The header lines as rows: lines set tight together are one row (a wrapped or
    centred cell), lines a row's gap apart are two (the rows of a two-row header)."""
    rows: list[dict[int, list[Seg]]] = []
    last: Line | None = None
    for line in header:
        if last is None or line.top - last.bottom > TIGHT * line.size:
            rows.append({})
        for c, segs in cells_of(line, gutters).items():
            rows[-1].setdefault(c, []).extend(segs)
        last = line
    return rows


def _above_filled(line: Line, main: Line, block: _Block) -> bool:
    """Whether ``line`` stands over a cell of the header line ``main``."""
    gutters = _header_gutters([main, line], block)
    return bool(cells_of(line, gutters).keys() & cells_of(main, gutters).keys())


def _header_gutters(header: list[Line], block: _Block) -> list[Interval]:
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
        same = column((a0 + a1) / 2, block.gutters) == column(b0, block.gutters)
        if (
            same
            and not any(s.box[0] < b0 and s.box[2] > a1 for s in body)
            and not any(lo < b0 and a1 < hi for lo, hi in out)
        ):
            out.append((a1, b0))
    return sorted(out)


def _at_foot(block: _Block, lines: list[Line], height: float) -> bool:
    """Nothing but the running footer below ``block``."""
    below = lines[lines.index(block.lines[-1]) + 1 :]
    return all(line.top >= (1 - TOP_MARGIN) * height for line in below)


def _continues(block: _Block, lines: list[Line], previous: PdfTable | None, height: float) -> bool:
    """A block first on its page (below the running header), with the gutters of the table
    before it."""
    if previous is None or previous.gutters is None:
        return False
    first = (block.header or block.lines)[0]
    above = lines[: lines.index(first)]
    if any(line.bottom > TOP_MARGIN * height for line in above):
        return False
    return gutters_match(previous.gutters, block.gutters)


def _table(block: _Block, page_number: int, min_rows: int) -> PdfTable | None:
    gutters = block.gutters
    n_cols = len(gutters) + 1
    body = [cells_of(ln, gutters) for ln in block.lines]
    figures = figure_columns(body, n_cols, min(min_rows, 3))
    rows, used = group_rows(body, [is_full(c, figures) for c in body], block.lines)
    if not looks_like_table(rows, n_cols, figures, min_rows):
        return None
    del block.lines[used:]
    if block.header:
        rows[:0] = _header_rows(block.header, gutters)
    return grid(rows, gutters, page_number)
