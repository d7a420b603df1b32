"""三公经费 tables in layouts of our own, in every format: the items as rows and the figures
(预算数 / 决算数 / 上年数, 本年 / 上年 / 增减, year columns) as columns, the 合计 row first
or last, 元 or 万元, a two-level header (本年度 over 预算数 | 决算数), the items as columns
with 公务用车 split below into 购置 | 运行维护, year-named rows, nil written 0, 无 or —.
Each family is rendered as DOCX, PDF and TXT flattened five ways (tests/extract/forms.py),
glued header lines (项目预算数决算数上年决算数) and glued amounts (2.401.952.30) included;
the basis of each figure (budget, actual, previous) must come out as the table says.
"""

from __future__ import annotations

import pytest

from tests.extract.forms import FORMATS, Grid, read

# path under three_public → value (万元) a family must give.
Expected = dict[str, float]

OVERSEAS = "因公出国（境）费"
RECEPTION = "公务接待费"
VEHICLE = "公务用车购置及运行维护费"

FAMILIES: dict[str, tuple[Grid, Expected]] = {
    # 预算数 | 决算数 | 上年决算数, the vehicle's parts under it, 合计 last.
    "budget_actual_previous": (
        Grid(
            [
                ["项目", "预算数", "决算数", "上年决算数"],
                [OVERSEAS, "0.00", "0.00", "0.00"],
                [RECEPTION, "2.40", "1.95", "2.30"],
                [VEHICLE, "7.20", "6.40", "6.80"],
                ["其中：公务用车购置费", "0.00", "0.00", "0.00"],
                ["公务用车运行维护费", "7.20", "6.40", "6.80"],
                ["合计", "9.60", "8.35", "9.10"],
            ],
            before=["表1 “三公”经费支出情况（单位：万元）"],
        ),
        {
            "total.budget": 9.6, "total.actual": 8.35, "total.previous": 9.1,
            "reception.budget": 2.4, "reception.actual": 1.95, "reception.previous": 2.3,
            "vehicle.budget": 7.2, "vehicle.actual": 6.4, "vehicle.previous": 6.8,
            "vehicle_operation.actual": 6.4, "overseas.actual": 0,
        },
    ),
    # 本年 | 上年 | 增减, the 合计 row first.
    "this_last_change_total_first": (
        Grid(
            [
                ["三公经费", "本年", "上年", "增减"],
                ["合计", "5.20", "6.80", "-1.60"],
                ["公务接待费", "2.40", "3.10", "-0.70"],
                ["公务用车运行维护费", "2.80", "3.70", "-0.90"],
                ["因公出国（境）费", "0", "0", "0"],
            ],
            before=["（三）“三公”经费情况（万元）"],
        ),
        {
            "total.actual": 5.2, "total.previous": 6.8, "total.change": -1.6,
            "reception.actual": 2.4, "reception.previous": 3.1,
            "vehicle_operation.actual": 2.8, "vehicle_operation.previous": 3.7,
        },
    ),
    # Year columns in 元: 2023年预算数 | 2023年决算数 | 2022年决算数.
    "year_columns_yuan": (
        Grid(
            [
                ["项目", "2023年预算数", "2023年决算数", "2022年决算数"],
                ["公务接待费", "30,000.00", "24,500.00", "28,000.00"],
                ["公务用车运行维护费", "60,000.00", "51,200.00", "55,300.00"],
                ["合计", "90,000.00", "75,700.00", "83,300.00"],
            ],
            before=["“三公”经费预决算对比表", "单位：元"],
        ),
        {
            "total.budget": 9, "total.actual": 7.57, "total.previous": 8.33,
            "reception.budget": 3, "reception.actual": 2.45, "reception.previous": 2.8,
            "vehicle_operation.actual": 5.12, "vehicle_operation.previous": 5.53,
        },
    ),
    # 年初预算 as the only plan column, 上年数, totals named 三公经费合计.
    "initial_budget_only": (
        Grid(
            [
                ["经费名称", "年初预算", "实际支出", "上年数"],
                ["因公出国（境）经费", "3.00", "2.10", "2.60"],
                ["公务接待费", "1.50", "1.20", "1.40"],
                ["公务用车运行费", "4.00", "3.60", "3.90"],
                ["三公经费合计", "8.50", "6.90", "7.90"],
            ],
        ),
        {
            "total.budget": 8.5, "total.actual": 6.9, "total.previous": 7.9,
            "overseas.budget": 3, "overseas.actual": 2.1, "overseas.previous": 2.6,
            "reception.actual": 1.2, "vehicle_operation.actual": 3.6,
        },
    ),
    # A two-level header: 本年度 over 预算数 | 决算数, 上年度 over 决算数.
    "two_level_header": (
        Grid(
            [
                ["项目", "本年度", "", "上年度"],
                ["", "预算数", "决算数", "决算数"],
                ["公务接待费", "1.80", "1.62", "1.75"],
                ["公务用车购置及运行维护费", "4.50", "4.31", "4.44"],
                ["合计", "6.30", "5.93", "6.19"],
            ],
            merges=[(0, 0, 2, 1), (0, 1, 1, 2)],
            before=["单位：万元"],
        ),
        {
            "total.budget": 6.3, "total.actual": 5.93, "total.previous": 6.19,
            "reception.budget": 1.8, "reception.actual": 1.62, "reception.previous": 1.75,
            "vehicle.budget": 4.5, "vehicle.actual": 4.31, "vehicle.previous": 4.44,
        },
    ),
    # 全年预算数 | 本年实际 | 上年同期 | 增减额 | 增减幅度, nil written 无 and —.
    "same_period_nil_words": (
        Grid(
            [
                ["费用项目", "全年预算数", "本年实际", "上年同期", "增减额", "增减幅度"],
                ["因公出国（境）费", "无", "无", "无", "—", "—"],
                ["公务接待费", "0.80", "0.64", "0.90", "-0.26", "-28.89%"],
                ["公务用车运行维护费", "3.20", "2.95", "3.10", "-0.15", "-4.84%"],
                ["合计", "4.00", "3.59", "4.00", "-0.41", "-10.25%"],
            ],
            before=["单位：万元"],
        ),
        {
            "total.budget": 4, "total.actual": 3.59, "total.previous": 4,
            "total.change": -0.41, "total.change_pct": -10.25,
            "reception.budget": 0.8, "reception.actual": 0.64, "reception.previous": 0.9,
            "overseas.actual": 0,
        },
    ),
    # The items as columns, 公务用车 split below into 购置费 | 运行维护费 (no 小计).
    "items_as_columns_vehicle_split": (
        Grid(
            [
                ["项目", "合计", "因公出国（境）费", "公务接待费", "公务用车", ""],
                ["", "", "", "", "购置费", "运行维护费"],
                ["全年预算", "12.00", "0", "2.00", "6.00", "4.00"],
                ["本年支出", "10.90", "0", "1.70", "5.80", "3.40"],
                ["上年同期", "6.10", "0", "2.20", "0", "3.90"],
            ],
            merges=[(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 2, 1), (0, 4, 1, 2)],
            before=["单位：万元"],
        ),
        {
            "total.budget": 12, "total.actual": 10.9, "total.previous": 6.1,
            "reception.budget": 2, "reception.actual": 1.7, "reception.previous": 2.2,
            "vehicle_purchase.actual": 5.8, "vehicle_operation.actual": 3.4,
            "vehicle_operation.previous": 3.9,
        },
    ),
    # The items as columns, the rows named by their year: 2022年 is last year's.
    "items_as_columns_year_rows": (
        Grid(
            [
                ["年度", "合计", "因公出国（境）费", "公务接待费", "公务用车运行维护费"],
                ["2023年预算", "7.40", "0", "2.40", "5.00"],
                ["2023年决算", "6.55", "0", "1.90", "4.65"],
                ["2022年决算", "7.05", "0", "2.25", "4.80"],
            ],
            before=["单位：万元"],
        ),
        {
            "total.budget": 7.4, "total.actual": 6.55, "total.previous": 7.05,
            "reception.budget": 2.4, "reception.actual": 1.9, "reception.previous": 2.25,
            "vehicle_operation.actual": 4.65, "vehicle_operation.previous": 4.8,
        },
    ),
    # The items as columns under a merged 公务用车购置及运行维护费 (小计 | 购置费 | 运行维护费),
    # the rows 本年 / 上年 / 增减.
    "items_as_columns_this_last_change": (
        Grid(
            [
                ["项目", "合计", "因公出国（境）费", "公务接待费", VEHICLE, "", ""],
                ["", "", "", "", "小计", "购置费", "运行维护费"],
                ["本年", "8.10", "0", "1.80", "6.30", "0", "6.30"],
                ["上年", "8.50", "0", "2.10", "6.40", "0", "6.40"],
                ["增减", "-0.40", "0", "-0.30", "-0.10", "0", "-0.10"],
            ],
            merges=[(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 2, 1), (0, 4, 1, 3)],
            before=["单位：万元"],
        ),
        {
            "total.actual": 8.1, "total.previous": 8.5, "total.change": -0.4,
            "reception.actual": 1.8, "reception.previous": 2.1, "vehicle.actual": 6.3,
            "vehicle_operation.actual": 6.3, "vehicle_operation.previous": 6.4,
        },
    ),
    # A 序号 column before the items, 2023年 over 预算 | 决算 and 2022年 over 决算, the change.
    "numbered_rows_year_groups": (
        Grid(
            [
                ["序号", "项目", "2023年", "", "2022年", "增减额"],
                ["", "", "预算", "决算", "决算", ""],
                ["1", "因公出国（境）费", "0.00", "0.00", "0.00", "0.00"],
                ["2", "公务接待费", "1.60", "1.32", "1.50", "-0.18"],
                ["3", "公务用车运行维护费", "3.00", "2.74", "2.90", "-0.16"],
                ["", "合计", "4.60", "4.06", "4.40", "-0.34"],
            ],
            merges=[(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 1, 2), (0, 5, 2, 1)],
            before=["单位：万元"],
        ),
        {
            "total.budget": 4.6, "total.actual": 4.06, "total.previous": 4.4,
            "total.change": -0.34, "reception.budget": 1.6, "reception.actual": 1.32,
            "reception.previous": 1.5, "vehicle_operation.previous": 2.9,
        },
    ),
    # 年初预算数 beside 调整后预算数 (the latter is the budget), a note row closing the grid.
    "initial_and_adjusted_with_note": (
        Grid(
            [
                ["项目", "年初预算数", "调整后预算数", "决算数", "上年决算数"],
                ["公务接待费", "2.00", "1.80", "1.66", "1.90"],
                ["公务用车运行维护费", "5.00", "5.20", "5.04", "4.95"],
                ["合计", "7.00", "7.00", "6.70", "6.85"],
                ["注：本年度未安排因公出国（境）经费。", "", "", "", ""],
            ],
            merges=[(4, 0, 1, 5)],
            before=["单位：万元"],
        ),
        {
            "total.budget": 7, "total.actual": 6.7, "total.previous": 6.85,
            "reception.budget": 1.8, "reception.actual": 1.66, "reception.previous": 1.9,
            "vehicle_operation.budget": 5.2, "vehicle_operation.actual": 5.04,
        },
    ),
    # Items named short (出国费, 接待费, 车辆运行维护费), 上年数 last.
    "short_item_names": (
        Grid(
            [
                ["项目", "预算数", "决算数", "上年数"],
                ["出国费", "0", "0", "0"],
                ["接待费", "3.00", "2.50", "2.80"],
                ["车辆运行维护费", "5.00", "4.20", "4.60"],
                ["合计", "8.00", "6.70", "7.40"],
            ],
            before=["单位：万元"],
        ),
        {
            "total.budget": 8, "total.actual": 6.7, "total.previous": 7.4,
            "reception.budget": 3, "reception.actual": 2.5, "reception.previous": 2.8,
            "vehicle_operation.budget": 5, "vehicle_operation.previous": 4.6,
            "overseas.actual": 0,
        },
    ),
    # Columns in another order (上年 first), 小计 for the vehicle, total last as 总计.
    "previous_first_columns": (
        Grid(
            [
                ["支出项目", "上年决算", "本年预算", "本年决算"],
                ["公务接待费", "1.10", "1.20", "0.95"],
                ["公务用车费用", "2.60", "2.80", "2.45"],
                ["总计", "3.70", "4.00", "3.40"],
            ],
            before=["“三公”经费支出（万元）"],
        ),
        {
            "total.budget": 4, "total.actual": 3.4, "total.previous": 3.7,
            "reception.budget": 1.2, "reception.actual": 0.95, "reception.previous": 1.1,
            "vehicle.budget": 2.8, "vehicle.actual": 2.45, "vehicle.previous": 2.6,
        },
    ),
}  # fmt: skip


