"""Every route × every identity: who may call what, decided once per route.

The routes are enumerated from the app itself — the operations of its OpenAPI document and
every route left out of it (the reviewer UI's router, the docs pages, static mounts) —, so
a new route without an entry in ``POLICY`` fails ``test_every_route_has_a_rule`` before it
can ship without a decision. Each route is then called with no credentials, a wrong key,
a key of each role and a UI session of each role, and the status must be exactly the one
its rule gives that identity (never a 500):

* API routes: no or a wrong key → 401; a role below the rule → 403 with the typed error;
  the rule's role or above → the route's success status.
* UI pages: no session (a key is not a session) → 303 to the login page; a session below
  the rule → 403; the rule's role or above → the page's status.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from service.app import create_app
from service.config import Settings
from service.store import users
from service.store.engine import make_engine, transaction
from service.store.tables import EvalRun, Role
from service.ui.auth import CSRF_HEADER, SESSION_COOKIE
from tests.api.conftest import ADMIN_KEY, FakeExtractor, make_pdf, report_text, wait_for
from tests.ui.conftest import ui_settings

ADMIN = {"X-API-Key": ADMIN_KEY}


@dataclass(frozen=True)
class Identity:
    name: str
    role: Role | None = None  # None: nobody the service knows
    session: bool = False  # a UI session cookie rather than an API key
    bad_key: bool = False


IDENTITIES = [
    Identity("anonymous"),
    Identity("wrong key", bad_key=True),
    *(Identity(f"{r.value} key", r) for r in (Role.uploader, Role.reviewer, Role.admin)),
    *(Identity(f"{r.value} session", r, True) for r in (Role.uploader, Role.reviewer, Role.admin)),
]


@dataclass
class Call:
    """One request: what the route needs to succeed for a caller that is allowed."""

    url: str
    json: Any = None
    files: Any = None
    data: dict[str, str] | None = None
    csrf_form: bool = False  # a UI form: the session's token goes in the csrf_token field
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    role: Role | None  # None: public
    ok: int  # the status an allowed caller gets
    page: bool = False  # a UI page: no session → 303 to the login page
    ok_in_session: int | None = None  # where a logged-in visitor is answered otherwise
    call: Callable[[World], Call] = lambda w: Call("")


class World:
    """What the calls need: a processed PDF document, a key per role, an evaluation run."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.keys = {Role.admin: ADMIN_KEY}
        for role in (Role.uploader, Role.reviewer):
            r = client.post(
                "/keys", json={"name": f"{role.value} 李四", "role": role.value}, headers=ADMIN
            )
            assert r.status_code == 201, r.text
            self.keys[role] = r.json()["key"]
        lines = [line.decode() for line in report_text(conflict=True).splitlines()]
        pdf = make_pdf([lines])  # with a finding, for the findings' routes
        r = client.post("/documents", files={"files": ("报告.pdf", pdf)}, headers=ADMIN)
        assert r.status_code == 202, r.text
        self.doc = r.json()["documents"][0]["id"]
        assert wait_for(client, self.doc, ADMIN)["status"] == "done"
        reports = settings.ui.eval_reports_dir
        assert reports is not None
        reports.mkdir(parents=True, exist_ok=True)
        (reports / "run.html").write_text("<html><body>report</body></html>", encoding="utf-8")
        engine = make_engine(settings.resolved_database_url)
        with transaction(engine) as session:
            run = EvalRun(extractor="rules", dataset="set", report_path="run.html")
            session.add(run)
            session.flush()
            self.run_id = run.id
        engine.dispose()
        self.sessions: dict[Role, tuple[str, str]] = {}
        self.db_url = settings.resolved_database_url
        self.n_users = 0

    def throwaway_user(self) -> int:
        """A fresh user to change (each allowed caller disables, resets or demotes one)."""
        self.n_users += 1
        engine = make_engine(self.db_url)
        with transaction(engine) as session:
            row = users.create_user(
                session,
                login=f"temp{self.n_users}",
                display_name=f"临时用户{self.n_users}",
                role=Role.reviewer,
                password="临时密码-12345",
            )
            user_id = int(row.id or 0)
        engine.dispose()
        return user_id

    def new_user_form(self) -> dict[str, str]:
        self.n_users += 1
        n = self.n_users
        return {
            "login": f"new{n}",
            "display_name": f"新用户{n}",
            "role": "reviewer",
            "password": "新用户的密码-1",
        }

    def session(self, role: Role, fresh: bool = False) -> tuple[str, str]:
        """(cookie, csrf token) of a UI session logged in with the role's key."""
        if fresh or role not in self.sessions:
            c = self.client
            form = c.get("/ui/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token, form.text
            r = c.post(
                "/ui/login",
                data={"api_key": self.keys[role], "csrf_token": token.group(1)},
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text
            cookie = c.cookies.get(SESSION_COOKIE)
            page = c.get("/ui/documents")
            csrf = re.search(r'data-csrf="([^"]+)"', page.text)
            assert cookie and csrf, page.text
            c.cookies.clear()
            self.sessions[role] = (cookie, csrf.group(1))
        return self.sessions[role]

    def throwaway_key(self) -> int:
        r = self.client.post("/keys", json={"name": "临时", "role": "uploader"}, headers=ADMIN)
        assert r.status_code == 201, r.text
        key_id: int = r.json()["id"]
        return key_id

    def finding_key(self) -> str:
        r = self.client.get(f"/documents/{self.doc}/review", headers=ADMIN)
        assert r.status_code == 200, r.text
        key: str = r.json()["findings"][0]["key"]
        return key

    def correction(self) -> int:
        """A fresh correction that sets a value (each allowed caller undoes one; it also
        clears a sign-off, so each allowed caller can approve again)."""
        r = self.client.patch(
            f"/documents/{self.doc}/records/budget/basic_expenditure",
            json={"value": 99.5 + len(self.sessions)},
            headers=ADMIN,
        )
        assert r.status_code == 200, r.text
        correction_id: int = r.json()["correction"]["id"]
        return correction_id

    def problem_row(self) -> str:
        """A fresh row to delete (each allowed caller deletes one)."""
        r = self.client.patch(
            f"/documents/{self.doc}/records/problems",
            json={"op": "add", "value": {"text": {"value": "待删除", "raw": "待删除"}}},
            headers=ADMIN,
        )
        assert r.status_code == 200, r.text
        path: str = r.json()["path"]
        return path


def _static_file(mount: str) -> Callable[[World], Call]:
    def call(w: World) -> Call:
        app: FastAPI = w.client.app  # type: ignore[assignment]
        route = next(r for r in app.routes if isinstance(r, Mount) and r.path == mount)
        directory = Path(route.app.directory)  # type: ignore[attr-defined]
        name = sorted(p.name for p in directory.iterdir() if p.is_file())[0]
        return Call(f"{mount}/{name}")

    return call


U, R, A = Role.uploader, Role.reviewer, Role.admin
POLICY: dict[tuple[str, str], Rule] = {
    # --- the API -------------------------------------------------------------------------
    ("GET", "/healthz"): Rule(None, 200, call=lambda w: Call("/healthz")),
    ("GET", "/readyz"): Rule(None, 200, call=lambda w: Call("/readyz")),
    ("GET", "/openapi.json"): Rule(None, 200, call=lambda w: Call("/openapi.json")),
    ("GET", "/docs"): Rule(None, 200, call=lambda w: Call("/docs")),
    ("GET", "/redoc"): Rule(None, 200, call=lambda w: Call("/redoc")),
    ("GET", "/docs-assets"): Rule(None, 200, call=_static_file("/docs-assets")),
    ("GET", "/me"): Rule(U, 200, call=lambda w: Call("/me")),
    ("POST", "/documents"): Rule(
        U, 202, call=lambda w: Call("/documents", files={"files": ("r.txt", report_text())})
    ),
    ("GET", "/documents"): Rule(U, 200, call=lambda w: Call("/documents")),
    ("GET", "/documents/{document_id}"): Rule(U, 200, call=lambda w: Call(f"/documents/{w.doc}")),
    ("GET", "/documents/{document_id}/file"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/file")
    ),
    ("GET", "/documents/{document_id}/pages/{page}.png"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/pages/1.png?dpi=72")
    ),
    ("POST", "/documents/{document_id}/reprocess"): Rule(
        R, 202, call=lambda w: Call(f"/documents/{w.doc}/reprocess", json={})
    ),
    ("GET", "/documents/{document_id}/extraction"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/extraction?version=1")
    ),
    ("GET", "/documents/{document_id}/extractions"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/extractions")
    ),
    ("GET", "/documents/{document_id}/corrections"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/corrections")
    ),
    ("PATCH", "/documents/{document_id}/records/{path}"): Rule(
        R,
        200,
        call=lambda w: Call(
            f"/documents/{w.doc}/records/budget/basic_expenditure", json={"value": 101.5}
        ),
    ),
    ("DELETE", "/documents/{document_id}/records/{path}"): Rule(
        R, 200, call=lambda w: Call(f"/documents/{w.doc}/records/{w.problem_row()}")
    ),
    ("POST", "/documents/{document_id}/approve"): Rule(
        R,
        201,
        call=lambda w: w.correction() and Call(f"/documents/{w.doc}/approve", json={"note": "ok"}),
    ),
    ("GET", "/documents/{document_id}/review"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/review")
    ),
    ("POST", "/documents/{document_id}/review"): Rule(
        R,
        200,
        call=lambda w: Call(
            f"/documents/{w.doc}/review", json={"action": "opinion", "opinion": "同意"}
        ),
    ),
    ("POST", "/documents/{document_id}/findings/{key}/state"): Rule(
        R,
        200,
        call=lambda w: Call(
            f"/documents/{w.doc}/findings/{w.finding_key()}/state",
            json={"state": "confirmed", "comment": "已核对"},
        ),
    ),
    # past the role check the request is refused: this finding has no side 0 to adopt (400)
    ("POST", "/documents/{document_id}/findings/{key}/adopt"): Rule(
        R,
        400,
        call=lambda w: Call(
            f"/documents/{w.doc}/findings/{w.finding_key()}/adopt", json={"item": 0}
        ),
    ),
    ("GET", "/documents/{document_id}/findings/events"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/findings/events")
    ),
    ("POST", "/documents/{document_id}/corrections/{correction_id}/undo"): Rule(
        R, 200, call=lambda w: Call(f"/documents/{w.doc}/corrections/{w.correction()}/undo")
    ),
    # an uploader may resubmit, but only a returned (退回) document: this one is not (409)
    ("POST", "/documents/{document_id}/resubmit"): Rule(
        U,
        409,
        call=lambda w: Call(
            f"/documents/{w.doc}/resubmit", files={"file": ("r.txt", report_text())}
        ),
    ),
    ("GET", "/documents/{document_id}/approvals"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/approvals")
    ),
    ("GET", "/documents/{document_id}/export.xlsx"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/export.xlsx")
    ),
    ("GET", "/documents/{document_id}/export.csv"): Rule(
        U, 200, call=lambda w: Call(f"/documents/{w.doc}/export.csv")
    ),
    ("GET", "/exports/documents.xlsx"): Rule(
        U, 200, call=lambda w: Call("/exports/documents.xlsx")
    ),
    ("GET", "/exports/documents.csv"): Rule(U, 200, call=lambda w: Call("/exports/documents.csv")),
    ("POST", "/keys"): Rule(
        A, 201, call=lambda w: Call("/keys", json={"name": "新密钥", "role": "uploader"})
    ),
    ("GET", "/keys"): Rule(A, 200, call=lambda w: Call("/keys")),
    ("DELETE", "/keys/{key_id}"): Rule(A, 200, call=lambda w: Call(f"/keys/{w.throwaway_key()}")),
    # --- the reviewer UI -----------------------------------------------------------------
    # "/" leads to the UI: the documents with a session, else the login page
    ("GET", "/"): Rule(None, 303, call=lambda w: Call("/")),
    ("GET", "/ui/admin/users"): Rule(A, 200, page=True, call=lambda w: Call("/ui/admin/users")),
    ("POST", "/ui/admin/users"): Rule(
        A,
        303,
        page=True,
        call=lambda w: Call("/ui/admin/users", data=w.new_user_form(), csrf_form=True),
    ),
    ("POST", "/ui/admin/users/{user_id}/active"): Rule(
        A,
        303,
        page=True,
        call=lambda w: Call(
            f"/ui/admin/users/{w.throwaway_user()}/active", data={"active": "0"}, csrf_form=True
        ),
    ),
    ("POST", "/ui/admin/users/{user_id}/password"): Rule(
        A,
        303,
        page=True,
        call=lambda w: Call(
            f"/ui/admin/users/{w.throwaway_user()}/password",
            data={"password": "重置后的密码-1"},
            csrf_form=True,
        ),
    ),
    ("POST", "/ui/admin/users/{user_id}/role"): Rule(
        A,
        303,
        page=True,
        call=lambda w: Call(
            f"/ui/admin/users/{w.throwaway_user()}/role", data={"role": "uploader"}, csrf_form=True
        ),
    ),
    ("GET", "/ui"): Rule(None, 303, page=True, call=lambda w: Call("/ui")),
    ("GET", "/ui/"): Rule(None, 303, page=True, call=lambda w: Call("/ui/")),
    # a visitor already logged in is sent on to the documents
    ("GET", "/ui/login"): Rule(
        None, 200, page=True, ok_in_session=303, call=lambda w: Call("/ui/login")
    ),
    # the login form is its own credential check (tests/ui/test_auth.py): a form without
    # the login token is refused whoever sends it
    ("POST", "/ui/login"): Rule(
        None, 403, page=True, call=lambda w: Call("/ui/login", data={"api_key": ADMIN_KEY})
    ),
    ("GET", "/ui/lang/{lang}"): Rule(None, 303, page=True, call=lambda w: Call("/ui/lang/en")),
    ("GET", "/ui/static"): Rule(None, 200, page=True, call=_static_file("/ui/static")),
    ("POST", "/ui/logout"): Rule(
        U, 303, page=True, call=lambda w: Call("/ui/logout", csrf_form=True)
    ),
    ("GET", "/ui/documents"): Rule(U, 200, page=True, call=lambda w: Call("/ui/documents")),
    # bulk reprocess/delete from the list: reviewers (an unknown id is reported, not an error)
    ("POST", "/ui/documents/bulk"): Rule(
        R,
        303,
        page=True,
        call=lambda w: Call(
            "/ui/documents/bulk", data={"action": "reprocess", "ids": "no-such-id"}, csrf_form=True
        ),
    ),
    ("GET", "/ui/documents/{document_id}"): Rule(
        U, 200, page=True, call=lambda w: Call(f"/ui/documents/{w.doc}")
    ),
    ("GET", "/ui/documents/{document_id}/review-fragments"): Rule(
        U, 200, page=True, call=lambda w: Call(f"/ui/documents/{w.doc}/review-fragments")
    ),
    ("GET", "/ui/documents/{document_id}/find"): Rule(
        U, 200, page=True, call=lambda w: Call(f"/ui/documents/{w.doc}/find?q=2021")
    ),
    ("GET", "/ui/documents/{document_id}/history"): Rule(
        U, 200, page=True, call=lambda w: Call(f"/ui/documents/{w.doc}/history")
    ),
    # a reviewer is sent back to the page (the document is not approved: nothing promoted)
    ("POST", "/ui/documents/{document_id}/promote"): Rule(
        R, 303, page=True, call=lambda w: Call(f"/ui/documents/{w.doc}/promote", csrf_form=True)
    ),
    ("GET", "/ui/eval"): Rule(U, 200, page=True, call=lambda w: Call("/ui/eval")),
    ("GET", "/ui/eval/runs/{run_id}/report"): Rule(
        U, 200, page=True, call=lambda w: Call(f"/ui/eval/runs/{w.run_id}/report")
    ),
}


def enumerate_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every operation in the OpenAPI document, and of every route the
    document leaves out (the UI router, the docs pages), and every static mount."""
    found = {
        (method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops
    }
    for route in iter_route_contexts(app.routes):  # included routers flattened
        if isinstance(route.original_route, Mount):
            found.add(("GET", str(route.path)))
        elif getattr(route, "include_in_schema", False):
            continue  # in the OpenAPI document above
        else:
            found |= {(m, str(route.path)) for m in (route.methods or ()) if m != "HEAD"}
    return found


def expected_status(rule: Rule, who: Identity) -> int:
    if rule.role is None:
        return rule.ok_in_session if who.session and rule.ok_in_session else rule.ok
    if rule.page and not who.session:
        return 303  # to the login page
    if who.role is None:
        return 401
    return rule.ok if who.role.rank >= rule.role.rank else 403


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One app for the module (SQLite): the calls are made so that they can repeat."""
    settings = ui_settings(tmp_path_factory.mktemp("roles"))
    app = create_app(settings, extract=FakeExtractor())
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client, settings)


def test_every_route_has_a_rule(world: World) -> None:
    app: FastAPI = world.client.app  # type: ignore[assignment]
    routes = enumerate_routes(app)
    assert len(routes) >= 35
    missing = sorted(routes - POLICY.keys())
    assert not missing, f"routes without a role decision in POLICY: {missing}"
    stale = sorted(POLICY.keys() - routes)
    assert not stale, f"POLICY names routes the app no longer has: {stale}"


def _send(w: World, method: str, rule: Rule, who: Identity) -> Any:
    call = rule.call(w)
    headers = dict(call.headers)
    data = dict(call.data or {})
    if who.bad_key:
        headers["X-API-Key"] = "jx_" + uuid.uuid4().hex
    elif who.role is not None and not who.session:
        headers["X-API-Key"] = w.keys[who.role]
    elif who.role is not None:
        cookie, csrf = w.session(who.role, fresh=call.url == "/ui/logout")
        headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
        headers[CSRF_HEADER] = csrf
        if call.csrf_form:
            data["csrf_token"] = csrf
    if call.csrf_form and "csrf_token" not in data:
        data["csrf_token"] = "x"
    w.client.cookies.clear()
    return w.client.request(
        method,
        call.url,
        headers=headers,
        json=call.json,
        files=call.files,
        data=data or None,
        follow_redirects=False,
    )


@pytest.mark.parametrize("route", sorted(POLICY), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_identity_by_its_rule(world: World, route: tuple[str, str]) -> None:
    method, _ = route
    rule = POLICY[route]
    wrong = []
    for who in IDENTITIES:
        r = _send(world, method, rule, who)
        want = expected_status(rule, who)
        if r.status_code != want:
            wrong.append(f"{who.name}: {r.status_code} (want {want}) {r.text[:200]}")
            continue
        if want == 303 and rule.page and rule.role is not None and not who.session:
            assert r.headers["location"].startswith("/ui/login?next="), r.headers
        if want in (401, 403) and not rule.page:
            code = r.json()["error"]["code"]
            assert code == ("unauthorized" if want == 401 else "forbidden"), r.text
    assert not wrong, f"{method} {route[1]}:\n" + "\n".join(wrong)
