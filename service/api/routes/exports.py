"""Spreadsheet exports of current views (corrections applied): one document or many.

Owns the export endpoints; the layout is ``service.api.sheets``. XLSX has a ``documents``
sheet and one sheet per record type; CSV is one record type (``?record=indicators``) or,
by default, every value as one line with its unit, raw text and page.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlmodel import Session

from service.api.deps import PrincipalDep, SessionDep
from service.api.downloads import content_disposition
from service.api.errors import ERROR_RESPONSES, BadRequestError, error_responses
from service.api.routes.review import FINDING_ZH, STATE_ZH
from service.api.sheets import (
    REVIEW_KEY,
    SHEET_NAMES,
    DocMeta,
    build_sheets,
    long_csv,
    sheet_csv,
    to_xlsx,
)
from service.store import documents as repo
from service.store import review as rv
from service.store.corrections import apply_all
from service.store.tables import ReviewEvent, StoredDocument

router = APIRouter(tags=["exports"], responses=ERROR_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BULK_DOCUMENTS = 2000
DocumentId = Annotated[str, Path(min_length=1, max_length=64, description="Document id.")]
RecordName = Literal[
    "report",
    "staffing",
    "budget",
    "budget_lines",
    "basic_breakdown",
    "three_public",
    "projects",
    "indicators",
    "achievements",
    "problems",
    "measures",
    "findings",
    "missing",
    "review",
]
assert set(RecordName.__args__) == set(SHEET_NAMES)  # type: ignore[attr-defined]


def _view(session: Session, doc: StoredDocument) -> tuple[DocMeta, dict[str, Any]] | None:
    """The current view, its findings with their states (as work items, resolved ones
    included) and the document's review steps under ``REVIEW_KEY``."""
    extraction = repo.latest_extraction(session, doc)
    if extraction is None or extraction.export is None:
        return None
    view = apply_all(extraction.export, repo.stored_corrections(session, doc.id))
    review = rv.load(session, doc)
    view.export["findings"] = [_finding_row(f) for f in review.findings]
    view.export[REVIEW_KEY] = [_step_row(e) for e in review.events]
    meta = DocMeta(doc.id, doc.filename, doc.department, doc.fiscal_year)
    return meta, view.export


def _finding_row(status: rv.FindingStatus) -> dict[str, Any]:
    return {
        **status.finding,
        "state": FINDING_ZH[status.state.value],
        "state_by": status.by,
        "state_at": status.at.isoformat(timespec="seconds") if status.at else None,
        "state_comment": status.comment,
        "correction_id": status.correction_id,
    }


_STEP_ZH = {
    "approve": "审核通过",
    "first_review": "初审通过",
    "second_review": "复核通过",
    "return": "退回",
    "opinion": "审核意见",
}


def _step_row(event: ReviewEvent) -> dict[str, Any]:
    return {
        "action": event.action,
        "action_zh": _STEP_ZH.get(event.action, event.action),
        "author": event.author,
        "created_at": event.created_at.isoformat(timespec="seconds"),
        "opinion": event.opinion,
        "reasons": "; ".join(str(r) for r in event.reasons or []) or None,
        "override_reason": event.override_reason,
        "open_errors": event.open_errors,
    }


def _doc_row(session: Session, doc: StoredDocument) -> dict[str, Any]:
    """A document's line: its review state as the state machine (store.review) says."""
    decision = rv.load(session, doc, with_findings=False).decision
    label = STATE_ZH.get(doc.review_state, doc.review_state)
    if decision.final is not None and decision.final.action == rv.Action.second_review:
        label = "已复核"
    returned = decision.returned
    return {
        "document_id": doc.id,
        "filename": doc.filename,
        "department": doc.department,
        "fiscal_year": doc.fiscal_year,
        "status": doc.status,
        "extraction_version": doc.extraction_version,
        "findings": doc.findings_count,
        "open_findings": doc.open_findings,
        "review_state": label,
        "approved": doc.review_state == rv.ReviewState.approved,
        "approved_by": doc.approved_by,
        "opinion": decision.opinion.opinion if decision.opinion is not None else None,
        "return_reasons": "; ".join(returned.reasons or []) if returned is not None else None,
        "sha256": doc.sha256,
    }


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(filename)},
    )


_XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {}}}}
_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}
# one document: none while it has no extraction; many: too many match the filters
_ONE = error_responses(409)
_MANY = error_responses(400)


@router.get(
    "/documents/{document_id}/export.xlsx",
    response_class=Response,
    responses={**_XLSX_RESPONSE, **_ONE},
    summary="One document as XLSX (a sheet per record type)",
)
def export_xlsx(document_id: DocumentId, session: SessionDep, _: PrincipalDep) -> Response:
    doc = repo.get_document(session, document_id)
    view = _view(session, doc)
    if view is None:
        raise repo.ExtractionNotReadyError(f"status {doc.status}", status=doc.status)
    data = to_xlsx(build_sheets([view]), [_doc_row(session, doc)])
    return _attachment(data, XLSX, f"{doc.id}.xlsx")


@router.get(
    "/documents/{document_id}/export.csv",
    response_class=Response,
    responses={**_CSV_RESPONSE, **_ONE},
    summary="One document as CSV (one record type, or every value as a line)",
)
def export_csv(
    document_id: DocumentId,
    session: SessionDep,
    _: PrincipalDep,
    record: Annotated[RecordName | None, Query(description="One record type's table.")] = None,
) -> Response:
    doc = repo.get_document(session, document_id)
    view = _view(session, doc)
    if view is None:
        raise repo.ExtractionNotReadyError(f"status {doc.status}", status=doc.status)
    data = sheet_csv(build_sheets([view], only=record)[0]) if record else long_csv([view])
    return _attachment(data, "text/csv; charset=utf-8", f"{doc.id}-{record or 'values'}.csv")


def _bulk(
    session: Session, filters: repo.DocumentFilters
) -> tuple[list[StoredDocument], list[tuple[DocMeta, dict[str, Any]]]]:
    docs, total = repo.list_documents(session, filters, limit=MAX_BULK_DOCUMENTS, offset=0)
    if total > MAX_BULK_DOCUMENTS:
        raise BadRequestError(
            f"{total} documents match; at most {MAX_BULK_DOCUMENTS} per export: "
            "narrow the filters (department, year)"
        )
    docs = sorted(docs, key=lambda d: (d.department or "", d.fiscal_year or 0, d.created_at))
    views = [v for v in (_view(session, d) for d in docs) if v is not None]
    return docs, views


BulkStatus = Annotated[Literal["queued", "processing", "done", "failed"] | None, Query()]
BulkDepartment = Annotated[str | None, Query(max_length=255)]
BulkYear = Annotated[int | None, Query(ge=1900, le=2200)]
BulkIds = Annotated[
    list[str] | None,
    Query(max_length=MAX_BULK_DOCUMENTS, description="These documents only (a selection)."),
]



def bulk_filters(
    status: BulkStatus = "done",
    department: BulkDepartment = None,
    year: BulkYear = None,
    approved: Annotated[bool | None, Query()] = None,
    ids: BulkIds = None,
) -> repo.DocumentFilters:
    """The bulk exports' filters, as in the list (done documents by default)."""
    return repo.DocumentFilters(
        status=status,
        department=department,
        year=year,
        approved=approved,
        ids=tuple(ids) if ids else None,
    )


BulkFiltersDep = Annotated[repo.DocumentFilters, Depends(bulk_filters)]


@router.get(
    "/exports/documents.xlsx",
    response_class=Response,
    responses={**_XLSX_RESPONSE, **_MANY},
    summary="Many documents as one XLSX (filters as in the list)",
)
def bulk_xlsx(session: SessionDep, _: PrincipalDep, filters: BulkFiltersDep) -> Response:
    docs, views = _bulk(session, filters)
    data = to_xlsx(build_sheets(views), [_doc_row(session, d) for d in docs])
    return _attachment(data, XLSX, "documents.xlsx")


@router.get(
    "/exports/documents.csv",
    response_class=Response,
    responses={**_CSV_RESPONSE, **_MANY},
    summary="Many documents as one CSV",
)
def bulk_csv(
    session: SessionDep,
    _: PrincipalDep,
    filters: BulkFiltersDep,
    record: Annotated[RecordName | None, Query()] = None,
) -> Response:
    _, views = _bulk(session, filters)
    data = sheet_csv(build_sheets(views, only=record)[0]) if record else long_csv(views)
    return _attachment(data, "text/csv; charset=utf-8", f"documents-{record or 'values'}.csv")
