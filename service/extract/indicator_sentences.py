"""Indicator rows written as free sentences, read clause by clause (指标完成情况 in prose).

Owns: a sentence that states one indicator in any of the usual orders and words, where
the fixed pattern of ``indicators.prose_indicators`` does not fit: “档案接收数量指标目标值为
≥3000卷，实际完成3412卷，得分10分”, “查档满意度：目标值≥95%，实际值97.5%，该指标分值10分，
得10分”, “数量指标中，X年度指标值为…”. The sentence is cut into clauses (，；), each clause
read by its key word: the target (目标值 / 指标值 / 预期 / 计划), the actual (实际 / 完成), the
weight (分值 / 权重 / 满分 / 标准分), the score (得分 / 得N分), the reason (偏差原因). The name
is what stands before the target's key word. A sentence is a row only when it states a
score and a target or an actual; a heading line that is only a level name (“（一）产出指标”)
gives its level to the rows below it. Must not read budget figures (a row needs a score).
"""

from __future__ import annotations

import re
from functools import cache

from service.extract.ground import Grounder
from service.extract.indicator_framework import framework_levels
from service.extract.indicators import (
    BARE_LEVEL2,
    LEVEL1_NAMES,
    LEVEL2_FAMILY,
    against_family,
    indicator_quantity,
    level2_family,
)
from service.extract.pattern_needs import needs
from service.records import Indicator, Value
from service.records.numbers import parse_quantity

