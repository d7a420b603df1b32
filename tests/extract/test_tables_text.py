"""Money and 三公 tables pasted as text lines whose cells carry no unit: the unit stands in
a caption or heading above them, cells are parted by one space, several spaces or tabs,
figures keep their thousands separators. Single-spaced rows are read by flat_money.py;
wider-spaced ones become ingest ``Table``s; both must come out the same."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport


def _read(lines: list[str], sep: str = " ") -> ReportExport:
    text = "某镇卫生院2025年度部门整体支出绩效自评报告\n一、基本情况\n本院承担辖区基本医疗服务。\n"
    text += "\n".join(line.replace(" ", sep) for line in lines) + "\n"
    return extract_rules(read_document(text.encode(), "report.txt")).export


_YUAN_TABLE = [
    "二、经费收支（单位：元）",
    "项目 年初预算 全年预算 执行数",
    "收入合计 5,120,000.00 5,388,760.00 5,301,442.18",
    "支出合计 5,120,000.00 5,388,760.00 5,203,118.40",
    "基本支出 3,900,000.00 3,960,000.00 3,948,220.10",
    "项目支出 1,220,000.00 1,428,760.00 1,254,898.30",
]


@pytest.mark.parametrize("sep", [" ", "  ", "\t"])
def test_yuan_caption_sets_the_unit_of_bare_cells(sep: str) -> None:
    e = _read(_YUAN_TABLE, sep)
    total = e.budget.total_expenditure
    assert (total.value, total.unit, total.original_unit) == (520.31184, "万元", "元")
    assert e.budget.total_income.value == 530.144218
    assert e.budget.basic_expenditure.value == 394.82201
    assert e.budget.project_expenditure.value == 125.48983
    assert e.budget.initial_budget.value == 512
    assert e.budget.full_year_budget.value == 538.876
    basic = next(line for line in e.budget.lines if line.item.value == "基本支出")
    assert basic.budget.value == 396 and basic.initial_budget.value == 390


def test_wan_yuan_caption_alone_on_its_line_and_no_header() -> None:
    e = _read(
        [
            "2025年度支出情况如下表。",
            "（万元）",
            "支出合计 812.36",
            "基本支出 640.5",
            "其中：人员经费 512.08",
            "项目支出 171.86",
        ]
    )
    assert e.budget.total_expenditure.value == 812.36
    assert e.budget.personnel_expenditure.value == 512.08
    assert e.budget.project_expenditure.value == 171.86


def test_thousand_yuan_unit_note_and_budget_final_columns() -> None:
    e = _read(
        [
            "表1 收支决算表 金额单位：千元",
            "科目 预算数 决算数",
            "财政拨款收入 3,450.6 3,390.2",
            "基本支出 2,100 2,088.4",
            "项目支出 1,350.6 1,301.8",
        ]
    )
    assert e.budget.income_general_budget.value == 339.02
    assert e.budget.basic_expenditure.value == 208.84
    assert e.budget.project_expenditure.value == 130.18


def test_a_lone_labelled_figure_in_prose_is_no_table() -> None:
    e = _read(["本年度认真落实过紧日子要求。", "基本支出 99", "以上情况特此说明。"])
    assert e.budget.basic_expenditure is None or e.budget.basic_expenditure.value != 99


_THREE_PUBLIC = [
    "三、“三公”经费支出情况（单位：万元）",
    "项目 本年 上年 增减额 增减率",
    "公务接待费 0.45 0.60 -0.15 -25%",
    "公务用车运行维护费 3.20 3.50 -0.30 -8.57%",
    "因公出国（境）费 0 0 0 0",
    "合计 3.65 4.10 -0.45 -10.98%",
]


@pytest.mark.parametrize("sep", [" ", "   ", "\t"])
def test_three_public_text_table_with_change_columns(sep: str) -> None:
    tp = _read(_THREE_PUBLIC, sep).three_public
    assert (tp.reception.actual.value, tp.reception.previous.value) == (0.45, 0.6)
    assert (tp.reception.change.value, tp.reception.change_pct.value) == (-0.15, -25)
    assert tp.reception.change_pct.unit == "%"
    assert tp.vehicle_operation.change.value == -0.3
    assert (tp.total.actual.value, tp.total.change_pct.value) == (3.65, -10.98)
    assert tp.overseas.actual.value == 0


def test_three_public_in_yuan_with_other_column_words() -> None:
    tp = _read(
        [
            "“三公”经费决算对比表（元）",
            "项目名 本年数 上年数 增减数 增减幅度",
            "公务接待费 12,600 18,000 -5,400 -30",
            "公务用车购置及运行维护费 48,000 45,000 3,000 6.67",
            "合计 60,600 63,000 -2,400 -3.81",
        ]
    ).three_public
    assert tp.reception.actual.value == 1.26 and tp.reception.previous.value == 1.8
    assert tp.reception.change.value == -0.54
    assert (tp.reception.change_pct.value, tp.reception.change_pct.unit) == (-30, "%")
    assert tp.vehicle.change.value == 0.3
    assert tp.total.actual.value == 6.06


def test_three_public_budget_and_final_without_header() -> None:
    tp = _read(
        [
            "（四）三公经费（万元）",
            "公务接待费 1.2 0.96",
            "公务用车运行维护费 4 3.72",
        ]
    ).three_public
    assert (tp.reception.budget.value, tp.reception.actual.value) == (1.2, 0.96)
    assert tp.vehicle_operation.actual.value == 3.72


def test_numbered_labels_and_unit_in_the_header_line() -> None:
    e = _read(
        [
            "收支决算明细",
            "项目 2024年决算数（元） 2025年决算数（元）",
            "一、收入合计 2,980,400 3,105,220",
            "二、支出合计 2,950,100 3,088,760",
            "（一）基本支出 2,100,000 2,204,500",
            "（二）项目支出 850,100 884,260",
        ]
    )
    assert e.budget.total_income.value == 310.522
    assert e.budget.total_expenditure.value == 308.876
    assert e.budget.basic_expenditure.value == 220.45
    assert e.budget.project_expenditure.value == 88.426
    total = next(line for line in e.budget.lines if "支出合计" in line.item.value)
    assert total.previous_final.value == 295.01


@pytest.mark.parametrize("sep", [" ", "  "])
def test_three_public_under_bare_year_columns(sep: str) -> None:
    tp = _read(
        [
            "表3 “三公”经费支出对比（单位：万元）",
            "项目 2025年 2024年 增减额 增减率",
            "其中：公务用车购置费 0 12.5 -12.5 -100%",
            "公务用车运行维护费 2.84 3.1 -0.26 -8.39%",
            "公务接待费 0.62 0.58 0.04 6.9%",
        ],
        sep,
    ).three_public
    assert (tp.vehicle_purchase.actual.value, tp.vehicle_purchase.previous.value) == (0, 12.5)
    assert tp.vehicle_purchase.change_pct.value == -100
    assert (tp.vehicle_operation.actual.value, tp.vehicle_operation.change.value) == (2.84, -0.26)
    assert (tp.reception.previous.value, tp.reception.change_pct.value) == (0.58, 6.9)


def test_rows_parted_by_blank_lines_under_a_distant_caption() -> None:
    e = _read(
        [
            "（二）部门决算收支情况（单位：元）",
            "",
            "项目 预算数 决算数 执行率",
            "",
            "收入合计 1,860,000 1,842,517.33 99.06%",
            "",
            "支出合计 1,860,000 1,790,288.91 96.25%",
            "",
            "人员经费 1,200,000 1,188,400.00 99.03%",
        ]
    )
    assert e.budget.total_income.value == 184.251733
    assert e.budget.total_expenditure.value == 179.028891
    assert e.budget.personnel_expenditure.value == 118.84
    assert (e.budget.execution_rate.value, e.budget.execution_rate.unit) == (96.25, "%")


def test_change_rate_column_left_blank_in_every_row() -> None:
    tp = _read(
        [
            "“三公”经费（万元）",
            "项目 本年 上年 增减额 增减率",
            "公务接待费 0.45 0.60 -0.15",
            "公务用车运行维护费 2.1 2.35 -0.25",
        ]
    ).three_public
    assert (tp.reception.actual.value, tp.reception.previous.value) == (0.45, 0.6)
    assert tp.reception.change.value == -0.15 and tp.reception.change_pct is None
    assert tp.reception.budget is None  # three figures are not budget, final and rate here
    assert tp.vehicle_operation.change.value == -0.25


def test_rows_the_lexicon_does_not_name_stay_in_the_table_and_size_says_yuan() -> None:
    e = _read(
        [
            "（一）收入支出情况",
            "项目 金额",
            "本年收入合计 8,412,005.62",
            "其中：财政拨款收入 8,100,000.00",
            "本年支出合计 8,377,914.05",
            "工资福利支出 5,601,220.00",
            "商品和服务支出 1,411,080.40",
            "基本支出 7,012,300.40",
            "项目支出 1,365,613.65",
        ]
    )
    assert e.budget.total_income.value == 841.200562
    assert e.budget.total_expenditure.value == 837.791405
    assert e.budget.basic_expenditure.value == 701.23004
    assert e.budget.project_expenditure.value == 136.561365
    items = [line.item.value for line in e.budget.lines]
    assert "商品和服务支出" in items


def test_run_of_figures_without_a_known_label_is_not_a_money_table() -> None:
    e = _read(["培训情况 3 5", "走访户数 120 131", "本年度工作扎实推进。"])
    assert e.budget.lines == []


def test_the_total_line_of_a_score_table_is_no_money_table() -> None:
    e = _read(
        ["三级指标 指标值 完成值 分值 得分", "群众满意度 ≥90% 95% 10 10", "标 分", "合计 100 99"]
    )
    assert e.budget.lines == []
    assert e.budget.total_expenditure is None


def test_three_public_rows_named_as_the_lexicon_names_them() -> None:
    tp = _read(
        [
            "（三）“三公”经费（单位：元）",
            "项目 本年数 上年数",
            "1.因公出国（境）经费 0 0",
            "2.公车运维费 31,200 35,800",
            "3.公务接待 4,150 6,020",
            "“三公”经费支出合计 35,350 41,820",
        ]
    ).three_public
    assert (tp.vehicle_operation.actual.value, tp.vehicle_operation.previous.value) == (3.12, 3.58)
    assert tp.reception.actual.value == 0.415
    assert (tp.total.actual.value, tp.total.previous.value) == (3.535, 4.182)
    assert tp.overseas.actual.value == 0


@pytest.mark.parametrize("sep", [" ", "\t"])
def test_three_public_items_as_columns_in_text(sep: str) -> None:
    tp = _read(
        [
            "表4 “三公”经费情况（单位：元）",
            "项目 合计 因公出国（境）费 公务接待费 公务用车运行维护费",
            "预算数 52,000 0 12,000 40,000",
            "决算数 47,310 0 9,860 37,450",
            "上年决算数 50,020 0 11,200 38,820",
        ],
        sep,
    ).three_public
    assert (tp.total.budget.value, tp.total.actual.value) == (5.2, 4.731)
    assert (tp.reception.actual.value, tp.reception.previous.value) == (0.986, 1.12)
    assert tp.vehicle_operation.actual.value == 3.745
