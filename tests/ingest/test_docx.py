"""The DOCX reader on Word documents generated here with python-docx."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from PIL import Image

from service.config import Limits
from service.document import Document, SourceFormat, SourceInfo, TextSource
from service.errors import CorruptFileError, EmptyFileError, FileTooLargeError
from service.ingest import IngestOptions, read_document
from service.ingest.docx import format_number, read_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _save(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _report() -> bytes:
    """Prose, a 4×4 ruled table with a horizontal and a vertical merge, more prose."""
    d = docx.Document()
    d.add_paragraph("2021年度部门整体支出绩效自评报告")
    d.add_paragraph("一、部门基本情况：支出总额１１１２．５１万元。")
    t = d.add_table(rows=4, cols=4)
    t.style = "Table Grid"
    t.cell(0, 0).merge(t.cell(0, 1)).text = "经费控制情况（万元）"  # horizontal: 2 columns
    t.cell(0, 2).text = "2021年预算数"
    t.cell(0, 3).text = "2021年决算数"
    t.cell(1, 0).merge(t.cell(3, 0)).text = "其中"  # vertical: 3 rows
    for r, (label, budget, actual) in enumerate(
        [
            ("基本支出", "1059.01", "1059.01"),
            ("项目支出", "53.5", "52.53"),
            ("三公经费", "3.04", ""),
        ],
        start=1,
    ):
        t.cell(r, 1).text = label
        t.cell(r, 2).text = budget
        t.cell(r, 3).text = actual
    d.add_paragraph("二、绩效自评结论：优秀。")
    return _save(d)


@pytest.fixture(scope="module")
def report() -> Document:
    return read_document(_report(), "report.docx")


def test_paragraphs_and_table_in_document_order(report: Document) -> None:
    assert report.source.format is SourceFormat.docx
    assert len(report.pages) == 1
    page = report.pages[0]
    assert (page.width, page.height, page.text_source) == (None, None, TextSource.text_layer)
    lines = [report.slice(line.span) for line in report.lines]
    assert lines == [
        "2021年度部门整体支出绩效自评报告",
        "一、部门基本情况:支出总额1112.51万元。",  # NFKC: full-width digits → ASCII
        "二、绩效自评结论:优秀。",
    ]
    (table,) = report.tables
    assert (
        report.lines[1].span.end < table.span.start < table.span.end <= report.lines[2].span.start
    )


def test_merged_cells_have_spans(report: Document) -> None:
    (table,) = report.tables
    assert (table.n_rows, table.n_cols) == (4, 4)
    assert len(table.cells) == 4 * 4 - 1 - 2  # one cell hidden by the row-0 merge, two by 其中
    head = table.cell_at(0, 1)
    assert head is not None
    assert (head.row, head.col, head.row_span, head.col_span) == (0, 0, 1, 2)
    assert head.text == "经费控制情况(万元)"
    side = table.cell_at(3, 0)
    assert side is not None
    assert (side.row, side.col, side.row_span, side.col_span, side.text) == (1, 0, 3, 1, "其中")
    assert table.grid() == [
        ["经费控制情况(万元)", "", "2021年预算数", "2021年决算数"],
        ["其中", "基本支出", "1059.01", "1059.01"],
        ["", "项目支出", "53.5", "52.53"],
        ["", "三公经费", "3.04", ""],
    ]
    for cell in table.cells:
        assert report.text[cell.span.start : cell.span.end] == cell.text
        assert cell.page == 1 and cell.bbox is None
    for line in report.lines:
        assert report.slice(line.span) and "\n" not in report.slice(line.span)
    assert Document.model_validate_json(report.model_dump_json()) == report


def test_block_merge_spans_rows_and_columns() -> None:
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(1, 1)).text = "年度总体目标"  # gridSpan=2 + vMerge over 2 rows
    t.cell(0, 2).text = "预期目标"
    t.cell(1, 2).text = "实际完成情况"
    t.cell(2, 0).text = "总分"
    doc = read_document(_save(d), "block.docx")
    (table,) = doc.tables
    block = table.cell_at(1, 1)
    assert block is not None
    assert (block.row, block.col, block.row_span, block.col_span) == (0, 0, 2, 2)
    assert table.grid(fill_merged=True)[1] == ["年度总体目标", "年度总体目标", "实际完成情况"]
    assert len(table.cells) == 9 - 3


def test_seed_text_pasted_into_word_gives_the_same_tables(seeds: Path) -> None:
    """A DOCX whose paragraphs are the seed's lines: flattened tables are recognised as in
    the plain-text reader (same recogniser), so the grids have the same sizes."""
    for name, sizes in [
        ("000_de21ebe0f04bc952.txt", [(25, 7), (31, 9)]),
        ("002_8a698bcfafd5a356.txt", [(21, 5), (32, 9)]),
    ]:
        d = docx.Document()
        for line in (seeds / name).read_text(encoding="utf-8").split("\n"):
            d.add_paragraph(line)
        doc = read_document(_save(d), "pasted.docx")
        assert [(t.n_rows, t.n_cols) for t in doc.tables] == sizes


def test_nested_table_is_flattened_into_its_cell() -> None:
    d = docx.Document()
    outer = d.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "资金来源"
    inner = outer.cell(0, 1).add_table(rows=2, cols=2)
    for (r, c), text in {
        (0, 0): "一般公共预算",
        (0, 1): "1112.51",
        (1, 0): "其他",
        (1, 1): "0",
    }.items():
        inner.cell(r, c).text = text
    doc = read_document(_save(d), "nested.docx")
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols) == (1, 2)
    assert table.grid() == [["资金来源", "一般公共预算 1112.51 其他 0"]]


def test_cell_paragraphs_join_like_wrapped_lines() -> None:
    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    cell = t.cell(0, 0)
    cell.text = "产出指标"
    cell.add_paragraph("（50分）")
    t.cell(0, 1).text = "数量指标"
    doc = read_document(_save(d), "cells.docx")
    assert doc.tables[0].grid() == [["产出指标(50分)", "数量指标"]]


def _add_chinese_list(d: docx.document.Document) -> str:
    """Define a two-level list drawn as 一、 / (一) and return its numId."""
    numbering = d.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:suff w:val="nothing"/><w:lvlText w:val="（%2）"/></w:lvl>'
            "</w:abstractNum>"
        ),
    )
    numbering.append(
        parse_xml(f'<w:num xmlns:w="{W}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    return "90"


def _numbered(d: docx.document.Document, text: str, num_id: str, ilvl: int) -> None:
    p = d.add_paragraph(text)
    p._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def test_automatic_numbering_is_rebuilt() -> None:
    d = docx.Document()
    num_id = _add_chinese_list(d)
    _numbered(d, "部门基本情况", num_id, 0)
    _numbered(d, "部门职能", num_id, 1)
    _numbered(d, "机构设置", num_id, 1)
    _numbered(d, "部门整体支出情况", num_id, 0)
    _numbered(d, "基本支出", num_id, 1)
    d.add_paragraph("支出进度正常。", style="List Number")  # the template's decimal list
    doc = read_document(_save(d), "numbered.docx")
    assert [doc.slice(line.span) for line in doc.lines] == [
        "一、部门基本情况",
        "(一)部门职能",
        "(二)机构设置",
        "二、部门整体支出情况",
        "(一)基本支出",  # a deeper level restarts when a shallower one advances
        "1. 支出进度正常。",  # default suffix (a tab in Word) is written as a space
    ]


@pytest.mark.parametrize(
    ("n", "fmt", "out"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (12, "chineseCountingThousand", "十二"),
        (21, "chineseCounting", "二十一"),
        (3, "decimalEnclosedCircle", "③"),
        (4, "lowerRoman", "iv"),
        (2, "upperLetter", "B"),
        (7, "decimal", "7"),
        (7, "someFutureFormat", "7"),
    ],
)
def test_format_number(n: int, fmt: str, out: str) -> None:
    assert format_number(n, fmt) == out


def test_tab_separated_paragraphs_become_a_table() -> None:
    d = docx.Document()
    d.add_paragraph("基础数据表")
    d.add_paragraph("三公经费\t4.7\t5.7\t4.91")
    d.add_paragraph("公务接待\t1.9\t1.9\t1.89")
    doc = read_document(_save(d), "pasted.docx")
    assert doc.tables[0].grid() == [
        ["三公经费", "4.7", "5.7", "4.91"],
        ["公务接待", "1.9", "1.9", "1.89"],
    ]


def test_images_are_reported_not_read() -> None:
    d = docx.Document()
    d.add_paragraph("附件：扫描件")
    png = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(png, format="PNG")
    png.seek(0)
    d.add_picture(png)
    doc = read_document(_save(d), "img.docx")
    assert doc.warnings == ["1 image(s) in the document were not read (no OCR inside DOCX)"]


def test_document_without_text_is_empty() -> None:
    d = docx.Document()
    d.add_paragraph("   ")
    d.add_table(rows=2, cols=2)
    with pytest.raises(EmptyFileError):
        read_document(_save(d), "blank.docx")


# --- broken files ----------------------------------------------------------------------------


def _source(data: bytes) -> SourceInfo:
    return SourceInfo(
        filename="bad.docx",
        format=SourceFormat.docx,
        media_type="application/octet-stream",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def _rewrite(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """A copy of the archive with some parts replaced (or dropped where the value is None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            body = change.get(name, zin.read(name))
            if body is not None:
                zout.writestr(name, body, zipfile.ZIP_DEFLATED)
        for name, body in change.items():
            if name not in zin.namelist() and body is not None:
                zout.writestr(name, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_broken_document_xml_is_corrupt() -> None:
    data = _report()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("word/document.xml")
    broken = _rewrite(data, {"word/document.xml": xml[: len(xml) // 2]})
    with pytest.raises(CorruptFileError):
        read_document(broken, "broken.docx")


def test_missing_content_types_is_corrupt() -> None:
    broken = _rewrite(_report(), {"[Content_Types].xml": None})
    with pytest.raises(CorruptFileError):
        read_document(broken, "broken.docx")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_archive_is_corrupt(keep: float) -> None:
    data = _report()
    cut = data[: int(len(data) * keep)]
    with pytest.raises(CorruptFileError):
        read_docx(cut, _source(cut), IngestOptions())


def test_archive_that_inflates_too_far_is_refused() -> None:
    data = _rewrite(_report(), {"word/media/padding.bin": bytes(3_000_000)})
    options = IngestOptions(limits=Limits(max_bytes=len(data) + 1000))
    with pytest.raises(FileTooLargeError):
        read_document(data, "bomb.docx", options)


def test_document_xml_without_body_is_corrupt() -> None:
    import io
    import zipfile

    import docx

    from service.errors import CorruptFileError
    from service.ingest import read_document

    made = docx.Document()
    made.add_paragraph("测试")
    buf = io.BytesIO()
    made.save(buf)
    original = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as zf:
        for name in original.namelist():
            data = original.read(name)
            if name == "word/document.xml":
                data = (
                    b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org'
                    b'/wordprocessingml/2006/main"><w:foo/></w:document>'
                )
            zf.writestr(name, data)
    with pytest.raises(CorruptFileError, match="w:body"):
        read_document(broken.getvalue(), "broken.docx")
