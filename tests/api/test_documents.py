"""Upload, dedupe, status, listing with filters, the file, page images, the real pipeline."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pymupdf
from fastapi.testclient import TestClient

from tests.api.conftest import (
    ADMIN_KEY,
    FakeExtractor,
    make_pdf,
    processed,
    report_text,
    upload,
    wait_for,
)
from tests.conftest import seeds_dir

Keys = dict[str, dict[str, str]]


def test_upload_returns_202_with_status_url_then_done(client: TestClient, keys: Keys) -> None:
    data = report_text(department="市生态环境局", year=2024)
    r = client.post(
        "/documents", files={"files": ("r.txt", data, "text/plain")}, headers=keys["uploader"]
    )
    assert r.status_code == 202
    item = r.json()["documents"][0]
    assert item["sha256"] == hashlib.sha256(data).hexdigest()
    assert item["duplicate"] is False and item["job_id"] is not None
    assert r.headers["location"] == item["status_url"] == f"/documents/{item['id']}"
    doc = wait_for(client, item["id"], keys["uploader"])
    assert doc["status"] == "done" and doc["error"] is None
    assert doc["department"] == "市生态环境局" and doc["fiscal_year"] == 2024
    assert doc["format"] == "text" and doc["size"] == len(data)
    assert doc["uploaded_by"].startswith("test uploader (key ")
    extraction = doc["extraction"]
    assert extraction["version"] == 1 and extraction["status"] == "success"
    assert extraction["extractor"] == "fake" and extraction["model"] == "fake-model"
    assert {"ingest", "total"} <= set(extraction["timings"])
    assert doc["job"]["status"] == "done" and doc["job"]["attempts"] == 1


def test_same_bytes_twice_give_the_same_document(
    client: TestClient, keys: Keys, extractor: FakeExtractor
) -> None:
    data = report_text()
    first = upload(client, keys["uploader"], data, "a.txt")
    wait_for(client, first["id"], keys["uploader"])
    again = upload(client, keys["uploader"], data, "renamed.txt")
    assert again["id"] == first["id"] and again["duplicate"] is True
    assert again["job_id"] is None and extractor.calls == 1
    # re-running replaces the extraction (and an approval): an uploader may not
    refused = client.post(
        "/documents",
        files={"files": ("a.txt", data)},
        headers=keys["uploader"],
        params={"rerun": "true"},
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["context"] == {"needed": "reviewer", "role": "uploader"}
    assert extractor.calls == 1
    rerun = upload(client, keys["reviewer"], data, "a.txt", rerun=True)
    assert rerun["id"] == first["id"] and rerun["job_id"] is not None
    doc = wait_for(client, first["id"], keys["uploader"])
    assert doc["extraction_version"] == 2 and extractor.calls == 2
    listing = client.get("/documents", headers=keys["uploader"]).json()
    assert listing["total"] == 1


def test_several_files_in_one_request(client: TestClient, keys: Keys) -> None:
    files = [("files", (f"{i}.txt", report_text(tag=str(i)))) for i in range(3)]
    r = client.post("/documents", files=files, headers=keys["uploader"])
    assert r.status_code == 202
    items = r.json()["documents"]
    assert [i["filename"] for i in items] == ["0.txt", "1.txt", "2.txt"]
    assert len({i["id"] for i in items}) == 3
    assert "location" not in r.headers
    for item in items:
        assert wait_for(client, item["id"], keys["uploader"])["status"] == "done"


def test_a_bad_file_refuses_the_whole_request(client: TestClient, keys: Keys) -> None:
    files = [("files", ("good.txt", report_text())), ("files", ("bad.pdf", b"%PDF-1.7 junk"))]
    r = client.post("/documents", files=files, headers=keys["uploader"])
    assert r.status_code == 422
    assert r.json()["error"]["context"]["filename"] == "bad.pdf"
    assert client.get("/documents", headers=keys["uploader"]).json()["total"] == 0


def test_list_filters_and_pagination(client: TestClient, keys: Keys) -> None:
    h = keys["uploader"]
    ids = {
        "a21": processed(client, h, department="甲县环境局", year=2021),
        "a22": processed(client, h, department="甲县环境局", year=2022, conflict=True),
        "b22": processed(client, h, department="乙市财政局", year=2022),
    }

    def listed(**params: object) -> set[str]:
        r = client.get("/documents", params=params, headers=h)
        assert r.status_code == 200, r.text
        return {d["id"] for d in r.json()["items"]}

    assert listed() == set(ids.values())
    assert listed(department="甲县") == {ids["a21"], ids["a22"]}
    assert listed(year=2022) == {ids["a22"], ids["b22"]}
    assert listed(department="甲县", year=2022) == {ids["a22"]}
    assert listed(has_findings=True) == {ids["a22"]}
    assert listed(has_findings=False) == {ids["a21"], ids["b22"]}
    assert listed(status="done") == set(ids.values())
    assert listed(status="failed") == set()
    assert listed(approved=False) == set(ids.values())
    assert listed(department="%") == set()  # wildcards are literal
    page1 = client.get("/documents", params={"limit": 2}, headers=h).json()
    page2 = client.get("/documents", params={"limit": 2, "offset": 2}, headers=h).json()
    assert page1["total"] == page2["total"] == 3
    assert len(page1["items"]) == 2 and len(page2["items"]) == 1
    assert {d["id"] for d in page1["items"] + page2["items"]} == set(ids.values())
    newest_first = [d["created_at"] for d in page1["items"] + page2["items"]]
    assert newest_first == sorted(newest_first, reverse=True)


def test_extraction_json_and_versions(client: TestClient, keys: Keys) -> None:
    h = keys["uploader"]
    doc_id = processed(client, h, department="丙局", basic=12.5)
    r = client.get(f"/documents/{doc_id}/extraction", headers=h)
    assert r.status_code == 200
    export = r.json()
    assert list(export)[:3] == ["schema_version", "document", "extractor"]
    assert export["report"]["department"]["value"] == "丙局"
    assert export["budget"]["basic_expenditure"]["value"] == 12.5
    assert r.headers["x-extraction-version"] == "1"
    versions = client.get(f"/documents/{doc_id}/extractions", headers=h).json()
    assert [v["version"] for v in versions] == [1]
    assert (
        client.get(f"/documents/{doc_id}/extraction", params={"version": 1}, headers=h).status_code
        == 200
    )
    assert (
        client.get(f"/documents/{doc_id}/extraction", params={"version": 9}, headers=h).status_code
        == 404
    )


def test_file_and_page_images(client: TestClient, keys: Keys) -> None:
    h = keys["uploader"]
    pdf = make_pdf([["部门: 丁局", "年度: 2023"], ["基本支出: 1.5"]])
    item = upload(client, h, pdf, "报告.pdf")
    doc = wait_for(client, item["id"], h)
    assert doc["status"] == "done" and doc["page_count"] == 2 and doc["format"] == "pdf"
    assert doc["links"]["pages"] == f"/documents/{item['id']}/pages/{{page}}.png"
    f = client.get(f"/documents/{item['id']}/file", headers=h)
    assert f.status_code == 200 and f.content == pdf
    assert f.headers["content-type"] == "application/pdf"
    assert "filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf" in f.headers["content-disposition"]
    png = client.get(f"/documents/{item['id']}/pages/2.png", params={"dpi": 72}, headers=h)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    pix = pymupdf.Pixmap(png.content)
    assert (pix.width, pix.height) == (595, 842)  # 72 dpi: one pixel per point
    cached = client.get(f"/documents/{item['id']}/pages/2.png", params={"dpi": 72}, headers=h)
    assert cached.content == png.content
    missing = client.get(f"/documents/{item['id']}/pages/3.png", headers=h)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "page_not_found"
    text_id = processed(client, h)
    none = client.get(f"/documents/{text_id}/pages/1.png", headers=h)
    assert none.status_code == 404 and none.json()["error"]["code"] == "no_page_images"


def test_a_seed_report_through_the_real_pipeline(real_client: TestClient) -> None:
    client, headers = real_client, {"X-API-Key": ADMIN_KEY}
    data = (seeds_dir() / "002_8a698bcfafd5a356.txt").read_bytes()
    item = upload(client, headers, data, "002.txt")
    doc = wait_for(client, item["id"], headers)
    assert doc["status"] == "done", doc
    assert doc["department"] == "衡阳市生态环境局耒阳分局" and doc["fiscal_year"] == 2024
    assert doc["extraction"]["extractor"] == "rules"
    export = client.get(f"/documents/{item['id']}/extraction", headers=headers).json()
    assert export["document"]["sha256"] == item["sha256"]


def test_the_same_bytes_uploaded_at_once_make_one_document(client: TestClient, keys: Keys) -> None:
    data = report_text()

    def send(_: int) -> dict:
        r = client.post("/documents", files={"files": ("r.txt", data)}, headers=keys["uploader"])
        assert r.status_code == 202, r.text
        return dict(r.json()["documents"][0])

    with ThreadPoolExecutor(8) as pool:
        items = list(pool.map(send, range(8)))
    assert len({i["id"] for i in items}) == 1
    assert sorted(i["duplicate"] for i in items) == [False] + [True] * 7
    assert client.get("/documents", headers=keys["uploader"]).json()["total"] == 1
