"""One glued 自评表 row split in the column order its header line names, by the shape of
each cell: the general case behind ``flat_indicators``.

``flat_indicators`` reads the common order (name, target, actual, points, deviation) right
to left. Other tables put the weight before the target (指标名称 权重 预期目标 完成情况 自评得分),
the deviation before the points, or write the target and the actual in words
(``完成及时率及时完成按时完成``: name, target 及时完成, actual 按时完成;
``群众满意度≥90%达到预期``). Here every way of cutting the row into the header's cells is
tried, each cell by its shape (a name: text; a target or actual: a comparator, a number and
a unit, or a phrase from the lexicon's ``indicator_text_values``; points: a number; a
deviation: text), and the cuts are ranked: phrases the lexicon knows before free text, a
target and actual in the same unit, a score no larger than its weight, then the shortest
name (the values take what the known shapes can). Pure text in, spans out: knows nothing
of documents or records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from service.extract.lexicon import lexicon
from service.records.numbers import COUNT_UNITS, MONEY_FACTORS

Span = tuple[int, int]
_UNITS = sorted([*COUNT_UNITS, *MONEY_FACTORS, "%", "‰"], key=len, reverse=True)
_COMPARATOR = re.compile(
    r"≥|≤|>=|<=|>|<|=|不低于|不少于|不高于|不超过|大于等于|小于等于|达到|约|≧|≦"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CJK_UNIT = re.compile(r"(?![年月日号时点度])[\u4e00-\u9fff]{1,5}")
_FREE_TEXT = re.compile(r"[^\d\s≥≤<>=%]{2,12}")
_VALUE_ROLES = ("target", "actual")
_POINT_ROLES = ("weight", "score")
_MAX_SPLITS = 2000

# Ranking costs (lower is better).
_FREE_VALUE = 3  # a target or actual in words no lexicon phrase matches
_UNIT_MISMATCH = 4  # a target and actual both with units, and different ones
_COMPARED_ACTUAL = 2  # an actual with a comparator (≥90%) is rarer than a target with one
_DECIMAL_WEIGHT = 1  # a 0.5-point weight is rarer than a 0.5-point score


@dataclass
class RowSplit:
    """The spans of one row's cells, by role; ``cost`` ranks the ways of cutting it."""

    spans: dict[str, Span] = field(default_factory=dict)
    cost: int = 0
    name_length: int = 0


@cache
def _text_values() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(f) for f in lexicon().words("indicator_text_values"))


def _valid_number(s: str) -> bool:
    return bool(re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d+)?", s))


def _quantities(text: str, p: int, end: int) -> list[tuple[int, int]]:
    """(end, cost) of every quantity starting at ``p``: comparator, number, unit."""
    q = p
    m = _COMPARATOR.match(text, q, end)
    compared = m is not None
    if m:
        q = m.end()
    out: list[tuple[int, int]] = []
    for n in _numbers_at(text, q, end):
        ends = {n}
        for u in _UNITS:
            if text.startswith(u, n) and n + len(u) <= end:
                ends.add(n + len(u))
        cm = _CJK_UNIT.match(text, n, end)
        if cm:
            ends.update(range(n + 1, cm.end() + 1))
        out += [(e, 1 if compared else 0) for e in ends]
    return out


def _numbers_at(text: str, p: int, end: int) -> list[int]:
    """Ends of the valid numbers starting at ``p`` (every prefix of a digit run that reads
    as a number: '1512' is 1|512, 15|12, 151|2 or 1512)."""
    m = _NUMBER.match(text, p, end)
    if m is None:
        return []
    return [e for e in range(p + 1, m.end() + 1) if _valid_number(text[p:e])]


def _values(text: str, p: int, end: int) -> list[tuple[int, int]]:
    """(end, cost) of a target or actual starting at ``p``."""
    out = _quantities(text, p, end)
    for rx in _text_values():
        m = rx.match(text, p, end)
        if m and m.end() > p:
            out.append((m.end(), 0))
    m = _FREE_TEXT.match(text, p, end)
    if m:
        out += [(e, _FREE_VALUE) for e in range(p + 2, m.end() + 1)]
    return out


