"""Borderless tables on a scanned page (无框线表格), rebuilt from the OCR engine's text boxes.

A 绩效自评表 printed without rulings and then scanned has no lines for ``ocr_tables`` to
find: its cells stand only by position. Read as running text, each row falls apart into
one line per cell (the cells stand wider apart than words), so no reader downstream can
put a row back together. This module gives such a page the same column-band method as
text PDFs (``pdf_borderless``): every text box the ruled grids did not take is turned into
characters with estimated positions (the box's width shared out by glyph width: a CJK
glyph one em, a Latin letter or digit about half), with the box height as the size, and
``find_borderless`` looks for aligned blocks among them. A box the engine read as one
piece stays one piece of a cell; the gaps between boxes are the gutters.

Works in the deskewed work coordinates of ``service.ingest.ocr`` and returns tables there;
knows nothing of the document model (``ocr.py`` maps boxes back and emits the cells).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from service.ingest.pdf_borderless import find_borderless
from service.ingest.pdf_tables import Char, PdfTable

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in work pixels

# The OCR box around a line of glyphs is taller than the glyphs (the detector pads it):
# the font size the column method reasons in (em) is about this share of its height
# (9 pt text at 200 dpi: 25 px glyphs in 39 px boxes).
_GLYPH_SHARE = 0.65
# Width of a glyph in em: full-width (CJK, ≥, ％) one em, others (digits, Latin, '.') about half.
_NARROW = 0.55
# A blank run inside one engine box wider than this (em) parts two cells' text.
_SPLIT_GAP = 0.8
# Never parted: a point or comma and what follows it, a figure and its %.
_NUMBERISH = re.compile(r"[.,]\d|\d[.,%]")


@dataclass
class TextBox:
    """One engine result not inside a ruled table: its text and rectangle."""

    text: str
    rect: Rect


@dataclass
class ScanCell:
    row: int
    col: int
    text: str
    rect: Rect


@dataclass
class ScanTable:
    cells: list[ScanCell]
    rect: Rect
    gutters: list[tuple[float, float]] = field(default_factory=list)  # between its columns


def _width(ch: str) -> float:
    if ch.isspace():
        return _NARROW
    # Ambiguous-width signs (≥, ≤, ±) are set full width by Chinese fonts.
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else _NARROW


def ink_runs(ink: np.ndarray | None, box: TextBox, size: float) -> list[tuple[float, float]]:
    """The stretches of ``box`` (x0, x1) that hold ink, parted where a blank run wider than
    ``_SPLIT_GAP`` em stands between glyphs: the engine reads a right-aligned score and the
    deviation text after it as one box (“9个别申请材料不全”) though a column gap parts them."""
    x0, y0, x1, y1 = (int(round(v)) for v in box.rect)
    if ink is None or x1 <= x0 or y1 <= y0:
        return [(box.rect[0], box.rect[2])]
    cols = ink[max(y0, 0) : y1, max(x0, 0) : x1].any(axis=0)
    xs = np.flatnonzero(cols)
    if xs.size == 0:
        return [(box.rect[0], box.rect[2])]
    runs: list[list[float]] = [[float(xs[0]), float(xs[0]) + 1]]
    for a, b in zip(xs, xs[1:], strict=False):
        if b - a > _SPLIT_GAP * size:
            runs.append([float(b), float(b) + 1])
        else:
            runs[-1][1] = float(b) + 1
    return [(x0 + a, x0 + b) for a, b in runs]


def box_chars(
    box: TextBox, ink: np.ndarray | None = None, min_size: float = 1.0
) -> tuple[list[Char], float]:
    """The characters of ``box`` with estimated positions, and its em: each glyph's share
    of the width by its kind, laid over the inked stretches of the box in turn (a glyph
    whose middle would fall past a stretch's end starts the next one). ``min_size``: the
    page's usual em; a box of figures only is lower than the line it stands in (no
    glyph reaches below the baseline), and its own height would make the blank beside
    a narrow “1” look like a gap between cells (“10” read as 1 | 0)."""
    x0, y0, x1, y1 = box.rect
    size = max((y1 - y0) * _GLYPH_SHARE, min_size, 1.0)
    runs = ink_runs(ink, box, size)
    weights = [_width(ch) for ch in box.text]
    # The box is a little taller than its glyphs too; keep the glyphs' centre line.
    pad = (y1 - y0 - size) / 2
    while True:
        lefts, bridged = _lay_out(box.text, weights, runs, (x1 - x0) or 1.0)
        if bridged is None:
            break
        # A gap inside a number (the wide blank after a point in '17.5'): one stretch, so
        # its glyphs spread over the blank instead of overrunning the stretch before it.
        runs = [*runs[:bridged], (runs[bridged][0], runs[bridged + 1][1]), *runs[bridged + 2 :]]
    out: list[Char] = []
    for ch, (left, width) in zip(box.text, lefts, strict=True):
        if not ch.isspace():  # where the glyphs stand is known: a space adds nothing
            out.append((ch, left, y0 + pad, left + width, y1 - pad))
    return out, size


def _lay_out(
    text: str, weights: list[float], runs: list[tuple[float, float]], fallback: float
) -> tuple[list[tuple[float, float]], int | None]:
    """(left, width) of each glyph laid over ``runs`` in turn; and the first stretch a
    number ran past the end of (it goes on in the next stretch), or None."""
    inked = sum(b - a for a, b in runs) or fallback
    scale = inked / (sum(weights) or 1.0)
    out: list[tuple[float, float]] = []
    k, used = 0, 0.0  # the stretch being filled, and how far along it
    prev = ""
    for ch, w in zip(text, weights, strict=True):
        width = w * scale
        # Inside a number only between digits ('13.5' set wide leaves a gap after the
        # point; '15' and '12个' of two cells the engine read as one box are parted).
        inside_number = _NUMBERISH.match(prev + ch) is not None
        past = k + 1 < len(runs) and used + width / 2 > runs[k][1] - runs[k][0]
        if past and inside_number:
            return out, k
        while past:
            k, used = k + 1, 0.0
            past = k + 1 < len(runs) and used + width / 2 > runs[k][1] - runs[k][0]
        out.append((runs[k][0] + used, width))
        used += width
        prev = ch
    return out, None


def _usual_size(boxes: list[TextBox]) -> float:
    """The em of the page's text lines: the median box height's glyph share."""
    heights = sorted(b.rect[3] - b.rect[1] for b in boxes if b.rect[3] > b.rect[1])
    return heights[len(heights) // 2] * _GLYPH_SHARE if heights else 1.0


def find_scan_tables(
    boxes: list[TextBox],
    page_height: float,
    ink: np.ndarray | None = None,
    previous: list[tuple[float, float]] | None = None,
) -> tuple[list[ScanTable], list[TextBox]]:
    """Borderless tables among ``boxes`` (top to bottom) and the boxes they left over.
    ``ink``: the page's ink mask in the same coordinates (where the glyphs stand inside a
    box), or None to share each box's width out evenly. ``previous``: the gutters of the
    table the page before ended with, which a headerless block at the top may continue."""
    chars: list[Char] = []
    sizes: list[float] = []
    owner: list[int] = []
    usual = _usual_size(boxes)
    for b, box in enumerate(boxes):
        cs, size = box_chars(box, ink, usual)
        chars += cs
        sizes += [size] * len(cs)
        owner += [b] * len(cs)
    if not chars:
        return [], boxes
    taken = [False] * len(chars)
    before = None
    if previous:
        before = PdfTable(page=0, box=(0, 0, 0, 0), cols=[], rows=[], cells=[], n_rows=0)
        before.gutters = list(previous)
    found = find_borderless(chars, sizes, taken, (1, page_height), before)
    if not found:
        return [], boxes
    used = {owner[i] for i, t in enumerate(taken) if t}
    tables = [
        ScanTable(
            cells=[ScanCell(c.row, c.col, c.text, c.box) for c in t.cells],
            rect=t.box,
            gutters=list(t.gutters or []),
        )
        for t in found
    ]
    return tables, [box for b, box in enumerate(boxes) if b not in used]
