"""A document's review (审核): state, steps, opinion, findings as work items, undo, resubmit.

Owns the HTTP side of ``service.store.review``: every answer carries the whole review as
the server now sees it (state, the steps the caller may take, findings with their states),
so a page updates from the answer and never shows a state the server would not. Reviewers
take the steps; 复核 needs the role set by ``JIXIAO_REVIEW__SECOND_ROLE`` and another
person than the 初审; uploaders read, and resubmit a returned document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, File, Path, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from service.api.deps import (
    AppState,
    Principal,
    PrincipalDep,
    ReviewerDep,
    SessionDep,
    StateDep,
    UploaderDep,
)
from service.api.errors import ERROR_RESPONSES, BadRequestError, error_responses
from service.api.schemas import CorrectionOut, UploadItem
from service.errors import FileTooLargeError
from service.jobs.intake import check_upload
from service.store import documents as repo
from service.store import queue
from service.store import review as rv
from service.store.corrections import parse_path
from service.store.engine import transaction
from service.store.tables import Role

router = APIRouter(prefix="/documents", tags=["review"], responses=ERROR_RESPONSES)

DocumentId = Annotated[str, Path(min_length=1, max_length=64, description="Document id.")]
FindingKey = Annotated[
    str, Path(min_length=1, max_length=32, description="The finding's key (see GET …/review).")
]

STATE_ZH = {
    "pending": "待审核",
    "first_approved": "初审通过",
    "approved": "已审核",
    "returned": "已退回",
}
FINDING_ZH = {"open": "待处理", "corrected": "已更正", "confirmed": "确认无误", "ignored": "忽略"}


def state_zh(state: str, two_level: bool) -> str:
    """The state as a bureau names it (已复核 when two levels signed it off)."""
    return "已复核" if state == "approved" and two_level else STATE_ZH.get(state, state)


# --- response models --------------------------------------------------------------------------


class StepOut(BaseModel):
    """One review step: who took it, when, what they wrote."""

    id: int
    action: str = Field(description="approve | first_review | second_review | return | opinion")
    author: str
    created_at: datetime
    opinion: str | None = None
    reasons: list[str] = Field(default_factory=list, description="退回 reasons.")
    override_reason: str | None = Field(
        None, description="Why it was approved with error findings open."
    )
    open_errors: int = 0
    extraction_id: int | None = None
    last_correction_id: int | None = None

    @classmethod
    def of(cls, row: Any) -> StepOut:
        return cls(
            id=row.id or 0,
            action=row.action,
            author=row.author,
            created_at=row.created_at,
            opinion=row.opinion,
            reasons=[str(r) for r in row.reasons or []],
            override_reason=row.override_reason,
            open_errors=row.open_errors,
            extraction_id=row.extraction_id,
            last_correction_id=row.last_correction_id,
        )


class FindingOut(BaseModel):
    """A finding as a work item."""

    key: str
    kind: str
    severity: str
    paths: list[str]
    message_zh: str
    message_en: str
    state: Literal["open", "corrected", "confirmed", "ignored"]
    state_zh: str
    by: str | None = None
    at: datetime | None = None
    comment: str | None = None
    correction_id: int | None = Field(None, description="The correction that resolved it.")
    new: bool = Field(False, description="Raised by a correction (checks re-run on the view).")
    adoptable: bool = Field(False, description="Its sides are values of one field (采用此值).")
    items: list[dict[str, Any]] = Field(default_factory=list)

    @classmethod
    def of(cls, s: rv.FindingStatus) -> FindingOut:
        f = s.finding
        return cls(
            key=s.key,
            kind=str(f.get("kind") or ""),
            severity=s.severity,
            paths=[str(p) for p in f.get("paths") or []],
            message_zh=str(f.get("message_zh") or ""),
            message_en=str(f.get("message_en") or ""),
            state=s.state.value,
            state_zh=FINDING_ZH[s.state.value],
            by=s.by,
            at=s.at,
            comment=s.comment,
            correction_id=s.correction_id,
            new=s.new,
            adoptable=s.adoptable,
            items=[i for i in f.get("items") or [] if isinstance(i, dict)],
        )


class ReviewOut(BaseModel):
    """Where the document's review stands, for the caller."""

    document_id: str
    state: Literal["pending", "first_approved", "approved", "returned"]
    state_zh: str
    ready: bool = Field(description="False while queued, processing or failed.")
    two_level: bool
    stale: bool = Field(description="Signed off once on this reading, corrected since.")
    resubmitted: bool = Field(description="Returned before; a new file has been read since.")
    actions: list[str] = Field(description="The steps the caller may take now.")
    first_review: StepOut | None = None
    final: StepOut | None = Field(None, description="The sign-off in force (审核 / 复核).")
    returned: StepOut | None = Field(None, description="The latest 退回, in force or not.")
    opinion: StepOut | None = Field(None, description="The latest written 审核意见.")
    open_findings: int
    open_errors: int
    findings: list[FindingOut]
    steps: list[StepOut]


