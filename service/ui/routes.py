"""The reviewer UI's pages: login, documents, review, evaluation (server-rendered, Jinja2).

Owns the HTML routes under ``/ui`` and what each page shows. The pages' scripts write
through the API itself (upload, corrections, approval) with the session cookie and the
CSRF header (``service.ui.auth``), so the UI has no second write path for records; the
one write of its own is the promotion into the evaluation set. Must not reach into the
API's routes or change the store's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from service.api.deps import Principal, SessionDep, StateDep
from service.store import documents as repo
from service.store import keys as key_store
from service.store import review as review_store
from service.store.engine import transaction
from service.store.pages import PAGED_FORMATS
from service.store.tables import Correction, EvalRun, Role, StoredDocument
from service.ui import accounts, auth, evalruns, evalset, page_find, worklist
from service.ui.i18n import STRINGS, Lang, normalize_lang, path_label, translator
from service.ui.review import build_review, corrected_paths, display
from service.ui.review_panel import person, review_panel
from service.ui.sources import PageInfo, load_source

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["person"] = person  # who, as colleagues name them (no "(key N)")
router = APIRouter(prefix="/ui", include_in_schema=False)

PAGE_DPI = 144  # crisp small CJK text in a half-screen pane
PAGE_SIZE = 50
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# Strings the scripts need (the rest stay on the server).
JS_KEYS = [k for k in STRINGS["zh"] if k.startswith(("review.", "docs.", "status."))]
FLASH_KEYS = frozenset(k for k in STRINGS["zh"] if k.startswith(("flash.", "promote.")))


class LoginRequired(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by page dependencies when nobody is logged in: answered with a redirect."""

    def __init__(self, next_url: str, reason: str | None = None) -> None:
        super().__init__(next_url)
        self.next_url, self.reason = next_url, reason


@dataclass
class UiContext:
    codec: auth.SessionCodec


def get_codec(request: Request) -> auth.SessionCodec:
    ctx: UiContext = request.app.state.jixiao_ui
    return ctx.codec


CodecDep = Annotated[auth.SessionCodec, Depends(get_codec)]


def lang_of(request: Request) -> Lang:
    return normalize_lang(request.cookies.get(auth.LANG_COOKIE))


def safe_next(value: str | None) -> str:
    """A local UI path to go back to; anything else (another host, a scheme) → /ui."""
    if not value or not value.startswith("/ui") or value.startswith("//") or "\\" in value:
        return "/ui/documents"
    return value


def current_session(
    request: Request, state: StateDep, session: SessionDep, codec: CodecDep
) -> auth.UiSession:
    if not state.settings.auth.enabled:
        anonymous = Principal(name="anonymous", role=Role.admin, via="auth disabled")
        return auth.UiSession(anonymous, codec.csrf_token("anonymous"), "anonymous")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    token = request.cookies.get(auth.SESSION_COOKIE)
    data = codec.load(token)
    principal = auth.principal_of(session, data) if data else None
    if data is None or principal is None:
        raise LoginRequired(here, "expired" if token else None)
    return auth.UiSession(principal, codec.csrf_token(data.sid), data.sid)


UiSessionDep = Annotated[auth.UiSession, Depends(current_session)]


def render(
    request: Request,
    template: str,
    user: auth.UiSession | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = lang_of(request)
    t = translator(lang)
    flash = request.query_params.get("flash")
    context.update(
        t=t,
        lang=lang,
        user=user,
        csrf=user.csrf if user else None,
        flash=flash if flash in FLASH_KEYS else None,
        js_strings={k: t(k) for k in JS_KEYS},
        path_label=lambda p: path_label(p, lang),
    )
    response = templates.TemplateResponse(request, template, context, status_code=status)
    secure_headers(response)
    return response


def secure_headers(response: Response) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, user: auth.UiSession | None, key: str, status: int) -> Response:
    return render(request, "error.html", user, status=status, message_key=key)


# --- login, logout, language ---------------------------------------------------------------


@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return redirect("/ui/documents")


@router.get("/login")
def login_form(
    request: Request,
    state: StateDep,
    session: SessionDep,
    codec: CodecDep,
    next: str | None = None,
    reason: str | None = None,
) -> Response:
    data = codec.load(request.cookies.get(auth.SESSION_COOKIE))
    if data is not None and auth.principal_of(session, data) is not None:
        return redirect(safe_next(next))
    return _login_page(
        request, state, next, reason if reason in ("expired", "logged_out") else None
    )


def _login_page(
    request: Request,
    state: StateDep,
    next_url: str | None,
    message: str | None,
    status: int = 200,
    **context: Any,
) -> Response:
    token = auth.new_login_csrf()
    response = render(
        request,
        "login.html",
        None,
        status=status,
        login_csrf=token,
        next_url=safe_next(next_url),
        message=message,
        no_users=accounts.no_users(state.engine),
        **context,
    )
    response.set_cookie(
        auth.LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/ui/login",
        httponly=True,
        samesite="strict",
        secure=auth.cookie_secure(state.settings, request),
    )
    return response


