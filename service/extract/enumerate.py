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
from service.records.numbers import COUNT_UNITS, QUANTITY_RE, Quantity, parse_quantity


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


# --- markers of list items and “name amount” runs --------------------------------------------

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CN_ORD = "一二三四五六七八九十"
# NFKC reads ① as “1”: a bare number glued to a word leads an item unless it counts something.
_NOT_BARE = "(?:" + "|".join([*COUNT_UNITS, *"年月日号万亿元千百余多倍届季岁位周"]) + ")"
# The lead of a list item, in any numbering style: （1） (1) 1) 1. 1、 ① 一是 第一， （一）.
ITEM_MARKER = re.compile(
    rf"(?:[(（]\s*(?P<paren>\d{{1,2}}|[{_CN_ORD}]{{1,3}})\s*[)）]|(?P<arabic>\d{{1,2}})\s*(?:[.．、](?!\d)|[)）])"
    rf"|(?P<circled>[{_CIRCLED}])|(?P<bare>\d{{1,2}})(?=[\u4e00-\u9fff])(?!{_NOT_BARE})|(?P<shi>[{_CN_ORD}]{{1,3}})\s*是|第(?P<ordinal>[{_CN_ORD}]{{1,3}})\s*[，,、:：]"
    rf"|(?P<cn>[{_CN_ORD}]{{1,3}})\s*[、.](?!\d))\s*"
)


_BARE_COUNTED = re.compile(rf"(?<=[；;:：])\s*(\d{{1,2}})(?=[\u4e00-\u9fff])(?={_NOT_BARE})")


def lead_marker(text: str, start: int, end: int) -> re.Match[str] | None:
    """The item marker at ``start``: any ``ITEM_MARKER``, or a bare number before a count
    word right after a clause end (“；2人居环境整治经费…”)."""
    return ITEM_MARKER.match(text, start, end) or _BARE_COUNTED.match(text, start, end)


def marker_number(m: re.Match[str]) -> tuple[str, int]:
    """(style, number) of an ``ITEM_MARKER`` match: items of one list share a style."""
    from service.records.numbers import parse_chinese_integer

    for style in ("paren", "arabic", "bare", "shi", "ordinal", "cn"):
        token = m.group(style)
        if token:
            n = int(token) if token.isdigit() else parse_chinese_integer(token)
            kind = "paren_cn" if style == "paren" and not token.isdigit() else style
            return kind, n or 0
    return "circled", _CIRCLED.index(m.group("circled")) + 1


def numbered_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) of each item of an inline numbered list (“一是…；二是…。”, “（1）…（2）…”)
    in text[start:end]: markers of one style counting 1, 2, 3 … each standing at the start
    or after a sentence or clause end. Empty when fewer than two such items."""
    by_style: dict[str, list[tuple[int, int, int]]] = {}
    marks = [(m, *marker_number(m)) for m in ITEM_MARKER.finditer(text, start, end)]
    # “；2人居环境整治经费…” (② read as 2): a bare number before a count word leads an
    # item too where it goes on a run after a clause end
    marks += [(m, "bare", int(m.group(1))) for m in _BARE_COUNTED.finditer(text, start, end)]
    for m, style, n in sorted(marks, key=lambda x: x[0].start()):
        gap = text[start : m.start()]
        before = gap.rstrip(" \t\u3000\n")
        at_line_start = "\n" in gap[len(before) :]
        if before and before[-1] not in "。；;:：，,!！?？" and not at_line_start:
            continue
        by_style.setdefault(style, []).append((n, m.start(), m.end()))
    best: list[tuple[int, int]] = []
    for marks in by_style.values():
        run: list[tuple[int, int]] = []
        expected = 1
        for n, s, e in marks:
            if n == expected:
                run.append((s, e))
                expected += 1
        if len(run) >= 2 and len(run) > len(best):
            best = run
    if len(best) < 2:
        return []
    out = []
    for k, (s, _e) in enumerate(best):
        stop = best[k + 1][0] if k + 1 < len(best) else end
        out.append((s, stop))
    return out


@dataclass
class NamedAmount:
    """One “名称 金额” of a run: ``word`` is the budget/spending word between them, if any."""

    name_start: int
    name_end: int
    money: Quantity
    offset: int  # where the quantity's offsets count from
    word: str = ""


_MONEY_UNITS = ("万元", "元", "亿元", "千元")
_BRACKETED_AGAIN = re.compile(r"\s*[(（][^()（）]{0,24}[)）]")
_CLAUSE_SEP = "，,；;、:：。\n"


def money_quantities(
    text: str, start: int, end: int, name_tails: bool = False
) -> list[tuple[int, Quantity]]:
    """(offset, quantity) of each sum of money written with a 元 unit in text[start:end],
    not a change (增加/减少…) and not inside brackets (a breakdown of the figure before),
    unless the brackets hold the sum alone right after a name (“堤防加固（350万元）”).
    With ``name_tails`` a change word glued to a name ends the name (“服务能力提升88万元”)."""
    from service.records.numbers import find_quantities

    out: list[tuple[int, Quantity]] = []
    depth = 0
    pos = start
    for q in find_quantities(text[start:end]):
        for ch in text[pos : start + q.start]:
            depth += ch in "(（"
            depth -= ch in ")）" and depth > 0
        pos = start + q.start
        if q.direction and name_tails:
            q = _name_tail(text, start, q)
        raw_unit = q.original_unit or q.unit
        if depth and not _bracketed_alone(text, start + q.start, start + q.end):
            continue
        if q.direction or raw_unit not in _MONEY_UNITS or q.value is None:
            continue
        out.append((start, q))
    return out


_BRACKET_ALONE = re.compile(r"[\u4e00-\u9fff“”\"][(（]\s*$")
# A quantity word (支出增加…) or a comparison (比上年增加…) makes the change word a change.
_CHANGE_OF = re.compile(r"(?:支出|收入|预算|经费|资金|拨款|金额|总额|比|较|同比|环比|上年|去年)$")


def _bracketed_alone(text: str, at: int, end: int) -> bool:
    """“名称（350.00万元）”, “名称（支出350万元）”, “名称（预算360万元，实际支出350万元）”:
    brackets right after a name holding only its sums (each with at most a word before
    it) give the item's sums, not a breakdown of a figure before."""
    opened = max(text.rfind("（", 0, at), text.rfind("(", 0, at))
    closed = re.compile(r"[)）]").search(text, end)
    if opened < 1 or closed is None:
        return False
    before = text[max(0, opened - 8) : opened + 1]
    return bool(
        _BRACKET_ALONE.search(before)
        and not re.search(r"\d\s*[万亿千]?元[(（]\s*$", before)
        and _SUMS_ONLY.fullmatch(text, opened + 1, closed.start())
    )


