"""Write a synthetic report's figures as a ``ReportSpec`` in one of three provincial styles,
recording the truth of every field as it is written.

Owns the wording, headings and tables of each template:

* ``hunan``: 一、（一）1.（1） headings, a cover page, 附件1 基础数据表 and 附件2 绩效自评表
  with merged 一级/二级指标 cells (like the seeds);
* ``sichuan``: 部门基本情况 / 部门财政资金收支情况 headings, a 收支情况表, a 项目支出表 and an
  indicator table with the columns 指标名称/目标值/实际值/权重/自评得分 and no merges;
* ``prose_only``: every figure in the text, indicators as sentences, no tables.

Figures come from ``ReportData``; this module decides nothing about their values.
"""

from __future__ import annotations

from typing import Any

from service.records import (
    Achievement,
    BudgetLine,
    ExtractorInfo,
    Finding,
    FindingItem,
    Indicator,
    ListItem,
    Metric,
    Project,
    ReportExport,
    Value,
)
from service.synth import templates_tables as tables
from service.synth.figures import Figures, TruthBuilder, count_value, nfkc, percent, text_value
from service.synth.indicators import IndicatorRow
from service.synth.reports import Achievement as AchievementDraft
from service.synth.reports import ReportData
from service.synth.spec import (
    Block,
    Heading,
    PageBreak,
    Paragraph,
    ReportSpec,
    SpecCell,
    TableBlock,
)

GENERATOR_VERSION = "1"
_CN = "一二三四五六七八九十"


