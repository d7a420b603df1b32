"""The money table (支出合计 / 基本支出 / 人员经费 / 公用经费 / 项目支出) and the 三公 table in
families of header shape and orientation, each written every way a text or Word copy
flattens a table (tests/extract/text_tables.py): the figures must land in the export's
fields with the basis the header gives them (this year's 决算, the budget, last year's),
in 万元 where the table says 元. Tables that are not money tables (indicators, staffing,
projects) must not become money lines in any of these forms.
"""

from __future__ import annotations

import pymupdf
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.extract.forms import Grid
from tests.extract.forms import read as read_grid
from tests.extract.text_tables import (
    AFTER,
    TEXT_STYLES,
    TITLE,
    line_named,
    read,
    text_lines,
    value_at,
)
from tests.ingest.pdfgen import new_page, to_bytes, write_lines

FORMATS = (*TEXT_STYLES, "docx", "docx_tabs")
# Forms that keep a row's empty cells (a header over two rows needs them to line up).
KEEPS_EMPTY = ("box", "ascii", "pipe", "tab", "csv", "semicolon", "stacked_tab", "docx")

WAN = ["表1 部门支出情况表", "单位：万元"]
OVERSEAS, RECEPTION = "因公出国（境）费", "公务接待费"
VEHICLE = "公务用车购置及运行维护费"

# (this year's final, budget, last year's final) per line, in 万元
MONEY = {
    "支出合计": (2318.64, 2400.00, 2205.37),
    "基本支出": (1502.18, 1530.00, 1466.90),
    "人员经费": (1219.45, 1240.00, 1188.02),
    "公用经费": (282.73, 290.00, 278.88),
    "项目支出": (816.46, 870.00, 738.47),
}
MONEY_FIELDS = {
    "budget.total_expenditure": 2318.64,
    "budget.basic_expenditure": 1502.18,
    "budget.personnel_expenditure": 1219.45,
    "budget.public_expenditure": 282.73,
    "budget.project_expenditure": 816.46,
}


def _f(v: float) -> str:
    return f"{v:.2f}"


def _yuan(v: float) -> str:
    return f"{v * 10000:,.2f}"


def _money_rows(columns: list[str], order: str, label=lambda k: k, fmt=_f) -> list[list[str]]:
    """A header, then a row per line with its figures in ``order`` (f: final, b: budget,
    p: previous, c: change, r: change rate)."""
    rows = [columns]
    for name, (final, budget, prev) in MONEY.items():
        by = {
            "f": fmt(final),
            "b": fmt(budget),
            "p": fmt(prev),
            "c": _f(final - prev),
            "r": f"{(final - prev) / prev * 100:.2f}%",
        }
        rows.append([label(name), *(by[k] for k in order)])
    return rows


def _with_serial(rows: list[list[str]]) -> list[list[str]]:
    """A 序号 column before the labels: 序号 over 1, 2, 3 …"""
    return [["序号", *rows[0]], *([str(k), *r] for k, r in enumerate(rows[1:], start=1))]


def _sub(name: str) -> str:
    return "其中：人员经费" if name == "人员经费" else name


MONEY_FAMILIES = {
    "budget_final_previous": (
        _money_rows(["项目", "预算数", "决算数", "上年决算数"], "bfp", _sub),
        WAN,
    ),
    "year_columns": (
        _money_rows(["科目", "2024年决算数", "2025年预算数", "2025年决算数"], "pbf"),
        WAN,
    ),
    "this_last_with_change": (
        _money_rows(["项目", "上年实际", "本年预算", "本年实际", "增减额", "增减率"], "pbfcr"),
        WAN,
    ),
    "yuan_in_header": (
        _money_rows(
            ["支出项目", "预算金额（元）", "决算金额（元）", "上年决算金额（元）"], "bfp", fmt=_yuan
        ),
        ["表1 部门支出情况表"],
    ),
    "serial_column": (
        _with_serial(_money_rows(["项目", "本年预算数", "本年决算数", "上年同期"], "bfp")),
        WAN,
    ),
}


def _money_lines_ok(export, previous: bool = True, budget: bool = True) -> None:  # noqa: ANN001
    for path, value in MONEY_FIELDS.items():
        got = value_at(export, path)
        assert got == pytest.approx(value), (path, got)
    basic = line_named(export, "基本支出")
    assert basic is not None
    assert basic.final.value == pytest.approx(1502.18)
    if budget:
        assert basic.budget.value == pytest.approx(1530.00)
    if previous:
        assert basic.previous_final.value == pytest.approx(1466.90)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", MONEY_FAMILIES)
def test_money_table(family: str, fmt: str) -> None:
    rows, before = MONEY_FAMILIES[family]
    export = read(rows, fmt, before)
    _money_lines_ok(export)
    total = export.budget.total_expenditure
    assert total.unit == "万元"
    if family == "yuan_in_header":
        assert total.original_unit == "元"


