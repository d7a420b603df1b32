"""The review workflow (审核): one state machine for a document, and findings as work items.

Owns the answer to "where does this document stand": 待审核 (pending), 初审通过
(first_approved), 已审核/已复核 (approved) or 退回 (returned). Every badge, filter, list and
export reads ``StoredDocument.review_state``, which only ``refresh`` writes, from
``decide`` — a pure function of the append-only review events and the document's current
baseline (its extraction and its last correction):

* a sign-off (``approve``; ``first_review`` 初审 and ``second_review`` 复核 in two-level
  mode) holds only for the baseline it was given on: a correction or a new reading after it
  puts the document back to 待审核 (``stale``: signed off once, changed since);
* ``return`` (退回, with reasons) holds for its reading: a resubmitted file (a new
  extraction) brings the document back to 待审核 (``resubmitted``);
* approving with open error findings needs a reason (``override_reason``).

Findings (``finding_states``) have a state each: 待处理 (open) → 已更正 (corrected: a
correction removed the cause — the arithmetic checks of ``service.extract.checks`` re-run
on the corrected view, or the value a conflict is about now differs from what the machine
read), 确认无误 (confirmed) or 忽略 (ignored), with who, when and a comment. A finding is
known by ``finding_key`` (its kind and the fields it names), so its state survives
re-runs and corrections elsewhere.

Must not import the API or the UI; the caller checks roles and passes who acts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.extract.checks import run_checks
from service.records import ReportExport
from service.store import documents as repo
from service.store.corrections import apply_all, canonical_path, parse_path, value_at
from service.store.documents import ConflictError
from service.store.tables import (
    Correction,
    DocumentStatus,
    Extraction,
    FindingEvent,
    ReviewEvent,
    Role,
    StoredDocument,
)
from service.store.types import utcnow


class ReviewState(StrEnum):
    pending = "pending"  # 待审核
    first_approved = "first_approved"  # 初审通过
    approved = "approved"  # 已审核 (one level) / 已复核 (two levels)
    returned = "returned"  # 退回


class Action(StrEnum):
    approve = "approve"  # one-level sign-off (审核通过)
    first_review = "first_review"  # 初审通过
    second_review = "second_review"  # 复核通过
    return_ = "return"  # 退回 to the submitting department, with reasons
    opinion = "opinion"  # a written 审核意见, no change of state


SIGN_OFFS = frozenset({Action.approve, Action.first_review, Action.second_review})


class FindingState(StrEnum):
    open = "open"  # 待处理
    corrected = "corrected"  # 已更正 (automatic: the cause was corrected)
    confirmed = "confirmed"  # 确认无误
    ignored = "ignored"  # 忽略


MANUAL_STATES = frozenset({FindingState.open, FindingState.confirmed, FindingState.ignored})
RECHECKED_KINDS = frozenset({"sum_mismatch", "percent_mismatch", "score_exceeds_weight"})


class ReviewNotAllowedError(ConflictError):
    code = "review_not_allowed"
    message_zh = "当前审核状态下不能执行该操作。"
    message_en = "The review step is not possible in the document's current review state."


class OpenErrorsError(ConflictError):
    code = "open_errors"
    message_zh = "仍有未处理的错误级问题；如仍要通过，请填写理由。"
    message_en = "Error findings are still open; give a reason to approve anyway."


class ReviewRoleError(ConflictError):
    code = "review_role"
    message_zh = "该审核步骤需要其他角色或另一位审核人。"
    message_en = "This review step needs another role or a different reviewer."


# --- the document's state -------------------------------------------------------------------


@dataclass
class Decision:
    """Where a document stands, and the events that put it there."""

    state: ReviewState
    stale: bool = False  # signed off once on this reading, corrected since
    resubmitted: bool = False  # returned before, a new reading since
    first: Any = None  # the 初审 event in force
    final: Any = None  # the approve / 复核 event in force
    returned: Any = None  # the 退回 event in force
    last_return: Any = None  # the latest 退回, in force or not (its reasons stay readable)
    opinion: Any = None  # the latest event with a written opinion


def decide(
    events: Sequence[Any], extraction_id: int | None, last_correction_id: int | None
) -> Decision:
    """The state from the review events (oldest first) and the current baseline.

    ``events`` need ``action``, ``extraction_id`` and ``last_correction_id``."""
    current = [e for e in events if e.extraction_id == extraction_id]
    returns = [e for e in events if e.action == Action.return_]
    decision = Decision(ReviewState.pending)
    decision.last_return = returns[-1] if returns else None
    decision.opinion = next((e for e in reversed(events) if e.opinion), None)
    returned_now = [e for e in current if e.action == Action.return_]
    decision.resubmitted = bool(returns) and not returned_now
    if returned_now:
        decision.state = ReviewState.returned
        decision.returned = returned_now[-1]
        return decision
    signed = [e for e in current if e.action in SIGN_OFFS]
    valid = [e for e in signed if e.last_correction_id == last_correction_id]
    decision.stale = bool(signed) and not valid
    final = [e for e in valid if e.action in (Action.approve, Action.second_review)]
    first = [e for e in valid if e.action == Action.first_review]
    if final:
        decision.state = ReviewState.approved
        decision.final = final[-1]
        decision.first = first[-1] if first else None
    elif first:
        decision.state = ReviewState.first_approved
        decision.first = first[-1]
    return decision


@dataclass(frozen=True)
class Actor:
    """Who acts: what the audit log records, their display name and their role."""

    author: str
    name: str
    role: Role

    def can(self, role: Role) -> bool:
        return self.role.rank >= role.rank

    def same_person(self, event: Any) -> bool:
        return bool(event) and (event.author == self.author or event.author_name == self.name)


@dataclass(frozen=True)
class Policy:
    """The deployment's review rules (``JIXIAO_REVIEW__…``)."""

    two_level: bool = False
    second_role: Role = Role.admin


