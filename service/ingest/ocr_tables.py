"""Ruled tables on a scanned page: ruling lines → a grid of cells with row/column spans.

Owns the image side of table reading on scans: binarise, remove the text the OCR engine
found, extract horizontal and vertical ruling lines with morphology (OpenCV), cluster them
into row and column boundaries and decide, wall by wall, which elementary cells are merged.
Works on an already deskewed grayscale page in pixels; knows nothing of OCR text, of the
document model or of file formats (``service.ingest.ocr`` puts text into the cells).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# A wall between two elementary cells counts as drawn when this share of its length is ink.
# Scan noise and anti-aliasing break lines here and there; a merged cell has no ink at all.
_WALL_COVERAGE = 0.6


@dataclass
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


@dataclass
class TableGrid:
    n_rows: int
    n_cols: int
    cells: list[GridCell]
    box: tuple[float, float, float, float]
    row_edges: list[float]
    col_edges: list[float]


@dataclass
class _Segment:
    pos: float  # y of a horizontal segment, x of a vertical one
    lo: float  # where it starts along its length
    hi: float


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0. Otsu on a lightly blurred page: robust to scan noise and grey paper."""
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def detect_tables(
    gray: np.ndarray,
    text_boxes: list[tuple[float, float, float, float]] | None = None,
    em: float = 30.0,
) -> list[TableGrid]:
    """Ruled tables on ``gray`` (deskewed, HxW uint8), top to bottom.

    ``text_boxes`` are the OCR engine's text boxes: ink that lies wholly inside one of them
    is text, not ruling, and is removed first so that strokes of characters such as 一 or 丨
    cannot pass for lines. ``em`` is the typical text height in pixels; kernel lengths and
    tolerances scale with it, so the same code works at 150 and 300 dpi.
    """
    ink = binarize(gray)
    if text_boxes:
        ink = _remove_text(ink, text_boxes, margin=max(2.0, em * 0.15))
    h_mask, v_mask = _ruling_masks(ink, em)
    grids: list[TableGrid] = []
    for x0, y0, x1, y1 in _table_regions(h_mask, v_mask, em):
        grid = _build_grid(h_mask[y0:y1, x0:x1], v_mask[y0:y1, x0:x1], em)
        if grid is not None:
            grids.append(_shift(grid, x0, y0))
    grids.sort(key=lambda g: g.box[1])
    return grids


def _remove_text(
    ink: np.ndarray, boxes: list[tuple[float, float, float, float]], margin: float
) -> np.ndarray:
    """Clear every connected ink component that fits inside a text box.

    A ruling line touching a text box is one long component reaching far outside it, so it
    survives; only glyphs go. Erasing box rectangles instead would cut holes in lines.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    inside = np.zeros(n, dtype=bool)
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    right = left + stats[:, cv2.CC_STAT_WIDTH]
    bottom = top + stats[:, cv2.CC_STAT_HEIGHT]
    for bx0, by0, bx1, by1 in boxes:
        inside |= (
            (left >= bx0 - margin)
            & (right <= bx1 + margin)
            & (top >= by0 - margin)
            & (bottom <= by1 + margin)
        )
    inside[0] = False  # background
    out = ink.copy()
    out[inside[labels]] = 0
    return out


def _ruling_masks(ink: np.ndarray, em: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines: morphological opening with long thin kernels."""
    h_len = max(int(em * 2.0), 20)
    v_len = max(int(em * 1.0), 12)
    # Close tiny breaks first (noise, thin scanned lines), then keep only long runs.
    h_mask = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1))
    )
    h_mask = cv2.morphologyEx(
        h_mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1))
    )
    v_mask = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5))
    )
    v_mask = cv2.morphologyEx(
        v_mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len))
    )
    return h_mask, v_mask


