"""The tables of a varied report: a money table and the 绩效自评表 in several forms, each
printed in the document's table style.

Families: ``table_style`` (ruled, borderless, spaced, flattened: see
``service.synth.spec``), ``money_table`` (none, by_year, budget_final) and
``indicator_table`` (merged like Hunan's, plain like Sichuan's, a rubric-style 自评表
with explanation and scoring rule but no target or actual, or sentences).
"""

from __future__ import annotations

from service.records import Indicator
from service.synth.figures import count_value, percent, text_value
from service.synth.indicators import IndicatorRow
from service.synth.reports import Line
from service.synth.spec import Paragraph, SpecCell, TableBlock
from service.synth.templates_tables import _line_truth, _merged_indicator_rows, _points
from service.synth.variety.catalog import register
from service.synth.variety.writer import VariedWriter

TABLE_STYLES = ("ruled", "borderless", "spaced", "flattened")
INDICATOR_TABLES = ("merged", "plain", "rubric", "sentences")
register("table_style", TABLE_STYLES)
register("money_table", ("none", "by_year", "budget_final", "with_previous"))
register("indicator_table", INDICATOR_TABLES)
register("three_public_table", ("none", "by_column", "by_row"))
register("indicator_names", ("standard", "short", "project_prefix"))
register("rubric_rule", ("per_point", "tiers", "proportional", "per_item"))
TABLE = 2


def _caption(w: VariedWriter, text: str, unit: bool = False) -> None:
    w.blocks.append(Paragraph(text=text, align="center", bold=True, indent=False))
    if unit:
        w.blocks.append(Paragraph(text=f"单位：{w.f.money_unit}", align="right", indent=False))


def _table(w: VariedWriter, rows: list[list[str | SpecCell]], **kwargs: object) -> None:
    w.blocks.append(TableBlock(rows=rows, style=w.table_style, **kwargs))


MONEY_ROWS = (
    ("支出合计", "total", "budget.total_expenditure"),
    ("基本支出", "basic", "budget.basic_expenditure"),
    ("其中：人员经费", "personnel", "budget.personnel_expenditure"),
    ("公用经费", "public", "budget.public_expenditure"),
    ("项目支出", "project", "budget.project_expenditure"),
)


def money_table(w: VariedWriter, form: str) -> None:
    """The expenditure by line: last year's final, this year's budget and final
    (``by_year``), or initial and adjusted budget, final and execution rate
    (``budget_final``)."""
    d = w.d
    _caption(w, f"{d.year}年度部门支出情况表", unit=True)
    if form == "with_previous":
        rows: list[list[str | SpecCell]] = [
            ["项目", "本年决算数", "上年决算数", "增减额", "增减率"]
        ]
    elif form == "by_year":
        rows = [["项目", f"{d.year - 1}年决算数", f"{d.year}年预算数", f"{d.year}年决算数"]]
    else:
        rows = [["项目", "年初预算数", "调整后预算数", "决算数", "执行率"]]
    for label, key, path in MONEY_ROWS:
        rows.append([label, *_money_cells(w, form, label, d.lines[key], path)])
    widths = [2.4, 1.3, 1.3, 1.3] + ([1.0] if form != "by_year" else [])
    _table(w, rows, header_rows=1, col_widths=widths)


