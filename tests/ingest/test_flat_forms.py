"""Tables a text copy flattened into ruled grids, delimited rows, stacked cells or label
lines over figure lines come back as grids of the same cells; prose that merely looks
like one of these forms stays prose."""

from __future__ import annotations

import pytest

from service.ingest.flat_tables import FlatTable, split_flat_tables

ROWS = [
    ["项目", "预算数", "决算数"],
    ["基本支出", "820.00", "815.32"],
    ["项目支出", "430.00", "421.16"],
]


def _tables(lines: list[str]) -> list[list[list[str]]]:
    return [b.rows for b in split_flat_tables(lines) if isinstance(b, FlatTable)]


def _prose(lines: list[str]) -> list[str]:
    return [b for b in split_flat_tables(lines) if isinstance(b, str) and b]


BOX = [
    "┌────┬────┬────┐",
    "│项目│预算数│决算数│",
    "├────┼────┼────┤",
    "│基本支出│820.00│815.32│",
    "├────┼────┼────┤",
    "│项目支出│430.00│421.16│",
    "└────┴────┴────┘",
]
ASCII = [
    "+--------+--------+--------+",
    "| 项目   | 预算数 | 决算数 |",
    "+========+========+========+",
    "| 基本支出 | 820.00 | 815.32 |",
    "| 项目支出 | 430.00 | 421.16 |",
    "+--------+--------+--------+",
]
HEAVY = [
    "┃项目┃预算数┃决算数┃",
    "┣━━━━╋━━━━╋━━━━┫",
    "┃基本支出┃820.00┃815.32┃",
    "┃项目支出┃430.00┃421.16┃",
]
CSV = ["项目,预算数,决算数", "基本支出,820.00,815.32", "项目支出,430.00,421.16"]
SEMICOLONS = ["项目;预算数;决算数", "基本支出;820.00;815.32", "项目支出;430.00;421.16"]
STACKED = [
    "项目",
    "预算数",
    "决算数",
    "基本支出",
    "820.00",
    "815.32",
    "项目支出",
    "430.00",
    "421.16",
]
STACKED_BLANKS = ["项目", "预算数", "决算数", "", "基本支出", "820.00", "815.32", "", "项目支出"]
STACKED_BLANKS += ["430.00", "421.16", ""]
LABEL_LINES = ["项目 预算数 决算数", "基本支出", "820.00 815.32", "项目支出", "430.00 421.16"]


@pytest.mark.parametrize(
    "lines",
    [BOX, ASCII, HEAVY, CSV, SEMICOLONS, STACKED, STACKED_BLANKS, LABEL_LINES],
    ids=["box", "ascii", "heavy", "csv", "semicolons", "stacked", "stacked_blanks", "labels"],
)
def test_each_form_gives_back_the_grid(lines: list[str]) -> None:
    text = [
        "某局2023年度部门整体支出绩效自评报告",
        "表1 支出情况（单位：万元）",
        *lines,
        "以上为支出情况。",
    ]
    assert _tables(text) == [ROWS]
    assert "以上为支出情况。" in _prose(text)


def test_a_ruled_row_wrapped_over_two_lines_is_one_row() -> None:
    lines = [
        "+----------+--------+",
        "| 项目     | 决算数 |",
        "+----------+--------+",
        "| 公务用车购置 | 5.42 |",
        "| 及运行维护费 |      |",
        "+----------+--------+",
        "| 公务接待费 | 1.35 |",
        "+----------+--------+",
    ]
    assert _tables(lines)[0] == [
        ["项目", "决算数"],
        ["公务用车购置及运行维护费", "5.42"],
        ["公务接待费", "1.35"],
    ]


def test_csv_thousands_separators_quoted_or_not() -> None:
    lines = [
        "项目,预算数,决算数,上年决算数",
        '支出合计,"12,500,000.00","12,364,800.50",11802500.00',
        "基本支出,8,200,000.00,8,153,200.00,7,901,000.00",
        "项目支出,4300000.00,4,211,600.50,3,901,500.00",
    ]
    assert _tables(lines)[0] == [
        ["项目", "预算数", "决算数", "上年决算数"],
        ["支出合计", "12,500,000.00", "12,364,800.50", "11802500.00"],
        ["基本支出", "8,200,000.00", "8,153,200.00", "7,901,000.00"],
        ["项目支出", "4300000.00", "4,211,600.50", "3,901,500.00"],
    ]


def test_stacked_cells_with_an_empty_corner_or_a_serial_column() -> None:
    corner = ["预算数", "决算数", "基本支出", "820.00", "815.32", "项目支出", "430.00", "—"]
    assert _tables(corner)[0] == [
        ["", "预算数", "决算数"],
        ["基本支出", "820.00", "815.32"],
        ["项目支出", "430.00", "—"],
    ]
    serial = ["序号", "项目", "预算数", "决算数", "1", "基本支出", "820.00", "815.32"]
    serial += ["2", "项目支出", "430.00", "421.16"]
    assert _tables(serial)[0][1:] == [
        ["1", "基本支出", "820.00", "815.32"],
        ["2", "项目支出", "430.00", "421.16"],
    ]


@pytest.mark.parametrize(
    "lines",
    [
        # prose with ASCII commas and semicolons, long cells
        ["今年我们完成了道路养护,桥梁检修,河道清淤等工作,共投入资金120万元。"],
        ["一是加强预算管理;二是规范资金使用;三是强化绩效监控;四是抓好问题整改落实"] * 2,
        # a list of short headings without figures
        ["一、部门概况", "二、绩效目标", "三、工作完成情况", "四、存在问题", "五、改进措施"],
        # a date and a phone number under short labels: one value column only
        ["联系人", "联系电话", "填报日期", "张三", "12345678", "王五", "87654321"],
        # a rule line alone under a heading
        ["自评结论", "--------------------", "本部门整体绩效良好。"],
    ],
    ids=["commas", "semicolons", "headings", "contacts", "lone_rule"],
)
def test_prose_in_these_shapes_is_no_table(lines: list[str]) -> None:
    assert _tables(lines) == []
