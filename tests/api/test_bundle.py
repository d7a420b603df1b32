"""A report uploaded as several files (``bundle=true``, or a ZIP): one document, checked
across its files; a bad file in it refuses the whole upload, naming the file."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from typing import Any

from fastapi.testclient import TestClient

from service.config import Settings
from service.jobs.worker import DOCUMENT_SUFFIX
from service.store.files import FileStore
from tests.api.conftest import ADMIN_KEY, upload, wait_for
from tests.ingest.test_bundle import REPORT, _tables_docx

Keys = dict[str, dict[str, str]]
FILES = [
    ("绩效自评报告.txt", REPORT.encode(), "text/plain"),
    ("附件 自评表.docx", _tables_docx(), "application/octet-stream"),
]


def _post(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    return client.post(
        "/documents", files=[("files", f) for f in FILES], headers=headers, params=params
    )


def test_files_marked_as_one_report_are_one_document_checked_across_files(
    real_client: TestClient, settings: Settings
) -> None:
    client, headers = real_client, {"X-API-Key": ADMIN_KEY}
    r = _post(client, headers, bundle="true")
    assert r.status_code == 202, r.text
    [item] = r.json()["documents"]
    assert item["filename"] == "绩效自评报告 等2个文件.zip"
    doc = wait_for(client, item["id"], headers)
    assert doc["status"] == "done", doc
    assert doc["format"] == "bundle" and doc["page_count"] == 2
    export = client.get(f"/documents/{item['id']}/extraction", headers=headers).json()
    conflicts = {
        f["paths"][0]: {(i["value"]["value"], i["value"]["source"]["page"]) for i in f["items"]}
        for f in export["findings"]
        if f["kind"] == "conflict"
    }
    # the report's 95 on its page 1, the 自评表's 92 on page 2 (the second file)
    assert conflicts["report.total_score"] == {(95, 1), (92, 2)}
    assert {v for v, _ in conflicts["three_public.total.actual"]} == {3.5, 3.8}
    # the stored document model says which file each page came from
    stored = FileStore(settings.storage_dir).get_derived(item["sha256"], DOCUMENT_SUFFIX)
    model = json.loads(gzip.decompress(stored or b""))
    assert [(f["filename"], f["pages"]) for f in model["files"]] == [
        ("绩效自评报告.txt", [1]),
        ("附件 自评表.docx", [2]),
    ]
    # the same files again are the same report; without bundle they are two documents
    again = _post(client, headers, bundle="true").json()["documents"]
    assert [(d["id"], d["duplicate"]) for d in again] == [(item["id"], True)]
    apart = _post(client, headers).json()["documents"]
    assert len(apart) == 2 and item["id"] not in {d["id"] for d in apart}


def test_a_zip_upload_is_a_bundle(client: TestClient, keys: Keys) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, _ in FILES:
            zf.writestr(name, data)
    item = upload(client, keys["uploader"], buf.getvalue(), "附件.zip")
    doc = wait_for(client, item["id"], keys["uploader"])
    assert doc["format"] == "bundle" and doc["media_type"] == "application/zip"
    assert doc["status"] == "done"


def test_a_bad_file_refuses_the_bundle_and_nothing_is_stored(
    client: TestClient, keys: Keys
) -> None:
    broken = ("附件3.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20, "application/pdf")
    r = client.post(
        "/documents",
        files=[("files", f) for f in [*FILES, broken]],
        headers=keys["uploader"],
        params={"bundle": "true"},
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "corrupt_file"
    assert error["context"]["member"] == "附件3.pdf"
    listed = client.get("/documents", headers=keys["uploader"]).json()
    assert listed["total"] == 0


def test_bundle_of_one_file_is_that_file(client: TestClient, keys: Keys) -> None:
    item = upload(client, keys["uploader"], REPORT.encode(), "r.txt", bundle="true")
    assert item["filename"] == "r.txt"
    assert wait_for(client, item["id"], keys["uploader"])["format"] == "text"