TWO_ROW = [
    ["项目", "2025年", "", "2024年"],
    ["", "预算数", "决算数", "决算数"],
    *_money_rows(["x"], "bfp")[1:],
]
THIS_LAST_TWO_ROW = [
    ["项目", "本年度", "", "上年度"],
    ["", "预算数", "决算数", "决算数"],
    *_money_rows(["x"], "bfp", _sub)[1:],
]


@pytest.mark.parametrize("fmt", [*KEEPS_EMPTY, "single", "glued"])
@pytest.mark.parametrize("rows", [TWO_ROW, THIS_LAST_TWO_ROW], ids=["years", "this_last"])
def test_money_header_over_two_rows(rows: list[list[str]], fmt: str) -> None:
    _money_lines_ok(read(rows, fmt, WAN))


@pytest.mark.parametrize("fmt", [*KEEPS_EMPTY, "single", "glued"])
@pytest.mark.parametrize("periods", [("2025年", "2024年"), ("本年度", "上年度")])
def test_three_public_header_over_two_rows(periods: tuple[str, str], fmt: str) -> None:
    rows = [["项目", periods[0], "", periods[1]], ["", "预算数", "决算数", "决算数"]]
    rows += [[item, *vals] for item, *vals in TP]
    _tp_ok(read(rows, fmt, TP_CAPTION))


def _across(kinds: list[str], corner: str = "项目") -> list[list[str]]:
    """The money table on its side: the lines across, what each row holds down."""
    names = list(MONEY)
    rows = [[corner, *names]]
    for kind, k in zip(kinds, (1, 0, 2), strict=True):
        rows.append([kind, *(_f(MONEY[n][k]) for n in names)])
    return rows


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "rows",
    [
        _across(["预算数", "决算数", "上年决算数"]),
        _across(["2025年预算数", "2025年决算数", "2024年决算数"]),
        _across(["本年预算", "本年决算", "上年决算"], corner="类别"),
    ],
    ids=["kinds", "years", "this_last"],
)
def test_money_items_across_the_header(rows: list[list[str]], fmt: str) -> None:
    _money_lines_ok(read(rows, fmt, WAN))


# --- 三公 -------------------------------------------------------------------------------------

TP_FIELDS = {
    "three_public.total.actual": 9.16,
    "three_public.total.budget": 10.50,
    "three_public.total.previous": 11.02,
    "three_public.reception.actual": 1.84,
    "three_public.reception.budget": 2.50,
    "three_public.reception.previous": 2.37,
    "three_public.vehicle.actual": 7.32,
    "three_public.vehicle.budget": 8.00,
    "three_public.vehicle.previous": 8.65,
    "three_public.overseas.actual": 0,
}
TP = [  # item, budget, final, previous
    (OVERSEAS, "0.00", "0.00", "0.00"),
    (RECEPTION, "2.50", "1.84", "2.37"),
    (VEHICLE, "8.00", "7.32", "8.65"),
    ("合计", "10.50", "9.16", "11.02"),
]
TP_CAPTION = ["表2 “三公”经费支出情况（单位：万元）"]


def _tp_rows(header: list[str], total_first: bool = False, nil: str = "") -> list[list[str]]:
    body = [[i, *(nil if nil and v == "0.00" else v for v in vals)] for i, *vals in TP]
    return [header, *(body[-1:] + body[:-1] if total_first else body)]


TP_FAMILIES = {
    "items_as_rows": _tp_rows(["项目", "预算数", "决算数", "上年决算数"]),
    "total_first_year_columns": _tp_rows(
        ["项目", "2025年预算数", "2025年决算数", "2024年决算数"], total_first=True
    ),
    "this_last_words": _tp_rows(["项目", "本年预算", "本年实际", "上年同期"]),
}


def _tp_ok(export, budget: bool = True) -> None:  # noqa: ANN001
    for path, value in TP_FIELDS.items():
        if not budget and path.endswith(".budget"):
            continue
        got = value_at(export, path)
        assert got == pytest.approx(value), (path, got)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", TP_FAMILIES)
def test_three_public_table(family: str, fmt: str) -> None:
    _tp_ok(read(TP_FAMILIES[family], fmt, TP_CAPTION))


def _tp_across(kinds: list[str], total_last: bool) -> list[list[str]]:
    items = TP[:-1] + TP[-1:] if total_last else TP[-1:] + TP[:-1]
    rows = [["项目", *(i for i, *_ in items)]]
    for k, kind in enumerate(kinds):
        rows.append([kind, *(vals[k] for _, *vals in items)])
    return rows


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "rows",
    [
        _tp_across(["预算数", "决算数", "上年决算数"], total_last=True),
        _tp_across(["2025年预算", "2025年决算", "2024年决算"], total_last=False),
    ],
    ids=["total_last", "years_total_first"],
)
def test_three_public_items_across(rows: list[list[str]], fmt: str) -> None:
    _tp_ok(read(rows, fmt, TP_CAPTION))


