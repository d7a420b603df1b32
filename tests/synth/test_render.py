"""Every output format of the generator: what is on the page and that it is stable."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import pymupdf
import pytest
from PIL import Image

from service.ingest import read_document
from service.synth import RenderOptions, ReportSpec, render
from service.synth.pdf import PdfStyle, text_width, wrap
from service.synth.scan import ScanOptions, render_scan, skew_angle

from .conftest import LONG_PARAGRAPH

ONE_PAGE = RenderOptions(pages=(1,), scan=ScanOptions(dpi=150), png=ScanOptions(dpi=100))


def squash(text: str) -> str:
    """Whitespace-insensitive, NFKC: how a text layer is compared with the spec."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_text(data: bytes) -> str:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return "".join(page.get_text() for page in doc)


# --- text PDF ---------------------------------------------------------------------------------


def test_text_layer_holds_every_paragraph(spec: ReportSpec, spec_pdf: bytes) -> None:
    text = squash(pdf_text(spec_pdf))
    for paragraph in [spec.title, *spec.paragraphs()]:
        # the PDF writes check boxes as □/■ (its font has no ☐/☒)
        want = squash(paragraph.replace("☐", "□").replace("☒", "■"))
        assert want in text, paragraph
    for cell in spec.tables()[0].layout():
        assert squash(cell.text) in text


def test_pdf_is_a4_with_an_embedded_font_and_page_numbers(spec_pdf: bytes) -> None:
    with pymupdf.open(stream=spec_pdf, filetype="pdf") as doc:
        page = doc[0]
        assert (round(page.rect.width), round(page.rect.height)) == (595, 842)
        fonts = page.get_fonts()
        assert fonts and all(f[1] == "ttf" for f in fonts)  # embedded, not a name only
        assert "- 1 -" in page.get_text()


def test_same_spec_same_bytes(spec: ReportSpec, spec_pdf: bytes) -> None:
    assert render(spec, "pdf")[0] == spec_pdf


def test_lines_fit_and_follow_the_line_break_rules() -> None:
    size, width = 12.0, 200.0
    lines = wrap(LONG_PARAGRAPH * 2, width, size, first_indent=24)
    assert "".join(lines) == LONG_PARAGRAPH * 2
    assert text_width(lines[0], size) <= width - 24 + 1e-6
    assert all(text_width(line, size) <= width + 1e-6 for line in lines)
    assert not any(line[0] in "，。、；：）%" for line in lines[1:])
    # numbers are never cut: every amount of the paragraph stands whole on one line
    for amount in ("1059.01", "847.72", "80.04%", "211.29"):
        assert any(amount in line for line in lines)


def test_a_long_table_continues_with_its_header_repeated(long_spec: ReportSpec) -> None:
    data = render(long_spec, "pdf")[0]
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        pages_with_table = [p for p in doc if p.find_tables().tables]
        assert len(pages_with_table) >= 2
        for page in pages_with_table:
            header = page.find_tables().tables[0].extract()[0]
            assert squash("".join(c or "" for c in header)).startswith("一级指标二级指标三级指标")
        # each of the 36 indicator rows is printed exactly once
        text = squash(pdf_text(data))
        assert all(text.count(f"办理行政处罚案件{i}5") == 0 for i in range(37, 40))
        assert all(f"办理行政处罚案件{i}≥95%" in text for i in range(1, 37))


def test_merged_cells_are_one_ruled_rectangle(spec_pdf: bytes) -> None:
    with pymupdf.open(stream=spec_pdf, filetype="pdf") as doc:
        (table,) = doc[0].find_tables().tables
        rows = table.extract()
        assert (table.row_count, table.col_count) == (7, 7)
        assert rows[1][0] == "产出指标" and rows[2][0] is None  # covered by the merge
        assert rows[1][1] == "数量指标" and rows[4][1] == "质量指标" and rows[5][1] is None


