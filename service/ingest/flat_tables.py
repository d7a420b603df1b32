"""Recognise tables that a plain-text export has flattened, and give them back as grids.

Owns the flattened forms text copies arrive in:

* **one cell per line** (seed 000): every cell is a line that starts with a tab; a line
  holding only a tab (perhaps with a full-width space) is an empty cell; a cell may carry
  on over following lines that do not start with a tab (narrow header cells such as
  ``年度预`` / ``算申请`` / ``（万元）``); a blank line ends a row.
* **tab-separated rows** (seed 002): one row per line, cells split on tabs.
* **cells apart by runs of spaces** (text and Word copies of a borderless table);
* and, read by ``flat_forms``: ruled grids (pipes, box-drawing bars, ``+----+`` rules),
  CSV and semicolon rows, stacked cells without tabs, label lines over figure lines;
  by ``flat_stacked``: stacked cells whose rows hold text before their figures and blank
  lines (or nothing) for empty cells (an indicator table flattened one cell per line).

Works on a page's source lines (before NFKC) and returns blocks in order: prose lines,
blank lines and ``FlatTable`` grids. Must not touch the document builder's spans or any
format's bytes: readers (plain text, and any reader that meets text shaped like this) feed
the blocks to ``DocumentBuilder`` themselves.

What flattened text cannot tell us: which cells were merged. A row with fewer cells than
the widest row had merged cells in the original; its cells are placed from column 0 and
the rest of the row is left empty.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from service.document import CellDraft
from service.ingest.flat_forms import (
    is_figure,
    join_wrapped,
    read_delimited,
    read_label_then_figures,
    read_ruled,
    read_stacked,
    starts_ruled,
)
from service.ingest.flat_stacked import read_stacked_blanks

__all__ = ["FlatTable", "is_figure", "join_wrapped", "spaced_cells", "split_flat_tables"]

# A cell's text may continue on lines without a leading tab, but only short ones: header
# cells in the seeds wrap after 2-12 characters, while a prose paragraph that follows a
# table directly is longer. A longer non-tab line ends the table.
MAX_CONTINUATION_CHARS = 20
# Blank lines that may separate parts of one table (a page-break gap in the export).
MAX_GAP_LINES = 2
# Tab-separated blocks across such a gap are one table when their widths differ by at most
# this many columns (an export often drops or adds one trailing empty field per page).
MAX_WIDTH_DRIFT = 1
_OPENING_BRACKETS = ("(", "（", "[", "【")


@dataclass
class FlatTable:
    """A recognised table: rows of raw cell texts, and the source lines it covered."""

    rows: list[list[str]]
    first_line: int
    last_line: int  # inclusive
    form: str  # "cell_per_line" or "tsv"

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cells(self) -> list[CellDraft]:
        """Every cell of every row, short rows placed from column 0 (merges are unknown)."""
        return [
            CellDraft(row=r, col=c, text=text)
            for r, row in enumerate(self.rows)
            for c, text in enumerate(row)
        ]


@dataclass
class _Region:
    rows: list[list[str]] = field(default_factory=list)
    end: int = 0  # index after the last line that belongs to the table


Block = str | FlatTable


def split_flat_tables(lines: list[str]) -> list[Block]:
    """``lines`` (one page, no newlines) as prose lines, blank lines and tables, in order.

    A prose line keeps its text but loses tabs (they become spaces), so a line that held a
    stray tab never smuggles a column separator into the document text.
    """
    blocks: list[Block] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        region: _Region | None = None
        form = ""
        if _is_cell_line(line):
            region, form = _read_cell_per_line(lines, i), "cell_per_line"
        elif starts_ruled(lines, i):
            region, form = _Region(*read_ruled(lines, i)), "pipe"
        elif "\t" in line:
            region, form = _read_tsv(lines, i), "tsv"
        elif (found := read_delimited(lines, i)) is not None:
            region, form = _Region(*found), "delimited"
        elif len(spaced_cells(line)) >= 3:
            region, form = _read_spaced(lines, i), "spaced"
        elif (
            found := read_stacked(lines, i)
            or read_stacked_blanks(lines, i)
            or read_label_then_figures(lines, i)
        ) is not None:
            region, form = _Region(*found), "stacked"
        if region is None:
            blocks.append(_prose(line))
            i += 1
            continue
        if _looks_like_table(region, form):
            blocks.append(FlatTable(region.rows, i, region.end - 1, form))
        else:
            blocks.extend(_prose(ln) for ln in lines[i : region.end])
        i = region.end
    return blocks


# --- line kinds ----------------------------------------------------------------------------


def _is_cell_line(line: str) -> bool:
    """One cell of the one-cell-per-line form: a leading tab and no other tab."""
    return line.startswith("\t") and line.count("\t") == 1


def _is_blank(line: str) -> bool:
    return "\t" not in line and not line.strip()


def _prose(line: str) -> str:
    return line.replace("\t", " ").strip()


def _skip_blanks(lines: list[str], i: int) -> int:
    while i < len(lines) and _is_blank(lines[i]):
        i += 1
    return i


# --- one cell per line (seed 000) ----------------------------------------------------------


def _read_cell_per_line(lines: list[str], start: int) -> _Region:
    region = _Region()
    row: list[str] = []
    i, n = start, len(lines)
    while i < n:
        line = lines[i]
        if _is_cell_line(line):
            row.append(line[1:])
            region.end = i = i + 1
        elif _is_blank(line):
            i = _continue_after_blank(lines, i, row, region)
            if i < 0:
                break
        elif (
            row
            and len(line.strip()) <= MAX_CONTINUATION_CHARS
            and "\t" not in line
            and not is_figure(row[-1])  # a figure does not wrap: the line after is no cell
        ):
            row[-1] = join_wrapped(row[-1], line)
            region.end = i = i + 1
        else:
            break
    if row:
        region.rows.append(row)
    return region


def _continue_after_blank(lines: list[str], i: int, row: list[str], region: _Region) -> int:
    """Where to go on after the blank run at ``i``, or -1 when the table ends there.

    Closes ``row`` unless the blank run is one line inside a cell: the seeds' indicator
    cells read ``产出指标`` / (blank) / ``(50分)`` with the next cell straight after.
    """
    j = _skip_blanks(lines, i)
    if (
        row
        and j == i + 1
        and j + 1 < len(lines)
        and _is_cell_line(lines[j + 1])
        and lines[j].strip().startswith(_OPENING_BRACKETS)
        and len(lines[j].strip()) <= MAX_CONTINUATION_CHARS
    ):
        row[-1] = join_wrapped(row[-1], lines[j])
        region.end = j + 1
        return j + 1
    if row:
        region.rows.append(list(row))
        row.clear()
    if j - i <= MAX_GAP_LINES and j < len(lines) and _is_cell_line(lines[j]):
        return j
    return -1


# --- tab-separated rows (seed 002) ---------------------------------------------------------


def _tsv_block(lines: list[str], start: int) -> list[list[str]]:
    rows: list[list[str]] = []
    i = start
    while i < len(lines) and "\t" in lines[i]:
        rows.append(lines[i].split("\t"))
        i += 1
    return rows


def _read_tsv(lines: list[str], start: int) -> _Region:
    """Consecutive tab-holding lines, joined across short blank gaps when the next block
    has the same shape (the 绩效自评表 of seed 002 continues after a page-break gap)."""
    rows = _tsv_block(lines, start)
    region = _Region(rows=rows, end=start + len(rows))
    while True:
        j = _skip_blanks(lines, region.end)
        if not (0 < j - region.end <= MAX_GAP_LINES and j < len(lines)):
            break
        if _is_cell_line(lines[j]) or "\t" not in lines[j]:
            break
        more = _tsv_block(lines, j)
        width = max(len(r) for r in region.rows)
        if len(more) < 2 or abs(max(len(r) for r in more) - width) > MAX_WIDTH_DRIFT:
            break
        region.rows.extend(more)
        region.end = j + len(more)
    return region


# --- is it a table at all? -----------------------------------------------------------------


def _looks_like_table(region: _Region, form: str) -> bool:
    """Two or more rows with real structure. Guards against prose that happens to hold a tab,
    and against paragraphs indented with a tab (each would read as a one-cell row)."""
    rows = region.rows
    if len(rows) < 2:
        return False
    if form in ("spaced", "delimited"):
        return _looks_like_spaced_table(rows)
    if form in ("tsv", "pipe"):
        return max(len(r) for r in rows) >= 2
    multi = sum(1 for r in rows if len(r) >= 2)
    return multi >= 2 and 2 * multi >= len(rows)


# --- cells apart by runs of spaces (text and Word copies of a borderless table) -------------

# Two or more spaces, or an ideographic space, part two cells; one space is a word space.
_SPACES = re.compile(r"[ \u3000]{2,}|\u3000")
_LABEL = re.compile(r"[:：]$")
# A table's cells are short; a paragraph cut at double spaces is not.
MAX_MEDIAN_CELL_CHARS = 16


def spaced_cells(line: str) -> list[str]:
    """A line's cells where runs of spaces part them ('' for none)."""
    text = line.strip(" \u3000")
    return [c for c in _SPACES.split(text) if c] if text else []


