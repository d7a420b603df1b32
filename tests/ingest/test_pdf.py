"""The PDF reader on PDFs drawn in code: prose, ruled tables with merged cells, a table
continued across a page break, two text columns, rotated and scanned pages, bad files."""

from __future__ import annotations

import os

import pymupdf
import pytest

from service.config import Limits, OCRSettings
from service.document import BBox, Document, TextSource
from service.document.builder import normalize_cell, normalize_text
from service.errors import (
    CorruptFileError,
    EncryptedFileError,
    ImageTooLargeError,
    NoPagesError,
    TooManyPagesError,
)
from service.ingest import IngestOptions, read_document
from service.ingest import pdf as pdf_reader
from service.ingest.pdf_tables import join_wrapped
from tests.ingest import pdfgen

PROSE = [
    "一、部门基本情况",
    "2021年度部门整体支出1059.01万元,预算执行率≥95%。",
    "全年办理行政处罚案件157件,罚款270余万元,办结率95%。",
    "三公经费支出0.11万元,较上年下降12.5%。",
]


def read(data: bytes, **options: object) -> Document:
    return read_document(data, "report.pdf", IngestOptions(**options))


def contains(outer: BBox, inner: pymupdf.Rect, slack: float = 1.0) -> bool:
    return (
        outer.x0 <= inner.x0 + slack
        and outer.y0 <= inner.y0 + slack
        and outer.x1 >= inner.x1 - slack
        and outer.y1 >= inner.y1 - slack
    )


def assert_grounded(doc: Document) -> None:
    for line in doc.lines:
        assert "\n" not in doc.slice(line.span) and "\t" not in doc.slice(line.span)
    for table in doc.tables:
        assert doc.slice(table.span).count("\n") == table.n_rows
        for cell in table.cells:
            assert doc.slice(cell.span) == cell.text
            assert table.span.contains(cell.span)
    assert Document.model_validate_json(doc.model_dump_json()) == doc


def expected_grid() -> list[list[str]]:
    return [[normalize_cell(t) for t in row] for row in pdfgen.self_eval_rows()]


# --- prose --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def prose() -> tuple[Document, list[pdfgen.DrawnLine]]:
    doc = pymupdf.open()
    drawn = pdfgen.write_lines(pdfgen.new_page(doc), PROSE, y=90)
    return read(pdfgen.to_bytes(doc)), drawn


def test_prose_lines_come_back_exactly_with_spans_and_boxes(prose) -> None:
    doc, drawn = prose
    assert [doc.slice(line.span) for line in doc.lines] == PROSE
    assert doc.pages[0].text_source is TextSource.text_layer
    assert (doc.pages[0].width, doc.pages[0].height) == pdfgen.A4
    for line, mark in zip(doc.lines, drawn, strict=True):
        [where] = doc.locate(line.span)
        assert where.page == 1
        assert where.bbox is not None and contains(where.bbox, mark.rect)
    assert_grounded(doc)


def test_a_figure_inside_a_line_locates_to_its_own_box(prose) -> None:
    doc, drawn = prose
    start = doc.text.index("1059.01万元")
    [where] = doc.locate(type(doc.lines[0].span)(start=start, end=start + len("1059.01万元")))
    # The CJK font sets every glyph one em wide, so the figure's box is known exactly.
    line = drawn[1]
    offset = line.text.index("1059.01万元") * 11
    assert where.bbox is not None
    assert where.bbox.x0 == pytest.approx(line.rect.x0 + offset, abs=1)
    assert where.bbox.x1 == pytest.approx(line.rect.x0 + offset + 9 * 11, abs=1)


def test_a_figure_in_a_proportional_font_locates_to_its_own_box() -> None:
    # Most reports are set in fonts whose digits are half an em wide: the figure's box must
    # still cover the figure, not the character before it.
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    page.insert_font(fontname="F0", fontbuffer=pymupdf.Font("cjk").buffer)
    line = "2021年度一般公共预算的项目总支出53.5万元，其中：节能环保工作经费支出9.01万元"
    page.insert_text((72, 100), line, fontsize=12, fontname="F0")
    [want] = page.search_for("53.5万元")
    read_back = read(pdfgen.to_bytes(doc))
    start = read_back.text.index("53.5万元")
    [where] = read_back.locate(type(read_back.lines[0].span)(start=start, end=start + 6))
    assert where.bbox is not None
    assert where.bbox.x0 == pytest.approx(want.x0, abs=2)
    assert where.bbox.x1 == pytest.approx(want.x1, abs=2)


