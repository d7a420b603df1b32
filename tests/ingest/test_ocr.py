"""OCR of scanned pages: text, numbers, boxes, ruled tables as grids, and their emission.

Pages are rendered and "scanned" by the OCR benchmark's small renderer (eval/ocr_bench.py),
so the reference text and every drawn position are known. The engine runs on two pages
only (session fixtures); everything else is tested on hand-made inputs without it.
"""

from __future__ import annotations

import cv2
import numpy as np
import pymupdf
import pytest

from eval import ocr_bench as bench
from service.config import OCRSettings
from service.document import BBox, CellDraft, DocumentBuilder, SourceFormat, SourceInfo
from service.errors import OCRError
from service.ingest import ocr
from service.ingest.ocr_tables import detect_tables

DPI = 200


def _builder() -> DocumentBuilder:
    return DocumentBuilder(
        SourceInfo(format=SourceFormat.png, media_type="image/png", sha256="0" * 64, size=1)
    )


def _expected_box(rect, points_to_px: np.ndarray) -> BBox:
    """Where a rectangle drawn on the PDF page stands in the scanned (rotated) image."""
    corners = np.array(
        [[rect.x0, rect.y0], [rect.x1, rect.y0], [rect.x1, rect.y1], [rect.x0, rect.y1]]
    )
    px = corners @ points_to_px[:, :2].T + points_to_px[:, 2]
    return BBox(x0=px[:, 0].min(), y0=px[:, 1].min(), x1=px[:, 0].max(), y1=px[:, 1].max())


def _near(got: BBox, want: BBox, tol: float) -> bool:
    return all(
        abs(a - b) <= tol
        for a, b in zip(
            (got.x0, got.y0, got.x1, got.y1), (want.x0, want.y0, want.x1, want.y1), strict=True
        )
    )


# --- fixtures: two scanned pages, read once ------------------------------------------------


@pytest.fixture(scope="session")
def prose_scan(seeds):
    """A page of seed 000's running text at 200 dpi, skewed 1°, noisy, JPEG-compressed."""
    page = bench.prose_pages(
        "000", bench.seed_paragraphs(seeds / "000_de21ebe0f04bc952.txt"), pages=1
    )[0]
    image, points_to_px = bench.scan(page.pdf[0], DPI, 1.0, seed=7)
    return page, image, points_to_px


@pytest.fixture(scope="session")
def prose_read(prose_scan) -> ocr.OcrPage:
    return ocr.ocr_image(prose_scan[1], OCRSettings(dpi=DPI))


@pytest.fixture(scope="session")
def table_scan():
    """Seed 000's 13x7 绩效自评表 (merged cells) at 200 dpi, skewed -1.2°, noisy."""
    page = bench.table_page(
        "000-table", "2021年度部门整体支出绩效自评表", bench.TABLE_000, bench.WIDTHS
    )
    image, points_to_px = bench.scan(page.pdf[0], DPI, -1.2, seed=11)
    return page, image, points_to_px


@pytest.fixture(scope="session")
def table_read(table_scan) -> ocr.OcrPage:
    return ocr.ocr_image(table_scan[1], OCRSettings(dpi=DPI))


# --- reading a scanned page --------------------------------------------------------------------


@pytest.mark.ocr
def test_prose_page_reads_back_with_every_number_exact(prose_scan, prose_read):
    page, image, _ = prose_scan
    assert (prose_read.width, prose_read.height) == (image.shape[1], image.shape[0])
    assert prose_read.angle == pytest.approx(-1.0, abs=0.15)  # the skew was found and undone
    assert bench.cer(page.reference, prose_read.text) <= 0.02
    right, total = bench.numbers_right(page.reference, prose_read.text)
    assert total > 20 and right == total
    assert 0.9 < prose_read.confidence <= 1.0
    assert not prose_read.tables