def _read_spaced(lines: list[str], start: int) -> _Region:
    """Consecutive lines of two or more space-parted cells under the header line. A row
    with fewer cells than the header is placed under the header by where its cells start
    (一级/二级 written once above leave blanks); an indented line of one cell and no
    figure carries on a cell of the row above (a long name wrapped)."""
    two = _two_line_header(lines, start)
    if two is not None:
        header_line, header, rows = two
    else:
        header_line, header = lines[start], _cell_starts(lines[start])
        rows = [[text for _, text in header]]
    width = len(header)
    region = _Region(rows=rows)
    i = start + len(rows)
    while i < len(lines) and "\t" not in lines[i]:
        cells = _cell_starts(lines[i])
        wraps = len(cells) == 1 and len(region.rows) > 1
        if wraps and (
            _is_wrap(lines[i], cells[0][1])
            or _wraps_first_cell(cells[0][1], lines[i - 1], header_line, header)
        ):
            placed = _place(lines[i], cells, header_line, header)
            if placed is None:
                break
            col = next(c for c, text in enumerate(placed) if text)
            region.rows[-1][col] = join_wrapped(region.rows[-1][col], placed[col])
        elif 2 <= len(cells) <= width:
            placed = _place(lines[i], cells, header_line, header) if len(cells) < width else None
            texts = [text for _, text in cells]
            if placed is None and len(cells) < width and lines[i][:2].strip(" \u3000") == "":
                placed = [""] * (width - len(cells)) + texts
            region.rows.append(placed or texts)
        else:
            break
        i += 1
    region.end = i
    return region