def test_heading_is_its_own_paragraph(prose) -> None:
    doc, _ = prose
    assert doc.text.startswith("一、部门基本情况\n\n2021年度")


# --- tables -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def self_eval() -> tuple[Document, pdfgen.DrawnTable]:
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, ["附件2 部门整体支出绩效自评表"], y=80)
    table = pdfgen.draw_table(
        page, 36, 120, pdfgen.SELF_EVAL_COLS, [22] * 13, pdfgen.self_eval_cells()
    )
    pdfgen.write_lines(page, ["填表人:张三 联系电话:0737-1234567"], y=460)
    return read(pdfgen.to_bytes(doc)), table


def test_ruled_table_with_merged_cells_is_a_grid(self_eval) -> None:
    doc, _ = self_eval
    [table] = doc.tables
    assert (table.n_rows, table.n_cols, table.pages) == (13, 7, [1])
    assert table.grid() == expected_grid()
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in table.cells}
    assert spans[(1, 0)] == (7, 1)  # 产出指标 over seven indicator rows
    assert spans[(1, 1)] == (3, 1)  # 数量指标
    assert spans[(9, 0)] == (2, 1)  # 效益指标
    assert spans[(12, 0)] == (1, 2)  # 总分
    assert spans[(12, 2)] == (1, 5)
    assert table.cell_at(7, 0).text == "产出指标"
    assert_grounded(doc)


def test_cells_carry_their_drawn_boxes(self_eval) -> None:
    doc, drawn = self_eval
    [table] = doc.tables
    for cell in table.cells:
        rect = drawn.cells[(cell.row, cell.col)]
        assert cell.page == 1 and cell.bbox is not None
        assert (cell.bbox.x0, cell.bbox.y0, cell.bbox.x1, cell.bbox.y1) == pytest.approx(
            tuple(rect), abs=0.5
        )
        assert doc.locate(cell.span)[0].bbox == cell.bbox or not cell.text


def test_table_text_is_not_also_running_text(self_eval) -> None:
    doc, _ = self_eval
    lines = [doc.slice(line.span) for line in doc.lines]
    assert lines == ["附件2 部门整体支出绩效自评表", "填表人:张三 联系电话:0737-1234567"]
    [table] = doc.tables
    assert doc.lines[0].span.end < table.span.start < table.span.end < doc.lines[1].span.start
    assert doc.text.count("污染防治攻坚战项目任务") == 1


def test_pymupdf_pin_and_cell_reread_keep_decimals_whole() -> None:
    # 2.0 split "1059.01" inside table cells; 1.28 with each cell re-read by position keeps it.
    assert pymupdf.VersionBind.startswith("1.28")
    doc = pymupdf.open()
    cells = [
        (0, 0, 1, 1, "运行成本"),
        (0, 1, 1, 1, "≤1059.01万元"),
        (0, 2, 1, 1, "1059.01"),
        (1, 0, 1, 1, "一般公共预算"),
        (1, 1, 1, 1, "≤1059.01\n万元"),  # wrapped inside its cell
        (1, 2, 1, 1, "847.72"),
    ]
    drawn = pdfgen.draw_table(pdfgen.new_page(doc), 72, 100, (80, 100, 70), (24, 36), cells)
    data = pdfgen.to_bytes(doc)
    [table] = read(data).tables
    assert table.grid() == [
        ["运行成本", "≤1059.01万元", "1059.01"],
        ["一般公共预算", "≤1059.01万元", "847.72"],
    ]
    # Re-reading by character position gives what page.get_text(clip=cell) gives.
    page = pymupdf.open(stream=data)[0]
    for cell in table.cells:
        clipped = page.get_text("text", clip=drawn.cells[(cell.row, cell.col)])
        assert cell.text == normalize_cell(join_wrapped(clipped.split("\n")))


def test_wrapped_cell_lines_join_without_inventing_spaces() -> None:
    assert join_wrapped(["为社会发展和人民生存保障", "良好的生态环境"]) == (
        "为社会发展和人民生存保障良好的生态环境"
    )
    assert join_wrapped(["1059.", "01万元"]) == "1059.01万元"
    assert join_wrapped(["VOCs", "reduction"]) == "VOCs reduction"


