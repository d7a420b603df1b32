"""Metadata stated in sentences: the unit and year of the opening sentences, the total score
and grade of the conclusion, and the signature (unit, then date) closing the report."""

from __future__ import annotations

import re
from functools import cache

from service.extract.ground import Grounder
from service.extract.meta.cues import (
    CJK,
    DEPT,
    GRADE,
    NUMBERING,
    SCORE,
    SEAL,
    YEAR,
    Cue,
    alternation,
    cue,
    entry,
    excluded,
    generic,
    label_pattern,
    unit_kind,
    unit_name,
)
from service.extract.meta.dates import YEAR_NUM, find_any_date, year_value
from service.extract.text import PAGE_NUMBER
from service.records.numbers import parse_chinese_integer, parse_quantity

# --- sentences -------------------------------------------------------------------------------

STOP = r"(?:根据|按照|依据|关于|现就|现将|现对|对|由|经|在|为|据|我们|本次|今年|全年)"
SUBJECT_VERB = (
    r"(?:是|为|系|位于|成立于|始建于|创建于|隶属于?|属于|内设|下设|设有|共有|现有|核定|负责|"
    r"承担|主要职能|的主要职能|主要职责|的主要职责|作为|于\d{4}年)"
)
_CLAUSE = re.compile(r"[，。；,;:：\n]")


def prose_cues(gv: Grounder, head_end: int) -> list[Cue]:
    """Department, year, total score and grade stated in sentences (a prose-view grounder)."""
    return _prose_department(gv) + _prose_years(gv) + _prose_scores(gv) + _prose_grades(gv)


def clause_before(text: str, pos: int, clauses: int = 1) -> str:
    start = pos
    for _ in range(clauses):
        found = max(text.rfind(c, 0, start) for c in "，。；,;\n")
        start = max(found, 0)
    return text[start:pos]


def _prose_department(gv: Grounder) -> list[Cue]:
    """“XX县第二中学（以下简称“我校”）…”, or a first sentence whose subject is the unit
    (“XX县疾病预防控制中心是…”), the name given once and 本单位/我局 after."""
    text = gv.src
    kinds = alternation(entry(DEPT).units)
    named = re.compile(rf"(?P<name>[{CJK}]{{3,40}})\s*[(（]\s*以下简称")
    subject = re.compile(
        rf"(?:^|(?<=[。；\n]))\s*{NUMBERING}\s*(?P<name>[{CJK}]{{1,30}}?{kinds}){SUBJECT_VERB}"
    )
    # “以下简称” is the named form's own words: without them it cannot match, and its scan
    # (up to 40 characters tried before every CJK one) is skipped.
    for rx in (named, subject) if "以下简称" in text else (subject,):
        for m in rx.finditer(text):
            s, e = m.span("name")
            lead = re.match(STOP + "+", text[s:e])
            s += lead.end() if lead else 0
            name = text[s:e]
            if excluded(DEPT, clause_before(text, s) + name) or generic(name):
                continue
            if len(name) >= 3 and unit_kind().search(name):
                return cue(DEPT, gv.text(s, e, "prose"), "prose", 1, 0.3)
    return []


_YEAR_ABOUT = re.compile(
    r"(?<![\d〔\[(（【])(?P<year>" + YEAR_NUM + r")\s*年\s*度?\s*(?:(?:部门|单位)\s*)?"
    r"(?:整体\s*支出|部门\s*整体|决\s*算|"
    r"(?:(?:预算|决算|财政)\s*)?(?:支出\s*)?(?:资金\s*)?绩效\s*(?:自评|评价|自查))"
)
_YEAR_ANY = re.compile(r"(?<![\d〔\[(（【])(?P<year>" + YEAR_NUM + r")\s*年(?P<du>\s*度)?")


