"""Figures as finance staff read them, in a real headless Chromium (Debian's, through
Playwright): a money value with separators, two decimals and its unit; an amount stated in
元 shown in 万元 with the text as stated beside it; a finding comparing 0.11万元 with
1,300元 in one unit with the originals; a number typed into an empty money field previewed
with the field's unit before saving. Screenshots at 1440×900 and 1024×768.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.records import Finding, FindingItem, Value
from tests.api.conftest import ADMIN_KEY, FakeExtractor, report_text
from tests.ui.conftest import LiveServer, browser_key_login, screenshot, ui_settings

pytestmark = pytest.mark.slow


class YuanFakeExtractor(FakeExtractor):
    """The fake reader plus a finding whose sides were stated in different units."""

    def __call__(self, document: Any, extractor: str, settings: Any) -> Any:
        result = super().__call__(document, extractor, settings)
        wan = Value(value=0.11, unit="万元", raw="0.11万元")
        yuan = Value(value=0.13, unit="万元", original_unit="元", raw="1,300元")
        result.export.findings.append(
            Finding(
                kind="sum_mismatch",
                severity="error",
                paths=["three_public.reception.actual", "three_public.reception.budget"],
                message_zh="公务接待费前后不一致",
                message_en="reception figures differ",
                items=[
                    FindingItem(path="three_public.reception.actual", value=wan),
                    FindingItem(path="three_public.reception.budget", value=yuan),
                ],
            )
        )
        return result


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("figures")
    with LiveServer(create_app(ui_settings(folder), extract=YuanFakeExtractor())) as server:
        api = httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        key = _key(api)
        data = report_text(department="某县财政局", basic=12345.678)
        doc_id = api.post("/documents", files={"files": ("财政局2023.txt", data)}).json()[
            "documents"
        ][0]["id"]
        for _ in range(600):
            if api.get(f"/documents/{doc_id}").json()["status"] == "done":
                break
            time.sleep(0.05)
        r = api.patch(f"/documents/{doc_id}/records/budget/carry_over", json={"value": "1,300元"})
        assert r.status_code == 200, r.text
        yield {"url": server.url, "key": key, "doc": doc_id}
        api.close()


def _key(api: httpx.Client) -> str:
    r = api.post("/keys", json={"name": "李科员", "role": "reviewer"})
    assert r.status_code == 201, r.text
    return str(r.json()["key"])


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1024, 768)])
def test_money_and_findings_as_finance_staff_read_them(
    browser: Any, live: dict[str, Any], width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live['url']}/ui/documents/{live['doc']}")
    browser_key_login(page, live["key"])
    page.wait_for_selector("#findings li.finding")

    basic = page.locator('td.v[data-path="budget/basic_expenditure"]')
    assert basic.locator(".txt").inner_text() == "12,345.68"
    assert basic.locator(".unit").inner_text() == "万元"
    carry = page.locator('td.v[data-path="budget/carry_over"]')
    assert carry.locator(".txt").inner_text() == "0.13"
    assert carry.locator(".orig").inner_text() == "原文 1,300元"  # visible, not on hover
    assert carry.locator(".orig").is_visible()

    finding = page.locator("#findings li.finding", has_text="公务接待费前后不一致")
    sides = [b.inner_text() for b in finding.locator("button.fitem b").all()]
    assert sides == ["0.11 万元", "0.13 万元（原文 1,300元）"]
    finding.scroll_into_view_if_needed()
    screenshot(page, f"figures-{width}x{height}")

    # an empty money field: the editor offers the field's unit and previews the saved value
    empty = page.locator('td.v[data-path="budget/total_income"]')
    empty.scroll_into_view_if_needed()
    empty.dblclick()
    editor = empty.locator(".editor")
    assert editor.locator(".unit-in").input_value() == "万元"
    editor.locator(".value-in").fill("1234.5")
    assert editor.locator(".preview").inner_text() == "将保存为 1,234.50 万元"
    editor.locator(".value-in").fill("12,000元")
    assert editor.locator(".preview").inner_text() == "将保存为 1.20 万元（原文 12,000元）"
    screenshot(page, f"figures-editor-{width}x{height}")
    # the editor and every control in it stay inside the cell it edits (no spill at 1024)
    cell = _rect(empty)
    for part in [editor, *editor.locator("input, button").all()]:
        box = _rect(part)
        assert cell["x"] <= box["x"] and box["x"] + box["width"] <= cell["x"] + cell["width"] + 0.5
    editor.locator(".value-in").press("Escape")
    assert not errors, errors
    context.close()


def _rect(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return dict(box)
