"""Budget totals under other keywords (收入决算合计, 取得收入, 累计完成支出, 部门整体支出,
收支情况：收入…，支出…), read as the total; a restatement that differs is a conflict on it.
Every sentence here is invented."""

from __future__ import annotations

import pytest

from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.ingest import read_document

HEAD = "某县水利局2023年度部门整体支出绩效自评报告\n一、部门收支情况\n"


def _read(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode("utf-8"), "t.txt")).export


@pytest.mark.parametrize(
    ("sentence", "path", "expected"),
    [
        ("收入决算合计1,234.50万元。", "budget.total_income", 1234.5),
        ("本年度收入决算总计1,234.50万元。", "budget.total_income", 1234.5),
        ("2023年度共取得收入1,234.50万元。", "budget.total_income", 1234.5),
        ("本年度收入来源合计1,234.50万元。", "budget.total_income", 1234.5),
        ("支出决算合计1,200.00万元。", "budget.total_expenditure", 1200.0),
        ("全年累计完成支出1,200.00万元。", "budget.total_expenditure", 1200.0),
        ("全年实际完成支出1,200.00万元。", "budget.total_expenditure", 1200.0),
        ("本年度共支出资金1,200.00万元。", "budget.total_expenditure", 1200.0),
        ("本年度部门整体支出1,200.00万元。", "budget.total_expenditure", 1200.0),
        ("本年收支情况：收入1,234.50万元，支出1,200.00万元。", "budget.total_income", 1234.5),
        ("本年收支情况：收入1,234.50万元，支出1,200.00万元。", "budget.total_expenditure", 1200.0),
        ("2023年本单位收入1,234.50万元、支出1,200.00万元。", "budget.total_expenditure", 1200.0),
    ],
)
def test_a_total_under_another_keyword_is_read(sentence: str, path: str, expected: float) -> None:
    v = get_path(_read(HEAD + sentence + "\n"), path)
    assert v is not None and v.number == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "2023年度部门整体支出绩效自评得分95分。",  # the report's name, no figure of the total
        "河道整治专项资金到位100.00万元，支出95.00万元。",  # a fund's spending
        "上年收入1,100.00万元，支出1,050.00万元。",  # last year's
    ],
)
def test_no_total_is_read_from_another_subject(sentence: str) -> None:
    export = _read(HEAD + "本年支出合计1,200.00万元。\n" + sentence + "\n")
    assert export.budget.total_expenditure is not None
    assert export.budget.total_expenditure.number == 1200.0
    assert not [f for f in export.findings if f.kind == "conflict"]


def test_a_total_restated_in_the_conclusion_under_another_keyword_conflicts() -> None:
    export = _read(
        HEAD + "本年支出合计1,200.00万元。\n三、总体评价\n全年累计完成支出1,210.00万元。\n"
    )
    found = [f for f in export.findings if f.kind == "conflict"]
    assert [f.paths for f in found] == [["budget.total_expenditure"]]
    assert found[0].severity == "error"