# What brackets after a name may hold: sums, each after a short word (预算, 实际支出).
_SUMS_ONLY = re.compile(
    r"(?:\s*[^\d()（），,；;、]{0,8}?\s*\d[\d,.]*\s*(?:万元|元|亿元|千元)\s*[，,；;、]?)+\s*"
)


def ends_in_change(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] ends with a change of a quantity (“…支出增加”, “比上年减少了”):
    the sum after it is a change, not an item's figure."""
    from service.records.numbers import DIRECTION_WORDS

    head = text[start:end].rstrip()
    head = head[:-1] if head.endswith("了") else head
    word = max((w for w in DIRECTION_WORDS if head.endswith(w)), key=len, default="")
    before = head[: len(head) - len(word)]
    return bool(word) and (bool(_CHANGE_OF.search(before)) or bool(re.search(r"[比较]", before)))


def _name_tail(text: str, offset: int, q: Quantity) -> Quantity:
    """The quantity without its change word when that word ends a name
    (“服务能力提升88.00万元”, “产能增长项目”): glued to a noun, no comparison before it."""
    from dataclasses import replace

    from service.records.numbers import DIRECTION_WORDS

    at = offset + q.start
    word = max((w for w in DIRECTION_WORDS if text.startswith(w, at)), key=len, default="")
    if not word or not re.match(r"[\u4e00-\u9fff]", text[at - 1 : at]):
        return q
    clause = re.split(r"[，,；;。:：、\n]", text[max(0, at - 24) : at])[-1]
    if _CHANGE_OF.search(clause) or re.search(r"比|较", clause):
        return q
    if text.startswith("了", at + len(word)):
        return q
    return replace(q, direction=None, start=q.start + len(word))


def named_amounts(text: str, start: int, end: int, words: re.Pattern[str]) -> list[NamedAmount]:
    """Every “名称 [word] 金额” in text[start:end]: the name is the text after the previous
    amount, cut at the last clause separator before the amount; ``words`` (budget and
    spending verbs) standing right before the amount are kept apart from the name."""
    out: list[NamedAmount] = []
    floor = start
    for offset, q in money_quantities(text, start, end, name_tails=True):
        at = offset + q.start
        name_start = floor
        for i in range(at - 1, floor - 1, -1):
            if text[i] in _CLAUSE_SEP:
                name_start = i + 1
                break
        name_end, word = at, ""
        head = text[name_start:at]
        for m in words.finditer(head):
            if re.fullmatch(
                r"(?:数|金额|资金|了|为|是|共|计|共计|合计|达|约|\s)*", head[m.end() :]
            ):
                name_end, word = name_start + m.start(), m.group(0)
                break
        before = name_start - 1
        if (
            word
            and not text[name_start:name_end].strip()
            and text[before : before + 1] in ("，", ",")
            and text[floor:before].strip(" \t\n\u3000，,；;、")
        ):
            # “A经费，支出3,686,900.00元；B…”: the name is the clause before the verb
            prev = max(text.rfind(c, floor, before) for c in _CLAUSE_SEP)
            name_start, name_end = max(prev + 1, floor), before
        out.append(NamedAmount(name_start, name_end, q, offset, word))
        floor = offset + q.end
        # “2078400.00元（207.84万元）”: the same sum again in brackets belongs to it
        if again := _BRACKETED_AGAIN.match(text, floor, end):
            floor = again.end()
    return out