def _known_or_figure(text: str, span: Span) -> bool:
    cell = text[span[0] : span[1]]
    return _is_figure(text, span) or any(rx.fullmatch(cell) for rx in _text_values())


def _points(text: str, p: int, end: int) -> list[tuple[int, int]]:
    return [(e, 0) for e in _numbers_at(text, p, end) if float(text[p:e]) <= 100]


def _name(text: str, p: int, end: int) -> list[tuple[int, int]]:
    """A 三级指标 name: two characters or more, not ending in a figure or a sign."""
    out = []
    for e in range(p + 2, end + 1):
        if re.search(r"[≥≤<>%]", text[e - 1]):
            break
        if not text[e - 1].isdigit() and text[e - 1] not in ". \u3000":
            out.append((e, 0))
    return out


def _deviation(text: str, p: int, end: int, last: bool) -> list[tuple[int, int]]:
    """A deviation: text up to the row's end when it is the last column, else text before
    the next figure; or nothing (most rows leave it empty)."""
    out = [(p, 0)]
    if p < end and not text[p].isdigit():
        if last:
            out.append((end, 0))
        else:
            m = re.match(r"[^\d]+", text[p:end])
            if m:
                out += [(p + k, 0) for k in range(2, m.end() + 1)]
    return out


def _options(role: str, text: str, p: int, end: int, last: bool) -> list[tuple[int, int]]:
    """(end, cost) of each way the cell of ``role`` may stand at ``p``."""
    if role == "level3":
        return _name(text, p, end)
    if role in _VALUE_ROLES:
        return _values(text, p, end)
    if role in _POINT_ROLES:
        return _points(text, p, end)
    if role == "deviation":
        return _deviation(text, p, end, last)
    return [(p, 0)]


def split_row(text: str, start: int, end: int, roles: list[str]) -> list[RowSplit]:
    """Every way of cutting ``text[start:end]`` into ``roles`` (level3, target, actual,
    weight, score, deviation; the level columns are read before), best first."""
    roles = [r for r in roles if r not in ("level1", "level2")]
    found: list[RowSplit] = []

    def walk(i: int, p: int, spans: dict[str, Span], cost: int) -> None:
        if len(found) >= _MAX_SPLITS:
            return
        while p < end and text[p] in " \u3000":
            p += 1  # cells parted by spaces read as glued ones
        if i == len(roles):
            if p == end:
                found.append(RowSplit(dict(spans), cost))
            return
        role = roles[i]
        for e, c in _options(role, text, p, end, i == len(roles) - 1):
            if e > p:
                spans[role] = (p, e)
            walk(i + 1, e, spans, cost + c)
            spans.pop(role, None)

    walk(0, start, {}, 0)
    ranked = []
    for s in found:
        cost = _check(text, s, roles)
        if cost is None:
            continue
        s.cost += cost
        name = s.spans.get("level3")
        s.name_length = name[1] - name[0] if name else 0
        ranked.append(s)
    ranked.sort(key=lambda s: (s.cost, s.name_length))
    return ranked