LOCATOR = "prose:indicator sentence"
Span = tuple[int, int]
_NUMBERING = r"(?:[(（]?\d{1,2}[)）.、．]|[(（]?[一二三四五六七八九十]{1,3}[)）、])"
_LEAD = re.compile(rf"\s*{_NUMBERING}?\s*")
_VALUE = r"(?P<v>[^，,；;。]{1,30}?)"
_TARGET_WORD = r"(?:年度|全年|年初)?(?:绩效)?(?:目标值?|指标值|预期(?:目标)?值?|计划(?:完成)?(?:值|数)?|设定值)"
# (not “培训计划的完成率…”: a target word inside a name)
_TARGET = re.compile(
    rf"{_TARGET_WORD}\s*(?:为|是|设定为|[:：])?\s*(?![的之])(?!完成率){_VALUE}\s*$"
)
_ACTUAL = re.compile(
    r"(?:全年|年度|年末)?(?:实际(?:完成值?|值|达到|完成情况)?|完成值?|完成情况)\s*"
    # a verb between the word and the figure: 实际巡河131次, 实际开展培训12期
    r"(?:为|是|达|达到|[:：]|[\u4e00-\u9fff]{1,4}(?=[≥≤>＞<＜]|\d))?\s*"
    rf"{_VALUE}\s*$"
)
_WEIGHT = re.compile(
    r"(?:该(?:项)?指标)?(?:分值|权重|满分|标准分)\s*(?:为|是|[:：])?\s*(?P<v>\d+(?:\.\d+)?)\s*分?\s*$"
)
# 得分10分, 自评得分为9.5分, 得10分, 得分：8
_SCORE = re.compile(
    r"(?:该(?:项)?指标)?(?:自评|实际|最终)?得(?:分)?\s*(?:为|[:：])?\s*(?P<v>\d+(?:\.\d+)?)\s*分?"
    r"(?:\s*[(（]\s*(?:满分|分值)\s*(?P<w>\d+(?:\.\d+)?)\s*分?\s*[)）])?\s*$"
)
_REASON = re.compile(r"(?:偏差原因|原因分析|未完成原因|扣分原因)\s*(?:为|是|[:：])\s*(?P<v>.+)$")
# Before the name: a level prefix (产出指标—数量指标：, 数量指标中，, 时效指标：).
# Level-2 names written without 指标 (数量, 社会效益), longest first.
_BARE_L2 = "|".join(sorted(map(re.escape, BARE_LEVEL2), key=len, reverse=True))
_LEVEL_PREFIX = re.compile(
    r"(?:在\s*)?(?:(?P<l1>[\u4e00-\u9fff]{2,8}?指标|项目(?:产出|成本|效益)|满意度|产出|效益|成本|效果)"
    r"\s*(?:[—\-－一/]+|中的)\s*)?"
    rf"(?P<l2>[\u4e00-\u9fff]{{2,10}}?指标|{_BARE_L2})\s*(?:中|方面)?\s*(?:[:：，,]|(?=[“\"「]))\s*"
)
_NAME_TAIL = re.compile(r"(?:指标|的|之|方面|实际|，|,|：|:|。|；|;|\s)+$")
# Words before a name that are none of it (其中，全年 …), and a clause of such words only
# (年初设定目标值为…: the name is in the clause before).
_NAME_HEAD = re.compile(r"(?:其中|关于|对于|在|全年|本年度|本年|年度|今年|当年|累计)+")
_NO_NAME = re.compile(r"(?:年初|年度|全年|设定|计划|预期|该项?|本项|指标|其中|完成|实际)*")
_NAME_CUT = re.compile(r"[，,：:]")
# “X达到95%”, “X的完成率为96%”, “全年X实际完成1315公里”: the name, a verb and the actual in
# one clause (the target stated in another).
_INLINE_ACTUAL = re.compile(
    r"(?P<name>[^，,；;。:：]{2,30}?)\s*(?:实际(?:完成|达到)?|完成|达到|达|为)\s*"
    r"(?P<v>(?:[≥≤>＞<＜]|不低于|不少于)?\s*\d[^，,；;。]{0,20}?)\s*$"
)
# “一级指标：产出指标，二级指标：数量指标，三级指标：X”
_KEYED = re.compile(
    r"(?P<key>一级指标|二级指标|三级指标|指标名称|具体指标)\s*[:：]\s*(?P<val>[^,，;；:：]+)"
)
_KEYS = {"一级指标": "l1", "二级指标": "l2"}
_PATH_MARK = re.compile(r"\s*[/—\-－]+\s*")
_IN_BRACKETS = re.compile(r"(?P<name>.+?)\s*[(（](?P<levels>[^()（）]+)[)）]")
_QUOTED = re.compile(r"[“\"「](?P<name>[^”\"」]{2,40})[”\"」]")
_HEADING = re.compile(
    rf"\s*{_NUMBERING}?\s*(?P<name>[\u4e00-\u9fff]{{2,10}}?)\s*(?:完成情况|方面)?\s*[:：。]?\s*$"
)
_LEAD_SPACE = re.compile(r"\s*")
_CLAUSE = re.compile(r"[，,；;、]")
_SENTENCE_END = re.compile(r"[。\n]")
_PART_END = re.compile(r"[；;]")
_TARGET_WORD_RE = re.compile(_TARGET_WORD)
_KEY_MARK = re.compile(r"[，,：:]")
_DIGIT = re.compile(r"\d")


@cache
def _row_words() -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The words a row needs (pattern_needs.py): one of a score's, and one of a target's
    or an actual's (in its own clause or after the name); None where a pattern names none."""
    value_needs = [needs(_TARGET), needs(_ACTUAL), needs(_INLINE_ACTUAL)]
    values = None if None in value_needs else tuple(w for n in value_needs for w in n)
    return needs(_SCORE), values


def _may_hold_row(text: str) -> bool:
    """Whether ``text`` holds the words a row needs (a clause is part of the text, so a
    pattern whose words the text lacks matches in none of its clauses)."""
    score, values = _row_words()
    return all(group is None or any(w in text for w in group) for group in (score, values))


def _level_like(name: str) -> bool:
    return name.endswith("指标") or name in LEVEL1_NAMES or level2_family(name) is not None