def _prose_years(gv: Grounder) -> list[Cue]:
    """A year about the evaluated budget (“2022年部门整体支出”, “对2023年度预算支出开展绩效
    自评”) is a strong cue; a bare “2022年度” a weak one. Document numbers (〔2023〕), periods
    (2021—2025年), dates, plans (2024年工作计划) and comparisons (较2021年) are none."""
    text = gv.src
    out: list[Cue] = []
    about = {m.start("year") for m in _YEAR_ABOUT.finditer(text)}
    label = re.compile(rf"(?:{label_pattern(YEAR)})\s*(?:为|是|:|：)\s*(?P<year>{YEAR_NUM})")
    for m in label.finditer(text):
        if len(re.sub(r"\s", "", m.group().split(m.group("year"))[0])) >= 4:
            v = gv.text(m.start("year"), m.end("year"), "prose", value=year_value(m.group("year")))
            out += cue(YEAR, v, "prose", 3)
    for m in _YEAR_ANY.finditer(text):
        strong = m.start("year") in about
        if not strong and not m.group("du") or not_the_year(text, m):
            continue
        v = gv.text(m.start("year"), m.end("year"), "prose", value=year_value(m.group("year")))
        out += cue(YEAR, v, "prose", 2 if strong else 1, 1.0 if strong else 0.3)
    return out


# After a year: a document number (〔2023〕, 2023号), a period (2021-2025), a date (2023年3月).
# Matched at the year's end in place: a slice of the rest of the text per year was quadratic.
_NOT_THE_YEAR_AFTER = re.compile(
    r"\s*(?:年\s*度?\s*)?(?:[〕\]】]|号)|\s*(?:年\s*度?\s*)?[-—–－~～至到]\s*(?:20)?\d{2}"
    r"|\s*年\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*月"
)


def not_the_year(text: str, m: re.Match[str]) -> bool:
    s, e = m.start("year"), m.end()
    after = text[e : e + 12]
    if _NOT_THE_YEAR_AFTER.match(text, m.end("year")):
        return True  # a document number, a period, a date
    if re.search(YEAR_NUM + r"\s*(?:年\s*度?)?\s*[-—–－~～至到]\s*$", text[max(0, s - 9) : s]):
        return True
    if re.search(r"(?:较|比|同比|与|上年|去年|截至|截止)\s*$", text[max(0, s - 3) : s]):
        return True
    if text.rfind("《", 0, s) > text.rfind("》", 0, s):
        return True  # inside a policy's name
    clause = _CLAUSE.split(after, maxsplit=1)[0]
    return excluded(YEAR, clause)


# A score written out (八十九分, 八十七点五分); 十分 alone is “very”, no score.
_CN_SCORE = re.compile(
    r"\s*(?P<num>(?!十\s*分)[零〇一二两三四五六七八九十百]{1,5}(?:点[零〇一二三四五六七八九]{1,2})?)\s*分"
)
_CN_NUMERAL = "[零〇一二两三四五六七八九十百]"


def score_cue(g: Grounder, offset: int, text: str, origin: str, rank: int) -> list[Cue]:
    """A total score at the start of ``text`` (found at ``offset`` in ``g.src``), in digits
    or in Chinese numerals (then the digits in brackets after them, where given)."""
    cn = _CN_SCORE.match(text)
    if cn:
        return _written_out_score(g, offset, text, cn, origin, rank)
    m = re.match(r"\s*(?P<num>\d{1,3}(?:\.\d+)?)(?P<unit>\s*分)?(?![\d.%％])", text)
    q = m and parse_quantity(m.group("num"))
    if not m or q is None or not entry(SCORE).in_range(q.value):
        return []
    v = g.quantity(q, offset + m.start("num"), origin).model_copy(update={"unit": "分"})
    return cue(SCORE, v, origin, rank)


