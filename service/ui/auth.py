"""Sessions of the reviewer UI: a signed cookie made from a password login (or an API key),
and CSRF tokens.

Owns the session cookie (what it holds, how it is signed and checked), the CSRF token that
every state-changing request made from a page must carry, and the auth backend that lets
the API's own routes accept the session with the same roles as the key it came from. Must
not touch the key store beyond reading keys, nor the API's role rules.

Design:

* A reviewer logs in with their login name and password (``service.store.users``), or
  with an API key; the cookie then holds the user's (or key's) *id*, a random session id,
  the absolute expiry and the time it was last used, signed with HMAC-SHA256 — never the
  password or the key. Every request looks the row up again, so disabling the user,
  changing their password (both move the user's session epoch, which the cookie carries)
  or revoking the key ends its sessions, and a changed role applies at once.
* Two lifetimes, both checked by the server on every request (``ui.session_hours`` and
  ``ui.session_idle_minutes``): a session ends a fixed time after login however busy, and
  earlier when it goes unused for the idle time. The last-use time is signed, so a client
  cannot extend it; ``RenewSession`` renews it (a fresh cookie, same session id and
  expiry) on requests that use the session, at most once a minute.
* The CSRF token is bound to the session (HMAC of its session id): pages put it in a
  hidden form field, scripts in the ``X-CSRF-Token`` header. The API backend demands the
  header for every unsafe method that authenticates by cookie, so a cross-site form can
  never use a reviewer's session (SameSite=Lax already keeps the cookie off cross-site
  POSTs; the token also covers same-site attackers and old browsers).
* The login form itself has a double-submit token (a cookie and a field that must match).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, delete

from service.api.deps import AuthBackend, Principal
from service.api.errors import ForbiddenError
from service.config import Settings
from service.store.tables import ApiKey, EndedSession, Role, User

SESSION_COOKIE = "jixiao_session"
LOGIN_CSRF_COOKIE = "jixiao_login_csrf"
LANG_COOKIE = "jixiao_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SECRET_FILE = "ui-session-secret"


class CSRFError(ForbiddenError):
    code = "csrf_failed"
    message_zh = "缺少或错误的 CSRF 令牌：请刷新页面后重试。"
    message_en = "Missing or wrong CSRF token: reload the page and try again."


@dataclass(frozen=True)
class SessionData:
    key_id: int  # the user's id for a password login ("u"), the key's for a key login ("k")
    sid: str
    expires: int  # absolute end, fixed at login
    # a key: a prefix of its hash, so a session never outlives a replaced row; a user: the
    # session epoch, which a password change or a disable moves on
    key_tag: str
    last_used: int = 0  # renewed as the session is used; idle past the limit ends it
    kind: str = "k"  # "u": a user's password login; "k": an API key


def load_secret(settings: Settings) -> bytes:
    """The signing key: the configured one, else a random one kept in the data folder
    (created once, readable by the owner only), so sessions survive a restart."""
    configured = settings.ui.session_secret
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode("utf-8")
    path = Path(settings.data_dir) / _SECRET_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    tmp = path.with_name(f".{_SECRET_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret.hex())
    try:  # two processes starting at once: the first file wins, both read it back
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Signs and checks session cookies and derives their CSRF tokens."""

    def __init__(self, secret: bytes, lifetime_s: float, idle_s: float | None = None) -> None:
        self._secret = secret
        self.lifetime_s = lifetime_s
        self.idle_s = idle_s  # None: no idle limit
        # renew the last-use time at most this often (a page load makes several requests)
        self.renew_after_s = min(60.0, idle_s / 10) if idle_s else None
        self.clock: Callable[[], float] = time.time  # tests move it

    def _mac(self, purpose: str, data: bytes) -> bytes:
        return hmac.new(self._secret, purpose.encode() + b"|" + data, hashlib.sha256).digest()

    def issue(self, who: ApiKey | User, now: float | None = None) -> tuple[str, SessionData]:
        now = self.clock() if now is None else now
        is_user = isinstance(who, User)
        data = SessionData(
            key_id=int(who.id or 0),
            sid=secrets.token_hex(16),
            expires=int(now + self.lifetime_s),
            key_tag=_user_tag(who) if isinstance(who, User) else who.key_hash[:16],
            last_used=int(now),
            kind="u" if is_user else "k",
        )
        return self._sign(data), data

    def renew(self, data: SessionData, now: float | None = None) -> tuple[str, SessionData]:
        """The same session used now: a new cookie with its last-use time moved on."""
        renewed = replace(data, last_used=int(self.clock() if now is None else now))
        return self._sign(renewed), renewed

    def due_for_renewal(self, data: SessionData, now: float | None = None) -> bool:
        if self.renew_after_s is None:
            return False
        return (self.clock() if now is None else now) - data.last_used >= self.renew_after_s

    def _sign(self, data: SessionData) -> str:
        payload = json.dumps(
            {
                "k": data.key_id,
                "s": data.sid,
                "e": data.expires,
                "t": data.key_tag,
                "u": data.last_used,
                "w": data.kind,
            },
            separators=(",", ":"),
        ).encode()
        return f"{_b64(payload)}.{_b64(self._mac('session', payload))}"

    def load(self, token: str | None, now: float | None = None) -> SessionData | None:
        """The session in ``token``; None when absent, malformed, forged, past its absolute
        expiry or unused for longer than the idle limit."""
        if not token or len(token) > 1024 or token.count(".") != 1:
            return None
        body, _, mac = token.partition(".")
        try:
            payload = _unb64(body)
            given = _unb64(mac)
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(given, self._mac("session", payload)):
            return None
        try:
            raw = json.loads(payload)
            data = SessionData(
                key_id=int(raw["k"]),
                sid=str(raw["s"]),
                expires=int(raw["e"]),
                key_tag=str(raw["t"]),
                last_used=int(raw["u"]),
                kind=str(raw.get("w", "k")),
            )
        except (ValueError, KeyError, TypeError):
            return None
        now = self.clock() if now is None else now
        if data.expires < now:
            return None
        if self.idle_s is not None and now - data.last_used > self.idle_s:
            return None
        return data

    def csrf_token(self, sid: str) -> str:
        return _b64(self._mac("csrf", sid.encode()))[:32]

    def check_csrf(self, sid: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(str(given), self.csrf_token(sid))


@dataclass(frozen=True)
class UiSession:
    """A logged-in page visitor: who, and the CSRF token their pages carry."""

    principal: Principal
    csrf: str
    sid: str

    @property
    def can_edit(self) -> bool:
        return self.principal.can(Role.reviewer)


def _user_tag(user: User) -> str:
    return f"e{user.session_epoch}"


def principal_of(session: Session, data: SessionData) -> Principal | None:
    """Who is behind a session: the user, if still active and the session was issued under
    their current epoch (no password change or disable since); or the key, if it still
    exists, is not revoked and is the same key. None too when a logout ended the session.
    A user acts under their display name alone (unique among users): the audit log and
    every page name them as colleagues do."""
    if data.kind == "u":
        user = session.get(User, data.key_id)
        if user is None or not user.active or _user_tag(user) != data.key_tag:
            return None
        principal = Principal(name=user.display_name, role=Role(user.role), via="password")
    else:
        row = session.get(ApiKey, data.key_id)
        if row is None or row.revoked_at is not None or not row.key_hash.startswith(data.key_tag):
            return None
        principal = Principal(name=row.name, role=Role(row.role), key_id=row.id, via="session")
    if session.get(EndedSession, data.sid) is not None:
        return None
    return principal


def end_session(session: Session, data: SessionData) -> None:
    """Logout: the session's id is remembered as ended until its cookie would expire, so a
    copy of the cookie stops working at once; ids past their expiry are forgotten."""
    now = datetime.now(UTC)
    session.exec(delete(EndedSession).where(EndedSession.expires_at < now))  # type: ignore[arg-type]
    if session.get(EndedSession, data.sid) is None:
        expires = datetime.fromtimestamp(data.expires, UTC)
        session.add(EndedSession(sid=data.sid, expires_at=expires))


def session_backend(codec: SessionCodec) -> AuthBackend:
    """The API auth backend for requests sent by the UI's pages with the session cookie.

    Unsafe methods must carry the session's CSRF token in ``X-CSRF-Token``; a cookie that
    does not check out is ignored (the request is then simply unauthenticated).
    """

    def backend(request: Request, session: Session) -> Principal | None:
        data = codec.load(request.cookies.get(SESSION_COOKIE))
        if data is None:
            return None
        principal = principal_of(session, data)
        if principal is None:
            return None
        if request.method not in SAFE_METHODS and not codec.check_csrf(
            data.sid, request.headers.get(CSRF_HEADER)
        ):
            raise CSRFError("send the page's token in the X-CSRF-Token header")
        return principal

    return backend


def cookie_secure(settings: Settings, request: Request) -> bool:
    configured = settings.ui.cookie_secure
    return request.url.scheme == "https" if configured is None else configured


def set_session_cookie(
    response: Response,
    token: str,
    settings: Settings,
    request: Request,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.ui.session_hours * 3600) if max_age is None else max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(settings, request),
    )


