"""Which 一级/二级 label a 自评表 row stands under, where a merged level cell's text is not
on its group's first row: a word processor centres it on the rows it spans, or sets it at
their foot, and a borderless PDF, a scan or a text copy keeps only that position.

Owns: after a table's rows are read with the labels their own cells (or lines of their
own between rows) state, parting each level's column into groups, one per label, so that
every label stands where its alignment puts it in its group: on the first row (top: a
heading line above the group counts), the middle row (either of two middles) or the last
row. The alignment that fits best wins, top on a tie (there the document says where a row
stands), then centred with the lower of two middles. Names weigh in: a 二级 of one family
is never under a 一级 of another (数量指标 is not under 满意度指标), a 一级 group does not
part a 二级 group, and a standard 三级 name of the 部门整体 framework stays under its own
levels. A row whose 二级 family still disagrees with its 一级 keeps what the reader carried.
Pure records in, records out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.extract.indicator_framework import framework_levels, levels_of
from service.records import Indicator, Value

_LEVELS = ("level2", "level1")  # level 2 first: a level 1 is checked against its family
# Alignments: a label on its group's first row (or a line just above it), on the lower or
# upper of two middle rows, on its last row.
_ALIGNMENTS = ("top", "middle_lower", "middle_upper", "bottom")
_AGAINST = 2.0  # the cost of a row under a label its names rule out, in rows of distance
# A standard 三级 name under other levels than the framework's: only a hint (a report may
# group its indicators its own way), so it decides between alignments and no more.
_FRAMEWORK = 0.1
# What each alignment costs before any row is weighed: the usual first.
_PRIOR = {"top": 0.0, "middle_lower": 0.2, "middle_upper": 0.3, "bottom": 0.3}
_MIXED = 0.5  # level columns aligned differently (a heading line over a centred cell)
_INF = math.inf


@dataclass
class OwnLabels:
    """The labels a row's own cells state (None where it carries one down)."""

    level1: Value | None = None
    level2: Value | None = None


def labels_set(
    before: tuple[Value | None, Value | None], now: tuple[Value | None, Value | None]
) -> OwnLabels:
    """The labels a row or line set: those that are not the ones ``before`` it."""
    return OwnLabels(
        now[0] if now[0] is not before[0] else None, now[1] if now[1] is not before[1] else None
    )


def _base(v: Value | str | None) -> str:
    text = v if isinstance(v, str) or v is None else str(v.value)
    return "" if text is None else text.removesuffix("指标")


def _family_against(label: Value, level2: Value | None) -> bool:
    """The row's 二级 belongs to another family than the 一级 ``label``."""
    from service.extract.indicators import against_family

    return level2 is not None and against_family(str(label.value), str(level2.value))


def _framework_against(level: str, label: Value, row: Indicator) -> bool:
    """``row``'s 三级 name is a standard one of the framework, under other levels than
    ``label`` (a framework name itself)."""
    known = levels_of(str(row.level3.value)) if row.level3 is not None else None
    if known is None:
        return False
    fw1, fw2 = framework_levels()
    names = fw1 if level == "level1" else fw2
    want = known[0 if level == "level1" else 1]
    return _base(label) in names and _base(label) != _base(want)


def _placer(alignment: str, p: float) -> Callable[[int, int], float]:
    """How far a label at ``p`` (x.5: a line between rows) stands from its place in the
    group [s, e] under ``alignment``, as a function of (s, e): the first row (top), the
    last (bottom), the lower or upper of two middles; a line of its own stands just above
    the group (top), just below it (bottom) or between its middles. The branches are
    chosen once per label: the partition asks it of every pair of rows. Only asked of
    groups the label stands within or beside."""
    if p != int(p):  # a line of its own: above the group, below it, or between middles
        if alignment == "top":
            q = p + 0.5
            return lambda s, e: abs(s - q)
        if alignment == "bottom":
            q = p - 0.5
            return lambda s, e: abs(e - q)
        return lambda s, e: abs((s + e) / 2 - p)
    if alignment == "top":
        return lambda s, e: abs(s - p)
    if alignment == "bottom":
        return lambda s, e: abs(e - p)
    if alignment == "middle_lower":
        return lambda s, e: abs(math.ceil((s + e) / 2) - p)
    return lambda s, e: abs(math.floor((s + e) / 2) - p)


def _partition(
    n: int,
    labels: Sequence[float],
    alignment: str,
    penalty: list[list[float]],
    cut_cost: list[float],
) -> tuple[float, list[int]]:
    """The cheapest parting of rows 0..n-1 into one group per label: (cost, group starts).
    ``penalty[k][i]``: row i under label k; ``cut_cost[i]``: a group starting at row i."""
    k_n = len(labels)
    prefix = [[0.0] * (n + 1) for _ in range(k_n)]
    for k in range(k_n):
        for i in range(n):
            prefix[k][i + 1] = prefix[k][i] + penalty[k][i]
    # best[k][e]: labels 0..k placed on rows 0..e, group k ending at e
    best = [[_INF] * n for _ in range(k_n)]
    start = [[0] * n for _ in range(k_n)]
    for k in range(k_n):
        # group k holds its label's row (or the line beside it) and the previous label's not
        first_s = k if k == 0 else max(k, math.ceil(labels[k - 1] - 0.5) + 1)
        last_s = math.floor(labels[k] + 0.5)
        place = _placer(alignment, labels[k])
        pk, best_k, start_k = prefix[k], best[k], start[k]
        before_k = best[k - 1] if k else None
        for e in range(max(k, math.ceil(labels[k] - 0.5)), n - (k_n - 1 - k)):
            # the label stands within or beside every group tried (s <= last_s, e as above)
            for s in range(first_s, min(e, last_s) + 1):
                before = 0.0 if before_k is None else before_k[s - 1]
                if before_k is None and s != 0 or before == _INF:
                    continue
                cost = before + place(s, e)
                cost += pk[e + 1] - pk[s] + (cut_cost[s] if k else 0.0)
                if cost < best_k[e]:
                    best_k[e], start_k[e] = cost, s
    if not k_n or best[-1][n - 1] == _INF:
        return _INF, []
    starts, e = [], n - 1
    for k in range(k_n - 1, -1, -1):
        starts.append(start[k][e])
        e = start[k][e] - 1
    return best[-1][n - 1], starts[::-1]


