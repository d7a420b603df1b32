"""A 三公经费 table with the items as rows and the figures as columns, in any column layout.

Owns: recognising a header (one row, or two where a merged 本年度 / 上年度 stands over
预算数 | 决算数) whose columns the lexicon's ``tp_column_*`` words (lexicon/three_public.toml)
name as this year's budget, this year's actual, last year's figure, the change or the
change rate — a year in a header is this year's or last year's by the report's year, so
2022年决算数 in a 2023 report is the previous figure and 2023年预算数 the budget, never the
actual; 年初预算 is the budget only where no 全年 / 调整后 budget column stands beside it —
and reading each row below that names a 三公 item or the 合计 (first or last, 其中： and
numbering allowed) into ``three_public.<item>.<kind>`` candidates and a budget line. A
cell written 无 or — is nil (0) in an amount column. Must not read tables with the items
as columns (three_public_table.py) or any other money table (tables.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from service.document import Cell
from service.extract.clauses import report_year
from service.extract.form_lines import FormLines
from service.extract.ground import Grounder
from service.extract.lexicon import lexicon
from service.extract.money_rows import BARE_TOTAL, LINE_LABEL_PREFIX, is_money_label, line_field
from service.extract.resolve import Candidate
from service.extract.table_headers import (
    cell_quantity,
    covering,
    header_key,
    squeeze,
    unit_before,
    unit_in_note,
)
from service.extract.three_public_table import item_columns, read_items_as_columns, vehicle_part
from service.memo import memo
from service.records import BudgetLine, Value
from service.records.numbers import Quantity, is_blank

Rows = list[list[Cell | None]]
# Column kinds, tried in this order (增减率 before 增减, 上年 before 决算).
_KINDS = ("change_pct", "change", "previous", "initial", "budget", "actual")
_AMOUNTS = ("budget", "actual", "previous")
_YEAR = re.compile(r"(\d{4})\s*年")
_LINE_FIELD = {"budget": "budget", "actual": "final", "previous": "previous_final"}
_VEHICLE = ("vehicle", "vehicle_purchase", "vehicle_operation")


@cache
def _kind_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    lex = lexicon()
    return tuple((k, re.compile(lex.words_pattern(f"tp_column_{k}"))) for k in _KINDS)


@memo(16384)
def column_kind(text: str, year: int | None) -> str | None:
    """What a 三公 table's column holds, by its header words (both header rows joined):
    ``budget``, ``initial`` (年初预算), ``actual``, ``previous``, ``change``, ``change_pct``.
    Cached (the lexicon's answer per header word): every word row is tried as a header."""
    key = header_key(text)
    if not key or re.search(lexicon().words_pattern("tp_column_not"), key):
        return None
    kind = next((k for k, rx in _kind_patterns() if rx.search(key)), None)
    m = _YEAR.search(key)
    if m and year is not None and kind not in ("change", "change_pct"):
        if int(m.group(1)) < year:
            # Last year's figure; last year's budget is no field of ours.
            return None if kind in ("budget", "initial") else "previous"
        if int(m.group(1)) > year:
            return None
        return kind or "actual"  # “2023年” alone: this year's figure
    return kind


def row_item(label: str) -> str | None:
    """The 三公 item (or ``total``) a row label names, after its lead-in (其中：, 1、)."""
    key = LINE_LABEL_PREFIX.sub("", squeeze(label)).rstrip(":：")
    if BARE_TOTAL.match(key):
        return "total"
    found = line_field(key)
    return found[1] if found and found[0] == "tp" else None


@dataclass
class RowsTable:
    """What one 三公 table with the items as rows gave, and where its rows ended."""

    candidates: list[Candidate] = field(default_factory=list)
    lines: list[BudgetLine] = field(default_factory=list)
    end: int = 0


def _texts(grid: Rows, r: int, two_rows: bool) -> list[str]:
    """Each column's header words: the covering cell of row ``r`` and, under a merged
    caption, the cell below it."""
    out = []
    for c, top in enumerate(grid[r]):
        text = top.text if top is not None else ""
        low = grid[r + 1][c] if two_rows else None
        if low is not None and low is not top:
            text += low.text
        out.append(text)
    return out


_ROW_NUMBER = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*[、.．]?\s*$")


def _label(row: list[Cell | None], upto: int) -> Cell | None:
    """The row's label before its figures: its first words that are not a 序号, past a
    group cell merged down over several rows that names no 三公 item (其中, 类别) when the
    label after it does."""
    found = [
        c for c in row[:upto] if c is not None and c.text.strip() and not _ROW_NUMBER.match(c.text)
    ]
    group = len(found) > 1 and found[0].row_span > 1 and row_item(found[0].text) is None
    if group and row_item(found[1].text) is not None:
        return found[1]
    if len(found) > 1 and _vehicle_group(found[0], found[1]):
        return found[1]
    return found[0] if found else None


def _in_group(row: list[Cell | None], label: Cell) -> bool:
    """``label`` stands beside the 公务用车 group cell of its row."""
    before = [c for c in row[: label.col] if c is not None and c.text.strip()]
    return bool(before) and _vehicle_group(before[-1], label)


def _vehicle_group(first: Cell, second: Cell) -> bool:
    """公务用车购置及运行维护费 (merged down, or written on its first row only) beside the
    part of it a row holds: 小计, 购置费, 运行维护费."""
    return row_item(first.text) == "vehicle" and vehicle_part(header_key(second.text)) is not None


def _columns(texts: list[str], year: int | None) -> dict[int, str]:
    """Column → kind; 年初预算 is the budget unless a 全年/调整后 budget column stands."""
    cols: dict[int, str] = {}
    for c, text in enumerate(texts):
        kind = column_kind(text, year)
        if kind is not None and kind not in cols.values() and c > 0:
            cols[c] = kind
    if "initial" in cols.values():
        initial = next(c for c, k in cols.items() if k == "initial")
        if "budget" in cols.values():
            del cols[initial]
        else:
            cols[initial] = "budget"
    return cols


def _is_header(row: list[Cell | None]) -> bool:
    """Words only: no figure, no nil mark (无, —)."""
    cells = [c for c in row if c is not None and c.text.strip()]
    return bool(cells) and all(
        cell_quantity(c.text) is None and not is_blank(c.text) for c in cells
    )


def _is_lower_header(row: list[Cell | None]) -> bool:
    """A second header row: words only, and no 三公 item naming it (a row of nil marks
    written in words is a body row)."""
    label = next((c for c in row if c is not None and c.text.strip()), None)
    return _is_header(row) and label is not None and row_item(label.text) is None


def find_header(
    rows: Rows, r: int, year: int | None, text_grid: bool = False, grid: Rows | None = None
) -> tuple[dict[int, str], int] | None:
    """The columns of a 三公 table whose header starts at row ``r`` and the first body
    row; None unless two or more figure columns are named and the row under the header
    names a 三公 item or the total. A ``text_grid`` (cells in line order, merges lost) has
    its header words placed from the right and a stacked header regrouped. ``grid``:
    ``covering(rows)`` where the caller has it (built here only for a header row)."""
    if not _is_header(rows[r]):
        return None
    if grid is None and not text_grid:
        grid = covering(rows)
    for two_rows in (True, False):
        if two_rows and not (r + 1 < len(rows) and _is_lower_header(rows[r + 1])):
            continue
        body = r + 1 + two_rows
        if body >= len(rows):
            continue
        texts = (
            _text_header(rows, r, two_rows, max(len(row) for row in rows[body : body + 4]), year)
            if text_grid
            else _texts(grid, r, two_rows)  # type: ignore[arg-type]
        )
        cols = _columns(texts or [], year)
        if sum(k in _AMOUNTS for k in cols.values()) < 1 or len(cols) < 2:
            continue
        label = _label(rows[body], min(cols))
        if label is not None and row_item(label.text) is not None:
            return cols, body
    return None


_PERIOD_WORD = re.compile(r"\d{4}\s*年|本年|上年|当年|本期|上期|今年|去年|同期")


def _words(row: list[Cell | None]) -> list[str]:
    return [c.text for c in row if c is not None and c.text.strip()]


def _text_header(
    rows: Rows, r: int, two_rows: bool, width: int, year: int | None
) -> list[str] | None:
    """A text copy's header words, one per column of a ``width``-cell body row: the words
    of a lone header row (without the label column's word where it lacks one); under a
    row of periods (本年度 上年度) the lower words grouped where a kind repeats
    (预算数 决算数 | 决算数), each group under its period, the upper row's other words
    standing as columns of their own."""
    words = _words(rows[r + 1] if two_rows else rows[r])
    if two_rows:
        periods = [w for w in _words(rows[r]) if _PERIOD_WORD.search(w)]
        groups: list[list[str]] = []
        seen: set[str | None] = set()
        for w in words:
            kind = column_kind(w, year)
            if not groups or kind in seen:
                groups.append([])
                seen = set()
            groups[-1].append(w)
            seen.add(kind)
        if len(groups) != len(periods):
            return None
        # each period spreads over its group; the upper row's other words (序号, 项目,
        # 增减额 written over both rows) are columns of their own
        spread = iter(groups)
        words = [
            p + w if _PERIOD_WORD.search(p) else p
            for p in _words(rows[r])
            for w in (next(spread) if _PERIOD_WORD.search(p) else [""])
        ]
    if len(words) == width - 1:
        return ["", *words]
    return words if len(words) == width else None


def _aligned(row: list[Cell | None], width: int) -> list[Cell | None]:
    """A text row shorter than the header (its 序号 left blank): words from the left,
    figures and nil marks from the right."""
    if len(row) >= width:
        return row
    words = [c for c in row if c is not None and not _is_value(c)]
    values = [c for c in row if c is not None and _is_value(c)]
    return [*words, *[None] * (width - len(words) - len(values)), *values]


def _is_value(cell: Cell) -> bool:
    return cell_quantity(cell.text) is not None or is_blank(cell.text)


def _quantity(cell: Cell | None, kind: str, unit: str) -> Quantity | None:
    if cell is None or not cell.text.strip():
        return None
    if is_blank(cell.text):  # 无, — in an amount or change column: nil
        if kind not in (*_AMOUNTS, "change"):
            return None
        return Quantity(value=0, unit="万元", start=0, end=len(cell.text.rstrip()))
    return cell_quantity(cell.text, default_unit="%" if kind == "change_pct" else unit)


def read_items_as_rows(
    g: Grounder,
    rows: Rows,
    r: int,
    unit: str,
    loc: str,
    text_grid: bool = False,
    alone: bool = False,
    grid: Rows | None = None,
) -> RowsTable | None:
    """The 三公 table whose header starts at row ``r``, or None when there is none; with
    ``alone``, also None when other money rows (基本支出 …) follow its rows in the grid:
    the money table's own reader reads them all. ``grid``: ``covering(rows)`` where the
    caller has it."""
    if not _is_header(rows[r]):
        return None  # most rows: no header, and no need of the report's year
    year = report_year(g.doc.text)
    found = find_header(rows, r, year, text_grid, grid)
    if found is None:
        return None
    cols, j = found
    out = RowsTable()
    last = None
    while j < len(rows):
        row = _aligned(rows[j], max(cols) + 1) if text_grid else rows[j]
        label = _label(row, min(cols))
        grouped = label is not None and _in_group(row, label)  # 公务用车… | 小计 / 购置费
        item = row_item(label.text) if label is not None and not grouped else None
        if item is None and label is not None and (last in _VEHICLE or grouped):
            # 购置费 / 运行维护费 in a second label column beside the merged vehicle cell
            item = vehicle_part(header_key(label.text))
        if label is None or item is None:
            break
        last = item
        figures: dict[str, Value] = {}
        for c, kind in cols.items():
            cell = row[c] if c < len(row) else None
            q = _quantity(cell, kind, unit)
            if q is None or q.value is None or cell is None:
                continue
            if kind == "change" and q.unit == "%":  # 增减（%）: the header lost its unit
                kind = "change_pct"
            v = g.quantity(q, cell.span.start, loc)
            figures[kind] = v
            out.candidates.append(Candidate(f"three_public.{item}.{kind}", v, "table"))
        name = g.text(label.span.start, label.span.end, loc)
        line = {_LINE_FIELD[k]: v for k, v in figures.items() if k in _LINE_FIELD}
        if name is not None and line:
            out.lines.append(BudgetLine(item=name, **line))
        j += 1
    out.end = j
    if alone and any(is_money_label(label.text) for row in rows[j:] if (label := _label(row, 99))):
        return None
    items = {c.path.split(".")[1] for c in out.candidates}
    return out if items - {"total"} else None  # a 合计 row alone is no 三公 table


@cache
def _glued_header() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a whole glued header line: a name then two or more column words, one column word)."""
    lex = lexicon()
    period, core = lex.words_pattern("tp_header_periods"), lex.words_pattern("tp_header_cores")
    change = lex.words_pattern("tp_header_changes")
    suffix = "(?:数|额|金额|率|幅度|比例|值)?"
    unit = (
        rf"(?:(?:{period})?(?:{core}){suffix}|(?:{change}){suffix}|(?:{period})(?:数|金额)?)"
        r"(?:[(（][^)）]{1,4}[)）])?"
    )
    return re.compile(rf"(?P<name>.*?)(?P<columns>(?:{unit}){{2,}})"), re.compile(unit)


def split_glued_header(word: str) -> list[tuple[int, int]] | None:
    """A header line written without separators (项目预算数决算数上年决算数) as the spans
    of its name and column words; None when it is not one."""
    whole, unit = _glued_header()
    m = whole.fullmatch(word)
    if m is None:
        return None
    spans = [(m.start("name"), m.end("name"))] if m.group("name") else []
    pos = m.start("columns")
    while pos < len(word) and (u := unit.match(word, pos)) is not None and u.end() > pos:
        spans.append((pos, u.end()))
        pos = u.end()
    return spans if pos == len(word) else None


def three_public_line_candidates(g: Grounder, form: FormLines | None = None) -> list[Candidate]:
    """三公 tables with the items as rows among the text lines ingest made no table of
    (cells parted by single spaces or pipes, nil written 无, headers stacked); their unit
    from a caption just above, the header's “（元）” or a note under the table (``form``:
    the lines cut as form lines, where the caller has them)."""
    out: list[Candidate] = []
    for grid in (form or FormLines(g.doc)).grids(split_glued_header):
        r = 0
        while r < len(grid):
            first = next(c for c in grid[r] if c is not None)
            header = " ".join(_words(grid[r]))
            last = next(c for c in reversed(grid[-1]) if c is not None)
            unit = unit_before(g.doc.text, first.span.start, header)
            unit = unit or unit_in_note(g.doc.text, last.span.end) or "万元"
            found = read_items_as_rows(g, grid, r, unit, "form:三公表", text_grid=True)
            if found is not None:
                out += found.candidates
                r = found.end
                continue
            columns = _items_as_columns(grid, r)
            if columns is not None:
                rows, cols = columns
                got, _, end = read_items_as_columns(g, rows, r, cols, unit, "form:三公表")
                out += got
                r = max(end, r + 1)
                continue
            r += 1
    return out


def _items_as_columns(grid: Rows, r: int) -> tuple[Rows, dict[int, tuple[str, Cell]]] | None:
    """A text copy of a 三公 table with the items as columns whose header row is ``r``:
    the rows placed from the right under a body row's width (a second header line of
    购置费 运行维护费 stands under the last columns), and the item columns; else None."""
    if r + 2 >= len(grid) or not _is_header(grid[r]):
        return None
    width = max(len(row) for row in grid[r:])
    rows: Rows = []
    for k, row in enumerate(grid):
        shift = width - len(row) if k == r + 1 and _is_header(row) else 0
        placed: list[Cell | None] = [None] * width
        for c, cell in enumerate(row):
            if cell is not None and c + shift < width:
                placed[c + shift] = cell.model_copy(update={"col": c + shift, "row": k})
        rows.append(placed)
    cols = item_columns(rows, r)
    return (rows, cols) if cols else None