def _two_line_header(
    lines: list[str], start: int
) -> tuple[str, list[tuple[int, str]], list[list[str]]] | None:
    """A money header of two lines (本年度 over 预算数 | 决算数) with more columns than its
    upper line: the columns are the lower line's cells, the upper cells over none of them
    (项目, 备注), and body cells under no header cell (a group's sub-names beside its name),
    each as wide as its widest cell; each upper cell stands over the first column it
    covers. Returns a header line of those columns (ASCII, so both width readings agree),
    its cells and the two header rows; None for any other table."""
    if start + 2 >= len(lines):
        return None
    upper, lower = _cell_starts(lines[start]), _cell_starts(lines[start + 1])
    if not _is_money_header([t for _, t in upper], [t for _, t in lower]):
        return None
    up = [(*_extent(lines[start], p, t, True), t) for p, t in upper]
    low = [(*_extent(lines[start + 1], p, t, True), t) for p, t in lower]
    columns = low + [u for u in up if not any(_overlaps(u, c) for c in low)]
    _widen_by_body(columns, lines[start + 2 : start + 2 + _TWO_LINE_SCAN])
    columns.sort()
    if len(columns) <= len(upper):
        return None  # one lower word per upper cell: no column more than the upper line's
    if any(a[1] + 2 > b[0] for a, b in zip(columns, columns[1:], strict=False)):
        return None  # cells that run into each other: not columns
    rows = [_under(columns, up), _under(columns, low)]
    if None in rows:
        return None
    line, header = "", []
    for s, e, _ in columns:
        line += " " * (s - len(line))
        header.append((len(line), "x" * max(1, e - s)))
        line += header[-1][1]
    return line, header, [r for r in rows if r is not None]


