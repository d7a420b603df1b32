"""Table styles and the running header in every renderer: a borderless table has no rules
but keeps its columns, a flattened one glues its cells in text, a spaced one aligns them."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pymupdf
import pytest

from service.ingest import read_document
from service.synth import ReportSpec, render
from service.synth.render import table_text
from service.synth.spec import Paragraph, TableBlock

ROWS = [
    ["三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["信访办结率", "≥90%", "96%", "5", "5"],
    ["组织专题培训", "12场", "14场", "4", "4"],
    ["危房改造户数", "≥300户", "284户", "6", "5"],
]


def styled(style: str, header: str | None = None) -> ReportSpec:
    return ReportSpec(
        title="枫渡县示范中学\n2023年度部门整体支出绩效自评报告",
        header=header,
        blocks=[
            Paragraph(text="绩效指标完成情况如下表。"),
            TableBlock(rows=ROWS, header_rows=1, style=style),  # type: ignore[arg-type]
            Paragraph(text="以上指标基本完成。"),
        ],
    )


def _words(page: pymupdf.Page, text: str) -> list[pymupdf.Rect]:
    return [pymupdf.Rect(r) for r in page.search_for(text)]


def test_borderless_pdf_has_no_rules_but_aligned_columns() -> None:
    ruled = render(styled("ruled"), "pdf")[0]
    bare = render(styled("borderless"), "pdf")[0]
    with pymupdf.open(stream=ruled, filetype="pdf") as doc:
        assert len(doc[0].get_drawings()) >= 1
        assert len(doc[0].find_tables().tables) == 1
    with pymupdf.open(stream=bare, filetype="pdf") as doc:
        page = doc[0]
        assert page.get_drawings() == []  # not a single rule
        # every cell is on the page, and a column's cells share its centre line
        centres = [(r.x0 + r.x1) / 2 for t in ("96%", "14场", "284户") for r in _words(page, t)]
        assert len(centres) == 3 and max(centres) - min(centres) < 1.0
        rows = [_words(page, t)[0].y0 for t in ("信访办结率", "组织专题培训", "危房改造户数")]
        assert rows == sorted(rows) and rows[1] - rows[0] > 10


@pytest.mark.parametrize("style", ["borderless", "spaced", "flattened"])
def test_unruled_docx_tables_are_real_tables_without_borders(style: str) -> None:
    (data,) = render(styled(style), "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
    assert "TableGrid" not in body and 'w:val="Table Grid"' not in body
    doc = read_document(data, "report.docx")
    (table,) = doc.tables
    assert (table.n_rows, table.n_cols) == (4, 5)
    assert {c.text for c in table.cells} >= {"信访办结率", "≥90%", "284户"}
    ruled = render(styled("ruled"), "docx")[0]
    with zipfile.ZipFile(io.BytesIO(ruled)) as z:
        assert "TableGrid" in z.read("word/document.xml").decode()


def test_text_export_of_each_style() -> None:
    block = styled("flattened").tables()[0]
    assert table_text(block)[1] == "信访办结率≥90%96%55"
    assert (
        table_text(block.model_copy(update={"style": "ruled"}))[1] == "信访办结率\t≥90%\t96%\t5\t5"
    )
    assert table_text(block.model_copy(update={"style": "borderless"}))[2] == (
        "组织专题培训\t12场\t14场\t4\t4"
    )
    spaced = table_text(block.model_copy(update={"style": "spaced"}))

    # columns line up in display width (a CJK character is two columns wide)
    def column_of(line: str, cell: str) -> int:
        head = line[: line.index(cell)]
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in head)

    assert (
        column_of(spaced[1], "≥90%")
        == column_of(spaced[2], "12场")
        == column_of(spaced[3], "≥300户")
    )
    assert "\t" not in "".join(spaced)


def test_running_header_and_two_line_title_in_every_format() -> None:
    spec = styled("ruled", header="枫渡县示范中学　2023年度绩效自评报告")
    text = render(spec, "txt")[0].decode()
    assert text.splitlines()[:4] == [
        spec.header,
        "",
        "枫渡县示范中学",
        "2023年度部门整体支出绩效自评报告",
    ]
    pdf = render(spec, "pdf")[0]
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        page_text = doc[0].get_text()
        assert doc.metadata["title"] == "枫渡县示范中学2023年度部门整体支出绩效自评报告"
    assert "枫渡县示范中学\n2023年度部门整体支出绩效自评报告\n" in page_text
    assert "枫渡县示范中学　2023年度绩效自评报告" in page_text
    (docx,) = render(spec, "docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        headers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/header")]
        body = z.read("word/document.xml").decode()
    assert any("枫渡县示范中学　2023年度绩效自评报告" in h for h in headers)
    assert "<w:br/>" in body  # the title's second line


def test_a_table_style_is_part_of_the_spec() -> None:
    again = ReportSpec.model_validate_json(styled("flattened").model_dump_json())
    assert again.tables()[0].style == "flattened"
    with pytest.raises(ValueError):
        TableBlock(rows=ROWS, style="dotted")  # type: ignore[arg-type]
