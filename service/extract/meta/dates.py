"""Dates as reports write them: in digits (2024年4月2日) or in Chinese numerals
(二〇二三年三月十五日)."""

from __future__ import annotations

import datetime as dt
import re

from service.records.numbers import find_date

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0}
_CN_DATE = re.compile(
    r"([〇○零O一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)


# A year in digits or in Chinese numerals (二〇二三, 二零二三, 二○二三): a regex fragment,
# and its value.
CN_YEAR = r"二\s*[〇○零O0]\s*[〇○零O0一二三四五六七八九]\s*[〇○零O0一二三四五六七八九]"
YEAR_NUM = rf"(?:20\d{{2}}|{CN_YEAR})"


def year_value(text: str) -> int:
    """The year ``text`` (a match of ``YEAR_NUM``) writes: 2023 for 2023 and 二〇二三."""
    digits = re.sub(r"\s+", "", text)
    if digits.isdigit():
        return int(digits)
    return int("".join(str(_CN_DIGITS.get(c, 0)) for c in digits.replace("0", "〇")))


def _cn_small(s: str) -> int:
    """一..三十一 as an int (十 alone is ten, 二十三 is twenty-three)."""
    if "十" not in s:
        return _CN_DIGITS[s]
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def find_any_date(text: str) -> tuple[dt.date, int, int] | None:
    """The first date in ``text``, in digits or in Chinese numerals (二〇二三年三月十五日),
    with its offsets. (numbers.find_date reads digits only.)"""
    found = [d for d in (find_date(text), _find_cn_date(text)) if d is not None]
    return min(found, key=lambda d: d[1]) if found else None


def _find_cn_date(text: str) -> tuple[dt.date, int, int] | None:
    m = _CN_DATE.search(text)
    if not m:
        return None
    year = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
    try:
        return dt.date(year, _cn_small(m.group(2)), _cn_small(m.group(3))), m.start(), m.end()
    except (ValueError, KeyError):
        return None
