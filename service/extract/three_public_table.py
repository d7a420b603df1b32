"""A 三公经费 table turned on its side: the items are its columns, the figures its rows.

Owns: recognising a header row whose cells name two or more 三公 items (合计 | 因公出国(境)费
| 公务接待费 | 公务用车购置及运行维护费, the vehicle column perhaps split below into 小计 |
购置费 | 运行维护费) and reading each following row by what its label says it holds
(预算数, 决算数/实际支出, 上年决算数, 增减额, 增减率) into ``three_public.<item>.<kind>``
candidates. The item words are the 三公 entries' labels (lexicon/three_public.toml), the
row words ``[words] three_public_*_rows`` of lexicon/tables.toml; a row named by a year
(2022年决算) is last year's or this year's by the report's year. A text copy whose merged
公务用车 header lost its span (购置费 | 运行维护费 under an empty cell) still splits it.
Must not read the layout with the items as rows (three_public_rows.py, tables.py do).
"""

from __future__ import annotations

import re
from functools import cache

from service.document import Cell
from service.extract.clauses import report_year
from service.extract.ground import Grounder
from service.extract.lexicon import lexicon
from service.extract.pattern_needs import Needs, any_of, needs
from service.extract.resolve import Candidate
from service.extract.table_headers import cell_quantity, covering, header_key
from service.memo import memo
from service.records import BudgetLine, Value
from service.records.numbers import Quantity, is_blank

Rows = list[list[Cell | None]]
_ITEMS = ("total", "overseas", "reception", "vehicle", "vehicle_purchase", "vehicle_operation")
# Row kinds, checked in this order (上年决算数 is last year's, before 决算数 is this year's).
_KINDS = ("previous", "change_pct", "change", "budget", "actual")
_YEAR = re.compile(r"(\d{4})\s*年")
_SUBTOTAL = re.compile(r"^(?:小计|合计)$")
_TOTAL = re.compile(r"^(?:合计|总计|小计|三公经费合计)$")


@cache
def _item_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    lex = lexicon()
    out = []
    for item in _ITEMS:
        entry = lex.get(f"three_public.{item}.actual")
        if entry is not None and entry.labels:
            # a table names an item by its prose labels or its row labels (接待费)
            parts = [p for p in (entry.label_pattern(), entry.row_label_pattern()) if p]
            out.append((item, re.compile("|".join(f"(?:{p})" for p in parts))))
    return tuple(out)


@cache
def _kind_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    lex = lexicon()
    return tuple((k, re.compile(lex.words_pattern(f"three_public_{k}_rows"))) for k in _KINDS)


@cache
def _column_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The 三公 column words as row words, in their order (增减率 before 增减 before 上年);
    年初预算 is the budget row."""
    lex = lexicon()
    order = ("change_pct", "change", "previous", "initial", "budget", "actual")
    return tuple(
        ("budget" if k == "initial" else k, re.compile(lex.words_pattern(f"tp_column_{k}")))
        for k in order
    )


@cache
def _specific_first() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Most specific first: 公务用车购置费 is the purchase, not the whole vehicle item."""
    return tuple(sorted(_item_patterns(), key=lambda p: -_ITEMS.index(p[0])))


@cache
def _any_item() -> re.Pattern[str] | None:
    return any_of([rx for _, rx in _specific_first()])


@memo(8192)
def _item(text: str) -> str | None:
    # Cached: the readers of text lines ask about the same words again and again (a line
    # is tried as a header by several of them), and the answer is the lexicon's alone.
    key = header_key(text)
    gate = _any_item()
    if gate is not None and gate.fullmatch(key) is None:
        return None  # most words name no item: one search says so, not one per item
    for item, rx in _specific_first():
        if rx.fullmatch(key):
            return item
    return None


def three_public_item(label: str) -> str | None:
    """The 三公 item a row label names whole, by the lexicon's labels (公车运维费 …)."""
    return _item(label)


def item_needs() -> Needs | None:
    """Strings one of which the key of any label ``three_public_item`` names holds (the
    label less whitespace and bracketed units); None where there is no such gate."""
    gate = _any_item()
    return None if gate is None else needs(gate)


def item_columns(rows: Rows, r: int, grid: Rows | None = None) -> dict[int, tuple[str, Cell]]:
    """Column → (三公 item, the header cell naming it) for a header at row ``r`` (with a
    second row under a split vehicle column); empty unless two or more items are named.
    ``grid``: ``covering(rows)`` where the caller has it (a table tries every row)."""
    grid = covering(rows) if grid is None else grid
    top = grid[r]
    below = grid[r + 1] if r + 1 < len(grid) else []
    cols: dict[int, tuple[str, Cell]] = {}
    for c, cell in enumerate(top):
        low = below[c] if c < len(below) else None
        vehicle_seen = any(i.startswith("vehicle") for i, _ in cols.values())
        if cell is None or not cell.text.strip():
            # 公务用车 over 购置费 | 运行维护费 in a text copy: the merge lost, the top empty
            part = vehicle_part(header_key(low.text)) if low and vehicle_seen else None
            if part is not None and part not in (i for i, _ in cols.values()):
                cols[c] = (part, low)
            continue
        item, named_by = _item(cell.text), cell
        if item == "vehicle" and _sub_header(low, cell, r):
            sub = header_key(low.text)
            item = "vehicle" if _SUBTOTAL.match(sub) else vehicle_part(sub) or item
            named_by = low
        elif item is None and _TOTAL.match(header_key(cell.text)) and c > 0:
            item = "total"  # first or last
        elif item is None and vehicle_seen:  # 公务用车… | 其中：购置费 | 运行维护费
            item = vehicle_part(header_key(cell.text))
        if item is not None and item not in (i for i, _ in cols.values()):
            cols[c] = (item, named_by)
    named = [i for i, _ in cols.values() if i != "total"]
    return cols if len(named) >= 2 else {}


