"""Access to the UI: login required, the session cookie, CSRF, and the uploader's limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.store.tables import ApiKey
from service.ui.auth import SESSION_COOKIE, SessionCodec
from tests.api.conftest import ADMIN_KEY, FakeExtractor, processed, report_text
from tests.ui.conftest import login, sqlite_url, ui_settings

PAGES = [
    "/ui/documents",
    "/ui/documents?status=done",
    "/ui/documents/abc",
    "/ui/documents/abc/history",
    "/ui/eval",
    "/ui/eval/runs/1/report",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_login(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/ui/login?next=")
    login_page = client.get(r.headers["location"])
    assert login_page.status_code == 200 and 'name="api_key"' in login_page.text


def test_posts_redirect_to_login(client: TestClient) -> None:
    for path in ("/ui/documents/abc/promote", "/ui/logout"):
        r = client.post(path, data={"csrf_token": "x"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")


def test_session_cookie_flags(client: TestClient, keys: dict[str, str]) -> None:
    form = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    r = client.post(
        "/ui/login",
        data={"api_key": keys["reviewer"], "csrf_token": token.group(1), "next": "/ui/eval"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/ui/eval"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    assert keys["reviewer"] not in cookie  # the key itself is never in the cookie


def test_secure_flag(tmp_path: Path) -> None:
    settings = ui_settings(tmp_path, ui={"cookie_secure": True})
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        form = client.get("/ui/login")
        assert "secure" in form.headers["set-cookie"].lower()  # the login form's token too
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        r = client.post(
            "/ui/login",
            data={"api_key": ADMIN_KEY, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        cookie = r.headers["set-cookie"]
        assert "secure" in cookie.lower()


def test_https_request_gets_secure_cookie_by_default(app: object) -> None:
    with TestClient(app, base_url="https://testserver") as client:  # type: ignore[arg-type]
        form = client.get("/ui/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        r = client.post(
            "/ui/login",
            data={"api_key": ADMIN_KEY, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert "secure" in r.headers["set-cookie"].lower()


def test_bad_key_and_bad_login_form(client: TestClient) -> None:
    form = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    r = client.post("/ui/login", data={"api_key": "jx_nope", "csrf_token": token.group(1)})
    assert r.status_code == 401 and "密钥无效" in r.text
    client.cookies.clear()  # no login-form cookie: the double-submit check fails
    r = client.post("/ui/login", data={"api_key": ADMIN_KEY, "csrf_token": token.group(1)})
    assert r.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_next_is_never_another_site(client: TestClient) -> None:
    form = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    for bad in ("https://evil.example/x", "//evil.example", "/documents", "/ui\\@evil"):
        r = client.post(
            "/ui/login",
            data={"api_key": ADMIN_KEY, "csrf_token": token.group(1), "next": bad},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/ui/documents", bad
        client.cookies.delete(SESSION_COOKIE)
        form = client.get("/ui/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token


def test_csrf_is_required_for_writes(client: TestClient, keys: dict[str, str]) -> None:
    doc = processed(client, {"X-API-Key": keys["uploader"]})
    csrf = login(client, keys["reviewer"])
    url = f"/documents/{doc}/records/budget/basic_expenditure"
    no_token = client.patch(url, json={"value": 1})
    assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "csrf_failed"
    wrong = client.patch(url, json={"value": 1}, headers={"X-CSRF-Token": "x" * 32})
    assert wrong.status_code == 403
    upload = client.post("/documents", files={"files": ("a.txt", report_text())})
    assert upload.status_code == 403
    assert client.post(f"/documents/{doc}/approve").status_code == 403
    ok = client.patch(url, json={"value": 1, "reason": "test"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text
    assert ok.json()["correction"]["author"].startswith("reviewer 张三")
    # reads need no token; the cookie is enough
    assert (
        client.get(f"/documents/{doc}/extraction").json()["budget"]["basic_expenditure"]["value"]
        == 1
    )
    # the UI's own forms: a wrong token is refused and nothing happens
    assert client.post(f"/ui/documents/{doc}/promote", data={"csrf_token": "x"}).status_code == 403
    assert client.post("/ui/logout", data={"csrf_token": "x"}).status_code == 403
    assert client.get("/ui/documents", follow_redirects=False).status_code == 200


def test_uploader_sees_but_cannot_edit(client: TestClient, keys: dict[str, str]) -> None:
    doc = processed(client, {"X-API-Key": keys["uploader"]})
    csrf = login(client, keys["uploader"])
    page = client.get(f"/ui/documents/{doc}")
    assert page.status_code == 200
    assert 'data-can-edit="0"' in page.text
    assert 'id="approve"' not in page.text and 'class="icon del"' not in page.text
    assert 'id="upload"' in client.get("/ui/documents").text  # uploaders may upload
    headers = {"X-CSRF-Token": csrf}
    patch = client.patch(
        f"/documents/{doc}/records/budget/basic_expenditure", json={"value": 1}, headers=headers
    )
    assert patch.status_code == 403 and patch.json()["error"]["code"] == "forbidden"
    assert client.post(f"/documents/{doc}/approve", headers=headers).status_code == 403
    assert client.post(f"/ui/documents/{doc}/promote", data={"csrf_token": csrf}).status_code == 403
    upload = client.post("/documents", files={"files": ("b.txt", report_text())}, headers=headers)
    assert upload.status_code == 202


def test_logout_revocation_and_tampering(client: TestClient, keys: dict[str, str]) -> None:
    csrf = login(client, keys["reviewer"])
    token = client.cookies[SESSION_COOKIE]
    body, _, mac = token.partition(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
    client.cookies.clear()
    forged_cookie = {"Cookie": f"{SESSION_COOKIE}={forged}"}
    assert (
        client.get("/ui/documents", headers=forged_cookie, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/documents", headers=forged_cookie).status_code == 401
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local")
    assert client.get("/ui/documents", follow_redirects=False).status_code == 200

    r = client.post("/ui/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and "logged_out" in r.headers["location"]
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/ui/documents", follow_redirects=False).status_code == 303
    # a copy of the cookie taken before the logout is dead too, for pages and for the API
    copied = {"Cookie": f"{SESSION_COOKIE}={token}"}
    after = client.get("/ui/documents", headers=copied, follow_redirects=False)
    assert after.status_code == 303 and "/ui/login" in after.headers["location"]
    assert client.get("/documents", headers=copied).status_code == 401

    login(client, keys["reviewer"])
    keys_list = client.get("/keys", headers={"X-API-Key": ADMIN_KEY}).json()
    reviewer_id = next(k["id"] for k in keys_list if k["role"] == "reviewer")
    assert (
        client.delete(f"/keys/{reviewer_id}", headers={"X-API-Key": ADMIN_KEY}).status_code == 200
    )
    gone = client.get("/ui/documents", follow_redirects=False)
    assert gone.status_code == 303 and "reason=expired" in gone.headers["location"]


def test_codec_expiry_and_signature() -> None:
    codec = SessionCodec(b"k" * 32, lifetime_s=60)
    key = ApiKey(id=7, name="n", role="reviewer", prefix="jx_", key_hash="ab" * 32)
    token, data = codec.issue(key, now=1000)
    assert codec.load(token, now=1030) == data
    assert codec.load(token, now=1061) is None
    assert SessionCodec(b"x" * 32, 60).load(token, now=1030) is None
    assert codec.load("garbage", now=1030) is None and codec.load(None) is None
    assert codec.check_csrf(data.sid, codec.csrf_token(data.sid))
    assert not codec.check_csrf(data.sid, codec.csrf_token("other"))


def test_auth_disabled_needs_no_login(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=sqlite_url(tmp_path), auth={"enabled": False}
    )
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        r = client.get("/ui/documents", follow_redirects=False)
        assert r.status_code == 200 and "anonymous" in r.text
