"""Request dependencies: settings, database sessions, storage, the runner, who is calling.

Owns authentication and role checks. A caller is a ``Principal`` found by one of the app's
*auth backends*, tried in order: the API key backend here (``X-API-Key: …`` or
``Authorization: Bearer …``); the reviewer UI adds a session-cookie backend to
``app.state.jixiao.auth_backends`` and gets the same roles and checks for free.

Dependencies that only read memory are ``async`` and run on the event loop; those that
touch the database are plain functions and run in the thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session

from service.api.errors import AuthError, ForbiddenError
from service.config import Settings
from service.jobs.runner import JobRunner
from service.jobs.worker import JobContext
from service.store import keys
from service.store.engine import read_session
from service.store.files import Storage
from service.store.tables import Role


@dataclass(frozen=True)
class Principal:
    """Who is calling, with which role. ``author`` is what the audit log records."""

    name: str
    role: Role
    key_id: int | None = None
    via: str = "api_key"

    @property
    def author(self) -> str:
        return f"{self.name} (key {self.key_id})" if self.key_id is not None else self.name

    def can(self, role: Role) -> bool:
        return self.role.rank >= role.rank


AuthBackend = Callable[[Request, Session], Principal | None]


@dataclass
class AppState:
    """Everything the routes share, built once by ``create_app``."""

    settings: Settings
    engine: Engine
    files: Storage
    jobs: JobContext
    runner: JobRunner
    auth_backends: list[AuthBackend] = field(default_factory=list)
    # made on first use: a limiter belongs to the running event loop
    upload_limiter: Any = None


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.jixiao
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_session(state: StateDep) -> Iterator[Session]:
    with read_session(state.engine) as session:
        yield session


async def get_files(state: StateDep) -> Storage:
    return state.files


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
FilesDep = Annotated[Storage, Depends(get_files)]

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey")
_bearer = HTTPBearer(auto_error=False, scheme_name="Bearer")


def api_key_backend(request: Request, session: Session) -> Principal | None:
    """The key from ``X-API-Key`` or ``Authorization: Bearer``; None when neither is sent."""
    key = request.headers.get("x-api-key")
    if not key:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        key = credentials.strip() if scheme.lower() == "bearer" else ""
    if not key:
        return None
    row = keys.find_active_key(session, key)
    if row is None:
        raise AuthError("unknown or revoked API key")
    session.rollback()  # end the read before the touch takes a connection of its own
    keys.touch_key(request.app.state.jixiao.engine, row)
    return Principal(name=row.name, role=Role(row.role), key_id=row.id)


def get_principal(
    request: Request,
    state: StateDep,
    _key: Annotated[str | None, Security(_api_key_header)] = None,
    _bearer_token: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    # the two Security parameters only document the schemes in OpenAPI; backends read
    # the headers themselves so the UI's cookie backend fits the same list
    if not state.settings.auth.enabled:
        return Principal(name="anonymous", role=Role.admin, via="auth disabled")
    # a session of its own, closed before the route runs: a request never holds two pooled
    # connections at once (50 uploads holding a read connection each while waiting for a
    # write connection would drain the pool and deadlock)
    with read_session(state.engine) as session:
        for backend in state.auth_backends:
            principal = backend(request, session)
            if principal is not None:
                return principal
    raise AuthError()


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: PrincipalDep) -> Principal:
        if not principal.can(role):
            raise ForbiddenError(
                f"needs the {role.value} role; this key is {principal.role.value}",
                needed=role.value,
                role=principal.role.value,
            )
        return principal

    return check


UploaderDep = Annotated[Principal, Depends(require(Role.uploader))]
ReviewerDep = Annotated[Principal, Depends(require(Role.reviewer))]
AdminDep = Annotated[Principal, Depends(require(Role.admin))]
