"""A document's records: the extraction JSON, corrections (audit log), approval.

The review workflow (states, opinions, findings as work items) is ``routes/review.py``.

Owns the reviewer's write path. The view served at ``…/extraction`` is the latest
extraction with every correction applied in order; corrections are validated against that
view and appended, never edited. Reviewers (and admins) may correct and approve;
uploaders may only read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from service.api.deps import PrincipalDep, ReviewerDep, SessionDep, StateDep
from service.api.errors import ERROR_RESPONSES, BadRequestError, error_responses
from service.api.routes.review import actor_of, policy_of
from service.api.schemas import (
    ApprovalOut,
    ApproveRequest,
    CorrectionLog,
    CorrectionOut,
    CorrectionRequest,
    CorrectionResult,
    ExtractionOut,
)
from service.records import ReportExport
from service.store import documents as repo
from service.store import review
from service.store.corrections import apply_all
from service.store.engine import transaction
from service.store.tables import ReviewEvent

router = APIRouter(prefix="/documents", tags=["records"], responses=ERROR_RESPONSES)

DocumentId = Annotated[str, Path(min_length=1, max_length=64, description="Document id.")]
RecordPath = Annotated[
    str,
    Path(
        max_length=512,
        description="Field or row: `budget/basic_expenditure`, `indicators/3/score`, "
        "`indicators` (a list, for add). Dots work too: `budget.basic_expenditure`.",
    ),
]


@router.get(
    "/{document_id}/extraction",
    summary="The records (export JSON), with corrections applied",
    responses={
        200: {"model": ReportExport, "description": "The export JSON"},
        **error_responses(409),  # no extraction yet (queued, processing or failed)
    },
)
def get_extraction(
    document_id: DocumentId,
    session: SessionDep,
    _: PrincipalDep,
    version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="An earlier extraction run.")
    ] = None,
    raw: Annotated[bool, Query(description="As the machine read it: no corrections.")] = False,
) -> JSONResponse:
    doc = repo.get_document(session, document_id)
    if version is None:
        extraction, view = repo.current_view(session, doc)
    else:
        extraction = repo.get_extraction(session, doc, version)
        view = apply_all(extraction.export or {}, repo.stored_corrections(session, doc.id))
    body: Any = extraction.export if raw else view.export
    headers = {
        "X-Extraction-Version": str(extraction.version),
        "X-Corrections-Applied": "0" if raw else str(len(view.applied)),
    }
    return JSONResponse(body, headers=headers)


@router.get(
    "/{document_id}/extractions",
    response_model=list[ExtractionOut],
    summary="Every extraction run of the document",
)
def list_extractions(
    document_id: DocumentId, session: SessionDep, _: PrincipalDep
) -> list[ExtractionOut]:
    doc = repo.get_document(session, document_id)
    return [ExtractionOut.of(row) for row in repo.list_extractions(session, doc.id)]


@router.get("/{document_id}/corrections", response_model=CorrectionLog, summary="The audit log")
def list_corrections(
    document_id: DocumentId, session: SessionDep, _: PrincipalDep
) -> CorrectionLog:
    doc = repo.get_document(session, document_id)
    rows = repo.list_corrections(session, doc.id)
    versions = {e.id or 0: e.version for e in repo.list_extractions(session, doc.id)}
    extraction = repo.latest_extraction(session, doc)
    conflicts: list[dict[str, Any]] = []
    if extraction is not None and extraction.export is not None:
        conflicts = apply_all(extraction.export, repo.stored_corrections(session, doc.id)).conflicts
    return CorrectionLog(
        items=[CorrectionOut.of(row, versions) for row in rows],
        conflicts=conflicts,
        report=extraction.correction_report if extraction else None,
    )


def _correct(
    state: StateDep,
    document_id: str,
    path: str,
    op: str,
    value: Any,
    reason: str | None,
    author: str,
) -> CorrectionResult:
    with transaction(state.engine) as session:
        row, applied = repo.add_correction(
            session, document_id, op=op, path=path, value=value, reason=reason, author=author
        )
        doc = repo.get_document(session, document_id)
        review.after_correction(session, doc, row)  # findings resolved, sign-off undone
        version = doc.extraction_version
        out = CorrectionOut.of(row, {row.extraction_id or 0: version})
    return CorrectionResult(correction=out, path=applied.path)


@router.patch(
    "/{document_id}/records/{path:path}",
    response_model=CorrectionResult,
    summary="Correct one value or row (set, add, delete)",
    responses=error_responses(400, 409),  # a set without value; no extraction yet
)
def patch_record(
    document_id: DocumentId,
    path: RecordPath,
    body: CorrectionRequest,
    state: StateDep,
    principal: ReviewerDep,
) -> CorrectionResult:
    """Examples: ``PATCH …/records/budget/basic_expenditure {"value": 2204.95, "reason":
    "table says 2204.95"}``; ``PATCH …/records/indicators {"op": "add", "value":
    {"level3": {"value": "…", "raw": "…"}}}``; ``PATCH …/records/indicators/3 {"op":
    "delete"}``."""
    if body.op in ("set", "add") and "value" not in body.model_fields_set:
        raise BadRequestError(f"`value` is required for {body.op}")
    return _correct(state, document_id, path, body.op, body.value, body.reason, principal.author)


@router.delete(
    "/{document_id}/records/{path:path}",
    response_model=CorrectionResult,
    summary="Delete a row or empty a field",
    responses=error_responses(409),  # no extraction yet
)
def delete_record(
    document_id: DocumentId,
    path: RecordPath,
    state: StateDep,
    principal: ReviewerDep,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> CorrectionResult:
    return _correct(state, document_id, path, "delete", None, reason, principal.author)


@router.post(
    "/{document_id}/approve",
    status_code=201,
    response_model=ApprovalOut,
    summary="Mark the document reviewed",
    responses=error_responses(409),  # no extraction yet, open error findings
)
def approve(
    document_id: DocumentId,
    state: StateDep,
    principal: ReviewerDep,
    body: ApproveRequest | None = None,
) -> ApprovalOut:
    """The next sign-off of the review state machine (``service.store.review``): 审核通过,
    or 初审 then 复核 in two-level mode. With error findings open, ``override_reason`` is
    needed (409 ``open_errors`` otherwise). ``POST …/review`` takes every step."""
    policy = policy_of(state)
    with transaction(state.engine) as session:
        doc = repo.get_document(session, document_id)
        action = review.next_sign_off(
            review.load(session, doc, with_findings=False).decision, policy
        )
        after = review.act(
            session,
            document_id,
            action,
            actor_of(principal),
            policy,
            opinion=body.note if body else None,
            override_reason=body.override_reason if body else None,
        )
        return _approval_out(after.events[-1], after.document.extraction_version)


def _approval_out(event: ReviewEvent, version: int | None) -> ApprovalOut:
    return ApprovalOut(
        id=event.id or 0,
        document_id=event.document_id,
        extraction_version=version,
        last_correction_id=event.last_correction_id,
        note=event.opinion,
        author=event.author,
        created_at=event.created_at,
    )


@router.get(
    "/{document_id}/approvals",
    response_model=list[ApprovalOut],
    summary="Sign-offs of the document",
)
def list_approvals(
    document_id: DocumentId, session: SessionDep, _: PrincipalDep
) -> list[ApprovalOut]:
    doc = repo.get_document(session, document_id)
    versions = {e.id or 0: e.version for e in repo.list_extractions(session, doc.id)}
    return [
        _approval_out(e, versions.get(e.extraction_id or 0))
        for e in review.review_events(session, doc.id)
        if e.action in review.SIGN_OFFS
    ]
