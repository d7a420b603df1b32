"""The tables of the synthetic templates: Hunan's 附件1 基础数据表 and 附件2 绩效自评表
(merged cells), Sichuan's 收支情况表, 项目支出表 and indicator table (no merges).

Owns table layout and the truth of the figures written in tables (priority 2: a table
figure is where a reader should take a field from). Used only by
``service.synth.templates``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from service.records import BudgetLine, Project, Value
from service.synth.figures import count_value, percent, text_value
from service.synth.indicators import IndicatorRow
from service.synth.reports import Line
from service.synth.spec import PageBreak, Paragraph, SpecCell

if TYPE_CHECKING:
    from service.synth.templates import _Writer

TABLE = 2  # truth priority of a table figure


def _money(w: _Writer, path: str | None, cents: int) -> str:
    return w.cell(path, cents) if path else w.f.number(cents)


def _value(w: _Writer, cents: int, shown: str) -> Value:
    return w.f.money_value(cents, shown)


def _budget_row(
    w: _Writer,
    label: str,
    line: Line,
    final_path: str | None = None,
    three_public: str | None = None,
) -> list[str | SpecCell]:
    """A 基础数据表 row: last year's final, this year's budget, this year's final."""
    tp = three_public
    prev = _money(w, f"{tp}.previous" if tp else None, line.previous)
    budget = _money(w, f"{tp}.budget" if tp else None, line.budget)
    final = _money(w, f"{tp}.actual" if tp else final_path, line.final)
    _line_truth(w, label, line, previous_final=prev, budget=budget, final=final)
    return [label, prev, budget, final]


def _line_truth(w: _Writer, label: str, line: Line, **shown: str) -> None:
    """The truth of one money-table row: each column as written (``shown``, by BudgetLine
    field), with the figure it stands for."""
    figures = {
        "previous_final": line.previous,
        "initial_budget": line.initial,
        "budget": line.budget,
        "final": line.final,
    }
    values: dict[str, Value] = {
        k: _value(w, figures[k], text) for k, text in shown.items() if k in figures
    }
    if rate := shown.get("execution_rate"):
        values["execution_rate"] = count_value(float(rate.rstrip("%")), "%", rate)
    w.lines.append(BudgetLine(item=text_value(label.strip()), **values))


def _unit(w: _Writer) -> str:
    return w.f.money_unit


def hunan_attachments(w: _Writer) -> None:
    _hunan_basic_data(w)
    _hunan_self_evaluation(w)


def _hunan_basic_data(w: _Writer) -> None:
    d, L, three = w.d, w.d.lines, w.d.three
    w.blocks.append(PageBreak())
    w.blocks.append(Paragraph(text="附件1", indent=False, bold=True))
    w.caption(f"{d.year}年度部门整体支出绩效评价基础数据表")
    rows: list[list[str | SpecCell]] = [
        [
            SpecCell(text="财政供养人员情况（人）", row_span=2),
            "编制数",
            f"{d.year}年实际在职人数",
            "控制率",
        ],
        [
            w.count("staffing.authorized", d.authorized, "", TABLE),
            w.count("staffing.actual", d.staff, "", TABLE),
            w.pct("staffing.control_rate", d.staff_rate(), TABLE),
        ],
        [
            f"经费控制情况（{_unit(w)}）",
            f"{d.year - 1}年决算数",
            f"{d.year}年预算数",
            f"{d.year}年决算数",
        ],
        _budget_row(w, "支出总额", L["total"], "budget.total_expenditure"),
        _budget_row(w, "基本支出", L["basic"], "budget.basic_expenditure"),
        _budget_row(w, "　其中：人员经费", L["personnel"], "budget.personnel_expenditure"),
        _budget_row(w, "　　　　公用经费", L["public"], "budget.public_expenditure"),
        _budget_row(w, "项目支出", L["project"], "budget.project_expenditure"),
    ]
    for i, name in enumerate(d.projects):
        row = _budget_row(w, ("　其中：" if i == 0 else "　　　　") + name, L[name])
        rows.append(row)
        w.projects.append(
            Project(
                name=text_value(name),
                amount=_value(w, L[name].final, str(row[3])),
                budget=_value(w, L[name].budget, str(row[2])),
                previous=_value(w, L[name].previous, str(row[1])),
            )
        )
    tp = "three_public"
    rows += [
        _budget_row(w, "三公经费", three["total"], three_public=f"{tp}.total"),
        _budget_row(
            w, "　1、公务用车购置和维护经费", three["vehicle"], three_public=f"{tp}.vehicle"
        ),
        _budget_row(
            w,
            "　　其中：公车购置",
            three["vehicle_purchase"],
            three_public=f"{tp}.vehicle_purchase",
        ),
        _budget_row(
            w,
            "　　　　　公车运行维护",
            three["vehicle_operation"],
            three_public=f"{tp}.vehicle_operation",
        ),
        _budget_row(w, "　2、出国经费", three["overseas"], three_public=f"{tp}.overseas"),
        _budget_row(w, "　3、公务接待", three["reception"], three_public=f"{tp}.reception"),
    ]
    w.table(rows, header_rows=0, col_widths=[3.2, 1.4, 1.4, 1.4])
    w.p(
        "说明：“公用经费”填报基本支出中的一般商品和服务支出；“项目支出”填报基本支出以外的所有项目支出。"
    )


