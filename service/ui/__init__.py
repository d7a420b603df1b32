"""The reviewer web UI (``/ui``): server-rendered pages on top of the API.

Owns the pages, their session login and their static files. ``install(app, state)`` is all
``create_app`` calls: it adds the session-cookie auth backend to the API's list (so the
pages' scripts call the API with the same roles as the key the reviewer logged in with),
the routes (the user administration page among them), the static files, the login
redirect, and ``/`` leading to the UI. Must not change the API's routes or
the store's rules.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from service.api.deps import AppState
from service.ui import auth
from service.ui.admin import router as admin_router
from service.ui.routes import LoginRequired, UiContext, router
from service.ui.worklist_routes import router as worklist_router


def install(app: FastAPI, state: AppState) -> None:
    settings = state.settings
    codec = auth.SessionCodec(
        auth.load_secret(settings),
        lifetime_s=settings.ui.session_hours * 3600,
        idle_s=settings.ui.session_idle_minutes * 60,
    )
    app.state.jixiao_ui = UiContext(codec)
    state.auth_backends.append(auth.session_backend(codec))
    app.add_middleware(auth.RenewSession, codec=codec, settings=settings)
    app.include_router(worklist_router)
    app.include_router(router)
    app.include_router(admin_router)

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        """``/`` is the reviewer UI: its documents, or the login page for a visitor without
        a live session (the API's docs stay at /docs)."""
        live = codec.load(request.cookies.get(auth.SESSION_COOKIE)) is not None
        return RedirectResponse("/ui/documents" if live else "/ui/login", status_code=303)
    static = Path(__file__).parent / "static"
    app.mount("/ui/static", StaticFiles(directory=str(static)), name="ui-static")

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        query = {"next": exc.next_url, **({"reason": exc.reason} if exc.reason else {})}
        response = RedirectResponse("/ui/login?" + urlencode(query), status_code=303)
        if exc.reason == "expired":
            auth.clear_session_cookie(response, settings, request)
        return response

    app.add_exception_handler(LoginRequired, on_login_required)
