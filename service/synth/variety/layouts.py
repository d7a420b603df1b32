"""The skeletons of varied reports (the ``layout`` family) and the drawing of their figures.

Owns the order of the sections, how headings are numbered and what a layout adds of its
own: ``classic`` (一、（一）), ``numbered_plain`` (1. / 1.1), ``two_part`` (第一部分…),
``memo`` (a document number, an addressee and a signature with the date) and
``table_first`` (the cover as a form and the 绩效自评表 before the narrative). The last two
are held out (``catalog.HELD_OUT_LAYOUTS``).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import cast

from service.records import Value
from service.synth.content import MEASURES, PROBLEMS
from service.synth.figures import Knobs
from service.synth.indicators import draw_indicators
from service.synth.reports import ReportData, _achievements, _money_lines, _three_public
from service.synth.spec import Paragraph, ReportSpec, TableStyle
from service.synth.variety import money, narrative, tables, who
from service.synth.variety.catalog import register
from service.synth.variety.units import STREETS, TOWNS, UnitKind
from service.synth.variety.writer import VariedWriter

LAYOUTS = ("classic", "numbered_plain", "two_part", "memo", "table_first")
register("layout", LAYOUTS)
register("plant", ("prose_table", "prose_twice"))
PLANT_SHARE = 0.4  # documents with a planted contradiction; the rest are consistent
register("section_words", ("standard", "formal", "plain"))
SECTION_WORDS = {
    "standard": ("基本情况", "收支情况", "“三公”经费情况", "绩效指标完成情况", "自评结论"),
    "formal": (
        "部门（单位）概况",
        "预算收支执行情况",
        "“三公”经费支出情况",
        "整体绩效目标实现情况",
        "评价结论",
    ),
    "plain": ("单位基本情况", "资金收支情况", "三公经费", "绩效目标完成情况", "总体评价"),
}
_CN = "一二三四五六七八九十"
# where a planted wrong figure can go: stated in the money prose and in the table, or in
# the money prose and again in the conclusion
PLANTABLE = {
    "prose_table": (
        "budget.basic_expenditure",
        "budget.project_expenditure",
        "budget.personnel_expenditure",
        "budget.public_expenditure",
    ),
    "prose_twice": (
        "budget.basic_expenditure",
        "budget.project_expenditure",
        "budget.personnel_expenditure",
    ),
}


def draw_data(
    rng: random.Random, seed: int, county: str, unit: UnitKind
) -> tuple[ReportData, UnitKind]:
    """The figures of one varied report of a ``unit`` (sums exact as in
    ``service.synth.reports``)."""
    name = unit.full_name(county, rng.choice(TOWNS), rng.choice(STREETS))
    year = rng.randint(2021, 2024)
    authorized = rng.randint(12, 160)
    staff = max(1, authorized - rng.randint(0, 8))
    lines, projects = _money_lines(rng, unit.kind, staff, many_projects=False)
    data = ReportData(
        # the cost indicators stand in a group of their own or under 产出 (prose_only's
        # points add up to 100 without a budget-execution row)
        template=rng.choice(["sichuan", "prose_only"]),
        seed=seed,
        knobs=Knobs(),
        kind=unit.kind,
        department=name,
        year=year,
        budget_code=f"{rng.randint(1, 999999):06d}",
        report_date=dt.date(year + 1, rng.randint(2, 4), rng.randint(1, 28)),
        authorized=authorized,
        staff=staff,
        retired=rng.randint(0, 60),
        lines=lines,
        projects=projects,
        income_other=_cents(rng) if rng.random() < 0.4 else 0,
        carry_over=_cents(rng) if rng.random() < 0.3 else 0,
        three=_three_public(rng),
        indicators=[],
        execution_weight=None,
        achievements=_achievements(rng, unit.kind, approx=rng.random() < 0.4),
        problems=rng.sample(list(PROBLEMS), 3),
        measures=rng.sample(list(MEASURES), 3),
    )
    data.indicators = draw_indicators(rng, data)
    data.template = "varied"
    return data, unit


def _cents(rng: random.Random) -> int:
    return int(round(rng.uniform(1, 60) * 100))


class _Headings:
    """Numbered headings in a layout's style."""

    def __init__(self, w: VariedWriter, layout: str) -> None:
        self.w, self.layout, self.n, self.m = w, layout, 0, 0

    def h1(self, text: str) -> None:
        self.n, self.m = self.n + 1, 0
        number = {
            "numbered_plain": f"{self.n}.",
            "two_part": f"第{_CN[self.n - 1]}部分　",
        }.get(self.layout, f"{_CN[self.n - 1]}、")
        self.w.h(1, number + text)

    def h2(self, text: str) -> None:
        self.m += 1
        number = {
            "numbered_plain": f"{self.n}.{self.m}",
            "two_part": f"{_CN[self.m - 1]}、",
        }.get(self.layout, f"（{_CN[self.m - 1]}）")
        self.w.h(2, number + text)

    @property
    def sub(self) -> str:
        """The number format of achievement sub-sections under an h2."""
        return {"numbered_plain": "（{i}）", "two_part": "{i}."}.get(self.layout, "{i}.")


