"""The page viewer in a real headless Chromium, at 1440x900 and at 1024x768: zoom (keys + and
-), fit width and fit page, thumbnails with the current page marked, page jump, find-in-page
with its hits boxed over the page image, and a corrected value's box shown as where the old
text stood. The whole page never scrolls sideways. Screenshots go to
tests/_artifacts/screenshots/ (viewer-*.png)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pymupdf
import pytest

from service.app import create_app
from service.synth.render import render
from service.synth.seeds import seed_spec
from tests.api.conftest import ADMIN_KEY
from tests.ui.conftest import LiveServer, browser_key_login, screenshot, ui_settings

pytestmark = pytest.mark.slow

PROJECT = "budget/project_expenditure"
WORD = "项目支出"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, seeds: Path) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("ui-viewer")
    pdf = render(seed_spec(seeds / "000_de21ebe0f04bc952.txt"), "pdf")[0]
    with LiveServer(create_app(ui_settings(folder))) as server:
        api = httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        r = api.post("/keys", json={"name": "reviewer 周审", "role": "reviewer"})
        assert r.status_code == 201, r.text
        key = r.json()["key"]
        r = api.post("/documents", files={"files": ("执法支队2021.pdf", pdf)})
        assert r.status_code == 202, r.text
        doc = r.json()["documents"][0]["id"]
        for _ in range(600):
            status = api.get(f"/documents/{doc}").json()["status"]
            if status in ("done", "failed"):
                break
            time.sleep(0.1)
        assert status == "done"
        txt = render(seed_spec(seeds / "000_de21ebe0f04bc952.txt"), "txt")[0]
        r = api.post("/documents", files={"files": ("执法支队2021.txt", txt)})
        assert r.status_code == 202, r.text
        text_doc = r.json()["documents"][0]["id"]
        _until(lambda: api.get(f"/documents/{text_doc}").json()["status"] == "done", 60)
        yield {"url": server.url, "key": key, "doc": doc, "api": api, "pdf": pdf, "txt": text_doc}
        api.close()


def _open(
    browser: Any, live: dict[str, Any], width: int, height: int, doc: str = "doc"
) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live["url"] + f"/ui/documents/{live[doc]}")
    browser_key_login(page, live["key"])
    page.wait_for_selector("#ptools")
    if doc == "doc":
        _until(lambda: page.locator("#page-1 img").evaluate("img => img.complete"))
    return context, page, errors


def _until(check: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _page_width(page: Any) -> float:
    return page.locator("#page-1").evaluate("el => el.getBoundingClientRect().width")


def _no_sideways(page: Any) -> None:
    wide = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], wide


def _rect(locator: Any) -> dict[str, float]:
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect(); "
        "return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
    )


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        outer["x"] - 1 <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and outer["y"] - 1 <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def _found(pdf: bytes, number: int) -> list[tuple[float, float, float, float]]:
    """Where WORD stands on page ``number``, in percent of the page (x0, y0, x1, y1)."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        page = doc[number - 1]
        w, h = page.rect.width, page.rect.height
        return [(r.x0 / w * 100, r.y0 / h * 100, r.x1 / w * 100, r.y1 / h * 100)
                for r in page.search_for(WORD)]  # fmt: skip


def _covers(box: list[float], where: tuple[float, float, float, float]) -> bool:
    """The drawn box (left, top, width, height) sits on the found words, within a glyph."""
    left, top, width, height = box
    x0, y0, x1, y1 = where
    return (
        abs(left - x0) < 2.5
        and abs(left + width - x1) < 2.5
        and top <= (y0 + y1) / 2 <= top + height
    )


