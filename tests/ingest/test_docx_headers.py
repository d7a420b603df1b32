"""DOCX page headers and footers (页眉/页脚): their text is read once, before the body, page
numbers left out; a unit named only there becomes the report's department. Every document
here is built by the test with invented names."""

from __future__ import annotations

import io

import docx
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

BODY = [
    "2023年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本局主要职责是负责全县农业农村工作。",
    "二、部门收支情况",
    "本年支出合计1,200.00万元。",
]


def _docx(
    body: list[str],
    header: str | None = None,
    footer: str | None = None,
    first_header: str | None = None,
) -> bytes:
    d = docx.Document()
    section = d.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    if first_header is not None:
        section.different_first_page_header_footer = True
        section.first_page_header.paragraphs[0].text = first_header
    for line in body:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_header_text_is_read_before_the_body_and_page_numbers_are_not() -> None:
    doc = read_document(_docx(BODY, header="某县农业农村局", footer="第 1 页"), "r.docx")
    assert doc.text.startswith("某县农业农村局\n\n2023年度部门整体支出绩效自评报告\n")
    assert "第 1 页" not in doc.text and "第1页" not in doc.text
    first = doc.lines[0]
    assert doc.text[first.span.start : first.span.end] == "某县农业农村局"


def test_no_header_leaves_the_body_first() -> None:
    doc = read_document(_docx(BODY), "r.docx")
    assert doc.text.startswith("2023年度部门整体支出绩效自评报告\n")


def test_a_header_repeated_in_the_footer_is_read_once() -> None:
    doc = read_document(_docx(BODY, header="某县农业农村局", footer="某县农业农村局"), "r.docx")
    assert doc.text.count("某县农业农村局") == 1


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        (BODY, {"header": "某县农业农村局"}),
        (BODY, {"footer": "某县农业农村局"}),
        (BODY, {"first_header": "某县农业农村局"}),
        # a cover before the title: the header line is not right above it
        (
            ["附件2", "", "2023年度部门整体支出绩效自评报告", "填报日期：2024年3月1日", *BODY[1:]],
            {"header": "某县农业农村局"},
        ),
        (["目录", "一、部门基本情况", "二、部门收支情况", "", *BODY], {"header": "某县农业农村局"}),
    ],
)
def test_a_unit_named_only_in_the_header_is_the_department(body: list[str], kwargs: dict) -> None:
    export = extract_rules(read_document(_docx(body, **kwargs), "r.docx")).export
    assert export.report.department is not None
    assert export.report.department.value == "某县农业农村局"
    assert export.report.fiscal_year is not None and export.report.fiscal_year.value == 2023


def test_a_header_that_names_no_unit_gives_no_department() -> None:
    export = extract_rules(read_document(_docx(BODY, header="内部资料 注意保存"), "r.docx")).export
    assert export.report.department is None


# --- footnotes and endnotes (脚注/尾注) ------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def _with_footnote(body: list[str], at: int, note: str) -> bytes:
    """``body`` as a DOCX whose paragraph ``at`` carries footnote 1 reading ``note`` (python-
    docx writes no notes: the part, its relationship and its content type are added here)."""
    import zipfile

    d = docx.Document()
    paragraphs = [d.add_paragraph(line) for line in body]
    run = paragraphs[at].add_run()
    ref = run._r.makeelement(f"{{{W}}}footnoteReference", {f"{{{W}}}id": "1"})
    run._r.append(ref)
    buf = io.BytesIO()
    d.save(buf)
    notes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:t>{note}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdNotes" Type="{FOOTNOTES_REL}" '
                    'Target="footnotes.xml"/></Relationships>'.encode(),
                )
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            zout.writestr(item, data)
        zout.writestr("word/footnotes.xml", notes.encode("utf-8"))
    return out.getvalue()


ACCOUNTS = [
    "某县农业农村局2023年度部门整体支出绩效自评报告",
    "一、部门收支情况",
    "基本支出800.00万元，其中人员经费650.00万元，公用经费150.00万元。",
    "二、总体评价",
    "各项支出规范有序。",
]


def test_a_footnote_is_read_after_the_paragraph_that_refers_to_it() -> None:
    doc = read_document(_with_footnote(ACCOUNTS, 4, "注：人员经费含社会保障缴费。"), "r.docx")
    # (the text is NFKC: the full-width colon reads as ':')
    assert "各项支出规范有序。\n注:人员经费含社会保障缴费。\n" in doc.text
    assert doc.text.count("注:") == 1  # the separator note is not text


def test_a_figure_restated_in_a_footnote_that_differs_is_a_conflict() -> None:
    data = _with_footnote(ACCOUNTS, 4, "注：全年人员经费660.00万元，含社会保障缴费。")
    export = extract_rules(read_document(data, "r.docx")).export
    found = [f for f in export.findings if f.kind == "conflict"]
    assert [f.paths for f in found] == [["budget.personnel_expenditure"]]
    assert export.budget.personnel_expenditure is not None
    assert export.budget.personnel_expenditure.number == 650.0


def test_a_header_whose_part_is_missing_is_skipped_and_the_body_read() -> None:
    """A package whose section names a header relationship it no longer has (a hand-edited
    or half-repaired file): the header is skipped, the body is still read."""
    import io
    import re
    import zipfile

    import docx

    from service.ingest import read_document

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "某某县林业局"
    d.add_paragraph("正文第一段。")
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                data = re.sub(rb"<Relationship [^>]*header[^>]*/>", b"", data)
            dst.writestr(item, data)
    doc = read_document(out.getvalue(), "broken-header.docx")
    assert "正文第一段" in doc.text and "林业局" not in doc.text
