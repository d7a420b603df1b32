"""Figures as finance staff read them: the one formatting helper of pages and exports.

Owns how a number is written for people (thousands separators, two decimals for money, the
unit shown, the text as stated beside a converted amount) and the spreadsheet number format
of a unit. Pure functions over numbers and ``Value`` dicts; the review page, the documents
list, the findings and the XLSX export all format through here.

Money is stored in 万元 (``service.records.numbers``); an amount stated in 元 keeps its
text in ``raw`` and its unit in ``original_unit``, and is shown converted with the text as
stated beside it: ``0.13 万元（原文 1,300元）``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from service.records.numbers import MONEY_FACTORS, MONEY_UNIT

CENT = Decimal("0.01")
MONEY_UNITS = frozenset(MONEY_FACTORS)
PERCENT_UNITS = frozenset({"%", "‰"})
SCORE_UNIT = "分"

# spreadsheet number formats (rates are stored as written: 95 for 95 %)
XLSX_MONEY = "#,##0.00"
XLSX_PERCENT = '0.00"%"'
XLSX_COUNT = "#,##0"
XLSX_SCORE = "0.0#"


def _decimal(value: float | int | Decimal) -> Decimal:
    # repr, not the binary float: 0.125 rounds to 0.13 as written, not to 0.12
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def two(value: float | int | Decimal) -> str:
    """Two decimals rounded half up, with thousands separators: -1234.5 → '-1,234.50'."""
    text = f"{_decimal(value).quantize(CENT, ROUND_HALF_UP):,}"
    return "0.00" if text == "-0.00" else text


def trimmed(value: float | int) -> str:
    """At most two decimals, trailing zeros dropped, separators kept: 87.50 → '87.5'."""
    text = two(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def integer(value: float | int) -> str:
    """A count as a whole number with separators: 1234 → '1,234' (a fraction keeps it)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return trimmed(value)


def money(value: float | int | None, unit: str = MONEY_UNIT) -> str:
    """1234.5 → '1,234.50 万元' (two decimals, thousands separators, the unit shown)."""
    return "" if value is None else f"{two(value)} {unit}"


def percent(value: float | int | None, unit: str = "%") -> str:
    """A rate as written: 95 → '95.00%'."""
    return "" if value is None else f"{two(value)}{unit}"


def points(value: float | int | None, unit: str = SCORE_UNIT) -> str:
    """A score to at most two decimals: 87.5 → '87.5 分', 90 → '90 分'."""
    return "" if value is None else f"{trimmed(value)} {unit}"


def convert(value: float | int, unit: str, to: str = MONEY_UNIT) -> float:
    """A money amount from one unit to another: 1300 元 → 0.13 万元."""
    factor = MONEY_FACTORS[unit] / MONEY_FACTORS[to]
    return float((_decimal(value) * factor).normalize())


def number(value: Any, unit: str | None) -> str:
    """A number in its unit as people write it (no unit text)."""
    if unit in MONEY_UNITS:
        return two(value)
    if unit in PERCENT_UNITS:
        return two(value)
    if unit == SCORE_UNIT:
        return trimmed(value)
    if not unit:  # a year, a code-like number: no separators (2023, not 2,023)
        return trimmed(value).replace(",", "")
    if isinstance(value, int) or float(value).is_integer():
        return integer(value)
    return trimmed(value)


def with_unit(value: Any, unit: str | None) -> str:
    """'1,234.50 万元', '95.00%', '87.5 分', '1,200 人'; a bare number when unitless."""
    text = number(value, unit)
    if not unit:
        return text
    return f"{text}{unit}" if unit in PERCENT_UNITS else f"{text} {unit}"


@dataclass(frozen=True)
class Figure:
    """A value as shown: ``text`` in its (converted) unit, ``original`` the text as stated
    when the unit was converted (else '')."""

    text: str
    original: str = ""

    def __str__(self) -> str:
        return f"{self.text}（原文 {self.original}）" if self.original else self.text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def figure(node: Any, unit: str | None = None) -> Figure | None:
    """A ``Value`` dict as finance staff read it, or None when it holds no single number.
    ``unit`` is the field's unit, used when the value carries none."""
    if not isinstance(node, dict) or not _is_number(node.get("value")):
        return None
    shown_unit = node.get("unit") or unit
    text = with_unit(node["value"], shown_unit)
    original_unit = node.get("original_unit")
    original = ""
    if original_unit and original_unit != shown_unit:
        raw = str(node.get("raw") or "").strip()
        original = raw if raw and original_unit in raw else raw_in(node, original_unit)
    return Figure(text, original)


def raw_in(node: dict[str, Any], unit: str) -> str:
    """The amount back in the unit it was stated in, when its text is not at hand."""
    if node.get("unit") in MONEY_UNITS and unit in MONEY_UNITS:
        return with_unit(convert(node["value"], node["unit"], unit), unit)
    return ""


def in_unit(node: dict[str, Any], unit: str) -> Figure | None:
    """A money ``Value`` shown in ``unit`` (the finding's common unit), the stated text
    beside it whenever that differs: 1300 元 in 万元 → '0.13 万元（原文 1,300元）'."""
    if not _is_number(node.get("value")) or node.get("unit") not in MONEY_UNITS:
        return figure(node)
    amount = convert(node["value"], node["unit"], unit)
    stated = node.get("original_unit") or node["unit"]
    original = ""
    if stated != unit:
        raw = str(node.get("raw") or "").strip()
        original = raw if raw and stated in raw else with_unit(node["value"], node["unit"])
    return Figure(with_unit(amount, unit), original)


def xlsx_format(units: set[str] | frozenset[str], kind: str | None = None) -> str | None:
    """The spreadsheet number format of a column with ``units`` (one unit, else None)."""
    if len(units) != 1:
        return XLSX_COUNT if kind == "count" and not units else None
    (unit,) = units
    if unit in MONEY_UNITS:
        return XLSX_MONEY
    if unit in PERCENT_UNITS:
        return XLSX_PERCENT if unit == "%" else '0.00"‰"'
    if unit == SCORE_UNIT:
        return XLSX_SCORE
    return XLSX_COUNT
