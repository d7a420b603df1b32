"""The embedded runner: bounded concurrency, retries, failures, and recovery after a crash."""

from __future__ import annotations

import os
import select as os_select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from service.app import build_state, prepare
from service.config import Settings
from service.errors import EmptyFileError
from service.jobs.intake import accept_upload, check_upload
from service.jobs.runner import EmbeddedRunner
from service.jobs.worker import process, run_job
from service.store import queue
from service.store.engine import read_session, transaction
from service.store.tables import Extraction, Job, JobStatus, StoredDocument
from service.store.types import utcnow
from tests.api.conftest import REPO_ROOT, FakeExtractor, report_text
from tests.conftest import seeds_dir

State = Any


@pytest.fixture
def state(settings: Settings, extractor: FakeExtractor) -> Iterator[State]:
    st = build_state(settings, extract=extractor, runner=None)
    prepare(st)
    yield st
    st.runner.stop(timeout=2)
    st.engine.dispose()


def _submit(state: State, tag: str = "x") -> tuple[str, int]:
    data = report_text(tag=tag)
    accepted = accept_upload(
        state.engine,
        state.files,
        data,
        check_upload(data, "r.txt", state.settings.limits),
        filename="r.txt",
        uploaded_by="test",
    )
    assert accepted.job is not None
    return accepted.document.id, accepted.job.id or 0


