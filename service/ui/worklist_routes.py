"""The documents list (``/ui/documents``) as a work queue, and its bulk actions.

Owns the list page (filters, server-side sort kept in the URL, key figures, duplicates,
failed documents with retry and delete) and ``POST /ui/documents/bulk`` (reprocess or
delete the selected documents; the form carries the session's CSRF token and the page asks
before sending). Export of a selection is the API's bulk export with ``ids``. Queries live
in ``service.store.worklist``; must not change the store's rules.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import select

from service.api.deps import SessionDep, StateDep
from service.store import documents as repo
from service.store import queue
from service.store import worklist as store
from service.store.engine import transaction
from service.store.tables import Role, StoredDocument
from service.ui import worklist
from service.ui.i18n import translator
from service.ui.routes import (
    PAGE_SIZE,
    UiSessionDep,
    error_page,
    lang_of,
    redirect,
    render,
    safe_next,
)

router = APIRouter(prefix="/ui", include_in_schema=False)
MAX_SELECTED = 200  # documents in one bulk action (the API's bulk export allows as many)
BULK_ACTIONS = ("reprocess", "delete")


@router.get("/documents")
def documents_page(
    request: Request, state: StateDep, session: SessionDep, user: UiSessionDep
) -> Response:
    listed = worklist.parse_list(request.query_params)
    rows, total = repo.list_documents(
        session,
        listed.filters,
        limit=PAGE_SIZE,
        offset=(listed.page - 1) * PAGE_SIZE,
        order=listed.order,
    )
    failed, _ = repo.list_documents(
        session, repo.DocumentFilters(status="failed"), limit=10, offset=0
    )
    years = sorted(
        {y for y in session.exec(select(StoredDocument.fiscal_year).distinct()) if y},
        reverse=True,
    )
    limits = state.settings.limits
    return render(
        request,
        "documents.html",
        user,
        docs=rows,
        total=total,
        page=listed.page,
        pages=max(1, -(-total // PAGE_SIZE)),
        shown=listed.shown,
        listed=listed,
        years=years,
        failed=failed if not listed.filters.status else [],
        link=listed.link,
        duplicates=store.duplicates(session, rows),
        wl=worklist,
        max_files=MAX_FILES,
        max_mb=limits.max_bytes // (1024 * 1024),
        bulk=_bulk_outcome(request),
    )


def _bulk_outcome(request: Request) -> dict[str, object] | None:
    """The result of a bulk action, as its redirect tells it (counts and reasons only)."""
    q = request.query_params
    action = q.get("done")
    if action not in BULK_ACTIONS:
        return None
    t = translator(lang_of(request))
    n, skipped = q.get("n", "0"), q.get("skipped", "0")
    reasons = [t(f"docs.bulk.why.{w}") for w in q.get("refused", "").split(",") if w in _REASONS]
    return {
        "action": action,
        "n": int(n) if n.isdigit() else 0,
        "skipped": int(skipped) if skipped.isdigit() else 0,
        "reasons": "；".join(reasons),
    }


_REASONS = ("busy", "reviewed", "not_found", "forbidden")
MAX_FILES = 20  # the API's per-request limit (service.api.routes.documents), shown beforehand


@router.post("/documents/bulk")
def bulk_action(
    request: Request,
    state: StateDep,
    user: UiSessionDep,
    action: Annotated[str, Form(max_length=16)] = "",
    ids: Annotated[list[str] | None, Form()] = None,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/ui/documents",
) -> Response:
    """Reprocess (reviewers: the API's reprocess, for each) or delete (reviewers delete
    what has no review work on it, admins anything not being processed) the selection."""
    if csrf_token != user.csrf:
        return error_page(request, user, "error.csrf", 403)
    if action not in BULK_ACTIONS:
        return error_page(request, user, "error.not_found", 404)
    if not user.principal.can(Role.reviewer):
        return error_page(request, user, "error.forbidden", 403)
    chosen = [i[:64] for i in (ids or []) if i][:MAX_SELECTED]
    with transaction(state.engine) as session:
        if action == "delete":
            result = store.delete_documents(
                session, chosen, user.principal.role, user.principal.author
            )
            done, refused = len(result.deleted), list(result.refused.values())
        else:
            done, refused = _reprocess(session, state, chosen)
    if action == "reprocess" and done:
        state.runner.notify()
    outcome = {
        "done": action,
        "n": str(done),
        "skipped": str(len(refused)) if refused else "",
        "refused": ",".join(sorted(set(refused))),
    }
    target = safe_next(back)
    joiner = "&" if "?" in target else "?"
    return redirect(target + joiner + urlencode({k: v for k, v in outcome.items() if v}))


def _reprocess(session: SessionDep, state: StateDep, ids: list[str]) -> tuple[int, list[str]]:
    done, refused = 0, []
    for document_id in ids:
        doc = session.get(StoredDocument, document_id)
        if doc is None:
            refused.append("not_found")
            continue
        queue.enqueue(session, doc.id, max_attempts=state.settings.workers.max_attempts)
        done += 1
    return done, refused
