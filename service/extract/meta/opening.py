"""The unit and the year named in the report's opening (开头): the preamble between the title
and the first heading, and the first sentences under that heading. Reports without a cover
often say who evaluated which year only there: “根据县财政局通知要求，XX县侨联对2022年度部门
整体支出开展了自评”, “2021年，本办…”.

Only the opening is read: further on, a lead-in clause names other bodies (the auditor, the
finance bureau) as often as the unit, and a year opening a sentence is any year. Both cues are
the weakest kind (a guess): a cover, a title or a sentence about the evaluated budget wins.
"""

from __future__ import annotations

import bisect
import re
from functools import cache

from service.extract.ground import Grounder
from service.extract.meta.cues import (
    CJK,
    DEPT,
    NUMBERING,
    YEAR,
    Cue,
    alternation,
    cue,
    entry,
    excluded,
    generic,
    unit_kind,
)
from service.extract.meta.dates import YEAR_NUM, year_value
from service.extract.meta.sentences import STOP, SUBJECT_VERB, clause_before, not_the_year

# How far the opening runs past the first heading: its first sentences.
_SENTENCES, _MAX_CHARS = 2, 300
# Without a heading: the first characters of the prose.
_NO_HEADING_CHARS = 600

# A lead-in clause opening a sentence: a basis (根据…要求), a purpose (为…), a year (2023年).
_LEAD_IN = (
    r"(?:根据|按照|依据|遵照|结合|围绕|为了?|经|在|"
    + YEAR_NUM
    + r"\s*年\s*度?)[^。；\n]{0,80}?[，,]\s*"
)
# What the unit does in the opening: evaluates (对…开展), organises, carries out, … . Not
# “对我单位…”, “对各单位…”: then the subject is a body evaluating others.
_ACTION = (
    r"(?:对(?!我|本\s*(?:单位|部门|局|院|校|中心|所|站|馆|办|委)|各|该|下属|所属)|组织|开展|"
    r"认真|严格|按照|根据|依据|紧紧围绕|围绕|紧扣|积极|高度重视|成立|坚持|全面|扎实|始终|"
    r"立足|聚焦|先后|持续|不断|着力|切实|深入|进一步|圆满|全年|共|以|于|在|" + SUBJECT_VERB + ")"
)
# A year opening a sentence (“2021年，本办…”, “在2020年，…”, “2023年全年…”); not “2019年以来”
# (a period), not “2024年3月” (a date).
_OPENING_YEAR = re.compile(
    r"(?:^|(?<=[。；\n]))[ \t]*(?:在\s*)?(?P<year>" + YEAR_NUM + r")\s*年\s*度?"
    r"(?=\s*(?:[，,]|全年|年内|内|里|期间|是|[本我全该共]))"
)

# The year of what the opening says is evaluated: 对2022年预算执行情况开展了自评.
_EVALUATED_YEAR = re.compile(
    r"(?:对|就)\s*(?P<year>" + YEAR_NUM + r")\s*年\s*度?(?=[^。；\n]*(?:自评|评价|评估|考评))"
)


def opening_cues(gv: Grounder, head_end: int) -> list[Cue]:
    """The unit and the year the opening names (``gv`` grounds in the prose view;
    ``head_end`` is where the first heading stands in the document)."""
    end = _opening_end(gv, head_end)
    return _opening_department(gv, end) + _opening_years(gv, end)


def _opening_end(gv: Grounder, head_end: int) -> int:
    """Where the opening ends in ``gv.src``: a few sentences past the first heading's line."""
    text = gv.src
    offsets = gv.view.offsets if gv.view is not None else None
    at = bisect.bisect_left(offsets, head_end) if offsets else head_end
    if at >= len(text):
        return min(len(text), _NO_HEADING_CHARS)
    body = text.find("\n", at) + 1 or len(text)
    limit = min(len(text), body + _MAX_CHARS)
    end = body
    for _ in range(_SENTENCES):
        stop = text.find("。", end, limit)
        if stop == -1:
            return limit
        end = stop + 1
    return end


def _opening_department(gv: Grounder, end: int) -> list[Cue]:
    """The subject of an opening sentence, after a lead-in clause or without one, when it
    is a unit's name doing the evaluation."""
    text = gv.src
    found = [m for rx in _department_patterns() for m in rx.finditer(text, 0, end)]
    for m in sorted(found, key=lambda m: m.start("name")):
        s, e = m.span("name")
        lead = re.match(STOP + "+", text[s:e])
        s += lead.end() if lead else 0
        name = text[s:e]
        if excluded(DEPT, clause_before(text, s) + name) or generic(name):
            continue
        if len(name) >= 3 and unit_kind().search(name):
            # 0.25: below a sentence's “XX局是…” (0.3), which names the unit on purpose.
            return cue(DEPT, gv.text(s, e, "prose"), "prose", 1, 0.25)
    return []


@cache
def _department_patterns() -> tuple[re.Pattern[str], ...]:
    """The unit as the subject (“根据…要求，XX局对…”) or as what is evaluated
    (“对XX局2023年度…”, “现将XX镇2022年度整体支出…报告如下”, “XX室2023年度部门整体支出…”)."""
    name = rf"(?P<name>[{CJK}]{{2,30}}?{alternation(entry(DEPT).units)})"
    subject = rf"(?:^|(?<=[。；\n]))\s*{NUMBERING}\s*(?:{_LEAD_IN})?{name}(?={_ACTION})"
    evaluated = rf"(?:对|将|就|(?:^|(?<=[。；\n，,]))[ \t]*)\s*{name}\s*(?={YEAR_NUM}\s*年|(?:部门\s*)?整体\s*支出|部门\s*整体)"
    return re.compile(subject), re.compile(evaluated)


_SENTENCE_END = re.compile(r"[。；\n]")


def _opening_years(gv: Grounder, end: int) -> list[Cue]:
    """A year opening a sentence of the opening, unless the sentence is a plan or a history
    (the lexicon's excludes for the year: 将进一步, 成立 …); the year of what is evaluated."""
    text = gv.src
    out: list[Cue] = []
    for rx, whole_sentence in ((_OPENING_YEAR, True), (_EVALUATED_YEAR, False)):
        for m in rx.finditer(text, 0, end):
            stop = _SENTENCE_END.search(text, m.end())  # not a split of the rest: quadratic
            sentence = text[m.end() : stop.start() if stop else len(text)]
            if not_the_year(text, m) or (whole_sentence and excluded(YEAR, sentence)):
                continue
            v = gv.text(m.start("year"), m.end("year"), "prose", value=year_value(m.group("year")))
            out += cue(YEAR, v, "prose", 1, 0.6)
    return out
