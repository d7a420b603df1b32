"""The year's income in prose, built as families: the total under its many labels (收入总额,
本年收入, 全年收入合计, 总收入, 共收入, 我局收入 …), stated as its sources with the total
after them (共计/合计) or before them (其中：…), in 万元, in 元 with thousands separators or
both; a budget/final pair (年初预算收入…，决算收入…); headings before a colon that name the
accounts (收入来源及构成：, 我所收入：, 本年收支总体情况：). Negatives: last year's income
beside this year's, a budget alone, sources without a stated total. Every text is ours."""

from __future__ import annotations

import itertools

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

HEAD = "某某局2023年度部门整体支出绩效自评报告\n一、部门收支情况\n"

# The same income in three ways of writing money: (total, general budget, other).
AMOUNTS = {
    "wan": ("1,234.56万元", "1,200.00万元", "34.56万元"),
    "yuan": ("12,345,600.00元", "12,000,000.00元", "345,600.00元"),
    "both": (
        "12,345,600.00元（1234.56万元）",
        "12,000,000.00元（1200.00万元）",
        "345,600.00元（34.56万元）",
    ),
}
TOTAL, GENERAL, OTHER = 1234.56, 1200.0, 34.56

# Each form: the sentence, and whether it states the sources.
FORMS = [
    ("2023年收入总额{t}，其中财政拨款收入{g}，其他收入{o}。", True),
    ("本年收入{t}，其中：财政拨款收入{g}，其他收入{o}。", True),
    ("全年收入合计{t}。", False),
    ("本单位总收入为{t}。", False),
    ("收入方面，全年共收入{t}，其中财政拨款收入{g}，其他收入{o}。", True),
    ("2023年我局收入{t}，其中财政拨款收入{g}，其他收入{o}。", True),
    ("2023年本单位实现收入{t}。", False),
    ("财政拨款收入{g}，其他收入{o}，共计{t}。", True),
    ("收入来源及构成：财政拨款收入{g}，其他收入{o}，两项合计{t}。", True),
    ("本年收入来源：财政拨款收入{g}，占97.2%；其他收入{o}，占2.8%；合计{t}。", True),
    ("2023年我所收入：财政拨款{g}，其他收入{o}，合计{t}。", True),
    ("2023年我局收入情况：财政拨款收入{g}，其他收入{o}，收入总计{t}。", True),
    ("本年收支总体情况：收入总计{t}；支出总计1,200.00万元。", False),
    ("年初预算收入1,300.00万元，决算收入{t}。", False),
    ("收入年初预算1,300.00万元，决算数{t}。", False),
    ("收入：年初预算1,300.00万元，全年决算{t}。", False),
    ("上年收入1,100.00万元，本年收入{t}。", False),
    ("本年收入合计{t}，较上年收入1,100.00万元增加134.56万元。", False),
    ("收入合计{t}，其中：\n财政拨款收入{g}；\n其他收入{o}。", True),
    ("收入包括：财政拨款收入{g}；其他收入{o}。收入合计{t}。", True),
    # one source a line, then a bare 合计 line: their sum
    ("（一）收入情况\n财政拨款收入：{g}\n其他收入：{o}\n合计：{t}", True),
    ("（一）收入情况\n1.财政拨款收入{g}；\n2.其他收入{o}；\n合计{t}。", True),
]
# Figures given respectively (分别为A、B): each figure once. A figure restated in brackets
# inside such a run (12,000,000.00元（1200.00万元）、…) is not read yet (clauses.respective
# takes the bracket for the next figure), so that pairing is left out here on purpose.
RESPECTIVE_FORMS = [("财政拨款收入、其他收入分别为{g}、{o}，合计{t}。", True)]


def _cases() -> list[object]:
    plain = {unit: AMOUNTS[unit] for unit in ("wan", "yuan")}
    return [
        pytest.param(form.format(t=t, g=g, o=o), sources, id=f"{name}{k}-{unit}")
        for name, forms, amounts in (("form", FORMS, AMOUNTS), ("each", RESPECTIVE_FORMS, plain))
        for (k, (form, sources)), (unit, (t, g, o)) in itertools.product(
            enumerate(forms), amounts.items()
        )
    ]


def budget(text: str):  # noqa: ANN201
    doc = read_document((HEAD + text + "\n").encode("utf-8"), "t.txt")
    return extract_rules(doc).export.budget


@pytest.mark.parametrize(("text", "sources"), _cases())
def test_income_in_every_wording_and_unit(text: str, sources: bool) -> None:
    b = budget(text)
    assert b.total_income is not None, f"total income not read from {text!r}"
    assert b.total_income.number == pytest.approx(TOTAL) and b.total_income.unit == "万元"
    if sources:
        got = [v.number if v else None for v in (b.income_general_budget, b.income_other)]
        assert got == [pytest.approx(GENERAL), pytest.approx(OTHER)], text


@pytest.mark.parametrize(
    "text",
    [
        "2023年度收入预算1,300.00万元。",
        "上年收入总额1,100.00万元。",
        "2022年度收入1,100.00万元。",
        "上年度收入1100万元。",
        # sources alone: their sum is not stated, so no total is made up
        "其中：财政拨款收入12,000,000.00元，其他收入345,600.00元。",
    ],
)
def test_no_income_of_this_year_is_stated(text: str) -> None:
    assert budget(text).total_income is None


@pytest.mark.parametrize(
    "text",
    [
        "上年收入1,100.00万元，本年收入1,234.56万元。",
        "本年收入合计1,234.56万元，上年收入合计1,100.00万元。",
        "收入合计1,234.56万元（上年收入合计1,100.00万元），增长12.2%。",
        "2022年收入总额1,100.00万元，2023年收入总额1,234.56万元。",
        "收入预算数1,300.00万元，收入决算数1,234.56万元。",
    ],
)
def test_last_years_or_the_budgets_income_beside_is_not_this_years(text: str) -> None:
    got = budget(text).total_income
    assert got is not None and got.number == pytest.approx(TOTAL)


def test_a_heading_with_its_unit_names_the_accounts_not_another_subject() -> None:
    b = budget("2023年我所收入：财政拨款1,200.00万元，其他收入34.56万元，合计1,234.56万元。")
    assert b.income_general_budget is not None and b.income_general_budget.number == GENERAL
    b = budget("（1）乡村振兴衔接资金：全年收入45.00万元。")
    assert b.total_income is None


def test_a_total_line_that_is_not_the_sum_of_the_lines_before_is_no_income() -> None:
    b = budget(
        "（一）收入情况\n财政拨款收入：1,200.00万元\n其他收入：34.56万元\n合计：1,300.00万元"
    )
    assert b.total_income is None
    assert b.income_general_budget is not None and b.income_general_budget.number == GENERAL
