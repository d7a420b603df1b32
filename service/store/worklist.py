"""The documents list as a work queue: its sort orders, the same department and year
uploaded twice, the next document in a list, and deleting documents.

Owns the queries behind the reviewer's list (sorting by the key figures the documents'
summary columns carry, ``service.store.documents.summary_of``) and the rule of who may
delete what. Must not import the API, the UI or the job runner.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, tuple_
from sqlmodel import Session, col, select

from service.store import documents as repo
from service.store.tables import (
    Approval,
    Correction,
    DocumentStatus,
    Extraction,
    FindingEvent,
    Job,
    ReviewEvent,
    Role,
    StoredDocument,
)

log = logging.getLogger(__name__)

# the list's sortable columns: name in the URL → the column
SORTS: dict[str, Any] = {
    "department": StoredDocument.department,
    "year": StoredDocument.fiscal_year,
    "expenditure": StoredDocument.total_expenditure,
    "score": StoredDocument.total_score,
    "rate": StoredDocument.execution_rate,
    "findings": StoredDocument.open_findings,
    "review": StoredDocument.review_state,
    "status": StoredDocument.status,
    "filename": StoredDocument.filename,
    "uploaded": StoredDocument.created_at,
}
DEFAULT_SORT = "uploaded"
MAX_NEIGHBOURS = 5000  # ids read to find the next document in a list


def ordering(sort: str | None, descending: bool) -> tuple[Any, ...]:
    """ORDER BY clauses for the list: the column (documents without the figure last in
    either direction), then the newest upload, then the id, so the order is total and the
    same on every database."""
    column = col(SORTS.get(sort or "", SORTS[DEFAULT_SORT]))
    clauses: list[Any] = [column.is_(None), column.desc() if descending else column.asc()]
    if sort != "uploaded":
        clauses.append(col(StoredDocument.created_at).desc())
    clauses.append(col(StoredDocument.id))
    return tuple(clauses)


def next_document(
    session: Session, filters: repo.DocumentFilters, order: Sequence[Any], current: str
) -> str | None:
    """The document after ``current`` in the list as filtered and sorted; None when it is
    the last (or not in the list)."""
    query = (
        select(StoredDocument.id)
        .where(*repo.filter_conditions(filters))
        .order_by(*order)
        .limit(MAX_NEIGHBOURS)
    )
    ids = list(session.exec(query).all())
    if current not in ids:
        return None
    at = ids.index(current)
    return ids[at + 1] if at + 1 < len(ids) else None


def duplicates(session: Session, docs: Iterable[StoredDocument]) -> dict[str, list[StoredDocument]]:
    """For each of ``docs`` read as a department and year, the other documents read as the
    same department and year (a second upload of one report, perhaps under another file)."""
    keys = {(d.department, d.fiscal_year) for d in docs if d.department and d.fiscal_year}
    if not keys:
        return {}
    pair = tuple_(col(StoredDocument.department), col(StoredDocument.fiscal_year))
    query = (
        select(StoredDocument)
        .where(pair.in_(list(keys)))
        .order_by(col(StoredDocument.created_at), col(StoredDocument.id))
    )
    groups: dict[tuple[str, int], list[StoredDocument]] = defaultdict(list)
    for doc in session.exec(query).all():
        groups[(doc.department or "", doc.fiscal_year or 0)].append(doc)
    out: dict[str, list[StoredDocument]] = {}
    for group in groups.values():
        if len(group) > 1:
            for doc in group:
                out[doc.id] = [d for d in group if d.id != doc.id]
    return out


@dataclass
class Deleted:
    """What a bulk delete did: the documents deleted, and each refused with its reason
    (``busy``: being processed; ``reviewed``: has corrections or review steps, admins only;
    ``not_found``)."""

    deleted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def _reviewed(session: Session, document_id: str) -> bool:
    for table in (Correction, ReviewEvent, FindingEvent):
        query = select(table.id).where(col(table.document_id) == document_id).limit(1)
        if session.exec(query).first() is not None:
            return True
    return False


def delete_documents(session: Session, ids: Sequence[str], role: Role, author: str) -> Deleted:
    """Delete documents with everything read and written about them. Someone's review work
    (corrections, finding states, review steps) is only deleted by an admin; a document
    being processed is not deleted. The stored file stays (content-addressed storage: a
    later upload of the same bytes reuses it)."""
    result = Deleted()
    for document_id in dict.fromkeys(ids):
        doc = session.get(StoredDocument, document_id)
        if doc is None:
            result.refused[document_id] = "not_found"
        elif doc.status in (DocumentStatus.queued, DocumentStatus.processing):
            result.refused[document_id] = "busy"
        elif role != Role.admin and _reviewed(session, document_id):
            result.refused[document_id] = "reviewed"
        else:
            for table in (FindingEvent, ReviewEvent, Approval, Correction, Job, Extraction):
                session.exec(delete(table).where(col(table.document_id) == document_id))  # type: ignore[call-overload]
            session.delete(doc)
            result.deleted.append(document_id)
            log.warning("document %s (%s) deleted by %s", document_id, doc.filename or "?", author)
    session.flush()
    return result
