"""Values in the export format and how two of them compare: pure functions, no I/O.

Owns: what counts as a value object (``{value, unit, raw, comparator, direction,
original_unit, source}``), unit normalisation to 万元, the tolerance for numbers, the kind of
a value (numeric / short text / long text) and the spans of a source. Must not touch: record
matching or counting (``eval.scorer``), files.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from eval.textsim import anls, normalize

MONEY_TOLERANCE = 0.005  # 万元: a rounding difference in the last reported digit, nothing more
FLOAT_TOLERANCE = 1e-6
LONG_TEXT_MIN_CHARS = 30

MONEY_TO_WAN = {"元": 1e-4, "千元": 0.1, "万元": 1.0, "亿元": 1e4}
DECREASE = frozenset({"下降", "减少", "降低", "decrease", "down", "-"})
COMPARATORS = {
    ">=": "≥", "≥": "≥", "gte": "≥", "不低于": "≥", "不少于": "≥", "以上": "≥",
    "<=": "≤", "≤": "≤", "lte": "≤", "不高于": "≤", "不超过": "≤", "以下": "≤",
    ">": ">", "gt": ">", "超过": ">", "<": "<", "lt": "<",
    "余": "余", "多": "余", "more_than": "余", "约": "约", "近": "约", "approx": "约",
    "approximately": "约", "about": "约", "=": None, "eq": None, "": None,
}  # fmt: skip


# --- values ---------------------------------------------------------------------------------


def is_value(node: Any) -> bool:
    """A value object has a ``value`` that is not itself an object (a ``Metric`` is
    ``{name, value: {...}}``: a record holding a value, not a value)."""
    return isinstance(node, dict) and "value" in node and not isinstance(node["value"], dict)


def is_range(q: dict[str, Any]) -> bool:
    return q.get("value") is None and (is_number(q.get("low")) or is_number(q.get("high")))


def as_value(node: Any) -> dict[str, Any] | None:
    """A leaf as a value object: export objects pass through (None when they hold nothing),
    bare scalars are wrapped."""
    if node is None:
        return None
    if is_value(node):
        return node if node.get("value") is not None or is_range(node) else None
    return {"value": node}


def is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


# Counters that mean the same thing (a headcount in 名 is a headcount in 人).
UNIT_ALIASES = {"名": "人", "位": "人"}


def _unit(q: dict[str, Any]) -> str | None:
    unit = q.get("unit")
    if not unit:
        return None
    unit = unicodedata.normalize("NFKC", str(unit)).strip()
    return UNIT_ALIASES.get(unit, unit) or None


def canonical_number(q: dict[str, Any]) -> tuple[float, str | None]:
    """(value, unit) with money in 万元 and the direction folded into the sign."""
    value = float(q["value"])
    unit = _unit(q)
    direction = q.get("direction")
    if direction is not None and str(direction).strip().lower() in DECREASE and value > 0:
        value = -value
    if unit in MONEY_TO_WAN:
        value, unit = value * MONEY_TO_WAN[unit], "万元"
    return value, unit


def _comparator(q: dict[str, Any]) -> str | None:
    raw = q.get("comparator")
    if raw is None:
        return None
    key = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    return COMPARATORS.get(key, key)


def numbers_equal(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    if not is_number(got.get("value")):
        return False
    ev, eu = canonical_number(expected)
    gv, gu = canonical_number(got)
    if eu and gu and eu != gu:
        return False
    tolerance = MONEY_TOLERANCE if "万元" in (eu, gu) else FLOAT_TOLERANCE
    if abs(ev - gv) > tolerance + 1e-9:
        return False
    want = _comparator(expected)
    return want is None or want == _comparator(got)


def value_kind(q: dict[str, Any]) -> str:
    """numeric | range | short_text | long_text | other, decided by the label's value."""
    value = q["value"]
    if is_range(q):
        return "range"
    if is_number(value):
        return "numeric"
    if isinstance(value, str):
        return "long_text" if len(normalize(value)) > LONG_TEXT_MIN_CHARS else "short_text"
    return "other"


