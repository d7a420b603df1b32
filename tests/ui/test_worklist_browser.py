"""The documents list as a work queue in a real headless Chromium (Debian's, through
Playwright): sorting by a header, selecting rows and exporting them, a multi-file upload
where one bad file is reported and the good one goes in, and 保存并下一份 saving an open
edit and opening the next document of the sorted list. Screenshots at 1440×900 and
1024×768 go to tests/_artifacts/screenshots/ (worklist-*).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from openpyxl import load_workbook

from service.app import create_app
from service.store.engine import make_engine, transaction
from service.store.tables import EvalRun
from tests.api.conftest import ADMIN_KEY, report_text
from tests.ui.conftest import LiveServer, browser_key_login, screenshot, ui_settings
from tests.ui.test_worklist import FiguresExtractor

pytestmark = pytest.mark.slow

REPORTS = {  # department: (支出合计, 总分, 执行率)
    "某县水利局": (1234.5, 87.5, 98.76),
    "某县教育局": (56789.12, 92, 85.1),
    "某县城市管理局": (310.2, 79.25, 100),
}


def _wait_done(api: httpx.Client, doc_id: str) -> None:
    for _ in range(600):
        if api.get(f"/documents/{doc_id}").json()["status"] == "done":
            return
        time.sleep(0.05)
    raise AssertionError(f"{doc_id} not done")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("worklist")
    settings = ui_settings(folder)
    with LiveServer(create_app(settings, extract=FiguresExtractor())) as server:
        api = httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        r = api.post("/keys", json={"name": "李科员", "role": "reviewer"})
        assert r.status_code == 201, r.text
        ids = {}
        for dept, (total, score, rate) in REPORTS.items():
            data = (
                report_text(department=dept)
                + f"支出合计: {total}\n总分: {score}\n执行率: {rate}\n".encode()
            )
            item = api.post("/documents", files={"files": (f"{dept}2023.txt", data)}).json()
            ids[dept] = item["documents"][0]["id"]
            _wait_done(api, ids[dept])
        yield {
            "url": server.url,
            "api": api,
            "reviewer": r.json()["key"],
            "ids": ids,
            "settings": settings,
        }
        api.close()


def _departments(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#docs td.dept a.main").all_inner_texts()]


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_sort_select_export_upload_and_save_next(
    browser: Any, live: dict[str, Any], tmp_path: Path
) -> None:
    url, api, ids = live["url"], live["api"], live["ids"]
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/ui/documents")
    browser_key_login(page, live["reviewer"])
    page.wait_for_url("**/ui/documents")
    assert "一次最多 20 个文件，每个不超过 50 MB。" in page.locator("#limits").inner_text()

    # sort by 支出合计: largest first, then the other way round
    page.locator("#docs th a", has_text="支出合计").click()
    page.wait_for_url("**sort=expenditure**")
    assert _departments(page) == ["某县教育局", "某县水利局", "某县城市管理局"]
    assert "56,789.12 万元" in page.locator("#docs tbody tr").first.inner_text()
    screenshot(page, "worklist-1440-sorted")
    _no_sideways_scroll(page)
    page.locator("#docs th a", has_text="支出合计").click()
    page.wait_for_url("**dir=asc**")
    assert _departments(page) == ["某县城市管理局", "某县水利局", "某县教育局"]

    # select two rows and export them: the workbook holds those two only
    page.locator(f'#docs tr[data-id="{ids["某县水利局"]}"] input[name=ids]').check()
    page.locator(f'#docs tr[data-id="{ids["某县教育局"]}"] input[name=ids]').check()
    assert page.locator("#bulk-count").inner_text() == "已选 2 份"
    with page.expect_download() as download:
        page.click("#bulk-export")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    header = [c.value for c in sheet[1]]
    depts = {row[header.index("部门 (department)")] for row in sheet.iter_rows(2, values_only=True)}
    assert depts == {"某县水利局", "某县教育局"}

    # a good file and an empty one: the empty one is named, the good one goes in
    good, empty = tmp_path / "某县卫健委2023.txt", tmp_path / "空文件.txt"
    good.write_bytes(report_text(department="某县卫生健康委员会"))
    empty.write_bytes(b"")
    page.set_input_files("#files", [str(good), str(empty)])
    page.click("#send")
    page.wait_for_selector("#upload-result .ok")
    result = page.locator("#upload-result").inner_text()
    assert "✗ 空文件.txt：文件是空的，未上传。" in result
    assert "✓ 某县卫健委2023.txt" in result and "1 个已上传，1 个未上传。" in result
    screenshot(page, "worklist-1440-upload")
    names = [d["filename"] for d in api.get("/documents", params={"limit": 50}).json()["items"]]
    assert "某县卫健委2023.txt" in names and "空文件.txt" not in names

    # 保存并下一份 from the first of the sorted list: the open edit is saved, the next opens
    page.goto(f"{url}/ui/documents?sort=score&dir=desc")
    page.locator("#docs a.main", has_text="某县教育局").click()
    page.wait_for_selector("#save-next")
    cell = page.locator('td.v[data-path="budget/basic_expenditure"]')
    cell.dblclick()
    cell.locator("input.value-in").fill("123.45")
    screenshot(page, "worklist-1440-review")
    page.click("#save-next")
    page.wait_for_url(f"**/ui/documents/{ids['某县水利局']}?**")
    assert parse_qs(urlparse(page.url).query)["list"] == ["sort=score&dir=desc"]
    log = api.get(f"/documents/{ids['某县教育局']}/corrections").json()
    assert [(c["path"], c["new_value"]["value"]) for c in log["items"]] == [
        ("budget/basic_expenditure", 123.45)
    ]
    # and on: the last of the list leads back to the list
    page.click("#save-next")
    page.wait_for_url(f"**/ui/documents/{ids['某县城市管理局']}?**")
    page.click("#save-next")  # the upload without a score comes last
    page.wait_for_function("document.querySelector('h1').textContent.includes('卫生健康')")
    assert page.locator("#save-next").inner_text() == "保存并返回列表"
    page.click("#save-next")
    page.wait_for_url("**/ui/documents?sort=score&dir=desc")
    assert errors == []

    # a small screen: the list and the review page without sideways scrolling
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{url}/ui/documents?sort=score&dir=desc")
    screenshot(page, "worklist-1024-list")
    _no_sideways_scroll(page)
    page.locator("#docs a.main", has_text="某县水利局").click()
    page.wait_for_selector("#save-next")
    screenshot(page, "worklist-1024-review")
    _no_sideways_scroll(page)
    context.close()


def test_duplicates_failures_and_the_evaluation_page(browser: Any, live: dict[str, Any]) -> None:
    url, api, ids = live["url"], live["api"], live["ids"]
    again = report_text(department="某县水利局") + "支出合计: 1234.5\n".encode()
    broken = report_text(department="某县损坏局")
    for name, data in (("水利局再次上传.txt", again), ("坏文件.txt", broken)):
        doc_id = api.post("/documents", files={"files": (name, data)}).json()["documents"][0]["id"]
        for _ in range(600):
            if api.get(f"/documents/{doc_id}").json()["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
    _eval_runs(live["settings"])
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{url}/ui/documents")
    browser_key_login(page, live["reviewer"])
    page.wait_for_url("**/ui/documents")
    dup = page.locator(f'#docs tr[data-id="{ids["某县水利局"]}"] .badge.dup')
    assert dup.inner_text() == "重复上传" and "水利局再次上传.txt" in (
        dup.get_attribute("title") or ""
    )
    failed = page.locator(".failed-list li")
    assert "坏文件.txt" in failed.inner_text() and "处理时出错，可以重试" in failed.inner_text()
    assert "RuntimeError" not in page.content()
    screenshot(page, "worklist-1440-dup-failed")
    # 删除 asks first, naming the document; dismissed, nothing happens
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    failed.locator("button[value=delete]").click()
    assert asked == ["删除文档“坏文件.txt”？无法恢复。"]
    assert page.locator(".failed-list li").count() == 1
    page.once("dialog", lambda d: d.accept())
    failed.locator("button[value=delete]").click()
    page.wait_for_selector("#bulk-result")
    assert "已删除 1 份" in page.locator("#bulk-result").inner_text()
    assert page.locator(".failed-list").count() == 0

    # a sign-off opens the next document of the list (审核后打开下一份 is ticked)
    page.goto(f"{url}/ui/documents?sort=score&dir=desc")
    page.locator("#docs a.main", has_text="某县教育局").click()
    page.click("button[data-step=approve]")
    page.click("#step-ok")
    page.wait_for_url(f"**/ui/documents/{ids['某县水利局']}?**")
    assert api.get(f"/documents/{ids['某县教育局']}").json()["review_state"] == "approved"
    page.goto(f"{url}/ui/eval")
    screenshot(page, "worklist-1440-eval", full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{url}/ui/documents")
    screenshot(page, "worklist-1024-dup-failed")
    _no_sideways_scroll(page)
    page.goto(f"{url}/ui/eval")
    screenshot(page, "worklist-1024-eval")
    _no_sideways_scroll(page)
    context.close()


def _eval_runs(settings: Any) -> None:
    engine = make_engine(settings.resolved_database_url)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with transaction(engine) as session:
        for day, (n, f1) in enumerate([(40, 0.861), (40, 0.874), (6, 0.52), (40, 0.902)]):
            for extractor, shift in (("rules", 0.0), ("llm", 0.03)):
                types = {"budget": {"f1": f1 + shift}, "indicators": {"f1": f1 - 0.05}}
                session.add(
                    EvalRun(
                        created_at=start + timedelta(days=day, minutes=len(extractor)),
                        extractor=extractor,
                        dataset="jixiao-eval",
                        n_documents=n,
                        metrics={
                            "set_fingerprint": "set1",
                            "summary": {"overall": {"f1": f1 + shift}, "record_types": types},
                            "by_format": {"txt": {}} if n < 40 else {"txt": {}, "pdf": {}},
                        },
                    )
                )
    engine.dispose()
