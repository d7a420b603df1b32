"""Password login and the user administration page, through the app (TestClient):
login, lockout, sessions that end on a disable or a password change, role changes at
once, the admin page's rules (admins only, CSRF, the last active admin), names instead
of keys in what the pages show, and ``/`` leading to the UI."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.config import Settings
from service.store import users
from service.store.engine import make_engine, transaction
from service.ui.auth import SESSION_COOKIE
from tests.api.conftest import ADMIN_KEY, processed
from tests.ui.conftest import login as key_login

ADMIN_PW = "管理员的密码-2026"
REVIEWER_PW = "审核员的密码-2026"


@pytest.fixture
def people(client: TestClient, settings: Settings) -> dict[str, int]:
    """An admin 刘主任 (login liu) and a reviewer 马科员 (login ma)."""
    engine = make_engine(settings.resolved_database_url)
    with transaction(engine) as session:
        admin = users.create_user(
            session, login="liu", display_name="刘主任", role="admin", password=ADMIN_PW
        )
        reviewer = users.create_user(
            session, login="ma", display_name="马科员", role="reviewer", password=REVIEWER_PW
        )
        ids = {"liu": int(admin.id or 0), "ma": int(reviewer.id or 0)}
    engine.dispose()
    return ids


def _form_token(client: TestClient) -> str:
    form = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    return token.group(1)


def try_login(client: TestClient, login: str, password: str) -> object:
    return client.post(
        "/ui/login",
        data={"login": login, "password": password, "csrf_token": _form_token(client)},
        follow_redirects=False,
    )


def password_login(client: TestClient, login: str, password: str) -> str:
    """Log in with a password; returns the session's CSRF token."""
    r = try_login(client, login, password)
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    page = client.get("/ui/documents")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf, page.text
    return csrf.group(1)


def test_login_with_a_password_shows_the_display_name(
    client: TestClient, people: dict[str, int]
) -> None:
    form = client.get("/ui/login")
    assert 'name="login"' in form.text and 'name="password"' in form.text
    assert 'name="api_key"' in form.text  # the key stays, as a second way in
    assert "jixiao users create" not in form.text  # users exist: no first-admin note
    password_login(client, "MA", REVIEWER_PW)  # the login name is case-insensitive
    page = client.get("/ui/documents")
    assert '<span class="who">马科员 <span class="role role-reviewer">审核员</span>' in page.text
    assert "/ui/admin/users" not in page.text  # no Users link for a reviewer
    me = client.get("/me")
    assert me.json()["name"] == "马科员" and me.json()["role"] == "reviewer"
    assert me.json()["key_id"] is None


def test_the_login_page_says_how_to_create_the_first_admin(client: TestClient) -> None:
    assert "jixiao users create" in client.get("/ui/login").text


def test_wrong_passwords_then_the_lockout(client: TestClient, people: dict[str, int]) -> None:
    r = try_login(client, "nobody", REVIEWER_PW)
    assert r.status_code == 401 and "登录名或密码错误" in r.text  # type: ignore[attr-defined]
    for i in range(users.MAX_FAILURES - 1):
        r = try_login(client, "ma", f"guess-{i}-guess")
        assert r.status_code == 401 and "登录名或密码错误" in r.text  # type: ignore[attr-defined]
        assert 'value="ma"' in r.text  # type: ignore[attr-defined]  # the login is kept
    r = try_login(client, "ma", "guess-last-guess")
    assert r.status_code == 429  # type: ignore[attr-defined]
    assert "请 15 分钟后再试" in r.text  # type: ignore[attr-defined]
    r = try_login(client, "ma", REVIEWER_PW)  # even the right password, while locked
    assert r.status_code == 429 and SESSION_COOKIE not in client.cookies  # type: ignore[attr-defined]
    password_login(client, "liu", ADMIN_PW)
    admin_page = client.get("/ui/admin/users")
    assert "锁定至" in admin_page.text
    # an admin's password reset lifts the lock
    _admin_post(
        client, f"/ui/admin/users/{people['ma']}/password", {"password": "重置后的新密码-1"}
    )
    client.cookies.clear()
    password_login(client, "ma", "重置后的新密码-1")


