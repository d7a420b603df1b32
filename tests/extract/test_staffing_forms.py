"""Headcounts (人员情况) given as a table or a key–value form rather than a sentence, in
every format: a 基本情况 form of label, value, label, value cells; a header row of labels
over one row of counts; labels down the first column; counts by kind of 编制 with a 合计
row first or last; this year's column beside last year's; a merged caption over the
labels; counts with and without 人/名; nil as 无, — or 0. Each family is a layout we
invented; each is rendered as DOCX, PDF and TXT flattened five ways (tests/extract/forms.py).
"""

from __future__ import annotations

import pytest

from tests.extract.forms import FORMATS, Grid, read

# (authorized 编制, actual 实有/在职, retired 离退休) a family must give; None: not stated.
Expected = tuple[int | None, int | None, int | None]

FAMILIES: dict[str, tuple[Grid, Expected]] = {
    # 基本情况 form: label, value, label, value on each row.
    "kv_pairs_four_columns": (
        Grid(
            [
                ["单位名称", "某县水利局", "编制数", "52"],
                ["实有人数", "48", "离退休人员", "12"],
            ]
        ),
        (52, 48, 12),
    ),
    # One row of six cells, counts with their unit.
    "kv_pairs_one_row": (
        Grid([["核定编制", "45名", "在职人员", "44名", "退休人员", "8名"]]),
        (45, 44, 8),
    ),
    # Label and count down two columns, no header.
    "kv_pairs_two_columns": (
        Grid([["编制人数", "60人"], ["在编人数", "57人"], ["离退休人数", "22人"]]),
        (60, 57, 22),
    ),
    # A header row of labels (unit in brackets) over one row of counts.
    "labels_over_counts": (
        Grid([["核定编制（人）", "在职人数（人）", "退休人员（人）"], ["36", "33", "9"]]),
        (36, 33, 9),
    ),
    # A merged caption over the labels; nil retired as 无.
    "merged_caption_nil": (
        Grid(
            [
                ["人员情况", "", ""],
                ["编制人数", "实有人数", "离退休人员"],
                ["28", "26", "无"],
            ],
            merges=[(0, 0, 1, 3)],
        ),
        (28, 26, 0),
    ),
    # Labels down the first column under 项目 | 人数.
    "labels_down_first_column": (
        Grid([["项目", "人数"], ["编制数", "41"], ["在岗人数", "39"], ["退休职工", "17"]]),
        (41, 39, 17),
    ),
    # This year's column beside last year's: the 2023 figures count.
    "year_columns": (
        Grid(
            [
                ["项目", "2022年", "2023年"],
                ["编制数", "18", "19"],
                ["实有人数", "17", "16"],
                ["离退休人数", "4", "5"],
            ]
        ),
        (19, 16, 5),
    ),
    # Counts by kind of 编制, the 合计 row last: the whole is the total row's.
    "kinds_total_last": (
        Grid(
            [
                ["人员类别", "编制数", "实有人数", "离退休人员"],
                ["行政编制", "10", "9", "3"],
                ["事业编制", "20", "18", "—"],
                ["合计", "30", "27", "3"],
            ]
        ),
        (30, 27, 3),
    ),
    # The 合计 row first, then the kinds.
    "kinds_total_first": (
        Grid(
            [
                ["类别", "核定编制", "在职在编", "离退休"],
                ["合计", "25", "23", "11"],
                ["行政", "15", "14", "6"],
                ["事业", "10", "9", "5"],
            ]
        ),
        (25, 23, 11),
    ),
    # The kinds of 编制 as columns, the 合计 column last; labels down the first column.
    "kinds_as_columns": (
        Grid(
            [
                ["编制类型", "行政编制", "事业编制", "合计"],
                ["核定编制数", "8", "14", "22"],
                ["实有人数", "8", "12", "20"],
                ["退休人数", "2", "5", "7"],
            ]
        ),
        (22, 20, 7),
    ),
    # Labels with their colon inside the cells, one per cell.
    "label_colon_cells": (
        Grid([["编制总数：", "19", "现有人员：", "17", "退休人员：", "0"]]),
        (19, 17, 0),
    ),
}


