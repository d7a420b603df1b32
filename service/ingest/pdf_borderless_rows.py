"""Rows and grid of a borderless table (无框线表格) once its column gutters are known.

``pdf_borderless`` finds the block of aligned lines, its gutters and its header; this
module cuts each line into cells by the gutters, tells a row's own line (it fills a figure
column) from the lines of its wrapped or centred cells, groups them into rows, judges
whether the result is a table at all and builds the ``PdfTable``. Pure geometry on
characters: no PyMuPDF page, no document builder.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from service.ingest.flat_tables import is_figure
from service.ingest.pdf_tables import Char, GridCell, PdfTable, join_wrapped

Interval = tuple[float, float]

# Lines of one cell stand closer than this (em).
TIGHT = 0.6
# Share of a figure column's cells that must be figures.
FIGURE_SHARE = 0.6
# A table's cells are short; a paragraph cut into columns is not.
MAX_MEDIAN_CELL_CHARS = 16
_PLACEHOLDER = re.compile(r"^[-—/\\无]+$")
_LABEL = re.compile(r"[:：]$")


@dataclass
class Seg:
    """Characters of one line standing together: one cell's text on that line."""

    chars: list[tuple[int, Char]]
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        inked = [c for _, c in self.chars if not c[0].isspace()]
        self.box = (
            min(c[1] for c in inked),
            min(c[2] for c in inked),
            max(c[3] for c in inked),
            max(c[4] for c in inked),
        )

    @property
    def text(self) -> str:
        return "".join(c[0] for _, c in self.chars).strip()

    @property
    def centre(self) -> float:
        return (self.box[0] + self.box[2]) / 2


@dataclass
class Line:
    segs: list[Seg]
    size: float
    top: float = 0.0
    bottom: float = 0.0

    def __post_init__(self) -> None:
        self.top = min(s.box[1] for s in self.segs)
        self.bottom = max(s.box[3] for s in self.segs)

    @property
    def has_figure(self) -> bool:
        return any(is_figure(s.text) for s in self.segs[1:])


def column(x: float, gutters: list[Interval]) -> int:
    return sum(1 for lo, hi in gutters if x >= (lo + hi) / 2)


def cells_of(line: Line, gutters: list[Interval]) -> dict[int, list[Seg]]:
    out: dict[int, list[Seg]] = {}
    for seg in line.segs:
        out.setdefault(column(seg.centre, gutters), []).append(seg)
    return out


def figure_columns(rows: list[dict[int, list[Seg]]], n_cols: int, least: int) -> set[int]:
    """Columns (after the first) whose filled cells are mostly figures, ``least`` of them."""
    out = set()
    for col in range(1, n_cols):
        texts = [" ".join(s.text for s in r[col]) for r in rows if col in r]
        texts = [t for t in texts if not _PLACEHOLDER.match(t)]
        figures = sum(1 for t in texts if is_figure(t))
        if figures >= least and figures >= FIGURE_SHARE * len(texts):
            out.add(col)
    return out


def is_full(cells: dict[int, list[Seg]], figures: set[int]) -> bool:
    """A row's own line: it fills a figure column. Lines of wrapped or centred cells,
    however many columns they touch, do not."""
    return bool(figures & cells.keys())


def _bands(lines: list[Line]) -> list[list[int]] | None:
    """Lines grouped into table rows where rows stand further apart than the lines of one
    cell; None when every line is as far from the next (no telling rows from wraps)."""
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False)]
    if not gaps:
        return [[0]]
    size = statistics.median(ln.size for ln in lines)
    small = min(gaps)
    if max(gaps) - small <= 0.25 * size:
        return None
    # Centred cells set their lines half a line apart, so gaps inside a row can be
    # negative; a row break is a real gap.
    apart = max(small + 0.25 * size, TIGHT * size)
    bands = [[0]]
    for k, gap in enumerate(gaps, start=1):
        if gap > apart:
            bands.append([k])
        else:
            bands[-1].append(k)
    return bands


Cells = dict[int, list[Seg]]


def _merge(into: Cells, extra: Cells, before: bool = False) -> None:
    for c, segs in extra.items():
        if before:
            into.setdefault(c, [])[:0] = segs
        else:
            into.setdefault(c, []).extend(segs)


def group_rows(body: list[Cells], full: list[bool], lines: list[Line]) -> tuple[list[Cells], int]:
    """Full rows with the wrapped lines that belong to them, and how many lines were used
    (wrapped-looking lines after the last row are not the table's). Rows apart: each
    cell's lines go to the row whose band they sit in, the band drawn by the row's own
    line (its figures), whatever the other columns do. Otherwise a partial line joins the
    full row below when that row leaves its columns empty (a cell centred over two lines),
    else the row above."""
    if _bands(lines) is None or not any(full):
        return _group_lines(body, full, range(len(body)), lines)
    anchors = [k for k in range(len(body)) if full[k]]
    rows: list[Cells] = [{} for _ in anchors]
    runs = [
        (c, run)
        for c in sorted({c for b in body for c in b})
        for run in _column_runs(body, full, lines, c)
    ]
    # A row's band: from the top to the bottom of its cells that reach its own line.
    bands = [[lines[k].top, lines[k].bottom] for k in anchors]
    for _, run in runs:
        own = [anchors.index(k) for k, _ in run if full[k]]
        if own:
            band = bands[own[0]]
            band[0] = min(band[0], *(seg.box[1] for _, seg in run))
            band[1] = max(band[1], *(seg.box[3] for _, seg in run))
    used = anchors[-1] + 1
    # Cells of many lines first: a long reason centred on its row widens the row's band
    # before a merged label of a line or two is placed against it.
    for col, run in sorted(runs, key=lambda cr: -len(cr[1])):
        r = _row_of(run, anchors, bands, lines)
        if r is None:
            continue
        rows[r].setdefault(col, []).extend(seg for _, seg in run)
        bands[r][0] = min(bands[r][0], *(seg.box[1] for _, seg in run))
        bands[r][1] = max(bands[r][1], *(seg.box[3] for _, seg in run))
        used = max(used, run[-1][0] + 1)
    return rows, used