def write(w: VariedWriter, layout: str) -> ReportSpec:
    """The whole document in ``layout``; returns its spec (the truth is in ``w``)."""
    title = who.title(w)
    w.table_style = cast(TableStyle, w.pick("table_style"))  # the names are the styles
    H = _Headings(w, layout)
    words = SECTION_WORDS[w.pick("section_words")]
    if layout == "memo":
        w.p(
            f"{w.county[0]}{w.unit.short[-1] if w.unit.short.startswith('我') else '办'}发"
            f"〔{w.d.year + 1}〕{w.d.seed % 40 + 1}号",
            align="right",
            indent=False,
        )
        w.p("县财政局：", indent=False)
    header = who.cover(w, force=layout == "table_first")
    indicator_form = w.pick("indicator_table", _indicator_forms(layout))
    tables.name_indicators(w)
    score_form = w.pick("score", _score_forms(indicator_form))
    money_form = w.pick("money_table")
    plant = "none"
    if w.choose.rng.random() < PLANT_SHARE:
        plant = w.pick("plant", _plant_forms(money_form))
        _plant(w, plant)
    if layout == "table_first":
        tables.indicator_table(w, indicator_form)
    w.p(who.intro(w))
    H.h1(words[0])
    w.p(_duties(w))
    money.staffing(w)
    H.h1(words[1])
    subsections = w.choose.rng.random() < 0.5  # sub-headings under the money section
    if subsections:
        H.h2("收入支出情况")
    money.money_prose(w, plant_here=plant == "prose_table")
    money.basic_split(w, plant_here=plant == "prose_table")
    if subsections:
        H.h2("项目支出情况")
    money.projects(w)
    if money_form != "none":
        tables.money_table(w, money_form)
    H.h1(words[2])
    money.three_public(w, f"{w.d.year}年")
    three_public_form = w.pick("three_public_table")
    if three_public_form != "none":
        tables.three_public_table(w, three_public_form)
    achievements_title = narrative.achievement_heading(w)
    H.h1(achievements_title)
    narrative.achievements(w, achievements_title, H.sub)
    H.h1(words[3])
    if layout == "table_first":
        w.p("各项绩效指标完成情况详见前附绩效自评表。")
    else:
        if indicator_form == "sentences":
            tables.indicator_sentences(w)
        else:
            tables.indicator_table(w, indicator_form)
    narrative.score_sentence(w, score_form, final=False)
    narrative.problems_and_measures(w, H.h1)
    if plant == "prose_twice" or score_form == "conclusion_only" or w.choose.rng.random() < 0.3:
        H.h1(words[4])
        money.summary(w, plant_here=plant == "prose_twice")
        narrative.score_sentence(w, score_form, final=True)
    if layout == "memo":
        _signature(w)
    return ReportSpec(title=title, header=header, blocks=w.blocks)


def _indicator_forms(layout: str) -> tuple[str, ...]:
    return tables.INDICATOR_TABLES[:3] if layout == "table_first" else tables.INDICATOR_TABLES


def _score_forms(indicator_form: str) -> tuple[str, ...]:
    # only a table has a 总分 row to state the score alone
    if indicator_form != "sentences":
        return narrative.SCORES
    return tuple(s for s in narrative.SCORES if s != "table_row_only")


def _plant_forms(money_form: str) -> tuple[str, ...]:
    return ("prose_twice",) if money_form == "none" else ("prose_table", "prose_twice")


def _plant(w: VariedWriter, plant: str) -> None:
    rng = w.choose.rng
    for path in rng.sample(PLANTABLE[plant], rng.choice([1, 1, 2])):
        key = path.split(".")[1].removesuffix("_expenditure")
        true = w.d.lines[key].final
        delta = max(3, int(true * rng.uniform(0.01, 0.06)))
        w.d.planted[path] = (
            true + delta if rng.random() < 0.5 or true - delta <= 0 else true - delta
        )


def _duties(w: VariedWriter) -> str:
    return f"{w.self_name}的主要职能是：" + "；".join(w.d.kind.duties) + "。"


def _signature(w: VariedWriter) -> None:
    d = w.d
    date = f"{d.report_date.year}年{d.report_date.month}月{d.report_date.day}日"
    w.text("report.department", d.department)
    w.t.offer("report.report_date", Value(value=d.report_date, raw=date))
    w.blocks.append(Paragraph(text=d.department, align="right", indent=False))
    w.blocks.append(Paragraph(text=date, align="right", indent=False))