@pytest.mark.ocr
def test_prose_boxes_stand_where_the_text_was_drawn(prose_scan, prose_read):
    page, _, points_to_px = prose_scan
    by_text = {bench.squeeze(line.text): line for line in prose_read.lines}
    em = 12 * DPI / 72  # the text is 12 pt; a line pitch is 1.6 em
    # Engine boxes reach a little beyond the glyphs; within 0.8 em is the drawn line, the
    # next line is 1.6 em away.
    matched = 0
    for text, rect in page.lines:
        line = by_text.get(bench.squeeze(text))
        if line is None:
            continue
        matched += 1
        assert _near(line.bbox, _expected_box(rect, points_to_px), tol=0.8 * em), text
    assert matched >= len(page.lines) * 0.9

    # Through the builder with the PDF reader's scale, the same boxes come out in points.
    builder = _builder()
    builder.start_page(width=595, height=842)
    ocr.emit_ocr_page(builder, prose_read, scale=72 / DPI)
    doc = builder.build()
    checked = 0
    for text, rect in page.lines:
        line = next((ln for ln in doc.lines if doc.slice(ln.span) == bench.squeeze(text)), None)
        if line is None:
            continue
        want = _expected_box(rect, points_to_px)
        want_pt = BBox(
            x0=want.x0 * 72 / DPI,
            y0=want.y0 * 72 / DPI,
            x1=want.x1 * 72 / DPI,
            y1=want.y1 * 72 / DPI,
        )
        assert _near(line.bbox, want_pt, tol=0.8 * 12), text
        checked += 1
    assert checked >= len(page.lines) * 0.9


@pytest.mark.ocr
def test_ruled_table_with_merged_cells_comes_out_as_a_grid(table_scan, table_read):
    page, _, points_to_px = table_scan
    assert len(table_read.tables) == 1
    table = table_read.tables[0]
    got = {(c.row, c.col): c for c in table.cells}
    assert max(c.row + c.row_span for c in table.cells) == page.n_rows == 13
    assert max(c.col + c.col_span for c in table.cells) == page.n_cols == 7
    assert set(got) == {(c.row, c.col) for c in page.cells}
    wrong = []
    for ref in page.cells:
        cell = got[(ref.row, ref.col)]
        assert (cell.row_span, cell.col_span) == (ref.row_span, ref.col_span), ref
        if bench.squeeze(cell.text) != bench.squeeze(ref.text):
            wrong.append((ref.text, cell.text))
    assert len(wrong) <= 1, wrong  # 65 cells; one glyph-level slip tolerated
    right, total = bench.numbers_right(page.reference, table_read.text)
    assert right == total
    # The title above the table is running text, not a cell.
    assert [ln.text for ln in table_read.lines] == ["2021年度部门整体支出绩效自评表"]
    # A merged cell's box covers its whole span.
    merged = got[(6, 0)]  # 产出指标(50分), four rows
    assert merged.row_span == 4
    ref_box = _expected_box(_cell_rect(page, 6, 0, 4, 1), points_to_px)
    assert _near(merged.bbox, ref_box, tol=12)


def _cell_rect(page, row: int, col: int, row_span: int, col_span: int) -> pymupdf.Rect:
    """The drawn rectangle of a cell, from the vector drawing of the rendered page."""
    rects = [d["rect"] for d in page.pdf[0].get_drawings()]
    xs = sorted({round(r.x0, 1) for r in rects} | {round(r.x1, 1) for r in rects})
    ys = sorted({round(r.y0, 1) for r in rects} | {round(r.y1, 1) for r in rects})
    return pymupdf.Rect(xs[col], ys[row], xs[col + col_span], ys[row + row_span])


@pytest.mark.ocr
def test_table_is_emitted_between_the_lines_around_it(table_read):
    builder = _builder()
    builder.start_page(width=table_read.width, height=table_read.height)
    ocr.emit_ocr_page(builder, table_read)
    doc = builder.build()
    assert doc.text.startswith("2021年度部门整体支出绩效自评表\n\n预算部门\t益阳市")
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols) == (13, 7)
    assert table.cell_at(8, 0).text == "产出指标(50分)"  # inside the 4-row merge
    assert table.cell_at(12, 3).text == "总分"
    for cell in table.cells:
        assert doc.slice(cell.span) == cell.text


