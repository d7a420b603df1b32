"""The user administration page (``/ui/admin/users``): list, create, disable or enable,
reset a password, change a role. Admins only.

Owns the page and its forms (each carries the session's CSRF token, like every other form
of the UI). The rules — valid logins and passwords, unique names, the last active admin
kept — are ``service.store.users``'; a refused change shows the store's own message on the
page again. Must not reach into the API's routes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from service.api.deps import SessionDep, StateDep
from service.store import users
from service.store.engine import transaction
from service.store.tables import Role, User
from service.store.types import utcnow
from service.ui import auth
from service.ui.routes import UiSessionDep, error_page, lang_of, redirect, render

router = APIRouter(prefix="/ui/admin", include_in_schema=False)
HERE = "/ui/admin/users"
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Csrf = Annotated[str, Form(max_length=200)]
_STATUS = {users.LastAdminError: 409, users.UserExistsError: 409, users.NoSuchUserError: 404}


def _refused(request: Request, user: auth.UiSession, csrf_token: str) -> Response | None:
    if csrf_token != user.csrf:
        return error_page(request, user, "error.csrf", 403)
    if not user.principal.can(Role.admin):
        return error_page(request, user, "error.forbidden", 403)
    return None


def _page(
    request: Request,
    session: SessionDep,
    user: auth.UiSession,
    *,
    error: users.UserInputError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    lang = lang_of(request)
    message = None
    if error is not None:
        message = error.message_zh if lang == "zh" else error.message_en
    rows = users.list_users(session)
    return render(
        request,
        "admin_users.html",
        user,
        status=_STATUS.get(type(error), 400) if error else 200,
        nav="users",
        rows=rows,
        me=_me(user, rows),
        roles=[r.value for r in Role],
        error=message,
        form=form or {},
        now=utcnow(),
    )


def _me(user: auth.UiSession, rows: list[User]) -> int | None:
    if user.principal.via != "password":
        return None
    return next((r.id for r in rows if r.display_name == user.principal.name), None)


@router.get("/users")
def users_page(request: Request, session: SessionDep, user: UiSessionDep) -> Response:
    if not user.principal.can(Role.admin):
        return error_page(request, user, "error.forbidden", 403)
    return _page(request, session, user)


@router.post("/users")
def create_user(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: UiSessionDep,
    login: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = Role.reviewer.value,
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Csrf = "",
) -> Response:
    refused = _refused(request, user, csrf_token)
    if refused is not None:
        return refused
    form = {"login": login, "display_name": display_name, "role": role}
    if role not in {r.value for r in Role}:
        return _page(request, session, user, error=users.UserInputError("bad role"), form=form)
    return _change(
        request,
        state,
        session,
        user,
        lambda s: users.create_user(
            s, login=login, display_name=display_name, role=role, password=password
        ),
        "flash.user_created",
        form,
    )


@router.post("/users/{user_id}/active")
def set_active(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: UiSessionDep,
    user_id: UserId,
    active: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Csrf = "",
) -> Response:
    refused = _refused(request, user, csrf_token)
    if refused is not None:
        return refused
    on = active == "1"
    flash = "flash.user_enabled" if on else "flash.user_disabled"
    return _change(request, state, session, user, lambda s: users.set_active(s, user_id, on), flash)


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: UiSessionDep,
    user_id: UserId,
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Csrf = "",
) -> Response:
    refused = _refused(request, user, csrf_token)
    if refused is not None:
        return refused
    return _change(
        request,
        state,
        session,
        user,
        lambda s: users.set_password(s, user_id, password),
        "flash.password_reset",
    )


@router.post("/users/{user_id}/role")
def change_role(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: UiSessionDep,
    user_id: UserId,
    role: Annotated[str, Form(max_length=32)] = "",
    csrf_token: Csrf = "",
) -> Response:
    refused = _refused(request, user, csrf_token)
    if refused is not None:
        return refused
    if role not in {r.value for r in Role}:
        return _page(request, session, user, error=users.UserInputError("bad role"))
    return _change(
        request,
        state,
        session,
        user,
        lambda s: users.set_role(s, user_id, role),
        "flash.role_changed",
    )


def _change(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: auth.UiSession,
    change: Any,
    flash: str,
    form: dict[str, str] | None = None,
) -> Response:
    """Apply one change in its own transaction; back to the list with a note, or the page
    again with the store's reason when it refused."""
    try:
        with transaction(state.engine) as write:
            change(write)
    except users.UserInputError as exc:
        session.rollback()  # read the list afresh
        return _page(request, session, user, error=exc, form=form)
    return redirect(f"{HERE}?flash={flash}")
