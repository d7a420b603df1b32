"""The review workflow in a real headless Chromium (Debian's, through Playwright): findings
as work items (采用此值 asked first and undone, 确认无误 with a comment), a correction that
resolves a finding and takes back a sign-off without a reload, 初审, and 退回 with reasons
by the senior reviewer on a small screen. Screenshots at 1440×900 and 1024×768 go to
$JIXIAO_SCREENSHOTS (default: the system's temporary folder)/jixiao-review-states.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from tests.api.conftest import ADMIN_KEY, report_text
from tests.api.test_review_flow import INDICATORS, CheckedFakeExtractor
from tests.ui.conftest import LiveServer, browser_key_login, ui_settings

pytestmark = pytest.mark.slow

SCREENS = Path(os.environ.get("JIXIAO_SCREENSHOTS", tempfile.gettempdir())) / "jixiao-review-states"


def shot(page: Any, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("review-states")
    settings = ui_settings(folder, review={"two_level": True})
    with LiveServer(create_app(settings, extract=CheckedFakeExtractor())) as server:
        api = httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        r = api.post("/keys", json={"name": "王科员", "role": "reviewer"})
        assert r.status_code == 201, r.text
        data = report_text(department="某县交通运输局", indicators=INDICATORS, conflict=True)
        item = api.post("/documents", files={"files": ("交通局2023.txt", data)}).json()
        doc_id = item["documents"][0]["id"]
        for _ in range(600):
            if api.get(f"/documents/{doc_id}").json()["status"] == "done":
                break
            time.sleep(0.05)
        yield {"url": server.url, "api": api, "reviewer": r.json()["key"], "doc": doc_id}
        api.close()


def _login(page: Any, url: str, key: str, doc_id: str) -> None:
    page.goto(f"{url}/ui/documents/{doc_id}")
    browser_key_login(page, key)
    page.wait_for_selector("#findings li.finding")


def _finding(page: Any, kind_label: str) -> Any:
    return page.locator("#findings li.finding", has_text=kind_label)


def test_findings_states_return_and_resubmit(
    browser: Any, live: dict[str, Any], tmp_path: Path
) -> None:
    url, api, doc_id = live["url"], live["api"], live["doc"]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, url, live["reviewer"], doc_id)

    conflict, over = _finding(page, "前后不一致"), _finding(page, "得分超过分值")
    assert conflict.get_attribute("data-state") == "open" == over.get_attribute("data-state")
    assert "待处理 2" in page.locator("#open-findings").inner_text()
    assert page.locator("#review-state").inner_text() == "待审核"
    # 采用此值 is offered on the conflict's other side only, never on the score finding
    assert over.locator("button.use").count() == 0
    shot(page, "01-findings-open-1440")

    # 采用此值 asks first (cancel writes nothing), then writes and can be undone
    conflict.locator("button.use").click()
    assert "120.5" in page.locator("#adopt-text").inner_text()
    page.locator("#adopt-dialog button[value=cancel]").click()
    view = api.get(f"/documents/{doc_id}/extraction").json()
    assert view["budget"]["basic_expenditure"]["value"] == 100.5
    conflict.locator("button.use").click()
    page.click("#adopt-ok")
    page.wait_for_selector("#findings li.finding.fs-corrected")
    assert _finding(page, "前后不一致").get_attribute("data-state") == "corrected"
    cell = page.locator('td.v[data-path="budget/basic_expenditure"] .txt')
    assert cell.inner_text() == "120.50"  # money to two decimals
    shot(page, "02-adopted-undo-offered-1440")
    page.click("#undo")
    page.wait_for_selector("#findings li.finding.fs-open >> text=前后不一致")
    assert cell.inner_text() == "100.50"

    # 确认无误 with a comment
    conflict = _finding(page, "前后不一致")
    conflict.locator("button[data-fstate=confirmed]").click()
    conflict.locator(".fform input").fill("正文与附表口径不同，已核实")
    conflict.locator(".fform button.primary").click()
    page.wait_for_selector("#findings li.finding.fs-confirmed")
    conflict = _finding(page, "前后不一致")
    assert conflict.locator(".fstate").inner_text() == "确认无误"
    assert "正文与附表口径不同，已核实" in conflict.inner_text()
    assert "王科员" in conflict.inner_text()

    # correcting the score resolves its finding, linked to the correction
    score = page.locator('td.v[data-path="indicators/1/score"]')
    score.dblclick()
    score.locator("input.value-in").fill("8")
    score.locator("input.value-in").press("Enter")
    page.wait_for_selector("#findings li.finding.fs-corrected >> text=得分超过分值")
    assert "更正 #" in _finding(page, "得分超过分值").inner_text()
    assert "待处理 0" in page.locator("#open-findings").inner_text()

    # 初审 through the dialog; then a correction takes the sign-off back without a reload
    page.click("button[data-step=first_review]")
    page.fill("#step-opinion", "初审：数据已核对。")
    page.click("#step-ok")
    page.wait_for_selector("#review-state[data-state=first_approved]")
    assert page.locator("button[data-step]").count() == 0  # 复核 is someone else's
    assert page.locator("#promote").is_disabled()  # redrawn, still waiting for approval
    shot(page, "03-first-review-1440")
    staff = page.locator('td.v[data-path="budget/basic_expenditure"]')
    staff.dblclick()
    staff.locator("input.value-in").fill("100.6")
    staff.locator("input.value-in").press("Enter")
    page.wait_for_selector("#review-state[data-state=pending]")
    assert page.locator("#review-stale").is_visible()
    doc = api.get(f"/documents/{doc_id}").json()
    assert doc["review_state"] == "pending" and doc["approved"] is False
    page.click("button[data-step=first_review]")
    page.click("#step-ok")
    page.wait_for_selector("#review-state[data-state=first_approved]")
    assert not errors, errors
    context.close()

    # the senior reviewer returns it, with reasons, at 1024×768
    small = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = small.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, url, ADMIN_KEY, doc_id)
    assert page.locator("button[data-step=second_review]").count() == 1
    page.click("button[data-step=return]")
    page.click("#step-ok")  # no reason: refused in the dialog
    assert page.locator("#step-msg").inner_text() == "请至少填写一条退回原因。"
    page.fill("#step-reasons", "满意度得分与正文不一致\n三公经费未填上年数")
    page.fill("#step-opinion", "请核实后重新报送。")
    shot(page, "04-return-dialog-1024")
    page.click("#step-ok")
    page.wait_for_selector("#review-state[data-state=returned]")
    reasons = page.locator("#return-reasons li").all_inner_texts()
    assert reasons == ["满意度得分与正文不一致", "三公经费未填上年数"]
    assert page.locator("button[data-step]").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, f"the page scrolls sideways: {width}px"
    shot(page, "05-returned-1024")
    # the department's corrected report, resubmitted on the page: read again, 待审核
    fixed = report_text(
        department="某县交通运输局",
        indicators=[("办结率", "95%", 10, 9), ("满意度", "≥90%", 10, 8)],
        conflict=True,
    )
    upload = tmp_path / "交通局2023-修改稿.txt"
    upload.write_bytes(fixed)
    page.set_input_files("#resubmit-file", str(upload))
    assert page.locator("#resubmit-name").inner_text() == "交通局2023-修改稿.txt"
    page.click("#resubmit-send")
    page.wait_for_selector("#review-resubmitted", timeout=30_000)
    assert page.locator("#review-state").inner_text() == "待审核"
    assert page.locator("#return-reasons li").count() == 2  # still there to read
    assert "第 2 版" in page.locator(".doctitle").inner_text()
    shot(page, "06-resubmitted-1024")
    page.goto(f"{url}/ui/documents?review=pending")
    row = page.locator(f'#docs tr[data-id="{doc_id}"]')
    assert "待审核" in row.inner_text()
    page.goto(f"{url}/ui/documents?review=returned")
    assert page.locator(f'#docs tr[data-id="{doc_id}"]').count() == 0
    assert not errors, errors
    small.close()
