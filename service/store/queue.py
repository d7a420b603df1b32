"""The job table as a queue: enqueue, claim with a lease, heartbeat, finish, recover.

Owns every state change of a ``Job`` row (queued → processing → done | failed, with
attempts and a lease). Claiming is one conditional UPDATE that only one worker can win,
on SQLite (writes are serialised) and on PostgreSQL (the row lock re-checks the WHERE) alike,
so any number of runners, in-process or elsewhere, can share the table. A worker that dies
stops renewing its lease; once the lease has expired the job is claimable again.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import Session, col, select

from service.store.engine import read_session, transaction
from service.store.tables import DocumentStatus, Job, JobStatus, StoredDocument
from service.store.types import utcnow

_HOST = socket.gethostname()


def local_worker_id(name: str) -> str:
    """``host:pid:name`` — the pid lets a restarted process recognise its dead predecessor."""
    return f"{_HOST}:{os.getpid()}:{name}"


def enqueue(
    session: Session,
    document_id: str,
    *,
    options: dict[str, Any] | None = None,
    max_attempts: int = 3,
) -> Job:
    """Queue a processing job for a document (or return the one already waiting)."""
    waiting = session.exec(
        select(Job).where(Job.document_id == document_id, Job.status == JobStatus.queued)
    ).first()
    if waiting is not None:
        return waiting
    job = Job(document_id=document_id, options=options or {}, max_attempts=max_attempts)
    session.add(job)
    doc = session.get(StoredDocument, document_id)
    if doc is not None:
        doc.status = DocumentStatus.queued
        doc.error = None
        doc.updated_at = utcnow()
        session.add(doc)
    session.flush()
    return job


def _claimable(now: Any) -> Any:
    return or_(
        and_(Job.status == JobStatus.queued, Job.available_at <= now),
        and_(Job.status == JobStatus.processing, Job.lease_until < now),
    )


def claim(
    engine: Engine, worker_id: str, lease_seconds: float, job_id: int | None = None
) -> Job | None:
    """Take the oldest claimable job (or job ``job_id``) for ``worker_id``, or None.

    A job that already used up its attempts is failed here instead of being run again.
    """
    while True:
        # look first without the write lock: idle polling must not serialise the API's
        # writers behind SQLite's single write lock
        query = select(Job.id).where(_claimable(utcnow())).order_by(col(Job.id)).limit(5)
        if job_id is not None:
            query = query.where(Job.id == job_id)
        with read_session(engine) as session:
            ids = list(session.exec(query).all())
        if not ids:
            return None
        with transaction(engine) as session:
            job = _claim_first(session, ids, worker_id, utcnow(), lease_seconds)
            if job is None:
                return None
            if job.attempts <= job.max_attempts:
                _set_document_status(session, job.document_id, DocumentStatus.processing)
                return job
            fail(session, job, _gave_up(job))
        if job_id is not None:
            return None


def _claim_first(
    session: Session, ids: list[int | None], worker_id: str, now: Any, lease_seconds: float
) -> Job | None:
    for job_id in ids:
        result = session.exec(
            update(Job)
            .where(col(Job.id) == job_id, _claimable(now))
            .values(
                status=JobStatus.processing,
                worker_id=worker_id,
                attempts=Job.attempts + 1,
                lease_until=now + timedelta(seconds=lease_seconds),
                heartbeat_at=now,
                started_at=now,
            )
        )
        if result.rowcount == 1:
            return session.exec(select(Job).where(Job.id == job_id)).one()
    return None


def _gave_up(job: Job) -> dict[str, Any]:
    return {
        "code": "job_abandoned",
        "message": f"Processing stopped {job.max_attempts} times (worker crash or restart); "
        "gave up.",
        "message_zh": f"处理已中断 {job.max_attempts} 次（进程崩溃或重启），已放弃。",
        "detail": None,
    }


def heartbeat(engine: Engine, job_id: int, worker_id: str, lease_seconds: float) -> bool:
    """Extend the lease; False when this worker no longer holds the job."""
    with transaction(engine) as session:
        now = utcnow()
        result = session.exec(
            update(Job)
            .where(
                col(Job.id) == job_id,
                col(Job.worker_id) == worker_id,
                col(Job.status) == JobStatus.processing,
            )
            .values(lease_until=now + timedelta(seconds=lease_seconds), heartbeat_at=now)
        )
        return result.rowcount == 1


def holds(session: Session, job_id: int, worker_id: str) -> Job | None:
    """The job, locked, if ``worker_id`` still holds it (checked before writing results)."""
    job = session.exec(select(Job).where(Job.id == job_id).with_for_update()).first()
    if job is None or job.worker_id != worker_id or job.status != JobStatus.processing:
        return None
    return job


def finish(session: Session, job: Job) -> None:
    job.status = JobStatus.done
    job.finished_at = utcnow()
    job.lease_until = None
    job.error = None
    session.add(job)


def fail(session: Session, job: Job, error: dict[str, Any]) -> None:
    job.status = JobStatus.failed
    job.finished_at = utcnow()
    job.lease_until = None
    job.error = error
    session.add(job)
    doc = session.get(StoredDocument, job.document_id)
    if doc is not None:
        doc.status = DocumentStatus.failed
        doc.error = error
        doc.updated_at = utcnow()
        session.add(doc)


def retry_later(session: Session, job: Job, error: dict[str, Any], delay_seconds: float) -> None:
    """Put the job back in the queue after ``delay_seconds`` (a transient failure)."""
    job.status = JobStatus.queued
    job.worker_id = None
    job.lease_until = None
    job.error = error
    job.available_at = utcnow() + timedelta(seconds=delay_seconds)
    session.add(job)
    _set_document_status(session, job.document_id, DocumentStatus.queued)


def release(engine: Engine, job_id: int, worker_id: str) -> bool:
    """Hand a job back unfinished (graceful shutdown): claimable again at once, and the
    interrupted attempt does not count."""
    with transaction(engine) as session:
        result = session.exec(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.worker_id) == worker_id)
            .where(col(Job.status) == JobStatus.processing)
            .values(
                status=JobStatus.queued,
                worker_id=None,
                lease_until=None,
                attempts=Job.attempts - 1,
                available_at=utcnow(),
            )
        )
        if result.rowcount == 1:
            job = session.get(Job, job_id)
            if job is not None:
                _set_document_status(session, job.document_id, DocumentStatus.queued)
        return result.rowcount == 1


def recover_orphans(engine: Engine) -> list[int]:
    """Expire the leases of jobs held by dead processes *on this host* so they are retaken
    now rather than when their lease runs out. Jobs of live or remote workers are left."""
    with transaction(engine) as session:
        held = session.exec(select(Job).where(Job.status == JobStatus.processing)).all()
        orphans = [job for job in held if _dead_local(job.worker_id)]
        for job in orphans:
            job.lease_until = utcnow() - timedelta(seconds=1)
            session.add(job)
        return [job.id for job in orphans if job.id is not None]


def _dead_local(worker_id: str | None) -> bool:
    if not worker_id:
        return True
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


def _set_document_status(session: Session, document_id: str, status: DocumentStatus) -> None:
    doc = session.get(StoredDocument, document_id)
    if doc is not None:
        doc.status = status
        doc.updated_at = utcnow()
        session.add(doc)


def file_in_work(engine: Engine, sha256: str) -> bool:
    """Whether the document of these bytes has a job queued or running. A split scan's page
    tasks serve only such a job: once it is over its page results are deleted, and a page
    task delivered late would read every page of its range again for nothing."""
    query = (
        select(Job.id)
        .join(StoredDocument, col(StoredDocument.id) == col(Job.document_id))
        .where(StoredDocument.sha256 == sha256)
        .where(col(Job.status).in_((JobStatus.queued, JobStatus.processing)))
    )
    with read_session(engine) as session:
        return session.exec(query.limit(1)).first() is not None


def waiting(session: Session, document_id: str) -> bool:
    """Whether a job for the document is queued (not yet claimed)."""
    query = select(Job.id).where(Job.document_id == document_id, Job.status == JobStatus.queued)
    return session.exec(query.limit(1)).first() is not None