def _labels(
    level: str, own: Sequence[OwnLabels], between: Sequence[tuple[float, OwnLabels]]
) -> list[tuple[float, Value]]:
    """The labels of one level by position; of two at one place the later (nearer its rows)."""
    found = [(float(i), getattr(o, level)) for i, o in enumerate(own)]
    found += [(p, getattr(o, level)) for p, o in between]
    by_place: dict[float, Value] = {}
    for p, v in sorted((x for x in found if x[1] is not None), key=lambda x: x[0]):
        by_place[p] = v
    return sorted(by_place.items())


def _penalties(
    level: str, found: list[tuple[float, Value]], rows: list[Indicator]
) -> list[list[float]]:
    """Per label and row, the cost of the row standing under the label by its names: a
    level 1 of another family than the row's level 2 (``_family_against``), a framework
    name other than the one the row's standard 三级 name stands under
    (``_framework_against``). Each row's names are looked up once, not once per label."""
    from service.extract.indicators import against_family

    is_level1 = level == "level1"
    names = framework_levels()[0 if is_level1 else 1]
    wants: list[str | None] = []  # the framework's level of each row's 三级 name
    for row in rows:
        known = levels_of(str(row.level3.value)) if row.level3 is not None else None
        wants.append(None if known is None else _base(known[0 if is_level1 else 1]))
    level2s = [None if row.level2 is None else str(row.level2.value) for row in rows]
    out = []
    for _, v in found:
        label, base = str(v.value), _base(v)
        framework = base in names
        out.append(
            [
                _AGAINST * (is_level1 and level2 is not None and against_family(label, level2))
                + _FRAMEWORK * (want is not None and framework and base != want)
                for level2, want in zip(level2s, wants, strict=True)
            ]
        )
    return out


def _groups(n: int, starts: list[int]) -> list[int]:
    group = [0] * n
    for k, s in enumerate(starts):
        for i in range(s, n):
            group[i] = k
    return group


def _apply(
    level: str, rows: list[Indicator], found: list[tuple[float, Value]], starts: list[int]
) -> list[Indicator]:
    out = list(rows)
    for i, k in enumerate(_groups(len(rows), starts)):
        label = found[k][1]
        if level == "level1" and _family_against(label, out[i].level2):
            continue  # a family whose 一级 the table does not show: as the reader had it
        out[i] = out[i].model_copy(update={level: label})
    return out


_Option = tuple[str | None, float, list[int]]  # (alignment, cost, group starts)


def _options(
    level: str,
    rows: list[Indicator],
    found: list[tuple[float, Value]],
    cut: list[float],
) -> list[_Option]:
    """Per alignment that fits, (alignment, cost, group starts); one free choice where the
    level states no label, none where no alignment fits (the rows keep what was read)."""
    if not found:
        return [(None, 0.0, [])]
    penalty = _penalties(level, found, rows)
    positions = [p for p, _ in found]
    out = []
    for a in _ALIGNMENTS:
        cost, starts = _partition(len(rows), positions, a, penalty, cut)
        if starts:
            out.append((a, cost + _PRIOR[a], starts))
    return out or [(None, 0.0, [])]


def settle_levels(
    rows: list[Indicator],
    own: list[OwnLabels],
    between: Sequence[tuple[float, OwnLabels]] = (),
) -> list[Indicator]:
    """``rows`` with each level taken from the group it stands in (see module doc).
    ``own``: per row, the labels its cells state; ``between``: labels on lines of their
    own, at their place among the rows (2.5: between rows 2 and 3). Both columns are
    parted together: a table aligns its level columns alike, so a pair of alignments that
    differ costs a little more than one that agrees."""
    n = len(rows)
    if n == 0:
        return list(rows)
    found2, found1 = _labels("level2", own, between), _labels("level1", own, between)
    best: tuple[float, list[Indicator]] | None = None
    # Alignments of level 2 that part its column alike leave level 1 the same choices.
    level1_options: dict[tuple[int, ...], tuple[list[Indicator], list[_Option]]] = {}
    for a2, cost2, starts2 in _options("level2", rows, found2, [0.0] * n):
        if tuple(starts2) not in level1_options:
            out = _apply("level2", rows, found2, starts2) if starts2 else list(rows)
            groups2 = _groups(n, starts2) if starts2 else None
            # A 一级 group starting inside a 二级 group parts it.
            cut = [
                _AGAINST if groups2 is not None and i and groups2[i] == groups2[i - 1] else 0.0
                for i in range(n)
            ]
            level1_options[tuple(starts2)] = (out, _options("level1", out, found1, cut))
        out, options1 = level1_options[tuple(starts2)]
        for a1, cost1, starts1 in options1:
            cost = cost2 + cost1 + (_MIXED if a1 and a2 and a1 != a2 else 0.0)
            if best is None or cost < best[0]:  # the first of equals: preferred alignments
                best = (cost, _apply("level1", out, found1, starts1) if starts1 else out)
    assert best is not None
    return best[1]
