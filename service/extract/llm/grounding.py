"""Grounding: find where an LLM's quote stands in ``Document.text``, and check its value.

Owns: aligning a quote to a character span (exact first, then normalised — NFKC, full/half
width, whitespace, dash and quote-mark variants — mapping the match back to offsets of the
original text), and locating a returned value inside its quote. A quote that cannot be
aligned, or whose text does not contain the value, makes the value *ungrounded*: the caller
keeps it, marks its source ``grounded=False`` and raises a finding. Pure functions over
strings; must not call the model, the database or the web.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from service.records.numbers import MONEY_FACTORS, QUANTITY_RE, Quantity, parse_quantity

Method = Literal["exact", "normalized"]

_CELL_SEP = re.compile(r"[^\t\n\f]+")

# Variants models (and OCR) swap freely; mapped to one form before comparing.
_FOLD = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "－": "-",
        "―": "-",
        "−": "-",
        "～": "~",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "「": '"',
        "」": '"',
        "〔": "(",
        "〕": ")",
        "【": "[",
        "】": "]",
        "。": ".",
        "、": ",",
    }
)


def fold(text: str) -> str:
    """The comparison form: NFKC, variants folded, all whitespace removed."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    # "|" separates cells in the table grids the model is shown; the document has tabs.
    return "".join(ch for ch in folded if not ch.isspace() and ch != "|")


@dataclass(frozen=True)
class Alignment:
    start: int
    end: int
    method: Method


class FoldedText:
    """A document text with its folded form and the map back to original offsets.

    Built once per document: every quote of the extraction is aligned against it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        chars: list[str] = []
        origin: list[int] = []  # original offset of each folded character
        for i, ch in enumerate(text):
            for out in fold(ch):
                chars.append(out)
                origin.append(i)
        self.folded = "".join(chars)
        self._origin = origin

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self._origin[start], self._origin[end - 1] + 1

    def to_folded(self, offset: int) -> int:
        """The first folded index at or after original ``offset``."""
        return bisect.bisect_left(self._origin, offset)

    @cached_property
    def length(self) -> int:
        return len(self.text)


def _occurrences(haystack: str, needle: str, lo: int, hi: int) -> list[int]:
    out: list[int] = []
    i = haystack.find(needle, lo, hi)
    while i != -1:
        out.append(i)
        i = haystack.find(needle, i + 1, hi)
    return out


def _closest(positions: list[int], near: int | None) -> int:
    if near is None:
        return positions[0]
    return min(positions, key=lambda p: (abs(p - near), p))


def align_quote(
    doc: FoldedText,
    quote: str,
    window: tuple[int, int] | None = None,
    near: int | None = None,
) -> Alignment | None:
    """The span of ``quote`` in the text, searched inside ``window`` (original offsets) and,
    among several occurrences, the one closest to ``near``. None when it is not there."""
    if not quote or not quote.strip():
        return None
    lo, hi = window or (0, doc.length)
    needle = quote.strip()
    hits = _occurrences(doc.text, needle, lo, hi)
    if hits:
        start = _closest(hits, near)
        return Alignment(start, start + len(needle), "exact")
    folded = fold(quote)
    if not folded:
        return None
    flo, fhi = doc.to_folded(lo), doc.to_folded(hi)
    fhits = _occurrences(doc.folded, folded, flo, fhi)
    if not fhits:
        return None
    fnear = None if near is None else doc.to_folded(near)
    fstart = _closest(fhits, fnear)
    start, end = doc.to_original(fstart, fstart + len(folded))
    return Alignment(start, end, "normalized")


# --- values inside quotes -----------------------------------------------------------------


@dataclass(frozen=True)
class ValueMatch:
    """Where the value stands inside the quote (original offsets) and how it parses."""

    start: int
    end: int
    quantity: Quantity


def _money_factor(unit: str | None) -> float | None:
    if unit is None:
        return None
    factor = MONEY_FACTORS.get(unit.strip())
    return None if factor is None else float(factor)


def _same_number(a: float, b: float) -> bool:
    # The sign is not compared: '减少0.84万元' is 0.84 with a direction to one model and
    # -0.84 to another; the value keeps the text's own reading.
    a, b = abs(a), abs(b)
    return abs(a - b) <= 1e-9 + 1e-6 * max(a, b)


def number_matches(value: float, unit: str | None, q: Quantity) -> bool:
    """Does the quantity read from the text equal the model's ``value`` in ``unit``?

    Money in the text is normalised to 万元; the model may answer in 万元 or in the unit
    as written (元), so both readings are accepted. Without a unit from the model the bare
    number is compared."""
    candidates = [q.value] if q.value is not None else [q.low, q.high]
    factor = _money_factor(unit)
    for found in candidates:
        if found is None:
            continue
        if _same_number(float(found), value):
            return True
        if q.unit == "万元" and factor is not None and _same_number(float(found), value * factor):
            return True
        if q.original_unit is not None and q.unit == "万元":
            as_written = float(found) / float(MONEY_FACTORS[q.original_unit])
            if _same_number(as_written, value):
                return True
    return False


def find_number(
    text: str, start: int, end: int, value: float, unit: str | None = None
) -> ValueMatch | None:
    """The quantity in ``text[start:end]`` equal to ``value``, read with its comparator,
    direction and unit so the raw text parses back to the value. Where the quote holds it
    twice the last one wins: a quoted table row reads '项目支出 | 50.3 | 53.5 | 53.5' with
    this year's final figure in the last column."""
    default = unit if unit and unit.strip() in MONEY_FACTORS else None
    found: ValueMatch | None = None
    # Cell by cell: '15.02\t\t-157.36' is two cells, not the range 15.02-157.36.
    for piece in _CELL_SEP.finditer(text, start, end):
        segment, base = piece.group(), piece.start()
        for m in QUANTITY_RE.finditer(segment):
            raw = segment[m.start() : m.end()].rstrip()
            if not raw or not re.search(r"\d", raw):
                continue
            q = parse_quantity(raw, default_unit=default) or _bare(raw, m)
            if q is not None and number_matches(value, unit, q):
                found = ValueMatch(base + m.start(), base + m.start() + len(raw), q)
    return found


def _bare(raw: str, m: re.Match[str]) -> Quantity | None:
    # parse_quantity refuses text around the number; the number alone still counts.
    return parse_quantity(m.group("num"))


def find_text(doc: FoldedText, start: int, end: int, value: str) -> Alignment | None:
    """A text value (a name, a grade) inside the quote's span."""
    return align_quote(doc, value, window=(start, end))