class _Writer:
    """Blocks and truth of one report being written."""

    def __init__(self, data: ReportData) -> None:
        self.d = data
        self.f = Figures(data.knobs)
        self.t = TruthBuilder()
        self.blocks: list[Block] = []
        self.projects: list[Project] = []
        self.indicators: list[Indicator] = []
        self.achievements: list[Achievement] = []
        self.problems: list[ListItem] = []
        self.measures: list[ListItem] = []
        self.lines: list[BudgetLine] = []

    # --- blocks ---------------------------------------------------------------------------

    def h(self, level: int, text: str) -> None:
        self.blocks.append(Heading(level=level, text=self.f.prose(text)))

    def p(self, text: str, **kwargs: Any) -> None:
        self.blocks.append(Paragraph(text=self.f.prose(text), **kwargs))

    def table(self, rows: list[list[str | SpecCell]], **kwargs: Any) -> None:
        self.blocks.append(TableBlock(rows=rows, **kwargs))

    def caption(self, text: str) -> None:
        self.blocks.append(Paragraph(text=text, align="center", bold=True, indent=False))

    # --- figures --------------------------------------------------------------------------

    def money(self, path: str | None, cents: int, plant: bool = True) -> str:
        """An amount in prose; a planted contradiction replaces it when ``plant``."""
        if path and plant and path in self.d.planted:
            cents = self.d.planted[path]
        text = self.f.money(cents)
        if path:
            self.t.offer(path, self.f.money_value(cents, text), 1, "prose")
        return text

    def cell(self, path: str | None, cents: int) -> str:
        text = self.f.number(cents)
        if path:
            self.t.offer(path, self.f.money_value(cents, text), 2, "table")
        return text

    def count(self, path: str, value: int, unit: str, priority: int = 1) -> str:
        text = f"{value}{unit}"
        self.t.offer(
            path,
            count_value(value, unit if unit else None, text),
            priority,
            "table" if priority > 1 else "prose",
        )
        return text

    def pct(
        self, path: str | None, x: float, priority: int = 1, direction: str | None = None
    ) -> str:
        text = percent(abs(x))
        if path:
            value = count_value(_num(abs(x)), "%", text, direction=direction)
            self.t.offer(path, value, priority, "table" if priority > 1 else "prose")
        return text

    def text(self, path: str, value: str, priority: int = 1) -> str:
        self.t.offer(path, text_value(value), priority)
        return value

    def change(self, path: str, now: int, before: int) -> str:
        """The change against last year ("比上年减少1.22万元，下降28.67%") with its truth:
        values unsigned, the direction kept beside them."""
        diff = now - before
        direction = "增长" if diff > 0 else "下降"
        amount = self.f.money(abs(diff))
        value = self.f.money_value(abs(diff), amount).model_copy(update={"direction": direction})
        self.t.offer(f"{path}.change", value, 1)
        verb = "增加" if diff > 0 else "减少"
        if not before:
            return f"比上年{verb}{amount}"
        rate = self.pct(f"{path}.change_pct", diff / before * 100, direction=direction)
        return f"比上年{verb}{amount}，{'上升' if diff > 0 else '下降'}{rate}"

    # --- records built from lists ---------------------------------------------------------

    def achievement_paragraphs(self, numbered: str) -> None:
        """The 工作开展情况 sections: a numbered heading and its quantified sentences."""
        sections: dict[str, list[str]] = {}
        for ach in self.d.achievements:
            sections.setdefault(ach.section, []).append(self._achievement(ach))
        for i, (title, sentences) in enumerate(sections.items(), start=1):
            self.h(3, numbered.format(i=i, cn=_CN[i - 1]) + title)
            self.p("".join(sentences))

    def _achievement(self, ach: AchievementDraft) -> str:
        metrics: list[Metric] = []
        parts: list[str] = []
        for i, (name, value, unit, comparator, direction) in enumerate(ach.metrics):
            if i in ach.money_slots:
                cents = ach.money_slots[i]
                raw = self.f.money(cents)
                if comparator == "余":
                    raw = f"{self.f.number(cents)}余{self.f.money_unit}"
                val = self.f.money_value(cents, raw).model_copy(update={"comparator": comparator})
            else:
                shown = percent(value) if unit == "%" else str(value)
                if unit == "%":
                    raw = shown
                elif comparator == "余":
                    raw = f"{shown}余{unit}"
                elif comparator == "约":
                    raw = f"约{shown}{unit}"
                else:
                    raw = f"{shown}{unit}"
                val = count_value(value, unit, raw, comparator, direction)
            parts.append(raw)
            metrics.append(Metric(name=name, value=val))
        sentence = ach.sentence.format(*parts)
        self.achievements.append(
            Achievement(text=text_value(sentence), section=nfkc(ach.section), metrics=metrics)
        )
        return sentence

    def list_items(self, items: list[tuple[str, str]], target: list[ListItem], style: str) -> None:
        for i, (title, body) in enumerate(items, start=1):
            self.p(f"{style.format(i=i, cn=_CN[i - 1])}{title}。{body}")
            target.append(ListItem(title=text_value(title), text=text_value(body)))

    def indicator(self, row: IndicatorRow, weight_raw: str, score_raw: str) -> None:
        self.indicators.append(
            Indicator(
                level1=text_value(row.level1),
                level2=text_value(row.level2),
                level3=text_value(row.level3),
                target=row.target_value,
                actual=row.actual_value,
                weight=count_value(row.weight, None, weight_raw),
                score=count_value(_num(row.score), None, score_raw),
                deviation=text_value(row.deviation) if row.deviation else None,
            )
        )

    # --- the export -----------------------------------------------------------------------

    def export(self) -> ReportExport:
        nested = self.t.nested()
        budget = nested.setdefault("budget", {})
        budget["lines"] = self.lines
        return ReportExport.model_validate(
            {
                **nested,
                "extractor": ExtractorInfo(
                    name="synth",
                    version=GENERATOR_VERSION,
                    notes=[
                        f"template={self.d.template}",
                        f"seed={self.d.seed}",
                        *self.d.knobs.tags(),
                    ],
                ),
                "projects": self.projects,
                "indicators": self.indicators,
                "achievements": self.achievements,
                "problems": self.problems,
                "measures": self.measures,
                "findings": self._findings(),
            }
        )

    def _findings(self) -> list[Finding]:
        out: list[Finding] = []
        for path in sorted(self.d.planted):
            mentions = self.t.mentions.get(path, [])
            truth = self.t.get(path)
            wrong = next(
                (v for where, v in mentions if v.value != (truth.value if truth else None)), None
            )
            if truth is None or wrong is None:
                continue
            true_where = next(w for w, v in mentions if v is truth)
            out.append(
                Finding(
                    kind="conflict",
                    severity="warning",
                    paths=[path],
                    message_zh=f"同一数值前后不一致：{wrong.raw} 与 {truth.raw}。",
                    message_en=f"The same figure is stated as {wrong.raw} and as {truth.raw}.",
                    items=[
                        FindingItem(path=path, label="prose", value=wrong),
                        FindingItem(path=path, label=true_where, value=truth),
                    ],
                )
            )
        return out


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 2)


