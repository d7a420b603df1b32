"""三公 tables copied as plain text whose header takes two lines (issue #11): an upper line of
fewer cells (本年度 | 上年度, 2023年 | 2022年) over 预算数 | 决算数, body rows with more cells
than the upper line, columns aligned by runs of spaces (figures right-aligned) or parted by
tabs. Each figure must land under its own column; an indicator table's two header lines
must stay an indicator table (no 三公 read from it)."""

from __future__ import annotations

import unicodedata

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

BEFORE = ["城南区档案馆2023年度部门整体支出绩效自评报告", "二、部门整体支出情况"]
AFTER = ["三、绩效目标完成情况", "各项工作按计划完成。"]
OVERSEAS, RECEPTION, VEHICLE = "因公出国（境）费", "公务接待费", "公务用车购置及运行维护费"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def spaced(rows: list[list[str]], gap: int = 4) -> list[str]:
    """Rows as a monospace export writes them: words left, figures right in each column."""
    widths = [max(_width(r[c]) for r in rows) for c in range(len(rows[0]))]
    out = []
    for row in rows:
        parts = []
        for c, text in enumerate(row):
            pad = " " * (widths[c] - _width(text))
            parts.append(pad + text if c > 0 and text[:1].isdigit() else text + pad)
        out.append((" " * gap).join(parts).rstrip())
    return out


def tabbed(rows: list[list[str]]) -> list[str]:
    return ["\t".join(row).rstrip("\t") for row in rows]


def read_text(table: list[str], caption: list[str]) -> ReportExport:
    text = "\n".join([*BEFORE, *caption, *table, *AFTER]) + "\n"
    return extract_rules(read_document(text.encode(), "report.txt")).export


def value(export: ReportExport, path: str) -> float | None:
    obj: object = export.three_public
    for part in path.split("."):
        obj = getattr(obj, part, None)
    got = getattr(obj, "value", None)
    return float(got) if got is not None else None


YEARS_OVER_ROLES = [
    ["项目", "2023年", "", "2022年", "备注"],
    ["", "预算数", "决算数", "决算数", ""],
    ["合计", "12.60", "10.35", "11.20", ""],
    [OVERSEAS, "0.00", "0.00", "0.00", ""],
    [RECEPTION, "3.40", "2.95", "3.10", "压减"],
    [VEHICLE, "9.20", "7.40", "8.10", ""],
]
YEARS_WANT = {
    "total.budget": 12.6, "total.actual": 10.35, "total.previous": 11.2,
    "reception.budget": 3.4, "reception.actual": 2.95, "reception.previous": 3.1,
    "vehicle.budget": 9.2, "vehicle.actual": 7.4, "vehicle.previous": 8.1,
}  # fmt: skip

# 本年度 | 上年度 with the change after them, the vehicle's parts beside its group name.
PERIODS_WITH_PARTS = [
    ["项目", "", "本年度", "", "上年度", "增减额", "备注"],
    ["", "", "决算数", "预算数", "决算数", "", ""],
    [OVERSEAS, "", "0.00", "0.00", "0.00", "0.00", ""],
    [RECEPTION, "", "1.86", "2.40", "2.04", "-0.18", ""],
    ["公务用车购置及运行维护费", "购置费", "18.50", "19.00", "0.00", "18.50", "更新一辆"],
    ["", "运行维护费", "6.31", "7.10", "6.90", "-0.59", ""],
    ["合计", "", "26.67", "28.50", "8.94", "17.73", ""],
]
PERIODS_WANT = {
    "total.actual": 26.67, "total.budget": 28.5, "total.previous": 8.94,
    "reception.actual": 1.86, "reception.budget": 2.4, "reception.previous": 2.04,
    "vehicle_purchase.actual": 18.5, "vehicle_purchase.budget": 19.0,
    "vehicle_operation.actual": 6.31, "vehicle_operation.previous": 6.9,
}  # fmt: skip

# The items as columns, 公务用车 over its parts and their 小计, the figures' roles as rows.
ITEMS_AS_COLUMNS = [
    ["项目", OVERSEAS, RECEPTION, "公务用车", "", "", "合计"],
    ["", "", "", "购置费", "运行维护费", "小计", ""],
    ["预算数", "0.00", "2.60", "0.00", "5.40", "5.40", "8.00"],
    ["决算数", "0.00", "2.15", "0.00", "4.85", "4.85", "7.00"],
    ["上年决算数", "1.20", "2.30", "12.00", "5.10", "17.10", "20.60"],
]
ITEMS_WANT = {
    "total.budget": 8.0, "total.actual": 7.0, "total.previous": 20.6,
    "overseas.previous": 1.2, "reception.actual": 2.15,
    "vehicle_purchase.previous": 12.0, "vehicle_operation.actual": 4.85,
    "vehicle_operation.budget": 5.4,
}  # fmt: skip

CASES = [
    pytest.param(spaced(YEARS_OVER_ROLES), YEARS_WANT, id="years-spaced"),
    pytest.param(spaced(YEARS_OVER_ROLES, gap=2), YEARS_WANT, id="years-spaced-narrow"),
    pytest.param(tabbed(YEARS_OVER_ROLES), YEARS_WANT, id="years-tabs"),
    pytest.param(spaced(PERIODS_WITH_PARTS), PERIODS_WANT, id="periods-parts-spaced"),
    pytest.param(spaced(PERIODS_WITH_PARTS, gap=3), PERIODS_WANT, id="periods-parts-gap3"),
    pytest.param(tabbed(PERIODS_WITH_PARTS), PERIODS_WANT, id="periods-parts-tabs"),
    pytest.param(spaced(ITEMS_AS_COLUMNS), ITEMS_WANT, id="items-as-columns-spaced"),
    pytest.param(tabbed(ITEMS_AS_COLUMNS), ITEMS_WANT, id="items-as-columns-tabs"),
]


@pytest.mark.parametrize(("table", "want"), CASES)
def test_each_figure_lands_under_its_column(table: list[str], want: dict[str, float]) -> None:
    export = read_text(table, ["表2 “三公”经费支出情况表", "单位：万元"])
    got = {path: value(export, path) for path in want}
    assert got == pytest.approx(want)


def test_an_indicator_table_with_a_two_line_header_gives_no_three_public() -> None:
    """年度指标值 over 目标值 | 实际值: an indicator table, whose figures are no 三公 money."""
    rows = [
        ["一级指标", "二级指标", "三级指标", "年度指标值", "", "得分"],
        ["", "", "", "目标值", "实际值", ""],
        ["产出指标", "数量指标", "档案数字化页数", "120000", "125300", "20"],
        ["", "时效指标", "查档办结时限", "3", "2", "10"],
        ["效益指标", "社会效益", "群众满意度", "90", "96", "10"],
    ]
    export = read_text(spaced(rows), ["表4 整体绩效指标完成情况表"])
    assert value(export, "total.actual") is None
    assert value(export, "reception.actual") is None