def _path(text: str, s: int, e: int) -> list[Span] | None:
    """The parts of “产出指标/数量指标/X” (two or three, all but the last level names)."""
    parts, p = [], s
    for m in _PATH_MARK.finditer(text, s, e):
        parts.append((p, m.start()))
        p = m.end()
    parts.append((p, e))
    if not 2 <= len(parts) <= 3 or not all(_level_like(text[a:b]) for a, b in parts[:-1]):
        return None
    return parts


def _as_levels(text: str, parts: list[Span]) -> tuple[Span | None, Span | None]:
    """(一级, 二级) of one or two level names given in order."""
    if len(parts) == 2:
        return parts[0], parts[1]
    first = text[parts[0][0] : parts[0][1]]
    if level2_family(first) or first not in LEVEL1_NAMES and not first.endswith("指标"):
        return None, parts[0]
    return (parts[0], None) if first in LEVEL1_NAMES else (None, parts[0])


def _name_parts(text: str, s: int, e: int) -> tuple[Span | None, Span | None, Span]:
    """(一级, 二级, 三级) spans of the words before the target: keyed (一级指标：…), a level
    prefix (产出指标—数量指标：, 数量指标中，), a path (产出指标/数量指标/X), levels in
    brackets after the name (X（产出指标-数量指标）), a quoted name (“X”)."""
    keyed = {m.group("key"): m.span("val") for m in _KEYED.finditer(text, s, e)}
    name_key = next((k for k in ("三级指标", "指标名称", "具体指标") if k in keyed), None)
    if name_key is not None:
        a, b = keyed[name_key]
        return keyed.get("一级指标"), keyed.get("二级指标"), _trimmed(text, a, b)
    l1 = l2 = None
    m = _LEVEL_PREFIX.match(text, s, e)
    if m and _is_level_name(m.group("l2")):  # not “关于巡护里程指标，”
        l1 = m.span("l1") if m.group("l1") else None
        l2, s = m.span("l2"), m.end()
        if l1 is None and m.group("l2") in LEVEL1_NAMES:  # 产出指标中，X…
            l1, l2 = l2, None
    s, e = _trimmed(text, s, e)
    bracket = _IN_BRACKETS.fullmatch(text, s, e)
    if bracket and l2 is None:
        inner = _path(text, *bracket.span("levels")) or [bracket.span("levels")]
        if all(_level_like(text[a:b]) for a, b in inner) and len(inner) <= 2:
            l1, l2 = _as_levels(text, inner)
            return l1, l2, bracket.span("name")
    path = _path(text, s, e) if l2 is None else None
    if path:
        l1, l2 = _as_levels(text, path[:-1])
        s, e = path[-1]
    quoted = _QUOTED.fullmatch(text, s, e)
    if quoted:  # “巡河次数”: the name is what the marks hold
        s, e = quoted.span("name")
    return l1, l2, _name_clause(text, s, e)


def _is_level_name(name: str) -> bool:
    fw1, _ = framework_levels()
    return (
        name in LEVEL1_NAMES
        or level2_family(name) is not None
        or name.removesuffix("指标") in fw1
        or re.search(r"(?:效益|成本|满意度|产出|效果)指标$", name) is not None
    )


def _name_clause(text: str, s: int, e: int) -> Span:
    """The indicator's own name in [s, e): the last clause before the key word, or the
    one before it where the last holds only words like 年初设定; its lead words (其中,
    全年) and tail words (的, 方面) dropped. Never a longer clause (“我单位通过加强管理，X”)."""
    cuts = [m for m in _NAME_CUT.finditer(text, s, e)]
    starts = [s, *(m.end() for m in cuts)]
    ends = [*(m.start() for m in cuts), e]
    for a, b in reversed(list(zip(starts, ends, strict=True))):
        a = _LEAD_SPACE.match(text, a, b).end()
        head = _NAME_HEAD.match(text, a, b)
        a = head.end() if head else a
        a, b = _trimmed(text, a, b)
        if b - a >= 2 and not _NO_NAME.fullmatch(text, a, b):
            return a, b
    return _trimmed(text, s, e)


