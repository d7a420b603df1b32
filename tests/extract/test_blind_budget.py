"""Budget sentences in layouts first met in a blind test: the parts after a total and a
colon or in brackets, 全部收入 / 各项收入, a bare 结转 with its figure."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

HEAD = (
    "青山县档案馆2022年度部门整体支出绩效自评报告\n\n一、基本情况\n本馆内设3个科室。\n"
    "二、部门整体支出情况\n"
)


def _budget(body: str) -> dict[str, float]:
    export = extract_rules(read_document((HEAD + body + "\n").encode(), "r.txt")).export
    budget = export.budget
    return {
        name: getattr(budget, name).value
        for name in type(budget).model_fields
        if getattr(getattr(budget, name), "value", None) is not None
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "支出合计500万元：基本支出400万元，项目支出100万元。",
            {"total_expenditure": 500, "basic_expenditure": 400, "project_expenditure": 100},
        ),
        (
            "全年支出500万元：其中基本支出400万元、项目支出100万元。",
            {"total_expenditure": 500, "basic_expenditure": 400, "project_expenditure": 100},
        ),
        (
            "本年收入合计520万元：财政拨款收入500万元，其他收入20万元。",
            {"total_income": 520, "income_general_budget": 500, "income_other": 20},
        ),
        (
            "全年收入520万元（其中一般公共预算拨款500万元、政府性基金20万元）。",
            {"total_income": 520, "income_general_budget": 500, "income_government_funds": 20},
        ),
        (
            "全年支出500万元（其中基本支出400万元、项目支出100万元）。",
            {"total_expenditure": 500, "basic_expenditure": 400, "project_expenditure": 100},
        ),
        ("本年度全部收入为520万元。", {"total_income": 520}),
        ("本年财政拨款520万元，即收入总额。", {"total_income": 520}),
        (
            "本年收入520万元，即全部为一般公共预算拨款。",
            {"total_income": 520, "income_general_budget": 520},
        ),
        ("本年各项收入合计520万元。", {"total_income": 520}),
        (
            "本年收入520万元，支出500万元，结转20万元。",
            {"total_income": 520, "total_expenditure": 500, "carry_over": 20},
        ),
    ],
)
def test_budget_statements(body: str, expected: dict[str, float]) -> None:
    assert _budget(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # an item named before its colon owns the figures after it
        ("（1）档案数字化项目40万元：预算40万元，实际支出38万元。", {}),
        # last year's balance is this year's income, a project's balance is the project's
        ("上年结转20万元，本年收入500万元。", {"total_income": 500}),
        ("项目结转资金10万元。", {}),
        # the parts of the balance are no second balance, nor project spending
        ("年末结转结余25万元，其中结转20万元、结余5万元。", {"carry_over": 25}),
        ("年末结转结余25万元，其中：基本支出结转5万元，项目支出结转20万元。", {"carry_over": 25}),
        # 即 before a share is no second name of the figure
        ("项目支出100万元，即项目支出的六成。", {"project_expenditure": 100}),
    ],
)
def test_not_the_accounts(body: str, expected: dict[str, float]) -> None:
    assert _budget(body) == expected
