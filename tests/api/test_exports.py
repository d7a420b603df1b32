"""XLSX and CSV exports: one sheet per record type, corrections applied, bulk across documents."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from service.api.sheets import SHEET_NAMES, sheet_title
from tests.api.conftest import processed, upload

Keys = dict[str, dict[str, str]]


def _sheet(wb, name: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Rows keyed by field name (headers read "中文 (field) [unit]")."""
    rows = list(wb[sheet_title(name)].iter_rows(values_only=True))
    header = [h.split("(")[-1].split(")")[0] if "(" in h else h for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_xlsx_has_a_sheet_per_record_type(client: TestClient, keys: Keys) -> None:
    h = keys["reviewer"]
    doc_id = processed(
        client,
        h,
        department="甲局",
        year=2023,
        basic=100.5,
        conflict=True,
        indicators=[("办结率", "95%", 10, 9), ("=cmd()", "1", 5, 5)],
    )
    client.patch(f"/documents/{doc_id}/records/indicators/0/score", json={"value": 7}, headers=h)
    r = client.get(f"/documents/{doc_id}/export.xlsx", headers=keys["uploader"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f'filename="{doc_id}.xlsx"' in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [sheet_title(n) for n in ["documents", *SHEET_NAMES]]
    docs = _sheet(wb, "documents")
    assert docs[0]["document_id"] == doc_id and docs[0]["department"] == "甲局"
    assert "基本支出 (basic_expenditure) [万元]" in next(wb[sheet_title("budget")].values)
    budget = _sheet(wb, "budget")
    assert budget[0]["basic_expenditure"] == 100.5
    assert budget[0]["department"] == "甲局" and budget[0]["fiscal_year"] == 2023
    indicators = _sheet(wb, "indicators")
    assert [row["row"] for row in indicators] == [0, 1]
    assert indicators[0]["score"] == 7  # the correction, not the machine's 9
    assert indicators[0]["level3"] == "办结率"
    assert indicators[1]["level3"] == "'=cmd()"  # text, never a formula
    assert len(_sheet(wb, "findings")) == 1 and len(_sheet(wb, "problems")) == 1
    assert _sheet(wb, "missing")[0]["path"] == "budget.total_income"


def test_csv_single_record_and_long_format(client: TestClient, keys: Keys) -> None:
    h = keys["uploader"]
    doc_id = processed(client, h, department="乙局", basic=3.25)
    r = client.get(f"/documents/{doc_id}/export.csv", params={"record": "indicators"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0]["level3"] == "办结率" and rows[0]["score"] == "9.0"
    assert rows[0]["department"] == "乙局"
    long = client.get(f"/documents/{doc_id}/export.csv", headers=h)
    lines = list(csv.DictReader(io.StringIO(long.content.decode("utf-8-sig"))))
    by_path = {line["path"]: line for line in lines}
    basic = by_path["budget/basic_expenditure"]
    assert (basic["value"], basic["unit"], basic["raw"], basic["page"]) == (
        "3.25",
        "万元",
        "3.25",
        "1",
    )
    assert "indicators/0/score" in by_path
    bad = client.get(f"/documents/{doc_id}/export.csv", params={"record": "x"}, headers=h)
    assert bad.status_code == 422


def test_bulk_export_across_documents(client: TestClient, keys: Keys) -> None:
    h = keys["uploader"]
    a = processed(client, h, department="甲局", year=2022)
    b = processed(client, h, department="乙局", year=2023)
    r = client.get("/exports/documents.xlsx", headers=h)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert {row["document_id"] for row in _sheet(wb, "documents")} == {a, b}
    indicators = _sheet(wb, "indicators")
    assert {(row["department"], row["fiscal_year"]) for row in indicators} == {
        ("甲局", 2022),
        ("乙局", 2023),
    }
    only = client.get("/exports/documents.xlsx", params={"year": 2023}, headers=h)
    wb2 = load_workbook(io.BytesIO(only.content))
    assert [row["document_id"] for row in _sheet(wb2, "documents")] == [b]
    c = client.get("/exports/documents.csv", params={"record": "report"}, headers=h)
    rows = list(csv.DictReader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert sorted(row["department"] for row in rows) == ["乙局", "甲局"]


def test_exports_wait_for_an_extraction(client: TestClient, keys: Keys, app) -> None:  # type: ignore[no-untyped-def]
    app.state.jixiao.runner.stop()
    item = upload(client, keys["uploader"], b"not processed yet\n")
    r = client.get(f"/documents/{item['id']}/export.xlsx", headers=keys["uploader"])
    assert r.status_code == 409
    bulk = client.get(
        "/exports/documents.xlsx", params={"status": "queued"}, headers=keys["uploader"]
    )
    assert bulk.status_code == 200  # listed in `documents`, no records yet


def test_xlsx_tabs_headers_and_number_formats_as_finance_staff_read_them(
    client: TestClient, keys: Keys
) -> None:
    h = keys["reviewer"]
    doc_id = processed(client, h, department="丙局", year=2024, basic=1234.5)
    url = f"/documents/{doc_id}/records/budget"
    client.patch(f"{url}/execution_rate", json={"value": "97.25"}, headers=h)
    client.patch(f"{url}/carry_over", json={"value": "12,000元"}, headers=h)
    r = client.get(f"/documents/{doc_id}/export.xlsx", headers=h)
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:4] == ["文档列表", "报告信息", "人员情况", "收支预算执行"]
    assert "审核发现" in wb.sheetnames and "三公经费" in wb.sheetnames
    assert "部门 (department)" in next(wb["文档列表"].values)
    ws = wb["收支预算执行"]
    header = [c.value for c in ws[1]]
    assert "预算执行率 (execution_rate) [%]" in header
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    basic = row["基本支出 (basic_expenditure) [万元]"]
    assert basic.value == 1234.5 and basic.data_type == "n"  # a number, not text
    assert basic.number_format == "#,##0.00"
    carry = row["结转结余 (carry_over) [万元]"]
    assert carry.value == 1.2 and carry.number_format == "#,##0.00"
    rate = row["预算执行率 (execution_rate) [%]"]
    assert rate.value == 97.25 and rate.number_format == '0.00"%"'
    assert row["部门 (department)"].value == "丙局"
    assert row["部门 (department)"].number_format == "General"  # text stays text
    # the CSV of the same sheet keeps plain numbers
    r = client.get(f"/documents/{doc_id}/export.csv", params={"record": "budget"}, headers=h)
    line = next(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert line["basic_expenditure"] == "1234.5" and line["execution_rate"] == "97.25"
