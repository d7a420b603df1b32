"""Ruled-table cells from a page's drawings, as PyMuPDF's table finder finds them, fast.

``Page.find_tables`` (PyMuPDF 1.28, "lines" strategy, default settings) turns the page's
drawings into edges, snaps and joins them, finds their intersections, the smallest cell at
each intersection and the groups of cells that touch. Its helpers do this on 20-key
dictionaries with all-pairs searches (every intersection against every later one, a list
``remove`` per cell), which made them half the cost of reading a page with a table.

This module runs the same steps on plain tuples, with sorted lists and dictionaries where
the finder scans: the same edges in the same order, the same float arithmetic (snapped
positions are the finder's averages, summed in its order; the two places where the finder
goes through MuPDF's single-precision rectangles are rounded as MuPDF rounds), so the cells
are the finder's to the last bit. ``tests/ingest/test_pdf_grid.py`` and ``eval/bench_speed.py
--compare`` hold it to the library finder.

Pure geometry but for the page's characters, which ``pdf_tables`` reads and passes in.
"""

from __future__ import annotations

import bisect
import string
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import groupby

Box = tuple[float, float, float, float]
# (x0, top, x1, bottom, width, height, vertical): the finder's edge, its fields it reads.
Edge = tuple[float, float, float, float, float, float, bool]

# The finder's settings for the "lines" strategy with Page.find_tables' defaults.
SNAP = 3  # snap_x/y_tolerance
JOIN = 3  # join_x/y_tolerance
MIN_LENGTH = 3  # edge_min_length
INTERSECTION = 3  # intersection_x/y_tolerance
# Bisecting on a coordinate only narrows the candidates: every one is then tested with the
# finder's own comparison, so a rounding difference in the narrowing must not lose one.
_SLACK = 1e-6
_WHITESPACE = frozenset(string.whitespace)


class ProbeChars:
    """The characters the finder's text probes test (its ``CHARS``): ``(text, x0, top, x1,
    bottom)`` in page space, plus each box's y under the page's transformation matrix,
    which its "is there text in this rectangle" test compares (computed only for the
    characters that test reaches). ``mirror``: when that matrix only turns y into
    ``mirror - y`` (an upright page), a cheap bound first skips the characters far off."""

    def __init__(
        self,
        chars: list[tuple[str, float, float, float, float]],
        flipped: Callable[[int], tuple[float, float]],
        mirror: float | None = None,
    ) -> None:
        self.chars = chars
        self._flipped = flipped
        self._flipped_at: dict[int, tuple[float, float]] = {}
        self._mirror = mirror
        self._ink: list[Box] | None = None

    def any_inside(self, rect: Box) -> bool:
        """The finder's ``chars_in_rect``: a character with its x inside ``rect`` and its
        transformed y inside it too (as the finder compares them)."""
        rx0, ry0, rx1, ry1 = rect
        lo, hi = float("-inf"), float("inf")
        if self._mirror is not None:  # the transformed y, give or take single precision
            slack = 0.01 + 1e-6 * (abs(self._mirror) + abs(ry0) + abs(ry1))
            lo, hi = self._mirror - ry1 - slack, self._mirror - ry0 + slack
        for i, (_, x0, top, x1, bottom) in enumerate(self.chars):
            if rx0 <= x0 and x1 <= rx1 and top >= lo and bottom <= hi:
                y0, y1 = self._flipped_at.get(i) or self._flip(i)
                if ry0 <= y0 and ry1 >= y1:
                    return True
        return False

    def _flip(self, i: int) -> tuple[float, float]:
        out = self._flipped_at[i] = self._flipped(i)
        return out

    def any_overlapping(self, rect: Box) -> bool:
        """The finder's ``has_text``: a non-whitespace character overlapping ``rect``."""
        if self._ink is None:
            self._ink = [(x0, t, x1, b) for c, x0, t, x1, b in self.chars if c not in _WHITESPACE]
        rx0, rtop, rx1, rbottom = rect
        for x0, top, x1, bottom in self._ink:
            if x0 < rx1 and x1 > rx0 and top < rbottom and bottom > rtop:
                return True
        return False


def table_cells(paths: list[dict], clip: Box, chars: ProbeChars) -> list[list[Box]]:
    """Each table's cells as ``TableFinder(page).tables`` would hold them (``make_edges``
    with these drawings, ``get_edges``, ``edges_to_intersections``,
    ``intersections_to_cells``, ``cells_to_tables``), tables top to bottom."""
    edges = make_edges(paths, clip, chars)
    return cells_to_tables(
        intersections_to_cells(edges_to_intersections(merge_edges(edges))), chars
    )


# --- edges ------------------------------------------------------------------------------


