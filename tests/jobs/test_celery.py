"""The Celery engine against a real Redis (and once RabbitMQ): workers in subprocesses.

Each test run takes a Redis database of its own (the first empty one, claimed with SET NX)
and queue names of its own (a random prefix), so parallel runs do not meet. The API runs
in this process (its ``CeleryRunner`` sends jobs); the workers run as ``run_worker`` in
subprocesses started from this file (``python -m tests.jobs.test_celery``) with the
``FakeExtractor`` report format, which sleeps ``慢: N`` seconds so a test can kill a worker
mid-task. Redis and RabbitMQ are started by ``.ci/run``; an unreachable broker fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from service.app import create_app
from service.config import Settings
from service.document import Document
from service.store.engine import make_engine, read_session
from service.store.tables import Extraction, Job
from tests.api.conftest import ADMIN_KEY, FakeExtractor, make_settings, report_text, upload

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST = os.environ.get("JIXIAO_TEST_REDIS_HOST", "127.0.0.1")
AMQP_URL = os.environ.get("JIXIAO_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
HEADERS = {"X-API-Key": ADMIN_KEY}


class SlowFakeExtractor(FakeExtractor):
    """``FakeExtractor`` that first sleeps the seconds a ``慢: N`` line asks for."""

    def __call__(self, document: Document, extractor: str, settings: Settings) -> Any:
        for line in document.text.splitlines():
            if line.startswith("慢: "):
                time.sleep(float(line.split(": ", 1)[1]))
        return super().__call__(document, extractor, settings)


def slow_report(seconds: float) -> bytes:
    return report_text(tag=uuid.uuid4().hex) + f"慢: {seconds}\n".encode()


# --- brokers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A Redis database no other run uses: the first empty one, claimed with SET NX."""
    import redis

    for db in range(15, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=6379, db=db, socket_timeout=3)
        try:
            claimed = client.dbsize() == 0 and client.set("jixiao-test-run", "1", nx=True, ex=900)
        except redis.ConnectionError as exc:
            pytest.fail(f"Redis at {REDIS_HOST}:6379 is not reachable ({exc}); .ci/run starts it")
        if claimed:
            try:
                yield f"redis://{REDIS_HOST}:6379/{db}"
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    pytest.fail("no empty Redis database (1-15) to run in")


def broker_settings(tmp_path: Path, database_url: str, broker_url: str, **queue: Any) -> Settings:
    prefix = f"t{uuid.uuid4().hex[:10]}-"
    return make_settings(
        tmp_path,
        database_url,
        queue={"broker_url": broker_url, "prefix": prefix, **queue},
        workers={"lease_seconds": 4.0, "heartbeat_seconds": 0.5, "retry_delay_seconds": 0.5},
    )


