"""Money tables of other shapes through the real readers: the unit from a caption or a
title row (values normalised to 万元, the unit as written kept), a 收支 table whose 决算数
column (not its 预算数) is the figure, project tables with other column names."""

from __future__ import annotations

import io

import docx
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport


def _tsv(before: list[str], rows: list[list[str]]) -> ReportExport:
    text = "\n".join(before) + "\n" + "\n".join("\t".join(r) for r in rows) + "\n"
    return extract_rules(read_document(text.encode(), "report.txt")).export


def test_income_rows_take_the_final_column_not_the_budget() -> None:
    e = _tsv(
        ["收入支出决算表"],
        [
            ["项目", "预算数", "决算数"],
            ["一般公共预算财政拨款收入", "512.4", "498.65"],
            ["事业收入", "40", "36.2"],
            ["支出合计", "552.4", "530.1"],
        ],
    )
    assert e.budget.income_general_budget.value == 498.65
    assert e.budget.income_business.value == 36.2
    assert e.budget.total_expenditure.value == 530.1
    assert e.budget.lines[0].budget.value == 512.4  # the budget stays on its line


def test_unit_from_a_title_row_inside_a_word_table() -> None:
    d = docx.Document()
    d.add_paragraph("部门收支情况")
    grid = [
        ["金额单位：元", "", ""],
        ["项目", "年初预算数", "决算数"],
        ["支出合计", "3,250,000.00", "3,118,460.50"],
        ["基本支出", "2,800,000.00", "2,760,010.20"],
    ]
    table = d.add_table(rows=len(grid), cols=3)
    table.cell(0, 0).merge(table.cell(0, 2))
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    e = extract_rules(read_document(buf.getvalue(), "report.docx")).export
    total = e.budget.total_expenditure
    assert (total.value, total.unit, total.original_unit) == (311.84605, "万元", "元")
    assert e.budget.basic_expenditure.value == 276.00102
    assert e.budget.initial_budget.value == 325


def test_caption_in_thousands_separated_yuan_above_a_text_table() -> None:
    e = _tsv(
        ["表3 支出决算情况", "（单位：元）"],
        [
            ["项目", "调整后预算数", "支出数", "执行率"],
            ["支出总额", "1,000,000", "968,000", "96.8%"],
        ],
    )
    assert e.budget.total_expenditure.value == 96.8
    assert e.budget.full_year_budget.value == 100
    assert e.budget.execution_rate.value == 96.8


def test_project_table_with_other_column_names_in_yuan() -> None:
    e = _tsv(
        ["项目支出明细表", "单位：元"],
        [
            ["序号", "专项名称", "预算金额", "实际支出", "执行率", "资金用途"],
            ["1", "河道清淤专项", "800,000", "760,500", "95.06%", "清淤疏浚"],
            ["2", "防汛物资储备", "150,000", "150,000", "100%", "物资采购"],
            ["合计", "", "950,000", "910,500", "", ""],
        ],
    )
    got = [(str(p.name.value), p.budget.value, p.amount.value) for p in e.projects]
    assert got == [("河道清淤专项", 80, 76.05), ("防汛物资储备", 15, 15)]
    assert e.projects[0].amount.original_unit == "元"


def test_project_table_with_a_single_amount_column() -> None:
    e = _tsv(
        ["重点项目支出情况"],
        [
            ["项目名称", "支出数（万元）", "资金用途"],
            ["老年食堂运营补助", "36.8", "餐费补贴"],
            ["社区服务中心改造", "112.25", "房屋修缮"],
        ],
    )
    got = [(str(p.name.value), p.amount.value, p.budget) for p in e.projects]
    assert got == [("老年食堂运营补助", 36.8, None), ("社区服务中心改造", 112.25, None)]


def test_three_public_items_as_columns() -> None:
    e = _tsv(
        ["“三公”经费支出情况表", "单位：万元"],
        [
            ["项目", "合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行维护费"],
            ["年初预算数", "9.6", "0", "2.4", "7.2"],
            ["本年决算数", "8.35", "0", "1.95", "6.4"],
            ["上年决算数", "9.1", "0", "2.3", "6.8"],
            ["增减额", "-0.75", "0", "-0.35", "-0.4"],
            ["增减率", "-8.24%", "", "-15.22%", "-5.88%"],
        ],
    )
    tp = e.three_public
    assert (tp.total.actual.value, tp.total.budget.value, tp.total.previous.value) == (
        8.35,
        9.6,
        9.1,
    )
    assert (tp.reception.actual.value, tp.reception.budget.value) == (1.95, 2.4)
    assert (tp.vehicle.actual.value, tp.vehicle.previous.value) == (6.4, 6.8)
    assert tp.overseas.actual.value == 0
    assert (tp.vehicle.change.value, tp.vehicle.change_pct.value) == (-0.4, -5.88)
    assert tp.vehicle.change_pct.unit == "%"
    # each item column is a budget line named by its header, never by a figure under it
    assert [str(ln.item.value) for ln in e.budget.lines] == [
        "合计",
        "因公出国(境)费",
        "公务接待费",
        "公务用车购置及运行维护费",
    ]
    assert e.budget.lines[3].final.value == 6.4


