"""How a synthetic report writes its figures, and the truth values that go with them.

Owns the hard-case knobs that change how numbers look (元 instead of 万元, full-width
digits, thousands separators, 余/约), their formatting, and ``TruthBuilder``, which records
each field's value with the exact text it was written as (NFKC, as ``Document.text`` has
it), so a label's ``raw`` can always be found in the rendered document.

Money is carried as integer hundredths of 万元 ("cents"; 1 cent = 100 元) so that every
sum adds up exactly.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from service.records import Value

WAN = "万元"
_FULLWIDTH = str.maketrans({**{str(d): chr(0xFF10 + d) for d in range(10)}, ".": "．", "%": "％"})


class Knobs(BaseModel):
    """Hard cases a report can carry; several may be on at once."""

    yuan: bool = Field(False, description="amounts in 元 instead of 万元")
    fullwidth: bool = Field(False, description="full-width digits in the prose")
    thousands: bool = Field(False, description="thousands separators: 1,059.01")
    long_table: bool = Field(False, description="an indicator table longer than a page")
    contradictions: int = Field(
        0, ge=0, le=3, description="prose figures planted against the table"
    )
    approx: bool = Field(False, description="余/约 figures in the narrative")

    def tags(self) -> list[str]:
        """The knobs that are on, for manifests ("yuan", "contradictions=2", …)."""
        out = [
            name
            for name in ("yuan", "fullwidth", "thousands", "long_table", "approx")
            if getattr(self, name)
        ]
        if self.contradictions:
            out.append(f"contradictions={self.contradictions}")
        return out


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _group(integer: str) -> str:
    return f"{int(integer):,}"


class Figures:
    """Formats figures the way one report writes them."""

    def __init__(self, knobs: Knobs) -> None:
        self.knobs = knobs

    @property
    def money_unit(self) -> str:
        return "元" if self.knobs.yuan else WAN

    def number(self, cents: int) -> str:
        """An amount as it stands in a table cell (the unit is in the header)."""
        if self.knobs.yuan:
            yuan = cents * 100
            text = _group(str(yuan)) if self.knobs.thousands else str(yuan)
            return text + ".00" if self.knobs.thousands else text
        d = (Decimal(cents) / 100).normalize()
        text = f"{d:f}"
        if self.knobs.thousands:
            head, _, tail = text.partition(".")
            text = _group(head) + (f".{tail}" if tail else "")
        return text

    def money(self, cents: int) -> str:
        """An amount with its unit, as prose writes it."""
        return self.number(cents) + self.money_unit

    def prose(self, text: str) -> str:
        """A sentence as the report prints it: full-width digits when that knob is on."""
        return text.translate(_FULLWIDTH) if self.knobs.fullwidth else text

    def money_value(self, cents: int, raw: str) -> Value:
        """The truth for an amount written as ``raw`` (a cell or a prose figure)."""
        shown = nfkc(raw)
        digits = shown.replace(",", "").rstrip("万元")
        decimals = len(digits.partition(".")[2])
        step = 10.0**-decimals * (1e-4 if self.knobs.yuan else 1.0)
        return Value(
            value=_num(Decimal(cents) / 100),
            unit=WAN,
            raw=shown,
            original_unit="元" if self.knobs.yuan else None,
            precision=round(step, 10),
        )


def _num(d: Decimal) -> float | int:
    d = d.normalize()
    return int(d) if d == d.to_integral_value() else float(d)


def count_value(
    value: float | int,
    unit: str | None,
    raw: str,
    comparator: str | None = None,
    direction: str | None = None,
) -> Value:
    decimals = len(str(value).partition(".")[2]) if isinstance(value, float) else 0
    return Value(
        value=value,
        unit=unit,
        raw=nfkc(raw),
        comparator=comparator,
        direction=direction,
        precision=10.0**-decimals,
    )


def text_value(text: str) -> Value:
    return Value(value=nfkc(text), raw=nfkc(text))


def percent(x: float) -> str:
    """95 → "95%", 93.7 → "93.7%", 80.04 → "80.04%"."""
    return f"{_num(Decimal(str(round(x, 2))))}%"


class TruthBuilder:
    """Collects the value of each field as the report is written.

    A field written twice keeps the mention with the higher ``priority`` (tables 2, prose
    1), the first one among equals: that is where a reader should take it from. A planted
    contradiction is always written in the losing mention.
    """

    def __init__(self) -> None:
        self._fields: dict[str, tuple[int, Value]] = {}
        self.mentions: dict[str, list[tuple[str, Value]]] = {}

    def offer(self, path: str, value: Value, priority: int = 1, where: str = "prose") -> None:
        self.mentions.setdefault(path, []).append((where, value))
        held = self._fields.get(path)
        if held is None or priority > held[0]:
            self._fields[path] = (priority, value)

    def get(self, path: str) -> Value | None:
        held = self._fields.get(path)
        return held[1] if held else None

    def nested(self) -> dict[str, Any]:
        """The fields as nested dicts by their dotted paths."""
        out: dict[str, Any] = {}
        for path, (_, value) in sorted(self._fields.items()):
            node = out
            *parents, leaf = path.split(".")
            for key in parents:
                node = node.setdefault(key, {})
            node[leaf] = value
        return out
