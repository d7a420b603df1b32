"""Project and money tables pasted as text with their cells glued (or spaced) after the row's
name: amounts split where a two-decimal part ends, a rate ends in %, the header words say
which column is which; a row whose rate does not match its amounts is left unread."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport


def _read(lines: list[str]) -> ReportExport:
    text = "某区档案馆2025年度部门整体支出绩效自评报告\n一、基本情况\n本馆负责档案收集保管。\n"
    text += "\n".join(lines) + "\n"
    return extract_rules(read_document(text.encode(), "report.txt")).export


def _project(e: ReportExport, name: str):
    found = [p for p in e.projects if p.name.value == name]
    assert len(found) == 1, [p.name.value for p in e.projects]
    return found[0]


def test_numbered_rows_with_yuan_in_the_header() -> None:
    e = _read(
        [
            "三、项目支出情况",
            "序号项目名称预算数（元）决算数（元）",
            "1档案数字化加工1,250,000.001,198,400.50",
            "2委员履职保障507,900.00497,300.00",
            "3库房安防维护86,000.0079,560.00",
        ]
    )
    p = _project(e, "委员履职保障")
    assert p.budget.value == 50.79 and p.amount.value == 49.73
    assert p.amount.raw == "497,300.00" and p.amount.original_unit == "元"
    assert _project(e, "档案数字化加工").amount.value == 119.84005
    assert _project(e, "库房安防维护").budget.value == 8.6


def test_spaced_name_and_glued_figures_with_a_rate_in_wan() -> None:
    e = _read(
        [
            "（单位：万元）",
            "项目名称 年初预算 执行数 执行率",
            "1 乡村道路养护 420.00408.5097.26%",
            "2 河道清淤工程 96.5090.0093.26%",
        ]
    )
    p = _project(e, "乡村道路养护")
    assert (p.budget.value, p.amount.value, p.amount.unit) == (420.0, 408.5, "万元")
    assert _project(e, "河道清淤工程").amount.raw == "90.00"


def test_unnumbered_glued_rows_under_a_glued_header() -> None:
    e = _read(
        [
            "专项名称预算金额支出金额执行率",
            "会务保障经费12.0011.8098.33%",
            "宣传印刷经费8.507.9893.88%",
            "信息系统运维35.0035.00100%",
        ]
    )
    assert _project(e, "会务保障经费").amount.value == 11.8
    assert _project(e, "宣传印刷经费").budget.value == 8.5
    assert _project(e, "信息系统运维").amount.value == 35


def test_a_rate_that_does_not_match_its_amounts_leaves_the_row_unread() -> None:
    e = _read(
        [
            "项目名称预算数执行数执行率",
            "会务保障经费12.0011.8098.33%",
            "宣传印刷经费8.507.9880.00%",
        ]
    )
    assert [p.name.value for p in e.projects] == ["会务保障经费"]


@pytest.mark.parametrize(
    "row",
    [
        "会务保障经费12.0011.8",  # the last amount has one decimal: no two-decimal split
        "会务保障经费1200118",  # no decimals at all
        "会务保障经费12.0011.809.50",  # three amounts under two columns
    ],
)
def test_ambiguous_glued_rows_are_left_unread(row: str) -> None:
    e = _read(["项目名称预算数执行数", row])
    assert not [p for p in e.projects if p.name.value == "会务保障经费"]


def test_budget_rows_in_a_glued_table_fill_the_budget() -> None:
    e = _read(
        [
            "2025年度经费支出表（单位：元）",
            "项目名称预算数决算数执行率",
            "支出合计3,860,000.003,712,450.6096.18%",
            "基本支出2,900,000.002,884,300.2099.46%",
            "项目支出960,000.00828,150.4086.27%",
            "档案征集经费300,000.00291,000.0097.00%",
        ]
    )
    b = e.budget
    assert b.total_expenditure.value == pytest.approx(371.24506)
    assert b.total_expenditure.raw == "3,712,450.60"
    assert b.basic_expenditure.value == pytest.approx(288.43002)
    assert b.project_expenditure.value == pytest.approx(82.81504)
    assert _project(e, "档案征集经费").amount.value == 29.1
    assert not [p for p in e.projects if p.name.value in ("支出合计", "基本支出")]


def test_glued_budget_table_under_a_bare_item_header() -> None:
    e = _read(
        [
            "（万元）",
            "项目年初预算执行数",
            "支出合计640.00612.40",
            "基本支出480.00476.20",
            "项目支出160.00136.20",
        ]
    )
    assert e.budget.total_expenditure.value == 612.4
    assert e.budget.basic_expenditure.value == 476.2
    assert e.budget.initial_budget.value == 640


def test_spaced_project_rows_with_the_unit_at_the_end_of_the_header() -> None:
    e = _read(
        [
            "支出项目名称 调整后预算 实际支出（单位：元）",
            "1、老旧小区照明改造 2,480,000.00 2,366,900.00",
            "2、背街小巷保洁 615,000.00 615,000.00",
            "合计 3,095,000.00 2,981,900.00",
        ]
    )
    p = _project(e, "老旧小区照明改造")
    assert (p.budget.value, p.amount.value, p.amount.original_unit) == (248.0, 236.69, "元")
    assert _project(e, "背街小巷保洁").amount.raw == "615,000.00"
    assert not [p for p in e.projects if p.name.value == "合计"]


def test_spaced_number_and_name_glued_figures_in_wan_with_thousands() -> None:
    e = _read(
        [
            "单位：万元",
            "序号 项目名称 全年预算数 全年执行数 预算执行率",
            "01 城区绿化提质 1,260.00 1,197.0095.00%",
            "02 公园设施更新318.40296.1193.00%",
        ]
    )
    assert _project(e, "城区绿化提质").amount.value == 1197
    p = _project(e, "公园设施更新")
    assert (p.budget.value, p.amount.value, p.amount.raw) == (318.4, 296.11, "296.11")


@pytest.mark.parametrize("sep", ["\t", "  "])
def test_a_table_cell_holding_glued_figures_is_split(sep: str) -> None:
    rows = [
        "单位：万元",
        "序号 项目名称 全年预算数 全年执行数 预算执行率",
        "01 城区绿化提质 1,260.00 1,197.0095.00%",
        "02 公园设施更新 318.40296.1193.00%",
    ]
    e = _read([r.replace(" ", sep) for r in rows])
    p = _project(e, "城区绿化提质")
    assert (p.budget.value, p.amount.value, p.amount.raw) == (1260, 1197, "1,197.00")
    q = _project(e, "公园设施更新")
    assert (q.budget.value, q.amount.value, q.amount.raw) == (318.4, 296.11, "296.11")


def test_glued_budget_table_under_an_account_header() -> None:
    e = _read(
        [
            "表2 支出决算（单位：元）",
            "支出科目年初预算数调整后预算数决算数",
            "支出合计1,920,000.002,035,600.001,988,214.36",
            "人员经费1,410,000.001,452,000.001,449,870.12",
            "公用经费210,000.00223,600.00219,330.24",
        ]
    )
    b = e.budget
    assert b.total_expenditure.value == pytest.approx(198.821436)
    assert b.total_expenditure.original_unit == "元"
    assert b.personnel_expenditure.value == pytest.approx(144.987012)
    assert b.public_expenditure.raw == "219,330.24"
    assert b.full_year_budget.value == pytest.approx(203.56)
    assert not e.projects


def test_a_sentence_naming_a_project_and_its_budget_is_no_header() -> None:
    e = _read(
        [
            "（二）项目名称及预算执行情况说明如下",
            "档案修复专项12.0011.80",
        ]
    )
    assert not [p for p in e.projects if p.name.value == "档案修复专项"]
