"""The SQLModel tables: documents, jobs, extractions, corrections, approvals, keys, users,
evals.

Owns the persistent shape of everything the service keeps. Every change here needs an
Alembic revision in ``service/store/migrations/versions`` (a test compares the two).
Must not import the API, the UI or the job runner.

Extractions are versioned (every run is kept); corrections and approvals are append-only.
The reviewed view of a document is its latest extraction with its corrections applied in
order (``service.store.corrections``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.store.types import JSONType, UTCDateTime, utcnow


class DocumentStatus(StrEnum):
    queued = "queued"
    processing = "processing"
    done = "done"
    failed = "failed"


class JobStatus(StrEnum):
    queued = "queued"
    processing = "processing"
    done = "done"
    failed = "failed"


class Role(StrEnum):
    """Who may do what; each role can do everything the ones before it can."""

    uploader = "uploader"
    reviewer = "reviewer"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class CorrectionOp(StrEnum):
    set = "set"
    add = "add"
    delete = "delete"


def new_document_id() -> str:
    return uuid.uuid4().hex


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSONType, nullable=nullable))


def _time(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class StoredDocument(SQLModel, table=True):
    """One uploaded file (unique by content) and the summary of its latest extraction."""

    __tablename__ = "documents"

    id: str = Field(default_factory=new_document_id, primary_key=True, max_length=32)
    sha256: str = Field(max_length=64, unique=True, index=True)
    filename: str | None = Field(default=None, max_length=255)
    format: str = Field(max_length=16)
    media_type: str = Field(max_length=127)
    size: int
    page_count: int | None = None
    status: str = Field(default=DocumentStatus.queued, max_length=16, index=True)
    error: dict[str, Any] | None = _json()
    # summary of the latest extraction, for listing and filtering without reading JSON
    department: str | None = Field(default=None, max_length=255, index=True)
    fiscal_year: int | None = Field(default=None, index=True)
    findings_count: int = 0
    extraction_status: str | None = Field(default=None, max_length=16)
    latest_extraction_id: int | None = None
    extraction_version: int = 0
    approved_at: datetime | None = _time()
    approved_by: str | None = Field(default=None, max_length=255)
    # kept by service.store.review, the one place that decides it (待审核/初审通过/已审核/退回)
    review_state: str = Field(default="pending", max_length=16, index=True)
    open_findings: int = 0
    # key figures of the current view, for the work queue's sorting (万元, points, %)
    total_expenditure: float | None = None
    total_score: float | None = None
    execution_rate: float | None = None
    ocr_pages: int | None = None  # pages read by OCR (a scan); None: not known
    uploaded_by: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Job(SQLModel, table=True):
    """A unit of work for the runner. The row, not any queue, is the source of truth."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_available_at", "status", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=32)
    kind: str = Field(default="process", max_length=32)
    status: str = Field(default=JobStatus.queued, max_length=16)
    options: dict[str, Any] | None = _json()
    attempts: int = 0
    max_attempts: int = 3
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = _time()
    heartbeat_at: datetime | None = _time()
    worker_id: str | None = Field(default=None, max_length=255)
    error: dict[str, Any] | None = _json()
    # a scan read in page tasks (service.jobs.scan_split): pages read so far, of all
    pages_done: int | None = None
    pages_total: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = _time()
    finished_at: datetime | None = _time()


class Extraction(SQLModel, table=True):
    """One extraction run of one document; every run is kept (``version`` 1, 2, ...)."""

    __tablename__ = "extractions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=32)
    version: int
    job_id: int | None = None
    status: str = Field(max_length=16)  # success | partial | failed
    extractor: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=255)
    prompt_version: str | None = Field(default=None, max_length=64)
    llm_calls: int = 0
    llm_tokens: int = 0
    llm_usage: dict[str, Any] | None = _json()  # retries, cache hits, cost, prompt versions
    export: dict[str, Any] | None = _json()
    errors: list[Any] | None = _json()
    notes: list[Any] | None = _json()
    timings: dict[str, Any] | None = _json()
    correction_report: list[Any] | None = _json()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Correction(SQLModel, table=True):
    """One reviewer's change to one value or row. Append-only: never updated or deleted."""

    __tablename__ = "corrections"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=32)
    extraction_id: int | None = Field(default=None, foreign_key="extractions.id")
    op: str = Field(max_length=16)
    path: str = Field(max_length=512)
    old_value: Any = _json()
    new_value: Any = _json()
    reason: str | None = Field(default=None, max_length=2000)
    author: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Approval(SQLModel, table=True):
    """A reviewer's sign-off on the view as it stood (extraction + corrections so far).

    Kept for the history it holds: sign-offs are now ``ReviewEvent`` rows (revision 0003
    copied these into them)."""

    __tablename__ = "approvals"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=32)
    extraction_id: int | None = Field(default=None, foreign_key="extractions.id")
    last_correction_id: int | None = None
    note: str | None = Field(default=None, max_length=2000)
    author: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewEvent(SQLModel, table=True):
    """One step of a document's review (审核): 初审, 复核, a sign-off, 退回 with reasons, or a
    written opinion (审核意见). Append-only; ``service.store.review`` derives the state."""

    __tablename__ = "review_events"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=32)
    action: str = Field(max_length=16)
    extraction_id: int | None = None
    last_correction_id: int | None = None
    opinion: str | None = Field(default=None, max_length=4000)
    reasons: list[Any] | None = _json()
    override_reason: str | None = Field(default=None, max_length=2000)
    open_errors: int = 0
    author: str = Field(max_length=255)
    author_name: str = Field(max_length=255)
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FindingEvent(SQLModel, table=True):
    """A change of one finding's state (待处理/已更正/确认无误/忽略), by a reviewer or by a
    correction that removed its cause. Append-only."""

    __tablename__ = "finding_events"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=32)
    finding_key: str = Field(max_length=32)
    state: str = Field(max_length=16)
    comment: str | None = Field(default=None, max_length=2000)
    correction_id: int | None = None
    extraction_id: int | None = None
    auto: bool = False
    author: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    """An API key: only its SHA-256 is stored; ``prefix`` lets people tell keys apart."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    role: str = Field(max_length=16)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = _time()
    revoked_at: datetime | None = _time()


class User(SQLModel, table=True):
    """A person who logs into the UI with a password (``service.store.users``): only the
    password's argon2 hash is kept. Users are disabled, never deleted, so the audit log's
    names stay theirs; ``session_epoch`` moves on a password change or a disable, ending
    every session issued before."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    session_epoch: int = 0
    failed_logins: int = 0
    locked_until: datetime | None = _time()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = _time()


class EndedSession(SQLModel, table=True):
    """A UI session ended by logout: its signed cookie stays valid to the signature check,
    so the server must remember that it ended (until the cookie would have expired anyway)."""

    __tablename__ = "ended_sessions"

    sid: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class EvalRun(SQLModel, table=True):
    """One run of the accuracy evaluation (written by ``eval/``, read by the UI)."""

    __tablename__ = "eval_runs"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    extractor: str = Field(max_length=64)
    dataset: str = Field(max_length=255)
    code_version: str | None = Field(default=None, max_length=64)
    n_documents: int = 0
    metrics: dict[str, Any] | None = _json()
    report_path: str | None = Field(default=None, max_length=1024)
    notes: str | None = Field(default=None, max_length=2000)
