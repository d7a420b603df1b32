"""UI sessions end by time, server-side: an idle limit and an absolute lifetime
(``ui.session_idle_minutes``, ``ui.session_hours``).

The codec's clock is moved instead of waiting; the cookie itself is sent back unchanged by
the test client, so what ends a session is the server's check of the signed times, never
the browser dropping an expired cookie.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.store.tables import ApiKey
from service.ui.auth import SESSION_COOKIE, SessionCodec
from tests.api.conftest import ADMIN_KEY, FakeExtractor
from tests.ui.conftest import login, ui_settings

IDLE_MIN = 10.0
HOURS = 1.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    settings = ui_settings(tmp_path, ui={"session_idle_minutes": IDLE_MIN, "session_hours": HOURS})
    app = create_app(settings, extract=FakeExtractor())
    app.state.jixiao_ui.codec.clock = clock
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def _alive(client: TestClient, cookie: str) -> tuple[bool, bool]:
    """(the page opens, the API accepts the session) with exactly this cookie."""
    client.cookies.clear()
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    page = client.get("/ui/documents", headers=headers, follow_redirects=False)
    api = client.get("/me", headers=headers)
    client.cookies.clear()
    if page.status_code == 303:
        assert "reason=expired" in page.headers["location"]
    return page.status_code == 200, api.status_code == 200


def _renewed(client: TestClient, cookie: str) -> str:
    """Use the session once; the cookie the server sends back (renewed), else the same."""
    client.cookies.clear()
    r = client.get("/ui/documents", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    assert r.status_code == 200
    fresh = r.cookies.get(SESSION_COOKIE)
    client.cookies.clear()
    return fresh or cookie


def test_an_idle_session_ends(client: TestClient, clock: Clock) -> None:
    login(client, ADMIN_KEY)
    cookie = client.cookies[SESSION_COOKIE]
    clock.now += IDLE_MIN * 60 - 5
    assert _alive(client, cookie) == (True, True)
    clock.now += 10  # the login cookie again (not the renewed one): unused past the limit
    assert _alive(client, cookie) == (False, False)


def test_use_renews_the_idle_limit_but_not_the_lifetime(client: TestClient, clock: Clock) -> None:
    login(client, ADMIN_KEY)
    cookie = client.cookies[SESSION_COOKIE]
    client.cookies.clear()
    # used every 8 minutes (under the 10-minute idle limit) for 56 minutes: still alive
    for _ in range(7):
        clock.now += 8 * 60
        renewed = _renewed(client, cookie)
        assert renewed != cookie  # a new last-use time, signed
        cookie = renewed
    assert _alive(client, cookie) == (True, True)
    # the absolute lifetime (1 h from login) ends it however busy
    clock.now += 5 * 60
    assert _alive(client, cookie) == (False, False)


def test_renewal_keeps_the_session_id_and_a_logout_still_ends_it(
    client: TestClient, clock: Clock
) -> None:
    csrf = login(client, ADMIN_KEY)
    first = client.cookies[SESSION_COOKIE]
    clock.now += 120
    second = _renewed(client, first)
    assert second != first
    client.cookies.set(SESSION_COOKIE, second, domain="testserver.local")
    r = client.post("/ui/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    # the logout response clears the cookie; no renewed copy is slipped in beside it
    ours = [c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")]
    assert len(ours) == 1 and "max-age=0" in ours[0].lower(), ours
    assert _alive(client, first) == (False, False)  # the same session, both copies ended
    assert _alive(client, second) == (False, False)


def test_codec_limits() -> None:
    codec = SessionCodec(b"k" * 32, lifetime_s=3600, idle_s=600)
    key = ApiKey(id=3, name="n", role="reviewer", prefix="jx_", key_hash="cd" * 32)
    token, data = codec.issue(key, now=1000)
    assert codec.load(token, now=1599) == data
    assert codec.load(token, now=1601) is None
    renewed, again = codec.renew(data, now=1500)
    assert (again.sid, again.expires) == (data.sid, data.expires)
    assert codec.load(renewed, now=2000) == again
    assert codec.load(renewed, now=2101) is None
    late, _ = codec.renew(data, now=4500)
    assert codec.load(late, now=4601) is None  # past the absolute expiry at 4600
    # a client cannot move its own last-use time: the signature covers it
    body, _, mac = renewed.partition(".")
    assert codec.load(token.partition(".")[0] + "." + mac, now=1500) is None
    assert not codec.due_for_renewal(data, now=1059)
    assert codec.due_for_renewal(data, now=1060)