# --- shared sections --------------------------------------------------------------------------


def _cover(w: _Writer) -> None:
    d = w.d
    w.p(f"部门（单位）名称：{w.text('report.department', d.department)}", indent=False)
    w.p(f"预算编码：{w.text('report.budget_code', d.budget_code)}", indent=False)
    w.text("report.evaluation_method", "自评")
    w.p("评价方式：部门（单位）自评☒　中介机构评价☐", indent=False)
    date = f"{d.report_date.year}年{d.report_date.month}月{d.report_date.day}日"
    w.t.offer("report.report_date", Value(value=d.report_date, raw=date))
    w.p(f"报告日期：{date}", indent=False)
    w.blocks.append(PageBreak())


def _title(w: _Writer, title: str) -> str:
    w.text("report.title", title)
    w.t.offer("report.fiscal_year", Value(value=w.d.year, raw=str(w.d.year)))
    return title


def _three_public_prose(w: _Writer, lead: str) -> str:
    three = w.d.three
    tp = "three_public"
    total = three["total"]
    parts = [
        f"{lead}“三公”经费支出{w.money(f'{tp}.total.actual', total.final)}，"
        f"{w.change(f'{tp}.total', total.final, total.previous)}。其中：",
        f"因公出国（境）费{w.money(f'{tp}.overseas.actual', three['overseas'].final)}；",
        f"公务接待费{w.money(f'{tp}.reception.actual', three['reception'].final)}；",
        f"公务用车购置及运行维护费{w.money(f'{tp}.vehicle.actual', three['vehicle'].final)}，"
        f"其中公务用车购置费{w.money(f'{tp}.vehicle_purchase.actual', three['vehicle_purchase'].final)}，"
        f"公务用车运行维护费{w.money(f'{tp}.vehicle_operation.actual', three['vehicle_operation'].final)}。",
    ]
    return "".join(parts)


def _score_sentence(w: _Writer, lead: str) -> str:
    d = w.d
    score = _num(d.total_score)
    w.t.offer("report.total_score", count_value(score, "分", f"{score}分"), 1)
    w.text("report.grade", d.grade)
    return f"{lead}{score}分，评价等级为“{d.grade}”。"


def _duties(w: _Writer) -> str:
    return f"{w.d.department}的主要职能是：" + "；".join(w.d.kind.duties) + "。"


# --- templates --------------------------------------------------------------------------------


def write_report(data: ReportData) -> tuple[ReportSpec, ReportExport]:
    """The spec of ``data`` in its template and the truth of every field written."""
    writer = _Writer(data)
    if data.template == "hunan":
        title = _hunan(writer)
    elif data.template == "sichuan":
        title = _sichuan(writer)
    else:
        title = _prose_only(writer)
    return ReportSpec(title=title, blocks=writer.blocks), writer.export()