def _admin_post(client: TestClient, url: str, data: dict[str, str], status: int = 303) -> str:
    page = client.get("/ui/admin/users")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf, page.text
    r = client.post(url, data={**data, "csrf_token": csrf.group(1)}, follow_redirects=False)
    assert r.status_code == status, r.text
    return r.text


def _two_clients(client: TestClient) -> TestClient:
    other = TestClient(client.app, base_url="http://testserver")
    return other


@pytest.mark.parametrize(
    ("url", "data"),
    [("active", {"active": "0"}), ("password", {"password": "另一个新密码-1"})],
)
def test_disable_or_password_reset_ends_the_users_sessions_at_once(
    client: TestClient, people: dict[str, int], url: str, data: dict[str, str]
) -> None:
    reviewer = _two_clients(client)
    password_login(reviewer, "ma", REVIEWER_PW)
    assert reviewer.get("/ui/documents", follow_redirects=False).status_code == 200
    password_login(client, "liu", ADMIN_PW)
    _admin_post(client, f"/ui/admin/users/{people['ma']}/{url}", data)
    r = reviewer.get("/ui/documents", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
    assert reviewer.get("/me").status_code == 401  # the API refuses the cookie too


def test_a_role_change_applies_at_once(client: TestClient, people: dict[str, int]) -> None:
    reviewer = _two_clients(client)
    password_login(reviewer, "ma", REVIEWER_PW)
    password_login(client, "liu", ADMIN_PW)
    _admin_post(client, f"/ui/admin/users/{people['ma']}/role", {"role": "admin"})
    assert reviewer.get("/ui/admin/users").status_code == 200
    _admin_post(client, f"/ui/admin/users/{people['ma']}/role", {"role": "uploader"})
    assert reviewer.get("/me").json()["role"] == "uploader"
    assert reviewer.get("/ui/admin/users").status_code == 403


def test_admin_page_is_for_admins_and_its_forms_need_the_token(
    client: TestClient, people: dict[str, int]
) -> None:
    password_login(client, "ma", REVIEWER_PW)
    assert client.get("/ui/admin/users").status_code == 403
    page = client.get("/ui/documents")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf
    form = {"login": "hack", "display_name": "黑客", "role": "admin", "password": "x" * 10}
    r = client.post("/ui/admin/users", data={**form, "csrf_token": csrf.group(1)})
    assert r.status_code == 403
    client.cookies.clear()
    password_login(client, "liu", ADMIN_PW)
    r = client.post("/ui/admin/users", data={**form, "csrf_token": "wrong"})
    assert r.status_code == 403 and "hack" not in client.get("/ui/admin/users").text


def test_admin_creates_users_and_the_store_refusals_show_on_the_page(
    client: TestClient, people: dict[str, int]
) -> None:
    password_login(client, "liu", ADMIN_PW)
    page = client.get("/ui/admin/users")
    assert page.status_code == 200 and "用户管理" in page.text
    assert '刘主任<span class="muted">（本人）</span>' in page.text
    new = {
        "login": "Yang",
        "display_name": "杨审核",
        "role": "reviewer",
        "password": "杨的密码-123",
    }
    _admin_post(client, "/ui/admin/users", new)
    assert '<tr class="" data-login="yang">' in client.get("/ui/admin/users").text
    text = _admin_post(client, "/ui/admin/users", {**new, "login": "yang2"}, status=409)
    assert "登录名或姓名已被使用" in text and 'value="yang2"' in text  # the form is kept
    text = _admin_post(
        client,
        "/ui/admin/users",
        {**new, "login": "y3", "display_name": "杨三", "password": "短"},
        status=400,
    )
    assert "密码至少 8 位" in text
    other = _two_clients(client)
    password_login(other, "yang", "杨的密码-123")


def test_the_last_active_admin_cannot_be_disabled_or_demoted(
    client: TestClient, people: dict[str, int]
) -> None:
    password_login(client, "liu", ADMIN_PW)
    for url, data in (("active", {"active": "0"}), ("role", {"role": "reviewer"})):
        text = _admin_post(client, f"/ui/admin/users/{people['liu']}/{url}", data, status=409)
        assert "最后一个启用的管理员" in text
    assert client.get("/me").json()["role"] == "admin"
    _admin_post(client, f"/ui/admin/users/{people['ma']}/role", {"role": "admin"})
    _admin_post(client, f"/ui/admin/users/{people['liu']}/role", {"role": "reviewer"})
    assert client.get("/ui/admin/users").status_code == 403  # stepped down, at once


def test_the_reviewer_is_named_not_keyed_in_history_opinions_and_the_audit(
    client: TestClient, people: dict[str, int]
) -> None:
    doc = processed(client, {"X-API-Key": ADMIN_KEY})
    csrf = password_login(client, "ma", REVIEWER_PW)
    headers = {"X-CSRF-Token": csrf}
    r = client.patch(
        f"/documents/{doc}/records/budget/basic_expenditure",
        json={"value": 12.5, "reason": "核对决算表"},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["correction"]["author"] == "马科员"
    r = client.post(
        f"/documents/{doc}/review",
        json={"action": "opinion", "opinion": "数据已核对"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    page = client.get(f"/ui/documents/{doc}").text
    history = client.get(f"/ui/documents/{doc}/history").text
    assert '<td class="who">马科员</td>' in history
    assert "马科员 ·" in page  # the opinion's author
    # a key's session is shown by the key's name, without "(key N)" either
    client.cookies.clear()
    key_login(client, ADMIN_KEY)
    client.patch(
        f"/documents/{doc}/records/budget/basic_expenditure",
        json={"value": 13.5},
        headers={
            "X-CSRF-Token": re.search(
                r'data-csrf="([^"]+)"', client.get("/ui/documents").text
            ).group(1)
        },  # type: ignore[union-attr]
    )
    for text in (
        client.get(f"/ui/documents/{doc}").text,
        client.get(f"/ui/documents/{doc}/history").text,
    ):
        assert "(key " not in text


def test_root_leads_to_the_ui(client: TestClient, people: dict[str, int]) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/login"
    password_login(client, "ma", REVIEWER_PW)
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/documents"
    assert client.get("/docs").status_code == 200
    assert "/" not in client.get("/openapi.json").json()["paths"]


def test_logout_ends_a_password_session(client: TestClient, people: dict[str, int]) -> None:
    csrf = password_login(client, "ma", REVIEWER_PW)
    cookie = client.cookies.get(SESSION_COOKIE)
    r = client.post("/ui/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    copy = _two_clients(client)
    copy.cookies.set(SESSION_COOKIE, cookie or "")
    assert copy.get("/ui/documents", follow_redirects=False).status_code == 303


def test_idle_and_absolute_timeouts_end_a_password_session(
    app: FastAPI, client: TestClient, people: dict[str, int]
) -> None:
    codec = app.state.jixiao_ui.codec
    now = [1_900_000_000.0]
    codec.clock = lambda: now[0]
    password_login(client, "ma", REVIEWER_PW)
    cookie = client.cookies.get(SESSION_COOKIE) or ""

    def alive() -> bool:
        client.cookies.clear()
        r = client.get(
            "/ui/documents",
            headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
            follow_redirects=False,
        )
        return r.status_code == 200

    assert alive()
    now[0] += codec.idle_s + 1  # unused past the idle limit
    assert not alive()
    now[0] -= codec.idle_s + 1
    now[0] += codec.lifetime_s + 1  # past the absolute end, however busy
    assert not alive()
