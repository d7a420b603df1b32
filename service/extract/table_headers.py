"""Which column of a list table plays which role, by its header (表头), through the lexicon.

Owns: turning header cells into column roles for the 绩效自评表 (``indicators[].*``:
level1/level2/level3/target/actual/weight/score/deviation), with the words read from
``lexicon/tables.toml``; headers written over two rows (a merged “指标值” above
“年度指标值 | 实际完成值”); and the grid of covering cells that merged headers need.
A header that names no role is a column to ignore (指标解释, 评分标准, 数据来源).
Also the unit a money table's bare figures are in, from its caption or header cells
(``money_unit`` for a ``Table``, ``unit_before`` for text lines).
Must not read values: the table mappers do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from service.document import Cell, Table
from service.extract.lexicon import lexicon
from service.extract.pattern_needs import needs
from service.memo import memo
from service.records.numbers import Quantity, parse_quantity

Rows = list[list[Cell | None]]

# A bracketed unit or letter after a header word: '分值（C）', '预算数(万元)', '得分[D]'.
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


@dataclass(frozen=True)
class HeaderRole:
    """One role: the header words that name it and those that rule it out."""

    role: str
    headers: re.Pattern[str]
    excludes: re.Pattern[str] | None


@cache
def header_roles(prefix: str) -> tuple[HeaderRole, ...]:
    """The roles of the list ``prefix`` (``indicators``), in lexicon order."""
    lex = lexicon()
    out = []
    for entry in lex.fields(f"{prefix}[]."):
        if not entry.headers:
            continue
        excl = entry.excludes_pattern()
        out.append(
            HeaderRole(
                role=entry.path.split("[].", 1)[1],
                headers=re.compile(entry.header_pattern()),
                excludes=re.compile(excl) if excl else None,
            )
        )
    return tuple(out)


def squeeze(text: str) -> str:
    """``text`` without whitespace, as a regex substitution of whitespace runs gives it
    (both take ``str.isspace`` characters), at a fraction of its cost on the many cells
    read."""
    return "".join(text.split())


@memo(16384)
def header_key(text: str) -> str:
    """A header cell's text as the lexicon matches it: no whitespace, no bracketed unit.
    Cached: every reader of a table asks it of the same cells, row after row."""
    squeezed = squeeze(text)
    return _BRACKETED.sub("", squeezed) or squeezed


@cache
def _header_chars(prefix: str) -> frozenset[str] | None:
    """Characters of which a key any role of ``prefix`` is named in holds one (each
    role's header words hold one of the strings their pattern needs); None: no such
    characters."""
    found = [needs(r.headers) for r in header_roles(prefix)]
    if any(n is None for n in found):
        return None
    return frozenset("".join(s for n in found for s in n or ()))


@memo(16384)
def role_of(text: str, prefix: str) -> str | None:
    """The role a header cell names, or None (empty, or a column to ignore). Cached (the
    lexicon's answer alone): each row is tried as a header against every role; a key
    holding none of the characters the roles' words need (a figure) is tried against
    none."""
    key = header_key(text)
    chars = _header_chars(prefix)
    if not key or chars is not None and chars.isdisjoint(key):
        return None
    for r in header_roles(prefix):
        if r.headers.search(key) and not (r.excludes and r.excludes.search(key)):
            return r.role
    return None


def covering(rows: Rows) -> Rows:
    """Every position of the grid with the cell that covers it (a merged cell repeated
    over its rows and columns); ``rows`` hold each cell at its top-left only."""
    n_rows = len(rows)
    n_cols = max((len(r) for r in rows), default=0)
    grid: Rows = [[None] * n_cols for _ in range(n_rows)]
    for row in rows:
        for cell in row:
            if cell is None:
                continue
            if cell.row_span == 1 and cell.col_span == 1:  # most cells: one position
                if cell.row < n_rows and cell.col < n_cols:
                    grid[cell.row][cell.col] = cell
                continue
            for r in range(cell.row, min(cell.row + cell.row_span, n_rows)):
                for c in range(cell.col, min(cell.col + cell.col_span, n_cols)):
                    grid[r][c] = cell
    return grid


@memo(16384)
def cell_quantity(text: str | None, default_unit: str | None = None) -> Quantity | None:
    """``parse_quantity`` of a cell's text, cached (a ``Quantity`` is frozen): the table
    readers ask it of the same cells again and again (is this row a header, does it hold
    figures, then its values)."""
    return parse_quantity(text, default_unit=default_unit)


def _text(cell: Cell | None) -> str:
    return "" if cell is None else squeeze(cell.text)


def column_roles(
    rows: Rows, r: int, prefix: str, two_rows: bool, grid: Rows | None = None
) -> dict[str, int]:
    """Role → column for the header at row ``r`` (and ``r + 1`` when ``two_rows``): the
    lower row's own word wins (“年度指标值” under a merged “指标值”), else the upper one's;
    the first column naming a role keeps it. ``grid``: ``covering(rows)``, where the
    caller has it (tried at every row of a table, it was rebuilt for each)."""
    grid = covering(rows) if grid is None else grid
    upper = grid[r]
    lower = grid[r + 1] if two_rows and r + 1 < len(grid) else [None] * len(upper)
    cols: dict[str, int] = {}
    for c, top in enumerate(upper):
        low = lower[c] if c < len(lower) else None
        role = None
        if low is not None and low is not top:
            role = role_of(low.text, prefix)
        if role is None and top is not None:
            role = role_of(top.text, prefix)
        if role == "level3" and "level3" in cols and "三级" in _text(low) + _text(top):
            _level_above(cols)
        if role is not None and role not in cols:
            cols[role] = c
    return cols


def _level_above(cols: dict[str, int]) -> None:
    """指标 | 三级指标: a generic 指标 column before the one saying 三级 is the level above
    it (一级, or 二级 where 一级 has its column), not the indicator's name."""
    above = next((lv for lv in ("level1", "level2") if lv not in cols), None)
    generic = cols.pop("level3")
    if above is not None:
        cols[above] = generic


def header_texts(rows: Rows, r: int, two_rows: bool, grid: Rows | None = None) -> list[str]:
    """The header words of each column (both rows joined), to tell an ignored column;
    ``grid`` as for ``column_roles``."""
    grid = covering(rows) if grid is None else grid
    lower = grid[r + 1] if two_rows and r + 1 < len(grid) else [None] * len(grid[r])
    out = []
    for c, top in enumerate(grid[r]):
        low = lower[c] if c < len(lower) else None
        out.append(_text(top) + (_text(low) if low is not top else ""))
    return out


_UNIT_CAPTION = re.compile(r"单位\s*[:：]\s*(万元|千元|亿元|元)")
UNIT_IN_HEADER = re.compile(r"[(（]\s*(万元|千元|亿元|元)\s*[)）]")


def unit_before(text: str, start: int, header: str = "") -> str | None:
    """The money unit a caption just above ``start`` (“单位：元”, “…表（元）”) or the
    ``header`` line's words (“预算数（元）”) state, else None."""
    before = text[max(0, start - 80) : start]
    captions = _UNIT_CAPTION.findall(before)
    if captions:
        return captions[-1]
    caption = before.rstrip().rsplit("\n", 1)[-1]
    m = UNIT_IN_HEADER.search(caption)
    if m and m.end() >= len(caption.rstrip()) - 1:
        return m.group(1)
    m = _UNIT_CAPTION.search(header) or UNIT_IN_HEADER.search(header)
    return m.group(1) if m else None


def money_unit(text: str, table: Table, rows: list[list[Cell | None]]) -> str | None:
    """The unit bare amounts of ``table`` are in, where it says: a “单位：元” caption just
    above it or a caption ending in “（元）”, else a “(元)” in its header cells. None when
    it does not say (the caller falls back to 万元, the templates' default, or to the unit
    of the table it continues)."""
    before = text[max(0, table.span.start - 80) : table.span.start]
    captions = _UNIT_CAPTION.findall(before)
    if captions:
        return captions[-1]
    # A caption ending in the unit: “表2 项目支出明细表（元）”.
    caption = before.rstrip().rsplit("\n", 1)[-1]
    m = UNIT_IN_HEADER.search(caption)
    if m and m.end() >= len(caption.rstrip()) - 1:
        return m.group(1)
    for row in rows[:3]:
        for cell in row:
            # A title row inside the grid (“金额单位：元”), or “(元)” in a header cell.
            m = _UNIT_CAPTION.search(_text(cell)) or UNIT_IN_HEADER.search(_text(cell))
            if m:
                return m.group(1)
    return unit_in_note(text, table.span.end)


# A note under a table that states its unit: “注：本表金额单位为元。”, “说明：单位：万元”.
_UNIT_NOTE = re.compile(
    r"\s*(?:注|说明|备注)\s*\d?\s*[:：]?[^\n]{0,16}?单位\s*(?:为|是|均为|[:：])\s*"
    r"(万元|千元|亿元|元)"
)


def unit_in_note(text: str, end: int) -> str | None:
    """The unit a note on the first line (past blank ones) after a table ending at ``end``
    states; a bare “单位：万元” there is the next table's caption, not a note."""
    if end > 0 and text[end - 1 : end] != "\n":  # from the line after the table's last
        nl = text.find("\n", end)
        end = len(text) if nl < 0 else nl + 1
    m = _UNIT_NOTE.match(text, end)
    return m.group(1) if m else None