def policy_of(state: AppState) -> rv.Policy:
    settings = state.settings.review
    return rv.Policy(two_level=settings.two_level, second_role=Role(settings.second_role))


def actor_of(principal: Principal) -> rv.Actor:
    return rv.Actor(author=principal.author, name=principal.name, role=principal.role)


def review_out(review: rv.DocumentReview, policy: rv.Policy, principal: Principal) -> ReviewOut:
    d = review.decision
    step = lambda row: StepOut.of(row) if row is not None else None  # noqa: E731
    actions = rv.allowed_actions(d, actor_of(principal), policy) if review.ready else []
    return ReviewOut(
        document_id=review.document.id,
        state=d.state.value,
        state_zh=state_zh(d.state.value, policy.two_level),
        ready=review.ready,
        two_level=policy.two_level,
        stale=d.stale,
        resubmitted=d.resubmitted,
        actions=[a.value for a in actions],
        first_review=step(d.first),
        final=step(d.final),
        returned=step(d.last_return),
        opinion=step(d.opinion),
        open_findings=sum(1 for f in review.findings if f.state == rv.FindingState.open),
        open_errors=len(rv.open_errors(review.findings)),
        findings=[FindingOut.of(f) for f in review.findings],
        steps=[StepOut.of(e) for e in review.events],
    )


# --- reading and steps ------------------------------------------------------------------------


@router.get("/{document_id}/review", response_model=ReviewOut, summary="The review state")
def get_review(
    document_id: DocumentId, state: StateDep, session: SessionDep, principal: PrincipalDep
) -> ReviewOut:
    doc = repo.get_document(session, document_id)
    return review_out(rv.load(session, doc), policy_of(state), principal)


class StepRequest(BaseModel):
    action: Literal["approve", "first_review", "second_review", "return", "opinion"]
    opinion: str | None = Field(None, max_length=4000, description="审核意见.")
    reasons: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=20, description="退回 reasons (at least one)."
    )
    override_reason: str | None = Field(
        None, max_length=2000, description="Needed to sign off while error findings are open."
    )


@router.post(
    "/{document_id}/review",
    response_model=ReviewOut,
    summary="Take a review step: 初审, 复核, 审核通过, 退回, or write the opinion",
    responses=error_responses(409),  # not possible in this state, or errors still open
)
def take_step(
    document_id: DocumentId, body: StepRequest, state: StateDep, principal: ReviewerDep
) -> ReviewOut:
    policy = policy_of(state)
    with transaction(state.engine) as session:
        review = rv.act(
            session,
            document_id,
            rv.Action(body.action),
            actor_of(principal),
            policy,
            opinion=body.opinion,
            reasons=body.reasons,
            override_reason=body.override_reason,
        )
        return review_out(review, policy, principal)


class FindingStateRequest(BaseModel):
    state: Literal["open", "confirmed", "ignored"] = Field(
        description="confirmed (确认无误), ignored (忽略: needs a comment) or open (待处理)."
    )
    comment: str | None = Field(None, max_length=2000)