def allowed_actions(decision: Decision, actor: Actor, policy: Policy) -> list[Action]:
    """The steps ``actor`` may take now; the buttons shown are exactly these."""
    if not actor.can(Role.reviewer):
        return []
    out: list[Action] = [Action.opinion]
    state = decision.state
    if state == ReviewState.pending:
        out += [Action.first_review] if policy.two_level else [Action.approve]
        out.append(Action.return_)
    elif state == ReviewState.first_approved:
        if not policy.two_level:
            out.append(Action.approve)
        elif actor.can(policy.second_role) and not actor.same_person(decision.first):
            out.append(Action.second_review)
        if actor.can(policy.second_role) or not policy.two_level:
            out.append(Action.return_)
    return out


def _refusal(decision: Decision, action: Action, actor: Actor, policy: Policy) -> Exception:
    state = decision.state
    if action == Action.second_review and state == ReviewState.first_approved and policy.two_level:
        if not actor.can(policy.second_role):
            return ReviewRoleError(
                f"复核 needs the {policy.second_role.value} role", needed=policy.second_role.value
            )
        return ReviewRoleError("复核 must be done by someone other than the 初审 reviewer")
    if action == Action.return_ and state == ReviewState.first_approved:
        return ReviewRoleError(f"after 初审 only the {policy.second_role.value} role may return")
    return ReviewNotAllowedError(
        f"{action.value} is not possible while the document is {state.value}",
        state=state.value,
        action=action.value,
    )


# --- findings as work items -------------------------------------------------------------------


def finding_key(kind: str, paths: Iterable[Any]) -> str:
    """A finding's identity across re-runs: its kind and the fields it names."""
    names = sorted({_canonical(p) for p in paths if isinstance(p, str)} - {""})
    return hashlib.sha1(f"{kind}|{'|'.join(names)}".encode()).hexdigest()[:12]


def _canonical(path: str) -> str:
    try:
        return canonical_path(parse_path(path.split("#")[0]))
    except Exception:  # noqa: BLE001 - a finding may name a place that is no field
        return path


def _key(finding: dict[str, Any]) -> str:
    return finding_key(str(finding.get("kind") or ""), finding.get("paths") or [])


