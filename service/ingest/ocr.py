"""OCR of one page image: deskew, ruled tables as grids, one engine pass, lines and cells.

Owns the offline OCR engine — ``rapidocr`` with its bundled PP-OCRv6 small models and the
angle classifier off (with it on, whole lines came out flipped and were silently dropped;
any other model choice downloads at run time, which we never do) — and the mapping of its
boxes onto running-text lines and table cells. The PDF reader (scanned pages) and the image
reader call ``ocr_image`` then ``emit_ocr_page``. Knows nothing of file formats; must not
touch the database or the web. See docs/ocr.md for the measurements behind the choices.
"""

from __future__ import annotations

import math
import re
import statistics
import threading
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from service.config import OCRSettings
from service.document import BBox, CellDraft, DocumentBuilder
from service.document.builder import normalize_text
from service.errors import OCRError
from service.ingest.ocr_borderless import TextBox, find_scan_tables
from service.ingest.ocr_tables import GridCell, TableGrid, binarize, detect_tables

# Pages are processed at most this large (long side, pixels); bigger scans are shrunk for
# deskew/table work and boxes scaled back. The engine itself reads at most 2000 px.
MAX_WORK_SIDE = 3500
# Skew search range and precision, degrees. Scans and phone photos of a flat page are
# within a few degrees; beyond that the page needs a human anyway.
MAX_SKEW = 6.0
_SKEW_STEP = 0.1
_MIN_ROTATION = 0.05  # below this, rotating costs more than it helps

_CJK = (
    r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
)
_NEAR_CJK = rf"{_CJK}0-9,.:;!?()%\u201c\u201d\u2018\u2019"
# The engine puts spaces where glyphs stand a little apart: "1059.01 万元", "11 1 2.51",
# "857. 11". Chinese prose has no spaces, and a space inside a number breaks every parser
# downstream, so both go; spaces between Latin words stay. The number rule is applied within
# one engine box only: two boxes apart on a row are joined with a space that survives
# between numbers (the columns of an unruled table must not run together).
_SPACE_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_NEAR_CJK}])|(?<=[{_NEAR_CJK}])\s+(?=[{_CJK}])")
# A comma followed by exactly two digits and a unit is never a thousands separator: it is a
# decimal point read as a comma ("1059,01万元"), seen at 150 dpi.
_DECIMAL_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9]{2}(?:万|元|亿|%))")
_SPACE_IN_NUMBER = re.compile(
    r"(?<=[0-9.])\s+(?=[0-9.%])|(?<=[0-9])\s+(?=,[0-9])|(?<=[<>=≤≥±])\s+(?=[0-9])"
)


@dataclass
class OcrLine:
    text: str
    bbox: BBox  # pixels of the input image
    confidence: float


@dataclass
class OcrTable:
    cells: list[CellDraft]  # bbox in pixels of the input image
    bbox: BBox


