"""Income and expenditure tables that give each item's amount and its share (占比): the
收入/支出 structure tables of reports that state no budget column.

Owns: a header row naming a row-label column (收入项目, 支出项目, 项目, 资金来源 …) and one
amount column (金额, 金额（万元）, 决算数, 收入金额 …), perhaps with a share column
(占比, 比例, 比重, 构成) that is never money; groups side by side (收入项目 | 金额 | 占比 |
支出项目 | 金额 | 占比) are read each on their own. Each row the budget lexicon names
(财政拨款收入, 事业收入, 基本支出, 其中：人员经费 …) gives that ``budget.*`` field; a bare
合计/总计 row is the total of the side the header (or its rows) says it is: income or
expenditure, never both. Reads ingest's tables and the text lines ingest made none of
(cells parted by spaces or pipes), and tables turned over (the items across, a 金额 row
and a 占比 row below). The unit comes from a caption, the header (金额（元）) or seven-digit
amounts (元), else 万元.
Must not read tables with budget or previous-year columns (tables.py does) or 三公 rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from service.document import Cell, Table
from service.extract.flat_money import yuan_by_size
from service.extract.form_lines import FormLines
from service.extract.ground import Grounder
from service.extract.money_rows import (
    BARE_TOTAL,
    LINE_LABEL_PREFIX,
    budget_label_needs,
    lexicon_row,
    line_field,
)
from service.extract.resolve import Candidate
from service.extract.table_headers import (
    cell_quantity,
    header_key,
    money_unit,
    role_of,
    squeeze,
    unit_before,
)
from service.memo import memo

Rows = list[list[Cell | None]]

# The one amount column of such a table: 金额 and its variants, or this year's 决算数.
_AMOUNT = re.compile(
    r"^(?:本年|全年|本期|本年度|\d{4}年度?)?(?:收入|支出|决算|实际|执行|资金|预算执行)?"
    r"(?:金额|数额|总额)$|^(?:决算|执行|实际|支出|收入)数$"
)
# A share column: its figures are percents of the total, never money.
_SHARE = re.compile(r"占比|比例|比重|百分比|构成|结构")
# The row-label column, and the side it names.
_LABEL = re.compile(r"^(?:收入|支出|收支)?(?:项目|科目|类别|分类|来源|构成|内容|用途)(?:名称)?$")
_LABEL_SOURCE = re.compile(r"^(?:资金|收入|经费)来源$")
_SIDED_LABEL = re.compile(r"^(?:收入|支出)(?:项目|科目|类别|分类|构成)(?:名称)?$")
# A caption naming another quantity than this year's final figures: 上年, 预算安排表.
_OTHER_CAPTION = re.compile(r"上年|去年|上一年|预算(?!执行)")
# Columns that make it another reader's money table (预算数, 上年决算数 …).
_OTHER_MONEY = ("budget", "initial_budget", "previous_final")

INCOME = frozenset(
    {
        "budget.total_income",
        "budget.income_general_budget",
        "budget.income_government_funds",
        "budget.income_superior_subsidy",
        "budget.income_business",
        "budget.income_operating",
        "budget.income_affiliated",
        "budget.income_non_tax",
        "budget.income_other",
    }
)
EXPENDITURE = frozenset(
    {
        "budget.total_expenditure",
        "budget.basic_expenditure",
        "budget.personnel_expenditure",
        "budget.public_expenditure",
        "budget.project_expenditure",
    }
)
_TOTAL = {"income": "budget.total_income", "expenditure": "budget.total_expenditure"}
_LOC = "table:收支结构"


@dataclass(frozen=True)
class Side:
    """One label column and the amount column read with it; ``kind`` is 'income',
    'expenditure' or None (the rows decide)."""

    label: int
    amount: int
    kind: str | None


def _text(cell: Cell | None) -> str:
    return "" if cell is None else squeeze(cell.text)


def _kind_of(words: str) -> str | None:
    has_in, has_out = "收入" in words or "来源" in words, "支出" in words
    return "income" if has_in and not has_out else "expenditure" if has_out and not has_in else None


def _is_amount(text: str) -> bool:
    key = header_key(text)
    return bool(_AMOUNT.match(key)) or role_of(text, "budget.lines") == "final"


def header_sides(texts: list[str]) -> list[Side]:
    """The sides of a header row (its cells' words), or [] when it is no such header: each
    amount column with the label column before it, no other money column, and a share
    column or a label column whose word is a known one."""
    keys = [header_key(t) for t in texts]
    if any(role_of(t, "budget.lines") in _OTHER_MONEY for t in texts if t):
        return []
    if not any(_SHARE.search(k) for k in keys) and not any(
        _SIDED_LABEL.match(k) or _LABEL_SOURCE.match(k) for k in keys
    ):
        return []  # 项目 | 金额 alone: a statement table (statement_tables.py reads those)
    sides: list[Side] = []
    label: int | None = None
    for c, key in enumerate(keys):
        if _LABEL.match(key) or _LABEL_SOURCE.match(key):
            label = c
        elif _is_amount(texts[c]) and not _SHARE.search(key):
            if label is None and c > 0 and not keys[0]:
                label = 0  # an empty corner over the labels
            if label is None or (sides and sides[-1].label == label):
                return []  # two amount columns for one label: not this table
            words = keys[label] + key + "".join(k for k in keys[c + 1 : c + 2] if _SHARE.search(k))
            kind = _kind_of(words) or ("income" if _LABEL_SOURCE.match(keys[label]) else None)
            sides.append(Side(label, c, kind))
    return sides


@memo(16384)
def _path(label: str, kind: str | None) -> str | None:
    """The budget field a row label names on a side of ``kind`` (None: by its own words).
    Cached (the lexicon's answer alone): every row is tried as the items' header."""
    key = LINE_LABEL_PREFIX.sub("", label).rstrip(":：")
    key = re.sub(r"[(（][^()（）]*[)）]$", "", key)  # 合计（万元）
    if BARE_TOTAL.match(key) and key != "小计" or key in ("总计", "共计"):
        return _TOTAL.get(kind or "")
    path = lexicon_row(key)
    found = line_field(key)
    if path is None and found is not None and found[0] == "budget":
        path = f"budget.{found[1]}"
    if path is None or BARE_TOTAL.match(key):
        return None
    if kind == "income" and path not in INCOME or kind == "expenditure" and path not in EXPENDITURE:
        return None
    return path if path in INCOME | EXPENDITURE else None


@cache
def _label_chars() -> frozenset[str] | None:
    """Characters of which any label ``_path`` names by its own words holds one: its key
    (the label less a lead-in, colons and a bracket) holds a string the lexicon's gates
    need. None: a gate needs none."""
    found = budget_label_needs()
    return None if found is None else frozenset("".join(found))


def _may_name(label: str) -> bool:
    """Whether ``_path(label, None)`` may name a field (a figure's cell never does)."""
    chars = _label_chars()
    return chars is None or not chars.isdisjoint(label)


def _rows_of(table: Table) -> Rows:
    rows: Rows = [[None] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        rows[cell.row][cell.col] = cell
    return rows


def _read(g: Grounder, rows: Rows, unit_of: dict[int, str | None]) -> list[Candidate]:
    """Every header row of ``rows`` and the rows under it; ``unit_of`` the unit stated for
    the grid (key -1) or for the header at a row."""
    out: list[Candidate] = []
    r = 0
    while r < len(rows):
        texts = [_text(c) for c in rows[r]]
        across = _items_across(g, rows, r, unit_of, texts)
        if across is not None:
            found, r = across
            out += found
            continue
        sides = header_sides(texts)
        first = next((c for c in rows[r] if c is not None), None)
        if (
            sides
            and first is not None
            and _OTHER_CAPTION.search(_caption(g.doc.text, first.span.start))
        ):
            sides = []
        if not sides:
            r += 1
            continue
        end = r + 1
        while end < len(rows) and not header_sides([_text(c) for c in rows[end]]):
            end += 1
        body = rows[r + 1 : end]
        unit = _header_unit(texts) or unit_of.get(r) or unit_of.get(-1)
        unit = unit or yuan_by_size(
            _text(row[s.amount]) for row in body for s in sides if s.amount < len(row)
        )
        for side in sides:
            out += _side(g, body, side, unit or "万元")
        r = end
    return out


def _items_across(
    g: Grounder, rows: Rows, r: int, unit_of: dict[int, str | None], texts: list[str]
) -> tuple[list[Candidate], int] | None:
    """The table turned over: the items across row ``r`` (项目 | 合计 | 财政拨款收入 | 事业
    收入 …), a row below headed by the amount word (金额（万元）) and perhaps one by the
    share (占比); the fields of each item column and where the table ends. None unless two
    or more items are budget fields of one side and an amount row follows. ``texts``: the
    row's cells' words."""
    named = {
        c: p
        for c, t in enumerate(texts)
        if c and t and _may_name(t) and (p := _path(t, None)) is not None
    }
    kinds = {"income" if p in INCOME else "expenditure" for p in named.values()}
    if len(named) < 2 or len(kinds) != 1:
        return None
    kind = kinds.pop()
    first = next(c for c in rows[r] if c is not None)
    if _OTHER_CAPTION.search(_caption(g.doc.text, first.span.start)):
        return None
    for k in range(r + 1, min(r + 4, len(rows))):
        head = next((c for c in rows[k] if c is not None), None)
        if head is None or head.col != 0 or not _is_amount(head.text):
            continue
        unit = _header_unit([head.text]) or unit_of.get(r) or unit_of.get(-1) or "万元"
        out = []
        for c, t in enumerate(texts):
            path = _path(t, kind) if c else None
            cell = rows[k][c] if c < len(rows[k]) else None
            q = cell_quantity(cell.text, default_unit=unit) if path and cell else None
            if path and cell and q is not None and q.unit == "万元" and q.low is None:
                out.append(Candidate(path, g.quantity(q, cell.span.start, _LOC), "table"))
        return out, k + 1
    return None


def _caption(text: str, start: int) -> str:
    """The two lines just above a header: the table's caption and perhaps its unit line."""
    before = text[max(0, start - 80) : start].rstrip()
    return " ".join(before.rsplit("\n", 2)[-2:])


def _header_unit(texts: Iterable[str]) -> str | None:
    for t in texts:
        m = re.search(r"[(（]\s*(万元|千元|亿元|元)\s*[)）]|单位\s*[:：]\s*(万元|千元|亿元|元)", t)
        if m:
            return m.group(1) or m.group(2)
    return None


def _side(g: Grounder, body: Rows, side: Side, unit: str) -> list[Candidate]:
    """The fields of one side's rows; a side the header leaves open takes its kind from
    the rows it names (all income or all expenditure), and only then reads its 合计."""
    named = []
    for row in body:
        label = row[side.label] if side.label < len(row) else None
        amount = row[side.amount] if side.amount < len(row) else None
        if label is None or amount is None or not _text(label):
            continue
        q = cell_quantity(amount.text, default_unit=unit)
        if q is None or q.unit != "万元" or q.low is not None:
            continue  # a percent or a range is no amount of this table
        named.append((_text(label), g.quantity(q, amount.span.start, _LOC)))
    kind = side.kind
    if kind is None:
        kinds = {
            "income" if p in INCOME else "expenditure"
            for label, _ in named
            if (p := _path(label, None)) is not None
        }
        kind = kinds.pop() if len(kinds) == 1 else None
    out = []
    for label, value in named:
        path = _path(label, kind)
        if path is not None:
            out.append(Candidate(path, value, "table"))
    return out


def share_table_candidates(
    g: Grounder, tables: list[Table], form: FormLines | None = None
) -> list[Candidate]:
    """The fields of every income or expenditure structure table: ingest's tables, then
    the text lines ingest made none of (``form``: cut as form lines, where the caller has
    them)."""
    text = g.doc.text
    out: list[Candidate] = []
    for table in tables:
        rows = _rows_of(table)
        out += _read(g, rows, {-1: money_unit(text, table, rows)})
    for grid in (form or FormLines(g.doc)).grids(split_header):
        grid = [_label_joined(row) for row in grid]
        units = {r: unit_before(text, row[0].span.start) for r, row in enumerate(grid) if row[0]}
        out += _read(g, grid, units)
    return out


_HEADER_WORD = re.compile(
    r"(?:收入|支出|收支)?(?:项目|科目|类别|来源|构成)(?:名称)?|资金来源|序号"
    r"|(?:收入|支出|决算)?(?:金额|数额)|决算数|占比|比例|比重|构成比?"
    r"|[(（](?:%|％|万元|元)[)）]"
)


def split_header(word: str) -> list[tuple[int, int]] | None:
    """A header line whose cells are glued (收入项目金额占比（%）) parted at its words, a
    bracketed unit kept with the word before it; None unless the words cover it whole."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _HEADER_WORD.finditer(word):
        if m.start() != pos:
            return None
        if m.group().startswith(("(", "（")) and spans:
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append(m.span())
        pos = m.end()
    return spans if pos == len(word) and len(spans) >= 2 else None


def _label_joined(row: list[Cell | None]) -> list[Cell | None]:
    """A text line's cells with the words before its first figure as one label cell
    (一般公共预算 财政拨款收入 parted by a space is one label)."""
    cells = [c for c in row if c is not None]
    k = next((i for i, c in enumerate(cells) if cell_quantity(c.text) is not None), len(cells))
    if k < 2 or k == len(cells):
        return list(cells)
    first, last = cells[0], cells[k - 1]
    span = first.span.model_copy(update={"end": last.span.end})
    label = first.model_copy(update={"text": " ".join(c.text for c in cells[:k]), "span": span})
    return [label, *(c.model_copy(update={"col": i + 1}) for i, c in enumerate(cells[k:]))]
