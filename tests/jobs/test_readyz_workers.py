"""``/readyz`` with a broker: ready only while at least one Celery worker of this
deployment answers; how many consume each queue. Against a real Redis (.ci/run starts it);
the worker runs in a subprocess, consuming only the queues a test names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.api.conftest import ADMIN_KEY, FakeExtractor
from tests.jobs.test_celery import (
    REPO_ROOT,
    broker_settings,
    redis_url,  # noqa: F401 (a fixture)
    wait_until,
)


def _readiness(client: TestClient) -> tuple[int, dict[str, Any]]:
    answer = client.get("/readyz")
    body = answer.json()
    checks = body["checks"] if answer.status_code == 200 else body["error"]["context"]
    return answer.status_code, checks


@pytest.fixture
def worker_procs(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    log = tmp_path / "worker.log"
    if log.is_file():  # shown when the test failed
        print(log.read_text(errors="replace")[-3000:])


def test_readyz_counts_the_workers_per_queue_and_is_not_ready_without_one(
    tmp_path: Path,
    clean_database: str,
    redis_url: str,  # noqa: F811
    worker_procs: list[subprocess.Popen[bytes]],
) -> None:
    settings = broker_settings(tmp_path, clean_database, redis_url)
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        status, checks = _readiness(client)
        assert status == 503 and checks["broker"] == "ok"
        assert checks["workers"] == {"answering": 0, "queues": {"ocr": 0, "extract": 0, "llm": 0}}
        worker = _worker(settings, tmp_path / "worker.log", "ocr,llm")
        worker_procs.append(worker)
        wait_until(lambda: _readiness(client)[0] == 200, 60, "ready")
        status, checks = _readiness(client)
        assert checks["workers"] == {"answering": 1, "queues": {"ocr": 1, "extract": 0, "llm": 1}}
        os.killpg(worker.pid, signal.SIGKILL)  # the only worker is gone
        worker.wait(timeout=10)
        status, checks = _readiness(client)
        assert status == 503 and checks["workers"]["answering"] == 0


def test_workers_of_another_deployment_on_the_same_broker_do_not_count(
    tmp_path: Path,
    clean_database: str,
    redis_url: str,  # noqa: F811
    worker_procs: list[subprocess.Popen[bytes]],
) -> None:
    ours = broker_settings(tmp_path, clean_database, redis_url)
    theirs = broker_settings(tmp_path / "other", clean_database, redis_url)  # another prefix
    worker_procs.append(_worker(theirs, tmp_path / "worker.log", "ocr,extract,llm"))
    with TestClient(create_app(theirs, extract=FakeExtractor())) as client:
        wait_until(lambda: _readiness(client)[0] == 200, 60, "their deployment ready")
    with TestClient(create_app(ours, extract=FakeExtractor())) as client:
        status, checks = _readiness(client)
    assert status == 503 and checks["workers"]["answering"] == 0


def _worker(settings: Settings, log: Path, queues: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "JIXIAO_DATA_DIR": str(settings.data_dir),
        "JIXIAO_DATABASE_URL": settings.resolved_database_url,
        "JIXIAO_QUEUE__BROKER_URL": settings.queue.broker_url or "",
        "JIXIAO_QUEUE__PREFIX": settings.queue.prefix,
        "JIXIAO_WORKERS__ISOLATION": "thread",
        "JIXIAO_AUTH__BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "JIXIAO_TEST_QUEUES": queues,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.test_readyz_workers"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


if __name__ == "__main__":  # a worker subprocess of the tests above
    from service.jobs.celery_app import run_worker

    run_worker(Settings(), os.environ["JIXIAO_TEST_QUEUES"].split(","), 1)