def _hunan_self_evaluation(w: _Writer) -> None:
    d, T = w.d, w.d.lines["total"]
    w.blocks.append(PageBreak())
    w.blocks.append(Paragraph(text="附件2", indent=False, bold=True))
    w.caption(f"{d.year}年度部门整体支出绩效自评表")
    score = d.execution_score or 0.0
    n = len(d.indicators)
    rows: list[list[str | SpecCell]] = [
        ["预算部门", SpecCell(text=d.department, col_span=8)],
        [
            SpecCell(text=f"年度预算申请（{_unit(w)}）", row_span=2, col_span=3),
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ],
        [
            w.cell("budget.initial_budget", T.initial),
            w.cell("budget.full_year_budget", T.budget),
            w.cell("budget.full_year_execution", T.final),
            w.count("budget.execution_weight", d.execution_weight or 10, "", TABLE),
            w.pct("budget.execution_rate", d.execution_rate, TABLE),
            _points(w, "budget.execution_score", score),
        ],
        [
            SpecCell(text="年度总体目标", row_span=2, col_span=3),
            SpecCell(text="预期目标", col_span=3),
            SpecCell(text="实际完成情况", col_span=3),
        ],
        [SpecCell(text=_goals(w), col_span=3), SpecCell(text=_done(w), col_span=3)],
        [
            SpecCell(text="绩效指标", row_span=n + 1),
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ],
    ]
    rows += _merged_indicator_rows(w, d.indicators)
    rows.append(
        [
            SpecCell(text="总分", col_span=6),
            str(100),
            _points(w, "report.total_score", d.total_score),
            "",
        ]
    )
    w.table(
        rows, header_rows=0, col_widths=[0.7, 1.1, 1.2, 2.2, 1.2, 1.2, 0.7, 1.0, 1.5], font_size=9.5
    )


def _points(w: _Writer, path: str, x: float) -> str:
    text = str(int(x)) if float(x).is_integer() else f"{x:g}"
    w.t.offer(path, count_value(int(x) if float(x).is_integer() else x, None, text), TABLE, "table")
    return text


def _goals(w: _Writer) -> str:
    titles = list(dict.fromkeys(a.section for a in w.d.achievements))
    return "；".join(f"{i}、{t}" for i, t in enumerate(titles, start=1)) + "。"


def _done(w: _Writer) -> str:
    return (
        "各项年度工作目标均已完成，"
        + "，".join(dict.fromkeys(a.section for a in w.d.achievements))
        + "取得明显成效。"
    )


def _merged_indicator_rows(
    w: _Writer, indicators: list[IndicatorRow]
) -> list[list[str | SpecCell]]:
    """Rows with the 一级/二级指标 cells merged down their groups."""
    rows: list[list[str | SpecCell]] = []
    for i, row in enumerate(indicators):
        cells: list[str | SpecCell] = []
        if i == 0 or indicators[i - 1].level1 != row.level1:
            span = _run(indicators, i, lambda r: r.level1)
            cells.append(SpecCell(text=row.level1, row_span=span))
        if i == 0 or (indicators[i - 1].level1, indicators[i - 1].level2) != (
            row.level1,
            row.level2,
        ):
            span = _run(indicators, i, lambda r: (r.level1, r.level2))
            cells.append(SpecCell(text=row.level2, row_span=span))
        cells += [
            row.level3,
            row.target,
            row.actual,
            str(row.weight),
            row.score_text,
            row.deviation,
        ]
        w.indicator(row, str(row.weight), row.score_text)
        rows.append(cells)
    return rows