def _job(state: State, job_id: int) -> Job:
    with read_session(state.engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _done(state: State, job_id: int) -> Callable[[], bool]:
    return lambda: _job(state, job_id).status in (JobStatus.done, JobStatus.failed)


def test_runs_jobs_with_at_most_count_at_once(state: State) -> None:
    running, peak, gate = [0], [0], threading.Event()
    lock = threading.Lock()
    fake = state.jobs.extract

    def slow(document, name, settings):  # type: ignore[no-untyped-def]
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        gate.wait(10)
        with lock:
            running[0] -= 1
        return fake(document, name, settings)

    state.jobs.extract = slow
    runner: EmbeddedRunner = state.runner
    runner.start()
    jobs = [_submit(state, str(i))[1] for i in range(5)]
    runner.notify()
    _until(lambda: running[0] == 2)
    time.sleep(0.2)
    assert peak[0] == 2 and len(runner.running) == 2
    gate.set()
    for job_id in jobs:
        _until(_done(state, job_id))
        assert _job(state, job_id).status == JobStatus.done
    assert peak[0] == 2


def test_transient_errors_are_retried(state: State) -> None:
    fake, calls = state.jobs.extract, [0]

    def flaky(document, name, settings):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == 1:
            raise ConnectionError("endpoint went away")
        return fake(document, name, settings)

    state.jobs.extract = flaky
    doc_id, job_id = _submit(state)
    state.runner.start()
    _until(_done(state, job_id))
    job = _job(state, job_id)
    assert job.status == JobStatus.done and job.attempts == 2 and calls[0] == 2


def test_persistent_errors_fail_after_max_attempts_with_a_readable_error(state: State) -> None:
    def broken(document, name, settings):  # type: ignore[no-untyped-def]
        raise RuntimeError("parser bug")

    state.jobs.extract = broken
    doc_id, job_id = _submit(state)
    state.runner.start()
    _until(_done(state, job_id))
    job = _job(state, job_id)
    assert job.status == JobStatus.failed and job.attempts == 3
    with read_session(state.engine) as session:
        doc = session.get(StoredDocument, doc_id)
    assert doc is not None and doc.status == "failed"
    assert doc.error is not None and doc.error["code"] == "internal_error"
    assert "RuntimeError: parser bug" in doc.error["detail"] and doc.error["message_zh"]


def test_bad_input_fails_at_once(state: State) -> None:
    def refuse(document, name, settings):  # type: ignore[no-untyped-def]
        raise EmptyFileError("nothing but a cover page")

    state.jobs.extract = refuse
    doc_id, job_id = _submit(state)
    assert run_job(job_id, state.jobs) == "failed"
    job = _job(state, job_id)
    assert job.attempts == 1 and job.error["code"] == "empty_file"  # type: ignore[index]
    assert run_job(job_id, state.jobs) == "skipped"


def test_a_worker_that_lost_its_job_discards_its_result(state: State) -> None:
    fake = state.jobs.extract
    doc_id, job_id = _submit(state)

    def stolen(document, name, settings):  # type: ignore[no-untyped-def]
        with transaction(state.engine) as session:  # meanwhile another worker took over
            session.exec(update(Job).where(col(Job.id) == job_id).values(worker_id="thief"))
        return fake(document, name, settings)

    state.jobs.extract = stolen
    job = queue.claim(state.engine, "me", 30, job_id=job_id)
    assert job is not None
    assert process(job, state.jobs, "me") == "lost"
    with read_session(state.engine) as session:
        assert session.exec(select(Extraction)).all() == []


def test_expired_lease_is_recovered_on_restart(state: State) -> None:
    """A crash mid-job, simulated: the job is left 'processing' by a worker on another host
    whose lease has run out; a freshly started runner finishes it."""
    doc_id, job_id = _submit(state)
    assert queue.claim(state.engine, "otherhost:1:crashed", 30, job_id=job_id) is not None
    with transaction(state.engine) as session:
        session.exec(
            update(Job)
            .where(col(Job.id) == job_id)
            .values(lease_until=utcnow() - timedelta(seconds=5))
        )
    state.runner.start()
    _until(_done(state, job_id))
    job = _job(state, job_id)
    assert job.status == JobStatus.done and job.attempts == 2
    with read_session(state.engine) as session:
        doc = session.get(StoredDocument, doc_id)
        assert doc is not None and doc.status == "done" and doc.extraction_version == 1


def test_stop_hands_running_jobs_back(state: State) -> None:
    gate, started = threading.Event(), threading.Event()
    fake = state.jobs.extract

    def blocking(document, name, settings):  # type: ignore[no-untyped-def]
        started.set()
        gate.wait(10)
        return fake(document, name, settings)

    state.jobs.extract = blocking
    doc_id, job_id = _submit(state)
    state.runner.start()
    assert started.wait(10)
    state.runner.stop(timeout=0.2)
    job = _job(state, job_id)
    assert job.status == JobStatus.queued and job.attempts == 0
    gate.set()  # the abandoned thread finishes and must not write
    time.sleep(0.3)
    state.jobs.extract = fake
    assert run_job(job_id, state.jobs) == "done"


_CRASHING_WORKER = """
import time
from service.app import build_state
from service.config import Settings
from service.jobs.runner import EmbeddedRunner

def stuck(document, extractor, settings):
    print("STARTED", flush=True)
    time.sleep(600)

state = build_state(Settings(), extract=stuck)
EmbeddedRunner(state.jobs).start()
time.sleep(600)
"""


def test_killed_worker_process_loses_nothing(
    state: State, settings: Settings, tmp_path: Path
) -> None:
    """A real crash: a worker process is SIGKILLed mid-job; the next runner on this host
    sees its process is gone, takes the job over at once (not after the lease) and
    finishes it from the stored file."""
    doc_id, job_id = _submit(state)
    env = {
        **os.environ,
        "JIXIAO_DATABASE_URL": settings.resolved_database_url,
        "JIXIAO_DATA_DIR": str(settings.data_dir),
        "JIXIAO_WORKERS__POLL_SECONDS": "0.05",
        "JIXIAO_WORKERS__LEASE_SECONDS": "3600",
        "JIXIAO_WORKERS__ISOLATION": "thread",  # `stuck` lives in __main__: no pickling
        "PYTHONPATH": str(REPO_ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_WORKER],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = os_select.select([proc.stdout], [], [], 60)
        assert ready, "the worker process did not start the job within 60 s"
        assert proc.stdout.readline().strip() == "STARTED"
        job = _job(state, job_id)
        assert job.status == JobStatus.processing and f":{proc.pid}:" in (job.worker_id or "")
    finally:
        proc.kill()
        proc.wait(10)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert _job(state, job_id).status == JobStatus.processing  # the lease is still an hour
    state.runner.start()
    _until(_done(state, job_id))
    job = _job(state, job_id)
    assert job.status == JobStatus.done and job.attempts == 2
    with read_session(state.engine) as session:
        doc = session.get(StoredDocument, doc_id)
        assert doc is not None and doc.status == "done"
        assert state.files.exists(doc.sha256)
        assert len(session.exec(select(Extraction)).all()) == 1


def test_jixiao_worker_runs_jobs_without_the_api(
    state: State, settings: Settings, tmp_path: Path
) -> None:
    """Scale-out: a separate `jixiao worker` process takes jobs from the shared database."""
    data = (seeds_dir() / "002_8a698bcfafd5a356.txt").read_bytes()
    accepted = accept_upload(
        state.engine,
        state.files,
        data,
        check_upload(data, "002.txt", state.settings.limits),
        filename="002.txt",
        uploaded_by="test",
    )
    assert accepted.job is not None
    env = {
        **os.environ,
        "JIXIAO_DATABASE_URL": settings.resolved_database_url,
        "JIXIAO_DATA_DIR": str(settings.data_dir),
        "JIXIAO_WORKERS__POLL_SECONDS": "0.1",
        "JIXIAO_WORKERS__EXTRACTOR": "rules",
        "PYTHONPATH": str(REPO_ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _until(_done(state, accepted.job.id or 0), timeout=120)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    job = _job(state, accepted.job.id or 0)
    assert job.status == JobStatus.done and (job.worker_id or "").split(":")[1] == str(proc.pid)
