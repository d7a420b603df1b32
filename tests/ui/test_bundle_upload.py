"""The upload form's "作为一份报告" box in a real headless Chromium: two files chosen and the
box ticked make one document; the box is off while fewer than two files are chosen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from tests.api.conftest import ADMIN_KEY
from tests.ingest.test_bundle import REPORT, _tables_docx
from tests.ui.conftest import LiveServer, ui_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    settings = ui_settings(tmp_path_factory.mktemp("ui-bundle"))
    with LiveServer(create_app(settings)) as server:
        api = httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        r = api.post("/keys", json={"name": "上传 王", "role": "uploader"})
        assert r.status_code == 201, r.text
        yield {"url": server.url, "api": api, "key": r.json()["key"]}
        api.close()


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
    page.fill("#api_key", live["key"])
    page.click("button[type=submit]")
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