def _checks(export: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The arithmetic findings of ``export`` by key (pure re-run of the extractor's checks)."""
    try:
        found = run_checks(ReportExport.model_validate(export))
    except Exception:  # noqa: BLE001 - a view the checks cannot read has no arithmetic
        return {}
    return {_key(f.model_dump(mode="json")): f.model_dump(mode="json") for f in found}


@dataclass
class FindingStatus:
    """One finding of the current view with its state."""

    key: str
    finding: dict[str, Any]
    state: FindingState = FindingState.open
    by: str | None = None
    at: datetime | None = None
    comment: str | None = None
    correction_id: int | None = None  # the correction that resolved it
    new: bool = False  # raised by a correction (the checks on the corrected view)

    @property
    def severity(self) -> str:
        return str(self.finding.get("severity") or "info")

    @property
    def adoptable(self) -> bool:
        """ "采用此值" makes sense only where one value replaces another of the same field:
        the sides of a conflict (never a sum, a percentage or a score against its weight)."""
        paths = {_canonical(p) for p in self.finding.get("paths") or []}
        return self.finding.get("kind") == "conflict" and len(paths) == 1


def _touches(correction_path: str, finding_paths: set[str]) -> bool:
    return any(
        correction_path == p
        or correction_path.startswith(p + "/")
        or p.startswith(correction_path + "/")
        for p in finding_paths
    )


def _changed(raw: dict[str, Any], view: dict[str, Any], paths: set[str]) -> bool:
    for path in paths:
        try:
            found_raw, before = value_at(raw, path)
            found_view, after = value_at(view, path)
        except Exception:  # noqa: BLE001
            continue
        if found_raw != found_view or before != after:
            return True
    return False


def finding_states(
    raw: dict[str, Any],
    view: dict[str, Any],
    corrections: Sequence[Any],
    events: Sequence[Any],
    checked_raw: dict[str, dict[str, Any]] | None = None,
) -> list[FindingStatus]:
    """Every finding of the machine's reading and of the corrected view, with its state.

    ``corrections`` and ``events`` are oldest first (rows or anything with the same fields);
    ``checked_raw`` is ``_checks(raw)`` when the caller keeps it (it never changes).
    """
    checked_raw = _checks(raw) if checked_raw is None else checked_raw
    checked_view = _checks(view) if corrections else checked_raw
    out: list[FindingStatus] = []
    seen: set[str] = set()
    for finding in raw.get("findings") or []:
        if not isinstance(finding, dict):
            continue
        key = _key(finding)
        if key in seen:
            continue
        seen.add(key)
        paths = {_canonical(p) for p in finding.get("paths") or [] if isinstance(p, str)}
        if finding.get("kind") in RECHECKED_KINDS and key in checked_raw:
            fixed = key not in checked_view
            current = finding if fixed else checked_view[key]
        else:
            fixed = _changed(raw, view, paths)
            current = finding
        status = FindingStatus(key, current)
        if fixed:
            _resolved(status, paths, corrections)
        out.append(status)
    for key, finding in checked_view.items():
        if key not in checked_raw and key not in seen:
            seen.add(key)
            out.append(FindingStatus(key, finding, new=True))
    _apply_manual(out, events)
    return out


def _resolved(status: FindingStatus, paths: set[str], corrections: Sequence[Any]) -> None:
    touching = [c for c in corrections if _touches(str(c.path), paths)]
    cause = touching[-1] if touching else (corrections[-1] if corrections else None)
    status.state = FindingState.corrected
    if cause is not None:
        status.correction_id, status.by, status.at = cause.id, cause.author, cause.created_at


def _apply_manual(statuses: list[FindingStatus], events: Sequence[Any]) -> None:
    latest: dict[str, Any] = {}
    for event in events:
        if not event.auto:
            latest[event.finding_key] = event
    for status in statuses:
        event = latest.get(status.key)
        if event is None:
            continue
        status.comment = event.comment
        if status.state == FindingState.corrected:
            continue  # the cause is gone: the comment stays, the state is the correction's
        status.state = FindingState(event.state)
        status.by, status.at = event.author, event.created_at


def open_errors(statuses: Iterable[FindingStatus]) -> list[FindingStatus]:
    return [s for s in statuses if s.state == FindingState.open and s.severity == "error"]


# --- the store side ---------------------------------------------------------------------------


@dataclass
class DocumentReview:
    """Everything the page, the API and the exports show about one document's review."""

    document: StoredDocument
    decision: Decision
    findings: list[FindingStatus] = field(default_factory=list)
    events: list[ReviewEvent] = field(default_factory=list)
    finding_events: list[FindingEvent] = field(default_factory=list)
    ready: bool = True

    @property
    def state(self) -> ReviewState:
        return self.decision.state


def _last_correction_id(session: Session, document_id: str) -> int | None:
    query = select(func.max(Correction.id)).where(col(Correction.document_id) == document_id)
    return session.exec(query).one()


def review_events(session: Session, document_id: str) -> list[ReviewEvent]:
    query = select(ReviewEvent).where(col(ReviewEvent.document_id) == document_id)
    return list(session.exec(query.order_by(col(ReviewEvent.id))).all())


def finding_events(session: Session, document_id: str) -> list[FindingEvent]:
    query = select(FindingEvent).where(col(FindingEvent.document_id) == document_id)
    return list(session.exec(query.order_by(col(FindingEvent.id))).all())


def load(
    session: Session,
    doc: StoredDocument,
    *,
    with_findings: bool = True,
    current: tuple[Extraction, dict[str, Any]] | None = None,
) -> DocumentReview:
    """The document's review as it stands (reads; writes nothing). ``current`` is the
    latest extraction and its corrected view when the caller has them already."""
    events = review_events(session, doc.id)
    decision = decide(events, doc.latest_extraction_id, _last_correction_id(session, doc.id))
    review = DocumentReview(doc, decision, events=events)
    review.ready = doc.status == DocumentStatus.done and doc.latest_extraction_id is not None
    if not (with_findings and review.ready):
        return review
    if current is None:
        extraction = repo.latest_extraction(session, doc)
        if extraction is None or extraction.export is None:
            return review
        view = apply_all(extraction.export, repo.stored_corrections(session, doc.id)).export
        current = extraction, view
    extraction, view = current
    review.finding_events = finding_events(session, doc.id)
    raw = extraction.export or {}
    review.findings = finding_states(
        raw,
        view,
        repo.list_corrections(session, doc.id),
        review.finding_events,
        _raw_checks(extraction, raw),
    )
    return review


_RAW_CHECKS: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}


def _raw_checks(extraction: Extraction, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The checks of a stored reading, computed once per process (a reading never changes)."""
    key = (extraction.id, extraction.document_id, extraction.version, extraction.created_at)
    found = _RAW_CHECKS.get(key)
    if found is None:
        if len(_RAW_CHECKS) >= 256:
            _RAW_CHECKS.clear()
        found = _RAW_CHECKS[key] = _checks(raw)
    return found


def refresh(session: Session, doc: StoredDocument) -> DocumentReview:
    """Recompute the document's review state and open findings and store them on its row
    (with ``approved_at``/``approved_by`` mirroring the sign-off in force). Called after
    every correction, new reading and review step."""
    review = load(session, doc)
    doc.review_state = review.state.value
    doc.open_findings = sum(1 for f in review.findings if f.state == FindingState.open)
    final = review.decision.final if review.state == ReviewState.approved else None
    doc.approved_at = final.created_at if final is not None else None
    doc.approved_by = final.author if final is not None else None
    session.add(doc)
    return review


def after_correction(session: Session, doc: StoredDocument, correction: Correction) -> None:
    """Log the findings a correction resolved (or re-opened, e.g. by an undo) in the
    findings' audit trail, and refresh the document's state."""
    corrections = repo.list_corrections(session, doc.id)
    before = [c for c in corrections if c.id != correction.id]
    extraction = repo.latest_extraction(session, doc)
    if extraction is None or extraction.export is None:
        refresh(session, doc)
        return
    raw = extraction.export
    stored = repo.stored_corrections(session, doc.id)
    prior = apply_all(raw, [c for c in stored if c.id != correction.id]).export
    events = finding_events(session, doc.id)
    was = {s.key: s.state for s in finding_states(raw, prior, before, events)}
    review = refresh(session, doc)
    for status in review.findings:
        fixed_now = status.state == FindingState.corrected
        fixed_before = was.get(status.key) == FindingState.corrected
        if fixed_now != fixed_before and status.key in was:
            session.add(
                FindingEvent(
                    document_id=doc.id,
                    finding_key=status.key,
                    state=(FindingState.corrected if fixed_now else FindingState.open).value,
                    correction_id=correction.id,
                    extraction_id=doc.latest_extraction_id,
                    auto=True,
                    author=correction.author,
                )
            )
    session.flush()


def act(
    session: Session,
    document_id: str,
    action: Action,
    actor: Actor,
    policy: Policy,
    *,
    opinion: str | None = None,
    reasons: list[str] | None = None,
    override_reason: str | None = None,
) -> DocumentReview:
    """Take one review step on the document (locked), or raise why it cannot be taken."""
    doc = repo.get_document(session, document_id, lock=True)
    review = load(session, doc)
    if not review.ready:
        raise repo.ExtractionNotReadyError(f"status {doc.status}", status=doc.status)
    if action not in allowed_actions(review.decision, actor, policy):
        raise _refusal(review.decision, action, actor, policy)
    reasons = [r.strip() for r in reasons or [] if r and r.strip()]
    if action == Action.return_ and not reasons:
        raise ReviewNotAllowedError("退回 needs at least one reason", action=action.value)
    if action == Action.opinion and not (opinion and opinion.strip()):
        raise ReviewNotAllowedError("the opinion is empty", action=action.value)
    errors = open_errors(review.findings)
    if action in SIGN_OFFS and errors and not (override_reason and override_reason.strip()):
        raise OpenErrorsError(
            f"{len(errors)} error finding(s) still open",
            open_errors=[{"key": s.key, "message_zh": s.finding.get("message_zh")} for s in errors],
        )
    session.add(
        ReviewEvent(
            document_id=doc.id,
            action=action.value,
            extraction_id=doc.latest_extraction_id,
            last_correction_id=_last_correction_id(session, doc.id),
            opinion=opinion.strip() if opinion and opinion.strip() else None,
            reasons=reasons or None,
            override_reason=(override_reason or "").strip() or None
            if action in SIGN_OFFS
            else None,
            open_errors=len(errors),
            author=actor.author,
            author_name=actor.name,
            role=actor.role.value,
        )
    )
    session.flush()
    doc.updated_at = utcnow()
    return refresh(session, doc)


def next_sign_off(decision: Decision, policy: Policy) -> Action:
    """The sign-off ``POST …/approve`` means now: 审核, or 初审 / 复核 in two-level mode."""
    if not policy.two_level:
        return Action.approve
    return (
        Action.second_review
        if decision.state == ReviewState.first_approved
        else Action.first_review
    )


def set_finding_state(
    session: Session,
    document_id: str,
    key: str,
    state: FindingState,
    actor: Actor,
    comment: str | None,
) -> FindingStatus:
    """确认无误 / 忽略 / back to 待处理, with a comment; 已更正 comes from corrections only."""
    if state not in MANUAL_STATES:
        raise ReviewNotAllowedError("已更正 is set by a correction, not by hand", state=state.value)
    doc = repo.get_document(session, document_id, lock=True)
    review = load(session, doc)
    if not review.ready:
        raise repo.ExtractionNotReadyError(f"status {doc.status}", status=doc.status)
    status = next((s for s in review.findings if s.key == key), None)
    if status is None:
        raise repo.NotFoundError(f"no finding {key!r} in the current view", key=key)
    if state == FindingState.ignored and not (comment and comment.strip()):
        raise ReviewNotAllowedError("忽略 needs a comment saying why", state=state.value)
    session.add(
        FindingEvent(
            document_id=doc.id,
            finding_key=key,
            state=state.value,
            comment=(comment or "").strip() or None,
            extraction_id=doc.latest_extraction_id,
            author=actor.author,
        )
    )
    session.flush()
    after = refresh(session, doc)
    return next(s for s in after.findings if s.key == key)
