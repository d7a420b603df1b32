"""Jobs in worker processes: the real pipeline runs there, and a dying worker is survived."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from service.app import build_state, prepare
from service.config import Settings
from service.jobs.intake import accept_upload, check_upload
from service.jobs.isolation import ProcessPool, WorkerCrashedError
from service.store.engine import read_session
from service.store.tables import Job, StoredDocument
from tests.api.conftest import make_settings
from tests.conftest import seeds_dir


def die(document: Any, extractor: str, settings: Settings) -> Any:
    """An extractor that kills its process, like a segfault in a native library would."""
    os._exit(11)


def _square(x: int) -> int:
    return x * x


@pytest.fixture
def process_settings(tmp_path, clean_database: str) -> Settings:  # type: ignore[no-untyped-def]
    return make_settings(tmp_path, clean_database, workers={"isolation": "process", "count": 1})


def _run(settings: Settings, extract: Any = None) -> Iterator[Any]:
    state = build_state(settings, extract=extract)
    prepare(state)
    state.runner.start()
    try:
        yield state
    finally:
        state.runner.stop(timeout=2)
        state.engine.dispose()


def _wait(state: Any, job_id: int, timeout: float = 120) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        with read_session(state.engine) as session:
            job = session.get(Job, job_id)
        assert job is not None
        if job.status in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job.status}"
        time.sleep(0.1)


def _submit(state: Any, data: bytes, name: str) -> tuple[str, int]:
    accepted = accept_upload(
        state.engine,
        state.files,
        data,
        check_upload(data, name, state.settings.limits),
        filename=name,
        uploaded_by="test",
    )
    assert accepted.job is not None and accepted.job.id is not None
    return accepted.document.id, accepted.job.id


def test_the_real_pipeline_runs_in_a_worker_process(process_settings: Settings) -> None:
    for state in _run(process_settings):
        data = (seeds_dir() / "000_de21ebe0f04bc952.txt").read_bytes()
        doc_id, job_id = _submit(state, data, "000.txt")
        job = _wait(state, job_id)
        assert job.status == "done", job.error
        with read_session(state.engine) as session:
            doc = session.get(StoredDocument, doc_id)
        assert doc is not None and doc.fiscal_year == 2021
        assert doc.department is not None and "益阳" in doc.department
        assert state.files.get_derived(doc.sha256, "document.json.gz")


def test_a_dying_worker_process_costs_a_retry_not_the_service(
    process_settings: Settings,
) -> None:
    for state in _run(process_settings, extract=die):
        doc_id, job_id = _submit(state, b"any report text\n", "r.txt")
        job = _wait(state, job_id)
        assert job.status == "failed" and job.attempts == job.max_attempts == 3
        assert job.error is not None and job.error["code"] == "worker_crashed"
        assert state.runner.alive  # the API process and its runner are still there


def test_pool_recovers_after_a_crash() -> None:
    pool = ProcessPool(1)
    try:
        assert pool.run(_square, 7) == 49
        with pytest.raises(WorkerCrashedError):
            pool.run(os._exit, 3)
        assert pool.run(_square, 3) == 9
    finally:
        pool.shutdown()
