"""API keys: first-start admin key, roles, revocation, the `jixiao keys` command."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from service.app import create_app
from service.cli import main
from service.config import get_settings
from service.store.migrate import head_revision
from service.store.engine import make_engine, read_session
from service.store.tables import ApiKey
from tests.api.conftest import make_settings

Keys = dict[str, dict[str, str]]


def test_fresh_database_prints_an_admin_key_and_keeps_its_hash(
    tmp_path: Path, clean_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, clean_database, auth={"bootstrap_admin_key": None})
    with TestClient(create_app(settings)) as client:
        printed = capsys.readouterr().err
        key = next(w for w in printed.split() if w.startswith("jx_"))
        assert client.get("/me", headers={"X-API-Key": key}).json()["role"] == "admin"
    engine = make_engine(clean_database)
    with read_session(engine) as session:
        rows = session.exec(select(ApiKey)).all()
    engine.dispose()
    assert [r.key_hash for r in rows] == [hashlib.sha256(key.encode()).hexdigest()]
    assert key not in repr([r.model_dump() for r in rows])
    with TestClient(create_app(settings)):  # second start: no new key, nothing printed
        assert "jx_" not in capsys.readouterr().err


def test_admin_manages_keys(client: TestClient, keys: Keys) -> None:
    admin = keys["admin"]
    r = client.post("/keys", json={"name": "集成系统", "role": "uploader"}, headers=admin)
    assert r.status_code == 201
    created = r.json()
    assert created["key"].startswith("jx_") and created["prefix"] == created["key"][:10]
    new = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/me", headers=new).json() == {
        "name": "集成系统",
        "role": "uploader",
        "key_id": created["id"],
        "via": "api_key",
    }
    listed = client.get("/keys", headers=admin).json()
    assert {k["name"] for k in listed} >= {"集成系统", "test reviewer", "test uploader"}
    assert all("key" not in k for k in listed)
    revoked = client.delete(f"/keys/{created['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/me", headers=new).status_code == 401
    bad = client.post("/keys", json={"name": "x", "role": "superuser"}, headers=admin)
    assert bad.status_code == 422


def test_health_needs_no_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["checks"]["database"] == "ok" and ready["checks"]["llm"] == "not configured"
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200


def test_auth_can_be_turned_off(tmp_path: Path, clean_database: str) -> None:
    settings = make_settings(tmp_path, clean_database, auth={"enabled": False})
    with TestClient(create_app(settings)) as client:
        assert client.get("/me").json()["role"] == "admin"


def test_cli_creates_keys(
    tmp_path: Path,
    clean_database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("JIXIAO_DATABASE_URL", clean_database)
    monkeypatch.setenv("JIXIAO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert main(["keys", "create", "--role", "reviewer", "--name", "张三"]) == 0
        key = capsys.readouterr().out.strip()
        assert key.startswith("jx_") and "\n" not in key
        assert main(["keys", "list"]) == 0
        listing = capsys.readouterr().out
        assert "reviewer" in listing and "张三" in listing and key not in listing
        assert main(["db", "current"]) == 0
        newest = head_revision()
        assert f"schema {newest} (newest {newest})" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    with TestClient(create_app(make_settings(tmp_path, clean_database))) as client:
        assert client.get("/me", headers={"X-API-Key": key}).json()["role"] == "reviewer"


def test_docs_pages_need_nothing_from_the_internet(client: TestClient) -> None:
    """/docs and /redoc load their scripts and styles from the service itself."""
    import re

    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200 and "text/html" in html.headers["content-type"]
        refs = re.findall(r'(?:src|href)="([^"]+)"', html.text)
        assert refs, page
        assert all(ref.startswith("/") and not ref.startswith("//") for ref in refs), refs
        assert "fonts.googleapis" not in html.text and "cdn." not in html.text
        for ref in refs:
            asset = client.get(ref)
            assert asset.status_code == 200, ref
            assert len(asset.content) > 1000, ref
    script = client.get("/docs-assets/swagger-ui-bundle.js")
    assert "javascript" in script.headers["content-type"]


def test_the_last_admin_key_cannot_be_revoked(client: TestClient, keys: Keys) -> None:
    admin = keys["admin"]
    mine = client.get("/me", headers=admin).json()["key_id"]
    refused = client.delete(f"/keys/{mine}", headers=admin)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "last_admin_key"
    assert client.get("/me", headers=admin).status_code == 200  # still works
    second = client.post("/keys", json={"name": "二号管理员", "role": "admin"}, headers=admin)
    other = {"X-API-Key": second.json()["key"]}
    assert client.delete(f"/keys/{mine}", headers=other).status_code == 200
    assert client.get("/me", headers=admin).status_code == 401
    last = client.delete(f"/keys/{second.json()['id']}", headers=other)
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_admin_key"
