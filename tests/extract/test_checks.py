"""Consistency checks and their stated rounding tolerance (see service/extract/checks.py):
a figure is exact to half its last stated digit (money: to 0.005 万元; a stated zero
exactly); a percentage may be off by one unit of its last digit (rounding or truncation);
a score may not exceed its weight at all."""

from __future__ import annotations

import pytest

from service.extract.checks import ShareStatement, Term, check_percent, check_sum, run_checks
from service.extract.resolve import Candidate, resolve, same_value
from service.records import ExtractorInfo, Indicator, ReportExport, Value
from service.records.numbers import parse_quantity


def v(text: str, unit: str | None = None) -> Value:
    q = parse_quantity(text, default_unit=unit)
    assert q is not None
    return Value(
        value=q.value,
        unit=q.unit,
        raw=text,
        direction=q.direction,
        comparator=q.comparator,
        precision=q.precision,
    )


def export(**budget: str) -> ReportExport:
    e = ReportExport(extractor=ExtractorInfo(name="rules", version="t"))
    for name, text in budget.items():
        setattr(e.budget, name, v(text, "万元"))
    return e


def kinds(e: ReportExport, shares: list[ShareStatement] | None = None) -> list[tuple[str, str]]:
    return [(f.kind, f.paths[0]) for f in run_checks(e, shares or [])]


# --- sums ---------------------------------------------------------------------------------


def test_parts_that_add_up_give_no_finding() -> None:
    e = export(
        basic_expenditure="1059.01",
        personnel_expenditure="847.72",
        public_expenditure="211.29",
        total_expenditure="1112.51",
        project_expenditure="53.5",
    )
    assert kinds(e) == []


def test_a_sum_off_by_more_than_the_tolerance_is_found() -> None:
    e = export(
        basic_expenditure="1059.01", personnel_expenditure="857.11", public_expenditure="202.87"
    )
    found = run_checks(e)
    assert [(f.kind, f.severity) for f in found] == [("sum_mismatch", "error")]
    f = found[0]
    assert f.expected == pytest.approx(1059.98)
    assert f.tolerance == pytest.approx(0.015)
    assert {i.path for i in f.items} == {
        "budget.basic_expenditure",
        "budget.personnel_expenditure",
        "budget.public_expenditure",
    }
    assert "1059.98" in f.message_zh and "1059.98" in f.message_en


@pytest.mark.parametrize(
    ("total", "parts", "found"),
    [
        ("3.04", ["0", "0.11", "2.92"], False),  # 3.03: within 3 × 0.005 (0 is exact)
        ("3.04", ["0", "0.13", "2.92"], False),  # 3.05: within
        ("3.04", ["0", "0.14", "2.92"], True),  # 3.06: 0.02 > 0.015
        ("10", ["4.98", "5"], True),  # money is reported to 0.01: '10' means 10.00
        ("53.5", ["9.01", "0.43", "34.06", "10"], False),  # exactly 53.50
    ],
)
def test_sum_tolerance(total: str, parts: list[str], found: bool) -> None:
    got = check_sum(
        Term("t", v(total, "万元")),
        [Term(f"p{i}", v(p, "万元")) for i, p in enumerate(parts)],
        "合计",
        "total",
    )
    assert (got is not None) is found


def test_missing_parts_only_allow_an_over_sum_finding() -> None:
    total = Term("t", v("100", "万元"))
    # one part not found: 60 < 100 says nothing, 120 > 100 is a contradiction
    assert check_sum(total, [Term("a", v("60", "万元")), None], "x", "x") is None
    assert check_sum(total, [Term("a", v("120", "万元")), None], "x", "x") is not None


def test_income_sources_exceeding_the_total() -> None:
    e = export(total_income="1112.51", income_general_budget="1112.51", income_non_tax="140")
    assert kinds(e) == [("sum_mismatch", "budget.total_income")]


# --- percentages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stated", "numerator", "denominator", "found"),
    [
        ("28.67%", "1.22", "4.26", False),  # 28.64%, inside the inputs' rounding
        ("88.24%", "0.84", "0.95", False),  # 88.42%, 0.84 and 0.95 are coarse
        ("99.54%", "3157.85", "3172.18", False),  # 99.548% truncated
        ("99.55%", "3157.85", "3172.18", False),  # rounded
        ("99.60%", "3157.85", "3172.18", True),
        ("30%", "1.22", "4.26", True),
        ("4.46%", "0.21", "4.7", False),
    ],
)
def test_percent_tolerance(stated: str, numerator: str, denominator: str, found: bool) -> None:
    got = check_percent(
        Term("p", v(stated)),
        Term("n", v(numerator, "万元")),
        Term("d", v(denominator, "万元")),
        "占比",
        "share",
    )
    assert (got is not None) is found
    if got is not None:
        assert got.kind == "percent_mismatch" and got.severity == "warning"