def _written_out_score(
    g: Grounder, offset: int, text: str, cn: re.Match[str], origin: str, rank: int
) -> list[Cue]:
    """“八十九分（89分）”: the bracketed digits; “九十二分”: the numeral's value."""
    bracket = re.match(r"\s*[(（]\s*(?=\d)", text[cn.end() :])
    if bracket:
        at = cn.end() + bracket.end()
        found = score_cue(g, offset + at, text[at:], origin, rank)
        if found:
            return found
    whole, _, decimals = cn.group("num").partition("点")
    integer = parse_chinese_integer(whole)
    if integer is None:
        return []
    digits = "".join(str(parse_chinese_integer(c)) for c in decimals)
    value = float(f"{integer}.{digits}") if digits else integer
    if not entry(SCORE).in_range(value):
        return []
    v = g.text(offset + cn.start("num"), offset + cn.end("num"), origin, value=value, unit="分")
    return cue(SCORE, v, origin, rank)


# The evaluation as a verb with its points (自评96分, 经评价得91分, 评定得分…): no label, so
# the points must say 分. Not after a part's name (项目自评90分, 指标自评9分).
_SCORED = re.compile(
    r"(?<!项目)(?<!指标)(?<!该项)(?:自评|自我评价|评价|评定|考评)(?:结果)?\s*(?:为|得分|得|获得|共得)?"
    rf"\s*(?=\d{{1,3}}(?:\.\d+)?\s*分|{_CN_NUMERAL}+\s*分)"
)


def _prose_scores(gv: Grounder) -> list[Cue]:
    """“自评总得分为93分”, “综合评分92.5分”, “自评得分：95”, “自评得96分”. A bare 总分 is a weak
    cue (it may be the full mark); a score beside a small 分值/权重/满分 is an indicator's."""
    text = gv.src
    rx = re.compile(
        rf"(?P<label>{label_pattern(SCORE)})\s*(?P<sep>(?:为|是|达到|共计|合计)\s*[:：]?|[:：])?\s*"
        rf"(?=\d|{_CN_NUMERAL})"
    )
    out: list[Cue] = []
    for m in _SCORED.finditer(text):
        if not _a_part(text, m.start()) and not excluded(SCORE, clause_before(text, m.start())):
            out += _with_grade(
                gv, m.end(), score_cue(gv, m.end(), text[m.end() : m.end() + 24], "prose", 2)
            )
    for m in rx.finditer(text):
        tail = text[m.end() : m.end() + 24]
        bare = bare_total(m.group("label"))
        # “自评得分 95” in a form line; not “总分 100 98.5”, a flattened table's total row.
        spaced = text[m.end() - 1].isspace() and not bare
        stated = re.match(r"\d{1,3}(?:\.\d+)?\s*分", tail) or _CN_SCORE.match(tail)
        if not (m.group("sep") or spaced or stated):
            continue
        if re.match(r"\d{1,3}(?:\.\d+)?(?![\d.])(?:\s*分)?\s*(?:[/／]|\d)", tail):
            continue
        if _a_part(text, m.start()):
            continue
        rank = 1 if bare else 2
        out += _with_grade(gv, m.end(), score_cue(gv, m.end(), tail, "prose", rank))
    return out


def _with_grade(gv: Grounder, at: int, found: list[Cue]) -> list[Cue]:
    """A score read at ``at``, and the grade bracketed after its points: “93分（优秀）”,
    “88分(等级：良)”."""
    m = found and _GRADE_AFTER_POINTS().match(gv.src, at)
    if m:
        found = found + cue(GRADE, gv.text(m.start("grade"), m.end("grade"), "prose"), "prose", 2)
    return found


@cache
def _GRADE_AFTER_POINTS() -> re.Pattern[str]:  # noqa: N802
    return re.compile(
        rf"\s*(?:\d{{1,3}}(?:\.\d+)?|{_CN_NUMERAL}+)\s*分?\s*[(（]\s*"
        rf"(?:(?:评价|自评|综合)?(?:等级|等次)\s*(?:为|:|：)?\s*)?{grade_words()}\s*[)）]"
    )


def bare_total(label: str) -> bool:
    """总分 alone: the full mark as often as the score."""
    return re.fullmatch(r"\s*总\s*分\s*[:：]?\s*", label) is not None