def test_pdf_reads_back_as_a_pdf(spec_pdf: bytes) -> None:
    """The renderings are inputs for the service: its sniffer must accept them."""
    from service.ingest.sniff import sniff

    assert sniff(spec_pdf, "x.pdf").value == "pdf"


# --- scan and page images ---------------------------------------------------------------------


def test_scan_has_no_text_layer_only_page_images(spec_pdf: bytes) -> None:
    scan = render_scan(spec_pdf, seed=5, options=ScanOptions(dpi=150), pages=[1])
    with pymupdf.open(stream=scan, filetype="pdf") as doc, pymupdf.open(stream=spec_pdf) as src:
        assert doc.page_count == 1
        page = doc[0]
        assert page.get_text().strip() == ""
        assert page.rect == src[0].rect
        (image,) = page.get_images()
        assert image[-1] == "DCTDecode"  # JPEG, as scanners write
        assert abs(image[2] - page.rect.width / 72 * 150) <= 1  # 150 dpi, as asked
        assert abs(image[3] - page.rect.height / 72 * 150) <= 1
        assert page.get_image_rects(image[0])[0] == page.rect
    assert render_scan(spec_pdf, seed=5, options=ScanOptions(dpi=150), pages=[1]) == scan


def test_skew_is_seeded_and_in_range() -> None:
    opts = ScanOptions()
    angles = [skew_angle(seed, page, opts) for seed in range(20) for page in (1, 2)]
    assert all(0.3 <= abs(a) <= 1.2 for a in angles)
    assert any(a < 0 for a in angles) and any(a > 0 for a in angles)
    assert skew_angle(3, 1, opts) == skew_angle(3, 1, opts)


def test_png_pages_are_page_images(spec: ReportSpec) -> None:
    (png,) = render(spec, "png", seed=2, options=ONE_PAGE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "L"
    assert abs(image.size[0] - 595.28 / 72 * 100) <= 1
    assert abs(image.size[1] - 841.89 / 72 * 100) <= 1
    assert render(spec, "png", seed=2, options=ONE_PAGE) == [png]
    assert render(spec, "png", seed=3, options=ONE_PAGE) != [png]  # the noise follows the seed


# --- DOCX and plain text ----------------------------------------------------------------------


def test_docx_has_real_merged_cells_and_is_stable(spec: ReportSpec) -> None:
    (data,) = render(spec, "docx")
    assert render(spec, "docx") == [data]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert body.count("<w:vMerge") == 6 + 3 + 3  # 产出指标 over 6 rows, two 二级指标 over 3
    assert 'w:val="Table Grid"' in body or "TableGrid" in body
    doc = read_document(data, "report.docx")
    (table,) = doc.tables
    merged = {(c.row, c.col): c.row_span for c in table.cells if c.row_span > 1}
    assert merged == {(1, 0): 6, (1, 1): 3, (4, 1): 3}
    for paragraph in spec.paragraphs():
        assert squash(paragraph) in squash(doc.text)


def test_text_rendering_is_tab_separated_and_reads_back(spec: ReportSpec) -> None:
    (data,) = render(spec, "txt")
    text = data.decode("utf-8")
    assert text.splitlines()[0] == spec.title
    assert "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分" in text
    assert "\t\t办理行政处罚案件2\t≥95%" in text  # merged positions are empty fields
    doc = read_document(data, "report.txt")
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(7, 7)]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "txt"])
def test_every_format_is_deterministic_for_a_report(hunan_report, fmt: str) -> None:  # type: ignore[no-untyped-def]
    assert render(hunan_report.spec, fmt, hunan_report.seed) == render(
        hunan_report.spec, fmt, hunan_report.seed
    )


def test_custom_style_changes_the_layout(spec: ReportSpec, spec_pdf: bytes) -> None:
    small = render(spec, "pdf", options=RenderOptions(pdf=PdfStyle(body_size=9.0)))[0]
    assert small != spec_pdf