def _read(family: str, fmt: str) -> dict[str, float | None]:
    grid, expected = FAMILIES[family]
    tp = read(grid, fmt).three_public
    got: dict[str, float | None] = {}
    for path in expected:
        item, kind = path.split(".")
        v = getattr(getattr(tp, item), kind)
        got[path] = None if v is None else round(v.value, 6)
    return got


# Glued copies (no separator at all) that cannot be parted: an integer 0 between amounts
# (12.0002.00), item names run together in the header, nil marks run together (无无无——),
# a year run into the next column's word (2022年增减额).
GLUED_AMBIGUOUS = {
    "items_as_columns_vehicle_split", "items_as_columns_year_rows", "same_period_nil_words",
    "items_as_columns_this_last_change", "numbered_rows_year_groups", "short_item_names",
}  # fmt: skip
CASES = [
    (family, fmt)
    for family in sorted(FAMILIES)
    for fmt in FORMATS
    if not (fmt == "txt-glued" and family in GLUED_AMBIGUOUS)
]


@pytest.mark.parametrize(("family", "fmt"), CASES)
def test_three_public_table(family: str, fmt: str) -> None:
    assert _read(family, fmt) == FAMILIES[family][1]


# What is read from a glued copy must be right, and a budget never the actual.
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_glued_copies_read_nothing_wrong(family: str) -> None:
    expected = FAMILIES[family][1]
    for path, value in _read(family, "txt-glued").items():
        assert value in (None, expected[path]), f"{path} read {value} from a glued copy"


