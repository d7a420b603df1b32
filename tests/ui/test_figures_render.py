"""The review page's text of a value and of a finding's side (``service.ui.review.shown``)."""

from service.api.sheets import _side
from service.ui.review import _numeric_unit, display, shown


def test_a_side_without_unit_on_a_money_field_takes_the_fields_unit() -> None:
    unit = _numeric_unit("three_public/reception/actual")
    assert unit == "万元"
    assert shown({"value": 0.13, "raw": "0.13"}, unit) == "0.13 万元"
    assert _numeric_unit("indicators/0/target") is None  # text targets have no unit
    assert _numeric_unit("no such/path!") is None


def test_values_with_comparators_rates_and_originals() -> None:
    assert shown({"value": 95, "unit": "%", "comparator": "≥", "raw": "≥95%"}) == "≥95.00%"
    assert shown({"value": 12.5, "unit": "万元", "direction": "下降", "raw": "12.5"}) == (
        "↓12.50 万元"
    )
    yuan = {"value": 0.13, "unit": "万元", "original_unit": "元", "raw": "1,300元"}
    assert shown(yuan) == "0.13 万元（原文 1,300元）"
    assert shown({"value": 87.5, "unit": "分", "raw": "87.5"}) == "87.5 分"
    assert shown({"value": "≥90%", "raw": "≥90%"}) == "≥90%"
    assert display({"value": -1234567.891, "unit": "万元", "raw": "x"}) == "-1,234,567.89"
    assert display({"value": None, "low": 80, "high": 90, "unit": "%", "raw": "80-90%"}) == (
        "80.00–90.00"
    )


def test_the_findings_sheet_writes_sides_in_one_unit() -> None:
    yuan = {"value": 0.13, "unit": "万元", "original_unit": "元", "raw": "1,300元"}
    assert _side(yuan) == "0.13 万元（原文 1,300元）"
    assert _side({"value": 0.11, "unit": "万元", "raw": "0.11万元"}) == "0.11 万元"
    assert _side({"value": "提升", "raw": "提升"}) == "提升"
