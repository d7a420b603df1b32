"""Contradictions only between statements of the same quantity (同一口径): consistent
documents in varied phrasings give no error-level finding; a figure stated twice with two
values is an error that says why both statements are of one quantity. Texts are invented
(units, places and figures of our own), read as plain-text documents through the whole
pipeline (rules + checks)."""

from __future__ import annotations

import pytest

from service.extract import extract
from service.extract.basis import Basis, fit, prose_basis, same_quantity
from service.extract.resolve import Candidate, resolve, same_value
from service.ingest import read_document
from service.records import ReportExport, Value
from service.records.numbers import parse_quantity

HEAD = "评价年度：2023年\n一、部门收支情况\n"
TOTALS = "2023年，本站支出合计800.00万元，其中基本支出500.00万元，项目支出300.00万元。\n"


def run(body: str) -> ReportExport:
    doc = read_document((HEAD + body).encode("utf-8"), "report.txt")
    return extract(doc).export


def errors(e: ReportExport) -> list[str]:
    return [f"{f.kind} {f.paths} {f.message_en}" for f in e.findings if f.severity == "error"]


CONSISTENT = {
    "budget and final of one label in one sentence": TOTALS
    + "项目支出年初预算320.00万元，实际支出300.00万元。\n",
    "budget words after the label": TOTALS + "项目支出预算数为320.00万元，决算数为300.00万元。\n",
    "sub-quotas of the total by name": TOTALS
    + "其中：专项业务费项目支出120.00万元，设备购置项目支出180.00万元。\n",
    "what the total was used for": TOTALS
    + "项目支出主要用于人员培训45.00万元、设备维护60.00万元。\n",
    "last year's figure beside this year's": TOTALS + "上年项目支出280.00万元，本年有所增加。\n",
    "an earlier year named": TOTALS + "2022年项目支出265.50万元。\n",
    "yuan beside wan yuan": TOTALS + "项目支出3,000,000.00元（300.00万元）。\n",
    "rounding of the same figure": "2023年，本站支出合计842.10万元。\n"
    "全年支出合计842.1万元。\n经核算，支出合计8,421,000元。\n",
    "an approximation within its words": TOTALS + "全年项目支出约300万元。\n",
    "more-than within its words": TOTALS + "项目支出300余万元。\n",
    "a named item's own lines": TOTALS
    + "（1）水质监测运行经费：预算52.00万元，实际支出48.60万元。\n"
    "（2）站房改造：预算30.00万元，实际支出29.10万元。\n",
    "an aside about last year in brackets": "本年支出800.00万元（上年支出760.00万元），"
    "其中基本支出500.00万元、项目支出300.00万元。\n基本支出中，人员经费420.00万元，公用经费80.00万元。\n",
    "a percent of another base": TOTALS
    + "基本支出中，人员经费400.00万元，占基本支出的80.00%；公用经费100.00万元。\n",
}


@pytest.mark.parametrize("body", CONSISTENT.values(), ids=CONSISTENT.keys())
def test_a_consistent_document_has_no_error(body: str) -> None:
    e = run(body)
    assert errors(e) == []
    assert e.budget.total_expenditure is not None


@pytest.mark.parametrize(
    "body",
    [
        CONSISTENT["budget and final of one label in one sentence"],
        CONSISTENT["sub-quotas of the total by name"],
        CONSISTENT["what the total was used for"],
        CONSISTENT["last year's figure beside this year's"],
        CONSISTENT["an earlier year named"],
        CONSISTENT["yuan beside wan yuan"],
    ],
)
def test_the_figure_of_the_path_is_kept_beside_other_quantities(body: str) -> None:
    e = run(body)
    assert e.budget.project_expenditure is not None
    assert e.budget.project_expenditure.value == pytest.approx(300.0)
    assert e.budget.project_expenditure.unit == "万元"
    assert not [
        f for f in e.findings if f.kind == "conflict" and "budget.project_expenditure" in f.paths
    ]


def test_rounded_statements_of_one_total_agree() -> None:
    e = run(CONSISTENT["rounding of the same figure"])
    assert e.budget.total_expenditure.value == pytest.approx(842.1)
    assert e.budget.total_expenditure.also  # the other statements kept as its sources


INCONSISTENT = {
    "two prose statements of one figure": TOTALS
    + "综上，2023年本站支出合计800.00万元，其中基本支出490.00万元，项目支出310.00万元。\n",
    "the figure restated in another paragraph": TOTALS
    + "二、预算执行情况\n全年项目支出完成310.00万元。\n",
}


