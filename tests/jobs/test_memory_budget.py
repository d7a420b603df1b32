"""The memory budget of a job: a job that allocates past it fails with ``job_too_large``
(typed, in the API), is tried once, and the job behind it runs — in the embedded runner
and in a Celery worker alike (both run the heavy part in ``service.jobs.isolation``).

The hungry extractor asks for up to 2 GiB in 32 MiB pieces; under a 256 MiB budget the
allocation fails near 256 MiB, so a test never holds more than that.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.document import Document
from service.jobs.isolation import JobTooLargeError, ProcessPool
from service.store.tables import StoredDocument
from service.ui.worklist import failure_text
from tests.api.conftest import ADMIN_KEY, FakeExtractor, make_settings, report_text, upload
from tests.jobs.test_celery import (
    REPO_ROOT,
    broker_settings,
    jobs_of,
    redis_url,  # noqa: F401 (a fixture)
    statuses,
    wait_until,
)

HEADERS = {"X-API-Key": ADMIN_KEY}
BUDGET_MB = 256
HUNGRY_LINE = "吃内存: 是"


def allocate(mib: int) -> int:
    """Hold ``mib`` MiB (touched, so it is really taken) in 32 MiB pieces; returns the pid."""
    pieces = [bytearray(32 * 2**20) for _ in range(mib // 32)]
    assert sum(len(p) for p in pieces) == (mib // 32) * 32 * 2**20
    return os.getpid()


def hungry_extract(document: Document, extractor: str, settings: Settings) -> Any:
    """Reads ``report_text`` like ``FakeExtractor``; a report with the hungry line first
    allocates 2 GiB, as a pathological file makes a reader do."""
    if HUNGRY_LINE in document.text:
        allocate(2048)
    return FakeExtractor()(document, extractor, settings)


# --- the pool -----------------------------------------------------------------------------


def test_an_allocation_over_the_budget_fails_typed_and_the_worker_lives_on() -> None:
    pool = ProcessPool(1)
    try:
        pid = pool.run(allocate, 64, memory_mb=BUDGET_MB)  # well within: runs
        with pytest.raises(JobTooLargeError) as caught:
            pool.run(allocate, 2048, memory_mb=BUDGET_MB)
        assert caught.value.code == "job_too_large"
        assert f"{BUDGET_MB} MiB" in (caught.value.detail or "")
        # the same process takes the next task, with its memory given back and the cap lifted
        assert pool.run(allocate, 64, memory_mb=BUDGET_MB) == pid
        assert pool.run(allocate, 384) == pid  # no budget: more than the last one allowed
    finally:
        pool.shutdown()


def test_the_budget_counts_from_the_tasks_start_not_the_processes() -> None:
    """Each task gets the whole budget, however large its worker process has grown."""
    pool = ProcessPool(1)
    try:
        pool.run(_grow, 192)  # the process keeps 192 MiB between tasks
        assert isinstance(pool.run(allocate, 192, memory_mb=BUDGET_MB), int)
    finally:
        pool.shutdown()


def map_region(mib: int) -> int:
    """Map ``mib`` MiB as a native library does (mmap): a refused mapping is an ``OSError``,
    not a ``MemoryError``."""
    import mmap

    with mmap.mmap(-1, mib * 2**20) as region:
        region[0] = 1
    return os.getpid()


@dataclass
class Failed:
    """A task's failure reported as a result (as the job's heavy part reports bad input)."""

    message: str
    failed: ClassVar[bool] = True


def fail_after_mapping(mib: int) -> Failed:
    """Runs into the budget inside a library that says so in its own words."""
    try:
        map_region(mib)
    except OSError as exc:
        return Failed(f"cannot load the engine: {exc}")
    return Failed("no memory trouble")


def raise_value_error() -> None:
    raise ValueError("an ordinary bug")


def test_a_native_allocation_refused_at_the_budget_is_job_too_large_too() -> None:
    pool = ProcessPool(1)
    try:
        with pytest.raises(JobTooLargeError):
            pool.run(map_region, 2048, memory_mb=BUDGET_MB)
        with pytest.raises(JobTooLargeError):
            pool.run(fail_after_mapping, 2048, memory_mb=BUDGET_MB)
        # failures far from the budget keep their own meaning
        assert pool.run(fail_after_mapping, 16, memory_mb=BUDGET_MB).message == (
            "no memory trouble"
        )
        with pytest.raises(ValueError, match="ordinary bug"):
            pool.run(raise_value_error, memory_mb=BUDGET_MB)
    finally:
        pool.shutdown()


_KEPT: list[bytearray] = []


def _grow(mib: int) -> None:
    _KEPT.append(bytearray(mib * 2**20))


# --- embedded runner ------------------------------------------------------------------------


def test_a_job_over_its_memory_budget_fails_typed_once_and_the_queue_moves_on(
    tmp_path: Path, clean_database: str
) -> None:
    settings = make_settings(
        tmp_path,
        clean_database,
        workers={"isolation": "process", "count": 1, "memory_mb": BUDGET_MB},
    )
    with TestClient(create_app(settings, extract=hungry_extract)) as client:
        hungry = upload(client, HEADERS, report_text(tag="h") + f"{HUNGRY_LINE}\n".encode())
        after = upload(client, HEADERS, report_text(department="后来局"))
        wait_until(
            lambda: set(statuses(client, [hungry["id"], after["id"]])) <= {"done", "failed"},
            120,
            "finished",
        )
        failed = client.get(f"/documents/{hungry['id']}", headers=HEADERS).json()
        done = client.get(f"/documents/{after['id']}", headers=HEADERS).json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "job_too_large", failed["error"]
    assert "内存" in failed["error"]["message_zh"] and "memory" in failed["error"]["message"]
    assert done["status"] == "done" and done["department"] == "后来局"
    by_document = {job.document_id: job for job in jobs_of(settings)}
    assert by_document[hungry["id"]].attempts == 1  # not retried: it would fail again
    # the reviewer's queue says it in plain words
    stored = StoredDocument(id=hungry["id"], sha256="0" * 64, error=failed["error"])
    assert "内存" in failure_text(stored, "zh") and "memory" in failure_text(stored, "en")


# --- Celery worker --------------------------------------------------------------------------


@pytest.fixture
def celery_worker_env(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=10)
    log = tmp_path / "worker.log"
    if log.is_file():  # shown when the test failed
        print(log.read_text(errors="replace")[-3000:])


def test_a_celery_job_over_its_memory_budget_fails_typed_and_the_next_runs(
    tmp_path: Path,
    clean_database: str,
    redis_url: str,  # noqa: F811
    celery_worker_env: list[subprocess.Popen[bytes]],
) -> None:
    settings = broker_settings(tmp_path, clean_database, redis_url)
    with TestClient(create_app(settings, extract=hungry_extract)) as client:
        hungry = upload(client, HEADERS, report_text(tag="c") + f"{HUNGRY_LINE}\n".encode())
        after = upload(client, HEADERS, report_text(department="排队局"))
        celery_worker_env.append(_celery_worker(settings, tmp_path / "worker.log"))
        wait_until(
            lambda: set(statuses(client, [hungry["id"], after["id"]])) <= {"done", "failed"},
            120,
            "finished",
        )
        failed = client.get(f"/documents/{hungry['id']}", headers=HEADERS).json()
        done = client.get(f"/documents/{after['id']}", headers=HEADERS).json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "job_too_large"
    assert done["status"] == "done" and done["department"] == "排队局"
    by_document = {job.document_id: job for job in jobs_of(settings)}
    assert by_document[hungry["id"]].attempts == 1
    assert ":celery:" in (by_document[hungry["id"]].worker_id or "")


def _celery_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """``jixiao worker``'s Celery worker with process isolation and the budget."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "JIXIAO_DATA_DIR": str(settings.data_dir),
        "JIXIAO_DATABASE_URL": settings.resolved_database_url,
        "JIXIAO_QUEUE__BROKER_URL": settings.queue.broker_url or "",
        "JIXIAO_QUEUE__PREFIX": settings.queue.prefix,
        "JIXIAO_WORKERS__ISOLATION": "process",
        "JIXIAO_WORKERS__MEMORY_MB": str(BUDGET_MB),
        "JIXIAO_WORKERS__LEASE_SECONDS": str(settings.workers.lease_seconds),
        "JIXIAO_WORKERS__HEARTBEAT_SECONDS": str(settings.workers.heartbeat_seconds),
        "JIXIAO_AUTH__BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.test_memory_budget"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


if __name__ == "__main__":  # the Celery worker subprocess of the test above
    from service.jobs.celery_app import run_worker
    from tests.jobs.test_memory_budget import hungry_extract as by_name  # pickles by name

    run_worker(Settings(), None, 1, extract=by_name)
