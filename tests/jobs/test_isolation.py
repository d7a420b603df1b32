"""Jobs in worker processes: the real pipeline runs there, and a dying worker is survived."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.app import build_state, prepare
from service.config import Settings
from service.jobs.intake import accept_upload, check_upload
from service.jobs.isolation import JobTimeoutError, ProcessPool, WorkerCrashedError
from service.jobs.worker import default_extract
from service.store.engine import read_session
from service.store.tables import Job, StoredDocument
from tests.api.conftest import make_settings
from tests.conftest import seeds_dir


def die(document: Any, extractor: str, settings: Settings) -> Any:
    """An extractor that kills its process, like a segfault in a native library would."""
    os._exit(11)


def _square(x: int) -> int:
    return x * x


def slow_when_named_slow(document: Any, extractor: str, settings: Settings) -> Any:
    """Hangs on a file named slow*, like a pathological upload; reads any other normally."""
    if (document.source.filename or "").startswith("slow"):
        time.sleep(120)
    return default_extract(document, extractor, settings)


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


def test_pool_stops_a_task_past_its_timeout() -> None:
    pool = ProcessPool(1)
    try:
        started = time.monotonic()
        with pytest.raises(JobTimeoutError) as caught:
            pool.run(time.sleep, 60, timeout=1.0)
        assert time.monotonic() - started < 20
        assert caught.value.code == "job_timeout"
        assert pool.run(_square, 5) == 25  # a fresh pool takes the next task
    finally:
        pool.shutdown()


def test_a_job_past_the_time_limit_fails_typed_and_the_queue_moves_on(
    tmp_path, clean_database: str
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        tmp_path,
        clean_database,
        # long enough for a fresh worker process to start and read a report on a busy
        # machine (the limit counts from submission), far below the slow file's 120 s
        workers={"isolation": "process", "count": 1, "job_timeout_seconds": 20.0},
    )
    data = (seeds_dir() / "000_de21ebe0f04bc952.txt").read_bytes()
    for state in _run(settings, extract=slow_when_named_slow):
        _, slow_job = _submit(state, data, "slow.txt")
        other_doc, other_job = _submit(state, data.replace(b"2021", b"2020", 1), "next.txt")
        slow = _wait(state, slow_job)
        assert slow.status == "failed"
        assert slow.attempts == 1  # not retried: the same bytes would hang again
        assert (slow.error or {}).get("code") == "job_timeout", slow.error
        other = _wait(state, other_job)
        assert other.status == "done", other.error


_ORPHAN_SCRIPT = """
import sys, time
from service.jobs.isolation import ProcessPool
def main():
    pool = ProcessPool(1)
    pool.run(print, "warm")  # the worker process exists now
    import os
    pid = pool.run(os.getpid)
    open(sys.argv[1], "w").write(str(pid))
    pool.run(time.sleep, 300)
if __name__ == "__main__":
    main()
"""


def test_workers_exit_when_the_server_dies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """kill -9 of the server (as the OOM killer does) must not leave its workers running."""
    import signal
    import subprocess
    import sys

    script = tmp_path / "server.py"
    script.write_text(_ORPHAN_SCRIPT)
    pid_file = tmp_path / "worker.pid"
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen([sys.executable, str(script), str(pid_file)], cwd=root)
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.is_file() and pid_file.read_text()):
            assert time.monotonic() < deadline, "the worker never started"
            assert server.poll() is None, "the server script died"
            time.sleep(0.1)
        worker = int(pid_file.read_text())
        assert _alive(worker)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 15
        while _alive(worker):
            assert time.monotonic() < deadline, "the worker outlived its server"
            time.sleep(0.2)
    finally:
        if server.poll() is None:
            server.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie has exited; it waits only for its (dead) parent's reaping
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.is_file() and stat.read_text().split(") ")[-1].startswith("Z"))