# Glued copies (no separator at all) of a layout whose counts stand side by side bare
# (“2826无”, “编制数1819”) cannot be parted: those must read nothing wrong, not everything.
GLUED_BARE = {
    "kinds_total_first", "kinds_total_last", "labels_over_counts", "merged_caption_nil",
    "year_columns",
}  # fmt: skip
# Glued so that a reader cannot tell either: 退休人数257 may be 257 (not read right, known).
GLUED_UNREADABLE = {"kinds_as_columns"}
CASES = [
    (family, fmt)
    for family in sorted(FAMILIES)
    for fmt in FORMATS
    if not (fmt == "txt-glued" and family in GLUED_BARE | GLUED_UNREADABLE)
]


def _read(family: str, fmt: str) -> dict[str, int | None]:
    staffing = read(FAMILIES[family][0], fmt).staffing
    return {
        "authorized": staffing.authorized.value if staffing.authorized else None,
        "actual": staffing.actual.value if staffing.actual else None,
        "retired": staffing.retired.value if staffing.retired else None,
    }


@pytest.mark.parametrize(("family", "fmt"), CASES)
def test_staffing_form(family: str, fmt: str) -> None:
    authorized, actual, retired = FAMILIES[family][1]
    assert _read(family, fmt) == {"authorized": authorized, "actual": actual, "retired": retired}


@pytest.mark.parametrize("family", sorted(GLUED_BARE))
def test_glued_bare_counts_read_nothing_wrong(family: str) -> None:
    expected = dict(zip(("authorized", "actual", "retired"), FAMILIES[family][1], strict=True))
    for field, value in _read(family, "txt-glued").items():
        assert value in (None, expected[field]), f"{field} read {value} from glued counts"


@pytest.mark.parametrize("fmt", ["docx", "pdf", "txt-tab", "txt-pipe"])
def test_kinds_without_a_total_row_give_no_whole(fmt: str) -> None:
    # 行政 and 事业 counts with no 合计: neither row is the department's headcount.
    grid = Grid(
        [["类别", "编制数", "实有人数"], ["行政编制", "12", "11"], ["事业编制", "30", "28"]]
    )
    staffing = read(grid, fmt).staffing
    assert staffing.authorized is None and staffing.actual is None


@pytest.mark.parametrize("fmt", ["docx", "txt-tab", "txt-single"])
def test_last_years_headcount_is_not_this_years(fmt: str) -> None:
    grid = Grid([["上年末在职人数", "45", "本年末在职人数", "47"], ["编制数", "50", "", ""]])
    staffing = read(grid, fmt).staffing
    assert staffing.actual is not None and staffing.actual.value == 47
    assert staffing.authorized is not None and staffing.authorized.value == 50


@pytest.mark.parametrize("fmt", ["docx", "txt-tab"])
def test_amount_columns_are_no_headcount(fmt: str) -> None:
    # 实际 / 在职 words over money: a 收支 table is no staffing form.
    grid = Grid(
        [
            ["项目", "预算数", "实有"],
            ["人员经费", "120.50", "118.20"],
            ["公用经费", "30.00", "29.10"],
        ]
    )
    assert read(grid, fmt).staffing.actual is None


@pytest.mark.parametrize("fmt", ["docx", "pdf", "txt-tab"])
def test_a_project_named_after_a_label_is_no_headcount(fmt: str) -> None:
    # 规划编制 ends with 编制 but names a project: its whole-number amounts are no quota.
    grid = Grid(
        [
            ["项目名称", "预算数", "执行数"],
            ["国土空间规划编制", "50", "48"],
            ["档案整理", "20", "19"],
        ]
    )
    assert read(grid, fmt).staffing.authorized is None
