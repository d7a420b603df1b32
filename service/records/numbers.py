"""Parsing numbers as Chinese reports write them into typed quantities.

Owns: number, unit, comparator, direction, range and date parsing, and money
normalisation to 万元. Pure functions over strings; knows nothing of documents or spans
beyond the offsets it returns. Input is expected NFKC-normalised (as ``Document.text`` is);
the functions normalise again so raw strings work too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from service.memo import memo

# Money units and their factor to 万元 (ten-thousand yuan).
MONEY_FACTORS: dict[str, Decimal] = {
    "万元": Decimal(1),
    "万": Decimal(1),
    "亿元": Decimal(10000),
    "千元": Decimal("0.1"),
    "元": Decimal("0.0001"),
}
MONEY_UNIT = "万元"
PERCENT = "%"

# Count units seen in the narrative; longest first so 人次 wins over 人.
COUNT_UNITS = sorted(
    [
        "个百分点",
        "人次",
        "人",
        "名",
        "件",
        "个",
        "家",
        "份",
        "本",
        "部",
        "批",
        "次",
        "项",
        "处",
        "类",
        "户",
        "条",
        "台",
        "辆",
        "名",
        "座",
        "吨",
        "亩",
        "平方米",
        "㎡",
        "m²",
        "公里",
        "千米",
        "米",
        "场",
        "期",
        "篇",
        "起",
        "宗",
        "所",
        "间",
        "套",
        "张",
        "万人次",
        "分",
        "天",
        "小时",
        "个月",
        "周",
        "头",
        "只",
        "羽",
        "株",
        "棵",
        "公顷",
        "千克",
        "公斤",
        "立方米",
        "平方公里",
        "千瓦",
        "盏",
        "册",
        "栋",
        "艘",
        "架",
        "班次",
        "车次",
        "户次",
        # archives and casework: 页, 卷, 例, 批次 (not cut to 批), 件次, 例次
        "页",
        "卷",
        "例",
        "例次",
        "批次",
        "件次",
        "剂次",
        "场次",
        "期次",
        "台次",
        "架次",
        "课时",
        "学时",
    ],
    key=len,
    reverse=True,
)

NONE_MARKERS = {"", "-", "--", "—", "——", "/", "无", "不适用", "n/a", "N/A", "\\"}

_INCREASE = ("增长", "增加", "上升", "提高", "提升", "增", "上涨")
_DECREASE = ("下降", "减少", "降低", "下降了", "减", "回落", "节约")
DIRECTION_WORDS = {w: "增长" for w in _INCREASE} | {w: "下降" for w in _DECREASE}

# Comparators written before a number (normalised form on the right).
PREFIX_COMPARATORS = {
    ">=": "≥",
    "≥": "≥",
    "不低于": "≥",
    "不少于": "≥",
    "大于等于": "≥",
    "至少": "≥",
    "<=": "≤",
    "≤": "≤",
    "不高于": "≤",
    "不超过": "≤",
    "小于等于": "≤",
    "控制在": "≤",
    ">": ">",
    "超过": ">",
    "大于": ">",
    "逾": ">",
    "<": "<",
    "小于": "<",
    "低于": "<",
    "约": "约",
    "大约": "约",
    "近": "近",
    "将近": "近",
    "接近": "近",
}
# Qualifiers written after a number or between number and unit.
SUFFIX_COMPARATORS = {
    "以上": "以上",
    "及以上": "以上",
    "以下": "以下",
    "以内": "以内",
    "左右": "约",
    "余": "余",
    "多": "余",
}

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

# Thousands grouped by commas, or by single spaces as some PDF exporters write them
# (“2 031.07”): spaced groups only before decimals, so “10 100%” (two cells run together)
# and “2023 100” stay two numbers.
_NUM = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u2009\u202f]\d{3})+(?=\.\d)|\d+)(?:\.\d+)?"
_NUMBER_RE = re.compile(rf"^\s*({_NUM})\s*$")
_PREFIX_RE = "|".join(sorted(map(re.escape, PREFIX_COMPARATORS), key=len, reverse=True))
_SUFFIX_RE = "|".join(sorted(map(re.escape, SUFFIX_COMPARATORS), key=len, reverse=True))
_MONEY_RE = "|".join(sorted(map(re.escape, MONEY_FACTORS), key=len, reverse=True))
_COUNT_RE = "|".join(map(re.escape, COUNT_UNITS))
_DIR_RE = "|".join(sorted(map(re.escape, DIRECTION_WORDS), key=len, reverse=True))
_RANGE_SEP = r"\s*(?:-|~|～|—|至|到)\s*"

# One quantity: [direction][了][comparator] number [range] [余/多] [unit] [以上…]
QUANTITY_RE = re.compile(
    rf"(?:(?P<dir>{_DIR_RE})了?\s*)?"
    rf"(?:(?P<pre>{_PREFIX_RE})\s*)?"
    rf"(?P<num>{_NUM})"
    rf"(?:\s*(?P<pct1>%))?"
    rf"(?:{_RANGE_SEP}(?P<num2>{_NUM}))?"
    rf"\s*(?P<approx>余|多)?"
    rf"\s*(?P<unit>%|‰|{_COUNT_RE}|{_MONEY_RE})?"
    rf"(?P<post>{_SUFFIX_RE})?"
)
_CJK_UNIT = re.compile(r"^(?![年月日号时点度])[\u4e00-\u9fff]{1,3}$")
_DATE_RE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity. ``start``/``end`` are offsets in the parsed string."""

    value: float | int | None
    unit: str | None = None
    comparator: str | None = None
    direction: str | None = None
    original_unit: str | None = None
    low: float | None = None
    high: float | None = None
    precision: float | None = None
    start: int = 0
    end: int = 0

    @property
    def is_money(self) -> bool:
        return self.unit == MONEY_UNIT

    def value_fields(self) -> dict[str, object]:
        """What a ``Value`` takes from the quantity (all but its offsets)."""
        return {
            "value": self.value,
            "unit": self.unit,
            "comparator": self.comparator,
            "direction": self.direction,
            "original_unit": self.original_unit,
            "low": self.low,
            "high": self.high,
            "precision": self.precision,
        }


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def is_blank(text: str | None) -> bool:
    """True for the ways a report writes 'nothing here': blank, '——', '-', '/', '无'."""
    return text is None or normalize(text).strip().strip("\u3000 ") in NONE_MARKERS


