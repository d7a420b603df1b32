"""Object storage (``storage.backend=s3``) against an S3 emulator over HTTP.

No S3-compatible server installs here from the package registries, so the server is moto
in server mode (its HTTP S3 API, started on 127.0.0.1 by the fixture): boto3 talks to it
exactly as to MinIO or AWS S3, over a socket, from this process and from the worker
processes the jobs run in.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.store.files import FileStore, Storage, open_storage
from service.store.s3 import S3Store
from tests.api.conftest import ADMIN_KEY, make_pdf, make_settings, upload, wait_for
from tests.conftest import seeds_dir

HEADERS = {"X-API-Key": ADMIN_KEY}
BUCKET = "jixiao-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh bucket; credentials from the usual environment variables (as in production;
    worker processes started later inherit them)."""
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


# --- the backend ----------------------------------------------------------------------------


def test_s3_store_keeps_blobs_by_digest_under_the_prefix(s3: Any, s3_endpoint: str) -> None:
    store = S3Store(BUCKET, prefix="reports/", endpoint_url=s3_endpoint)
    assert isinstance(store, Storage)
    data = "部门整体支出绩效自评报告".encode()
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.put(data) == digest  # the same bytes again: one object
    assert _keys(s3) == [f"reports/{digest[:2]}/{digest[2:4]}/{digest}"]
    assert store.get(digest) == data and store.exists(digest)
    assert store.local_path(digest) is None
    other = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(other)
    with pytest.raises(FileNotFoundError):
        store.get(other)
    assert store.get_derived(digest, "p1-110.png") is None
    store.put_derived(digest, "p1-110.png", b"\x89PNG")
    assert store.get_derived(digest, "p1-110.png") == b"\x89PNG"
    assert f"reports/{digest[:2]}/{digest[2:4]}/{digest}.p1-110.png" in _keys(s3)
    assert store.check() == "ok"


def test_s3_store_refuses_names_that_are_not_ours(s3: Any, s3_endpoint: str) -> None:
    store = S3Store(BUCKET, endpoint_url=s3_endpoint)
    for digest in ("../etc/passwd", "A" * 64, "a" * 63):
        with pytest.raises(ValueError):
            store.get(digest)
    for suffix in ("../x", "a/b", ".hidden", "x" * 65):
        with pytest.raises(ValueError):
            store.put_derived("a" * 64, suffix, b"")
    assert _keys(s3) == []


def test_s3_store_travels_to_a_worker_process_and_says_when_unreachable(
    s3: Any, s3_endpoint: str
) -> None:
    store = S3Store(BUCKET, endpoint_url=s3_endpoint)
    digest = store.put(b"bytes")
    copy = pickle.loads(pickle.dumps(store))  # what the process pool does with it
    assert copy.get(digest) == b"bytes"
    assert S3Store("no-such-bucket", endpoint_url=s3_endpoint).check().startswith("unreachable")


def test_the_local_folder_answers_the_same_interface(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "data" / "files")
    assert isinstance(store, Storage)
    assert store.check().startswith("not writable")  # not made yet
    store.prepare()
    assert store.check() == "ok" and (store.root.stat().st_mode & 0o777) == 0o700
    digest = store.put(b"report")
    assert store.local_path(digest) == store.path(digest) and store.get(digest) == b"report"
    assert store.local_path(hashlib.sha256(b"other").hexdigest()) is None


def test_settings_pick_the_backend(tmp_path: Path, s3_endpoint: str) -> None:
    local = open_storage(Settings(data_dir=tmp_path))
    assert isinstance(local, FileStore) and local.root == tmp_path / "files"
    remote = open_storage(
        Settings(
            data_dir=tmp_path,
            storage={"backend": "s3", "bucket": BUCKET, "endpoint_url": s3_endpoint},
        )
    )
    assert isinstance(remote, S3Store) and remote.bucket == BUCKET
    with pytest.raises(ValueError, match="bucket"):
        Settings(data_dir=tmp_path, storage={"backend": "s3"})


# --- the service on object storage --------------------------------------------------------


def test_the_service_stores_reads_and_serves_through_s3(
    tmp_path: Path, clean_database: str, s3: Any, s3_endpoint: str
) -> None:
    """Upload → a worker process reads the report from the bucket and writes its document
    model there → the file and a page image are served from the bucket; nothing is
    written to the local storage folder."""
    settings = make_settings(
        tmp_path,
        clean_database,
        storage={"backend": "s3", "bucket": BUCKET, "endpoint_url": s3_endpoint},
        workers={"isolation": "process", "count": 1},
    )
    report = (seeds_dir() / "000_de21ebe0f04bc952.txt").read_bytes()
    pdf = make_pdf([["绩效自评报告", "第一页"], ["第二页"]])
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["storage"] == "ok"
        item = upload(client, HEADERS, report, filename="000.txt")
        doc = wait_for(client, item["id"], HEADERS, timeout=120)
        assert doc["status"] == "done", doc
        assert doc["fiscal_year"] == 2021 and "益阳" in (doc["department"] or "")
        served = client.get(f"/documents/{item['id']}/file", headers=HEADERS)
        assert served.status_code == 200 and served.content == report
        assert "attachment" in served.headers["content-disposition"]
        paged = upload(client, HEADERS, pdf, filename="p.pdf")
        wait_for(client, paged["id"], HEADERS, timeout=120)
        image = client.get(f"/documents/{paged['id']}/pages/2.png", headers=HEADERS)
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    digest = hashlib.sha256(report).hexdigest()
    keys = _keys(s3)
    assert f"{digest[:2]}/{digest[2:4]}/{digest}" in keys
    model = s3.get_object(
        Bucket=BUCKET, Key=f"{digest[:2]}/{digest[2:4]}/{digest}.document.json.gz"
    )
    assert "益阳" in json.loads(gzip.decompress(model["Body"].read()))["text"]
    pdf_digest = hashlib.sha256(pdf).hexdigest()
    assert any(k.startswith(f"{pdf_digest[:2]}/{pdf_digest[2:4]}/{pdf_digest}.p2-") for k in keys)
    assert not (tmp_path / "files").exists()


def test_readyz_is_not_ready_when_the_bucket_is_unreachable(
    tmp_path: Path, clean_database: str, s3: Any, s3_endpoint: str
) -> None:
    settings = make_settings(
        tmp_path,
        clean_database,
        storage={"backend": "s3", "bucket": "missing-bucket", "endpoint_url": s3_endpoint},
    )
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["error"]["context"]["storage"].startswith("unreachable")