@router.post("/login")
def login(
    request: Request,
    state: StateDep,
    session: SessionDep,
    codec: CodecDep,
    login: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    api_key: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/ui/documents",
) -> Response:
    if not auth.check_login_csrf(request, csrf_token):
        return _login_page(request, state, next, "bad_csrf", status=403)
    if login.strip() or not api_key.strip():  # the password form; the key is the fallback
        result = accounts.password_login(state.engine, codec, login, password)
        if result.token is None:
            return _login_page(request, state, next, **result.refusal(), login_name=login)
        token = result.token
    else:
        row = key_store.find_active_key(session, api_key.strip())
        if row is None:
            return _login_page(request, state, next, "bad_key", status=401, key_open=True)
        token, _ = codec.issue(row)
        key_store.touch_key(state.engine, row)
    response = redirect(safe_next(next))
    auth.set_session_cookie(response, token, state.settings, request)
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/ui/login")
    return response


@router.post("/logout")
def logout(
    request: Request,
    state: StateDep,
    user: UiSessionDep,
    codec: CodecDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if csrf_token != user.csrf:
        return error_page(request, user, "error.csrf", 403)
    data = codec.load(request.cookies.get(auth.SESSION_COOKIE))
    if data is not None:  # a copy of the cookie must stop working too
        with transaction(state.engine) as session:
            auth.end_session(session, data)
    response = redirect("/ui/login?reason=logged_out")
    auth.clear_session_cookie(response, state.settings, request)
    return response


@router.get("/lang/{lang}")
def set_lang(request: Request, state: StateDep, lang: str, next: str | None = None) -> Response:
    response = redirect(safe_next(next))
    response.set_cookie(
        auth.LANG_COOKIE,
        normalize_lang(lang),
        max_age=365 * 86400,
        path="/",
        samesite="lax",
        secure=auth.cookie_secure(state.settings, request),
    )
    return response


# --- documents --------------------------------------------------------------------------------


# the documents list is ``service.ui.worklist_routes``


# --- review -----------------------------------------------------------------------------------


def _history(corrections: list[Correction], lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "when": c.created_at,
            "who": person(c.author),
            "op": c.op,
            "path": c.path,
            "label": path_label(c.path, lang),
            "old": _short(c.old_value),
            "new": _short(c.new_value),
            "reason": c.reason,
        }
        for c in reversed(corrections)
    ]


def _short(node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, dict) and "raw" in node:
        return f"{display(node)} {node.get('unit') or ''}".strip()
    if isinstance(node, dict):  # a row: its first filled value names it
        for value in node.values():
            if isinstance(value, dict) and display(value):
                return display(value)[:60]
        return "{…}"
    return str(node)[:80]


def _approval_state(session: Session, doc: StoredDocument) -> tuple[bool, bool]:
    """(approved, stale), as the review state machine (``service.store.review``) decides:
    "stale" is: this reading was signed off once and corrected since — the reviewer is told
    to confirm again rather than shown a plain "not reviewed"."""
    decision = review_store.load(session, doc, with_findings=False).decision
    return decision.state == review_store.ReviewState.approved, decision.stale


@router.get("/documents/{document_id}")
def review_page(
    request: Request,
    document_id: str,
    state: StateDep,
    session: SessionDep,
    user: UiSessionDep,
) -> Response:
    try:
        doc = repo.get_document(session, document_id[:64])
    except repo.NotFoundError:
        return error_page(request, user, "error.not_found", 404)
    lang = lang_of(request)
    extraction = repo.latest_extraction(session, doc)
    qnav = worklist.review_nav(session, doc, request.query_params.get("list"), lang)
    base: dict[str, Any] = {"doc": doc, "extraction": extraction, "qnav": qnav}
    if extraction is None or extraction.export is None:
        return render(request, "review.html", user, ready=False, **base)
    extraction, view = repo.current_view(session, doc)
    corrections = repo.list_corrections(session, doc.id)
    source = load_source(state.files, doc.sha256)
    if doc.format not in PAGED_FORMATS:
        source = source.unpaged()
    review = review_store.load(session, doc, current=(extraction, view.export))
    model = build_review(view.export, source, lang, corrected_paths(corrections), review.findings)
    paged = doc.format in PAGED_FORMATS
    pages = [p for p in source.pages if p.sized] if paged else []
    if paged and not pages and doc.page_count:  # no stored reading: images without boxes
        pages = [PageInfo(n, None, None, 0, 0) for n in range(1, doc.page_count + 1)]
    return render(
        request,
        "review.html",
        user,
        ready=True,
        **base,
        **_review_context(state, user, review, view.conflicts),
        model=model,
        pages=pages,
        paged=paged,
        page_files={p.number: p.file for p in source.pages if p.file},
        dpi=PAGE_DPI,
        history=_history(corrections, lang),
    )


def _review_context(
    state: StateDep, user: auth.UiSession, review: review_store.DocumentReview, conflicts: Any
) -> dict[str, Any]:
    """What the review panel and the findings draw (``review_actions.html``,
    ``review_findings.html``), all from the review state machine's answer."""
    return {
        "panel": review_panel(review, _policy(state), user.principal),
        "promoted": evalset.in_set(state.settings, review.document.id),
        "can_promote": evalset.eval_dirs(state.settings).set_dir is not None,
        "conflicts": conflicts,
        "person": person,
    }