def _split_table_pdf(repeat_header: bool, note: str | None = None, gap_text: bool = False) -> bytes:
    top, bottom = pdfgen.split_rows(pdfgen.self_eval_cells(), 7, repeat_header=repeat_header)
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, pdfgen.prose_lines(20), y=100)
    pdfgen.draw_table(page, 36, 842 - 40 - 22 * 7, pdfgen.SELF_EVAL_COLS, [22] * 7, top)
    pdfgen.write_lines(page, ["- 1 -"], x=280, y=830)  # page number in the bottom margin
    page = pdfgen.new_page(doc)
    y = 140
    if note:
        pdfgen.write_lines(page, [note], y=y - 10)
    rows = 7 if repeat_header else 6
    pdfgen.draw_table(page, 36, y, pdfgen.SELF_EVAL_COLS, [22] * rows, bottom)
    if gap_text:
        pdfgen.write_lines(page, ["附件3 另一张表"], y=y - 20)
    pdfgen.write_lines(page, pdfgen.prose_lines(5), y=y + 22 * rows + 30)
    return pdfgen.to_bytes(doc)


@pytest.mark.parametrize(("repeat_header", "note"), [(True, None), (False, None), (True, "续表")])
def test_table_continued_across_a_page_break_is_joined(
    repeat_header: bool, note: str | None
) -> None:
    doc = read(_split_table_pdf(repeat_header, note))
    [table] = doc.tables
    assert table.pages == [1, 2]
    assert (table.n_rows, table.n_cols) == (13, 7)
    assert table.grid() == expected_grid()
    assert table.cell_at(7, 0).text == "产出指标"  # the merged cell the break cut is whole
    assert next(c for c in table.cells if (c.row, c.col) == (1, 0)).row_span == 7
    # Written where it starts, continuation cells keep their own page and box.
    assert doc.page_at(table.span.start) == 1
    later = [c for c in table.cells if c.row >= 7]
    assert later and all(c.page == 2 and c.bbox is not None and c.bbox.y0 >= 140 for c in later)
    assert doc.locate(later[0].span)[0].page == 2
    assert doc.text.count("一级指标") == 1
    assert any("joined" in w and "pages 1-2" in w for w in doc.warnings)
    assert_grounded(doc)


def test_table_over_three_pages_is_one_table() -> None:
    top, rest = pdfgen.split_rows(pdfgen.self_eval_cells(), 5)
    middle, bottom = pdfgen.split_rows(rest, 5)  # rest's row 5 is row 9 of the whole table
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, pdfgen.prose_lines(28), y=100)
    pdfgen.draw_table(page, 36, 842 - 40 - 22 * 5, pdfgen.SELF_EVAL_COLS, [22] * 5, top)
    for part, rows in ((middle, 5), (bottom, 5)):
        page = pdfgen.new_page(doc)
        pdfgen.draw_table(page, 36, 100, pdfgen.SELF_EVAL_COLS, [22] * rows, part)
    pdfgen.write_lines(page, ["表格之后的正文。"], y=240)
    read_back = read(pdfgen.to_bytes(doc))
    [table] = read_back.tables
    assert table.pages == [1, 2, 3]
    assert table.grid() == expected_grid()
    assert {c.page for c in table.cells if c.row >= 9} == {3}
    assert read_back.text.count("一级指标") == 1
    assert_grounded(read_back)


def test_a_new_table_under_a_heading_is_not_joined() -> None:
    doc = read(_split_table_pdf(True, gap_text=True))
    assert [t.pages for t in doc.tables] == [[1], [2]]
    assert not any("joined" in w for w in doc.warnings)


def test_report_like_document() -> None:
    doc = read(pdfgen.report_pdf(10))
    assert len(doc.pages) == 10
    assert [(t.pages, t.n_rows, t.n_cols) for t in doc.tables] == [([5], 8, 4), ([9, 10], 13, 7)]
    assert doc.tables[0].grid()[1] == ["项目0", "100.50", "120.25", "118.01"]
    assert doc.tables[-1].grid() == expected_grid()
    assert_grounded(doc)


# --- layout -------------------------------------------------------------------------------


