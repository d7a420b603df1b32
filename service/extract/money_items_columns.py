"""A money table turned on its side: the budget items (支出合计 | 基本支出 | 人员经费 |
公用经费 | 项目支出) across its header, what each row holds (预算数, 决算数, 上年决算数,
2023年决算数, 增减额 …) down its first column.

Owns: recognising such a header (two or more cells naming a budget line the 基础数据表's
labels or the lexicon know, none of them a 三公 item: three_public_table.py reads those)
and reading the rows under it into, per item column, its figures by role (``budget``,
``initial_budget``, ``final``, ``previous_final``, ``execution_rate``, ``change``,
``change_pct``). The row words are the column words of an upright table (money_columns.py),
years read by the latest being this year's. Must not map an item to a field: tables.py
does, as for a row of an upright table.
"""

from __future__ import annotations

from functools import cache

from service.document import Cell
from service.extract.money_columns import money_columns
from service.extract.money_rows import (
    LINE_LABEL_PREFIX,
    budget_label_needs,
    is_item,
    lexicon_row,
    line_field,
)
from service.extract.pattern_needs import Needs
from service.extract.table_headers import cell_quantity, squeeze
from service.extract.three_public_table import item_needs
from service.memo import memo
from service.records.numbers import is_blank

Rows = list[list[Cell | None]]


@memo(8192)
def names_budget_item(text: str) -> bool:
    """A header word naming a budget line (基本支出, 支出合计 …), not a 三公 item. Cached:
    the readers of text lines try the same words again and again."""
    key = LINE_LABEL_PREFIX.sub("", squeeze(text)).rstrip(":：")
    if not key or is_item(key):
        return False
    found = line_field(key)
    return (found is not None and found[0] != "tp") or lexicon_row(key) is not None


def names_item_column(word: str) -> bool:
    """A header word naming an item column: a 三公 item or a budget line."""
    return is_item(word) or names_budget_item(word)


@cache
def item_column_needs() -> Needs | None:
    """Strings of which a word ``names_item_column`` takes holds every character of one:
    the key the lexicon matches holds one of them, and a key is its word less whitespace,
    bracketed units, a lead-in and colons. None where a gate names no such strings."""
    item, line = item_needs(), budget_label_needs()
    return None if item is None or line is None else tuple(dict.fromkeys((*item, *line)))


def item_columns(rows: Rows, r: int) -> dict[int, Cell]:
    """Column → header cell of each budget item named across row ``r`` (after the first
    column); empty unless two or more are named and the row holds no figure."""
    row = rows[r]
    if any(c is not None and cell_quantity(c.text) is not None for c in row):
        return {}
    cols = {
        c: cell
        for c, cell in enumerate(row)
        if c > 0 and cell is not None and names_budget_item(cell.text)
    }
    return cols if len(cols) >= 2 else {}


def _row_label(row: list[Cell | None]) -> str:
    first = next((c for c in row[:1] if c is not None and c.text.strip()), None)
    return "" if first is None else first.text


def _has_figures(row: list[Cell | None], cols: dict[int, Cell]) -> bool:
    return any(
        c < len(row)
        and row[c] is not None
        and (cell_quantity(row[c].text) is not None or is_blank(row[c].text))
        for c in cols
    )


def row_roles(rows: Rows, r: int, cols: dict[int, Cell]) -> tuple[dict[int, str], int]:
    """Row → role of the rows under the header at ``r`` (labelled by what they hold, with
    figures under the items), and the row after the last one read."""
    j = r + 1
    labels: list[str] = []
    while j < len(rows) and _row_label(rows[j]) and _has_figures(rows[j], cols):
        labels.append(_row_label(rows[j]))
        j += 1
    roles = money_columns(["", *labels])
    return {r + k: role for k, role in roles.items()}, j