@pytest.mark.parametrize("fmt", ["docx", "txt-tab", "txt-single"])
def test_a_budget_column_is_never_the_actual(fmt: str) -> None:
    grid = Grid(
        [
            ["项目", "2023年预算数", "2022年决算数"],
            ["公务接待费", "2.50", "2.20"],
            ["公务用车运行维护费", "4.00", "3.80"],
            ["合计", "6.50", "6.00"],
        ],
        before=["单位：万元"],
    )
    tp = read(grid, fmt).three_public
    assert tp.reception.budget.value == 2.5 and tp.reception.previous.value == 2.2
    assert tp.total.budget.value == 6.5 and tp.total.previous.value == 6
    assert tp.reception.actual is None and tp.total.actual is None


@pytest.mark.parametrize("fmt", ["docx", "txt-tab"])
def test_a_money_table_opening_with_its_total_is_no_three_public_table(fmt: str) -> None:
    grid = Grid(
        [
            ["项目", "预算数", "决算数"],
            ["合计", "820.00", "796.40"],
            ["基本支出", "600.00", "588.10"],
            ["项目支出", "220.00", "208.30"],
        ],
        before=["单位：万元"],
    )
    tp = read(grid, fmt).three_public
    assert tp.total.actual is None and tp.total.budget is None