# --- without the engine --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("基本支出为1059.01 万元", "基本支出为1059.01万元"),
        ("收入完成11 1 2.51万元", "收入完成1112.51万元"),
        ("人员经费完成857. 11 万元", "人员经费完成857.11万元"),
        ("截至20 21 年12 月31 日", "截至2021年12月31日"),
        ("≥ 95%", "≥95%"),
        ("报告日期: 2025 年 3 月 18 日", "报告日期: 2025年3月18日"),  # ":" may be Latin
        ("为1059,01万元", "为1059.01万元"),  # a decimal point read as a comma
        ("共1,059万元", "共1,059万元"),  # a real thousands separator stays
        ("VOCs treatment plan", "VOCs treatment plan"),  # Latin words keep their spaces
        ("（一）主要职能", "(一)主要职能"),  # NFKC
    ],
)
def test_clean_text_removes_engine_spaces_in_chinese_and_numbers(raw, clean):
    assert ocr.clean_text(raw) == clean


def test_skew_is_estimated_from_text_lines(prose_scan):
    page = prose_scan[0]
    pix = page.pdf[0].get_pixmap(dpi=100)
    gray = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, 0]
    for angle in (-2.5, 0.0, 0.7, 4.0):
        rot = cv2.getRotationMatrix2D((gray.shape[1] / 2, gray.shape[0] / 2), angle, 1.0)
        turned = cv2.warpAffine(gray, rot, (gray.shape[1], gray.shape[0]), borderValue=255)
        assert ocr.estimate_skew(turned) == pytest.approx(-angle, abs=0.15)
    assert ocr.estimate_skew(np.full((800, 600), 255, np.uint8)) == 0.0  # blank page


def _draw_grid() -> np.ndarray:
    """A 4x4 ruled grid: (0,0) spans two columns, (1,1) spans two rows, (3,0) all four."""
    img = np.full((500, 800), 255, np.uint8)
    xs, ys = [100, 250, 400, 550, 700], [50, 130, 210, 290, 370]
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), 0, 2)
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), 0, 2)
    white = 255
    cv2.line(img, (xs[1], ys[0] + 3), (xs[1], ys[1] - 3), white, 4)  # merge (0,0)-(0,1)
    cv2.line(img, (xs[1] + 3, ys[2]), (xs[2] - 3, ys[2]), white, 4)  # merge (1,1)-(2,1)
    for x in xs[1:-1]:
        cv2.line(img, (x, ys[3] + 3), (x, ys[4] - 3), white, 4)  # merge row 3
    cv2.putText(img, "1059.01", (420, 180), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    return img


def test_grid_with_merged_cells_from_ruling_lines():
    (grid,) = detect_tables(_draw_grid(), em=24)
    assert (grid.n_rows, grid.n_cols) == (4, 4)
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in grid.cells}
    assert spans[(0, 0)] == (1, 2)
    assert spans[(1, 1)] == (2, 1)
    assert spans[(3, 0)] == (1, 4)
    assert len(grid.cells) == 16 - 1 - 1 - 3
    assert grid.box == pytest.approx((100, 50, 700, 370), abs=3)


