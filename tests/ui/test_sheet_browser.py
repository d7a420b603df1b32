"""A workbook's review page in a real headless Chromium: the sheets drawn as grids, a click
on a value lights its cell (scrolled into view, the sheet scrolled across to its column),
a click on a cell finds its value. Screenshots at 1440×900 and 1024×768 go to
tests/_artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.synth.reports import make_report
from service.synth.xlsx import render_xlsx
from tests.api.conftest import ADMIN_KEY, wait_for
from tests.ui.conftest import LiveServer, screenshot, ui_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    settings = ui_settings(tmp_path_factory.mktemp("ui-sheet"))
    workbook = render_xlsx(make_report(3, "hunan").spec, attachments_only=True)
    with LiveServer(create_app(settings)) as server:
        api = httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        r = api.post("/keys", json={"name": "审核 赵", "role": "reviewer"})
        assert r.status_code == 201, r.text
        key = r.json()["key"]
        up = api.post("/documents", files={"files": ("附件 自评表.xlsx", workbook)})
        assert up.status_code == 202, up.text
        doc = up.json()["documents"][0]["id"]
        assert wait_for(api, doc, {"X-API-Key": ADMIN_KEY})["status"] == "done"  # type: ignore[arg-type]
        export = api.get(f"/documents/{doc}/extraction").json()
        yield {"url": server.url, "key": key, "doc": doc, "export": export}
        api.close()


def _open(browser: Any, live: dict[str, Any], width: int, height: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: live.setdefault("errors", []).append(str(exc)))
    page.goto(live["url"] + "/ui/login")
    folded = page.locator("details:has(#api_key)")
    if folded.count() and not folded.get_attribute("open"):  # key login below a password one
        folded.locator("summary").click()
    page.fill("#api_key", live["key"])
    page.locator("form:has(#api_key) button[type=submit]").click()
    page.wait_for_url("**/ui/documents")
    page.goto(f"{live['url']}/ui/documents/{live['doc']}")
    page.wait_for_selector("table.sheet")
    return page


def _in_view(page: Any, selector: str, pane: str = "#pages") -> bool:
    return bool(
        page.evaluate(
            """([sel, pane]) => {
              const el = document.querySelector(sel), p = document.querySelector(pane);
              const r = el.getBoundingClientRect(), q = p.getBoundingClientRect();
              return r.top >= q.top && r.bottom <= q.bottom && r.left >= q.left && r.right <= q.right;
            }""",
            [selector, pane],
        )
    )


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1024, 768)])
def test_a_value_lights_its_cell_and_a_cell_finds_its_value(
    browser: Any, live: dict[str, Any], width: int, height: int
) -> None:
    page = _open(browser, live, width, height)
    indicators = live["export"]["indicators"]
    last = len(indicators) - 1  # far down the sheet: the pane must scroll to it
    actual = indicators[last]["actual"]
    cell_ref = actual["source"]["locator"].split()[-1]
    path = f"indicators/{last}/actual"
    sheets = page.locator("table.sheet")
    assert sheets.count() >= 1
    assert page.locator("table.sheet td.num").count() > 0  # typed numbers, right-aligned
    assert (
        page.locator("table.sheet td.num").first.evaluate("td => getComputedStyle(td).textAlign")
        == "right"
    )
    assert page.locator("table.sheet td[rowspan], table.sheet td[colspan]").count() > 0

    page.locator(f'td.v[data-path="{path}"]').click()
    target = f'table.sheet td[data-cell="{cell_ref}"]'
    page.wait_for_function(
        "sel => document.querySelector(sel).querySelector('mark.src.active')", arg=target
    )
    assert page.locator(target).inner_text().strip() == actual["raw"]
    page.wait_for_timeout(700)  # the smooth scroll
    assert _in_view(page, target)
    highlighted = page.locator(target).evaluate("td => getComputedStyle(td).backgroundColor")
    assert highlighted not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    screenshot(page, f"sheet-value-{width}x{height}")

    # the reverse: a click on the first indicator's target cell finds that value
    target0 = indicators[0]["target"]
    ref0 = target0["source"]["locator"].split()[-1]
    page.locator(f'table.sheet td[data-cell="{ref0}"]').click()
    record = page.locator('td.v[data-path="indicators/0/target"]')
    page.wait_for_function(
        "() => document.querySelector('td.v[data-path=\"indicators/0/target\"].active')"
    )
    page.wait_for_timeout(700)
    assert _in_view(page, 'td.v[data-path="indicators/0/target"]', "#records")
    assert target0["raw"].startswith(record.locator(".txt").inner_text().strip()[:2])
    screenshot(page, f"sheet-cell-{width}x{height}")
    assert live.get("errors", []) == []
    page.context.close()
