"""Which column of a money table (基础数据表, 收支情况表, project table) holds what, by its
header: one header row, or two where a period (2023年 / 本年度 / 上年) stands over the kinds
(预算数 | 决算数) it spans.

Owns: column → role (``budget``, ``initial_budget``, ``final``, ``previous_final``,
``execution_rate``, ``change``, ``change_pct``) from the header words, years read by the
latest year being this year's; the 项目名称 column of a project table; the row label left
of the figures (a 序号 passed over). Must not read figures (tables.py does).
"""

from __future__ import annotations

import re
from functools import cache

from service.document import Cell
from service.extract.lexicon import lexicon
from service.extract.money_rows import BARE_TOTAL, LINE_LABEL_PREFIX, is_money_label, line_field
from service.extract.table_headers import cell_quantity, covering, header_key, role_of, squeeze
from service.extract.three_public_table import change_kind
from service.records.numbers import is_blank

Rows = list[list[Cell | None]]
YEAR_COL = re.compile(r"(?P<year>\d{4})\s*年度?\s*(?P<kind>决算|预算|执行)数?")
# A column headed by its year alone (“2025年”, “2024年度(元)”): that year's actual figure.
_BARE_YEAR_COL = re.compile(r"(?P<year>\d{4})\s*年度?(?P<kind>)(?:实际|支出)?(?:数|金额)?")
_POINTS_COL = re.compile(r"^(?:分值|得分|权重)$")
# A period over the kinds it spans; 本年度 / 今年 / 上年度 / 去年 read as 本年 / 上年.
_PERIOD = re.compile(r"^(?:\d{4}\s*年度?|(?:本|上|当|今|去)年度?|本期|上期|上年同期)$")
_THIS_OR_LAST = re.compile(r"^(本|上|当|今|去)年度?")
_SERIAL = re.compile(r"^\s*(?:\d{1,3}|[一二三四五六七八九十]{1,2})\s*[、.．]?\s*$")
CHANGE = ("change", "change_pct")


def _text(cell: Cell | None) -> str:
    return "" if cell is None else squeeze(cell.text)


# A period leading a column's header (2023年, 本年度, 上年, 上年同期, 上期) and the kind
# word after it (决算数, 调整后预算, 实际支出 …); a bare period is that period's figure.
_LEAD_PERIOD = re.compile(
    r"^(?:(?P<year>\d{4})年度?|(?P<last>上|去)年度?(?:同期)?|上期|同期|(?:本|当|今)年度?|本期)"
)
_LAST_WORD = re.compile(r"^(?:上|去|同期)")


def _period_role(key: str) -> tuple[int | None, bool, str | None] | None:
    """(year, last year?, role of the kind word) of a header that starts with a period;
    None when it does not (or the period is followed by no money word: 2023年目标)."""
    m = _LEAD_PERIOD.match(key)
    if m is None:
        return None
    rest = key[m.end() :]
    role = role_of(rest, "budget.lines") if rest else "final"
    if rest and role is None:
        # the lexicon's words with their own period (上年决算数, 本年预算数) read whole
        role = role_of(key, "budget.lines")
        if role is None:
            return None
    if role == "previous_final":
        return None  # 上年决算 / 上年数: a word of its own, read as such
    year = int(m.group("year")) if m.group("year") else None
    return year, bool(m.group("last") or _LAST_WORD.match(key)), role


def money_columns(texts: list[str]) -> dict[int, str]:
    """Column → role for a money table header: plan and final columns (年初预算数 /
    调整后预算数 / 决算数 / 执行率), each perhaps led by its period (2023年预算数, 本年度
    实际支出, 2022年决算 — the latest year is this year, an earlier one or 上年 last
    year's, whose budget is no field). Empty when the row is not such a header (fewer
    than two money columns, or points columns, which belong to the 自评表's budget
    block)."""
    if any(_POINTS_COL.match(t) for t in texts):
        return {}
    periods = {c: p for c, t in enumerate(texts) if (p := _period_role(header_key(t)))}
    years = {p[0] for p in periods.values() if p[0] is not None}
    this_year = max(years, default=None)
    # of several earlier years (2020年决算 | 2021年决算 | 2022年决算) the latest is last year
    last_year = max((y for y in years if this_year is not None and y < this_year), default=None)
    lone_year = len([p for p in periods.values() if p[0] is not None]) == 1
    word_roles = {c: role_of(t, "budget.lines") for c, t in enumerate(texts) if c not in periods}
    # this year's final named without a year: 决算数, 本年决算
    other_final = "final" in word_roles.values() or any(
        p[0] is None and not p[1] and p[2] == "final" for p in periods.values()
    )
    roles: dict[int, str] = {}
    for c in range(len(texts)):
        if c in periods:
            year, last, role = periods[c]
            if year is not None and lone_year and role == "final" and other_final:
                last = True  # 2022年决算 beside 决算数 (本年决算) is last year's
            if last or (year is not None and this_year is not None and year < this_year):
                role = "previous_final" if role == "final" else None
                if year is not None and last_year is not None and year != last_year:
                    role = None
        else:
            role = word_roles[c]
        if role is None or role == "item" or role in roles.values():
            continue
        roles[c] = role
    money = [r for r in roles.values() if r != "execution_rate"]
    # A project table (项目名称 first) may give a single amount column.
    enough = 2 - (project_name_col(texts) is not None)
    if not (money and len(money) >= enough and min(roles) > 0):
        return {}
    return _with_changes(roles, texts)


def _with_changes(roles: dict[int, str], texts: list[str]) -> dict[int, str]:
    """The money columns and the 增减额 / 增减率 beside them (a 三公 table's change)."""
    for c, t in enumerate(texts):
        if c not in roles and (kind := change_kind(t)) is not None:
            roles[c] = kind
    return roles


