"""Faults of the services under the Celery engine: Redis restarted mid-batch, PostgreSQL
stopped mid-job. Every upload ends done, read once, with one attempt and one extraction.

Both servers are our own (``eval/throwaway.py``): a ``redis-server`` without persistence on
a free port, so a restart loses every message, and a PostgreSQL cluster made with
``initdb`` in a temporary folder on a free port; the machine's shared servers are never
restarted. Missing binaries fail the tests (CI installs both). The API runs in this
process, the worker in a subprocess (``tests.jobs.test_celery.Worker``, whose extractor
sleeps ``慢: N`` seconds so a fault can land while a job runs). eval/fault_runs.py runs the
same faults on a mixed batch with OCR.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError, OperationalError

from eval.throwaway import MissingServerError, ThrowawayPostgres, ThrowawayRedis
from service.app import create_app
from service.jobs.worker import database_away
from service.store.engine import make_engine
from service.store.migrate import upgrade
from tests.api.conftest import FakeExtractor, report_text, upload
from tests.jobs.test_celery import (
    HEADERS,
    Worker,
    broker_settings,
    extraction_counts,
    jobs_of,
    wait_until,
    workers,  # noqa: F401 (a fixture)
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    try:
        server = ThrowawayPostgres().start()
    except MissingServerError as exc:
        pytest.fail(f"the fault tests need a PostgreSQL of their own: {exc}")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_server() -> Iterator[ThrowawayRedis]:
    try:
        server = ThrowawayRedis().start()
    except MissingServerError as exc:
        pytest.fail(f"the fault tests need a Redis of their own: {exc}")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def database(postgres: ThrowawayPostgres) -> str:
    url = postgres.create_database(f"jixiao_faults_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _documents(client: TestClient, ids: list[str]) -> list[dict[str, Any]]:
    return [client.get(f"/documents/{i}", headers=HEADERS).json() for i in ids]


def _all_done(client: TestClient, ids: list[str]) -> bool:
    try:
        return {d["status"] for d in _documents(client, ids)} == {"done"}
    except Exception:  # noqa: BLE001 - the database is still coming back
        return False


def _slow(department: str, seconds: float) -> bytes:
    return report_text(department=department, tag=uuid.uuid4().hex) + f"慢: {seconds}\n".encode()


@pytest.mark.slow  # about 25 s: a worker process, a fault, a recovery
def test_a_redis_restart_mid_batch_loses_no_upload(
    tmp_path: Path,
    database: str,
    redis_server: ThrowawayRedis,
    workers: list[Worker],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = broker_settings(
        tmp_path, database, redis_server.url, reconcile_seconds=0.5, resend_after_seconds=1
    )
    departments = ["一局", "二局", "三局"]
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        ids = [upload(client, HEADERS, _slow(name, 2))["id"] for name in departments]
        workers.append(Worker(settings, tmp_path / "worker.log"))
        wait_until(lambda: "processing" in [j.status for j in jobs_of(settings)], 60, "started")
        with caplog.at_level(logging.WARNING, logger="jixiao.jobs"):
            redis_server.restart(down_seconds=1.0)  # no persistence: every message is gone
            wait_until(lambda: _all_done(client, ids), 60, "all done after the restart")
        docs = _documents(client, ids)
    assert "re-sent" in caplog.text  # the reconciler found what the broker lost
    assert [d["department"] for d in docs] == departments
    jobs = jobs_of(settings)
    assert len(jobs) == 3 and [job.attempts for job in jobs] == [1, 1, 1]
    assert extraction_counts(settings) == dict.fromkeys(ids, 1)


@pytest.mark.slow  # about 25 s: a worker process, a fault, a recovery
def test_postgresql_stopped_mid_job_costs_no_attempt_and_uploads_get_a_typed_503(
    tmp_path: Path,
    database: str,
    postgres: ThrowawayPostgres,
    redis_server: ThrowawayRedis,
    workers: list[Worker],  # noqa: F811
) -> None:
    settings = broker_settings(tmp_path, database, redis_server.url)
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        slow = upload(client, HEADERS, _slow("前局", 3))["id"]
        quick = upload(client, HEADERS, report_text(department="后局"))["id"]
        workers.append(Worker(settings, tmp_path / "worker.log"))
        wait_until(lambda: jobs_of(settings)[0].status == "processing", 60, "started")
        postgres.stop()  # the slow job ends its extraction while the database is away
        started = time.monotonic()
        late = report_text(department="迟局")
        refused = client.post("/documents", files={"files": ("late.txt", late)}, headers=HEADERS)
        looked = client.get(f"/documents/{slow}", headers=HEADERS)
        time.sleep(max(0.0, 8.0 - (time.monotonic() - started)))  # past the lease (4 s)
        postgres.start()
        again = upload(client, HEADERS, late)["id"]  # what a client does after a 503
        ids = [slow, quick, again]
        wait_until(lambda: _all_done(client, ids), 60, "all done after the outage")
        docs = _documents(client, ids)
    for answer in (refused, looked):  # a typed error the client can retry, not a 500
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5", answer.text
        error = answer.json()["error"]
        assert (error["code"], error["message_zh"]) == (
            "database_unavailable",
            "数据库暂时无法访问，请稍后重试。",
        )
    assert [d["department"] for d in docs] == ["前局", "后局", "迟局"]
    jobs = jobs_of(settings)
    # no attempt spent on the outage, and the slow job's work was stored, not done again
    assert [(job.status, job.attempts) for job in jobs] == [("done", 1)] * 3
    assert extraction_counts(settings) == {slow: 1, quick: 1, again: 1}
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "database unreachable" in log  # the slow job's write waited the outage out


@pytest.mark.parametrize(
    ("orig", "away"),
    [
        (psycopg.OperationalError("connection failed: Connection refused"), True),
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("no such table: jobs"), False),  # a bug, not an outage
    ],
)
def test_what_counts_as_the_database_being_away(orig: Exception, away: bool) -> None:
    assert database_away(OperationalError("UPDATE jobs", {}, orig)) is away


def test_a_bad_query_is_no_outage() -> None:
    constraint = IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key"))
    assert not database_away(constraint)
    assert not database_away(ValueError("not a database error"))


def test_a_dead_workers_job_is_resent_once_while_its_copy_waits_and_again_when_lost(
    tmp_path: Path, database: str, redis_server: ThrowawayRedis
) -> None:
    """No worker runs, so every message stays in Redis where the pass can count it."""
    from service.jobs.celery_app import make_celery
    from service.jobs.reconcile import broker_depth, reconcile
    from service.store.engine import transaction
    from service.store.tables import Job
    from service.store.types import utcnow

    settings = broker_settings(
        tmp_path, database, redis_server.url, reconcile_seconds=3600, resend_after_seconds=5
    )
    app = create_app(settings, extract=FakeExtractor())
    with TestClient(app) as client:
        doc_id = upload(client, HEADERS, report_text())["id"]
        ctx, celery = app.state.jixiao.jobs, make_celery(settings)
        wait_until(lambda: broker_depth(ctx, celery) == 1, 10, "sent")
        (job,) = jobs_of(settings)
        long_ago = utcnow() - timedelta(seconds=60)
        with transaction(ctx.engine) as session:  # its worker died mid-job a minute ago
            row = session.get(Job, job.id)
            assert row is not None
            row.status, row.worker_id = "processing", "elsewhere:1:celery"
            row.lease_until, row.heartbeat_at = long_ago, long_ago - timedelta(seconds=4)
            session.add(row)
        assert reconcile(ctx, celery).resent == [job.id]
        assert broker_depth(ctx, celery) == 2  # the first message, and the re-sent copy
        later = utcnow() + timedelta(seconds=30)  # its copy waits behind a long queue
        assert reconcile(ctx, celery, now=later).resent == []
        assert broker_depth(ctx, celery) == 2
        redis_server.restart()  # the copies are lost with the rest
        report = reconcile(ctx, celery, now=later + timedelta(seconds=30))
        assert (report.resent, report.in_broker) == ([job.id], 0), report.summary()
        assert broker_depth(ctx, celery) == 1
    assert doc_id
