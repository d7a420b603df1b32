"""What the pages show: the documents table and its filters, failed documents' errors, the
review page's records and findings, the history fragment, languages, the evaluation
report route and the pages' security headers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.document import Document
from service.errors import NoPagesError
from service.store.engine import make_engine, transaction
from service.store.tables import EvalRun
from service.ui.i18n import EN, ZH
from tests.api.conftest import FakeExtractor, processed, report_text, upload, wait_for
from tests.ui.conftest import login


def test_both_languages_have_every_string() -> None:
    assert set(ZH) == set(EN)
    assert all(v.strip() for v in [*ZH.values(), *EN.values()])


def test_documents_table_and_filters(client: TestClient, keys: dict[str, str]) -> None:
    api = {"X-API-Key": keys["uploader"]}
    processed(client, api, department="衡阳市生态环境局", year=2024)
    processed(client, api, department="益阳市执法支队", year=2021, conflict=True)
    login(client, keys["reviewer"])
    page = client.get("/ui/documents")
    assert page.status_code == 200
    assert "衡阳市生态环境局" in page.text and "益阳市执法支队" in page.text
    assert len(re.findall(r'<tr data-id="\w+" data-status="done">', page.text)) == 2
    one = client.get("/ui/documents", params={"department": "衡阳"})
    assert "衡阳市生态环境局" in one.text and "益阳市执法支队" not in one.text
    by_year = client.get("/ui/documents", params={"year": "2021"})
    assert "益阳市执法支队" in by_year.text and "衡阳市生态环境局" not in by_year.text
    findings = client.get("/ui/documents", params={"findings": "yes"})
    assert "益阳市执法支队" in findings.text and "衡阳市生态环境局" not in findings.text
    # nonsense filter values are ignored, not a 422 page
    odd = client.get("/ui/documents", params={"year": "abc", "status": "x", "page": "-1"})
    assert odd.status_code == 200 and "衡阳市生态环境局" in odd.text


def test_failed_document_shows_its_readable_error(
    client: TestClient, keys: dict[str, str], monkeypatch: Any
) -> None:
    def refuse(document: Document, name: str, settings: Settings) -> Any:
        raise NoPagesError("page 1 is blank")

    jobs = client.app.state.jixiao.jobs  # type: ignore[attr-defined]
    monkeypatch.setattr(jobs, "extract", refuse)
    api = {"X-API-Key": keys["uploader"]}
    item = upload(client, api, report_text(), filename="空白报告.txt")
    assert wait_for(client, item["id"], api)["status"] == "failed"
    login(client, keys["reviewer"])
    page = client.get("/ui/documents")
    assert "空白报告.txt" in page.text
    # the error's own plain words, not its technical detail
    assert "文件没有任何页面" in page.text and "page 1 is blank" not in page.text
    review = client.get(f"/ui/documents/{item['id']}")
    assert review.status_code == 200 and "文件没有任何页面" in review.text
    assert "page 1 is blank" not in review.text


def test_review_page_shows_records_and_findings(client: TestClient, keys: dict[str, str]) -> None:
    doc = processed(
        client,
        {"X-API-Key": keys["uploader"]},
        conflict=True,
        basic=123.4,
        indicators=[("办结率", "95%", 10, 9), ("群众满意度", "≥90%", 5, 5)],
    )
    login(client, keys["reviewer"])
    page = client.get(f"/ui/documents/{doc}")
    assert page.status_code == 200
    html = page.text
    assert 'data-path="budget/basic_expenditure"' in html
    assert re.search(r'data-path="budget/basic_expenditure"[^>]*data-edit="123.4"', html)
    assert 'data-path="indicators/1/level3"' in html and "群众满意度" in html
    assert 'data-path="indicators/1/score" data-label' in html and 'data-num="1"' in html
    assert 'class="finding sev-warning fs-open"' in html and "基本支出前后不一致" in html
    assert 'data-path="budget/total_income"' in html and "未找到" in html  # listed as missing
    assert 'data-add="indicators"' in html and 'data-del="indicators/0"' in html
    assert "该格式没有页面图像" in html  # a text upload: the text is shown instead
    assert '<mark class="src" data-refs="budget/basic_expenditure"' in html


def test_history_fragment_lists_corrections(client: TestClient, keys: dict[str, str]) -> None:
    doc = processed(client, {"X-API-Key": keys["uploader"]})
    csrf = login(client, keys["reviewer"])
    r = client.patch(
        f"/documents/{doc}/records/indicators/0/score",
        json={"value": "8", "reason": "表中为 8 分"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.text
    fragment = client.get(f"/ui/documents/{doc}/history")
    assert "表中为 8 分" in fragment.text and "绩效指标 · #1 · 得分" in fragment.text
    assert "<del>9</del>" in fragment.text and "<ins>8 分</ins>" in fragment.text  # the unit kept
    page = client.get(f"/ui/documents/{doc}")
    assert re.search(
        r'class="v num[^"]*corrected[^"]*"\s+tabindex="0" data-path="indicators/0/score"', page.text
    )


def test_language_toggle(client: TestClient, keys: dict[str, str]) -> None:
    login(client, keys["reviewer"])
    r = client.get("/ui/lang/en", params={"next": "/ui/eval"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/eval"
    assert "jixiao_lang=en" in r.headers["set-cookie"]
    page = client.get("/ui/documents")
    assert "Upload reports" in page.text and 'lang="en"' in page.text
    evil = client.get(
        "/ui/lang/zh", params={"next": "https://evil.example"}, follow_redirects=False
    )
    assert evil.headers["location"] == "/ui/documents"
    assert "上传报告" in client.get("/ui/documents").text


def test_unknown_document_is_a_page_not_json(client: TestClient, keys: dict[str, str]) -> None:
    login(client, keys["reviewer"])
    r = client.get("/ui/documents/nope")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "找不到该文档" in r.text


def test_pages_send_security_headers(client: TestClient, keys: dict[str, str]) -> None:
    login(client, keys["reviewer"])
    for path in ("/ui/documents", "/ui/eval", "/ui/login"):
        r = client.get(path)
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"


def _add_run(settings: Settings, report_path: str | None) -> int:
    engine = make_engine(settings.resolved_database_url)
    with transaction(engine) as session:
        row = EvalRun(
            extractor="rules",
            dataset="jixiao-eval",
            n_documents=3,
            metrics={"summary": {"overall": {"f1": 0.9}}},
            report_path=report_path,
        )
        session.add(row)
        session.flush()
        run_id = int(row.id or 0)
    engine.dispose()
    return run_id


@pytest.mark.parametrize("where", ["inside", "outside", "missing", "not_html", "none"])
def test_eval_report_only_from_the_reports_folder(
    client: TestClient, keys: dict[str, str], settings: Settings, tmp_path: Path, where: str
) -> None:
    reports = Path(settings.ui.eval_reports_dir or tmp_path / "reports")
    reports.mkdir(parents=True, exist_ok=True)
    inside = reports / "nightly" / "report.html"
    inside.parent.mkdir()
    inside.write_text("<h1>report</h1>")
    outside = tmp_path / "secret.html"
    outside.write_text("secret")
    (reports / "notes.txt").write_text("x")
    path = {
        "inside": str(inside),
        "outside": str(reports / ".." / "secret.html"),
        "missing": str(reports / "gone.html"),
        "not_html": str(reports / "notes.txt"),
        "none": None,
    }[where]
    run_id = _add_run(settings, path)
    login(client, keys["reviewer"])
    r = client.get(f"/ui/eval/runs/{run_id}/report")
    if where == "inside":
        assert r.status_code == 200 and "<h1>report</h1>" in r.text
        assert r.headers["content-security-policy"].startswith("sandbox")
        assert "查看报告" in client.get("/ui/eval").text
    else:
        assert r.status_code == 404 and "secret" not in r.text


def test_eval_page_without_runs(client: TestClient, keys: dict[str, str]) -> None:
    login(client, keys["reviewer"])
    page = client.get("/ui/eval")
    assert page.status_code == 200 and "还没有评测记录" in page.text


def test_app_without_eval_folders_still_serves(tmp_path: Path, monkeypatch: Any) -> None:
    from service.ui import evalset
    from tests.api.conftest import ADMIN_KEY
    from tests.ui.conftest import sqlite_url

    monkeypatch.setattr(evalset, "REPO", tmp_path / "no-checkout")
    settings = Settings(
        data_dir=tmp_path,
        database_url=sqlite_url(tmp_path),
        auth={"bootstrap_admin_key": ADMIN_KEY},
    )
    assert evalset.eval_dirs(settings) == evalset.EvalDirs(None, None, None)
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        login(client, ADMIN_KEY)
        assert client.get("/ui/eval").status_code == 200
