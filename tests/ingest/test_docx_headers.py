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
