"""Where a figure is no achievement: the parts of a report about the budget's own figures,
and sums of money the report states as budget or 三公 fields.

Owns: telling a section about 预算执行 / 收支 / 三公 / 项目支出 / the indicator table
(lexicon lists.toml ``achievement_not_parts``) from an achievement part (工作成效, 履职,
产出 …: ``achievement_part_words`` and the achievements' heading words), the nearest such
title deciding; and the set of money values stated as ``budget.*`` or ``three_public.*``
fields, so that an achievement sentence restating one (项目支出386.06万元) does not export
it as a result of the unit's work. Used by narrative.py; must not read figures itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from service.extract.lexicon import lexicon
from service.extract.sections import Section
from service.records import Value


@cache
def _not_parts() -> re.Pattern[str]:
    return re.compile(lexicon().words_pattern("achievement_not_parts"))


@cache
def _part_words() -> re.Pattern[str]:
    lex = lexicon()
    heading = lex.field("achievements[].text").label_pattern()
    return re.compile(f"{lex.words_pattern('achievement_part_words')}|{heading}")


def budget_title(title: str) -> bool:
    """A title about the budget's own figures (预算执行情况, “三公”经费控制情况, 项目支出
    情况, 绩效自评表), not about what the work achieved (资金使用成效)."""
    return bool(_not_parts().search(title)) and not _part_words().search(title)


def in_budget_part(section: Section) -> bool:
    """Whether ``section`` lies in a budget part: the nearest title, from it outwards, that
    is a budget title or an achievement title decides (“（四）履职成效” under “二、部门整体
    支出绩效情况” is an achievement part; “（一）预算执行情况” under “绩效目标完成情况” is not)."""
    node: Section | None = section
    while node is not None and node.level:
        if budget_title(node.title):
            return True
        if _part_words().search(node.title):
            return False
        node = node.parent
    return False


_MONEY_PATHS = ("budget.", "three_public.")


def restated_money(stated: Iterable[tuple[str, Value]]) -> Callable[[Value], bool]:
    """Whether a value is a sum of money (万元, not zero) equal to one stated as a budget or
    三公 field (``stated``: path and value of each statement), to the cent."""
    cents = {
        round(float(v.value) * 100)
        for path, v in stated
        if path.startswith(_MONEY_PATHS)
        and v.unit == "万元"
        and isinstance(v.value, int | float)
        and v.value
    }

    def restated(v: Value) -> bool:
        return (
            v.unit == "万元"
            and isinstance(v.value, int | float)
            and round(float(v.value) * 100) in cents
        )

    return restated