def _trimmed(text: str, s: int, e: int) -> Span:
    tail = _NAME_TAIL.search(text, s, e)
    return s, tail.start() if tail else e


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, s = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        e = m.start()
        if e > s:
            out.append((s, e))
        s = m.end()
    if end > s:
        out.append((s, end))
    return out


def _clauses(text: str, s: int, e: int) -> list[tuple[int, int]]:
    out, p = [], s
    for m in _CLAUSE.finditer(text, s, e):
        out.append((p, m.start()))
        p = m.end()
    out.append((p, e))
    return out


class _SentenceReader:
    def __init__(self, g: Grounder) -> None:
        self.g = g
        self.src = g.src
        self.l1: Value | None = None
        self.l2: Value | None = None

    def heading(self, s: int, e: int) -> bool:
        """A line that is only a level name sets it for the rows below."""
        m = _HEADING.match(self.src, s, e)
        if m is None:
            return False
        name = m.group("name")
        if name in LEVEL2_FAMILY or name in BARE_LEVEL2:
            if self.l1 is not None and against_family(str(self.l1.value), name):
                self.l1 = None
            self.l2 = self._name_value(m)
            return True
        if name in LEVEL1_NAMES:
            self.l1, self.l2 = self._name_value(m), None
            return True
        return False  # most short lines: grounded only when they are a level's name

    def _name_value(self, m: re.Match[str]) -> Value | None:
        return self.g.text(m.start("name"), m.end("name"), LOCATOR)

    def row(self, s: int, e: int) -> Indicator | None:
        lead = _LEAD.match(self.src, s, e)
        s = lead.end() if lead else s
        if not _may_hold_row(self.src[s:e]):
            return None  # most sentences: no score word, or no target or actual word
        found: dict[str, tuple[int, int]] = {}
        name_end = None
        clauses = _clauses(self.src, s, e)
        for cs, ce in clauses:
            self._clause(cs, ce, found)
            if "target" in found and name_end is None:
                name_end = self._target_word_start(cs, ce)
        if "score" not in found:
            return None  # no row, whatever else the clauses hold
        inline = self._inline_actual(clauses, found)
        if inline is not None and (name_end is None or inline[0] < name_end):
            name_end = inline[1]  # the name stands before the verb of its actual
        if "score" not in found or not ("target" in found or "actual" in found):
            return None
        if name_end is None:
            name_end = self._first_key_start(s, e)
        return self._build(s, name_end, found)

    def _inline_actual(self, clauses: list[Span], found: dict[str, Span]) -> Span | None:
        """An actual stated after the name in the name's own clause (“X达到95%”): taken
        where no clause gave one; returns the name's span."""
        if "actual" in found:
            return None
        for cs, ce in clauses:
            if any(a < ce and cs < b for a, b in found.values()):
                continue  # a clause another key word took
            m = _INLINE_ACTUAL.fullmatch(self.src, _LEAD_SPACE.match(self.src, cs, ce).end(), ce)
            if m is not None:
                found["actual"] = m.span("v")
                return m.span("name")
        return None

    def _clause(self, cs: int, ce: int, found: dict[str, tuple[int, int]]) -> None:
        text = self.src
        # The actual's word opens its clause: 完成 inside a name (按时完成率) is none.
        at = _LEAD_SPACE.match(text, cs, ce).end()
        for role, rx in (
            ("reason", _REASON),
            ("score", _SCORE),
            ("weight", _WEIGHT),
            ("target", _TARGET),
            ("actual", _ACTUAL),
        ):
            m = rx.match(text, at, ce) if role == "actual" else rx.search(text, cs, ce)
            if m is None or role in found:
                continue
            if role in ("target", "actual") and not self._is_value(m.group("v")):
                continue
            found[role] = m.span("v")
            if role == "score" and m.group("w"):
                found.setdefault("weight", m.span("w"))
            return

    @staticmethod
    def _is_value(text: str) -> bool:
        """A figure, or a few words (按时完成, 有效提升): not one character cut off a name."""
        return bool(_DIGIT.search(text)) or 2 <= len(text) <= 8

    def _target_word_start(self, cs: int, ce: int) -> int | None:
        m = _TARGET_WORD_RE.search(self.src, cs, ce)
        return m.start() if m else None

    def _first_key_start(self, s: int, e: int) -> int:
        m = _KEY_MARK.search(self.src, s, e)
        return m.start() if m else s

    def _build(self, s: int, name_end: int, found: dict[str, tuple[int, int]]) -> Indicator | None:
        g, text = self.g, self.src
        s1, s2, (s, name_stop) = _name_parts(text, s, name_end)
        if not 2 <= name_stop - s <= 40:
            return None  # before any value is grounded
        l1, l2 = self.l1, self.l2
        if s1 is not None:
            l1 = g.text(*s1, LOCATOR)
        if s2 is not None:
            l2 = g.text(*s2, LOCATOR)
            if s1 is None and l1 is not None:
                l1 = None if against_family(str(l1.value), text[s2[0] : s2[1]]) else l1

        def value(role: str) -> Value | None:
            if role not in found:
                return None
            a, b = found[role]
            q = indicator_quantity(text[a:b])
            return g.quantity(q, a, LOCATOR) if q is not None else g.text(a, b, LOCATOR)

        target, actual = value("target"), value("actual")
        return Indicator(
            level1=l1,
            level2=l2,
            level3=g.text(s, name_stop, LOCATOR),
            target=target,
            actual=actual,
            weight=self._points(found.get("weight")),
            score=self._points(found.get("score")),
            deviation=g.text(*found["reason"], LOCATOR) if "reason" in found else None,
        )

    def _points(self, span: tuple[int, int] | None) -> Value | None:
        if span is None:
            return None
        q = parse_quantity(self.src[span[0] : span[1]])
        if q is None:
            return None
        return self.g.quantity(q, span[0], LOCATOR).model_copy(update={"unit": "分"})