@pytest.mark.parametrize("size", [(1440, 900), (1024, 768)], ids=["1440", "1024"])
def test_zoom_jump_find_and_the_corrected_box(
    browser: Any, live: dict[str, Any], size: tuple[int, int]
) -> None:
    width, height = size
    context, page, errors = _open(browser, live, width, height)
    tag = f"viewer-{width}"
    n_pages = page.locator("#pages figure.page").count()
    assert n_pages >= 5
    _no_sideways(page)

    # thumbnails: shown on a wide screen, folded on a narrow one; lazy, page 1 current
    thumbs = page.locator("#thumbs .thumb")
    if width < 1280:
        assert page.locator("#thumbs").count() == 0 or not page.locator("#thumbs").is_visible()
        page.click("#pt-thumbs")
    assert thumbs.count() == n_pages
    assert thumbs.first.locator("img").get_attribute("loading") == "lazy"
    assert page.locator(".thumb.current").get_attribute("data-page") == "1"
    _no_sideways(page)
    screenshot(page, f"{tag}-1-open")

    # fit width: the page fills the pane; + and - zoom from the keyboard
    page.click("#pt-fitw")
    pane = page.locator("#pages")
    inner = pane.evaluate("el => el.clientWidth")
    assert abs(_page_width(page) - (inner - 30)) < 2
    before = _page_width(page)
    page.locator("body").press("+")
    assert _page_width(page) == pytest.approx(before * 1.25, rel=0.02)
    zoomed = page.locator("#pt-zoom").inner_text()
    page.locator("body").press("+")
    assert _page_width(page) == pytest.approx(before * 1.25 * 1.25, rel=0.02)
    assert pane.evaluate("el => el.scrollWidth > el.clientWidth")  # the pane scrolls, not the page
    _no_sideways(page)
    # a value clicked on a zoomed page: its box is brought into the pane, across too
    page.locator("body").press("+")
    page.locator("body").press("+")
    page.locator(f'td.v[data-path="{PROJECT}"]').click()
    box = page.locator(f'.box.active[data-ref="{PROJECT}"]').first
    _until(lambda: _inside(_rect(box), _rect(pane)))
    screenshot(page, f"{tag}-2-zoomed")
    for _ in range(4):
        page.locator("body").press("-")
    assert _page_width(page) == pytest.approx(before, rel=0.02)
    assert page.locator("#pt-zoom").inner_text() != zoomed
    # fit page: a whole page stands in the pane below the toolbar
    page.click("#pt-fitp")
    fig = _rect(page.locator("#page-2"))
    tools = _rect(page.locator("#ptools"))
    assert fig["height"] <= pane.evaluate("el => el.clientHeight") - tools["height"]
    assert page.locator("#pt-fitp").get_attribute("aria-pressed") == "true"

    # page jump: type 4, Enter: page 4 at the top, its thumbnail marked
    page.fill("#pt-page", "4")
    page.press("#pt-page", "Enter")
    _until(lambda: page.locator(".thumb.current").get_attribute("data-page") == "4")
    top = _rect(page.locator("#page-4"))["y"]
    assert abs(top - (tools["y"] + tools["height"])) < 30
    page.click("#pt-fitw")

    # find: every hit boxed over its page image, the current one marked and counted
    page.fill("#pt-q", WORD)
    page.press("#pt-q", "Enter")
    page.wait_for_selector(".hit.current")
    count = page.locator("#pt-count").inner_text()
    total = page.locator(".hit").count()
    assert total >= 2 and count.startswith("第 1 / ")
    current = page.locator(".hit.current").first
    hit_page = current.evaluate("el => el.closest('figure').dataset.page")
    assert _inside(_rect(current), _rect(page.locator(f"#page-{hit_page} img")))
    assert _inside(_rect(current), _rect(pane))  # scrolled into view
    assert page.locator(f'.thumb[data-page="{hit_page}"] .thits').count() == 1
    # the word stands under the box: where PyMuPDF finds it on that page of the PDF
    box = current.evaluate(
        "el => [el.style.left, el.style.top, el.style.width, el.style.height].map(parseFloat)"
    )
    assert any(_covers(box, where) for where in _found(live["pdf"], int(hit_page)))
    page.press("#pt-q", "Enter")
    assert page.locator("#pt-count").inner_text().startswith("第 2 / ")
    page.press("#pt-q", "Shift+Enter")
    assert page.locator("#pt-count").inner_text().startswith("第 1 / ")
    _no_sideways(page)
    screenshot(page, f"{tag}-3-found")
    page.fill("#pt-q", "没有这样的词语")
    page.press("#pt-q", "Enter")
    _until(lambda: page.locator("#pt-count").inner_text() == "未找到")
    assert page.locator(".hit").count() == 0

    assert not errors, errors
    context.close()


def test_a_corrected_value_no_longer_lights_its_old_box_as_the_value(
    browser: Any, live: dict[str, Any]
) -> None:
    context, page, errors = _open(browser, live, 1440, 900)
    cell = page.locator(f'td.v[data-path="{PROJECT}"]')
    cell.click()
    box = page.locator(f'.box.active[data-ref="{PROJECT}"]').first
    box.wait_for(state="visible")
    assert "was" not in (box.get_attribute("class") or "")
    cell.dblclick()
    page.fill(f'td.v[data-path="{PROJECT}"] input.value-in', "60.25")
    page.press(f'td.v[data-path="{PROJECT}"] input.value-in', "Enter")
    page.wait_for_selector(f'td.v.corrected[data-path="{PROJECT}"]:not(.editing)')
    # at once, without a reload: the box says it is the old text, drawn hatched
    assert "was" in (box.get_attribute("class") or "")
    assert "更正前的原文：53.5" in (box.get_attribute("data-label") or "")
    page.reload()
    page.locator(f'td.v[data-path="{PROJECT}"]').click()
    again = page.locator(f'.box.active[data-ref="{PROJECT}"]').first
    again.wait_for(state="visible")
    assert "was" in (again.get_attribute("class") or "")
    assert "60.25" not in (again.get_attribute("data-label") or "")
    screenshot(page, "viewer-1440-4-corrected")
    assert not errors, errors
    context.close()


def test_a_text_document_jumps_and_finds_in_its_text(browser: Any, live: dict[str, Any]) -> None:
    context, page, errors = _open(browser, live, 1024, 768, doc="txt")
    assert page.locator("#pt-in").count() == 0  # no page images: nothing to zoom
    n_pages = page.locator("#pages article.textpage").count()
    before = page.locator("#page-1").inner_text()
    page.fill("#pt-q", WORD)
    page.press("#pt-q", "Enter")
    page.wait_for_selector("mark.hit.current")
    marks = page.locator("mark.hit")
    assert marks.count() >= 2 and all(m == WORD for m in marks.all_inner_texts())
    assert page.locator("#pt-count").inner_text() == f"第 1 / {marks.count()} 处"
    assert _inside(_rect(page.locator("mark.hit.current")), _rect(page.locator("#pages")))
    page.click("#pt-next")
    assert page.locator("#pt-count").inner_text().startswith("第 2 / ")
    _no_sideways(page)
    screenshot(page, "viewer-1024-5-text-found")
    page.press("#pt-q", "Escape")  # cleared: the text is as it was
    assert page.locator("mark.hit").count() == 0
    assert page.locator("#page-1").inner_text() == before
    if n_pages > 1:
        page.fill("#pt-page", str(n_pages))
        page.press("#pt-page", "Enter")
        top = _rect(page.locator(f"#page-{n_pages}"))["y"]
        tools = _rect(page.locator("#ptools"))
        assert abs(top - (tools["y"] + tools["height"])) < 30
    assert not errors, errors
    context.close()
