"""A web page, a workbook and an OFD file uploaded over HTTP and read by the real pipeline:
the format the service reports, and values grounded as each format allows."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.synth.render import render
from service.synth.reports import make_report
from service.synth.xlsx import render_xlsx
from tests.api.conftest import ADMIN_KEY, upload, wait_for

REPORT = make_report(3, "hunan")


def _through(client: TestClient, data: bytes, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    headers = {"X-API-Key": ADMIN_KEY}
    item = upload(client, headers, data, name)
    doc = wait_for(client, item["id"], headers)
    assert doc["status"] == "done", doc
    export = client.get(f"/documents/{item['id']}/extraction", headers=headers).json()
    return doc, export


@pytest.mark.parametrize(
    ("name", "fmt", "media_type"),
    [
        ("page.htm", "html", "text/html"),
        ("report.ofd", "ofd", "application/ofd"),
    ],
)
def test_a_report_in_a_new_format_reads_like_its_twin(
    real_client: TestClient, name: str, fmt: str, media_type: str
) -> None:
    doc, export = _through(real_client, render(REPORT.spec, fmt, seed=3)[0], name)
    assert (doc["format"], doc["media_type"]) == (fmt, media_type)
    assert doc["department"] == "枫林县交通运输局" and doc["fiscal_year"] == 2021
    assert len(export["indicators"]) == len(REPORT.truth.indicators)
    actual = export["indicators"][0]["actual"]
    assert actual["raw"] == "450台"
    boxes = actual["source"]["boxes"]
    assert bool(boxes) is (fmt == "ofd")  # OFD has page geometry, a web page none


def test_a_workbook_of_attachments_names_each_value_s_cell(real_client: TestClient) -> None:
    doc, export = _through(real_client, render_xlsx(REPORT.spec, attachments_only=True), "zp.xlsx")
    assert doc["format"] == "xlsx"
    rows = export["indicators"]
    assert len(rows) == len(REPORT.truth.indicators)
    assert all("自评表!" in r["score"]["source"]["locator"] for r in rows if r.get("score"))