def test_execution_rate_and_change_percent_checks() -> None:
    e = export(execution_rate="99.54%", full_year_execution="3157.85", full_year_budget="3172.18")
    tp = e.three_public.total
    tp.actual, tp.previous = v("3.04", "万元"), v("4.26", "万元")
    tp.change, tp.change_pct = v("减少1.22万元"), v("下降28.67%")
    assert kinds(e) == []
    tp.change_pct = v("下降38.67%")
    e.budget.execution_rate = v("95%")
    assert sorted(kinds(e)) == [
        ("percent_mismatch", "budget.execution_rate"),
        ("percent_mismatch", "three_public.total.change_pct"),
    ]


def test_a_change_with_the_wrong_direction_is_found() -> None:
    e = export()
    tp = e.three_public.total
    tp.actual, tp.previous, tp.change = v("3.04", "万元"), v("4.26", "万元"), v("增加1.22万元")
    assert kinds(e) == [("sum_mismatch", "three_public.total.actual")]


def test_share_statements() -> None:
    e = export(basic_expenditure="1059.01")
    ok = ShareStatement(
        "budget.personnel_expenditure", "budget.basic_expenditure", v("847.72", "万元"), v("80.04%")
    )
    bad = ShareStatement(
        "budget.personnel_expenditure", "budget.basic_expenditure", v("847.72", "万元"), v("70%")
    )
    assert kinds(e, [ok]) == []
    assert kinds(e, [bad]) == [("percent_mismatch", "budget.personnel_expenditure#share")]


# --- indicators ---------------------------------------------------------------------------


def _ind(weight: str, score: str, level1: Value | None = None) -> Indicator:
    return Indicator(
        level1=level1,
        level3=Value(value="x", raw="x"),
        weight=v(weight + "分"),
        score=v(score + "分"),
    )


def test_score_exceeding_weight() -> None:
    e = export()
    e.indicators = [_ind("5", "5"), _ind("5", "6")]
    assert kinds(e) == [("score_exceeds_weight", "indicators[1].score")]


def test_indicator_scores_against_the_total() -> None:
    e = export()
    e.indicators = [_ind("50", "48"), _ind("40", "40")]
    e.report.total_score = v("98分")
    e.budget.execution_score = v("10分")
    assert kinds(e) == []  # 48 + 40 + 10 budget-execution points
    e.report.total_score = v("99分")  # points are exact: no rounding allowed
    assert kinds(e) == [("sum_mismatch", "report.total_score")]


def test_declared_group_weight() -> None:
    from service.document import Span
    from service.records import Source

    l1 = Value(value="效益指标", raw="效益指标(30分)", source=Source(span=Span(start=0, end=10)))
    e = export()
    e.indicators = [_ind("20", "20", l1), _ind("15", "15", l1)]
    assert kinds(e) == [("sum_mismatch", "indicators[0].level1")]


# --- the same figure stated twice ---------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("53.5", "53.50", True),
        ("53.5", "52.53", False),
        ("1.9", "1.89", False),  # money to 0.01: not a rounding of each other
        ("2204.95", "2204.05", False),
        ("-157.36", "减少157.36万元", True),  # signs follow 增长/下降
        ("0", "0元", True),
    ],
)
def test_same_value(a: str, b: str, same: bool) -> None:
    assert same_value(v(a, "万元"), v(b, "万元")) is same


def test_resolve_majority_and_conflict_finding() -> None:
    cands = [
        Candidate("budget.project_expenditure", v("53.5", "万元"), "prose"),
        Candidate("budget.project_expenditure", v("53.5", "万元"), "table"),
        Candidate("budget.project_expenditure", v("52.53", "万元"), "prose"),
        Candidate("budget.basic_expenditure", v("1059.01", "万元"), "prose"),
    ]
    res = resolve(cands)
    assert res.chosen["budget.project_expenditure"].value == 53.5
    assert [f.paths for f in res.findings] == [["budget.project_expenditure"]]
    assert len(res.findings[0].items) == 3