def make_edges(paths: list[dict], clip: Box, chars: ProbeChars) -> list[Edge]:
    """The finder's ``make_edges``: every axis-parallel line, rectangle side and quad side
    of the drawings cut to ``clip``, then the outline of each group of touching drawings
    that holds text."""
    clip = tuple(float(v) for v in clip)
    outlines = _outlines(paths, chars)
    segments = [segment for path in paths for segment in _segments(path)]
    for x0, y0, x1, y1 in outlines:
        segments += [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
    edges = []
    for segment in segments:
        edge = _edge(segment, clip)
        if edge is not None:
            edges.append(edge)
    return edges


def _segments(path: dict) -> list[tuple[float, float, float, float]]:
    """A drawing's straight pieces as the finder takes them: its lines (and the closing
    line of a closed path of lines), a rectangle's sides (or its middle line when it is
    thin), a quad's sides."""
    items = path["items"]
    if path["closePath"] and items[0][0] == "l" and items[-1][0] == "l":
        items = [*items, ("l", items[-1][2], items[0][1])]
    out = []
    for item in items:
        kind = item[0]
        if kind == "l":
            p, q = item[1], item[2]
            out.append((p.x, p.y, q.x, q.y))
        elif kind == "re":
            x0, y0, x1, y1 = item[1]
            if x1 < x0:
                x0, x1 = x1, x0
            if y1 < y0:
                y0, y1 = y1, y0
            w, h = x1 - x0, y1 - y0
            if w <= MIN_LENGTH and w < h:  # a thin rectangle drawn as a vertical line
                x = abs(x1 + x0) / 2
                out.append((x, y0, x, y1))
            elif h <= MIN_LENGTH and h < w:  # ... as a horizontal line
                y = abs(y1 + y0) / 2
                out.append((x0, y, x1, y))
            else:
                out += [(x0, y0, x0, y1), (x0, y1, x1, y1), (x1, y1, x1, y0), (x1, y0, x0, y0)]
        elif kind == "qu":
            ul, ur, ll, lr = item[1]
            out += [
                (ul.x, ul.y, ll.x, ll.y),
                (ll.x, ll.y, lr.x, lr.y),
                (lr.x, lr.y, ur.x, ur.y),
                (ur.x, ur.y, ul.x, ul.y),
            ]
    return out


def _edge(segment: tuple[float, float, float, float], clip: Box) -> Edge | None:
    """The finder's ``make_line`` and ``line_to_edge``: a segment within the snap tolerance
    of axis-parallel, cut to ``clip``; horizontal only when exactly level."""
    ax, ay, bx, by = segment
    if not (abs(ax - bx) <= SNAP or abs(ay - by) <= SNAP):
        return None
    x0, x1 = min(ax, bx), max(ax, bx)
    y0, y1 = min(ay, by), max(ay, by)
    cx0, cy0, cx1, cy1 = clip
    if x0 > cx1 or x1 < cx0 or y0 > cy1 or y1 < cy0:
        return None
    if x0 < cx0:
        x0 = cx0
    if x1 > cx1:
        x1 = cx1
    if y0 < cy0:
        y0 = cy0
    if y1 > cy1:
        y1 = cy1
    width, height = x1 - x0, y1 - y0
    if width == height == 0:
        return None
    return (x0, y0, x1, y1, width, height, y0 != y1)


def _outlines(paths: list[dict], chars: ProbeChars) -> list[Box]:
    """The finder's ``clean_graphics``: drawings' rectangles joined while they come within
    the snap tolerance of the growing group (MuPDF's single-precision ``include_point``),
    each group kept when a character lies in it."""
    rects = sorted({tuple(p["rect"]) for p in paths}, key=lambda r: (r[3], r[0]))
    out = []
    while rects:
        grown = rects[0]
        repeat = True
        while repeat:
            repeat = False
            for i in range(len(rects) - 1, 0, -1):
                other = rects[i]
                if _neighbours(grown, other):
                    grown = _include_points(grown, other)
                    del rects[i]
                    repeat = True
        if chars.any_inside(grown):
            out.append(grown)
        del rects[0]
    return out


def _neighbours(r1: Box, r2: Box) -> bool:
    """The finder's ``are_neighbors`` (one rectangle's corner near the other, either way)."""
    if (r2[0] - SNAP <= r1[0] <= r2[2] + SNAP or r2[0] - SNAP <= r1[2] <= r2[2] + SNAP) and (
        r2[1] - SNAP <= r1[1] <= r2[3] + SNAP or r2[1] - SNAP <= r1[3] <= r2[3] + SNAP
    ):
        return True
    return bool(
        (r1[0] - SNAP <= r2[0] <= r1[2] + SNAP or r1[0] - SNAP <= r2[2] <= r1[2] + SNAP)
        and (r1[1] - SNAP <= r2[1] <= r1[3] + SNAP or r1[1] - SNAP <= r2[3] <= r1[3] + SNAP)
    )


def _include_points(rect: Box, other: Box) -> Box:
    """``rect |= other.tl; rect |= other.br`` on a PyMuPDF ``Rect``: MuPDF's
    ``fz_include_point_in_rect`` on single-precision copies, twice."""
    x0, y0, x1, y1 = _f32(rect)
    for px, py in (_f32((other[0], other[1])), _f32((other[2], other[3]))):
        if px < x0:
            x0 = px
        if px > x1:
            x1 = px
        if py < y0:
            y0 = py
        if py > y1:
            y1 = py
    return (x0, y0, x1, y1)


def _f32(values: Sequence[float]) -> tuple[float, ...]:
    """Values as C ``float`` holds them (what passing through a MuPDF rectangle does)."""
    return struct.unpack(f"{len(values)}f", struct.pack(f"{len(values)}f", *values))


def merge_edges(edges: list[Edge]) -> list[Edge]:
    """The finder's ``get_edges`` for the "lines" strategy: vertical then horizontal edges
    (at least 1 long), snapped (``snap_edges``), joined along each line
    (``join_edge_group``), and those at least ``MIN_LENGTH`` long kept."""
    vertical = [e for e in edges if e[6] and e[5] >= 1]
    horizontal = [e for e in edges if not e[6] and e[4] >= 1]
    snapped = _snap(vertical, 0) + _snap(horizontal, 1)
    # Groups: horizontal lines by top, then vertical lines by x (the finder's group key).
    snapped.sort(key=lambda e: ("v", e[0]) if e[6] else ("h", e[1]))
    out: list[Edge] = []
    for (kind, _), group in groupby(snapped, key=lambda e: ("v", e[0]) if e[6] else ("h", e[1])):
        out += _join(list(group), kind == "v")
    return [e for e in out if (e[5] if e[6] else e[4]) >= MIN_LENGTH]


def _snap(edges: list[Edge], axis: int) -> list[Edge]:
    """The finder's ``snap_objects``: edges whose position (x0 of a vertical edge, top of a
    horizontal one) is within ``SNAP`` of the next, chained, moved to the group's mean."""
    if not edges:
        return []
    values = sorted(set(e[axis] for e in edges))
    cluster_of: dict[float, int] = {}
    index = 0
    last = values[0]
    for v in values:
        if v > last + SNAP:
            index += 1
        cluster_of[v] = index
        last = v
    clusters: dict[int, list[Edge]] = {}
    for e in edges:
        clusters.setdefault(cluster_of[e[axis]], []).append(e)
    out = []
    for key in sorted(clusters):
        cluster = clusters[key]
        mean = sum(e[axis] for e in cluster) / len(cluster)
        for e in cluster:
            d = mean - e[axis]
            if axis == 0:  # move_object along x: x0 and x1
                out.append((e[0] + d, e[1], e[2] + d, e[3], e[4], e[5], e[6]))
            else:  # along y: top and bottom
                out.append((e[0], e[1] + d, e[2], e[3] + d, e[4], e[5], e[6]))
    return out


def _join(group: list[Edge], vertical: bool) -> list[Edge]:
    """The finder's ``join_edge_group``: edges on one line that overlap or come within
    ``JOIN`` of each other become one, extended to the farther end."""
    lo, hi = (1, 3) if vertical else (0, 2)
    group.sort(key=lambda e: e[lo])
    joined = [group[0]]
    for e in group[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + JOIN:
            if e[hi] > last[hi]:  # resize_object: the far end, and the length with it
                if vertical:
                    joined[-1] = (*last[:3], e[3], last[4], last[5] + (e[3] - last[3]), True)
                else:
                    joined[-1] = (last[0], last[1], e[2], last[3], e[2] - last[0], *last[5:])
        else:
            joined.append(e)
    return joined


# --- intersections and cells -----------------------------------------------------------


Point = tuple[float, float]


def edges_to_intersections(edges: list[Edge]) -> dict[Point, tuple[list[Box], list[Box]]]:
    """The finder's ``edges_to_intersections``: each point where a vertical edge meets a
    horizontal one (within the tolerance), with the boxes of the edges meeting there
    (vertical, horizontal), in the finder's order."""
    vertical = sorted((e for e in edges if e[6]), key=lambda e: (e[0], e[1]))
    horizontal = sorted((e for e in edges if not e[6]), key=lambda e: (e[1], e[0]))
    tops = [h[1] for h in horizontal]
    out: dict[Point, tuple[list[Box], list[Box]]] = {}
    tol = INTERSECTION
    for v in vertical:
        vx, vtop, vbottom = v[0], v[1], v[3]
        start = bisect.bisect_left(tops, vtop - tol - _SLACK)
        stop = bisect.bisect_right(tops, vbottom + tol + _SLACK)
        for h in horizontal[start:stop]:
            htop = h[1]
            if vtop <= htop + tol and vbottom >= htop - tol and h[0] - tol <= vx <= h[2] + tol:
                at = out.get((vx, htop))
                if at is None:
                    at = out[(vx, htop)] = ([], [])
                at[0].append(v[:4])
                at[1].append(h[:4])
    return out


def intersections_to_cells(intersections: dict[Point, tuple[list[Box], list[Box]]]) -> list[Box]:
    """The finder's ``intersections_to_cells``: from each intersection (in sorted order),
    the first point below and the first to the right joined to it by an edge, whose
    corner opposite is joined to both, make a cell."""
    points = sorted(intersections)
    vertical = {p: frozenset(intersections[p][0]) for p in points}
    horizontal = {p: frozenset(intersections[p][1]) for p in points}

    def connects(p1: Point, p2: Point) -> bool:
        if p1[0] == p2[0] and not vertical[p1].isdisjoint(vertical[p2]):
            return True
        return p1[1] == p2[1] and not horizontal[p1].isdisjoint(horizontal[p2])

    # Points after each one with the same x (below it: up to the end of its run of x) and
    # the same y (right of it: the rest of its row).
    n = len(points)
    column_end = [n] * n
    for i in range(n - 2, -1, -1):
        column_end[i] = column_end[i + 1] if points[i + 1][0] == points[i][0] else i + 1
    rows: dict[float, list[Point]] = {}
    for p in points:
        rows.setdefault(p[1], []).append(p)
    right_of: dict[Point, tuple[list[Point], int]] = {}
    for row in rows.values():
        for i, p in enumerate(row):
            right_of[p] = (row, i + 1)
    cells = []
    for i, pt in enumerate(points):
        row, start = right_of[pt]
        cell = _smallest_cell(
            pt, points[i + 1 : column_end[i]], row[start:], intersections, connects
        )
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(
    pt: Point,
    below: list[Point],
    right: list[Point],
    known: dict[Point, object],
    connects: Callable[[Point, Point], bool],
) -> Box | None:
    """The finder's ``find_smallest_cell`` (the points ``pt`` is joined to to its right are
    the same for every point below, so they are found once)."""
    joined_right: list[Point] | None = None
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        if joined_right is None:  # the first time: test the points to the right as we go
            joined_right = []
            candidates: Iterable[Point] = (p for p in right if connects(pt, p))
        else:
            candidates = joined_right
        for right_pt in candidates:
            if candidates is not joined_right:
                joined_right.append(right_pt)
            corner = (right_pt[0], below_pt[1])
            if corner in known and connects(corner, right_pt) and connects(corner, below_pt):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def cells_to_tables(cells: list[Box], chars: ProbeChars) -> list[list[Box]]:
    """The finder's ``cells_to_tables``: cells grouped while they share a corner (in the
    finder's passes, so each group's cells are in its order), groups of one column or
    without text dropped, the rest top to bottom."""
    tables = list(_corner_groups(cells))
    for i in range(len(tables) - 1, -1, -1):
        table = tables[i]
        if (
            len({c[2] for c in table}) < 2
            or len({c[0] for c in table}) < 2
            or not chars.any_overlapping(_union(table))
        ):
            del tables[i]
    return sorted(tables, key=lambda t: min((c[1], c[0]) for c in t))


def _corner_groups(cells: list[Box]) -> Iterator[list[Box]]:
    remaining = list(cells)
    corners: set[Point] = set()
    current: list[Box] = []
    while remaining:
        before = len(current)
        rest = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            mine = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or any(c in corners for c in mine):
                corners.update(mine)
                current.append(cell)
            else:
                rest.append(cell)
        remaining = rest
        if len(current) == before:
            yield current
            corners, current = set(), []
    if current:
        yield current


def _union(cells: list[Box]) -> Box:
    """``EMPTY_RECT() | cell | cell ...`` on PyMuPDF rectangles: the first cell as it is,
    every later union through MuPDF's single-precision ``fz_union_rect``."""
    r = cells[0]
    if len(cells) == 1:
        return r
    flat = _f32([v for c in cells for v in c])
    singles = [flat[i : i + 4] for i in range(0, len(flat), 4)]
    if all(s[0] < s[2] and s[1] < s[3] for s in singles):
        # Nothing empty to skip: MuPDF's union of all of them, rounded once.
        return (
            min(s[0] for s in singles),
            min(s[1] for s in singles),
            max(s[2] for s in singles),
            max(s[3] for s in singles),
        )
    import pymupdf  # a cell too thin for single precision: let PyMuPDF do it as the finder

    rect = pymupdf.EMPTY_RECT()
    for cell in cells:
        rect |= cell
    return tuple(rect)
