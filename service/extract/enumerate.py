"""Inline enumerations: “名称 金额万元” items in one sentence or paragraph.

Owns splitting a run of items separated by ，；。 or “(N)” into named amounts, telling a
numbered item that heads the items after it (“（1）工资福利支出：…”). Used by the project
reader and by the 基本支出 breakdown in prose.py. Must not decide which field an item is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.extract.ground import Grounder
from service.records import Value
from service.records.numbers import QUANTITY_RE, Quantity, parse_quantity


@dataclass
class Item:
    name: Value
    value: Value | None
    numbered: bool
    head: bool


_SEGMENT_SEP = re.compile(r"[，,；;。:：]|(?=[(（]\d{1,2}[)）])")
_LEAD = re.compile(r"\s*(?:[(（](?P<n>\d{1,2})[)）])?\s*(?:其中|具体情况为|包括)?\s*")


def inline_items(g: Grounder, start: int, end: int, loc: str) -> list[Item]:
    """“名称 金额万元” items separated by ，；。 or “(N)”; a numbered item followed by “：”
    heads the items after it."""
    text = g.src
    out: list[Item] = []
    seg_start = start
    for m in list(_SEGMENT_SEP.finditer(text, start, end)) + [None]:
        seg_end = m.start() if m else end
        item = _segment(g, seg_start, seg_end, loc)
        if item is not None:
            item.head = bool(m and m.group(0) in ":：")
            out.append(item)
        seg_start = m.end() if m else end
    return out


def _segment(g: Grounder, start: int, end: int, loc: str) -> Item | None:
    text = g.src
    lead = _LEAD.match(text, start, end)
    name_start = lead.end() if lead else start
    money = None
    for q in QUANTITY_RE.finditer(text, name_start, end):
        if q.group("unit") in ("万元", "元", "亿元", "千元") and text[q.end() : end].strip() == "":
            money = q
    if money is None or money.start() <= name_start:
        return None
    name_end = money.start()
    if money.group("dir"):
        return None
    name = g.text(name_start, name_end, loc)
    if name is None or len(str(name.value)) < 2:
        return None
    amount_q: Quantity | None = parse_quantity(money.group(0))
    value = g.quantity(amount_q, money.start(), loc) if amount_q else None
    numbered = bool(lead and lead.group("n"))
    return Item(name=name, value=value, numbered=numbered, head=False)
