"""A money unit stated once beside a label (收入合计（元）：12,345,600.00, 公务接待费（万元）：
1.20, 单位：元): the bare figure right after it is money in that unit.

Owns only that reading; the readers (prose.py, three_public.py) decide whose figure it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from service.extract.clauses import Hit
from service.records.numbers import parse_quantity

# The unit in brackets right before the figure (a colon may follow it).
_UNIT_BESIDE = re.compile(
    r"[(（]\s*(?:单位\s*[:：]\s*)?(?P<unit>亿元|万元|元)\s*[)）]\s*(?:为|是)?\s*[:：]?\s*$"
)


def with_stated_unit(src: str, label_end: int, found: Hit) -> Hit:
    """``found`` as money when it is a bare number and the unit stands between the label
    (ending at ``label_end``) and it; else ``found`` unchanged."""
    if found.kind != "number" or found.start < label_end:
        return found
    m = _UNIT_BESIDE.search(src, label_end, found.start)
    if m is None:
        return found
    q = parse_quantity(src[found.start : found.end] + m.group("unit"))
    if q is None or not q.is_money:
        return found
    return Hit(replace(q, start=found.q.start, end=found.q.end), found.offset, "money")