def _money_cells(w: VariedWriter, form: str, label: str, line: Line, path: str) -> list[str]:
    final = w.cell(path, line.final)
    if form == "with_previous":
        prev = w.f.number(line.previous)
        diff = line.final - line.previous
        sign = "-" if diff < 0 else ""
        rate = percent(abs(diff) / line.previous * 100) if line.previous else "—"
        _line_truth(w, label, line, previous_final=prev, final=final)
        return [final, prev, sign + w.f.number(abs(diff)), sign + rate]
    if form == "by_year":
        prev, budget = w.f.number(line.previous), w.f.number(line.budget)
        if path == "budget.total_expenditure":  # this year's budget of the whole: 全年预算数
            w.t.offer(
                "budget.full_year_budget", w.f.money_value(line.budget, budget), TABLE, "table"
            )
        _line_truth(w, label, line, previous_final=prev, budget=budget, final=final)
        return [prev, budget, final]
    initial, budget = w.f.number(line.initial), w.f.number(line.budget)
    rate = percent(line.final / line.budget * 100)
    if path == "budget.total_expenditure":
        w.t.offer("budget.initial_budget", w.f.money_value(line.initial, initial), TABLE, "table")
        w.t.offer("budget.full_year_budget", w.f.money_value(line.budget, budget), TABLE, "table")
        w.t.offer(
            "budget.execution_rate",
            count_value(float(rate[:-1]) if "." in rate else int(rate[:-1]), "%", rate),
            TABLE,
            "table",
        )
    _line_truth(
        w, label, line, initial_budget=initial, budget=budget, final=final, execution_rate=rate
    )
    return [initial, budget, final, rate]


THREE_PUBLIC_ROWS = (
    ("合计", "total"),
    ("因公出国（境）费", "overseas"),
    ("公务接待费", "reception"),
    ("公务用车购置及运行维护费", "vehicle"),
    ("其中：公务用车购置费", "vehicle_purchase"),
    ("公务用车运行维护费", "vehicle_operation"),
)


def three_public_table(w: VariedWriter, form: str) -> None:
    """The 三公 costs as a table: items down and budget / final / last year across
    (``by_column``), or the figures down and the items across (``by_row``)."""
    _caption(w, f"{w.d.year}年度“三公”经费支出情况表", unit=True)
    columns = (("预算数", "budget"), ("决算数", "actual"), ("上年决算数", "previous"))
    cells: dict[str, list[str]] = {}
    for _, key in THREE_PUBLIC_ROWS:
        line = w.d.three[key]
        figures = {"budget": line.budget, "actual": line.final, "previous": line.previous}
        cells[key] = [_three_cell(w, f"three_public.{key}.{f}", figures[f]) for _, f in columns]
    labels = [label for label, _ in THREE_PUBLIC_ROWS]
    if form == "by_row":
        labels = ["合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行维护费"]
        labels += ["其中：购置费", "运行维护费"]
    # a money table's rows are budget lines (as the 三公 rows of Hunan's 基础数据表 are)
    for label, (_, key) in zip(labels, THREE_PUBLIC_ROWS, strict=True):
        budget, final, previous = cells[key]
        _line_truth(w, label, w.d.three[key], budget=budget, final=final, previous_final=previous)
    if form == "by_column":
        rows: list[list[str | SpecCell]] = [["项目", *(c for c, _ in columns)]]
        rows += [[label, *cells[key]] for label, key in THREE_PUBLIC_ROWS]
        _table(w, rows, header_rows=1, col_widths=[2.6, 1.2, 1.2, 1.2])
        return
    rows = [["项目", *labels]]
    for i, (name, _) in enumerate(columns):
        rows.append([name, *(cells[key][i] for _, key in THREE_PUBLIC_ROWS)])
    _table(w, rows, header_rows=1, col_widths=[1.1, 0.9, 1.2, 1.0, 1.5, 1.1, 1.1], font_size=9.5)


def _three_cell(w: VariedWriter, path: str, cents: int) -> str:
    text = w.f.number(cents)
    w.t.offer(path, w.f.money_value(cents, text), TABLE, "table")
    return text


def name_indicators(w: VariedWriter) -> None:
    """How the 一级/二级 names are written (``indicator_names``): 产出指标/数量指标, short
    (产出/数量), or the level-1 names as 项目产出/项目效益 (what the truth then holds too)."""
    form = w.pick("indicator_names")
    for row in w.d.indicators:
        if form == "short":
            row.level1 = row.level1.removesuffix("指标")
            row.level2 = row.level2.removesuffix("指标")
        elif form == "project_prefix" and row.level1 != "满意度指标":
            row.level1 = "项目" + row.level1.removesuffix("指标")


