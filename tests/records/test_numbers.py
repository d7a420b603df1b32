"""Number parsing: units, money normalisation to 万元, qualifiers, directions, ranges,
blanks, dates and the rounding tolerance."""

from __future__ import annotations

import datetime as dt

import pytest

from service.records.numbers import (
    find_date,
    find_quantities,
    is_blank,
    parse_chinese_integer,
    parse_date,
    parse_money,
    parse_number,
    parse_percent,
    parse_quantity,
    rounding_tolerance,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("76", 76),
        ("1112.51", 1112.51),
        ("1,112.51", 1112.51),
        ("12,345,678", 12345678),
        ("１１１２．５１", 1112.51),  # full-width digits and point
        ("-157.36", -157.36),
        ("−3", -3),
        ("　76", 76),  # full-width space around a cell value
        ("76　", 76),
        ("三", 3),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    got = parse_number(text)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize("text", ["", "  ", "——", "—", "-", "--", "/", "无", "　", None])
def test_blanks_are_none_not_zero(text: str | None) -> None:
    assert is_blank(text)
    assert parse_number(text) is None
    assert parse_quantity(text) is None


def test_zero_is_a_value() -> None:
    assert not is_blank("0")
    q = parse_quantity("0万元")
    assert q is not None and q.value == 0 and q.unit == "万元"


@pytest.mark.parametrize(
    ("text", "value", "unit", "original_unit", "precision"),
    [
        ("1059.01万元", 1059.01, "万元", None, 0.01),
        ("2093.0471万", 2093.0471, "万元", "万", 0.0001),
        ("870元", 0.087, "万元", "元", 0.0001),
        ("16412600元", 1641.26, "万元", "元", 0.0001),
        ("1.2亿元", 12000, "万元", "亿元", 1000.0),
        ("35千元", 3.5, "万元", "千元", 0.1),
        ("３.04万元", 3.04, "万元", None, 0.01),
        ("1,234.5 万元", 1234.5, "万元", None, 0.1),
    ],
)
def test_money_is_normalised_to_wanyuan(
    text: str, value: float, unit: str, original_unit: str | None, precision: float
) -> None:
    q = parse_money(text)
    assert q is not None
    assert q.value == pytest.approx(value)
    assert (q.unit, q.original_unit) == (unit, original_unit)
    assert q.precision == pytest.approx(precision)


def test_bare_number_takes_the_default_unit() -> None:
    q = parse_quantity("871.44", default_unit="万元")
    assert q is not None and (q.value, q.unit) == (871.44, "万元")
    q = parse_quantity("8714400", default_unit="元")
    assert q is not None and q.value == pytest.approx(871.44) and q.original_unit == "元"
    assert parse_money("45个") is None  # not money


@pytest.mark.parametrize(
    ("text", "value", "unit", "comparator"),
    [
        ("≥95%", 95, "%", "≥"),
        ("≤98%", 98, "%", "≤"),
        (">=90%", 90, "%", "≥"),
        ("不低于90%", 90, "%", "≥"),
        ("95%以上", 95, "%", "以上"),
        ("约715个", 715, "个", "约"),
        ("近300人", 300, "人", "近"),
        ("270 余万元", 270, "万元", "余"),
        ("52余件", 52, "件", "余"),
        ("260多份", 260, "份", "余"),
        ("1000余人次", 1000, "人次", "余"),
        ("≤3157.85万元", 3157.85, "万元", "≤"),
        ("10分", 10, "分", None),
        ("45个", 45, "个", None),
        ("483070头", 483070, "头", None),  # a unit the list does not know
        ("100.00%", 100.0, "%", None),
    ],
)
def test_qualifiers_and_units(text: str, value: float, unit: str, comparator: str | None) -> None:
    q = parse_quantity(text)
    assert q is not None
    assert (q.value, q.unit, q.comparator) == (value, unit, comparator)


@pytest.mark.parametrize(
    ("text", "value", "direction", "unit"),
    [
        ("下降28.67%", 28.67, "下降", "%"),
        ("下降了12.6%", 12.6, "下降", "%"),
        ("增长103.3%", 103.3, "增长", "%"),
        ("上升 4.46%", 4.46, "增长", "%"),
        ("减少1.22万元", 1.22, "下降", "万元"),
        ("增加 0.21 万元", 0.21, "增长", "万元"),
    ],
)
def test_signed_changes(text: str, value: float, direction: str, unit: str) -> None:
    q = parse_quantity(text)
    assert q is not None
    assert (q.value, q.direction, q.unit) == (value, direction, unit)


def test_ranges() -> None:
    q = parse_quantity("80-90%")
    assert q is not None
    assert (q.value, q.low, q.high, q.unit, q.comparator) == (None, 80, 90, "%", "range")
    q = parse_quantity("3至5个")
    assert q is not None and (q.low, q.high, q.unit) == (3, 5, "个")
    q = parse_quantity("10～20万元")
    assert q is not None and (q.low, q.high, q.unit) == (10, 20, "万元")


@pytest.mark.parametrize("text", ["II类", "提升", "保持稳定", "2024年12月31日之前", "有效提升"])
def test_text_cells_are_not_quantities(text: str) -> None:
    assert parse_quantity(text) is None


def test_percent_helper() -> None:
    q = parse_percent("99.54%")
    assert q is not None and q.value == 99.54
    assert parse_percent("99.54万元") is None


def test_find_quantities_in_prose_skips_dates_and_names() -> None:
    text = "2021年12月31日，办理行政处罚案件157件（去年135件），处罚金额2093.0471万，VOCs2 排查，同比增长16.3%。"
    found = [(q.value, q.unit, q.direction) for q in find_quantities(text)]
    assert found == [
        (157, "件", None),
        (135, "件", None),
        (2093.0471, "万元", None),
        (16.3, "%", "增长"),
    ]
    for q in find_quantities(text):
        assert text[q.start : q.end].strip()  # offsets point at the figure


def test_find_quantities_offsets_cover_the_figure() -> None:
    text = "共抽查企业 270 家，出动执法人员 1000 余人次"
    qs = find_quantities(text)
    assert [text[q.start : q.end] for q in qs] == ["270 家", "1000 余人次"]


def test_dates() -> None:
    assert parse_date("报告日期： 2025 年 3 月 18 日") == dt.date(2025, 3, 18)
    assert parse_date("2025-03-18") == dt.date(2025, 3, 18)
    assert parse_date("2025.3.8") == dt.date(2025, 3, 8)
    assert parse_date("2025年13月1日") is None
    assert parse_date("——") is None
    found = find_date("日期：2023年2月23日。")
    assert found is not None and found[0] == dt.date(2023, 2, 23)


def test_chinese_integers() -> None:
    assert parse_chinese_integer("五") == 5
    assert parse_chinese_integer("十") == 10
    assert parse_chinese_integer("三百二十一") == 321
    assert parse_chinese_integer("abc") is None


@pytest.mark.parametrize(
    ("value", "unit", "precision", "expected"),
    [
        (1059.01, "万元", 0.01, 0.005),
        (53.5, "万元", 0.1, 0.005),  # money is reported to 0.01 万元: 53.5 means 53.50
        (10, "万元", 1.0, 0.005),
        (2093.0471, "万元", 0.0001, 0.00005),
        (0, "万元", 1.0, 0.0),  # a stated zero is exact
        (28.67, "%", 0.01, 0.005),
        (95, "%", 1.0, 0.5),
        (5, "分", 1.0, 0.0),  # points are exact
    ],
)
def test_rounding_tolerance(value: float, unit: str, precision: float, expected: float) -> None:
    assert rounding_tolerance(value, unit, precision) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("2 031.07万元", 2031.07, "万元"),  # thousands grouped by a space (PDF exporters)
        ("1 234 567.80元", 123.45678, "万元"),
        ("2\u2009031.07 万元", 2031.07, "万元"),  # thin space
        ("增长 6.2 %", 6.2, "%"),
    ],
)
def test_spaced_thousands_and_units(text: str, value: float, unit: str) -> None:
    q = parse_quantity(text)
    assert q is not None
    assert q.value == pytest.approx(value)
    assert q.unit == unit


def test_spaced_groups_need_decimals_so_two_cells_stay_two_numbers() -> None:
    # “10 100%” is a weight and a rate run together, “2023 100万元” a year and an amount.
    assert [q.value for q in find_quantities("分值 10 100%")] == [100]
    assert [q.value for q in find_quantities("2023 100万元")] == [100]
    assert parse_number("1 234") is None