def _run(rows: list[IndicatorRow], start: int, key: Callable[[IndicatorRow], object]) -> int:
    first = key(rows[start])
    n = 0
    while start + n < len(rows) and key(rows[start + n]) == first:
        n += 1
    return n


# --- Sichuan ----------------------------------------------------------------------------------


def sichuan_budget_table(w: _Writer) -> None:
    d, L = w.d, w.d.lines
    w.caption(f"{d.year}年度部门财政资金收支情况表")
    w.p(f"单位：{_unit(w)}", align="right", indent=False)
    rows: list[list[str | SpecCell]] = [["项目", "年初预算数", "调整后预算数", "决算数", "执行率"]]

    def truth(label: str, line: Line, cells: list[str]) -> None:
        initial, budget, final, rate = cells
        _line_truth(w, label, line, initial_budget=initial, budget=budget, final=final,
                    execution_rate=rate)  # fmt: skip

    def row(label: str, line: Line, final_path: str | None, rate_path: str | None = None) -> None:
        rate = round(line.final / line.budget * 100, 2) if line.budget else 0.0
        cells = [
            w.f.number(line.initial),
            w.f.number(line.budget),
            _money(w, final_path, line.final),
            w.pct(rate_path, rate, TABLE),
        ]
        rows.append([label, *cells])
        truth(label, line, cells)

    total = L["total"]
    cells = [
        w.cell("budget.initial_budget", total.initial),
        w.cell("budget.full_year_budget", total.budget),
        w.cell("budget.total_expenditure", total.final),
        w.pct("budget.execution_rate", d.execution_rate, TABLE),
    ]
    rows.append(["支出合计", *cells])
    truth("支出合计", total, cells)
    row("基本支出", L["basic"], "budget.basic_expenditure")
    row("　其中：人员经费", L["personnel"], "budget.personnel_expenditure")
    row("　　　　公用经费", L["public"], "budget.public_expenditure")
    row("项目支出", L["project"], "budget.project_expenditure")
    w.table(rows, header_rows=1, col_widths=[2.4, 1.3, 1.3, 1.3, 1.0])


def sichuan_project_table(w: _Writer) -> None:
    d, L = w.d, w.d.lines
    rows: list[list[str | SpecCell]] = [
        ["序号", "项目名称", f"预算数（{_unit(w)}）", f"执行数（{_unit(w)}）", "执行率"]
    ]
    for i, name in enumerate(d.projects, start=1):
        line = L[name]
        budget, final = w.f.number(line.budget), w.f.number(line.final)
        rows.append([str(i), name, budget, final, percent(line.final / line.budget * 100)])
        w.projects.append(
            Project(
                name=text_value(name),
                amount=_value(w, line.final, final),
                budget=_value(w, line.budget, budget),
            )
        )
    w.table(rows, header_rows=1, col_widths=[0.6, 3.2, 1.4, 1.4, 1.0])


def sichuan_indicator_table(w: _Writer) -> None:
    d = w.d
    w.caption(f"{d.year}年度部门整体支出绩效指标完成情况表")
    rows: list[list[str | SpecCell]] = [
        ["一级指标", "二级指标", "指标名称", "目标值", "实际值", "权重", "自评得分", "未完成原因"]
    ]
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
                row.deviation,
            ]
        )
        w.indicator(row, str(row.weight), row.score_text)
    rows.append(
        [
            SpecCell(text="合计", col_span=5),
            "100",
            _points(w, "report.total_score", d.total_score),
            "",
        ]
    )
    w.table(
        rows,
        header_rows=1,
        repeat_header=True,
        col_widths=[1.0, 1.2, 2.4, 1.2, 1.2, 0.7, 0.8, 1.5],
        font_size=9.5,
    )