def test_no_table_on_a_page_of_text_or_a_lone_frame():
    img = np.full((400, 600), 255, np.uint8)
    for y in range(40, 360, 40):
        cv2.putText(
            img, "Text line 1059.01 with words", (30, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2
        )
    assert detect_tables(img, em=24) == []
    cv2.rectangle(img, (10, 10), (590, 390), 0, 2)  # a frame around the text: one cell
    assert detect_tables(img, em=24) == []


def test_emit_interleaves_tables_with_lines_by_position_and_scales_boxes():
    page = ocr.OcrPage(
        width=1000,
        height=1400,
        lines=[
            ocr.OcrLine("表后的说明", BBox(x0=100, y0=900, x1=400, y1=930), 0.99),
            ocr.OcrLine("表前的标题", BBox(x0=100, y0=100, x1=400, y1=130), 0.98),
        ],
        tables=[
            ocr.OcrTable(
                cells=[
                    CellDraft(0, 0, "项目", bbox=BBox(x0=100, y0=200, x1=300, y1=260)),
                    CellDraft(0, 1, "金额", bbox=BBox(x0=300, y0=200, x1=500, y1=260)),
                    CellDraft(
                        1,
                        0,
                        "基本支出1059.01",
                        col_span=2,
                        bbox=BBox(x0=100, y0=260, x1=500, y1=320),
                    ),
                ],
                bbox=BBox(x0=100, y0=200, x1=500, y1=320),
            )
        ],
        confidence=0.985,
    )
    builder = _builder()
    builder.start_page(width=360, height=504)
    ocr.emit_ocr_page(builder, page, scale=0.36)
    doc = builder.build()
    assert doc.text == "表前的标题\n\n项目\t金额\n基本支出1059.01\t\n\n表后的说明\n"
    assert doc.lines[0].bbox == BBox(x0=36, y0=36, x1=144, y1=46.8)
    assert doc.lines[0].confidence == 0.98
    (table,) = doc.tables
    assert table.bbox == BBox(x0=36, y0=72, x1=180, y1=115.2)
    assert table.cell_at(1, 1).text == "基本支出1059.01"


def test_paragraphs_are_marked_by_indent_short_lines_and_gaps():
    def line(ch: str, n: int, x0: float, y: float) -> ocr.OcrLine:
        return ocr.OcrLine(ch * n, BBox(x0=x0, y0=y, x1=x0 + 40 * n, y1=y + 40), 0.99)

    page = ocr.OcrPage(
        width=1600,
        height=1000,
        lines=[
            line("甲", 8, 180, 100),  # a heading
            line("乙", 32, 180, 160),  # indented first line
            line("丙", 34, 100, 220),
            line("丁", 10, 100, 280),  # stops short: the paragraph ends
            line("戊", 34, 100, 340),
            line("己", 34, 100, 400),
            line("庚", 34, 100, 520),  # after a wider gap
        ],
    )
    builder = _builder()
    builder.start_page()
    ocr.emit_ocr_page(builder, page)
    paragraphs = [p.replace("\n", "") for p in builder.build().text.strip().split("\n\n")]
    assert [p[0] + p[-1] for p in paragraphs] == ["甲甲", "乙丁", "戊己", "庚庚"]


def test_engine_failure_is_an_ocr_error(monkeypatch):
    class Broken:
        def __call__(self, image):
            raise RuntimeError("onnxruntime exploded")

    monkeypatch.setattr(ocr, "_engine", Broken())
    with pytest.raises(OCRError, match="exploded"):
        ocr.ocr_image(np.full((100, 200), 255, np.uint8))


def test_engine_that_cannot_load_is_an_ocr_error(monkeypatch):
    import rapidocr

    def broken(*args, **kwargs):
        raise FileNotFoundError("PP-OCRv6_det_small.onnx")

    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setattr(rapidocr, "RapidOCR", broken)
    with pytest.raises(OCRError, match="cannot load"):
        ocr.get_engine()


def test_blank_page_reads_as_empty():
    class Nothing:
        def __call__(self, image):
            return None

    page = ocr.OcrPage(width=1, height=1)
    assert page.text == "" and page.confidence is None
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ocr, "_engine", Nothing())
        read = ocr.ocr_image(np.full((300, 200, 3), 255, np.uint8))
    assert (read.width, read.height, read.lines, read.tables) == (200, 300, [], [])


def test_bad_page_image_is_refused():
    with pytest.raises(OCRError):
        ocr.ocr_image(np.zeros((0, 0), np.uint8))
    with pytest.raises(OCRError):
        ocr.ocr_image(np.zeros((10, 10, 2), np.uint8))