@router.post(
    "/{document_id}/findings/{key}/state",
    response_model=ReviewOut,
    summary="确认无误 / 忽略 / reopen a finding, with a comment",
    responses=error_responses(409),  # 忽略 without a comment, 已更正 by hand, no extraction
)
def set_finding_state(
    document_id: DocumentId,
    key: FindingKey,
    body: FindingStateRequest,
    state: StateDep,
    principal: ReviewerDep,
) -> ReviewOut:
    with transaction(state.engine) as session:
        rv.set_finding_state(
            session,
            document_id,
            key,
            rv.FindingState(body.state),
            actor_of(principal),
            body.comment,
        )
        doc = repo.get_document(session, document_id)
        return review_out(rv.load(session, doc), policy_of(state), principal)


class FindingEventOut(BaseModel):
    """One change of a finding's state (the findings' audit trail)."""

    id: int
    finding_key: str
    state: str
    state_zh: str
    comment: str | None = None
    correction_id: int | None = None
    auto: bool = Field(description="Set by a correction, not by hand.")
    author: str
    created_at: datetime


@router.get(
    "/{document_id}/findings/events",
    response_model=list[FindingEventOut],
    summary="Every change of the findings' states, oldest first",
)
def list_finding_events(
    document_id: DocumentId, session: SessionDep, _: PrincipalDep
) -> list[FindingEventOut]:
    doc = repo.get_document(session, document_id)
    return [
        FindingEventOut(
            id=e.id or 0,
            finding_key=e.finding_key,
            state=e.state,
            state_zh=FINDING_ZH.get(e.state, e.state),
            comment=e.comment,
            correction_id=e.correction_id,
            auto=e.auto,
            author=e.author,
            created_at=e.created_at,
        )
        for e in rv.finding_events(session, doc.id)
    ]


# --- 采用此值 and undo ---------------------------------------------------------------------------


class AdoptRequest(BaseModel):
    item: int = Field(ge=0, le=1000, description="Which side of the conflict to adopt.")
    reason: str | None = Field(None, max_length=2000)


class CorrectionAnswer(BaseModel):
    correction: CorrectionOut
    review: ReviewOut


def _correct_and_refresh(
    state: AppState, principal: Principal, document_id: str, path: str, value: Any, reason: str
) -> CorrectionAnswer:
    with transaction(state.engine) as session:
        op = "delete" if value is None else "set"
        row, _ = repo.add_correction(
            session,
            document_id,
            op=op,
            path=path,
            value=value,
            reason=reason,
            author=principal.author,
        )
        doc = repo.get_document(session, document_id)
        rv.after_correction(session, doc, row)
        out = CorrectionOut.of(row, {row.extraction_id or 0: doc.extraction_version})
        return CorrectionAnswer(
            correction=out, review=review_out(rv.load(session, doc), policy_of(state), principal)
        )


_ADOPTED_KEYS = ("value", "unit", "raw", "comparator", "direction", "original_unit", "source")


@router.post(
    "/{document_id}/findings/{key}/adopt",
    response_model=CorrectionAnswer,
    summary="采用此值: take the other side of a conflict as the field's value",
    responses=error_responses(400, 409),  # no such side; a finding with nothing to adopt
)
def adopt_value(
    document_id: DocumentId,
    key: FindingKey,
    body: AdoptRequest,
    state: StateDep,
    principal: ReviewerDep,
) -> CorrectionAnswer:
    """Only where one value replaces another of the same field (a conflict's sides); a
    sum, a percentage or a score against its weight has no value to adopt."""
    with transaction(state.engine) as session:
        doc = repo.get_document(session, document_id)
        status = next((f for f in rv.load(session, doc).findings if f.key == key), None)
    if status is None:
        raise repo.NotFoundError(f"no finding {key!r} in the current view", key=key)
    if not status.adoptable:
        raise rv.ReviewNotAllowedError(
            "this finding has no value that can replace another", kind=status.finding.get("kind")
        )
    items = [i for i in status.finding.get("items") or [] if isinstance(i, dict)]
    if body.item >= len(items) or not isinstance(items[body.item].get("value"), dict):
        raise BadRequestError(f"the finding has no side {body.item}")
    item = items[body.item]
    value = {k: item["value"].get(k) for k in _ADOPTED_KEYS if k in item["value"]}
    path = "/".join(str(t) for t in parse_path(str(item.get("path"))))
    reason = body.reason or f"采用此值：{value.get('raw') or value.get('value')}"
    return _correct_and_refresh(state, principal, document_id, path, value, reason)