@pytest.mark.parametrize("fmt", FORMATS)
def test_three_public_nil_marks_and_yuan(fmt: str) -> None:
    """无 / — for none, amounts in 元 with thousands separators under a caption."""
    rows = [["项目", "预算数", "决算数", "上年决算数"]]
    for item, *vals in TP:
        rows.append([item, *("—" if v == "0.00" else _yuan(float(v)) for v in vals)])
    export = read(rows, fmt, ["“三公”经费明细（单位：元）"])
    _tp_ok(export)
    assert export.three_public.reception.actual.original_unit == "元"


# --- not money tables --------------------------------------------------------------------------

NOT_MONEY = {
    "indicators": [
        ["一级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "地籍调查宗数", "≥1200宗", "1264宗", "20", "20"],
        ["效益指标", "群众满意度", "≥90%", "96%", "10", "10"],
        ["成本指标", "基本支出控制率", "≤100%", "98%", "10", "10"],
    ],
    "staffing": [
        ["类别", "编制数", "实有人数", "退休人数"],
        ["行政", "12", "11", "4"],
        ["事业", "30", "28", "9"],
    ],
    "years_only": [
        ["指标", "2024年", "2025年"],
        ["宗地数", "1180", "1264"],
        ["巡查次数", "96", "104"],
    ],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", NOT_MONEY)
def test_tables_that_are_not_money_tables(family: str, fmt: str) -> None:
    export = read(NOT_MONEY[family], fmt, ["表3 情况表"])
    assert export.budget.lines == []
    for path in MONEY_FIELDS:
        assert value_at(export, path) is None, path
    assert export.three_public.total is None or export.three_public.total.actual is None


# --- the words of rows and columns -----------------------------------------------------------

LABEL_FORMATS = ("tab", "single", "docx")


@pytest.mark.parametrize("fmt", LABEL_FORMATS)
@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("budget.total_expenditure", "部门支出合计"),
        ("budget.total_expenditure", "支出合计数"),
        ("budget.total_expenditure", "部门整体支出"),
        ("budget.basic_expenditure", "基本支出合计"),
        ("budget.project_expenditure", "（二）项目支出合计"),
    ],
)
def test_money_row_named_another_way(path: str, label: str, fmt: str) -> None:
    rows = [
        ["项目", "预算数", "决算数"],
        [label, "900.00", "876.54"],
        ["人员经费", "600.00", "598.10"],
    ]
    export = read(rows, fmt, WAN)
    assert value_at(export, path) == pytest.approx(876.54)
    assert export.budget.personnel_expenditure.value == pytest.approx(598.10)


@pytest.mark.parametrize("fmt", LABEL_FORMATS)
@pytest.mark.parametrize(
    ("item", "label"),
    [("vehicle", "公务用车购置费及运行维护费"), ("reception", "国内公务接待费")],
)
def test_three_public_row_named_another_way(item: str, label: str, fmt: str) -> None:
    rows = [["项目", "预算数", "决算数"], [label, "3.00", "2.46"], ["因公出国（境）费", "0", "0"]]
    tp = read(rows, fmt, TP_CAPTION).three_public
    assert getattr(tp, item).actual.value == pytest.approx(2.46)
    assert getattr(tp, item).budget.value == pytest.approx(3.00)


@pytest.mark.parametrize("fmt", LABEL_FORMATS)
@pytest.mark.parametrize(
    ("budget", "final", "previous"),
    [
        ("调整预算数", "本年度决算数", "上年度决算数"),
        ("本年度预算数", "支出决算数", "去年决算数"),
        ("预算数", "实际完成", "上年同期数"),
        ("2025年预算", "决算数", "2024年决算"),
        ("预算数", "决算数", "2024年度决算数"),
    ],
)
def test_money_columns_named_another_way(budget: str, final: str, previous: str, fmt: str) -> None:
    rows = [["项目", budget, final, previous], *_money_rows(["x"], "bfp")[1:]]
    _money_lines_ok(read(rows, fmt, WAN))


# --- merged header and label cells (Word tables; text copies that keep or glue cells) ---------