@dataclass
class OcrPage:
    width: int
    height: int
    lines: list[OcrLine] = field(default_factory=list)  # running text outside tables
    tables: list[OcrTable] = field(default_factory=list)
    angle: float = 0.0  # deskew rotation applied before reading, degrees (counter-clockwise)
    # The gutters of the borderless table the page ends with (work pixels), which the
    # next page's top may continue without its header.
    last_gutters: list[tuple[float, float]] | None = None
    confidence: float | None = None  # mean engine score of the page's text boxes
    # What the layout was built from: the gutters passed in as ``previous``, and the
    # engine's boxes (corners x0 y0 … x3 y3 in work pixels, text, score). A page OCR'd
    # apart from the page before it (the first of a split scan's page range) is laid out
    # again from these once that page's gutters are known (``lay_out_again``).
    previous: list[tuple[float, float]] | None = None
    boxes: list[tuple[list[float], str, float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Lines and table cells in reading order, for a quick look (tests, the bench)."""
        parts: list[str] = []
        for item in _reading_order(self):
            if isinstance(item, OcrLine):
                parts.append(item.text)
            else:
                parts.extend(c.text for c in sorted(item.cells, key=lambda c: (c.row, c.col)))
        return "\n".join(parts)


# --- the engine ---------------------------------------------------------------------------

# The bundled default models only (anything else downloads). The angle classifier is off:
# on upright scans it flipped whole lines and they were dropped. Detection runs on the page
# shrunk to 1280 px (long side): 60% less detection time, no loss measured down to 7.5 pt
# text at 150 dpi; recognition still reads crops of the page at up to 2000 px. Lines are
# recognised one at a time: batches of six padded to their widest line cost ~20% more CPU.
ENGINE_PARAMS: dict[str, Any] = {
    "Global.use_cls": False,
    "Global.log_level": "error",
    "Det.limit_type": "max",
    "Det.limit_side_len": 1280,
    "Rec.rec_batch_num": 1,
}

_engine: Any = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()


def get_engine(threads: int = 0) -> Any:
    """The process-wide engine, loaded on first use (~1 s) with ``threads`` inference
    threads (0: onnxruntime's choice, every core); later calls get that engine whatever
    they ask (one process serves one worker's settings). Thread-safe."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = _load_engine(threads)
    return _engine


def _load_engine(threads: int) -> Any:
    params = dict(ENGINE_PARAMS)
    if threads > 0:  # the results are the same with any count (measured); only speed differs
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
    try:
        from rapidocr import RapidOCR

        engine = RapidOCR(params=params)
        # The models load lazily on the first call that needs them; read a word now so
        # both load here, once, and a broken install fails here rather than on a user's page.
        probe = np.full((64, 256, 3), 255, np.uint8)
        cv2.putText(probe, "2021", (20, 48), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
        engine(probe)
    except Exception as exc:  # any failure here is ours, not the caller's
        raise OCRError(f"cannot load the OCR engine: {exc}") from exc
    return engine


@dataclass
class _Box:
    """One engine result, in work coordinates (deskewed, possibly shrunk)."""

    quad: np.ndarray  # 4x2
    text: str
    score: float

    @property
    def rect(self) -> tuple[float, float, float, float]:
        xs, ys = self.quad[:, 0], self.quad[:, 1]
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())

    @property
    def height(self) -> float:
        r = self.rect
        return r[3] - r[1]

    @property
    def center(self) -> tuple[float, float]:
        r = self.rect
        return (r[0] + r[2]) / 2, (r[1] + r[3]) / 2


def _run_engine(bgr: np.ndarray, threads: int = 0) -> list[_Box]:
    engine = get_engine(threads)
    try:
        # The engine object keeps per-call state; one page at a time per process (its
        # inference already uses every core).
        with _run_lock:
            result = engine(bgr)
    except Exception as exc:
        raise OCRError(f"the OCR engine failed on a page: {exc}") from exc
    if result is None or getattr(result, "boxes", None) is None or not result.txts:
        return []
    out = []
    for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
        text = clean_text(text)
        if text:
            out.append(_Box(np.asarray(quad, dtype=np.float64), text, float(score)))
    return out


def clean_text(text: str) -> str:
    """NFKC, then drop the spaces the engine inserts inside Chinese text and numbers."""
    text = normalize_text(text).strip()
    text = _SPACE_IN_NUMBER.sub("", text)
    text = _DECIMAL_COMMA.sub(".", text)
    return _SPACE_CJK.sub("", text)


# --- the page -----------------------------------------------------------------------------


def ocr_image(
    image: np.ndarray,
    options: OCRSettings | None = None,
    previous: list[tuple[float, float]] | None = None,
) -> OcrPage:
    """Read one page image (HxWx3 uint8 BGR, or HxW gray). Boxes are in its pixels.
    ``previous``: the ``last_gutters`` of the page before (a borderless table going on)."""
    work = _WorkImage.of(image)
    return _lay_out(work, _run_engine(work.bgr, options.threads if options else 0), previous)


def lay_out_again(
    image: np.ndarray, page: OcrPage, previous: list[tuple[float, float]] | None
) -> OcrPage:
    """``page`` (read from ``image``) as ``ocr_image(image, previous=previous)`` reads it,
    from the engine boxes it kept: the deskew and the layout again, not the engine (a
    tenth of a page's OCR time)."""
    boxes = [
        _Box(np.asarray(quad, dtype=np.float64).reshape(4, 2), text, score)
        for quad, text, score in page.boxes
    ]
    return _lay_out(_WorkImage.of(image), boxes, previous)


@dataclass
class _WorkImage:
    """The page image deskewed (and shrunk when huge): what the engine reads."""

    bgr: np.ndarray
    gray: np.ndarray
    size: tuple[int, int]  # the input image's width, height
    angle: float
    to_work: np.ndarray  # input pixels → work pixels (2x3 affine)

    @classmethod
    def of(cls, image: np.ndarray) -> _WorkImage:
        bgr, gray = _as_bgr_gray(image)
        height, width = gray.shape
        shrink = min(1.0, MAX_WORK_SIDE / max(height, width))
        if shrink < 1.0:
            size = (max(int(width * shrink), 1), max(int(height * shrink), 1))
            bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
            gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        angle = estimate_skew(gray)
        to_work = np.array([[shrink, 0.0, 0.0], [0.0, shrink, 0.0]])
        if abs(angle) >= _MIN_ROTATION:
            rot = cv2.getRotationMatrix2D((gray.shape[1] / 2, gray.shape[0] / 2), angle, 1.0)
            bgr = _rotate(bgr, rot)
            gray = _rotate(gray, rot)
            to_work = _compose(rot, to_work)
        else:
            angle = 0.0
        return cls(bgr, gray, (width, height), angle, to_work)


def _lay_out(
    work: _WorkImage, boxes: list[_Box], previous: list[tuple[float, float]] | None
) -> OcrPage:
    """Ruled tables, borderless tables and lines from the engine's boxes."""
    width, height = work.size
    em = statistics.median(b.height for b in boxes) if boxes else 30.0
    grids = detect_tables(work.gray, [b.rect for b in boxes], em=em)
    back = cv2.invertAffineTransform(work.to_work)
    page = OcrPage(width=width, height=height, angle=round(work.angle, 2))
    page.tables, free = _fill_tables(grids, boxes, back, (width, height))
    borderless, free, page.last_gutters = _borderless_tables(
        free, work.gray, back, (width, height), previous
    )
    page.tables += borderless
    page.lines = _group_lines(free, em, back, (width, height))
    if boxes:
        page.confidence = round(sum(b.score for b in boxes) / len(boxes), 4)
    page.previous = list(previous) if previous else None
    page.boxes = [(b.quad.ravel().tolist(), b.text, b.score) for b in boxes]
    return page


def _as_bgr_gray(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise OCRError("the page image is empty")
    if image.dtype != np.uint8:
        image = cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), image
    if image.ndim == 3 and image.shape[2] == 3:
        return image, cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.ndim == 3 and image.shape[2] == 4:
        bgr = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        return bgr, cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    raise OCRError(f"unsupported page image shape {image.shape}")


def _rotate(img: np.ndarray, rot: np.ndarray) -> np.ndarray:
    white = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpAffine(
        img,
        rot,
        (img.shape[1], img.shape[0]),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=white,
    )


def _compose(second: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The 2x3 affine doing ``first`` then ``second``."""
    a = np.vstack([second, [0, 0, 1]]) @ np.vstack([first, [0, 0, 1]])
    return a[:2]


def estimate_skew(gray: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines and rulings level.

    Projection profiles: shear the ink pixels by each candidate angle and keep the angle
    whose row histogram is sharpest (text lines and ruling lines give tall narrow peaks when
    level). Works on a ~1000 px copy, coarse then fine: ~20 ms a page.
    """
    scale = min(1.0, 1000 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ys, xs = np.nonzero(ink)
    if len(xs) < 200 or len(xs) > ink.size * 0.5:
        return 0.0  # blank page, or a photo that is mostly dark: nothing to level
    xs = xs.astype(np.float64) - small.shape[1] / 2
    ys = ys.astype(np.float64)

    def sharpness(deg: float) -> float:
        # Row of each ink pixel after rotating the page by ``deg`` counter-clockwise.
        rows = np.round(ys - xs * math.tan(math.radians(deg))).astype(np.int64)
        hist = np.bincount(rows - rows.min())
        return float(np.sum(np.diff(hist.astype(np.float64)) ** 2))

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, _SKEW_STEP)
    return float(round(max(fine, key=sharpness), 2))


# --- boxes to tables and lines --------------------------------------------------------------


def _to_image_box(points: np.ndarray, back: np.ndarray, size: tuple[int, int]) -> BBox:
    """Work-coordinate points → axis-aligned box in the input image's pixels."""
    pts = points @ back[:, :2].T + back[:, 2]
    width, height = size
    return BBox(
        x0=float(np.clip(pts[:, 0].min(), 0, width)),
        y0=float(np.clip(pts[:, 1].min(), 0, height)),
        x1=float(np.clip(pts[:, 0].max(), 0, width)),
        y1=float(np.clip(pts[:, 1].max(), 0, height)),
    ).round()


def _rect_points(rect: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = rect
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)


def _fill_tables(
    grids: list[TableGrid], boxes: list[_Box], back: np.ndarray, size: tuple[int, int]
) -> tuple[list[OcrTable], list[_Box]]:
    """Put each box into the cell holding its centre; return the tables and the other boxes."""
    in_cell: dict[tuple[int, int], list[_Box]] = {}
    free: list[_Box] = []
    for box in boxes:
        spot = _find_cell(grids, box)
        if spot is None:
            free.append(box)
        else:
            in_cell.setdefault(spot, []).append(box)
    tables = []
    for t, grid in enumerate(grids):
        drafts = [
            CellDraft(
                row=cell.row,
                col=cell.col,
                row_span=cell.row_span,
                col_span=cell.col_span,
                text=_cell_text(in_cell.get((t, i), [])),
                bbox=_to_image_box(_rect_points(cell.box), back, size),
            )
            for i, cell in enumerate(grid.cells)
        ]
        tables.append(
            OcrTable(cells=drafts, bbox=_to_image_box(_rect_points(grid.box), back, size))
        )
    return tables, free


def _borderless_tables(
    free: list[_Box],
    gray: np.ndarray,
    back: np.ndarray,
    size: tuple[int, int],
    previous: list[tuple[float, float]] | None,
) -> tuple[list[OcrTable], list[_Box], list[tuple[float, float]] | None]:
    """Tables printed without rulings, from the positions of the boxes no grid took
    (``ocr_borderless``); return them, the boxes still free and the last one's gutters."""
    text_boxes = [TextBox(b.text, b.rect) for b in free]
    if len(text_boxes) < 6:  # a header and a row of three cells at the least
        return [], free, None
    found, rest = find_scan_tables(text_boxes, float(gray.shape[0]), binarize(gray) > 0, previous)
    if not found:
        return [], free, None
    kept = {id(t) for t in rest}
    tables = [
        OcrTable(
            cells=[
                CellDraft(
                    row=c.row,
                    col=c.col,
                    text=c.text,
                    bbox=_to_image_box(_rect_points(c.rect), back, size),
                )
                for c in t.cells
            ],
            bbox=_to_image_box(_rect_points(t.rect), back, size),
        )
        for t in found
    ]
    last = max(found, key=lambda t: t.rect[3]).gutters or None
    return tables, [b for b, t in zip(free, text_boxes, strict=True) if id(t) in kept], last


def _find_cell(grids: list[TableGrid], box: _Box) -> tuple[int, int] | None:
    cx, cy = box.center
    for t, grid in enumerate(grids):
        x0, y0, x1, y1 = grid.box
        if not (x0 <= cx <= x1 and y0 <= cy <= y1):
            continue
        for i, cell in enumerate(grid.cells):
            if _contains(cell, cx, cy):
                return t, i
    return None


def _contains(cell: GridCell, x: float, y: float) -> bool:
    x0, y0, x1, y1 = cell.box
    return x0 <= x <= x1 and y0 <= y <= y1


def _cell_text(boxes: list[_Box]) -> str:
    """Boxes of one cell in reading order. A cell's wrapped lines join without a separator:
    Chinese wraps mid-word ("年度预" / "算申请"). Pieces side by side in a cell are pieces
    of one value: the engine splits widely set numbers ("1112." "51")."""
    if not boxes:
        return ""
    rows = [_SPACE_IN_NUMBER.sub("", _join([b.text for b in row], " ")) for row in _rows_of(boxes)]
    return _join(rows, "")


def _join(parts: list[str], sep: str) -> str:
    """Join texts. With ``sep`` "" (a cell's wrapped lines) Latin words still get a space;
    digits do not: narrow columns wrap numbers mid-way ("99.5" / "4%")."""
    out = ""
    for part in parts:
        if out and (sep or (_is_latin(out[-1]) and _is_latin(part[0]))):
            out += sep or " "
        out += part
    return _SPACE_CJK.sub("", out)


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _rows_of(boxes: list[_Box]) -> list[list[_Box]]:
    """Boxes grouped into visual rows (top to bottom), each row left to right."""
    rows: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: b.center[1]):
        x0, y0, x1, y1 = box.rect
        if rows:
            last = rows[-1]
            top = statistics.median(b.rect[1] for b in last)
            bottom = statistics.median(b.rect[3] for b in last)
            overlap = min(bottom, y1) - max(top, y0)
            if overlap >= 0.5 * min(bottom - top, y1 - y0):
                last.append(box)
                continue
        rows.append([box])
    return [sorted(row, key=lambda b: b.rect[0]) for row in rows]


def _group_lines(
    boxes: list[_Box], em: float, back: np.ndarray, size: tuple[int, int]
) -> list[OcrLine]:
    """Running text: boxes on one visual row that stand close together make one line;
    a wide gap (a form's label and value columns) starts another line."""
    lines = []
    for row in _rows_of(boxes):
        run = [row[0]]
        for box in row[1:]:
            if box.rect[0] - run[-1].rect[2] > 2.0 * em:
                lines.append(_make_line(run, back, size))
                run = []
            run.append(box)
        lines.append(_make_line(run, back, size))
    return lines


def _make_line(run: list[_Box], back: np.ndarray, size: tuple[int, int]) -> OcrLine:
    points = np.vstack([b.quad for b in run])
    chars = sum(len(b.text) for b in run)
    return OcrLine(
        text=_join([b.text for b in run], " "),
        bbox=_to_image_box(points, back, size),
        confidence=round(sum(b.score * len(b.text) for b in run) / chars, 4),
    )


# --- into the document ----------------------------------------------------------------------


def _reading_order(page: OcrPage) -> list[OcrLine | OcrTable]:
    """Lines and tables by their top edge; a line standing beside a table comes after it."""
    items: list[OcrLine | OcrTable] = [*page.lines, *page.tables]
    return sorted(items, key=lambda it: (it.bbox.y0, it.bbox.x0))


def emit_ocr_page(builder: DocumentBuilder, page: OcrPage, scale: float = 1.0) -> None:
    """Write ``page`` into the builder's open page, boxes multiplied by ``scale``.

    The PDF reader passes 72/dpi to get points; the image reader 1.0. Page metadata
    (text_source, ocr_confidence, size) is the caller's to set in ``start_page``.
    """
    starts = _paragraph_starts(page.lines)
    after_table = False
    for item in _reading_order(page):
        if isinstance(item, OcrTable):
            cells = [
                CellDraft(
                    row=c.row,
                    col=c.col,
                    row_span=c.row_span,
                    col_span=c.col_span,
                    text=c.text,
                    bbox=_scaled(c.bbox, scale) if c.bbox else None,
                )
                for c in item.cells
            ]
            builder.add_blank()  # tables stand apart from the text, as in the PDF reader
            builder.add_table(cells, bbox=_scaled(item.bbox, scale))
            after_table = True
            continue
        if after_table or id(item) in starts:
            builder.add_blank()
        after_table = False
        builder.add_line(item.text, bbox=_scaled(item.bbox, scale), confidence=item.confidence)


def _paragraph_starts(lines: list[OcrLine]) -> set[int]:
    """Lines that open a paragraph, marked with a blank line as the text-layer reader does:
    an indented first line (Chinese paragraphs indent two characters), a line after one that
    stops well short of the right edge, or a wider gap than the page's line pitch."""
    long_lines = [ln for ln in lines if len(ln.text) >= 8]
    if len(long_lines) < 3:
        return set()
    # Character size from widths, not box heights: a skewed line's box is taller than its text.
    em = statistics.median((ln.bbox.x1 - ln.bbox.x0) / len(ln.text) for ln in long_lines)
    left = statistics.median(ln.bbox.x0 for ln in long_lines)
    right = max(ln.bbox.x1 for ln in long_lines)
    order = sorted(lines, key=lambda ln: (ln.bbox.y0, ln.bbox.x0))
    centres = [(ln.bbox.y0 + ln.bbox.y1) / 2 for ln in order]
    pitches = [b - a for a, b in zip(centres, centres[1:], strict=False) if b - a > em / 2]
    pitch = statistics.median(pitches) if pitches else em * 2
    starts = set()
    for prev, line, gap in zip(order, order[1:], np.diff(centres), strict=False):
        if line.bbox.x0 - left > 1.2 * em or right - prev.bbox.x1 > 2.5 * em or gap > 1.6 * pitch:
            starts.add(id(line))
    return starts


def _scaled(box: BBox, scale: float) -> BBox:
    if scale == 1.0:
        return box
    return BBox(x0=box.x0 * scale, y0=box.y0 * scale, x1=box.x1 * scale, y1=box.y1 * scale)
