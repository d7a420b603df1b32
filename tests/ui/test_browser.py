"""The reviewer's whole path in a real headless Chromium, against the real app and pipeline.

Log in → upload seed 000 rendered as a text PDF → wait for processing → open the review
page → click a value and see its box over the page image → correct the conflicting
项目支出 from the keyboard → approve → promote to the evaluation set → the correction is in
the export JSON, in the audit log and in the new label. Screenshots of every page go to
tests/_artifacts/screenshots/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.store.engine import make_engine, transaction
from service.store.tables import EvalRun
from service.synth.render import render
from service.synth.seeds import seed_spec
from tests.api.conftest import ADMIN_KEY
from tests.ui.conftest import LiveServer, browser_key_login, screenshot, ui_settings

pytestmark = pytest.mark.slow

PROJECT = "budget/project_expenditure"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, seeds: Path) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("ui-live")
    settings = ui_settings(folder)
    pdf = render(seed_spec(seeds / "000_de21ebe0f04bc952.txt"), "pdf")[0]
    with LiveServer(create_app(settings)) as server:
        api = httpx.Client(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        keys = {}
        for role in ("reviewer", "uploader"):
            r = api.post("/keys", json={"name": f"{role} 李审", "role": role})
            assert r.status_code == 201, r.text
            keys[role] = r.json()["key"]
        yield {
            "url": server.url,
            "api": api,
            "keys": keys,
            "pdf": pdf,
            "settings": settings,
            "folder": folder,
        }
        api.close()


def _login(page: Any, url: str, key: str) -> None:
    page.goto(url + "/ui/documents")
    assert "/ui/login" in page.url  # nothing without logging in
    browser_key_login(page, key)
    page.wait_for_url("**/ui/documents")


def test_review_flow(browser: Any, live: dict[str, Any], tmp_path: Path) -> None:
    url, api = live["url"], live["api"]
    context = browser.new_context(viewport={"width": 1500, "height": 940}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(url + "/ui/login")
    screenshot(page, "01-login")
    _login(page, url, live["keys"]["reviewer"])

    # upload through the form (XHR with a progress bar); the page reloads when it is done
    pdf_path = tmp_path / "益阳市执法支队2021.pdf"
    pdf_path.write_bytes(live["pdf"])
    page.set_input_files("#files", str(pdf_path))
    page.click("#send")
    page.wait_for_selector("#upload-result .ok", timeout=20_000)
    page.wait_for_selector("#docs tr[data-status=done]", timeout=60_000)
    row = page.locator("#docs tr[data-status=done]").first
    assert "益阳市生态环境保护综合行政执法支队" in row.inner_text()
    screenshot(page, "02-documents")

    row.locator("a").first.click()
    page.wait_for_selector("#records")
    doc_id = page.locator("#review").get_attribute("data-doc")
    assert doc_id
    _until(
        lambda: page.locator("#page-1 img").evaluate("img => img.complete && img.naturalWidth > 0")
    )
    # page images are lazy: later pages are not loaded until scrolled to
    images = page.locator("#pages img")
    assert images.count() >= 5
    assert all(images.nth(i).get_attribute("loading") == "lazy" for i in range(images.count()))
    screenshot(page, "03-review")

    # click a value: its box lights up over the page image, where the text stands
    cell = page.locator(f'td.v[data-path="{PROJECT}"]')
    assert cell.inner_text().startswith("53.5")
    cell.click()
    box = page.locator(f'.box.active[data-ref="{PROJECT}"]').first
    box.wait_for(state="visible")
    page.wait_for_timeout(700)  # the smooth scroll
    box_rect, img_rect = _rect(box), _rect(page.locator("#page-1 img"))
    assert box_rect["width"] > 5 and box_rect["height"] > 5
    assert (
        img_rect["x"] <= box_rect["x"]
        and box_rect["x"] + box_rect["width"] <= img_rect["x"] + img_rect["width"]
    )
    assert (
        img_rect["y"] <= box_rect["y"]
        and box_rect["y"] + box_rect["height"] <= img_rect["y"] + img_rect["height"]
    )
    source = api.get(f"/documents/{doc_id}/extraction").json()["budget"]["project_expenditure"][
        "source"
    ]
    page_w = 595.28
    expected_x = img_rect["x"] + source["boxes"][0]["x0"] / page_w * img_rect["width"]
    assert abs(box_rect["x"] - expected_x) < 0.01 * img_rect["width"] + 3
    assert "项目支出" in (box.get_attribute("data-label") or "")
    pane = _rect(page.locator("#pages"))
    assert pane["y"] <= box_rect["y"] <= pane["y"] + pane["height"], "scrolled into view"
    box.hover()
    screenshot(page, "04-highlight")
    page.locator('td.v[data-path="indicators/5/actual"]').click()
    far_box = page.locator('.box.active[data-ref="indicators/5/actual"]').first
    far_page = page.locator("#pages figure", has=far_box).locator("img")
    _until(lambda: far_page.evaluate("img => img.complete && img.naturalWidth > 0"))
    _until(lambda: _inside(_rect(far_box), _rect(page.locator("#pages"))))
    screenshot(page, "04b-indicators")

    # the finding of the conflict links to both sides
    other_side = page.locator(f'.fitem[data-path="{PROJECT}"]', has_text="52.53")
    assert other_side.count() == 1
    other_side.click()
    assert page.locator(f'td.v.active[data-path="{PROJECT}"]').count() == 1
    finding_box = page.locator(".box.active.fbox").first
    finding_box.wait_for(state="visible")
    assert "52.53" in (finding_box.get_attribute("data-label") or "")

    # correct it from the keyboard: Enter edits, type, Tab to the reason, Enter saves
    cell.focus()
    page.keyboard.press("Enter")
    editor = cell.locator("input.value-in")
    editor.wait_for()
    editor.fill("52.53")
    assert "dirty" in (cell.get_attribute("class") or "")
    assert page.locator("#dirty-note").is_visible()
    cell.locator("input.reason").fill("附件1 基础数据表为 52.53")
    screenshot(page, "05-editing")
    cell.locator("input.reason").press("Enter")
    page.wait_for_selector(f'td.v.corrected[data-path="{PROJECT}"]:not(.editing)')
    assert cell.locator(".txt").inner_text() == "52.53"
    page.wait_for_selector("#history tr[data-correction]")
    assert "52.53" in page.locator("#history").inner_text()
    assert page.locator("#dirty-note").is_hidden()

    # an unsaved edit is never dropped silently: leaving asks first
    other = page.locator('td.v[data-path="staffing/authorized"]')
    other.dblclick()
    other.locator("input.value-in").fill("99")
    prevented = page.evaluate(
        "(() => { const e = new Event('beforeunload', {cancelable: true});"
        " window.dispatchEvent(e); return e.defaultPrevented; })()"
    )
    assert prevented
    other.locator("input.value-in").press("Escape")
    assert page.locator("#dirty-note").is_hidden()

    # approve in the step dialog (a reason when error findings are still open), then promote
    page.click("button[data-step=approve]")
    if page.locator("#step-override-box").is_visible():
        page.fill("#step-override", "其余问题已与单位核实")
    page.click("#step-ok")
    page.wait_for_selector("#review-state[data-state=approved]")
    page.click("#promote")
    page.wait_for_selector("#promoted")
    promoted = page.locator("#promoted")  # in words; the set's id only in the tooltip
    assert promoted.inner_text() == "已在评测集中"
    assert (promoted.get_attribute("title") or "").startswith("reviewed_")
    screenshot(page, "06-approved-promoted")
    assert not errors, errors

    # the correction is in the export JSON, in the audit log and in the new label
    export = api.get(f"/documents/{doc_id}/extraction").json()
    assert export["budget"]["project_expenditure"]["value"] == 52.53
    log = api.get(f"/documents/{doc_id}/corrections").json()["items"]
    assert [(c["path"], c["new_value"]["value"], c["reason"]) for c in log] == [
        (PROJECT, 52.53, "附件1 基础数据表为 52.53")
    ]
    assert "李审" in log[0]["author"]
    set_dir = Path(live["settings"].ui.eval_set_dir)
    manifest = json.loads((set_dir / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["documents"][-1]
    label = json.loads((set_dir / entry["label"]).read_text(encoding="utf-8"))
    assert label["budget"]["project_expenditure"]["value"] == 52.53
    assert "source" not in json.dumps(label)
    assert (set_dir / entry["source"]["path"]).read_bytes() == live["pdf"]
    context.close()


def test_uploader_reads_only(browser: Any, live: dict[str, Any]) -> None:
    url, api = live["url"], live["api"]
    docs = api.get("/documents").json()["items"]
    if not docs:  # run on its own: upload the seed through the API
        item = api.post("/documents", files={"files": ("seed.pdf", live["pdf"])}).json()
        _until(
            lambda: api.get(f"/documents/{item['documents'][0]['id']}").json()["status"] == "done",
            60,
        )
        docs = api.get("/documents").json()["items"]
    context = browser.new_context(viewport={"width": 1500, "height": 940})
    page = context.new_page()
    _login(page, url, live["keys"]["uploader"])
    page.goto(f"{url}/ui/documents/{docs[0]['id']}")
    assert page.locator("button[data-step]").count() == 0
    assert page.locator("button.del").count() == 0
    cell = page.locator(f'td.v[data-path="{PROJECT}"]')
    cell.dblclick()
    assert cell.locator("input").count() == 0  # no editor for uploaders
    screenshot(page, "07-uploader-readonly")
    # language toggle: English, and back
    page.click("a.lang")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#sec-projects h2").inner_text() == "Projects"
    screenshot(page, "08-review-english")
    context.close()


def test_evaluation_page(browser: Any, live: dict[str, Any]) -> None:
    url, folder = live["url"], live["folder"]
    reports = folder / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "report.html").write_text("<html><body><h1>eval report</h1></body></html>")
    engine = make_engine(live["settings"].resolved_database_url)
    with transaction(engine) as session:
        for i, (overall, projects) in enumerate([(0.78, 0.70), (0.81, 0.74), (0.86, 0.83)]):
            for extractor, shift in (("rules", 0.0), ("llm", 0.05)):
                session.add(
                    _run(
                        extractor,
                        overall + shift,
                        projects + shift,
                        i,
                        str(reports / "report.html"),
                    )
                )
    engine.dispose()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    _login(page, url, live["keys"]["reviewer"])
    page.goto(url + "/ui/eval")
    assert page.locator("article.run").count() == 2
    assert page.locator("svg.chart polyline").count() >= 4
    assert "86.0" in page.locator("article.run").first.inner_text()
    screenshot(page, "09-evaluation", full_page=True)
    with context.expect_page() as popup:
        page.locator("article.run a").first.click()
    report = popup.value
    report.wait_for_load_state()
    assert "eval report" in report.content()
    context.close()


def _run(extractor: str, overall: float, projects: float, day: int, report: str) -> EvalRun:
    from datetime import UTC, datetime, timedelta

    def counts(f1: float) -> dict[str, float]:
        return {"precision": f1, "recall": f1, "f1": f1}

    summary = {
        "overall": counts(overall),
        "numeric": {"accuracy": overall - 0.02},
        "findings": counts(overall - 0.1),
        "grounding": {"share": 0.97},
        "record_types": {
            "budget": counts(overall + 0.03),
            "projects": counts(projects),
            "indicators": counts(overall - 0.04),
        },
    }
    return EvalRun(
        created_at=datetime(2025, 3, 1, 2, 0, tzinfo=UTC) + timedelta(days=day),
        extractor=extractor,
        dataset="jixiao-eval",
        code_version=f"abc{day}def0",
        n_documents=24,
        metrics={"summary": summary},
        report_path=report,
    )


def _until(check: Any, timeout: float = 20.0) -> None:
    # page.wait_for_function evaluates a string, which the pages' CSP (no eval) refuses
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return outer["y"] <= inner["y"] and inner["y"] + inner["height"] <= outer["y"] + outer["height"]


def _rect(locator: Any) -> dict[str, float]:
    rect = locator.bounding_box()
    assert rect is not None
    return dict(rect)