def test_two_text_columns_read_column_by_column_and_forms_row_by_row() -> None:
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, ["两栏排版的标题"], x=240, y=60, fontsize=14)
    left = [f"左栏第{i}行,预算执行率≥95%。" for i in range(1, 9)]
    right = [f"右栏第{i}行,支出1059.01万元。" for i in range(1, 9)]
    pdfgen.write_lines(page, left, x=50, y=100)
    pdfgen.write_lines(page, right, x=320, y=100)
    pdfgen.write_lines(
        page, ["全宽的一行文字横跨两栏,用于结束两栏部分,其后是表单。" * 1], x=50, y=300
    )
    form = [("预算编码:", "430101"), ("部门名称:", "益阳市生态环境局"), ("评价年度:", "2021年")]
    for i, (label, value) in enumerate(form):
        pdfgen.write_lines(page, [label], x=72, y=360 + 20 * i)
        pdfgen.write_lines(page, [value], x=250, y=360 + 20 * i)
    read_back = read(pdfgen.to_bytes(doc))
    lines = [read_back.slice(line.span) for line in read_back.lines]
    assert lines == [
        "两栏排版的标题",
        *[normalize_text(t) for t in left],
        *[normalize_text(t) for t in right],
        "全宽的一行文字横跨两栏,用于结束两栏部分,其后是表单。",
        "预算编码: 430101",
        "部门名称: 益阳市生态环境局",
        "评价年度: 2021年",
    ]


def test_rotated_page_boxes_are_in_display_space() -> None:
    landscape = pymupdf.open()
    page = pdfgen.new_page(landscape, (842, 595))
    [mark] = pdfgen.write_lines(page, ["横向页面:支出1059.01万元"], y=60)
    pdfgen.draw_table(page, 100, 100, pdfgen.SELF_EVAL_COLS, [22] * 13, pdfgen.self_eval_cells())
    portrait = pymupdf.open()
    page = portrait.new_page(width=595, height=842)
    page.show_pdf_page(page.rect, landscape, 0, rotate=90)
    page.set_rotation(90)  # stored sideways, shown upright
    doc = read(pdfgen.to_bytes(portrait))
    assert (doc.pages[0].width, doc.pages[0].height, doc.pages[0].rotation) == (842, 595, 90)
    assert doc.slice(doc.lines[0].span) == "横向页面:支出1059.01万元"
    assert contains(doc.lines[0].bbox, mark.rect)
    [table] = doc.tables
    assert table.grid() == expected_grid()
    assert table.bbox == BBox(x0=100, y0=100, x1=622, y1=386)


# --- scanned pages ------------------------------------------------------------------------


@pytest.mark.ocr
@pytest.mark.slow
def test_mixed_pdf_ocrs_only_its_scanned_page() -> None:
    scan_source = pymupdf.open()
    scan_page = pdfgen.new_page(scan_source)
    pdfgen.write_lines(
        scan_page, ["扫描页:部门整体支出1059.01万元,执行率≥95%。"], y=100, fontsize=14
    )
    pixmap = scan_page.get_pixmap(dpi=150)
    doc = pymupdf.open()
    pdfgen.write_lines(pdfgen.new_page(doc), ["文字页:这一页有文字层,内容超过二十个字符。"])
    scanned = pdfgen.new_page(doc)
    scanned.insert_image(scanned.rect, pixmap=pixmap)
    read_back = read(pdfgen.to_bytes(doc), ocr=OCRSettings(dpi=150))
    first, second = read_back.pages
    assert first.text_source is TextSource.text_layer
    assert second.text_source is TextSource.ocr and second.ocr_confidence > 0.8
    [line] = [ln for ln in read_back.lines if ln.page == 2]
    assert read_back.slice(line.span) == "扫描页:部门整体支出1059.01万元,执行率≥95%。"
    # OCR boxes come back in PDF points, where the text was drawn (baseline 100, 14 pt).
    assert line.bbox.x0 == pytest.approx(72, abs=6) and line.bbox.y0 == pytest.approx(86, abs=6)
    assert any(w.startswith("page 2: read by OCR at 150 dpi") for w in read_back.warnings)


def _decide(page: pymupdf.Page, **options: object) -> str | None:
    transform = pdf_reader._display_transform(page)
    lines = pdf_reader._char_lines(page, transform)
    return pdf_reader._ocr_reason(page, lines, transform, IngestOptions(**options))


