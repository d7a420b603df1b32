"""Which 一级/二级 label a 自评表 row stands under when its merged level cell's text is not
on the group's first row (a word processor centres it on the rows it spans; a borderless
PDF or a scan keeps only that position).

Owns: after a table's rows are read with their labels carried down, moving a row to the
label below it where the column's labels are centred: its first row has no label though
later rows do (a label on a line of its own before the first row says top-aligned). Then
each row takes the nearest label (a tie goes below: the text of a two-row cell sits
between them and is read on the lower), or the one below where only that one fits its
names (the 部门整体 framework for a standard 三级 name); never a 一级 of another family
than the row's 二级 (数量指标 is not under 满意度指标), never one the names put above.
A top-aligned table keeps its labels carried down: there the document says where a row
stands, whatever the framework says. Pure records in, records out.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.extract.indicator_framework import levels_of
from service.records import Indicator, Value

_LEVELS = ("level2", "level1")  # level 2 first: a level 1 may be read from its family


@dataclass
class OwnLabels:
    """The labels a row's own cells state (None where it carries one down)."""

    level1: Value | None = None
    level2: Value | None = None


def _base(v: Value | None) -> str:
    return "" if v is None else str(v.value).removesuffix("指标")


def _fits(level: str, label: Value, row: Indicator, settled: dict[str, Value | None]) -> bool:
    """Whether the names say ``row`` stands under ``label`` (False where they say nothing)."""
    from service.extract.indicators import LEVEL2_FAMILY, in_family

    known = levels_of(str(row.level3.value)) if row.level3 is not None else None
    if known is not None:
        return _base(label) == known[0 if level == "level1" else 1].removesuffix("指标")
    l2 = settled.get("level2")
    family = LEVEL2_FAMILY.get(str(l2.value)) if level == "level1" and l2 is not None else None
    return family is not None and in_family(str(label.value), family)


def centred(own: list[OwnLabels], heading_first: bool) -> dict[str, bool]:
    """Per level, whether its column reads as centred: the first row states no label of
    it though later rows do, and no label on a line of its own came before that row."""
    return {
        lv: not heading_first
        and bool(own)
        and getattr(own[0], lv) is None
        and any(getattr(o, lv) is not None for o in own)
        for lv in ("level1", "level2")
    }


def labels_set(
    before: tuple[Value | None, Value | None], now: tuple[Value | None, Value | None]
) -> OwnLabels:
    """The labels a row or line set: those that are not the ones ``before`` it."""
    return OwnLabels(
        now[0] if now[0] is not before[0] else None, now[1] if now[1] is not before[1] else None
    )


def settle_levels(
    rows: list[Indicator],
    own: list[OwnLabels],
    centred: dict[str, bool],
    between: list[tuple[float, OwnLabels]] = (),  # type: ignore[assignment]
) -> list[Indicator]:
    """``rows`` with each carried label checked against the label below (see module doc).
    ``centred``: per level, whether its column's text stands centred on its groups;
    ``between``: labels on lines of their own, at their place among the rows (2.5: between
    rows 2 and 3)."""
    out = list(rows)
    labels = [(float(i), o) for i, o in enumerate(own)] + list(between)
    for level in _LEVELS:
        at = sorted(
            ((p, getattr(o, level)) for p, o in labels if getattr(o, level) is not None),
            key=lambda x: x[0],
        )
        if not at:
            continue
        for i, row in enumerate(out):
            if getattr(own[i], level) is not None:
                continue
            above = max(((p, v) for p, v in at if p < i), default=None, key=lambda x: x[0])
            below = min(((p, v) for p, v in at if p > i), default=None, key=lambda x: x[0])
            if below is None:
                continue
            settled = {"level2": out[i].level2}
            if _against(level, below[1], settled):
                continue
            fits_below = _fits(level, below[1], row, settled)
            fits_above = above is not None and _fits(level, above[1], row, settled)
            near = above is None or below[0] - i <= i - above[0]
            if centred.get(level) and not fits_above and (near or fits_below):
                out[i] = _moved(out[i], level, below[1])
    return out


def _against(level: str, label: Value, settled: dict[str, Value | None]) -> bool:
    """The row's 二级 name belongs to another family than the 一级 ``label`` (数量指标 is
    never under 满意度指标)."""
    from service.extract.indicators import LEVEL2_FAMILY, in_family

    l2 = settled.get("level2")
    family = LEVEL2_FAMILY.get(str(l2.value)) if level == "level1" and l2 is not None else None
    return family is not None and not in_family(str(label.value), family)


def _moved(row: Indicator, level: str, label: Value) -> Indicator:
    update: dict[str, Value | None] = {level: label}
    return row.model_copy(update=update)
