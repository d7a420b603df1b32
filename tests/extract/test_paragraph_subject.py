"""A numbered paragraph that opens with a bare name (“（一）某某项目。”) speaks of that
subject throughout: its 全年预算 and 实际支出 are the project's, not the department's (they
raised two error-level conflicts on a consistent report). And this year's balance under
other words (当年结余, 年末结转). Every text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _read(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode("utf-8"), "report.txt")).export


def test_a_paragraph_named_by_its_first_sentence_is_that_subjects() -> None:
    e = _read(
        "二、预算执行\n全年预算数1,840.00万元，本年度实际支出1,802.65万元。\n四、重点项目\n"
        "（一）乡村学校校舍维修工程。全年预算260万元，实际支出251.3万元。\n"
        "（二）学生资助补助。全年预算90万元，实际支出90万元。\n"
        "（三）智慧校园一期。全年预算120万元，实际支出118万元。\n"
    )
    assert e.budget.full_year_budget is not None and e.budget.full_year_budget.value == 1840
    assert e.budget.total_expenditure is not None and e.budget.total_expenditure.value == pytest.approx(1802.65)
    assert [(str(p.name.value), p.amount.value) for p in e.projects] == [
        ("乡村学校校舍维修工程", 251.3),
        ("学生资助补助", 90),
        ("智慧校园一期", 118),
    ]
    assert not [f for f in e.findings if f.severity == "error"]


def test_a_heading_sentence_of_the_accounts_names_no_other_subject() -> None:
    e = _read("二、收支情况\n（一）支出情况。全年预算500万元，实际支出488万元。\n")
    assert e.budget.total_expenditure is not None and e.budget.total_expenditure.value == 488


@pytest.mark.parametrize("sentence", ["当年结余36.20万元。", "年末结转36.20万元。", "年末结转和结余36.20万元。"])
def test_this_years_balance_in_other_words(sentence: str) -> None:
    e = _read(f"二、收支\n本年收入500万元，本年支出463.80万元，{sentence}\n")
    assert e.budget.carry_over is not None and e.budget.carry_over.value == pytest.approx(36.2)


def test_last_years_carry_over_is_no_balance() -> None:
    e = _read("二、收支\n本年收入500万元，其中上年结转20万元。\n")
    assert e.budget.carry_over is None
