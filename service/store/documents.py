"""Repository of documents, their extraction versions and corrections (the review
workflow, sign-offs included, is ``service.store.review``).

Owns the queries and the bookkeeping that keeps a document's summary columns (department,
year, findings) equal to its current view: the latest extraction with every correction
applied in order. Writes that depend on that view lock the document row first
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite write sessions are serialised anyway), so
two reviewers correcting at once are applied one after the other, never interleaved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from service.errors import InputError
from service.store.corrections import (
    Applied,
    PathNotFoundError,
    StoredCorrection,
    View,
    apply_all,
    apply_correction,
    canonical_path,
    compare_with_fresh,
    parse_path,
    validate_export,
)
from service.store.tables import (
    Correction,
    DocumentStatus,
    Extraction,
    Job,
    StoredDocument,
)
from service.store.types import utcnow


class NotFoundError(InputError):
    code = "not_found"
    message_zh = "找不到所请求的资源。"
    message_en = "The requested resource does not exist."


class ConflictError(InputError):
    code = "conflict"
    message_zh = "当前状态下无法执行该操作。"
    message_en = "The operation is not possible in the resource's current state."


class ExtractionNotReadyError(ConflictError):
    code = "extraction_not_ready"
    message_zh = "该文档尚无提取结果（排队中、处理中或处理失败）。"
    message_en = "The document has no extraction yet (queued, processing or failed)."


# --- documents ----------------------------------------------------------------------------


@dataclass
class DocumentFilters:
    status: str | None = None
    department: str | None = None  # substring, case-insensitive
    year: int | None = None
    has_findings: bool | None = None
    approved: bool | None = None
    filename: str | None = None  # substring, case-insensitive
    review_state: str | None = None  # pending | first_approved | approved | returned
    ids: tuple[str, ...] | None = None  # these documents only (a selection in the list)


def get_document(session: Session, document_id: str, *, lock: bool = False) -> StoredDocument:
    query = select(StoredDocument).where(StoredDocument.id == document_id)
    doc = session.exec(query.with_for_update() if lock else query).first()
    if doc is None:
        raise NotFoundError(f"no document {document_id!r}", document_id=document_id)
    return doc


def find_by_sha256(session: Session, sha256: str) -> StoredDocument | None:
    return session.exec(select(StoredDocument).where(StoredDocument.sha256 == sha256)).first()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_documents(
    session: Session,
    filters: DocumentFilters,
    *,
    limit: int,
    offset: int,
    order: Sequence[Any] = (),
) -> tuple[list[StoredDocument], int]:
    """A page of documents in ``order`` (``service.store.worklist.ordering``; newest first
    by default), and the total matching the filters."""
    conditions = filter_conditions(filters)
    total_query = select(func.count()).select_from(StoredDocument).where(*conditions)
    total = int(session.exec(total_query).one())
    order = order or (col(StoredDocument.created_at).desc(), col(StoredDocument.id))
    page = select(StoredDocument).where(*conditions).order_by(*order).offset(offset).limit(limit)
    return list(session.exec(page).all()), total


def filter_conditions(filters: DocumentFilters) -> list[Any]:
    """The WHERE clauses of ``filters``."""
    conditions: list[Any] = []
    if filters.ids is not None:
        conditions.append(col(StoredDocument.id).in_(filters.ids))
    if filters.status:
        conditions.append(col(StoredDocument.status) == filters.status)
    if filters.department:
        dept = col(StoredDocument.department)
        conditions.append(dept.ilike(_like(filters.department), escape="\\"))
    if filters.year is not None:
        conditions.append(col(StoredDocument.fiscal_year) == filters.year)
    if filters.has_findings is not None:
        findings = col(StoredDocument.findings_count)
        conditions.append(findings > 0 if filters.has_findings else findings == 0)
    if filters.approved is not None:  # the review state machine's answer (store.review)
        approved = col(StoredDocument.review_state) == "approved"
        conditions.append(approved if filters.approved else ~approved)
    if filters.review_state:
        conditions.append(col(StoredDocument.review_state) == filters.review_state)
    if filters.filename:
        name = col(StoredDocument.filename)
        conditions.append(name.ilike(_like(filters.filename), escape="\\"))
    return conditions


def summary_of(export: dict[str, Any]) -> dict[str, Any]:
    """The listing columns of a view: department, fiscal year, number of findings, and the
    key figures the work queue sorts by (支出合计 in 万元, 自评总分, 预算执行率 in %)."""
    report = export.get("report") or {}
    department = _plain(report.get("department"))
    year = _plain(report.get("fiscal_year"))
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    return {
        "department": str(department)[:255] if department not in (None, "") else None,
        "fiscal_year": year if isinstance(year, int) and not isinstance(year, bool) else None,
        "findings_count": len(export.get("findings") or []),
        "total_expenditure": _number(export, "budget", "total_expenditure"),
        "total_score": _number(export, "report", "total_score"),
        "execution_rate": _number(export, "budget", "execution_rate"),
    }


def _number(export: dict[str, Any], group: str, name: str) -> float | None:
    value = _plain((export.get(group) or {}).get(name))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _plain(node: Any) -> Any:
    return node.get("value") if isinstance(node, dict) else node


def _apply_summary(doc: StoredDocument, export: dict[str, Any]) -> None:
    for key, value in summary_of(export).items():
        setattr(doc, key, value)
    doc.updated_at = utcnow()


# --- extractions -----------------------------------------------------------------------------


def latest_extraction(
    session: Session, doc: StoredDocument, *, with_export: bool = True
) -> Extraction | None:
    """The current extraction; ``with_export=False`` skips reading (and parsing) the export
    JSON, the large part, for status pages and listings."""
    if doc.latest_extraction_id is None:
        return None
    query = select(Extraction).where(Extraction.id == doc.latest_extraction_id)
    if not with_export:
        query = query.options(defer(Extraction.export))  # type: ignore[arg-type]
    return session.exec(query).first()


def get_extraction(session: Session, doc: StoredDocument, version: int) -> Extraction:
    row = session.exec(
        select(Extraction).where(Extraction.document_id == doc.id, Extraction.version == version)
    ).first()
    if row is None:
        raise NotFoundError(f"document {doc.id} has no extraction version {version}")
    return row


def list_extractions(session: Session, document_id: str) -> list[Extraction]:
    """Every version, oldest first, without their export JSON (see ``latest_extraction``)."""
    query = select(Extraction).where(Extraction.document_id == document_id)
    query = query.options(defer(Extraction.export))  # type: ignore[arg-type]
    return list(session.exec(query.order_by(col(Extraction.version))).all())


def record_extraction(
    session: Session, doc: StoredDocument, extraction: Extraction, *, failed_error: Any = None
) -> Extraction:
    """Store a new extraction version and make it the document's current one.

    With corrections on file, compares each with the fresh values (``correction_report``)
    and recomputes the summary from the corrected view. ``failed_error`` marks the document
    failed (the extraction is still kept, for diagnosis).
    """
    extraction.document_id = doc.id
    extraction.version = doc.extraction_version + 1
    corrections = stored_corrections(session, doc.id)
    export = extraction.export or {}
    if corrections:
        extraction.correction_report = compare_with_fresh(export, corrections)
    session.add(extraction)
    session.flush()
    doc.latest_extraction_id = extraction.id
    doc.extraction_version = extraction.version
    doc.extraction_status = extraction.status
    doc.status = DocumentStatus.failed if failed_error else DocumentStatus.done
    doc.error = failed_error
    # a new reading needs a new review; the old approvals stay in their table
    doc.approved_at = None
    doc.approved_by = None
    _apply_summary(doc, apply_all(export, corrections).export)
    session.add(doc)
    from service.store import review  # the review state machine reads this module

    review.refresh(session, doc)
    return extraction


# --- corrections and the current view ---------------------------------------------------------


@dataclass
class StatusSnapshot:
    """What the status page shows: the document, its current extraction (without the
    export JSON), its latest job and how many corrections it has."""

    document: StoredDocument
    extraction: Extraction | None
    job: Job | None
    corrections: int


def document_status(session: Session, document_id: str) -> StatusSnapshot:
    """One query for the status page, polled by every client: it must stay cheap."""
    corrections = (
        select(func.count())
        .select_from(Correction)
        .where(Correction.document_id == document_id)
        .scalar_subquery()
    )
    latest_job = select(func.max(Job.id)).where(Job.document_id == document_id).scalar_subquery()
    query = (
        select(StoredDocument, Extraction, Job, corrections)
        .outerjoin(Extraction, col(Extraction.id) == col(StoredDocument.latest_extraction_id))
        .outerjoin(Job, col(Job.id) == latest_job)
        .where(StoredDocument.id == document_id)
        .options(defer(Extraction.export))  # type: ignore[arg-type]
    )
    row = session.exec(query).first()
    if row is None:
        raise NotFoundError(f"no document {document_id!r}", document_id=document_id)
    doc, extraction, job, count = row
    return StatusSnapshot(doc, extraction, job, int(count or 0))


def list_corrections(session: Session, document_id: str) -> list[Correction]:
    query = select(Correction).where(Correction.document_id == document_id)
    return list(session.exec(query.order_by(col(Correction.id))).all())


def stored_corrections(session: Session, document_id: str) -> list[StoredCorrection]:
    return [
        StoredCorrection(
            id=c.id or 0, op=c.op, path=c.path, old_value=c.old_value, new_value=c.new_value
        )
        for c in list_corrections(session, document_id)
    ]


def current_view(session: Session, doc: StoredDocument) -> tuple[Extraction, View]:
    """The latest extraction and the view with corrections applied."""
    extraction = latest_extraction(session, doc)
    if extraction is None or extraction.export is None:
        raise ExtractionNotReadyError(f"status {doc.status}", status=doc.status)
    return extraction, apply_all(extraction.export, stored_corrections(session, doc.id))


_PROTECTED = frozenset({"schema_version", "document", "extractor"})


def add_correction(
    session: Session,
    document_id: str,
    *,
    op: str,
    path: str,
    value: Any,
    reason: str | None,
    author: str,
) -> tuple[Correction, Applied]:
    """Validate a correction against the current view and append it to the log."""
    doc = get_document(session, document_id, lock=True)
    extraction, view = current_view(session, doc)
    tokens = parse_path(path)
    if tokens[0] in _PROTECTED:
        raise PathNotFoundError(f"{tokens[0]} is not a record that can be corrected", path=path)
    applied = apply_correction(view.export, op, path, value)
    validate_export(view.export)
    row = Correction(
        document_id=doc.id,
        extraction_id=extraction.id,
        op=op,
        path=canonical_path(tokens) if op == "add" else applied.path,
        old_value=applied.old,
        new_value=applied.new,
        reason=reason,
        author=author,
    )
    session.add(row)
    _apply_summary(doc, view.export)
    # the view that was signed off has changed: it needs a new sign-off (the approval row
    # stays in its table as history), and exports stop calling it approved
    doc.approved_at = None
    doc.approved_by = None
    session.add(doc)
    session.flush()
    return row, applied
