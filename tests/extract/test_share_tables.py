"""Income and expenditure structure tables with only an amount and a share column
(收入项目 | 金额 | 占比), in every format a report comes in: each row the budget lexicon names
is read into its field, the 合计 is the side's total, and the share is never money. Every
table here is invented."""

from __future__ import annotations

import pytest

from service.extract.share_tables import header_sides
from tests.extract.forms import FORMATS, Grid, read

# every format, a text copy with its cells glued too (财政拨款收入512.3090.12)
READ_FORMATS = list(FORMATS)
INCOME = ["total_income", "income_general_budget", "income_government_funds",
          "income_superior_subsidy", "income_business", "income_other"]  # fmt: skip
SPENDING = ["total_expenditure", "basic_expenditure", "personnel_expenditure",
            "public_expenditure", "project_expenditure"]  # fmt: skip


def _budget(grid: Grid, fmt: str, fields: list[str]) -> dict[str, float | None]:
    b = read(grid, fmt).budget
    return {f: (v.value if (v := getattr(b, f)) is not None else None) for f in fields}


INCOME_WAN = Grid(
    rows=[
        ["收入项目", "金额", "占比（%）"],
        ["一般公共预算财政拨款收入", "731.40", "84.61"],
        ["政府性基金预算财政拨款收入", "60.00", "6.94"],
        ["上级补助收入", "25.00", "2.89"],
        ["事业收入", "38.10", "4.41"],
        ["其他收入", "9.95", "1.15"],
        ["合计", "864.45", "100.00"],
    ],
    before=["（一）收入情况", "单位：万元"],
)
INCOME_YUAN = Grid(
    rows=[
        ["项目", "金额（元）", "比例"],
        ["财政拨款收入", "3,184,260.00", "91.37%"],
        ["其他收入", "300,900.00", "8.63%"],
        ["合计", "3,485,160.00", "100%"],
    ],
    before=["1.收入结构"],
)
SPENDING_SHARES = Grid(
    rows=[
        ["支出项目", "金额", "占比"],
        ["基本支出", "402.66", "70.02"],
        ["其中：人员经费", "338.25", "58.82"],
        ["公用经费", "64.41", "11.20"],
        ["项目支出", "172.40", "29.98"],
        ["合计", "575.06", "100.00"],
    ],
    before=["表2 支出结构表"],
)


@pytest.mark.parametrize("fmt", READ_FORMATS)
def test_income_by_source_with_shares(fmt: str) -> None:
    got = _budget(INCOME_WAN, fmt, [*INCOME, "total_expenditure"])
    assert got == {
        "total_income": pytest.approx(864.45),
        "income_general_budget": pytest.approx(731.40),
        "income_government_funds": pytest.approx(60.0),
        "income_superior_subsidy": pytest.approx(25.0),
        "income_business": pytest.approx(38.10),
        "income_other": pytest.approx(9.95),
        # the income table's 合计 is no spending total
        "total_expenditure": None,
    }


@pytest.mark.parametrize("fmt", READ_FORMATS)
def test_income_in_yuan_under_a_bare_item_header(fmt: str) -> None:
    # 项目 alone says no side: the rows (all income) say it, and 合计 is the income's
    got = _budget(INCOME_YUAN, fmt, ["total_income", "income_general_budget", "income_other"])
    assert got == {
        "total_income": pytest.approx(348.516),
        "income_general_budget": pytest.approx(318.426),
        "income_other": pytest.approx(30.09),
    }


@pytest.mark.parametrize("fmt", READ_FORMATS)
def test_expenditure_by_kind_with_shares(fmt: str) -> None:
    got = _budget(SPENDING_SHARES, fmt, [*SPENDING, "total_income"])
    assert got == {
        "total_expenditure": pytest.approx(575.06),
        "basic_expenditure": pytest.approx(402.66),
        "personnel_expenditure": pytest.approx(338.25),
        "public_expenditure": pytest.approx(64.41),
        "project_expenditure": pytest.approx(172.40),
        "total_income": None,
    }