def sentence_indicators(g: Grounder) -> list[tuple[int, int, Indicator]]:
    """Rows stated as sentences in the prose view of ``g``, each with the span of its
    sentence in ``g.src``. A sentence of several rows parted by ； gives each; a name
    standing alone before the sentence of its figures (“1、巡河次数。目标值：…”) is theirs."""
    r = _SentenceReader(g)
    out: list[tuple[int, int, Indicator]] = []
    for para in g.paragraphs():
        name_before: int | None = None
        for s, e in _sentences(g.src, para.start, para.end):
            if r.heading(s, e):
                name_before = None
                continue
            found = _rows(r, s, e)
            if not found and name_before is not None:
                found = [(name_before, e, ind) for _, _, ind in _rows(r, name_before, e)]
            out += found
            name_before = s if not found and e - s <= 30 else None
    return out


def _rows(r: _SentenceReader, s: int, e: int) -> list[tuple[int, int, Indicator]]:
    """The row of [s, e), or one row per part where every part parted by ； is one."""
    bounds = [m.end() for m in _PART_END.finditer(r.src, s, e)]
    if bounds:
        parts = list(zip([s, *bounds], [b - 1 for b in bounds] + [e], strict=True))
        rows = []
        for a, b in parts:
            if b > a:
                rows.append(r.row(a, b))
                if rows[-1] is None:
                    break  # not every part is a row: the rest need not be read
        if len(rows) > 1 and all(rows):
            return [(a, b, ind) for (a, b), ind in zip(parts, rows, strict=True) if ind]
    ind = r.row(s, e)
    return [(s, e, ind)] if ind is not None else []