@router.get("/documents/{document_id}/review-fragments")
def review_fragments(
    request: Request,
    document_id: str,
    state: StateDep,
    session: SessionDep,
    user: UiSessionDep,
) -> Response:
    """The review panel and the findings, rendered as on the page, so the page's script
    replaces them with the server's current answer after every change (JSON of HTML)."""
    try:
        doc = repo.get_document(session, document_id[:64])
        extraction, view = repo.current_view(session, doc)
    except (repo.NotFoundError, repo.ExtractionNotReadyError):
        return JSONResponse({"error": "not_ready"}, status_code=409)
    lang = lang_of(request)
    review = review_store.load(session, doc, current=(extraction, view.export))
    source = load_source(state.files, doc.sha256)
    model = build_review(view.export, source, lang, set(), review.findings)
    t = translator(lang)
    context = {
        "request": request,
        "t": t,
        "lang": lang,
        "user": user,
        "csrf": user.csrf,
        "doc": doc,
        "model": model,
        "path_label": lambda p: path_label(p, lang),
        **_review_context(state, user, review, view.conflicts),
    }
    body = {
        "state": review.state.value,
        "actions": templates.get_template("review_actions.html").render(context),
        "findings": templates.get_template("review_findings.html").render(context),
    }
    response = JSONResponse(body)
    secure_headers(response)
    return response


@router.get("/documents/{document_id}/find")
def find_in_document(
    document_id: str, state: StateDep, session: SessionDep, user: UiSessionDep, q: str = ""
) -> Response:
    """Find-in-page: every place the document's text holds ``q``, with page and boxes."""
    try:
        doc = repo.get_document(session, document_id[:64])
    except repo.NotFoundError:
        return JSONResponse({"error": "not_found"}, status_code=404)
    source = load_source(state.files, doc.sha256)
    if doc.format not in PAGED_FORMATS:
        source = source.unpaged()
    response = JSONResponse(page_find.find_json(source, q))
    secure_headers(response)
    return response


def _policy(state: StateDep) -> review_store.Policy:
    group = state.settings.review
    return review_store.Policy(two_level=group.two_level, second_role=Role(group.second_role))


@router.get("/documents/{document_id}/history")
def history_fragment(
    request: Request, document_id: str, session: SessionDep, user: UiSessionDep
) -> Response:
    corrections = repo.list_corrections(session, document_id[:64])
    return render(request, "_history.html", user, history=_history(corrections, lang_of(request)))


@router.post("/documents/{document_id}/promote")
def promote(
    request: Request,
    document_id: str,
    state: StateDep,
    session: SessionDep,
    user: UiSessionDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if csrf_token != user.csrf:
        return error_page(request, user, "error.csrf", 403)
    if not user.can_edit:
        return error_page(request, user, "error.forbidden", 403)
    try:
        doc = repo.get_document(session, document_id[:64])
    except repo.NotFoundError:
        return error_page(request, user, "error.not_found", 404)
    back = f"/ui/documents/{quote(doc.id)}"
    approved, stale = _approval_state(session, doc)
    if not approved or stale:
        return redirect(f"{back}?flash=promote.{'stale' if stale else 'not_approved'}")
    _, view = repo.current_view(session, doc)
    tests = [
        f"reviewer-approved upload: {doc.department or '?'} {doc.fiscal_year or ''}".strip(),
        f"approved by {doc.approved_by} on {doc.approved_at:%Y-%m-%d}",
    ]
    try:
        evalset.promote(
            state.settings,
            document_id=doc.id,
            fmt=doc.format,
            original=state.files.get(doc.sha256),
            export=view.export,
            tests=tests,
        )
    except evalset.PromoteError as exc:
        reason = exc.context.get("reason")
        key = f"promote.{reason}" if f"promote.{reason}" in FLASH_KEYS else "promote.no_set"
        return redirect(f"{back}?flash={key}")
    return redirect(f"{back}?flash=flash.promoted")


# --- evaluation -----------------------------------------------------------------------------


@router.get("/eval")
def eval_page(
    request: Request, state: StateDep, session: SessionDep, user: UiSessionDep
) -> Response:
    dirs = evalset.eval_dirs(state.settings)
    model = evalruns.load_eval(session, dirs.reports_dir)
    return render(request, "eval.html", user, model=model)


@router.get("/eval/runs/{run_id}/report")
def eval_report(
    request: Request, run_id: int, state: StateDep, session: SessionDep, user: UiSessionDep
) -> Response:
    row = session.get(EvalRun, run_id)
    path = None
    if row is not None:
        path = evalruns.report_file(row, evalset.eval_dirs(state.settings).reports_dir)
    if path is None:
        return error_page(request, user, "eval.no_report", 404)
    response = FileResponse(path, media_type="text/html; charset=utf-8")
    # the report is a file on disk: let it run its own scripts, but in a sandbox that
    # has no access to this origin's cookies or pages
    response.headers["Content-Security-Policy"] = "sandbox allow-scripts; frame-ancestors 'self'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