def _hunan(w: _Writer) -> str:
    d, L = w.d, w.d.lines
    title = _title(w, f"{d.year}年度{d.department}整体支出绩效自评报告")
    _cover(w)
    w.h(1, "一、部门（单位）基本情况")
    w.h(2, "（一）主要职能")
    w.p(_duties(w))
    w.h(2, "（二）人员情况")
    w.p(
        f"截至{d.year}年12月31日，我单位编制人数{w.count('staffing.authorized', d.authorized, '人')}，"
        f"在职人数{w.count('staffing.actual', d.staff, '人')}，退休人数{w.count('staffing.retired', d.retired, '人')}。"
    )
    w.h(2, "（三）内设机构情况")
    w.p(f"本单位设{len(d.kind.offices)}个内设机构：{'、'.join(d.kind.offices)}。")
    w.h(1, "二、一般公共预算支出情况")
    w.h(2, "（一）基本支出情况")
    basic, pers, pub = L["basic"].final, L["personnel"].final, L["public"].final
    w.p(
        f"{d.year}年度一般公共预算的基本支出为{w.money('budget.basic_expenditure', basic)}，"
        f"其中人员经费{w.money('budget.personnel_expenditure', pers)}，占基本支出{percent(pers / basic * 100)}，"
        f"主要包括工资、机关养老保险缴费、职工医疗保险费、住房公积金等；"
        f"日常公用经费{w.money('budget.public_expenditure', pub)}，占基本支出的{percent(pub / basic * 100)}，"
        f"主要包括办公费、印刷费、水电费、差旅费、公务接待费、工会经费等。"
    )
    w.h(2, "（二）项目支出情况")
    items = "，".join(f"{name}{w.money(None, L[name].final)}" for name in d.projects)
    w.p(
        f"{d.year}年度一般公共预算的项目总支出{w.money('budget.project_expenditure', L['project'].final)}，"
        f"其中：{items}。以上项目经费主要用于开展专项业务工作。"
    )
    w.h(1, "三、政府性基金预算支出情况")
    w.p(f"本单位{d.year}年无政府性基金预算支出。")
    w.h(1, "四、部门整体支出绩效情况")
    w.h(2, "（一）收入支出预算执行情况")
    _income_expenditure(w, "完成")
    w.h(2, "（二）“三公”经费支出情况")
    w.p(_three_public_prose(w, f"{d.year}年，"))
    w.h(2, "（三）工作开展情况")
    w.achievement_paragraphs("{i}.")
    w.h(2, "（四）绩效自评结果")
    w.p(_score_sentence(w, f"经自评，本部门{d.year}年度整体支出绩效自评得分为"))
    w.h(1, "五、存在的问题及原因分析")
    w.list_items(d.problems, w.problems, "{i}.")
    w.h(1, "六、下一步改进措施")
    w.list_items(d.measures, w.measures, "（{i}）")
    w.h(1, "七、部门整体支出绩效自评结果拟应用和公开情况")
    w.p("本部门将按要求在门户网站公开绩效自评报告，并将自评结果作为下年度预算安排的重要参考。")
    tables.hunan_attachments(w)
    return title


def _income_expenditure(w: _Writer, verb: str, plant: bool = True) -> None:
    d, L = w.d, w.d.lines
    general = d.total_income - d.income_other
    w.p(
        f"{d.year}年收入实际{verb}{w.money('budget.total_income', d.total_income)}，其中：一般公共预算财政拨款收入"
        f"{verb}{w.money('budget.income_general_budget', general)}，政府性基金财政拨款收入{verb}{w.money('budget.income_government_funds', 0, plant=False)}，"
        f"其他收入{verb}{w.money('budget.income_other', d.income_other)}。"
    )
    w.p(
        f"{d.year}年，本部门支出{w.money('budget.total_expenditure', L['total'].final)}，其中：基本支出{verb}"
        f"{w.money('budget.basic_expenditure', L['basic'].final, plant)}，项目支出{verb}"
        f"{w.money('budget.project_expenditure', L['project'].final, plant)}。年末结转结余"
        f"{w.money('budget.carry_over', d.carry_over)}，预算执行率为{w.pct('budget.execution_rate', d.execution_rate)}。"
    )


