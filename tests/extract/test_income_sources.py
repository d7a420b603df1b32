"""Income stated as its sources (资金来源): a heading word before a colon or 为 names no other
subject, 其他资金 is other income, 收到资金 the total, and the total after the parts (合计,
共计) is the income. Every text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


@pytest.mark.parametrize(
    "sentence",
    [
        "2023年资金来源：财政拨款418.60万元，其他资金21.40万元，合计440.00万元。",
        "资金来源：财政拨款418.60万元、其他资金21.40万元，共计440.00万元。",
        "本年资金来源为财政拨款418.60万元，其他资金21.40万元，合计440.00万元。",
        "全年收到资金440.00万元，其中财政拨款418.60万元，其他资金21.40万元。",
    ],
)
def test_income_stated_as_its_sources(sentence: str) -> None:
    text = f"某某镇文化站2023年度部门整体支出绩效自评报告\n二、资金情况\n{sentence}\n"
    b = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export.budget
    got = [v.value if v else None for v in (b.total_income, b.income_general_budget, b.income_other)]
    assert got == pytest.approx([440.0, 418.6, 21.4])


def test_other_funds_spent_are_no_income() -> None:
    text = "本年支出合计80万元，其中其他资金支出5万元。\n"
    b = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export.budget
    assert b.income_other is None


def test_a_project_fund_before_a_colon_still_names_its_own_subject() -> None:
    text = "二、收支\n本年支出合计300万元。\n（1）乡村振兴衔接资金：全年支出45万元。\n"
    b = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export.budget
    assert b.total_expenditure is not None and b.total_expenditure.value == 300
