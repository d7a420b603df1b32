"""The narrative of a varied report: achievements, problems and measures, and the score.

Families: ``achievements`` and ``achievement_heading``; ``problems``, ``measures``,
``problem_heading``, ``measure_heading`` and ``list_number``; ``score`` (where and how the
total score and grade are stated). Every item written is recorded in the truth; a list a
document leaves out (``无。``) is empty in the truth.
"""

from __future__ import annotations

from collections.abc import Callable

from service.records import ListItem
from service.synth.figures import count_value, nfkc, text_value
from service.synth.reports import Achievement as AchievementDraft
from service.synth.templates import _num
from service.synth.variety.catalog import register
from service.synth.variety.writer import VariedWriter

_CN = "一二三四五六七八九十"
ACHIEVEMENT_HEADINGS = {
    "work_done": "工作开展情况",
    "duty_results": "履职效益情况",
    "main_results": "主要工作成效",
    "targets_done": "绩效目标实际完成情况",
    "lvzhi_chengxiao": "履职成效",
}
PROBLEM_HEADINGS = {
    "cunzai": "存在的问题",
    "zhuyao_yuanyin": "存在的主要问题及原因",
    "buzu": "问题与不足",
    "fenxi": "存在问题及原因分析",
    "bu_zu": "不足之处",
}
MEASURE_HEADINGS = {
    "xiayibu": "下一步改进措施",
    "gaijin": "改进措施及建议",
    "dasuan": "下一步工作打算",
    "zhenggai": "整改措施",
    "yijian": "意见建议",
}
LIST_NUMBERS = {
    "arabic": "{i}.",
    "paren_cn": "（{cn}）",
    "paren_arabic": "（{i}）",
    "cn_comma": "{cn}、",
    "first_comma": "第{cn}，",
}
SCORES = (
    "grade_quotes",
    "result_paren",
    "table_row_only",
    "conclusion_only",
    "grade_first",
    "label_lines",
)
register("achievements", ("sections", "yishi_inline", "numbered", "lead_in", "numbered_cn"))
register("achievement_lead", ("none", "year", "by_year_end", "whole_year"))
register("achievement_heading", tuple(ACHIEVEMENT_HEADINGS))
register("problems", ("inline", "headed_list", "absent", "numbered_inline"))
register("measures", ("inline", "headed_list", "absent", "numbered_inline"))
register("problem_heading", tuple(PROBLEM_HEADINGS))
register("measure_heading", tuple(MEASURE_HEADINGS))
register("list_number", tuple(LIST_NUMBERS))
register("score", SCORES)
GRADE_WORDS = {"优": "优秀", "良": "良好", "中": "中等", "差": "较差"}


def achievement_heading(w: VariedWriter) -> str:
    return ACHIEVEMENT_HEADINGS[w.pick("achievement_heading")]


def achievements(w: VariedWriter, heading: str, sub: str) -> None:
    """The quantified achievements: sub-headed sections (``sub`` formats their number),
    one paragraph of 一是…二是…, sections led in by 在…方面, numbered sentences; each
    sentence possibly opened by a time lead-in (``achievement_lead``).

    An achievement's section is the title it stands under: its topic where the topic is a
    heading or a run-in title (``sections``, ``numbered_cn``), else ``heading`` (the
    section's title without its number)."""
    form = w.pick("achievements")
    lead = {
        "none": "",
        "year": f"{w.d.year}年，",
        "by_year_end": f"截至{w.d.year}年底，",
        "whole_year": "一年来，",
    }[w.pick("achievement_lead")]
    if form == "numbered":
        for i, ach in enumerate(w.d.achievements, start=1):
            w.p(f"{i}.{_sentence(w, ach, lead, nfkc(heading))}")
        return
    titled = form in ("sections", "numbered_cn")
    sections: dict[str, list[str]] = {}
    for ach in w.d.achievements:
        sentence = _sentence(w, ach, lead, None if titled else nfkc(heading))
        sections.setdefault(ach.section, []).append(sentence)
    for i, (t, s) in enumerate(sections.items()):
        if form == "sections":
            w.h(3, sub.format(i=i + 1, cn=_CN[i]) + t)
            w.p("".join(s))
        elif form == "lead_in":
            w.p(f"在{t}方面，{''.join(s)}")
        elif form == "numbered_cn":
            w.p(f"（{_CN[i]}）{t}。{''.join(s)}")
    if form == "yishi_inline":
        w.p("".join(f"{_CN[i]}是{t}。{''.join(s)}" for i, (t, s) in enumerate(sections.items())))


def _sentence(w: VariedWriter, ach: AchievementDraft, lead: str, section: str | None = None) -> str:
    """One achievement sentence with its lead-in; the truth holds the sentence as printed."""
    sentence = lead + w._achievement(ach)
    record = w.achievements[-1]
    record.text = text_value(sentence)
    if section is not None:
        record.section = section
    return sentence


def problems_and_measures(w: VariedWriter, heading: Callable[[str], None]) -> None:
    """存在的问题 and 改进措施 under their headings (``heading(text)`` writes one)."""
    _items(
        w,
        "problems",
        PROBLEM_HEADINGS[w.pick("problem_heading")],
        w.d.problems,
        w.problems,
        heading,
        "存在问题方面",
    )
    _items(
        w,
        "measures",
        MEASURE_HEADINGS[w.pick("measure_heading")],
        w.d.measures,
        w.measures,
        heading,
        "改进措施方面",
    )


def _items(
    w: VariedWriter,
    family: str,
    title: str,
    items: list[tuple[str, str]],
    target: list[ListItem],
    heading: Callable[[str], None],
    lead: str,
) -> None:
    form = w.pick(family)
    heading(title)
    if form == "absent":
        w.p("无。")
        return
    if form in ("inline", "numbered_inline"):
        clauses = [
            f"{_CN[i]}是{t}" if form == "inline" else f"{i + 1}.{t}"
            for i, (t, _) in enumerate(items)
        ]
        opening = f"{lead}，" if form == "inline" else "主要有以下几点："
        w.p(opening + "；".join(clauses) + "。")
        target += [ListItem(text=text_value(t)) for t, _ in items]
        return
    style = LIST_NUMBERS[w.pick("list_number")]
    w.list_items(items, target, style)


def score_sentence(w: VariedWriter, form: str, final: bool) -> None:
    """The total score and grade, as ``form`` states them: in the self-evaluation section
    (``final`` False) or in the conclusion (``final`` True, ``conclusion_only``)."""
    if form == "table_row_only" or (form == "conclusion_only") != final:
        return
    d, me = w.d, w.self_name
    score = _num(d.total_score)
    raw = f"{score}分"
    w.t.offer("report.total_score", count_value(score, "分", raw), 1)
    if form == "conclusion_only":
        grade = w.text("report.grade", d.grade)
        w.p(f"综上所述，{me}{d.year}年度整体支出绩效自评得分{raw}，评价等级为{grade}。")
        return
    grade = w.text("report.grade", GRADE_WORDS[d.grade])
    if form == "label_lines":
        for line in ("自评得分", raw, "自评等级", grade):
            w.p(line, indent=False)
    elif form == "grade_first":
        w.p(f"评价等级为“{grade}”，综合得分{raw}。")
    elif form == "grade_quotes":
        w.p(f"经自评，{me}{d.year}年度部门整体支出绩效自评总得分为{raw}，等级“{grade}”。")
    else:
        w.p(f"{me}自评结果为{grade}（{raw}）。")