@pytest.mark.parametrize("fmt", ["docx", "pdf", "txt-tab", "txt-pipe"])
def test_income_and_spending_side_by_side(fmt: str) -> None:
    grid = Grid(
        rows=[
            ["收入项目", "金额", "占比", "支出项目", "金额", "占比"],
            ["财政拨款收入", "480.00", "96.00", "基本支出", "350.00", "70.00"],
            ["其他收入", "20.00", "4.00", "项目支出", "150.00", "30.00"],
            ["合计", "500.00", "100.00", "合计", "500.00", "100.00"],
        ],
        before=["单位：万元"],
    )
    got = _budget(grid, fmt, ["total_income", "income_general_budget", "income_other",
                              "total_expenditure", "basic_expenditure", "project_expenditure"])  # fmt: skip
    assert got == pytest.approx(
        {
            "total_income": 500.0,
            "income_general_budget": 480.0,
            "income_other": 20.0,
            "total_expenditure": 500.0,
            "basic_expenditure": 350.0,
            "project_expenditure": 150.0,
        }
    )


@pytest.mark.parametrize("fmt", ["docx", "pdf", "txt-tab", "txt-single"])
def test_sources_of_funds_without_a_share_column(fmt: str) -> None:
    grid = Grid(
        rows=[
            ["资金来源", "金额"],
            ["财政拨款", "210.50"],
            ["事业收入", "12.00"],
            ["合计", "222.50"],
        ],
        before=["（单位：万元）"],
    )
    got = _budget(grid, fmt, ["total_income", "income_general_budget", "income_business",
                              "total_expenditure"])  # fmt: skip
    assert got == {
        "total_income": pytest.approx(222.5),
        "income_general_budget": pytest.approx(210.5),
        "income_business": pytest.approx(12.0),
        "total_expenditure": None,
    }


@pytest.mark.parametrize(
    ("header", "sides"),
    [
        (["收入项目", "金额", "占比（%）"], [(0, 1, "income")]),
        (["支出项目", "金额（万元）", "比重"], [(0, 1, "expenditure")]),
        (["项目", "决算数", "构成（%）"], [(0, 1, None)]),
        (["资金来源", "金额"], [(0, 1, "income")]),
        (["序号", "收入项目", "收入金额", "占比"], [(1, 2, "income")]),
        # another reader's money tables: a budget beside the final, a previous year
        (["项目", "预算数", "决算数", "占比"], []),
        (["项目", "上年决算数", "金额", "占比"], []),
        # no label column and no share: a list of figures, not this table
        (["指标", "金额"], []),
        (["项目名称", "金额", "金额"], []),
    ],
)
def test_header_sides(header: list[str], sides: list[tuple[int, int, str | None]]) -> None:
    assert [(s.label, s.amount, s.kind) for s in header_sides(header)] == sides


@pytest.mark.parametrize("caption", ["表3 上年收入结构", "2024年预算安排收入构成"])
@pytest.mark.parametrize("fmt", ["docx", "txt-tab", "txt-single"])
def test_a_table_of_last_year_or_of_the_budget_is_no_statement(caption: str, fmt: str) -> None:
    grid = Grid(rows=INCOME_WAN.rows, before=[caption, "单位：万元"])
    assert _budget(grid, fmt, ["total_income", "income_general_budget"]) == {
        "total_income": None,
        "income_general_budget": None,
    }


# a glued header of items (项目合计基本支出项目支出) is not parted yet
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "txt-glued"])
def test_a_table_turned_over(fmt: str) -> None:
    grid = Grid(
        rows=[
            ["项目", "合计", "基本支出", "项目支出"],
            ["金额（元）", "5,750,600.00", "4,026,600.00", "1,724,000.00"],
            ["占比", "100%", "70.02%", "29.98%"],
        ],
        before=["（二）支出结构"],
    )
    got = _budget(grid, fmt, ["total_expenditure", "basic_expenditure", "project_expenditure",
                              "total_income"])  # fmt: skip
    assert got == {
        "total_expenditure": pytest.approx(575.06),
        "basic_expenditure": pytest.approx(402.66),
        "project_expenditure": pytest.approx(172.40),
        "total_income": None,
    }


@pytest.mark.parametrize("fmt", READ_FORMATS)
def test_yuan_stated_in_a_caption(fmt: str) -> None:
    grid = Grid(
        rows=[
            ["收入项目", "金额", "占比（%）"],
            ["财政拨款收入", "912600.00", "95.06"],
            ["其他收入", "47400.00", "4.94"],
            ["合计", "960000.00", "100.00"],
        ],
        before=["表1 收入结构表", "单位：元"],
    )
    got = _budget(grid, fmt, ["total_income", "income_general_budget", "income_other"])
    assert got == {
        "total_income": pytest.approx(96.0),
        "income_general_budget": pytest.approx(91.26),
        "income_other": pytest.approx(4.74),
    }