@pytest.mark.parametrize("body", INCONSISTENT.values(), ids=INCONSISTENT.keys())
def test_a_planted_contradiction_is_an_error_with_its_reason(body: str) -> None:
    e = run(body)
    conflicts = [f for f in e.findings if f.kind == "conflict" and f.severity == "error"]
    found = {f.paths[0]: f for f in conflicts}
    assert "budget.project_expenditure" in found, [f.message_en for f in e.findings]
    f = found["budget.project_expenditure"]
    raws = {i.value.raw for i in f.items}
    assert {"300.00万元", "310.00万元"} <= raws
    assert f.basis is not None and f.basis.clear
    assert f.basis.label == "项目支出" and f.basis.stage == "final"
    assert f.basis.year == 2023
    assert "项目支出" in f.reason_zh and "项目支出" in f.reason_en
    assert "2023" in f.reason_zh


# --- the basis of single statements -----------------------------------------------------


def _basis(text: str, figure: str, path: str) -> Basis:
    return prose_basis(text, text.index(figure), path)


@pytest.mark.parametrize(
    ("text", "figure", "path", "want"),
    [
        ("项目支出年初预算320万元，实际支出300万元", "320", "budget.project_expenditure", "other"),
        ("上年项目支出280万元", "280", "budget.project_expenditure", "other"),
        ("专项业务费项目支出120万元", "120", "budget.project_expenditure", "other"),
        ("项目支出主要用于培训45万元", "45", "budget.project_expenditure", "other"),
        ("2023年项目支出300万元", "300", "budget.project_expenditure", "same"),
        ("一般公共预算的基本支出为500万元", "500", "budget.basic_expenditure", "same"),
        ("其中基本支出500万元(含人员经费420万元)", "420", "budget.personnel_expenditure", "same"),
        ("年初预算数为900万元", "900", "budget.initial_budget", "same"),
        ("“三公”经费比上年减少0.5万元", "0.5", "three_public.total.change", "same"),
        ("培训费较上年减少3.2万元", "3.2", "three_public.total.change", "other"),
        ("上年和本年项目支出分别为280万元", "280", "budget.project_expenditure", "unknown"),
    ],
)
def test_fit_of_a_statement(text: str, figure: str, path: str, want: str) -> None:
    assert fit(path, _basis(text, figure, path), 2023) == want


def test_years_tell_quantities_apart() -> None:
    a = _basis("2023年项目支出300万元", "300", "budget.project_expenditure")
    b = _basis("2022年项目支出280万元", "280", "budget.project_expenditure")
    assert (a.year, b.year) == (2023, 2022)
    assert not same_quantity(a, b)
    assert fit("budget.project_expenditure", b, 2023) == "other"
    assert fit("budget.project_expenditure", b, None) == "same"  # the year unknown: no claim


def _v(text: str) -> Value:
    q = parse_quantity(text)
    assert q is not None
    return Value(
        value=q.value, unit=q.unit, raw=text, comparator=q.comparator, precision=q.precision
    )


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("842.1万元", "842.10万元", True),
        ("842.1万元", "8,421,000元", True),
        ("约300万元", "298.76万元", True),  # 约300: the zeros are not measured, ±50
        ("约300万元", "360.00万元", False),
        ("270余万元", "276.40万元", True),
        ("270余万元", "268.00万元", False),
        ("近300万元", "296.10万元", True),
        ("近300万元", "301.00万元", False),
        ("53.5万元", "52.53万元", False),
    ],
)
def test_approximations_cover_their_interval(a: str, b: str, same: bool) -> None:
    assert same_value(_v(a), _v(b)) is same


def test_a_disagreement_without_a_clear_basis_is_a_warning() -> None:
    labelled = Candidate("budget.project_expenditure", _v("300万元"), basis=Basis(label="项目支出"))
    unknown = Candidate("budget.project_expenditure", _v("310万元"), origin="llm")
    res = resolve([labelled, unknown], 2023)
    (f,) = res.findings
    assert (f.kind, f.severity) == ("conflict", "warning")
    assert f.basis is None and "310万元" in f.reason_zh


def test_a_statement_of_another_quantity_is_set_aside_not_a_conflict() -> None:
    this = Candidate("budget.project_expenditure", _v("300万元"), basis=Basis(label="项目支出"))
    last = Candidate(
        "budget.project_expenditure", _v("280万元"), basis=Basis(label="项目支出", year=2022)
    )
    res = resolve([last, this], 2023)
    assert res.findings == []
    assert res.chosen["budget.project_expenditure"].value == 300
    assert res.set_aside["budget.project_expenditure"] == [last]


def test_rounded_writing_of_a_figure_is_only_a_warning() -> None:
    a = Candidate("budget.total_income", _v("842.13万元"), basis=Basis(label="收入合计"))
    b = Candidate("budget.total_income", _v("842万元"), basis=Basis(label="收入合计"))
    (f,) = resolve([a, b], 2023).findings
    assert f.severity == "warning" and "取整" in f.reason_zh