VEHICLE_PARTS = {
    "three_public.vehicle.actual": 7.32,
    "three_public.vehicle.budget": 8.00,
    "three_public.vehicle_purchase.actual": 0,
    "three_public.vehicle_operation.actual": 7.32,
    "three_public.vehicle_operation.previous": 8.65,
    "three_public.reception.actual": 1.84,
    "three_public.total.actual": 9.16,
}
VEHICLE_IN_TWO_LABEL_COLUMNS = Grid(
    [
        ["项目", "", "预算数", "决算数", "上年决算数"],
        [OVERSEAS, "", "0.00", "0.00", "0.00"],
        [VEHICLE, "小计", "8.00", "7.32", "8.65"],
        ["", "购置费", "0.00", "0.00", "0.00"],
        ["", "运行维护费", "8.00", "7.32", "8.65"],
        [RECEPTION, "", "2.50", "1.84", "2.37"],
        ["合计", "", "10.50", "9.16", "11.02"],
    ],
    merges=[(0, 0, 1, 2), (1, 0, 1, 2), (2, 0, 3, 1), (5, 0, 1, 2), (6, 0, 1, 2)],
    before=TP_CAPTION,
)
VEHICLE_OVER_ITS_PARTS = Grid(
    [
        ["项目", "合计", OVERSEAS, RECEPTION, VEHICLE, "", ""],
        ["", "", "", "", "小计", "购置费", "运行维护费"],
        ["预算数", "10.50", "0.00", "2.50", "8.00", "0.00", "8.00"],
        ["决算数", "9.16", "0.00", "1.84", "7.32", "0.00", "7.32"],
        ["上年决算数", "11.02", "0.00", "2.37", "8.65", "0.00", "8.65"],
    ],
    merges=[(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 2, 1), (0, 4, 1, 3)],
    before=TP_CAPTION,
)


@pytest.mark.parametrize(
    ("grid", "fmt"),
    [
        (VEHICLE_IN_TWO_LABEL_COLUMNS, "docx"),
        (VEHICLE_IN_TWO_LABEL_COLUMNS, "txt-tab"),
        (VEHICLE_IN_TWO_LABEL_COLUMNS, "txt-spaced"),
        (VEHICLE_OVER_ITS_PARTS, "docx"),
        (VEHICLE_OVER_ITS_PARTS, "txt-tab"),
        (VEHICLE_OVER_ITS_PARTS, "txt-glued"),
    ],
    ids=["labels-docx", "labels-tab", "labels-spaced", "parts-docx", "parts-tab", "parts-glued"],
)
def test_vehicle_item_merged_over_its_parts(grid: Grid, fmt: str) -> None:
    export = read_grid(grid, fmt)
    for path, value in VEHICLE_PARTS.items():
        assert value_at(export, path) == pytest.approx(value), path


@pytest.mark.parametrize("fmt", ["docx", "tab", "box", "single"])
def test_amounts_in_yuan_without_a_unit_said_by_their_size(fmt: str) -> None:
    rows = _money_rows(["项目", "预算数", "决算数", "上年决算数"], "bfp", fmt=_yuan)
    export = read(rows, fmt, ["表1 部门支出情况表"])
    _money_lines_ok(export)
    assert export.budget.total_expenditure.original_unit == "元"


@pytest.mark.parametrize("fmt", ["docx", "tab"])
def test_a_phone_number_or_code_says_no_unit(fmt: str) -> None:
    rows = [
        ["项目", "预算数", "决算数"],
        ["支出合计", "2400.00", "2318.64"],
        ["基本支出", "1530.00", "1502.18"],
        ["联系电话", "13812345678", ""],
    ]
    export = read(rows, fmt, ["表1 部门支出情况表"])
    assert export.budget.total_expenditure.value == pytest.approx(2318.64)
    assert export.budget.total_expenditure.unit == "万元"


@pytest.mark.parametrize("fmt", ["single", "spaced", "tab"])
def test_a_row_left_blank_under_the_header(fmt: str) -> None:
    """因公出国（境）费 with its cells left empty between the header and the other rows."""
    rows = [
        ["项目", "预算数", "决算数", "上年决算数"],
        [OVERSEAS, "", "", ""],
        *TP_FAMILIES["items_as_rows"][2:],
    ]
    tp = read(rows, fmt, TP_CAPTION).three_public
    assert (tp.reception.budget.value, tp.reception.actual.value) == (2.5, 1.84)
    assert tp.reception.previous.value == 2.37
    assert (tp.total.actual.value, tp.total.previous.value) == (9.16, 11.02)


def _pdf_text(lines: list[str]) -> ReportExport:
    """A PDF whose table is text lines only (no rules), as a text layer gives them."""
    doc = pymupdf.open()
    page = new_page(doc)
    write_lines(page, [*TITLE, *lines, *AFTER], y=60, fontsize=9)
    return extract_rules(read_document(to_bytes(doc), "report.pdf")).export


@pytest.mark.parametrize("style", ["single", "label_lines"])
def test_pdf_text_lines(style: str) -> None:
    rows, before = MONEY_FAMILIES["budget_final_previous"]
    _money_lines_ok(_pdf_text([*before, *text_lines(rows, style)]))
    _tp_ok(_pdf_text([*TP_CAPTION, *text_lines(TP_FAMILIES["items_as_rows"], style)]))