_NUMBER_SPACES = re.compile(r"[\s\u2009\u202f]")


def _decimal(text: str) -> Decimal | None:
    cleaned = normalize(text).replace(",", "").replace("−", "-")
    cleaned = _NUMBER_SPACES.sub("", cleaned)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _to_python(d: Decimal) -> float | int:
    if d == d.to_integral_value() and d.as_tuple().exponent >= 0:
        return int(d)
    return float(d)


def _precision(d: Decimal, factor: Decimal = Decimal(1)) -> float:
    return _step(min(int(d.as_tuple().exponent), 0), factor)


@memo(256)
def _step(exponent: int, factor: Decimal) -> float:
    """The unit of a last digit at ``exponent``, times ``factor``: a report writes its
    figures to a handful of digits and units, and every figure read asks."""
    return float(Decimal(1).scaleb(exponent) * factor)


def parse_chinese_integer(text: str) -> int | None:
    """Small Chinese numerals: 三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


def parse_number(text: str | None) -> float | int | None:
    """A bare number: '1,112.51' → 1112.51, '76' → 76, '－3' → -3, '——' → None."""
    if is_blank(text):
        return None
    assert text is not None
    m = _NUMBER_RE.match(normalize(text).strip("\u3000 "))
    if not m:
        return parse_chinese_integer(normalize(text).strip())
    d = _decimal(m.group(1))
    return None if d is None else _to_python(d)


def _scale(d: Decimal, factor: Decimal) -> Decimal:
    return (d * factor).normalize() if factor != 1 else d


def _build(m: re.Match[str], default_unit: str | None) -> Quantity | None:
    num, unit, pct1, pre, approx, post, dir_word, num2 = m.group(
        "num", "unit", "pct1", "pre", "approx", "post", "dir", "num2"
    )
    d = _decimal(num)
    if d is None:
        return None
    unit = unit or ("%" if pct1 else None) or default_unit
    original_unit = None
    factor = Decimal(1)
    if unit in MONEY_FACTORS:
        factor = MONEY_FACTORS[unit]
        if unit != MONEY_UNIT:
            original_unit = unit
        unit = MONEY_UNIT
    comparator = PREFIX_COMPARATORS.get(pre or "")
    if approx:
        comparator = comparator or "余"
    if post:
        comparator = comparator or SUFFIX_COMPARATORS[post]
    direction = DIRECTION_WORDS.get(dir_word or "")
    precision = _precision(d, factor)
    low = high = None
    value: float | int | None = _to_python(_scale(d, factor))
    if num2:
        d2 = _decimal(num2)
        if d2 is not None:
            low, high = float(_scale(d, factor)), float(_scale(d2, factor))
            value, comparator = None, comparator or "range"
    if isinstance(value, float) and factor != 1:
        value = round(value, 10)
    return Quantity(
        value=value,
        unit=unit,
        comparator=comparator,
        direction=direction,
        original_unit=original_unit,
        low=low,
        high=high,
        precision=precision,
        start=m.start(),
        end=m.end(),
    )


def parse_quantity(text: str | None, default_unit: str | None = None) -> Quantity | None:
    """A whole cell or phrase as one quantity: '≥95%', '10分', '2093.0471万', '270余万元',
    '约715个', '下降28.67%', '80-90%', '-157.36'. None when blank or not numeric
    (e.g. 'II类', '提升'). ``default_unit`` applies when the text has no unit (a table
    whose header says 万元)."""
    if text is not None and len(text) <= _MEMO_CHARS:
        return _parse_short(text, default_unit)
    return _parse_quantity(text, default_unit)


# A table asks for the same few cells (“——”, “100%”, a total) over and over, in each of
# its readers: a short text's parse is kept (a ``Quantity`` is frozen, so sharing is safe).
_MEMO_CHARS = 40


@memo(4096)
def _parse_short(text: str, default_unit: str | None) -> Quantity | None:
    return _parse_quantity(text, default_unit)


def _parse_quantity(text: str | None, default_unit: str | None) -> Quantity | None:
    if is_blank(text):
        return None
    assert text is not None
    s = normalize(text).strip("\u3000 \t\n")
    m = QUANTITY_RE.search(s)
    if not m:
        return None
    prefix, rest = s[: m.start()].strip(), s[m.end() :].strip()
    if prefix not in ("", "达", "达到", "为", "共"):
        return None
    if rest not in ("", "之内", "内"):
        # A unit the list does not know (“483070头”): up to three CJK characters after a
        # bare number; a cell such as '2024年12月31日之前' or 'II类' stays text.
        if m.group("unit") or m.group("pct1") or not _CJK_UNIT.match(rest):
            return None
        q = _build(m, None)
        return None if q is None else replace(q, unit=rest, end=len(s))
    return _build(m, default_unit)


def find_quantities(text: str, default_unit: str | None = None) -> list[Quantity]:
    """Every quantity with a unit in running text, with offsets; years (2021年), dates
    (3月18日) and bare numbers without a unit are skipped."""
    out: list[Quantity] = []
    for m in QUANTITY_RE.finditer(text):
        if not (m.group("unit") or m.group("pct1")) and default_unit is None:
            continue
        after = text[m.end() : m.end() + 1]
        if after in ("年", "月", "日", "号", "周", "季", "时", "点", ".", "-", "/"):
            continue
        if _part_of_word(text, m):
            continue
        q = _build(m, default_unit)
        if q is not None:
            out.append(q)
    return out


def _part_of_word(text: str, m: re.Match[str]) -> bool:
    """Digits glued to Latin letters (VOCs2, PM2.5) are names, not quantities."""
    before = text[m.start() - 1 : m.start()] if m.start() else ""
    return before.isascii() and before.isalpha()


def parse_percent(text: str | None) -> Quantity | None:
    q = parse_quantity(text)
    return q if q is not None and q.unit in ("%", "‰") else None


def parse_money(text: str | None, default_unit: str = MONEY_UNIT) -> Quantity | None:
    """A money amount normalised to 万元; a bare number takes ``default_unit``."""
    q = parse_quantity(text, default_unit=default_unit)
    if q is None:
        return None
    if q.unit is None:
        return replace(q, unit=MONEY_UNIT)
    return q if q.unit == MONEY_UNIT else None


def parse_date(text: str | None) -> dt.date | None:
    """'2025 年 3 月 18 日' / '2025-03-18' / '2025.3.18' → date."""
    if is_blank(text):
        return None
    assert text is not None
    m = _DATE_RE.search(normalize(text))
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def find_date(text: str) -> tuple[dt.date, int, int] | None:
    """The first date in ``text`` with its offsets."""
    m = _DATE_RE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.start(), m.end()
    except ValueError:
        return None


def half_unit(precision: float | None) -> float:
    """Half the unit of the last stated digit: the rounding error a stated figure carries."""
    return 0.0 if precision is None else precision / 2


# Money in 万元 is reported to 0.01 (one hundred yuan): “53.5” means 53.50, so a figure
# never carries more rounding than that, whatever digits it shows.
MONEY_REPORTING_PRECISION = 0.01


def rounding_tolerance(value: float | None, unit: str | None, precision: float | None) -> float:
    """The rounding a stated figure may carry: half the unit of its last stated digit,
    capped at half of 0.01 万元 for money; a stated zero is exact (nothing was spent), and
    so are points (分: scores and weights are awarded, not measured)."""
    if value == 0 or unit == "分":
        return 0.0
    if unit == MONEY_UNIT:
        precision = min(precision or MONEY_REPORTING_PRECISION, MONEY_REPORTING_PRECISION)
    return half_unit(precision)
