"""The one formatting helper: figures as finance staff read them."""

import pytest

from service.records.figures import (
    XLSX_COUNT,
    XLSX_MONEY,
    XLSX_PERCENT,
    convert,
    figure,
    in_unit,
    integer,
    money,
    percent,
    points,
    two,
    with_unit,
    xlsx_format,
)
from service.records.numbers import parse_money


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0.00 万元"),
        (0.0, "0.00 万元"),
        (-0.001, "0.00 万元"),  # no '-0.00'
        (1234.5, "1,234.50 万元"),
        (-1234.5, "-1,234.50 万元"),
        (0.125, "0.13 万元"),  # half up as written, not the float's 0.12
        (2093.0471, "2,093.05 万元"),
        (123456789.994, "123,456,789.99 万元"),
        (1e12, "1,000,000,000,000.00 万元"),
        (53.5, "53.50 万元"),
    ],
)
def test_money_has_separators_two_decimals_and_its_unit(value: float, text: str) -> None:
    assert money(value) == text


def test_money_in_yuan_and_missing_values() -> None:
    assert money(1300, "元") == "1,300.00 元"
    assert money(None) == ""
    assert percent(None) == "" and points(None) == ""


def test_rates_scores_and_counts_keep_their_units() -> None:
    assert percent(95) == "95.00%" and percent(-12.345) == "-12.35%"
    assert points(87.5) == "87.5 分" and points(90) == "90 分" and points(9.999) == "10 分"
    assert integer(1234) == "1,234" and integer(12.0) == "12"
    assert with_unit(1200, "人") == "1,200 人"
    assert with_unit(98.5, "%") == "98.50%"
    assert with_unit(7, None) == "7" and with_unit(2023, None) == "2023"  # a year
    assert two(-0.005) == "-0.01"


def test_yuan_to_wan_yuan() -> None:
    assert convert(1300, "元") == 0.13
    assert convert(0.13, "万元", "元") == 1300
    assert convert(2, "亿元") == 20000
    assert convert(-2500, "千元") == -250


def test_a_converted_amount_keeps_the_text_as_stated_beside_it() -> None:
    q = parse_money("1,300元")
    assert q is not None and q.value == 0.13 and q.original_unit == "元"
    node = {"value": q.value, "unit": q.unit, "original_unit": "元", "raw": "1,300元"}
    fig = figure(node)
    assert fig is not None
    assert (fig.text, fig.original) == ("0.13 万元", "1,300元")
    assert str(fig) == "0.13 万元（原文 1,300元）"


def test_the_original_is_rebuilt_when_the_raw_text_lacks_the_unit() -> None:
    fig = figure({"value": 0.13, "unit": "万元", "original_unit": "元", "raw": "1300"})
    assert fig is not None and fig.original == "1,300.00 元"


def test_a_value_without_unit_takes_the_fields_unit() -> None:
    fig = figure({"value": 842.1, "unit": None, "raw": "842.1"}, "万元")
    assert fig is not None and str(fig) == "842.10 万元"
    assert figure({"value": "≥95%", "raw": "≥95%"}) is None  # text targets stay text
    assert figure({"value": True, "raw": "是"}) is None


def test_a_finding_shows_both_sides_in_one_unit_with_the_originals() -> None:
    wan = {"value": 0.11, "unit": "万元", "raw": "0.11万元"}
    yuan = {"value": 0.13, "unit": "万元", "original_unit": "元", "raw": "1,300元"}
    assert str(in_unit(wan, "万元")) == "0.11 万元"
    assert str(in_unit(yuan, "万元")) == "0.13 万元（原文 1,300元）"
    a = in_unit(wan, "元")
    assert a is not None and (a.text, a.original) == ("1,100.00 元", "0.11万元")


def test_spreadsheet_formats_by_unit() -> None:
    assert xlsx_format({"万元"}) == XLSX_MONEY == "#,##0.00"
    assert xlsx_format({"%"}) == XLSX_PERCENT
    assert xlsx_format({"人"}) == XLSX_COUNT
    assert xlsx_format({"万元", "%"}) is None  # a mixed column keeps its unit column
    assert xlsx_format(set()) is None