def test_three_public_columns_with_a_split_vehicle_column_in_yuan() -> None:
    d = docx.Document()
    d.add_paragraph("三公经费明细（单位：元）")
    grid = [
        ["项目", "合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行维护费", "", ""],
        ["", "", "", "", "小计", "购置费", "运行维护费"],
        ["预算数", "150,000", "0", "30,000", "120,000", "0", "120,000"],
        ["实际支出", "126,400", "0", "21,400", "105,000", "0", "105,000"],
    ]
    table = d.add_table(rows=len(grid), cols=7)
    for c in range(4):
        table.cell(0, c).merge(table.cell(1, c))
    table.cell(0, 4).merge(table.cell(0, 6))
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    e = extract_rules(read_document(buf.getvalue(), "report.docx")).export
    tp = e.three_public
    assert (tp.total.actual.value, tp.total.actual.original_unit) == (12.64, "元")
    assert tp.reception.budget.value == 3
    assert tp.vehicle.actual.value == 10.5
    assert tp.vehicle_operation.actual.value == 10.5
    assert tp.vehicle_purchase.actual.value == 0


def test_three_public_columns_with_the_vehicle_parts_beside_it() -> None:
    e = _tsv(
        ["三公经费情况表", "单位：万元"],
        [
            ["项目", "合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行维护费",
             "其中：购置费", "运行维护费"],
            ["预算数", "14.2", "0", "3.1", "11.1", "6", "5.1"],
            ["决算数", "13.05", "0", "2.65", "10.4", "5.8", "4.6"],
            ["上年决算数", "6.3", "0", "1.9", "4.4", "0", "4.4"],
        ],
    )  # fmt: skip
    tp = e.three_public
    assert (tp.vehicle_purchase.actual.value, tp.vehicle_purchase.budget.value) == (5.8, 6)
    assert (tp.vehicle_operation.actual.value, tp.vehicle_operation.previous.value) == (4.6, 4.4)
    assert tp.vehicle.actual.value == 10.4
    # each item column is also the budget line it would be with the items as rows
    lines = {str(ln.item.value): ln for ln in e.budget.lines}
    reception = lines["公务接待费"]
    assert (reception.budget.value, reception.final.value, reception.previous_final.value) == (
        3.1,
        2.65,
        1.9,
    )
    assert lines["其中:购置费"].final.value == 5.8


def test_the_total_row_of_a_three_public_table_is_the_three_public_total() -> None:
    e = _tsv(
        ["本年收入合计300万元，支出合计286.4万元。", "“三公”经费支出情况表"],
        [
            ["项目", "预算数", "决算数", "上年决算数"],
            ["合计", "6.2", "5.74", "4.9"],
            ["因公出国（境）费", "0", "0", "0"],
            ["公务接待费", "1.7", "1.52", "1.1"],
            ["公务用车购置及运行维护费", "4.5", "4.22", "3.8"],
        ],
    )
    assert e.budget.total_expenditure.value == 286.4  # not the 三公 table's 合计
    assert (e.three_public.total.actual.value, e.three_public.total.previous.value) == (5.74, 4.9)
    assert e.three_public.total.budget.value == 6.2
    assert not [f for f in e.findings if "total_expenditure" in " ".join(f.paths)]


def test_a_caption_ending_in_the_unit() -> None:
    e = _tsv(
        ["表2 重点项目支出明细表（元）"],
        [
            ["项目名称", "预算数", "执行数"],
            ["公共法律服务体系建设", "260,000", "248,300"],
        ],
    )
    (p,) = e.projects
    assert (p.amount.value, p.amount.original_unit, p.amount.raw) == (24.83, "元", "248,300")
    assert p.budget.value == 26


@pytest.mark.parametrize("total", ["合计", "总计", "小计", "合计（万元）"])
@pytest.mark.parametrize("projects_after", [False, True])
def test_a_total_row_after_the_project_row_is_no_project(total: str, projects_after: bool) -> None:
    """基本支出 / 项目支出 [its projects] / 合计: the total row ends the project rows and is
    no project (it made a false sum_mismatch on a consistent report)."""
    parts = [["一、河道保洁", "60.00", "58.40"], ["二、水质监测", "30.00", "29.60"]]
    rows = [
        ["项目", "预算数", "决算数"],
        ["基本支出", "420.00", "415.20"],
        ["项目支出", "90.00", "88.00"],
        *(parts if projects_after else []),
        [total, "510.00", "503.20"],
    ]
    e = _tsv(["表1 支出预算执行情况（单位：万元）"], rows)
    names = [p.name.value for p in e.projects]
    assert not any(n.startswith(("合计", "总计", "小计")) for n in names), names
    assert e.budget.total_expenditure is None or e.budget.total_expenditure.value == 503.2
    assert not [f for f in e.findings if f.level == "error"], e.findings
