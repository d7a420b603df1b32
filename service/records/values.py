"""The one quantity type every record field uses: ``Value`` with its ``Source``.

Owns: how a typed value, its raw text, its unit and where it came from are carried.
Knows nothing of parsing (``service.records.numbers``) or of extraction; must not import
``service.extract``, the database or the web.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.document import BBox, Span

ExtractorName = Literal["rules", "llm", "human"]
# The numeric types of ``Value.value``: a tuple, not ``int | float``, which builds a union
# object on every call of ``Value.number`` (the checks ask thousands of times).
_NUMERIC = (int, float)


class Source(BaseModel):
    """Where a value stands in the document: a character span of ``Document.text`` (whose
    slice is exactly the value's ``raw`` text when ``grounded``), its page and boxes."""

    model_config = ConfigDict(frozen=True)

    span: Span
    page: int | None = Field(None, description="1-based page of the span's start.")
    boxes: list[BBox] = Field(
        default_factory=list, description="Boxes on the page(s); empty where the format has none."
    )
    extractor: ExtractorName = "rules"
    grounded: bool = Field(
        True, description="The span's text equals the value's raw text (checked, not assumed)."
    )
    locator: str | None = Field(
        None,
        description="Human hint of the origin, e.g. 'prose:二、(一)' or 'table:基础数据表 r3c2'.",
    )


class Value(BaseModel):
    """A typed value read from the document, with the raw text it came from.

    Numbers: ``value`` in ``unit`` (money normalised to 万元, the unit as written kept in
    ``original_unit``); percentages as written (95 for 95%, unit ``%``). ``comparator`` keeps
    qualifiers such as ≥, ≤, 约, 余, 近, 以上; ``direction`` keeps 增长/下降 for signed changes
    (``value`` stays as written, the sign lives in ``direction``; a minus sign in the text
    gives a negative ``value``). A range ('80-90%') has ``low``/``high`` and no ``value``.
    """

    value: float | int | dt.date | str | None = None
    unit: str | None = None
    raw: str = Field(description="The exact text the value was read from.")
    comparator: str | None = None
    direction: str | None = None
    original_unit: str | None = Field(None, description="Unit as written, when normalised.")
    low: float | None = None
    high: float | None = None
    precision: float | None = Field(
        None,
        description="Unit of the last stated digit, in ``unit`` (0.01 for '1059.01万元'): "
        "the rounding the consistency checks allow for.",
    )
    source: Source | None = None
    also: list[Source] = Field(
        default_factory=list,
        description="Further places (or extractors) stating the same value: the figure "
        "repeated elsewhere in the document, or the LLM reading the span the rules read "
        "(schema 1.1).",
    )

    @property
    def number(self) -> float | None:
        """The value as a float when it is numeric, else None."""
        value = self.value
        if type(value) is float:  # most figures: float() would give the same object back
            return value
        if isinstance(value, bool) or not isinstance(value, _NUMERIC):
            return None
        return float(value)

    @property
    def signed(self) -> float | None:
        """The number with the sign its ``direction`` gives (下降 → negative)."""
        n = self.number
        if n is None:
            return None
        return -abs(n) if self.direction == "下降" else n

    def text(self) -> str | None:
        """The value as text (for string fields)."""
        return None if self.value is None else str(self.value)