def test_which_pages_are_ocrd() -> None:
    doc = pymupdf.open()
    gray = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 50, 70), False)
    text = pdfgen.new_page(doc)
    pdfgen.write_lines(text, PROSE)
    assert _decide(text) is None
    assert _decide(text, force_ocr=True) == "OCR requested for every page"
    nearly_empty = pdfgen.new_page(doc)
    pdfgen.write_lines(nearly_empty, ["附件"])
    assert _decide(nearly_empty) is None  # few characters but nothing else to read
    scan = pdfgen.new_page(doc)
    scan.insert_image(scan.rect, pixmap=gray)
    assert "scanned page" in _decide(scan)
    stamped = pdfgen.new_page(doc)
    stamped.insert_image(pymupdf.Rect(0, 0, 595, 780), pixmap=gray)
    pdfgen.write_lines(
        stamped, ["第3页 共20页 衡阳市生态环境局耒阳分局 2024年度部门整体支出绩效自评报告"], y=820
    )
    assert "header or footer" in _decide(stamped)
    outlines = pdfgen.new_page(doc)
    for i in range(400):  # glyphs drawn as paths: many small curves, no text
        outlines.draw_circle((60 + (i % 40) * 12, 80 + (i // 40) * 14), 4)
    assert "outlines" in _decide(outlines)
    # Fonts without a Unicode mapping extract as U+FFFD: the text layer is no use.
    unmapped = [([("\ufffd", 72.0 + i, 60.0, 83.0 + i, 73.0) for i in range(30)], 11.0)]
    reason = pdf_reader._ocr_reason(text, unmapped, None, IngestOptions())
    assert reason is not None and "Unicode" in reason


def test_page_too_large_to_render_for_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_ocr(*_: object) -> None:
        raise AssertionError("must refuse before OCR")

    monkeypatch.setattr("service.ingest.ocr.ocr_image", no_ocr)
    doc = pymupdf.open()
    page = doc.new_page(width=14400, height=14400)  # 200 x 200 inches
    page.insert_image(
        pymupdf.Rect(0, 0, 7200, 7200), pixmap=pymupdf.Pixmap(pymupdf.csRGB, (0, 0, 64, 64))
    )
    with pytest.raises(ImageTooLargeError):
        read(pdfgen.to_bytes(doc))


# --- bad input ------------------------------------------------------------------------------


def test_encrypted_pdf() -> None:
    doc = pymupdf.open()
    pdfgen.write_lines(pdfgen.new_page(doc), PROSE)
    data = pdfgen.to_bytes(
        doc, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner"
    )
    with pytest.raises(EncryptedFileError):
        read(data)


def test_zero_page_pdf() -> None:
    with pytest.raises(NoPagesError):
        read(pdfgen.zero_page_pdf())


@pytest.fixture(scope="session")
def report_bytes() -> bytes:
    return pdfgen.report_pdf(4)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.8])
def test_truncated_pdf(report_bytes: bytes, keep: float) -> None:
    # MuPDF repairs what it can; a page it cannot read completely must not pass silently.
    with pytest.raises(CorruptFileError):
        read(report_bytes[: int(len(report_bytes) * keep)])


def test_random_bytes_behind_a_pdf_header() -> None:
    with pytest.raises(CorruptFileError):
        read(b"%PDF-1.7\n" + os.urandom(20_000))


def test_too_many_pages_is_refused_before_any_page_is_read(
    report_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pages(*_: object) -> None:
        raise AssertionError("a page was read")

    monkeypatch.setattr(pdf_reader, "_read_page", no_pages)
    with pytest.raises(TooManyPagesError):
        read(report_bytes, limits=Limits(max_pages=3))


def test_mupdf_messages_stay_off_stdout(report_bytes: bytes) -> None:
    # MuPDF would print its errors on stdout, inside `jixiao ingest`'s JSON; the reader
    # keeps them in PyMuPDF's store and drains it so none pile up in a long-lived process.
    with pytest.raises(CorruptFileError):
        read(report_bytes[: len(report_bytes) // 10])
    assert pymupdf.TOOLS.mupdf_display_errors() is False
    assert pymupdf.TOOLS.mupdf_display_warnings() is False
    assert pymupdf.TOOLS.mupdf_warnings() == ""