def _sub_header(low: Cell | None, top: Cell, r: int) -> bool:
    """``low`` is a header word on the row under ``top`` (小计 | 购置费), not a figure."""
    return (
        low is not None and low is not top and low.row == r + 1 and cell_quantity(low.text) is None
    )


def vehicle_part(sub: str) -> str | None:
    """购置费 / 运行维护费 under or beside the vehicle column (or row): its purchase or
    running part; 小计 there is the vehicle item itself."""
    if _SUBTOTAL.match(sub):
        return "vehicle"
    sub = re.sub(r"^其中[:：]?", "", sub)
    item = _item("公务用车" + sub) if sub else None
    return item if item in ("vehicle_purchase", "vehicle_operation") else None


def _kind(label: str, year: int | None = None) -> str | None:
    """What a row holds by its label; a row named by a year (2022年决算) is last year's
    figure or this year's by the report's ``year``."""
    key = header_key(label)
    kind = next((k for k, rx in _kind_patterns() if rx.search(key)), None)
    if kind is None and not re.search(lexicon().words_pattern("tp_column_not"), key):
        # 本年 / 同期 / 本期: the 三公 column words (lexicon/three_public.toml)
        kind = next((k for k, rx in _column_patterns() if rx.search(key)), None)
    m = _YEAR.match(key)
    if m and year is not None and kind in ("budget", "actual", None):
        if int(m.group(1)) < year:
            return "previous" if kind != "budget" else None  # last year's budget: no field
        if int(m.group(1)) > year:
            return None
    return None if kind != "change_pct" and "率" in key else kind  # 执行率 is no amount


def change_kind(header: str) -> str | None:
    """``change_pct`` for a 增减率 column header, ``change`` for 增减额, else None."""
    key = header_key(header)
    for k, rx in _kind_patterns():
        if k in ("change_pct", "change") and rx.search(key):
            return k
    return None


_LINE_FIELD = {"budget": "budget", "actual": "final", "previous": "previous_final"}
_SERIAL = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*[、.．]?\s*$")


def _row_kind(label_cells: list[Cell | None], year: int | None) -> str | None:
    """What a row holds, by its first words before the item columns that are not a 序号."""
    first = next(
        (c for c in label_cells if c is not None and c.text.strip() and not _SERIAL.match(c.text)),
        None,
    )
    return _kind(first.text, year) if first is not None else None


def read_items_as_columns(
    g: Grounder, rows: Rows, r: int, cols: dict[int, tuple[str, Cell]], unit: str, loc: str
) -> tuple[list[Candidate], list[BudgetLine], int]:
    """Candidates, and a budget line per item column, from the rows under the header at
    ``r``; returns where reading stopped."""
    out: list[Candidate] = []
    per_column: dict[int, dict[str, Value]] = {c: {} for c in cols}
    year = report_year(g.doc.text)
    j = r + 1
    if j < len(rows) and _row_kind(rows[j][: min(cols)], year) is None:
        j += 1  # the second header row (小计 | 购置费 | 运行维护费)
    while j < len(rows):
        kind = _row_kind(rows[j][: min(cols)], year)
        if kind is None:
            break
        for c, (item, _) in cols.items():
            cell = rows[j][c] if c < len(rows[j]) else None
            if cell is None:
                continue
            q = cell_quantity(cell.text, default_unit="%" if kind == "change_pct" else unit)
            if q is None and kind != "change_pct" and cell.text.strip() and is_blank(cell.text):
                q = Quantity(value=0, unit="万元", start=0, end=len(cell.text.rstrip()))  # 无, —
            if q is None or q.value is None:
                continue
            v = g.quantity(q, cell.span.start, loc)
            out.append(Candidate(f"three_public.{item}.{kind}", v, "table"))
            per_column[c].setdefault(kind, v)
        j += 1
    return out, _lines(g, cols, per_column, loc), j


def _lines(
    g: Grounder,
    cols: dict[int, tuple[str, Cell]],
    per_column: dict[int, dict[str, Value]],
    loc: str,
) -> list[BudgetLine]:
    """Each item column as the budget line it would be with the items as rows."""
    lines = []
    for c, (_, cell) in cols.items():
        figures = {_LINE_FIELD[k]: v for k, v in per_column[c].items() if k in _LINE_FIELD}
        name = g.text(cell.span.start, cell.span.end, loc)
        if figures and name is not None:
            lines.append(BudgetLine(item=name, **figures))
    return lines