def _is_money_header(upper: list[str], lower: list[str]) -> bool:
    """Words only, the lower line naming money roles or 三公 items; an indicator header (指标值 over
    目标值 | 实际值) is left to the indicator readers."""
    if not lower or any(is_figure(t) for t in (*upper, *lower)):
        return False
    return any(_MONEY_ROLE.search(t) for t in lower) and not any(
        _POINT_ROLE.search(t) for t in lower
    )


def _widen_by_body(columns: list[tuple[int, int, str]], body: list[str]) -> None:
    """Each body row with figures widens the column each cell overlaps (figures reach left
    of their header) or adds a column where a cell overlaps none."""
    for line in body:
        cells = _cell_starts(line)
        if len(cells) < 2 or not any(is_figure(t) for _, t in cells):
            continue
        for p, t in cells:
            x = (*_extent(line, p, t, True), "")
            at = next((c for c, col in enumerate(columns) if _overlaps(x, col)), None)
            if at is None:
                columns.append(x)
            else:
                s, e, text = columns[at]
                columns[at] = (min(s, x[0]), max(e, x[1]), text)


def _under(
    columns: list[tuple[int, int, str]], cells: list[tuple[int, int, str]]
) -> list[str] | None:
    """A header line's cells each in the first column it covers; None when one covers none
    or two share a column."""
    row = [""] * len(columns)
    for cell in cells:
        col = next((c for c, x in enumerate(columns) if _overlaps(cell, x)), None)
        if col is None or row[col]:
            return None
        row[col] = cell[2]
    return row


# money roles (预算数, 决算数) or 三公 items (公务用车 over 购置费 | 运行维护费)
_MONEY_ROLE = re.compile(
    r"预算|决算|支出|执行|金额|拨款|增减|增长|实际|上年|购置|运行|维护|接待|出国|小计"
)
_POINT_ROLE = re.compile(r"值|分|权重|指标")
# Body lines looked at for columns the header has no cell for (a 公务用车 group's sub-names).
_TWO_LINE_SCAN = 12


def _overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def _is_wrap(line: str, text: str) -> bool:
    return line[:2].strip(" \u3000") == "" and not is_figure(text)


_HEADING = re.compile(
    r"[一二三四五六七八九十]{1,3}\s*[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|第.{1,3}[章节部分]"
)


def _wraps_first_cell(
    text: str, above: str, header_line: str, header: list[tuple[int, str]]
) -> bool:
    """A short line at the left margin under a row whose first cell runs up to the next
    column (less the two spaces that part cells): the first cell wrapped (a long 指标名称)."""
    first = _cell_starts(above)[:1]
    if len(header) < 2 or not first or is_figure(text) or re.search(r"[:：，,。；;]", text):
        return False
    if _HEADING.match(text):  # the report's next heading under the table (二、…)
        return False
    (p, cell), nxt = first[0], header[1][0]
    column = _display(header_line, nxt, True)
    fits = _display(text, len(text), True) <= column  # no wider than the column
    return fits and column - _display(above, p + len(cell), True) <= _header_gap(
        header_line, header
    )


