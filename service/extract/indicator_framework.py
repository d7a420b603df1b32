"""The 部门整体支出 common indicator framework (共性指标体系): which 一级/二级 a standard
三级 name stands under, from the lexicon's ``indicator_framework:<一级>/<二级>`` lists.

Owns: the level names of the framework (投入, 过程, 产出, 效益; 预算配置, 预算执行 …), and
giving rows their levels from it where the document states none (no level columns, no
level lines). A level so given is grounded on the indicator's own name, whose words it
was read from, and its locator says it was inferred. A name under two groups
(管理制度健全性: 预算管理 and 资产管理) gets none. Knows nothing of tables or text.
"""

from __future__ import annotations

import re
from functools import cache

from service.extract.lexicon import lexicon
from service.extract.table_headers import squeeze
from service.memo import memo
from service.records import Indicator, Value

_PREFIX = "indicator_framework:"
LOCATOR_NOTE = "inferred from the 部门整体 framework"


@cache
def _groups() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    out = []
    for key, fragments in lexicon().word_lists:
        if key.startswith(_PREFIX):
            level1, level2 = key.removeprefix(_PREFIX).split("/", 1)
            out.append((level1, level2, re.compile("|".join(f"(?:{f})" for f in fragments))))
    return tuple(out)


@cache
def framework_levels() -> tuple[frozenset[str], dict[str, str]]:
    """The framework's level-1 names and its level-2 names → their level 1."""
    level1 = frozenset(g[0] for g in _groups())
    return level1, {g[1]: g[0] for g in _groups()}


@memo(16384)
def levels_of(name: str) -> tuple[str, str] | None:
    """(一级, 二级) of a standard 三级 name, or None (unknown, or under two groups).
    Cached: the levels are settled by asking it of every row for each label."""
    key = squeeze(name)
    found = {(a, b) for a, b, rx in _groups() if rx.fullmatch(key)}
    return found.pop() if len(found) == 1 else None


def known_name_end(text: str, start: int, end: int) -> int | None:
    """Where a standard 三级 name at ``start`` ends (the longest), or None."""
    ends = [m.end() for _, _, rx in _groups() if (m := rx.match(text, start, end))]
    return max(ends, default=None)


def _inferred(level: str, name: Value) -> Value:
    source = name.source
    if source is not None:
        locator = f"{source.locator} ({LOCATOR_NOTE})" if source.locator else LOCATOR_NOTE
        source = source.model_copy(update={"locator": locator})
    return name.model_copy(update={"value": level, "source": source, "unit": None})


def with_framework_levels(rows: list[Indicator]) -> list[Indicator]:
    """``rows`` with 一级/二级 from the framework, where no row states a level."""
    if any(r.level1 is not None or r.level2 is not None for r in rows):
        return rows
    out = []
    for r in rows:
        levels = levels_of(str(r.level3.value)) if r.level3 is not None else None
        if levels is None:
            out.append(r)
            continue
        l1, l2 = levels
        out.append(
            r.model_copy(
                update={"level1": _inferred(l1, r.level3), "level2": _inferred(l2, r.level3)}
            )
        )
    return out
