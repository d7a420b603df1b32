"""How a varied report writes its figures: the money formats of the ``money_format``
family and ``VariedWriter``, the template writer extended with the variant chooser.

Owns number formatting (万元 as written by hand or by an exporter that leaves spaces,
元 with cents, 元 beside 万元) and the truth of each amount as written. The sections
themselves are in ``service.synth.variety.sections``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.records import Value
from service.synth.figures import WAN, Figures, Knobs, nfkc
from service.synth.reports import ReportData
from service.synth.spec import TableStyle
from service.synth.templates import _Writer
from service.synth.variety.catalog import Chooser, register
from service.synth.variety.units import UnitKind

MONEY_FORMATS = ("plain", "fixed2", "thousands", "spaced", "yuan", "yuan_beside")
register("money_format", MONEY_FORMATS)
register("digits", ("halfwidth", "fullwidth"))


def _fixed(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _grouped(text: str) -> str:
    head, _, tail = text.partition(".")
    return f"{int(head):,}" + (f".{tail}" if tail else "")


class MoneyFigures(Figures):
    """``Figures`` in one of the ``money_format`` variants:

    * ``plain`` 842.1万元 (no trailing zeros), ``fixed2`` 842.10万元, ``thousands`` 1,842.10万元;
    * ``spaced`` 842.10 万元 with a space before the figure too, as PDF exporters leave them;
    * ``yuan`` 8,421,000.00元 (tables in 元), ``yuan_beside`` 8421000.00元（842.10万元）in
      prose and 万元 in tables.
    """

    def __init__(self, style: str, fullwidth: bool) -> None:
        super().__init__(
            Knobs(yuan=style == "yuan", fullwidth=fullwidth, thousands=style == "thousands")
        )
        self.style = style

    def number(self, cents: int) -> str:
        if self.style == "plain":
            return super().number(cents)
        if self.style == "yuan":
            return _grouped(f"{cents * 100}.00")
        text = _fixed(cents)
        return _grouped(text) if self.style == "thousands" else text

    def money(self, cents: int) -> str:
        if self.style == "spaced":
            return f" {self.number(cents)} {WAN}"
        if self.style == "yuan_beside":
            return f"{cents * 100}.00元（{self.number(cents)}{WAN}）"
        return self.number(cents) + self.money_unit

    def money_value(self, cents: int, raw: str) -> Value:
        """The truth of an amount written as ``raw``: the first figure with its unit (a
        元 figure followed by its 万元 in brackets is read from the 元 figure)."""
        shown = nfkc(raw).strip().partition("(")[0]
        yuan = shown.endswith("元") and not shown.endswith(WAN) or self.style == "yuan"
        digits = shown.replace(",", "").replace(" ", "").removesuffix(WAN).removesuffix("元")
        decimals = len(digits.partition(".")[2])
        step = 10.0**-decimals * (1e-4 if yuan else 1.0)
        value = Decimal(cents) / 100
        return Value(
            value=int(value) if value == value.to_integral_value() else float(value),
            unit=WAN,
            raw=shown,
            original_unit="元" if yuan else None,
            precision=round(step, 10),
        )


class VariedWriter(_Writer):
    """The template writer with a ``Chooser`` (every variant a section uses is picked
    through it), the unit kind and a few figure helpers the templates lack."""

    def __init__(self, data: ReportData, unit: UnitKind, chooser: Chooser) -> None:
        super().__init__(data)
        self.unit = unit
        self.choose = chooser
        fmt = chooser.pick("money_format")
        self.f = MoneyFigures(fmt, chooser.pick("digits") == "fullwidth")
        self.self_name = unit.short  # what the unit calls itself; a section may change it
        self.county = ""
        self.unit_where = "title_only"  # where the unit's name stands (family unit_where)
        self.table_style: TableStyle = "ruled"  # how this document prints its tables

    def pick(self, family: str, among: Any = None) -> str:
        return self.choose.pick(family, among)

    def money_at(self, path: str, cents: int, where: str = "prose", plant: bool = False) -> str:
        """An amount written at ``path``; the planted wrong figure when ``plant`` (the
        mention a reader should not take the field from)."""
        if plant and path in self.d.planted:
            cents = self.d.planted[path]
        text = self.f.money(cents)
        priority = 2 if where == "table" else 1
        self.t.offer(path, self.f.money_value(cents, text), priority, where)
        return text

    def year(self) -> str:
        return f"{self.d.year}年度"