def _header_gap(header_line: str, header: list[tuple[int, str]]) -> int:
    """The narrowest run of spaces parting the header's cells (2 at least): a first cell
    that ends no further from the next column has filled its own."""
    gaps = [
        _display(header_line, b[0], True) - _display(header_line, a[0] + len(a[1]), True)
        for a, b in zip(header, header[1:], strict=False)
    ]
    return max(2, min(gaps, default=2))


def _cell_starts(line: str) -> list[tuple[int, str]]:
    """Each cell's text and the index in ``line`` where it starts."""
    out = []
    pos = 0
    for m in (*_SPACES.finditer(line), None):
        end = m.start() if m else len(line)
        text = line[pos:end]
        if text.strip():
            out.append((pos + len(text) - len(text.lstrip()), text.strip()))
        if m:
            pos = m.end()
    return out


def _display(line: str, upto: int, wide: bool) -> int:
    """The column ``line[upto]`` stands at: a wide character takes two when ``wide``."""
    if not wide:
        return upto
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:upto])


def _place(
    line: str, cells: list[tuple[int, str]], header_line: str, header: list[tuple[int, str]]
) -> list[str] | None:
    """``cells`` put under the header cell each overlaps most (else stands nearest to), so
    that left-aligned words and right-aligned figures both find their column, counting a
    CJK character as one column or two (monospace text pads either way), whichever fits
    better; None when neither keeps the cells in order."""
    best: tuple[tuple[int, int], list[int]] | None = None
    for wide in (True, False):
        heads = [_extent(header_line, p, text, wide) for p, text in header]
        cols = []
        cost = (0, 0)  # gaps, then how far each cell is from lining up with its header cell
        for p, text in cells:
            x = _extent(line, p, text, wide)
            scores = [_apart(x, h) for h in heads]
            col = min(range(len(heads)), key=scores.__getitem__)
            cols.append(col)
            h = heads[col]
            # aligned left (words) or right (figures): the nearer edge counts
            cost = (cost[0] + scores[col][0], cost[1] + min(abs(x[0] - h[0]), abs(x[1] - h[1])))
        ordered = all(a < b for a, b in zip(cols, cols[1:], strict=False))
        if ordered and (best is None or cost < best[0]):
            best = (cost, cols)
    if best is None:
        return None
    row = [""] * len(header)
    for col, (_, text) in zip(best[1], cells, strict=True):
        row[col] = text
    return row


def _extent(line: str, p: int, text: str, wide: bool) -> tuple[int, int]:
    """The display columns a cell starting at ``line[p]`` covers."""
    return _display(line, p, wide), _display(line, p + len(text), wide)


def _apart(cell: tuple[int, int], head: tuple[int, int]) -> tuple[int, int, int]:
    """How far a cell stands from a header cell: the gap between them (0 when they
    overlap), then the overlap (more is nearer), then the distance of their starts."""
    gap = max(0, head[0] - cell[1], cell[0] - head[1])
    overlap = max(0, min(cell[1], head[1]) - max(cell[0], head[0]))
    return gap, -overlap, abs(head[0] - cell[0])


def _looks_like_spaced_table(rows: list[list[str]]) -> bool:
    """A header of three or more names, then two or more rows with figures; no column of
    '名称：' labels (a form), short cells (not prose with double spaces)."""
    header, body = rows[0], rows[1:]
    if len(header) < 3 or len(body) < 2 or any(is_figure(c) for c in header):
        return False
    if sum(1 for r in body if any(is_figure(c) for c in r[1:])) < 2:
        return False
    cells = [c for r in rows for c in r if c]
    if statistics.median(len(c) for c in cells) > MAX_MEDIAN_CELL_CHARS:
        return False
    for col in range(len(header)):
        texts = [r[col] for r in body if col < len(r) and r[col]]
        if texts and 2 * sum(1 for t in texts if _LABEL.search(t)) >= len(texts):
            return False
    return True