@router.post(
    "/{document_id}/corrections/{correction_id}/undo",
    response_model=CorrectionAnswer,
    summary="Undo a change of a value: a new correction puts the earlier value back",
    responses=error_responses(409),  # rows added or deleted are not undone here
)
def undo_correction(
    document_id: DocumentId, correction_id: int, state: StateDep, principal: ReviewerDep
) -> CorrectionAnswer:
    with transaction(state.engine) as session:
        rows = [c for c in repo.list_corrections(session, document_id) if c.id == correction_id]
    if not rows:
        raise repo.NotFoundError(f"no correction {correction_id}", correction_id=correction_id)
    row = rows[0]
    if row.op == "add" or (row.op == "delete" and isinstance(parse_path(row.path)[-1], int)):
        raise rv.ReviewNotAllowedError("rows added or deleted are undone by deleting or adding")
    reason = f"撤销更正 #{correction_id}"
    return _correct_and_refresh(state, principal, document_id, row.path, row.old_value, reason)


# --- resubmission after 退回 ---------------------------------------------------------------------


@router.post(
    "/{document_id}/resubmit",
    status_code=202,
    response_model=UploadItem,
    summary="Resubmit a returned document: its corrected file is read as its new version",
    responses=error_responses(409, 413, 415),  # not returned, or a file refused at intake
)
async def resubmit(
    document_id: DocumentId,
    state: StateDep,
    principal: UploaderDep,
    file: Annotated[UploadFile, File(description="The corrected report.")],
) -> UploadItem:
    """The document keeps its review history, opinions and corrections (replayed onto the
    new reading, as after a reprocess); it comes back as 待审核."""
    limit = state.settings.limits.max_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(f"{file.filename or 'file'}: more than {limit} bytes", limit=limit)
    item = await anyio.to_thread.run_sync(_resubmit, state, document_id, data, file.filename)
    state.runner.notify()
    return item


def _resubmit(state: AppState, document_id: str, data: bytes, filename: str | None) -> UploadItem:
    checked = check_upload(data, filename, state.settings.limits)
    with transaction(state.engine) as session:
        doc = repo.get_document(session, document_id, lock=True)
        if doc.review_state != rv.ReviewState.returned:
            raise rv.ReviewNotAllowedError(
                "only a returned (退回) document is resubmitted", state=doc.review_state
            )
    digest = state.files.put(data)
    try:
        with transaction(state.engine) as session:
            doc = repo.get_document(session, document_id, lock=True)
            if repo.find_by_sha256(session, digest) is not None:
                raise rv.ReviewNotAllowedError("this file was uploaded before", sha256=digest)
            doc.sha256, doc.size, doc.page_count = digest, len(data), checked.page_count
            doc.format, doc.media_type = checked.format.value, checked.media_type
            if filename:  # kept for display only: the last part of the name
                doc.filename = filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or None
            doc.status = "queued"
            session.add(doc)
            job = queue.enqueue(session, doc.id, max_attempts=state.settings.workers.max_attempts)
            return UploadItem(
                id=doc.id,
                filename=doc.filename,
                sha256=doc.sha256,
                status=doc.status,
                duplicate=False,
                job_id=job.id,
                status_url=f"/documents/{doc.id}",
            )
    except IntegrityError:
        raise rv.ReviewNotAllowedError("this file was uploaded before", sha256=digest) from None
