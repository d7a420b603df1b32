"""Request and response bodies of the API (what OpenAPI documents).

Owns the public shape of documents, jobs, corrections, approvals and keys, and the
mapping from table rows to it. The export JSON itself is ``service.records.ReportExport``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.store.tables import (
    ApiKey,
    Approval,
    Correction,
    Extraction,
    Job,
    Role,
    StoredDocument,
)

ExtractorName = Literal["auto", "rules", "llm"]


class Links(BaseModel):
    self: str
    extraction: str
    file: str
    corrections: str
    export_xlsx: str
    export_csv: str
    pages: str | None = Field(None, description="Template of page images, {page} → 1, 2, …")


def links_for(doc: StoredDocument) -> Links:
    base = f"/documents/{doc.id}"
    has_pages = doc.format in ("pdf", "png", "jpeg", "tiff")
    return Links(
        self=base,
        extraction=f"{base}/extraction",
        file=f"{base}/file",
        corrections=f"{base}/corrections",
        export_xlsx=f"{base}/export.xlsx",
        export_csv=f"{base}/export.csv",
        pages=f"{base}/pages/{{page}}.png" if has_pages else None,
    )


class JobOut(BaseModel):
    id: int
    status: str
    attempts: int
    max_attempts: int
    error: dict[str, Any] | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    pages_done: int | None = Field(
        None, description="A scan read in page tasks: pages OCR'd so far (only moves up)."
    )
    pages_total: int | None = Field(
        None, description="A scan read in page tasks: its pages; null for a one-task read."
    )

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls.model_validate(job, from_attributes=True)


class ExtractionOut(BaseModel):
    """One extraction run (a version); the records themselves are at ``…/extraction``."""

    version: int
    status: str = Field(description="success | partial | failed")
    extractor: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    llm_calls: int = 0
    llm_tokens: int = 0
    llm_usage: dict[str, Any] | None = Field(
        None, description="LLM calls, tokens, retries, cache hits, cost, prompt versions."
    )
    timings: dict[str, Any] = Field(default_factory=dict, description="Seconds per stage.")
    errors: list[Any] = Field(default_factory=list)
    notes: list[Any] = Field(default_factory=list)
    correction_report: list[Any] | None = Field(
        None,
        description="After a reprocess: for each correction, whether the fresh extraction "
        "agrees, is unchanged, differs or lost the place (status).",
    )
    created_at: datetime

    @classmethod
    def of(cls, row: Extraction) -> ExtractionOut:
        return cls(
            version=row.version,
            status=row.status,
            extractor=row.extractor,
            model=row.model,
            prompt_version=row.prompt_version,
            llm_calls=row.llm_calls,
            llm_tokens=row.llm_tokens,
            llm_usage=row.llm_usage,
            timings=row.timings or {},
            errors=row.errors or [],
            notes=row.notes or [],
            correction_report=row.correction_report,
            created_at=row.created_at,
        )


class DocumentSummary(BaseModel):
    id: str
    filename: str | None
    sha256: str
    format: str
    media_type: str
    size: int
    page_count: int | None
    status: str = Field(description="queued | processing | done | failed")
    error: dict[str, Any] | None = Field(None, description="Why processing failed, readable.")
    department: str | None
    fiscal_year: int | None
    findings_count: int
    extraction_version: int
    extraction_status: str | None
    approved: bool
    approved_at: datetime | None
    approved_by: str | None
    review_state: str = Field(
        "pending", description="pending (待审核) | first_approved (初审通过) | approved | returned"
    )
    open_findings: int = Field(0, description="Findings still 待处理.")
    uploaded_by: str | None
    created_at: datetime
    updated_at: datetime
    links: Links

    @classmethod
    def of(cls, doc: StoredDocument) -> DocumentSummary:
        data = doc.model_dump()
        approved = doc.review_state == "approved"  # the review state machine's answer
        return cls(**data, approved=approved, links=links_for(doc))


class DocumentDetail(DocumentSummary):
    extraction: ExtractionOut | None = None
    job: JobOut | None = None
    corrections: int = 0


class DocumentPage(BaseModel):
    items: list[DocumentSummary]
    total: int
    limit: int
    offset: int


class UploadItem(BaseModel):
    id: str
    filename: str | None
    sha256: str
    status: str
    duplicate: bool = Field(description="These bytes were uploaded before.")
    job_id: int | None = Field(None, description="The processing job, when one was queued.")
    status_url: str


class UploadResponse(BaseModel):
    documents: list[UploadItem]


class ReprocessRequest(BaseModel):
    extractor: ExtractorName | None = None


class ReprocessResponse(BaseModel):
    id: str
    job_id: int
    status: str
    status_url: str


class CorrectionRequest(BaseModel):
    """A change to one value or row of the current view.

    ``set`` (default): ``value`` replaces the value at the path (a number or text sets a
    field's value; an object is merged into it). ``add``: ``value`` is a new row for the
    list at the path (``indicators``) or inserted before row N (``indicators/N``).
    ``delete``: removes the row at the path, or empties a field.
    """

    op: Literal["set", "add", "delete"] = "set"
    value: Any = None
    reason: str | None = Field(None, max_length=2000)


class CorrectionOut(BaseModel):
    id: int
    op: str
    path: str
    old_value: Any = None
    new_value: Any = None
    reason: str | None = None
    author: str
    extraction_version: int | None = None
    created_at: datetime

    @classmethod
    def of(cls, row: Correction, versions: dict[int, int] | None = None) -> CorrectionOut:
        version = (versions or {}).get(row.extraction_id or 0)
        return cls(
            id=row.id or 0,
            op=row.op,
            path=row.path,
            old_value=row.old_value,
            new_value=row.new_value,
            reason=row.reason,
            author=row.author,
            extraction_version=version,
            created_at=row.created_at,
        )


class CorrectionResult(BaseModel):
    correction: CorrectionOut
    path: str = Field(description="Where the change landed (an added row's index).")


class CorrectionLog(BaseModel):
    items: list[CorrectionOut]
    conflicts: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Corrections that no longer apply to the latest extraction.",
    )
    report: list[Any] | None = Field(
        None, description="The latest extraction's comparison with the corrections."
    )


class ApproveRequest(BaseModel):
    note: str | None = Field(None, max_length=2000)
    override_reason: str | None = Field(
        None, max_length=2000, description="Why sign off while error findings are open."
    )


class ApprovalOut(BaseModel):
    id: int
    document_id: str
    extraction_version: int | None
    last_correction_id: int | None
    note: str | None
    author: str
    created_at: datetime

    @classmethod
    def of(cls, row: Approval, version: int | None) -> ApprovalOut:
        return cls(
            id=row.id or 0,
            document_id=row.document_id,
            extraction_version=version,
            last_correction_id=row.last_correction_id,
            note=row.note,
            author=row.author,
            created_at=row.created_at,
        )


class KeyRequest(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    role: Role


class KeyOut(BaseModel):
    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> KeyOut:
        return cls.model_validate(row, from_attributes=True)


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself: shown once, stored only as a hash.")


class Me(BaseModel):
    name: str
    role: str
    key_id: int | None
    via: str
