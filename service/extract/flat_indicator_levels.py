"""Level names at the start of a glued 自评表 line (flat_indicators.py reads the lines).

Owns: matching the 一级/二级 names a flattened copy glues before a row's name or writes on
a line of their own: the lists' names (产出指标, 数量指标 …), other templates' level-1
names (项目产出, 履职效果), the 部门整体 framework's (投入, 预算执行 — not 预算执行率),
level-2 names without 指标 (数量, 社会效益) where a name follows or the line ends, a
number before them (一、) and the marks after them (—, ：, brackets). Knows nothing of rows.
"""

from __future__ import annotations

import re
from functools import cache

from service.extract.indicator_framework import framework_levels
from service.extract.indicators import LEVEL1_NAMES, LEVEL2_FAMILY

LEVEL_SUFFIX = r"(?:[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）])?"
_KNOWN_LEVELS = sorted([*LEVEL1_NAMES, *LEVEL2_FAMILY], key=len, reverse=True)
_LEVEL = re.compile(
    "(?:"
    + "|".join(re.escape(n) for n in _KNOWN_LEVELS)
    + r"|[\u4e00-\u9fff]{2,4}效益指标"
    # Level-1 names of other templates: 项目产出, 部门效益, 履职效果 …
    + r"|(?:项目|部门|整体|履职)(?:产出|效益|效果|成本|满意度)(?:指标)?)"
    + LEVEL_SUFFIX
)


@cache
def _framework_level() -> re.Pattern[str]:
    """The 部门整体 framework's level names (投入, 过程, 预算执行 …), not where a name goes
    on with 率 or 性 (预算执行率 is a 三级 name)."""
    level1, level2 = framework_levels()
    names = sorted({*level1, *level2} - {*LEVEL1_NAMES}, key=len, reverse=True)
    alternation = "|".join(map(re.escape, names))
    return re.compile(f"(?:{alternation})(?:指标)?(?![率性]){LEVEL_SUFFIX}")


def level_at(
    text: str, pos: int, end: int, bare: bool = False, alone: bool = False
) -> re.Match[str] | None:
    """A level name at ``pos``; with ``bare``, also a level-2 name written without 指标
    (数量, 社会效益) that a name follows, or (``alone``) that ends a line of level names."""
    m = _LEVEL.match(text, pos, end) or _framework_level().match(text, pos, end)
    if m is None and bare:
        m = BARE_LEVEL2.match(text, pos, end)
        m = m or (BARE_LEVEL2_ALONE.fullmatch(text, pos, end) if alone else None)
    return m


# Level-2 names without 指标, not where the word goes on as a name (数量率, 质量性).
_BARE_NAMES = "|".join(
    sorted((re.escape(n.removesuffix("指标")) for n in LEVEL2_FAMILY), key=len)[::-1]
)
BARE_LEVEL2_ALONE = re.compile(rf"(?:{_BARE_NAMES}){LEVEL_SUFFIX}")
# (with a name after it: a bare name alone on a row's line is that row's own name)
BARE_LEVEL2 = re.compile(rf"(?:{_BARE_NAMES})(?![率性指]){LEVEL_SUFFIX}(?=[\u4e00-\u9fff])")


# Before a level name on a line of its own: its number (一、 （一） 1. (1)).
LEVEL_NUMBERING = re.compile(
    r"\s*(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.．]|[(（]?\d{1,2}[)）、.．])\s*"
)


def past_separators(text: str, pos: int, end: int) -> int:
    """Past the spaces and marks after a level name (产出指标—数量指标：)."""
    while pos < end and text[pos] in " \u3000—-－/、:：()（）":
        pos += 1
    return pos
