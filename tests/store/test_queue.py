"""The jobs table as a queue: one winner per claim, leases, retries, recovery."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col

from service.store import queue
from service.store.engine import make_engine, read_session, transaction
from service.store.tables import DocumentStatus, Job, JobStatus, StoredDocument
from service.store.types import utcnow


@pytest.fixture
def engine(clean_database: str) -> Iterator[Engine]:
    engine = make_engine(clean_database)
    yield engine
    engine.dispose()


def _job(engine: Engine, n: int = 0, max_attempts: int = 3) -> int:
    with transaction(engine) as session:
        doc = StoredDocument(sha256=f"{n:064x}", format="text", media_type="text/plain", size=1)
        session.add(doc)
        session.flush()
        job = queue.enqueue(session, doc.id, max_attempts=max_attempts)
        return job.id or 0


def _get(engine: Engine, job_id: int) -> Job:
    with read_session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_enqueue_claim_finish(engine: Engine) -> None:
    job_id = _job(engine)
    with transaction(engine) as session:  # a second enqueue returns the waiting job
        doc_id = _get(engine, job_id).document_id
        assert queue.enqueue(session, doc_id).id == job_id
    job = queue.claim(engine, "w1", 30)
    assert job is not None and job.id == job_id and job.attempts == 1
    assert job.status == JobStatus.processing and job.worker_id == "w1"
    assert queue.claim(engine, "w2", 30) is None  # held
    with read_session(engine) as session:
        assert session.get(StoredDocument, doc_id).status == DocumentStatus.processing  # type: ignore[union-attr]
    assert queue.heartbeat(engine, job_id, "w1", 30)
    assert not queue.heartbeat(engine, job_id, "w2", 30)
    with transaction(engine) as session:
        held = queue.holds(session, job_id, "w1")
        assert held is not None and queue.holds(session, job_id, "w2") is None
        queue.finish(session, held)
    assert _get(engine, job_id).status == JobStatus.done
    assert queue.claim(engine, "w1", 30) is None


def test_only_one_of_many_claimers_wins(engine: Engine) -> None:
    ids = {_job(engine, n) for n in range(5)}
    won: list[int] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        while (job := queue.claim(engine, name, 30)) is not None:
            with lock:
                won.append(job.id or 0)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == sorted(ids)  # every job once, none twice


def test_expired_lease_is_claimed_again_until_attempts_run_out(engine: Engine) -> None:
    job_id = _job(engine, max_attempts=2)

    def expire() -> None:
        with transaction(engine) as session:
            session.exec(
                update(Job)
                .where(col(Job.id) == job_id)
                .values(lease_until=utcnow() - timedelta(seconds=1))
            )

    assert queue.claim(engine, "dead-1", 30) is not None
    expire()
    again = queue.claim(engine, "w2", 30)
    assert again is not None and again.attempts == 2 and again.worker_id == "w2"
    assert not queue.heartbeat(engine, job_id, "dead-1", 30)  # the old worker lost it
    expire()
    assert queue.claim(engine, "w3", 30) is None  # third try would exceed max_attempts
    job = _get(engine, job_id)
    assert job.status == JobStatus.failed and job.error["code"] == "job_abandoned"  # type: ignore[index]
    with read_session(engine) as session:
        doc = session.get(StoredDocument, job.document_id)
        assert doc is not None and doc.status == DocumentStatus.failed


def test_retry_later_and_release(engine: Engine) -> None:
    job_id = _job(engine)
    job = queue.claim(engine, "w1", 30)
    assert job is not None
    with transaction(engine) as session:
        held = queue.holds(session, job_id, "w1")
        assert held is not None
        queue.retry_later(session, held, {"code": "x"}, delay_seconds=60)
    assert queue.claim(engine, "w1", 30) is None  # not before its time
    with transaction(engine) as session:
        session.exec(update(Job).where(col(Job.id) == job_id).values(available_at=utcnow()))
    job = queue.claim(engine, "w2", 30)
    assert job is not None and job.attempts == 2
    assert queue.release(engine, job_id, "w2")
    job = _get(engine, job_id)
    assert job.status == JobStatus.queued and job.attempts == 1  # a hand-back is not a try


def test_jobs_of_dead_local_processes_are_recovered_at_once(engine: Engine) -> None:
    job_id = _job(engine)
    dead_pid = 2**22 + 12345  # above the default pid_max: no such process
    worker = f"{queue.local_worker_id('x').split(':')[0]}:{dead_pid}:old"
    assert queue.claim(engine, worker, 3600) is not None
    alive = _job(engine, 1)
    assert queue.claim(engine, f"otherhost:{os.getpid()}:x", 3600, job_id=alive) is not None
    assert queue.recover_orphans(engine) == [job_id]
    again = queue.claim(engine, "w-new", 30)
    assert again is not None and again.id == job_id
