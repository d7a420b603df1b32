"""The spreadsheet reader on workbooks written here (openpyxl for .xlsx, xlwt for .xls):
typed numbers with their displayed text, merged cells, cell addresses, bad workbooks."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from service.config import Limits
from service.document import Document, SourceFormat
from service.errors import CorruptFileError, EncryptedFileError, FileTooLargeError
from service.extract.pipeline import extract
from service.ingest import IngestOptions, read_document
from service.ingest.sheets import cell_ref, display
from service.ingest.sniff import sniff
from service.synth.reports import make_report
from service.synth.xlsx import render_xls, render_xlsx


def _workbook() -> bytes:
    """A 自评表-like sheet: a merged title row, a header, a vertical merge, typed figures,
    a note row; a second sheet of prose; a hidden sheet."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "自评表"
    ws["A1"] = "2021年度部门整体支出绩效自评表"
    ws.merge_cells("A1:E1")
    for col, text in enumerate(("一级指标", "三级指标", "年度指标值", "实际完成值", "得分"), 1):
        ws.cell(row=2, column=col, value=text)
    ws["A3"] = "产出指标"
    ws.merge_cells("A3:A4")
    ws["B3"], ws["C3"], ws["D3"], ws["E3"] = "预算执行率", 0.95, 0.9729, 6
    ws["C3"].number_format = ws["D3"].number_format = "0.00%"
    ws["B4"], ws["C4"], ws["D4"], ws["E4"] = "支出总额", 2392.11, 2327.2400000000002, 5.5
    ws["C4"].number_format = ws["D4"].number_format = "#,##0.00"
    ws["A6"] = "说明：得分按权重计算。"
    prose = book.create_sheet("报告正文")
    prose["A1"] = "2021年全年支出2,327.24万元。"
    prose["A2"] = "报告日期"
    prose["B2"] = dt.datetime(2022, 4, 23)
    prose["B2"].number_format = 'yyyy"年"m"月"d"日"'
    secret = book.create_sheet("lookup")
    secret["A1"] = "不读"
    secret.sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def workbook() -> Document:
    return read_document(_workbook(), "zp.xlsx")


def test_a_workbook_is_sniffed_by_content_and_each_visible_sheet_is_a_page(
    workbook: Document,
) -> None:
    assert sniff(_workbook(), "renamed.zip") is SourceFormat.xlsx
    assert workbook.source.format is SourceFormat.xlsx
    assert len(workbook.pages) == 2
    assert workbook.metadata["sheets"] == '["自评表", "报告正文"]'
    assert "不读" not in workbook.text
    assert any("lookup" in w for w in workbook.warnings)


def test_numbers_are_typed_and_written_as_displayed(workbook: Document) -> None:
    table = workbook.tables[0]
    assert table.grid()[1] == ["产出指标", "预算执行率", "95.00%", "97.29%", "6"]
    assert table.grid()[2] == ["", "支出总额", "2,392.11", "2,327.24", "5.5"]
    rate = table.cell_at(1, 3)
    assert rate is not None and rate.value == pytest.approx(0.9729) and rate.text == "97.29%"
    label = table.cell_at(1, 1)
    assert label is not None and label.value is None


def test_merges_and_cell_addresses(workbook: Document) -> None:
    table, dated = workbook.tables
    assert (table.n_rows, table.n_cols) == (3, 5)  # the title row and the note are lines
    merged = table.cell_at(2, 0)
    assert merged is not None and merged.text == "产出指标" and merged.row_span == 2
    assert merged.ref == "自评表!A3"
    total = table.cell_at(2, 3)
    assert total is not None and total.ref == "自评表!D4"
    assert workbook.slice(total.span) == "2,327.24"
    title = next(ln for ln in workbook.lines if workbook.slice(ln.span).endswith("自评表"))
    assert title.ref == "自评表!A1"
    (where,) = workbook.locate(total.span)
    assert (where.page, where.ref) == (1, "自评表!D4")
    assert dated.pages == [2] and [c.ref for c in dated.cells] == ["报告正文!A2", "报告正文!B2"]


def test_a_prose_sheet_reads_as_lines_with_dates_as_displayed(workbook: Document) -> None:
    assert "2021年全年支出2,327.24万元。" in workbook.text
    assert "报告日期\t2022年4月23日\n" in workbook.text