class RenewSession:
    """ASGI middleware: a request carrying a live session cookie whose last-use time is due
    for renewal gets the renewed cookie with its response — unless the response sets the
    cookie itself (login, logout) or refuses the request. The session id and the absolute
    expiry never change, so renewal cannot outlast ``ui.session_hours``."""

    def __init__(self, app: Any, codec: SessionCodec, settings: Settings) -> None:
        self.app, self.codec, self.settings = app, codec, settings

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        data = self.codec.load(request.cookies.get(SESSION_COOKIE))
        if data is None or not self.codec.due_for_renewal(data):
            await self.app(scope, receive, send)
            return
        token, renewed = self.codec.renew(data)
        carrier = Response()
        max_age = max(0, renewed.expires - renewed.last_used)
        set_session_cookie(carrier, token, self.settings, request, max_age=max_age)
        cookie = next(v for k, v in carrier.raw_headers if k == b"set-cookie")
        prefix = SESSION_COOKIE.encode() + b"="

        async def send_renewed(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"set-cookie" and v.startswith(prefix) for k, v in headers):
                    message = {**message, "headers": [*headers, (b"set-cookie", cookie)]}
            await send(message)

        await self.app(scope, receive, send_renewed)


def clear_session_cookie(response: Response, settings: Settings, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(settings, request),
    )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def check_login_csrf(request: Request, given: str | None) -> bool:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))