def _table_regions(
    h_mask: np.ndarray, v_mask: np.ndarray, em: float
) -> list[tuple[int, int, int, int]]:
    """Boxes of connected ruling structures big enough to be a table."""
    pad = max(int(em * 0.3), 3)
    joined = cv2.dilate(h_mask | v_mask, np.ones((pad, pad), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    height, width = h_mask.shape
    regions = []
    for i in range(1, n):
        x, y, w, h = stats[i, :4]
        if w < em * 3 or h < em * 1.2:
            continue
        regions.append(
            (max(x - pad, 0), max(y - pad, 0), min(x + w + pad, width), min(y + h + pad, height))
        )
    return regions


def _segments(mask: np.ndarray, horizontal: bool, min_len: float) -> list[_Segment]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h = (float(v) for v in stats[i, :4])
        if horizontal and w >= min_len:
            out.append(_Segment(pos=y + h / 2, lo=x, hi=x + w))
        elif not horizontal and h >= min_len:
            out.append(_Segment(pos=x + w / 2, lo=y, hi=y + h))
    return out


def _cluster(positions: list[float], tol: float) -> list[float]:
    """Merge positions closer than ``tol`` (the two edges of a thick line, skew residue)."""
    edges: list[list[float]] = []
    for p in sorted(positions):
        if edges and p - edges[-1][-1] <= tol:
            edges[-1].append(p)
        else:
            edges.append([p])
    return [sum(group) / len(group) for group in edges]


def _build_grid(h_mask: np.ndarray, v_mask: np.ndarray, em: float) -> TableGrid | None:
    h_segs = _segments(h_mask, horizontal=True, min_len=em * 2.0)
    v_segs = _segments(v_mask, horizontal=False, min_len=em * 0.8)
    if len(h_segs) < 2 or len(v_segs) < 2:
        return None
    tol = max(em * 0.35, 4.0)
    rows = _cluster([s.pos for s in h_segs], tol)
    cols = _cluster([s.pos for s in v_segs], tol)
    # Tables drawn without left/right (or top/bottom) borders: the lines' own extent is
    # the frame.
    cols = _add_frame(cols, min(s.lo for s in h_segs), max(s.hi for s in h_segs), tol)
    rows = _add_frame(rows, min(s.lo for s in v_segs), max(s.hi for s in v_segs), tol)
    if len(rows) < 2 or len(cols) < 2:
        return None
    thick = max(int(em * 0.15), 2)
    v_wall = _walls(v_mask, rows, cols, vertical=True, reach=thick)
    h_wall = _walls(h_mask, rows, cols, vertical=False, reach=thick)
    cells = _merge_cells(v_wall, h_wall, rows, cols)
    if len(cells) < 2:
        return None  # a single box around text is a frame, not a table
    return TableGrid(
        n_rows=len(rows) - 1,
        n_cols=len(cols) - 1,
        cells=cells,
        box=(cols[0], rows[0], cols[-1], rows[-1]),
        row_edges=rows,
        col_edges=cols,
    )


def _add_frame(edges: list[float], lo: float, hi: float, tol: float) -> list[float]:
    out = list(edges)
    if lo < out[0] - tol * 2:
        out.insert(0, lo)
    if hi > out[-1] + tol * 2:
        out.append(hi)
    return out


def _walls(
    mask: np.ndarray, rows: list[float], cols: list[float], vertical: bool, reach: int
) -> np.ndarray:
    """``walls[r, c]``: whether the inner boundary after elementary cell (r, c) is drawn.

    Vertical: between (r, c) and (r, c+1). Horizontal: between (r, c) and (r+1, c).
    """
    n_rows, n_cols = len(rows) - 1, len(cols) - 1
    height, width = mask.shape
    walls = np.ones((n_rows, n_cols), dtype=bool)
    for r in range(n_rows):
        for c in range(n_cols):
            if vertical and c < n_cols - 1:
                at = int(round(cols[c + 1]))
                lo, hi = int(rows[r]), int(rows[r + 1])
                band = mask[lo:hi, max(at - reach, 0) : min(at + reach + 1, width)]
                profile = band.any(axis=1)
            elif not vertical and r < n_rows - 1:
                at = int(round(rows[r + 1]))
                lo, hi = int(cols[c]), int(cols[c + 1])
                band = mask[max(at - reach, 0) : min(at + reach + 1, height), lo:hi]
                profile = band.any(axis=0)
            else:
                continue
            # Ignore the ends, where the crossing lines stand.
            trim = max(len(profile) // 8, reach)
            inner = profile[trim : len(profile) - trim] if len(profile) > 2 * trim else profile
            walls[r, c] = bool(inner.size) and inner.mean() >= _WALL_COVERAGE
    return walls


def _merge_cells(
    v_wall: np.ndarray, h_wall: np.ndarray, rows: list[float], cols: list[float]
) -> list[GridCell]:
    """Elementary cells not separated by a wall form one merged cell each."""
    label = _rectangular(_regions(v_wall, h_wall))
    cells = []
    for comp in dict.fromkeys(label.ravel().tolist()):  # row-major order of first cell
        rs, cs = np.nonzero(label == comp)
        r0, r1, c0, c1 = int(rs.min()), int(rs.max()), int(cs.min()), int(cs.max())
        cells.append(
            GridCell(
                row=r0,
                col=c0,
                row_span=r1 - r0 + 1,
                col_span=c1 - c0 + 1,
                box=(cols[c0], rows[r0], cols[c1 + 1], rows[r1 + 1]),
            )
        )
    return cells


def _regions(v_wall: np.ndarray, h_wall: np.ndarray) -> np.ndarray:
    """Label each elementary cell with its region: union-find over missing walls."""
    n_rows, n_cols = v_wall.shape
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            here = r * n_cols + c
            if c < n_cols - 1 and not v_wall[r, c]:
                parent[find(here)] = find(here + 1)
            if r < n_rows - 1 and not h_wall[r, c]:
                parent[find(here)] = find(here + n_cols)
    return np.array([find(i) for i in range(n_rows * n_cols)]).reshape(n_rows, n_cols)


def _rectangular(label: np.ndarray) -> np.ndarray:
    """Widen every region that is not a rectangle (a wall stopping half-way, a smudge) to
    its bounding rectangle, absorbing the regions it overlaps, so cells never overlap."""
    changed = True
    while changed:
        changed = False
        for comp in np.unique(label):
            rs, cs = np.nonzero(label == comp)
            block = label[rs.min() : rs.max() + 1, cs.min() : cs.max() + 1]
            others = block[block != comp]
            if others.size:
                label[np.isin(label, others)] = comp
                changed = True
                break
    return label


def _shift(grid: TableGrid, dx: float, dy: float) -> TableGrid:
    def move(b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)

    for cell in grid.cells:
        cell.box = move(cell.box)
    grid.box = move(grid.box)
    grid.row_edges = [y + dy for y in grid.row_edges]
    grid.col_edges = [x + dx for x in grid.col_edges]
    return grid