def _sichuan(w: _Writer) -> str:
    d, L = w.d, w.d.lines
    title = _title(w, f"{d.department}{d.year}年度部门整体支出绩效自评报告")
    w.text("report.department", d.department)
    w.h(1, "一、部门基本情况")
    w.h(2, "（一）部门职能职责")
    w.p(_duties(w))
    w.h(2, "（二）机构设置及人员情况")
    w.p(
        f"本部门内设{'、'.join(d.kind.offices)}等机构。部门编制{w.count('staffing.authorized', d.authorized, '名')}，"
        f"实有在职人员{w.count('staffing.actual', d.staff, '名')}，离退休人员{w.count('staffing.retired', d.retired, '名')}。"
    )
    w.h(1, "二、部门财政资金收支情况")
    w.h(2, "（一）部门财政资金收入情况")
    w.p(
        f"{d.year}年度部门收入合计{w.money('budget.total_income', d.total_income)}，其中财政拨款收入"
        f"{w.money('budget.income_general_budget', d.total_income - d.income_other)}，其他收入"
        f"{w.money('budget.income_other', d.income_other)}。"
    )
    w.h(2, "（二）部门财政资金支出情况")
    w.p(
        f"{d.year}年度部门支出合计{w.money('budget.total_expenditure', L['total'].final)}，其中：基本支出"
        f"{w.money('budget.basic_expenditure', L['basic'].final)}（人员经费"
        f"{w.money('budget.personnel_expenditure', L['personnel'].final)}，公用经费"
        f"{w.money('budget.public_expenditure', L['public'].final)}），项目支出"
        f"{w.money('budget.project_expenditure', L['project'].final)}。年末结转和结余"
        f"{w.money('budget.carry_over', d.carry_over)}。"
    )
    tables.sichuan_budget_table(w)
    w.h(1, "三、部门整体预算绩效管理情况")
    w.h(2, "（一）项目支出管理情况")
    w.p(f"本年度共实施项目{len(d.projects)}个，项目资金执行情况见下表。")
    tables.sichuan_project_table(w)
    w.h(2, "（二）“三公”经费管理情况")
    w.p(_three_public_prose(w, f"{d.year}年度"))
    w.h(2, "（三）主要履职成效")
    w.achievement_paragraphs("{i}．")
    w.h(1, "四、部门整体绩效目标完成情况")
    w.p("部门整体支出绩效指标完成情况如下表：")
    tables.sichuan_indicator_table(w)
    w.p(_score_sentence(w, "根据绩效指标完成情况，本部门整体支出绩效自评得分"))
    w.h(1, "五、存在的问题及原因分析")
    w.list_items(d.problems, w.problems, "（{i}）")
    w.h(1, "六、下一步改进措施")
    w.list_items(d.measures, w.measures, "（{i}）")
    return title


def _prose_only(w: _Writer) -> str:
    d, L = w.d, w.d.lines
    title = _title(w, f"{d.department}{d.year}年部门整体支出绩效自评情况报告")
    w.text("report.department", d.department)
    w.h(1, "一、基本情况")
    w.p(_duties(w))
    w.p(
        f"本部门核定编制{w.count('staffing.authorized', d.authorized, '人')}，年末实有在职人员"
        f"{w.count('staffing.actual', d.staff, '人')}，退休人员{w.count('staffing.retired', d.retired, '人')}。"
    )
    w.h(1, "二、预算收支情况")
    _income_expenditure(w, "", plant=False)
    w.p(
        f"基本支出中，人员经费{w.money('budget.personnel_expenditure', L['personnel'].final, plant=False)}，"
        f"公用经费{w.money('budget.public_expenditure', L['public'].final)}。"
    )
    for i, name in enumerate(d.projects, start=1):
        amount = w.money(None, L[name].final)
        w.projects.append(
            Project(name=text_value(name), amount=w.f.money_value(L[name].final, amount))
        )
        w.p(f"（{i}）{name}：全年支出{amount}。")
    w.p(_three_public_prose(w, "全年"))
    w.h(1, "三、绩效目标完成情况")
    for i, row in enumerate(d.indicators, start=1):
        w.p(
            f"（{i}）{row.level1}—{row.level2}：{row.level3}，年度目标{row.target}，实际完成{row.actual}，"
            f"分值{row.weight}分，得分{row.score_text}分。"
            + (f"偏差原因：{row.deviation}" if row.deviation else "")
        )
        w.indicator(row, f"{row.weight}分", f"{row.score_text}分")
    w.p(_score_sentence(w, "综合以上指标，本部门整体支出绩效自评得分"))
    w.h(1, "四、主要工作成效")
    w.achievement_paragraphs("（{cn}）")
    w.h(1, "五、存在的问题")
    w.list_items(d.problems, w.problems, "{i}.")
    w.h(1, "六、改进措施")
    w.list_items(d.measures, w.measures, "{i}.")
    w.h(1, "七、总体情况")
    # the second statement of these figures is where a planted contradiction goes
    w.p(
        f"综上，{d.year}年本部门支出合计{w.money('budget.total_expenditure', L['total'].final)}，其中基本支出"
        f"{w.money('budget.basic_expenditure', L['basic'].final)}（含人员经费"
        f"{w.money('budget.personnel_expenditure', L['personnel'].final)}），项目支出"
        f"{w.money('budget.project_expenditure', L['project'].final)}，各项资金使用规范。"
    )
    return title