def _check(text: str, s: RowSplit, roles: list[str]) -> int | None:
    """Extra cost of a split, or None when it cannot be (a score above its weight, a
    name missing, a zero weight, a deviation starting with the unit of the figure before)."""
    if "level3" not in s.spans:
        return None
    dev = s.spans.get("deviation")
    if dev is not None and _cuts_a_unit(text, dev[0], roles, s):
        return None
    cost = 0
    w, sc = s.spans.get("weight"), s.spans.get("score")
    if w is not None:
        weight = float(text[w[0] : w[1]])
        if weight == 0:
            return None
        cost += _DECIMAL_WEIGHT if "." in text[w[0] : w[1]] else 0
        if sc is not None and float(text[sc[0] : sc[1]]) > weight:
            return None
    t, a = s.spans.get("target"), s.spans.get("actual")
    if a is not None and _COMPARATOR.match(text, a[0], a[1]):
        cost += _COMPARED_ACTUAL
    if t is not None and a is not None:
        # Words no phrase list knows on one side only, beside a figure (≥90% | 基本满意):
        # two unknown phrases run together cannot be parted by shape.
        t_known, a_known = _known_or_figure(text, t), _known_or_figure(text, a)
        if not (t_known and a_known) and not (_is_figure(text, t) or _is_figure(text, a)):
            return None
        tu, au = _unit(text, t), _unit(text, a)
        if tu and au and tu != au:
            cost += _UNIT_MISMATCH
        elif bool(tu) != bool(au) and _is_figure(text, t) and _is_figure(text, a):
            cost += _UNIT_MISMATCH // 2  # ≥1200户 | 1186户, not ≥1200户 | 1
    return cost


def _is_figure(text: str, span: Span) -> bool:
    return bool(re.search(r"\d", text[span[0] : span[1]]))


def _cuts_a_unit(text: str, p: int, roles: list[str], s: RowSplit) -> bool:
    """A deviation right after a target or actual that ends in a digit, starting with a
    unit or %: the figure's unit cut off (87|%流动人口增加)."""
    i = roles.index("deviation")
    if i == 0 or roles[i - 1] not in _VALUE_ROLES or roles[i - 1] not in s.spans:
        return False
    if not text[p - 1].isdigit():
        return False
    return text[p] in "%‰" or any(text.startswith(u, p) for u in _UNITS)


def _unit(text: str, span: Span) -> str:
    m = re.search(r"\d([^\d]*)$", text[span[0] : span[1]])
    return m.group(1) if m else ""


# --- rubric rows: a name, text columns no field takes, and points ---------------------------

_TEXT_ROLES = ("level3", "other", "deviation")
# The points at a row's end: weight and score each with its 分 (“10分9.5分”), one with
# its 分, or bare figures, glued or parted by a space (never “95分1010”: a target's unit).
POINTS_CELLS = r"\d[\d.]*分\s*\d[\d.]*分|\d[\d.]*分|\d[\d.]*(?:\s+\d[\d.]*)?"
# A figure inside a scoring rule, not a points cell: one with a unit or a sign after it, or
# a word of the rule before it (每低1个百分点扣0.5分, ≥95%, 第3季度, 满分10分). A 分 after
# a figure no such word stands before is a points cell's own (比重10分≥95%得满分).
_IN_RULE_AFTER = re.compile(
    r"[%‰.．]|[个项次元人天日年月周家件户万亿倍名条份篇所台辆处批期场种类级]"
)
_IN_RULE_BEFORE = re.compile(r"[≥≤<>=＞＜扣得低超高于第少多达减加至每约近前后占满计]")
_NAME_SUFFIX = re.compile(r"率|性|满意度|效益|影响")
_RULE_START = re.compile(r"[≥≤<>=＞＜\d]")
# Words an explanation opens with (全年受理的…, 反映…): none ends a name.
_EXPLANATION_START = re.compile(
    r"全年|年度内|本年度?|当年|反映|考察|衡量|用于|按照|根据|通过|是指|指"
)


@dataclass
class RubricSplit:
    """One glued rubric row: its name, its deviation where it can be told, and the
    digits of each points group with the roles they hold (weight, score or both)."""

    name: Span
    points: list[tuple[Span, tuple[str, ...]]] = field(default_factory=list)
    deviation: Span | None = None


def _groups(roles: list[str]) -> list[tuple[str, list[str]]]:
    """Consecutive text roles and consecutive points roles: [('text', [...]), ('points', …)]."""
    out: list[tuple[str, list[str]]] = []
    for role in roles:
        kind = "points" if role in _POINT_ROLES else "text"
        if out and out[-1][0] == kind:
            out[-1][1].append(role)
        else:
            out.append((kind, [role]))
    return out