def _is_words(row: list[Cell | None]) -> bool:
    texts = [_text(c) for c in row if _text(c)]
    return bool(texts) and all(cell_quantity(t) is None and not is_blank(t) for t in texts)


def two_row_texts(rows: Rows, i: int, grid: Rows | None = None) -> list[str] | None:
    """Each column's words of a header written over rows ``i`` and ``i + 1``: a period
    (2023年, 本年度, 上年) over the kinds it spans (预算数 | 决算数), merged or written once
    with the cells to its right left empty. None unless the upper row names a period and
    the lower row holds two or more words and no figure. ``grid``: ``covering(rows)``
    where the caller has it."""
    if i + 2 >= len(rows) or not (_is_words(rows[i]) and _is_words(rows[i + 1])):
        return None
    grid = covering(rows) if grid is None else grid
    upper, lower = grid[i], grid[i + 1]
    if not any(_PERIOD.match(_text(c)) for c in upper) or sum(map(bool, map(_text, lower))) < 2:
        return None
    out, period = [], ""
    for c, top in enumerate(upper):
        low = lower[c] if c < len(lower) else None
        word = _text(top)
        if word:
            period = word if _PERIOD.match(word) else ""
        elif period:
            word = period  # the period written once over the columns to its right
        below = _text(low) if low is not top else ""
        out.append(_THIS_OR_LAST.sub(_period_key, word) + below if below else word)
    return out


def money_header(
    rows: Rows, i: int, texts: list[str], grid: Rows | None = None
) -> tuple[dict[int, str], int]:
    """The money columns of a header at row ``i`` (``texts`` its words), over one row or
    two (2023年 | 2022年 over 预算数 | 决算数 | 决算数), and the header's last row;
    ``grid`` as for ``two_row_texts``."""
    roles, head = money_columns(texts), i
    stacked = two_row_texts(rows, i, grid)
    if stacked is not None and len(more := money_columns(stacked)) > len(roles):
        roles, head = more, i + 1
    if roles and _bare_years(roles, stacked or texts) and not _names_money(rows[head + 1 :], roles):
        return {}, i  # 2024年 | 2025年 over counts: no money table
    return roles, head


def _bare_years(roles: dict[int, str], texts: list[str]) -> bool:
    """Every money column is headed by its year alone (2024年 | 2025年)."""
    return all(_BARE_YEAR_COL.fullmatch(header_key(texts[c])) for c in roles if c < len(texts))


def _names_money(rows: Rows, roles: dict[int, str]) -> bool:
    """A row below names a budget or 三公 line (支出合计, 公务接待费 …)."""
    return any(
        (label := row_label(row, min(roles))) is not None and is_money_label(label.text)
        for row in rows
    )


def stacked_words(upper: list[str], lower: list[str]) -> list[str] | None:
    """A text line's header over two lines whose empty cells vanished: the lower words
    (预算数 决算数 决算数) grouped where a kind repeats, each group under its period of the
    upper line (2023年 2022年), the upper line's other words (项目) columns of their own.
    None unless the groups match the periods one to one."""
    periods = [w for w in upper if _PERIOD.match(w)]
    groups: list[list[str]] = []
    seen: set[str | None] = set()
    for w in lower:
        kind = role_of(w, "budget.lines")
        if not groups or kind in seen:
            groups.append([])
            seen = set()
        groups[-1].append(w)
        seen.add(kind)
    if not periods or len(groups) != len(periods):
        return None
    spread = iter(groups)
    out = []
    for w in upper:
        if _PERIOD.match(w):
            out += [_THIS_OR_LAST.sub(_period_key, w) + low for low in next(spread)]
        else:
            out.append(w)
    return out


def _period_key(m: re.Match[str]) -> str:
    return "上年" if m.group(1) in "上去" else "本年"


# The part of a merged group that is the group itself: 公务用车… | 小计.
_GROUP_PART = re.compile(r"\s*(?:小计|合计|总计|计)\s*$")


def row_label(row: list[Cell | None], upto: int) -> Cell | None:
    """The row's label left of column ``upto``: its first words that are not a 序号, past
    a group cell merged down over several rows (类别 | 支出) when a label follows it (not
    when that label is the group's 小计 or 合计: then the group names the row)."""
    found = [c for c in row[:upto] if c is not None and _text(c) and not _SERIAL.match(c.text)]
    if found and found[0].row_span > 1 and len(found) > 1 and not _GROUP_PART.match(found[1].text):
        return found[1]
    return found[0] if found else None


def names_projects(texts: list[str]) -> bool:
    """A bare “项目” column heads a 收支 table's items; a project table names them
    (项目名称, 专项名称 …)."""
    col = project_name_col(texts)
    return col is not None and header_key(texts[col]) != "项目"


def project_name_col(texts: list[str]) -> int | None:
    """The 项目名称 column of a project table's header (among its first three)."""
    rx = _project_header()
    return next((c for c, t in enumerate(texts[:3]) if rx.search(header_key(t))), None)


@cache
def _project_header() -> re.Pattern[str]:
    return re.compile(lexicon().words_pattern("project_table_headers"))


def is_three_public_block(rows: Rows, label_cols: int) -> bool:
    """The rows are the 三公 items (出国/接待/公务用车) and nothing of the whole budget."""
    kinds = set()
    for row in rows:
        label = _text(row_label(row, label_cols))
        key = LINE_LABEL_PREFIX.sub("", label).rstrip(":：")
        found = None if BARE_TOTAL.match(key) else line_field(key)
        if found:
            kinds.add(found[0])
    return kinds == {"tp"}