def test_extracted_values_name_their_cell() -> None:
    report = make_report(3, "hunan")
    doc = read_document(render_xlsx(report.spec, attachments_only=True), "zp.xlsx")
    export = extract(doc).export
    assert len(export.indicators) == len(report.truth.indicators)
    first = export.indicators[0]
    assert first.actual is not None and first.actual.raw == "450台"
    locator = first.actual.source.locator
    assert locator is not None
    ref = locator.split()[-1]  # the reader's hint, then the cell
    (cell,) = [c for t in doc.tables for c in t.cells if c.ref == ref]
    assert cell.text == "450台" and ref.startswith(
        json.loads(doc.metadata["sheets"])[cell.page - 1] + "!"
    )


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0.9729, "0.00%", "97.29%"),
        (1, "0%", "100%"),
        (1693.36, "#,##0.00", "1,693.36"),
        (1693.3600000000001, "General", "1693.36"),
        (0.30000000000000004, None, "0.3"),
        (12.0, "General", "12"),
        (45.5, '0.00"万元"', "45.50万元"),
        (-3.1, "#,##0.00;[Red]-#,##0.00", "-3.10"),
        (dt.datetime(2022, 4, 23), "yyyy-mm-dd", "2022-04-23"),
        ("≥95%", "@", "≥95%"),
        (True, "General", "TRUE"),
    ],
)
def test_display_follows_the_number_format(value: object, fmt: str | None, shown: str) -> None:
    assert display(value, fmt) == shown


def test_cell_refs_quote_sheet_names_as_excel_does() -> None:
    assert cell_ref("自评表", 5, 3) == "自评表!C5"
    assert cell_ref("Sheet 1", 1, 28) == "'Sheet 1'!AB1"


def test_a_legacy_xls_reads_like_the_xlsx() -> None:
    report = make_report(4, "sichuan")
    xls = render_xls(report.spec)
    assert sniff(xls, "report.xls") is SourceFormat.xls
    from_xls = read_document(xls, "report.xls")
    from_xlsx = read_document(render_xlsx(report.spec), "report.xlsx")
    assert from_xls.source.format is SourceFormat.xls
    assert from_xls.text == from_xlsx.text
    merged_xls = [(c.ref, c.row_span, c.col_span) for t in from_xls.tables for c in t.cells]
    merged_xlsx = [(c.ref, c.row_span, c.col_span) for t in from_xlsx.tables for c in t.cells]
    assert merged_xls == merged_xlsx
    assert any(rs > 1 or cs > 1 for _, rs, cs in merged_xls)


def test_a_password_protected_xlsx_is_a_typed_error() -> None:
    office = OOXMLFile(io.BytesIO(_workbook()))
    locked = io.BytesIO()
    office.encrypt("secret", locked)
    data = locked.getvalue()
    with pytest.raises(EncryptedFileError):
        sniff(data, "zp.xlsx")
    with pytest.raises(EncryptedFileError):
        read_document(data, "zp.xlsx")


def test_formulas_without_saved_values_are_named_in_a_warning() -> None:
    """openpyxl (like other libraries) writes formulas without their results."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "基础数据表"
    ws["A1"], ws["B1"] = "基本支出", 1059.01
    ws["A2"], ws["B2"] = "项目支出", 53.5
    ws["A3"], ws["B3"] = "合计", "=SUM(B1:B2)"
    buf = io.BytesIO()
    book.save(buf)
    doc = read_document(buf.getvalue(), "jc.xlsx")
    assert "合计\n" in doc.text and "=SUM" not in doc.text  # the label alone: no value
    assert any("基础数据表 1" in w and "formula" in w for w in doc.warnings)
    assert not any("formula" in w for w in read_document(_workbook(), "zp.xlsx").warnings)


def test_a_truncated_workbook_is_corrupt() -> None:
    data = _workbook()
    with pytest.raises(CorruptFileError):
        read_document(data[: len(data) // 2], "zp.xlsx")


def test_a_damaged_sheet_is_corrupt() -> None:
    src = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]  # cut mid-element
            dst.writestr(info.filename, body)
    with pytest.raises(CorruptFileError):
        read_document(out.getvalue(), "zp.xlsx")


def test_a_workbook_that_unpacks_past_the_limit_is_refused() -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "填充" * 100_000  # 600 KB of XML that deflates to a few KB
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    options = IngestOptions(limits=Limits(max_bytes=len(data) + 100))
    with pytest.raises(FileTooLargeError, match="unpacks to"):
        read_document(data, "big.xlsx", options)