def _ranges_equal(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    if not is_range(got):
        return False
    for end in ("low", "high"):
        e, g = expected.get(end), got.get(end)
        if (e is None) != (g is None):
            return False
        if e is not None and not numbers_equal({**expected, "value": e}, {**got, "value": g}):
            return False
    return True


def compare(expected: dict[str, Any], got: dict[str, Any], kind: str | None = None) -> float:
    """1.0 for a right value, 0.0 for a wrong one, the ANLS in between for long text.
    ``kind`` overrides the kind the label's value implies (e.g. ANLS for metric names)."""
    kind = kind or value_kind(expected)
    if kind == "range":
        return 1.0 if _ranges_equal(expected, got) else 0.0
    if kind == "numeric":
        return 1.0 if numbers_equal(expected, got) else 0.0
    gv = got.get("value")
    if kind == "short_text":
        return 1.0 if isinstance(gv, str) and normalize(gv) == normalize(expected["value"]) else 0.0
    if kind == "long_text":
        return anls(expected["value"], gv) if isinstance(gv, str) else 0.0
    return 1.0 if expected["value"] == gv else 0.0


def why_wrong(expected: dict[str, Any], got: dict[str, Any]) -> str | None:
    """A few words on why a number did not match, for the report's side-by-side view."""
    if value_kind(expected) not in ("numeric", "range"):
        return None
    if not is_number(got.get("value")) and not is_range(got):
        return "text, not a number"
    ev, eu = canonical_number(expected) if is_number(expected.get("value")) else (None, None)
    gv, gu = canonical_number(got) if is_number(got.get("value")) else (None, None)
    if eu and gu and eu != gu:
        return f"unit {gu}, not {eu}"
    if ev is not None and gv is not None and abs(ev - gv) > MONEY_TOLERANCE:
        if ev and gv and abs(ev) > 0 and round(gv / ev) in (10000, -10000):
            return "10,000 times too large (元 read as 万元?)"
        if (ev < 0) != (gv < 0):
            return "sign or direction"
        return "different number"
    if _comparator(expected) != _comparator(got):
        return f"comparator {_comparator(got) or 'none'}, not {_comparator(expected)}"
    return None


def display(q: dict[str, Any] | None) -> str | None:
    """How a value reads in the report: the typed value and unit (what was scored), with
    the raw text after it when that reads differently."""
    if q is None:
        return None
    value = q["value"]
    if is_range(q):
        value = f"{q.get('low', '')}–{q.get('high', '')}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    unit = _unit(q)
    shown = f"{value}{unit}" if unit and not isinstance(value, str) else str(value)
    raw = q.get("raw")
    if raw and normalize(str(raw)) != normalize(shown):
        shown += f"  «{raw}»"
    return shown


# --- sources --------------------------------------------------------------------------------


def spans_of(source: Any) -> list[tuple[int, int]]:
    """Character spans in a source, whatever its shape: {start, end}, {span: {...}},
    {spans: [...]}, or a list of any of these."""
    if isinstance(source, list):
        return [s for item in source for s in spans_of(item)]
    if not isinstance(source, dict):
        return []
    if isinstance(source.get("start"), int) and isinstance(source.get("end"), int):
        return [(source["start"], source["end"])]
    out: list[tuple[int, int]] = []
    for key in ("span", "spans"):
        if key in source:
            out.extend(spans_of(source[key]))
    return out


def context(text: str | None, span: tuple[int, int] | None, pad: int = 24) -> str | None:
    if text is None or span is None:
        return None
    start, end = span
    if not 0 <= start <= end <= len(text):
        return None
    before = text[max(0, start - pad) : start]
    after = text[end : end + pad]
    return f"{before}【{text[start:end]}】{after}".replace("\f", " ¶ ")