def _a_part(text: str, pos: int) -> bool:
    """Whether the clause of ``pos`` or the one before names a weight below 100 (分值10分,
    权重20%): the score is then one indicator's."""
    window = clause_before(text, pos, 2)
    rx = entry(SCORE).excludes_pattern()
    for m in re.finditer(rf"{rx}\s*(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)?", window):
        if m.group(1) is None or float(m.group(1)) < 100:
            return True
    return False


@cache
def grade_words() -> str:
    words = alternation(entry(GRADE).units)
    return rf"(?P<grade>{words})(?=[”\"」』’)）(（\s，。；;,.、]|$|等|级|档)"


_SCORE_BESIDE = re.compile(
    r"[”\"」』’)）]?\s*(?:等级|等次|档次|级)?\s*"
    r"(?:[(（]|[，,]\s*(?:总|综合|最终)?(?:得分|评分)\s*(?:为|是|:|：)?\s*(?=\d))"
)


def _prose_grades(gv: Grounder) -> list[Cue]:
    """“等级“优秀””, “评价等次为优”, “自评结果为良好（87.5分）”, “评定为优秀等级”. A one-character
    grade needs 为/是/：or quotes; staff appraisals (年度考核为优秀等次) are not the report's."""
    text = gv.src
    connector = r"(?P<conn>为|是|属于|属|达到|评定为|定为|:|：)?\s*(?P<quote>[“\"「『‘(（])?\s*"
    rx = re.compile(rf"(?P<label>{label_pattern(GRADE)})\s*{connector}{grade_words()}")
    after = re.compile(
        rf"(?:为|属于?|达到|评定为|评为|确定为)\s*[“\"]?{grade_words()}[”\"]?\s*(?:等级|等次|档次|级)"
    )
    out: list[Cue] = []
    for m in list(rx.finditer(text)) + list(after.finditer(text)):
        gap = text[m.start() : m.start("grade")]
        loose = "label" not in m.groupdict() or not (
            m.group("conn") or m.group("quote") or gap[-1:].isspace()
        )
        if loose and len(m.group("grade")) == 1 and "label" in m.groupdict():
            continue
        sentence = clause_before(text, m.start(), 3) + m.group()
        if excluded(GRADE, sentence):
            continue
        if "label" not in m.groupdict() and not re.search(
            label_pattern(SCORE) + "|自评|绩效评价", sentence
        ):
            continue
        out += cue(GRADE, gv.text(m.start("grade"), m.end("grade"), "prose"), "prose", 2)
        # the score beside it: “良好（87.5分）”, “为“良”，得分86分”
        beside = _SCORE_BESIDE.match(text, m.end("grade"))
        if beside:
            out += score_cue(gv, beside.end(), text[beside.end() : beside.end() + 10], "prose", 2)
    return out


# --- the signature --------------------------------------------------------------------------------


def signature_cues(g: Grounder) -> list[Cue]:
    """A date alone on a line under the unit's name (the report's signature), or alone on
    the report's last line: the report date, and the unit."""
    text = g.doc.text
    lines = [g.trim(ln.span.start, ln.span.end) for ln in g.doc.lines]
    lines = [(s, e) for s, e in lines if e > s and not PAGE_NUMBER.fullmatch(text, s, e)]
    out: list[Cue] = []
    for i, (s, e) in enumerate(lines):
        found = find_any_date(text[s:e])
        if found is None or text[s:e][: found[1]].strip() or text[s:e][found[2] :].strip():
            continue
        above = unit_name(g, *_unseal(text, *lines[i - 1]), "signature", 2, 0.4) if i else []
        if above or i == len(lines) - 1:
            v = g.text(s + found[1], s + found[2], "signature", value=found[0])
            out += cue("report.report_date", v, "signature", 1, 0.6) + above
    return out


def _unseal(text: str, start: int, end: int) -> tuple[int, int]:
    seal = SEAL.search(text, start, end)
    return start, seal.start() if seal else end