def _column_runs(
    body: list[Cells], full: list[bool], lines: list[Line], col: int
) -> list[list[tuple[int, Seg]]]:
    """The column's pieces top-down, cut into cells: lines set tight together are one
    cell, unless each stands on a row's own line."""
    runs: list[list[tuple[int, Seg]]] = []
    for k, cells in enumerate(body):
        for seg in cells.get(col, []):
            last = runs[-1] if runs else None
            if (
                last is not None
                and seg.box[1] - last[-1][1].box[3] <= TIGHT * lines[k].size
                and not (full[k] and any(full[m] for m, _ in last))
            ):
                last.append((k, seg))
            else:
                runs.append([(k, seg)])
    return runs


def _row_of(
    run: list[tuple[int, Seg]], anchors: list[int], bands: list[list[float]], lines: list[Line]
) -> int | None:
    """The row a cell's lines belong to: the one whose own line they stand on, else the
    one whose band holds their middle, else the nearest band (the lower of two equally
    near: a merged cell centred over an even number of rows); None for lines after the
    last row set apart from it (a note under the table)."""
    own = [anchors.index(k) for k, _ in run if k in anchors]
    if own:
        return own[0]
    top = min(seg.box[1] for _, seg in run)
    bottom = max(seg.box[3] for _, seg in run)
    size = lines[run[0][0]].size
    if run[0][0] > anchors[-1] and top - bands[-1][1] > TIGHT * size:
        return None
    mid = (top + bottom) / 2
    best, at = float("inf"), 0
    for r, (lo, hi) in enumerate(bands):
        d = max(lo - mid, mid - hi, 0.0)
        if d <= best + 0.25 * size:
            best, at = min(best, d), r
    return at


def _group_lines(
    body: list[Cells], full: list[bool], at: range | list[int], lines: list[Line]
) -> tuple[list[Cells], int]:
    rows: list[Cells] = []
    pending: list[Cells] = []
    used = 0
    for k in at:
        cells = body[k]
        if full[k]:
            merged = {c: list(s) for c, s in cells.items()}
            for extra in reversed(pending):
                _merge(merged, extra, before=True)
            pending = []
            rows.append(merged)
            used = k + 1
            continue
        below = next((body[m] for m in at if m > k and full[m]), None)
        if below is None:
            # After the last row only the rest of its cells, set tight under it; a note or
            # heading under the table stands further off.
            if rows and used == k and lines[k].top - lines[k - 1].bottom <= TIGHT * lines[k].size:
                _merge(rows[-1], cells)
                used = k + 1
                continue
            break
        if not rows or not cells.keys() & below.keys():
            pending.append(cells)
        else:
            _merge(rows[-1], cells)
            used = k + 1
    return rows, used


def looks_like_table(
    rows: list[dict[int, list[Seg]]], n_cols: int, figures: set[int], min_rows: int
) -> bool:
    if n_cols < 3 or len(rows) < min_rows or not figures:
        return False
    texts = [cell_text(segs) for r in rows for segs in r.values()]
    if statistics.median(len(t) for t in texts) > MAX_MEDIAN_CELL_CHARS:
        return False
    for col in range(n_cols):  # a form: a column of '名称：' labels
        labels = [cell_text(r[col]) for r in rows if col in r]
        if len(labels) >= 2 and sum(1 for t in labels if _LABEL.search(t)) * 2 >= len(labels):
            return False
    return True


def cell_text(segs: list[Seg]) -> str:
    """A cell's segments as text: one line's pieces joined by a space, lines by
    ``join_wrapped`` (no space inside Chinese or a wrapped number)."""
    by_line: list[list[Seg]] = []
    for seg in sorted(segs, key=lambda s: (s.box[1], s.box[0])):
        if by_line and abs(seg.box[1] - by_line[-1][0].box[1]) < 0.5 * (seg.box[3] - seg.box[1]):
            by_line[-1].append(seg)
        else:
            by_line.append([seg])
    return join_wrapped(
        [" ".join(s.text for s in sorted(ln, key=lambda s: s.box[0])) for ln in by_line]
    )


def grid(rows: list[dict[int, list[Seg]]], gutters: list[Interval], page: int) -> PdfTable:
    segs = [s for r in rows for ss in r.values() for s in ss]
    box = (
        min(s.box[0] for s in segs),
        min(s.box[1] for s in segs),
        max(s.box[2] for s in segs),
        max(s.box[3] for s in segs),
    )
    cols = [box[0], *((lo + hi) / 2 for lo, hi in gutters), box[2]]
    tops = [min(s.box[1] for ss in r.values() for s in ss) for r in rows]
    bottoms = [max(s.box[3] for ss in r.values() for s in ss) for r in rows]
    cells = []
    for r, row in enumerate(rows):
        for c in range(len(cols) - 1):
            found = row.get(c, [])
            cell_box = (
                _union([s.box for s in found])
                if found
                else (cols[c], tops[r], cols[c + 1], bottoms[r])
            )
            cells.append(
                GridCell(r, c, 1, 1, cell_box, page, text=cell_text(found) if found else "")
            )
    return PdfTable(
        page=page,
        box=box,
        cols=cols,
        rows=[*tops, bottoms[-1]],
        cells=cells,
        n_rows=len(rows),
        pages=[page],
        last_box=box,
        gutters=list(gutters),
    )


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
