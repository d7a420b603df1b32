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