# --- 绩效自评表 ---------------------------------------------------------------------------------


def indicator_table(w: VariedWriter, form: str) -> None:
    d = w.d
    _caption(w, f"{d.year}年度部门整体支出绩效自评表")
    if form == "merged":
        rows: list[list[str | SpecCell]] = [
            [
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "偏差原因",
            ]
        ]
        rows += _merged_indicator_rows(w, d.indicators)
        rows.append(
            [
                SpecCell(text="总分", col_span=5),
                "100",
                _points(w, "report.total_score", d.total_score),
                "",
            ]
        )
        widths = [1.0, 1.1, 2.2, 1.2, 1.2, 0.7, 0.7, 1.6]
    elif form == "plain":
        rows = [["一级指标", "二级指标", "指标名称", "目标值", "实际值", "权重", "自评得分"]]
        for row in d.indicators:
            rows.append(
                [
                    row.level1,
                    row.level2,
                    row.level3,
                    row.target,
                    row.actual,
                    str(row.weight),
                    row.score_text,
                ]
            )
            w.indicator(row, str(row.weight), row.score_text)
            w.indicators[-1].deviation = None  # this table has no column for it
        rows.append(
            [
                SpecCell(text="合计", col_span=5),
                "100",
                _points(w, "report.total_score", d.total_score),
            ]
        )
        widths = [1.0, 1.1, 2.4, 1.2, 1.2, 0.7, 0.8]
    else:
        rows = _rubric(w)
        widths = [1.0, 1.1, 1.8, 2.2, 0.6, 2.4, 0.7]
    _table(w, rows, header_rows=1, col_widths=widths, font_size=9.5)


_RULES = {
    "per_point": "完成目标值得满分，每低1个百分点扣{step}分，扣完为止",
    "tiers": "全部完成得{weight}分，基本完成得{half}分，未完成不得分",
    "proportional": "按实际完成值占目标值的比例计分",
    "per_item": "每有一项任务未完成扣{step}分",
}


def _rubric(w: VariedWriter) -> list[list[str | SpecCell]]:
    """A rubric-style 自评表: indicator, explanation, points, scoring rule, self-score (no
    target, no actual: the truth has neither)."""
    d = w.d
    rule = _RULES[w.pick("rubric_rule")]
    rows: list[list[str | SpecCell]] = [
        ["一级指标", "二级指标", "三级指标", "指标解释", "分值", "评分标准", "自评得分"]
    ]
    for row in d.indicators:
        half = row.weight / 2
        text = rule.format(
            step=0.5, weight=row.weight, half=int(half) if half.is_integer() else half
        )
        rows.append(
            [
                row.level1,
                row.level2,
                row.level3,
                f"反映{row.level3}情况",
                str(row.weight),
                text,
                row.score_text,
            ]
        )
        w.indicators.append(_rubric_truth(row))
    rows.append(
        [
            SpecCell(text="合计", col_span=4),
            "100",
            "",
            _points(w, "report.total_score", d.total_score),
        ]
    )
    return rows


def _rubric_truth(row: IndicatorRow) -> Indicator:
    score = int(row.score) if float(row.score).is_integer() else row.score
    return Indicator(
        level1=text_value(row.level1),
        level2=text_value(row.level2),
        level3=text_value(row.level3),
        weight=count_value(row.weight, None, str(row.weight)),
        score=count_value(score, None, row.score_text),
    )


def indicator_sentences(w: VariedWriter) -> None:
    """The indicators as sentences, one paragraph each (no table, so no total row)."""
    for i, row in enumerate(w.d.indicators, start=1):
        w.p(
            f"（{i}）{row.level1}—{row.level2}：{row.level3}，年度目标{row.target}，实际完成{row.actual}，"
            f"分值{row.weight}分，得分{row.score_text}分。"
            + (f"偏差原因：{row.deviation}" if row.deviation else "")
        )
        w.indicator(row, f"{row.weight}分", f"{row.score_text}分")
