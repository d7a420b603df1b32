"""What a row label of a money table names: a budget or 三公 field, by the 基础数据表's
labels and the lexicon's (budget.* labels and row labels, the 三公 items' labels).

Owns: stripping a row label's lead-in (其中：, 1、, 一、, （二）), mapping it to
(``budget`` | ``budget_final`` | ``tp``, name) or to a budget.* path, and saying whether a
label anchors a money table written as text lines (flat_money.py). Must not read figures.
"""

from __future__ import annotations

import re
from functools import cache

from service.extract.lexicon import lexicon
from service.extract.pattern_needs import Needs, any_of, needs
from service.extract.table_headers import squeeze
from service.extract.three_public_table import three_public_item

# “其中：”, “1、”, “一、”, “（二）” before a row label
LINE_LABEL_PREFIX = re.compile(
    r"^\s*(?:其中\s*[:：]?)?\s*"
    r"(?:\d{1,2}\s*[、.]|[一二三四五六七八九十]{1,2}\s*、|[(（][一二三四五六七八九十\d]{1,2}[)）])?\s*"
)
# 基础数据表 row label → (field kind, path)
_LINE_FIELDS: list[tuple[str, str, str]] = [
    (r"^(?:支出总额|支出合计|总支出|合计)$", "budget", "total_expenditure"),
    (r"^(?:部门|本部门|单位)(?:支出(?:合计|总计|总额)|总支出)数?$", "budget", "total_expenditure"),
    (r"^(?:支出(?:合计|总计|总额))数$|^部门整体支出(?:合计)?$", "budget", "total_expenditure"),
    (r"^基本支出(?:合计|小计)?$", "budget", "basic_expenditure"),
    (r"^人员经费$", "budget", "personnel_expenditure"),
    (r"^(?:日常)?公用经费$", "budget", "public_expenditure"),
    (r"^项目支出(?:合计|小计)?$", "budget", "project_expenditure"),
    (r"^(?:部门)?基本支出预算调整$", "budget_final", "basic_budget_adjustment"),
    (r"^[“\"]?三公[”\"]?经费(?:合计)?$", "tp", "total"),
    (r"^公务用车(?:购置(?:和|及)(?:运行)?维护)?(?:经)?费?(?:用)?$", "tp", "vehicle"),
    (r"^(?:公车|公务用车)购置(?:费)?$", "tp", "vehicle_purchase"),
    (r"^(?:公车|公务用车)运行(?:维护)?(?:费)?$", "tp", "vehicle_operation"),
    (r"^(?:出国经费|因公出国[(（]?境?[)）]?费?(?:用)?)$", "tp", "overseas"),
    (r"^(?:公务用车|公车)购置费?(?:和|及|与|、)运行(?:维护)?费?(?:用)?$", "tp", "vehicle"),
    (r"^(?:国内)?公务接待(?:费)?(?:用)?$", "tp", "reception"),
]
BARE_TOTAL = re.compile(r"^(?:合计|总计|小计)$")


def is_money_label(label: str) -> bool:
    """A row label that makes lines a money table: a budget or 三公 line the lexicon or
    the 基础数据表 knows. A bare total does not (“合计 100 99” closes a 自评表 too)."""
    key = LINE_LABEL_PREFIX.sub("", squeeze(label)).rstrip(":：")
    return bool(not BARE_TOTAL.match(key) and (line_field(key) or lexicon_row(key)))


def is_item(word: str) -> bool:
    """A header word naming a 三公 item (因公出国(境)费, 公务接待费 …)."""
    return three_public_item(word) is not None


@cache
def _lexicon_rows() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Money fields of the budget lexicon whose label a row can be named by whole."""
    out = []
    for e in lexicon().fields("budget."):
        if e.is_list:
            continue
        # Row labels add to the prose labels (a row may be named either way).
        pattern = "|".join(f"(?:{p})" for p in (e.row_label_pattern(), e.label_pattern()) if p)
        if e.kind == "money" and pattern:
            out.append((e.path, re.compile(pattern)))
    return tuple(out)


@cache
def _any_lexicon_row() -> re.Pattern[str] | None:
    return any_of([rx for _, rx in _lexicon_rows()])


def lexicon_row(key: str) -> str | None:
    """The budget.* path a row label names whole, by the lexicon."""
    gate = _any_lexicon_row()
    if gate is not None and gate.fullmatch(key) is None:
        return None  # most labels name no field: one search says so, not one per field
    return next((p for p, rx in _lexicon_rows() if rx.fullmatch(key)), None)


@cache
def _line_fields() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    return tuple((re.compile(p), kind, name) for p, kind, name in _LINE_FIELDS)


@cache
def _any_line_field() -> re.Pattern[str] | None:
    return any_of([rx for rx, _, _ in _line_fields()])


def line_field(key: str) -> tuple[str, str] | None:
    """(kind, name) of a 基础数据表 row label (without its lead-in), else None."""
    gate = _any_line_field()
    if gate is None or gate.match(key):
        for rx, kind, name in _line_fields():
            if rx.match(key):
                return kind, name
    item = three_public_item(key)  # the 三公 lexicon's other names (公车运维费 …)
    return ("tp", item) if item is not None else None


def budget_label_needs() -> Needs | None:
    """Strings one of which any key holds that ``line_field`` maps to a budget field (not
    a 三公 item) or ``lexicon_row`` maps at all; None where either has no such gate."""
    gates = (_any_line_field(), _any_lexicon_row())
    found = [needs(gate) if gate is not None else None for gate in gates]
    if any(n is None for n in found):
        return None
    return tuple(dict.fromkeys(s for n in found for s in n or ()))
