"""``create_app(settings)``: the FastAPI application.

Owns assembly: the shared state (engine, storage, job context, runner, auth backends), the
error handlers, the routers, and the lifespan. At start the lifespan makes sure the schema
is current (migrating or refusing, see ``service.store.migrate``), creates the first admin
key on a fresh database and prints it once, and starts the job runner; at shutdown it
stops the runner (unfinished jobs are handed back) and closes the engine.

Routers of the reviewer UI are added by ``service.ui`` with the same state and roles.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

import service
from service.api import errors
from service.api.deps import AppState, api_key_backend
from service.api.routes import documents, exports, health, keys, records, review
from service.config import Settings, get_settings
from service.errors import FileTooLargeError
from service.jobs.isolation import ProcessPool
from service.jobs.runner import EmbeddedRunner, ExternalRunner, JobRunner
from service.jobs.worker import ExtractFn, JobContext, default_extract
from service.store import keys as key_store
from service.store.engine import make_engine, transaction
from service.store.files import open_storage
from service.store.migrate import ensure_schema
from service.ui import install as install_ui

log = logging.getLogger("jixiao")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class BodyLimit:
    """Refuse a request whose declared body exceeds ``limit`` before it is read (the
    multipart parser would otherwise spool it to disk first)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.limit:
                response = errors.jixiao_error_response(
                    FileTooLargeError(f"request body over {self.limit} bytes")
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class NoSniff:
    """``X-Content-Type-Options: nosniff`` on every response, so a browser never runs an
    uploaded file or a JSON body as something else."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"x-content-type-options"
                ]
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)


DOCS_ASSETS = "/docs-assets"


def install_docs(app: FastAPI) -> None:
    """/docs and /redoc with their scripts served from here, not from a public CDN: the
    finance intranets this runs on have no internet, and a blank docs page helps nobody."""
    import fastapi_offline

    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=static), name="docs-assets")
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )


def build_state(
    settings: Settings, *, extract: ExtractFn | None = None, runner: JobRunner | None = None
) -> AppState:
    """The shared objects, without touching the database yet."""
    engine = make_engine(
        settings.resolved_database_url, echo=settings.db.echo, pool_size=settings.db.pool_size
    )
    files = open_storage(settings)
    pool = ProcessPool(settings.workers.count) if settings.workers.isolation == "process" else None
    ctx = JobContext(
        engine=engine, files=files, settings=settings, extract=extract or default_extract, pool=pool
    )
    if runner is None and settings.queue.broker_url:  # scale-out: Celery workers run jobs
        from service.jobs.celery_app import CeleryRunner

        runner = CeleryRunner(ctx)
    if runner is None:
        runner = EmbeddedRunner(ctx) if settings.workers.embedded else ExternalRunner()
    return AppState(settings, engine, files, ctx, runner, auth_backends=[api_key_backend])


def prepare(
    state: AppState,
    *,
    announce: Callable[[str], None] | None = None,
    base_url: str = "http://127.0.0.1:8000",
) -> None:
    """Schema current, storage folder present, first admin key created (and announced,
    with a curl line for ``base_url``)."""
    settings = state.settings
    ensure_schema(state.engine, auto_migrate=settings.db.auto_migrate)
    state.files.prepare()
    if not settings.auth.enabled:
        log.warning("authentication is OFF: every request acts as admin")
        return
    given = settings.auth.bootstrap_admin_key
    with transaction(state.engine) as session:
        key = key_store.bootstrap_admin_key(session, given.get_secret_value() if given else None)
    if key is not None and given is None:
        (announce or (lambda k: _announce(k, base_url)))(key)


def _announce(key: str, base_url: str) -> None:
    line = "=" * 72
    print(
        f"{line}\nNo API keys existed, so an admin key was created. It is shown only now\n"
        f"(the database keeps its hash). Keep it safe; create others with it:\n\n"
        f"    {key}\n\n"
        f"e.g.  curl -H 'X-API-Key: {key}' {base_url}/documents\n{line}",
        file=sys.stderr,
        flush=True,
    )


def create_app(
    settings: Settings | None = None,
    *,
    extract: ExtractFn | None = None,
    runner: JobRunner | None = None,
) -> FastAPI:
    """The app. ``extract`` and ``runner`` replace the defaults (tests, other deployments)."""
    settings = settings or get_settings()
    state = build_state(settings, extract=extract, runner=runner)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepare(state)
        state.runner.start()
        try:
            yield
        finally:
            state.runner.stop()
            state.engine.dispose()

    app = FastAPI(
        title="Jixiao",
        version=service.__version__,
        description="Read 部门整体支出绩效自评报告 (department performance self-evaluation "
        "reports) into typed, grounded records. Every route but /healthz, /readyz and the "
        "docs needs an API key: header `X-API-Key` or `Authorization: Bearer`.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.jixiao = state
    errors.install(app)
    for module in (health, documents, records, review, exports, keys):
        app.include_router(module.router)
    install_docs(app)
    install_ui(app, state)  # the reviewer pages under /ui, with a session backend
    # the largest acceptable upload request, plus room for the multipart framing
    body_limit = settings.limits.max_bytes * documents.MAX_FILES_PER_REQUEST + 1024 * 1024
    app.add_middleware(BodyLimit, limit=body_limit)
    app.add_middleware(NoSniff)
    return app
