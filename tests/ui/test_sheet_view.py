"""A workbook's pages in the review page: each sheet drawn as a grid (column letters, row
numbers, merged cells, numbers right-aligned as displayed), each value marked in its cell."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from lxml import html as lxml_html

from service.document import Document
from service.extract.pipeline import extract
from service.ingest import read_document
from service.synth.reports import make_report
from service.synth.xlsx import render_xlsx
from service.ui.review import build_review
from service.ui.sheet_view import ValueSpan, locator_cell, sheet_pages
from service.ui.sources import parse_ref, source_from_json


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "自评表"
    ws["A1"] = "某单位部门整体支出绩效自评表"
    ws.merge_cells("A1:D1")
    for col, text in enumerate(("一级指标", "三级指标", "实际完成值", "得分"), 1):
        ws.cell(row=2, column=col, value=text)
    ws["A3"] = "产出指标"
    ws.merge_cells("A3:A4")
    ws["B3"], ws["C3"], ws["D3"] = "预算执行率", 0.9812, 9
    ws["C3"].number_format = "0.00%"
    ws["B4"], ws["C4"], ws["D4"] = "培训人次", 1250, 4.5
    ws["C4"].number_format = "#,##0"
    ws["B5"], ws["C5"] = "合计", 13.5
    ws["A12"] = "填报人：某某"  # after a run of empty rows, folded into one
    other = book.create_sheet("Sheet 2")
    other["B2"], other["C2"] = "收入合计", 3015.6
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _source(doc: Document):  # noqa: ANN202
    return source_from_json(json.loads(doc.model_dump_json())).unpaged()


def _tree(markup: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(markup, create_parent="div")


@pytest.fixture(scope="module")
def grids() -> dict[int, lxml_html.HtmlElement]:
    doc = read_document(_workbook(), "自评表.xlsx")
    source = _source(doc)
    rate = doc.text.index("98.12%")
    spans = [ValueSpan(rate, rate + 6, "indicators/0/actual", "实际完成值")]
    located = {"自评表!D4": [ValueSpan(-1, -1, "indicators/1/score", "得分")]}
    return {n: _tree(m) for n, m in sheet_pages(source, spans, located).items()}


def test_each_sheet_is_a_grid_with_its_letters_rows_and_merges(
    grids: dict[int, lxml_html.HtmlElement],
) -> None:
    sheet = grids[1].find(".//table")
    assert sheet.get("data-sheet") == "自评表"
    assert [th.text for th in sheet.findall("thead/tr/th")] == [None, "A", "B", "C", "D"]
    rows = sheet.findall("tbody/tr")
    numbers = [r.find("th").text if r.find("th") is not None else "⋯" for r in rows]
    assert numbers == ["1", "2", "3", "4", "5", "⋯", "12"]  # rows 6–11 folded
    title = rows[0].find("td")
    assert title.get("data-cell") == "自评表!A1" and title.get("colspan") == "4"
    merged = rows[2].find("td")
    assert merged.text_content() == "产出指标" and merged.get("rowspan") == "2"
    assert len(rows[3].findall("td")) == 3  # A4 is under A3's merge
    assert len(rows[4].findall("td")) == 4  # A5 empty, drawn blank


def test_numbers_are_right_aligned_in_their_displayed_text(
    grids: dict[int, lxml_html.HtmlElement],
) -> None:
    cells = {td.get("data-cell"): td for td in grids[1].iter("td") if td.get("data-cell")}
    assert cells["自评表!C3"].text_content() == "98.12%"
    assert cells["自评表!C4"].text_content() == "1,250"
    assert cells["自评表!C3"].get("class") == "num" and cells["自评表!D4"].get("class") == "num"
    assert cells["自评表!B3"].get("class") is None
    second = grids[2].find(".//table")
    assert second.get("data-sheet") == "Sheet 2"
    assert [td.get("data-cell") for td in second.iter("td") if td.get("data-cell")] == [
        "'Sheet 2'!B2",
        "'Sheet 2'!C2",
    ]


def test_a_value_is_marked_in_the_cell_of_its_span_or_its_locator(
    grids: dict[int, lxml_html.HtmlElement],
) -> None:
    marks = {m.getparent().get("data-cell"): m.get("data-refs") for m in grids[1].iter("mark")}
    assert marks == {"自评表!C3": "indicators/0/actual", "自评表!D4": "indicators/1/score"}


def test_refs_and_locators_are_parsed_as_excel_writes_them() -> None:
    assert parse_ref("自评表!E5") == ("自评表", 5, 5)
    assert parse_ref("'Sheet 1'!AB12") == ("Sheet 1", 12, 28)
    assert parse_ref("'it''s'!A1") == ("it's", 1, 1)
    assert parse_ref("自评表!E0") is None and parse_ref("E5") is None
    assert locator_cell("table:1 自评表!E5") == "自评表!E5"
    assert locator_cell("table:2 'Sheet 1'!C3") == "'Sheet 1'!C3"
    assert locator_cell("table:1 row 3") is None and locator_cell(None) is None


def test_the_review_model_draws_an_extracted_workbook_with_values_in_their_cells() -> None:
    report = make_report(3, "hunan")
    doc = read_document(render_xlsx(report.spec, attachments_only=True), "zp.xlsx")
    export = json.loads(extract(doc).export.model_dump_json())
    model = build_review(export, _source(doc), "zh", set())
    assert set(model.sheets) == {p.number for p in doc.pages}
    first = export["indicators"][0]["actual"]
    cell_ref = first["source"]["locator"].split()[-1]
    page = _tree(model.sheets[first["source"]["page"]])
    (td,) = [td for td in page.iter("td") if td.get("data-cell") == cell_ref]
    assert td.text_content() == "450台"
    assert "indicators/0/actual" in td.find("mark").get("data-refs").split()
    marked = [m for m in page.iter("mark")]
    assert len(marked) > 5 and all(m.getparent().tag == "td" for m in marked)


def test_a_text_document_has_no_sheet_grid() -> None:
    doc = read_document("部门：某局\n支出合计 100 万元\n".encode(), "r.txt")
    model = build_review({}, _source(doc), "zh", set())
    assert model.sheets == {} and model.text_pages
    assert not re.search(r"<table", str(model.text_pages[0][1]))


def test_a_bundles_workbook_part_is_drawn_as_sheets_and_its_text_part_as_text() -> None:
    from service.ingest.bundle import pack_bundle

    report = "某局2023年度部门整体支出绩效自评报告\n项目支出200.00万元。\n".encode()
    data = pack_bundle([("报告.txt", report), ("附件 自评表.xlsx", _workbook())])
    doc = read_document(data, "r.zip")
    source = _source(doc)
    workbook_pages = {p.number for p in doc.pages if p.file == 1}
    assert workbook_pages and set(source.sheets) == workbook_pages
    model = build_review({}, source, "zh", set())
    assert set(model.sheets) == workbook_pages
    text_only = [n for n, _ in model.text_pages if n not in model.sheets]
    assert text_only and all(doc.pages[n - 1].file == 0 for n in text_only)
    grid = _tree(model.sheets[min(workbook_pages)])
    assert grid.find(".//table").get("data-sheet") == "自评表"
