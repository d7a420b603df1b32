"""人员经费 and its neighbours stated with their budget, last year's figure or a part beside
them: the field takes the final figure of this year, never the budget's, last year's or a
part's, and a stage-led 实际支出 after a subject's budget is that subject's figure, not the
department's total. Every sentence here is invented."""

from __future__ import annotations

import pytest

from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

HEAD = "某县水利局2023年度部门整体支出绩效自评报告\n一、部门收支情况\n"
ACCOUNTS = (
    "本年支出合计1,200.00万元，其中基本支出800.00万元，项目支出400.00万元。"
    "人员经费650.00万元，公用经费150.00万元。收入合计1,234.50万元。\n二、项目情况\n"
)
RIGHT = {
    "budget.total_expenditure": 1200.0,
    "budget.basic_expenditure": 800.0,
    "budget.project_expenditure": 400.0,
    "budget.personnel_expenditure": 650.0,
    "budget.public_expenditure": 150.0,
    "budget.total_income": 1234.5,
}


def read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode("utf-8"), "t.txt")).export


def number(export: ReportExport, path: str) -> float | None:
    v = get_path(export, path)
    return None if v is None else v.number


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("人员经费预算660.00万元，决算650.00万元。", 650.0),
        ("人员经费：预算660.00万元，实际650.00万元。", 650.0),
        ("人员经费全年预算660.00万元，实际支出650.00万元。", 650.0),
        ("人员经费年初预算620.00万元，调整后预算660.00万元，实际支出650.00万元。", 650.0),
        ("人员经费650.00万元（上年600.00万元）。", 650.0),
        ("人员经费650.00万元，比上年600.00万元增加50.00万元。", 650.0),
        ("上年人员经费600.00万元，本年人员经费650.00万元。", 650.0),
        ("人员经费650.00万元，其中工资福利支出600.00万元。", 650.0),
        ("人员经费（工资福利支出和对个人和家庭的补助）650.00万元。", 650.0),
        ("人员经费6,500,000元。", 650.0),
        ("其中在职人员经费600.00万元，离退休人员经费50.00万元，人员经费合计650.00万元。", 650.0),
        # the figure it rose to from last year's is this year's
        ("人员经费由上年的600.00万元增加到650.00万元。", 650.0),
        ("人员经费较上年的600.00万元增加50.00万元，达到650.00万元。", 650.0),
        # nothing of this year's final figure: no reading rather than a wrong one
        ("人员经费预算660.00万元，上年600.00万元。", None),
        # the base of a comparison is last year's figure
        ("人员经费较上年的600.00万元增加50.00万元。", None),
        ("人员经费比上年600.00万元增长8.33%。", None),
        ("与上年人员经费600.00万元相比，增加50.00万元。", None),
        ("人员经费650.00万元，较2022年的600.00万元增加50.00万元。", 650.0),
        ("与2022年相比，人员经费650.00万元。", 650.0),
        # what is left of it, or per head, is no total
        ("人员经费结转5.00万元。", None),
        ("人员经费人均12.50万元。", None),
        ("2023年人员经费650.00万元，2022年人员经费600.00万元。", 650.0),
        ("人员经费：2023年650.00万元，2022年600.00万元。", 650.0),
    ],
)
def test_personnel_takes_this_years_final_figure(sentence: str, expected: float | None) -> None:
    export = read(HEAD + sentence + "\n")
    assert number(export, "budget.personnel_expenditure") == expected
    assert not [f for f in export.findings if f.severity == "error"]


@pytest.mark.parametrize(
    "sentence",
    [
        "人员经费全年预算660.00万元，实际支出650.00万元。",
        "基本支出：预算820.00万元，决算800.00万元。",
        "项目支出预算420.00万元，实际支出400.00万元。",
        "某某项目全年预算80.00万元，实际支出78.00万元。",
        "（一）河道整治项目：预算100.00万元，支出50.00万元。",
        "三公经费预算5.00万元，实际支出4.10万元。",
        "公务接待费预算2.00万元，实际支出1.50万元。",
        "政府采购预算50.00万元，实际采购48.00万元。",
        "上年收入1,100.00万元，支出1,050.00万元。",
        "公用经费150.00万元，上年140.00万元。",
    ],
)
def test_a_subjects_budget_and_final_leave_the_accounts_consistent(sentence: str) -> None:
    """A consistent report with a subject's budget beside its final figure: every field as
    the accounts state it, no conflict at all."""
    export = read(HEAD + ACCOUNTS + sentence + "\n")
    assert {p: number(export, p) for p in RIGHT} == RIGHT
    assert not [f for f in export.findings if f.kind == "conflict"]


@pytest.mark.parametrize(
    "sentence",
    [
        "本单位年初预算1,300.00万元，实际支出1,200.00万元。",
        "2023年部门预算1,300.00万元，实际支出1,200.00万元。",
        "全年预算1,300.00万元，实际支出1,200.00万元。",
    ],
)
def test_the_accounts_budget_then_actual_spending_is_the_total(sentence: str) -> None:
    export = read(HEAD + sentence + "\n")
    assert number(export, "budget.total_expenditure") == 1200.0
    assert number(export, "budget.personnel_expenditure") is None


def test_a_planted_difference_after_a_budget_clause_is_a_conflict() -> None:
    export = read(
        HEAD + ACCOUNTS + "三、总体评价\n人员经费全年预算680.00万元，实际支出660.00万元。\n"
    )
    found = [f for f in export.findings if f.kind == "conflict"]
    assert [f.paths for f in found] == [["budget.personnel_expenditure"]]
    assert number(export, "budget.total_expenditure") == 1200.0


PARTS = "本年支出合计1,200.00万元，其中基本支出800.00万元，项目支出400.00万元。\n"


def test_wages_stand_for_personnel_where_the_report_names_nothing_else() -> None:
    """工资福利支出 and 商品和服务支出 are the personnel and office figures of a report that
    names neither 人员经费 nor the other parts; a restatement that differs is a conflict,
    a warning (the words are not the field's own)."""
    export = read(
        HEAD + PARTS + "基本支出中，工资福利支出650.00万元，商品和服务支出150.00万元。\n"
        "三、总体评价\n全年工资福利支出660.00万元。\n"
    )
    assert number(export, "budget.personnel_expenditure") == 650.0
    assert number(export, "budget.public_expenditure") == 150.0
    found = [f for f in export.findings if f.kind == "conflict"]
    assert [(f.paths, f.severity) for f in found] == [(["budget.personnel_expenditure"], "warning")]


@pytest.mark.parametrize(
    "breakdown",
    [
        # the wages are one of two personnel parts here
        "基本支出中，工资福利支出600.00万元，对个人和家庭的补助50.00万元，商品和服务支出150.00万元。"
        "人员经费650.00万元。",
        "人员经费650.00万元，其中工资福利支出600.00万元。公用经费150.00万元。",
    ],
)
def test_wages_are_a_part_where_the_report_names_personnel_or_its_other_part(
    breakdown: str,
) -> None:
    export = read(HEAD + PARTS + breakdown + "\n")
    assert number(export, "budget.personnel_expenditure") == 650.0
    assert not [f for f in export.findings if f.kind == "conflict"]
    assert not [f for f in export.findings if f.severity == "error"]