def _bare_numbers(text: str, start: int, end: int) -> list[Span]:
    """Digit runs in [start, end) that stand alone between words: points cells."""
    out = []
    for m in re.finditer(r"\d+(?:\.\d+)?", text[start:end]):
        a, b = start + m.start(), start + m.end()
        before = text[a - 1] if a > start else ""
        after = text[b] if b < end else ""
        if before and _IN_RULE_BEFORE.match(before) or after and _IN_RULE_AFTER.match(after):
            continue
        if before.isdigit() or after.isdigit():
            continue
        out.append((a, b))
    return out


def rubric_name_end(text: str, start: int, end: int, known: int | None) -> int | None:
    """Where the name of a rubric row ends when an explanation or a rule is glued to it:
    a standard name the framework knows (``known``), else the first 率/性/满意度 …, else
    where the explanation restates the name or opens with its words (全年, 反映), else
    right before a rule that opens with a figure or a sign (≥95%得满分)."""
    if known is not None and known - start >= 2:
        return known
    m = _NAME_SUFFIX.search(text, start + 1, min(end, start + 20))
    if m and m.end() < end:
        return m.end()
    for p in range(start + 3, min(end - 1, start + 20)):
        # the explanation restates the name (营商环境优化 | 营商环境优化程度) or opens
        # with its own words (受理投诉件数 | 全年受理的…)
        restated = p - start >= 4 and text.startswith(text[start : start + 4], p)
        if text[p - 1] != "的" and (restated or _EXPLANATION_START.match(text, p)):
            return p
    m = _RULE_START.search(text, start + 2, end)
    return m.start() if m else None


def split_rubric_row(
    text: str, start: int, end: int, roles: list[str], known: int | None = None
) -> RubricSplit | None:
    """Cut a glued rubric row (roles: level3, other, weight, score, deviation in header
    order) where the shapes leave one way only; None where they do not. ``known``: where a
    name the framework knows ends, if one starts the row."""
    groups = _groups([r for r in roles if r not in ("level1", "level2")])
    if not groups or groups[0][0] != "text" or groups[0][1][0] != "level3":
        return None
    cuts: list[Span] = []  # each group's span, right to left
    cur = end
    for i in range(len(groups) - 1, 0, -1):
        kind, _ = groups[i]
        if kind == "points" and i == len(groups) - 1:
            m = re.search(rf"(?:{POINTS_CELLS})$", text[start:cur])
            if m is None:
                return None
            span = (start + m.start(), cur)
        elif kind == "points":
            found = _bare_numbers(text, start + 2, cur)
            if len(found) != 1:
                return None
            span = found[0]
        else:  # text between points, or last: up to the group after it
            span = (cur, cur)  # its start is fixed by the points group before it
        cuts.append(span)
        cur = span[0]
    cuts.reverse()
    # a text group's span runs from its points group's end to the next group's start
    spans: list[Span] = [(start, cur)]
    for i, span in enumerate(cuts, start=1):
        if groups[i][0] == "text":
            nxt = cuts[i][0] if i < len(cuts) else end
            span = (spans[-1][1], nxt)
        spans.append(span)
    return _rubric_cells(text, groups, spans, known)


def _rubric_cells(
    text: str, groups: list[tuple[str, list[str]]], spans: list[Span], known: int | None
) -> RubricSplit | None:
    first_roles = groups[0][1]
    a, b = spans[0]
    name_end = b if len(first_roles) == 1 else rubric_name_end(text, a, b, known)
    if name_end is None or name_end - a < 2 or re.search(r"\d$", text[a:name_end]):
        return None
    out = RubricSplit(name=(a, name_end))
    for (kind, roles), (s, e) in zip(groups[1:], spans[1:], strict=True):
        if kind == "points":
            out.points.append(((s, e), tuple(roles)))
        elif roles == ["deviation"] and e > s:
            out.deviation = (s, e)
    if first_roles[-1] == "deviation" and first_roles[:-1] == ["level3"]:
        out.deviation = (name_end, b) if b > name_end else None
    return out
