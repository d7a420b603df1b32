"""A report in several files in the UI: the upload form's "作为一份报告" box in a real
headless Chromium (two files chosen and the box ticked make one document; the box is off
while fewer than two files are chosen), and the review page's text pages named by file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.api.conftest import ADMIN_KEY, make_pdf, report_text, wait_for
from tests.ingest.test_bundle import REPORT, _tables_docx
from tests.ui.conftest import LiveServer, browser_key_login, login, ui_settings


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    settings = ui_settings(tmp_path_factory.mktemp("ui-bundle"))
    with LiveServer(create_app(settings)) as server:
        api = httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        r = api.post("/keys", json={"name": "上传 王", "role": "uploader"})
        assert r.status_code == 201, r.text
        yield {"url": server.url, "api": api, "key": r.json()["key"]}
        api.close()


@pytest.mark.slow
def test_two_files_ticked_as_one_report_are_one_document(
    browser: Any, live: dict[str, Any], tmp_path: Path
) -> None:
    report, tables = tmp_path / "绩效自评报告.txt", tmp_path / "附件 自评表.docx"
    report.write_text(REPORT, encoding="utf-8")
    tables.write_bytes(_tables_docx())
    page = browser.new_context(locale="zh-CN").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live["url"] + "/ui/documents")
    browser_key_login(page, live["key"])
    page.wait_for_url("**/ui/documents")
    box = page.locator("#bundle")
    assert "作为一份报告" in page.locator("label.check", has=box).inner_text()
    page.set_input_files("#files", str(report))
    assert box.is_disabled()  # one file is one report anyway
    page.set_input_files("#files", [str(report), str(tables)])
    assert box.is_enabled()
    box.check()
    page.click("#send")
    page.wait_for_selector("#upload-result .ok", timeout=20_000)
    assert "绩效自评报告 等2个文件.zip" in page.locator("#upload-result").inner_text()
    listed = live["api"].get("/documents").json()
    assert [(d["filename"], d["format"]) for d in listed["items"]] == [
        ("绩效自评报告 等2个文件.zip", "bundle")
    ]
    assert errors == []


def test_review_page_of_a_bundle_shows_text_pages_named_by_file(
    client: TestClient, keys: dict[str, str]
) -> None:
    """A bundle has no page images, even where one of its files is a PDF: every page is
    shown as text, with the file it came from."""
    pdf = make_pdf([["附件3 基础数据表", "三公经费 3.80"]])
    r = client.post(
        "/documents",
        files=[("files", ("报告.txt", report_text())), ("files", ("附件3.pdf", pdf))],
        headers={"X-API-Key": keys["uploader"]},
        params={"bundle": "true"},
    )
    assert r.status_code == 202, r.text
    doc = r.json()["documents"][0]["id"]
    assert wait_for(client, doc, {"X-API-Key": keys["uploader"]})["status"] == "done"
    login(client, keys["reviewer"])
    html = client.get(f"/ui/documents/{doc}").text
    labels = re.findall(r"<div class=\"tp-no\">(.*?)</div>", html)
    assert [re.sub(r"<[^>]+>", "", label) for label in labels] == [
        "第 1 页 · 报告.txt",
        "第 2 页 · 附件3.pdf",
    ]
    assert "三公经费 3.80" in html
    assert "/pages/1.png" not in html  # no page images