class Worker:
    """``jixiao worker``'s Celery worker in a subprocess (its own process group)."""

    def __init__(self, settings: Settings, log: Path, concurrency: int = 1) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "JIXIAO_DATA_DIR": str(settings.data_dir),
            "JIXIAO_DATABASE_URL": settings.resolved_database_url,
            "JIXIAO_QUEUE__BROKER_URL": settings.queue.broker_url or "",
            "JIXIAO_QUEUE__PREFIX": settings.queue.prefix,
            "JIXIAO_QUEUE__VISIBILITY_TIMEOUT_SECONDS": "3",
            "JIXIAO_WORKERS__ISOLATION": "thread",
            "JIXIAO_WORKERS__LEASE_SECONDS": str(settings.workers.lease_seconds),
            "JIXIAO_WORKERS__HEARTBEAT_SECONDS": str(settings.workers.heartbeat_seconds),
            "JIXIAO_WORKERS__RETRY_DELAY_SECONDS": "0.5",
            "JIXIAO_AUTH__BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            "JIXIAO_TEST_WORKER_CONCURRENCY": str(concurrency),
        }
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.jobs.test_celery"],
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """kill -9 of the whole worker (a host lost: no chance to hand anything back)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()
    for worker in started:  # shown when the test failed
        print(worker.log.read_text(errors="replace")[-3000:])


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {timeout:.0f} s")
        time.sleep(0.1)


def jobs_of(settings: Settings) -> list[Job]:
    engine = make_engine(settings.resolved_database_url)
    try:
        with read_session(engine) as session:
            return list(session.exec(select(Job).order_by(Job.id)).all())
    finally:
        engine.dispose()


def extraction_counts(settings: Settings) -> dict[str, int]:
    engine = make_engine(settings.resolved_database_url)
    try:
        with read_session(engine) as session:
            rows = session.exec(select(Extraction.document_id)).all()
    finally:
        engine.dispose()
    counts: dict[str, int] = {}
    for document_id in rows:
        counts[document_id] = counts.get(document_id, 0) + 1
    return counts


def statuses(client: TestClient, ids: list[str]) -> list[str]:
    return [client.get(f"/documents/{i}", headers=HEADERS).json()["status"] for i in ids]


# --- tests --------------------------------------------------------------------------------


def test_upload_is_done_through_celery_and_readyz_reports_the_broker(
    tmp_path: Path, clean_database: str, redis_url: str, workers: list[Worker]
) -> None:
    settings = broker_settings(tmp_path, clean_database, redis_url)
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        ready = client.get("/readyz")  # the broker answers, no worker yet: not ready
        assert ready.status_code == 503, ready.text
        assert ready.json()["error"]["context"]["broker"] == "ok", ready.text
        item = upload(client, HEADERS, report_text(department="网格局"))
        time.sleep(1.0)  # no worker yet: the job waits in the broker, not in this process
        assert statuses(client, [item["id"]]) == ["queued"]
        workers.append(Worker(settings, tmp_path / "worker.log"))
        wait_until(lambda: statuses(client, [item["id"]]) == ["done"], 60, "done")
        doc = client.get(f"/documents/{item['id']}", headers=HEADERS).json()
    assert doc["department"] == "网格局" and doc["extraction"]["extractor"] == "fake", str(doc)[
        :3000
    ]
    (job,) = jobs_of(settings)
    assert (job.status, job.attempts) == ("done", 1)
    assert job.worker_id and ":celery:" in job.worker_id  # run by the Celery worker


def test_readyz_is_not_ready_when_the_broker_is_unreachable(
    tmp_path: Path, clean_database: str
) -> None:
    settings = broker_settings(tmp_path, clean_database, "redis://127.0.0.1:1/0")
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    error = ready.json()["error"]
    assert error["code"] == "not_ready" and error["context"]["runner"] == "ok"
    assert error["context"]["broker"].startswith("unreachable")


def test_a_worker_killed_mid_task_loses_nothing_and_runs_nothing_twice(
    tmp_path: Path, clean_database: str, redis_url: str, workers: list[Worker]
) -> None:
    settings = broker_settings(tmp_path, clean_database, redis_url)
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        slow = upload(client, HEADERS, slow_report(8))
        quick = upload(client, HEADERS, report_text())
        first = Worker(settings, tmp_path / "worker1.log")
        workers.append(first)
        wait_until(lambda: statuses(client, [slow["id"]]) == ["processing"], 60, "processing")
        first.kill()  # mid-task: the slow job holds the worker for 8 s
        workers.append(Worker(settings, tmp_path / "worker2.log", concurrency=2))
        wait_until(lambda: set(statuses(client, [slow["id"], quick["id"]])) == {"done"}, 90, "done")
    by_document = {job.document_id: job for job in jobs_of(settings)}
    assert len(by_document) == 2 and len(jobs_of(settings)) == 2
    # the killed attempt counts, the redelivered one finished; one extraction per document
    assert by_document[slow["id"]].attempts == 2
    assert by_document[quick["id"]].attempts == 1
    assert extraction_counts(settings) == {slow["id"]: 1, quick["id"]: 1}


def test_after_a_redis_flush_the_reconciler_resends_and_every_upload_ends_done(
    tmp_path: Path, clean_database: str, redis_url: str, workers: list[Worker]
) -> None:
    import redis

    from service.jobs.celery_app import make_celery
    from service.jobs.reconcile import reconcile

    # automatic reconciling off (a pass at start only): the test runs the pass itself
    settings = broker_settings(
        tmp_path, clean_database, redis_url, reconcile_seconds=3600, resend_after_seconds=1
    )
    app = create_app(settings, extract=FakeExtractor())
    with TestClient(app) as client:
        ids = [upload(client, HEADERS, slow_report(1.5))["id"] for _ in range(6)]
        workers.append(Worker(settings, tmp_path / "worker.log"))
        wait_until(lambda: "processing" in statuses(client, ids), 60, "started")
        redis.Redis.from_url(redis_url).flushdb()  # every waiting message is gone
        time.sleep(1.5)  # past resend_after_seconds
        ctx = app.state.jixiao.jobs
        celery = make_celery(settings)
        lost = {job.id for job in jobs_of(settings) if job.status == "queued"}
        assert len(lost) >= 4  # one job runs, at most one more finished meanwhile
        report = reconcile(ctx, celery)
        assert report.in_broker == 0, report.summary()
        # every lost job is re-sent, except one the worker had prefetched and started since
        started = {job.id for job in jobs_of(settings) if job.status != "queued"}
        assert set(report.resent) <= lost and lost - set(report.resent) <= started
        assert len(report.resent) >= 3, report.summary()
        again = reconcile(ctx, celery)  # a second pass right away sends nothing twice
        assert again.resent == [] and again.sent_new == [], again.summary()
        wait_until(lambda: set(statuses(client, ids)) == {"done"}, 120, "all done")
    jobs = jobs_of(settings)
    print(f"{len(ids)} uploads: {len(jobs)} jobs, {report.summary()}")
    assert len(jobs) == len(ids) and all(job.attempts == 1 for job in jobs)
    assert extraction_counts(settings) == dict.fromkeys(ids, 1)


def test_reconcile_leaves_a_long_queue_alone_and_resends_a_dead_workers_job(
    tmp_path: Path, clean_database: str, redis_url: str
) -> None:
    """No worker runs: the messages stay in Redis, so the pass can count them."""
    from datetime import timedelta

    from service.jobs.celery_app import make_celery
    from service.jobs.reconcile import broker_depth, reconcile
    from service.store.engine import transaction
    from service.store.types import utcnow

    settings = broker_settings(
        tmp_path, clean_database, redis_url, reconcile_seconds=3600, resend_after_seconds=1
    )
    app = create_app(settings, extract=FakeExtractor())
    with TestClient(app) as client:
        ids = [upload(client, HEADERS, report_text())["id"] for _ in range(3)]
        ctx, celery = app.state.jixiao.jobs, make_celery(settings)
        wait_until(lambda: broker_depth(ctx, celery) == 3, 10, "sent")
        time.sleep(1.2)  # every job handed over longer ago than resend_after_seconds
        waiting = reconcile(ctx, celery)
        assert (waiting.queued, waiting.in_broker, waiting.resent) == (3, 3, []), waiting
        # a worker died holding the first job, and its message went with the broker's
        first = min(job.id or 0 for job in jobs_of(settings))
        long_ago = utcnow() - timedelta(seconds=30)
        with transaction(ctx.engine) as session:
            job = session.get(Job, first)
            assert job is not None
            job.status, job.worker_id = "processing", "elsewhere:1:celery"
            job.lease_until, job.heartbeat_at = long_ago, long_ago
            session.add(job)
        report = reconcile(ctx, celery)
        assert report.resent == [first] and broker_depth(ctx, celery) == 4, report
        assert reconcile(ctx, celery).resent == []  # looked after now: not sent again at once
    assert len(ids) == 3


def test_rabbitmq_carries_an_upload_to_done(
    tmp_path: Path, clean_database: str, workers: list[Worker]
) -> None:
    settings = broker_settings(tmp_path, clean_database, AMQP_URL)
    try:
        with TestClient(create_app(settings, extract=FakeExtractor())) as client:
            ids = [upload(client, HEADERS, report_text())["id"] for _ in range(3)]
            workers.append(Worker(settings, tmp_path / "worker.log", concurrency=2))
            wait_until(lambda: set(statuses(client, ids)) == {"done"}, 60, "done")
            checks = client.get("/readyz").json()["checks"]  # the worker answers over AMQP
            assert checks["broker"] == "ok" and checks["workers"]["answering"] == 1
        assert extraction_counts(settings) == dict.fromkeys(ids, 1)
    finally:
        _delete_amqp_queues(settings)


def _delete_amqp_queues(settings: Settings) -> None:
    from service.jobs.celery_app import QUEUES, make_celery, queue_name

    with make_celery(settings).connection_for_write() as conn:
        for kind in QUEUES:
            with conn.channel() as channel, contextlib.suppress(Exception):  # never declared
                channel.queue_delete(queue=queue_name(settings, kind))


if __name__ == "__main__":  # a worker subprocess of the tests above
    from service.jobs.celery_app import run_worker

    run_worker(
        Settings(),
        None,
        int(os.environ["JIXIAO_TEST_WORKER_CONCURRENCY"]),
        extract=SlowFakeExtractor(),
    )
