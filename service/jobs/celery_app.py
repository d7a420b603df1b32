"""Celery as the scale-out engine: the broker delivers job ids, the database keeps the state.

Owns the Celery application (``make_celery``), its tasks (``jixiao.process_job``: run
``worker.run_job`` for one job id; ``jixiao.ocr_pages``: a range of a big scan's pages,
``service.jobs.scan_split``), the queue a job goes to (``ocr``, ``extract``, ``llm``,
so hosts can be specialised), ``CeleryRunner`` (the API side: it sends jobs the API
enqueued) and ``run_worker`` (what ``jixiao worker`` starts when a broker is configured).

The job row stays the record of every job's state and the lock: ``run_job`` claims it with
a conditional UPDATE, so a message delivered twice (a worker killed mid-task, a broker
restored, the reconciler re-sending) runs the job once; a copy that finds the job held by
a live worker waits for its lease and looks again, a copy that finds it done is dropped.

Delivery settings: acks late and rejected when the worker is lost (a task whose worker died
is delivered again), one message prefetched per slot, retries with exponential backoff for
transient errors (the database unreachable), time limits from the job timeout. The heavy
part runs in the same process pool as the embedded runner (``service.jobs.isolation``), so
a pathological file fails with ``job_timeout`` here exactly as it does there.

Imports Celery only here: without the ``scale`` extra nothing else needs it.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError, OperationalError

from service.config import Settings
from service.errors import JixiaoError
from service.jobs.runner import share_cores
from service.jobs.scan_split import (
    PAGE_TASK,
    ScanSplitter,
    looks_scanned,
    run_page_task,
    stale_seconds,
)
from service.jobs.worker import ExtractFn, JobContext, run_job
from service.store import queue
from service.store.engine import read_session
from service.store.files import Storage
from service.store.tables import Job, JobStatus, StoredDocument

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger("jixiao.jobs")

TASK_NAME = "jixiao.process_job"
QUEUES = ("ocr", "extract", "llm")
"""ocr: scans and images (CPU-heavy); llm: jobs that call an LLM (network-bound, and
limited by the endpoint's budget); extract: the rest (text PDFs, DOCX, text)."""

_IMAGE_FORMATS = {"png", "jpeg", "tiff"}
_TRANSIENT = (OperationalError, DBAPIError, ConnectionError, TimeoutError)


def queue_name(settings: Settings, kind: str) -> str:
    return f"{settings.queue.prefix}{kind}"


def visibility_timeout(settings: Settings) -> float:
    workers = settings.workers
    return settings.queue.visibility_timeout_seconds or (
        workers.job_timeout_seconds + workers.lease_seconds
    )


def _transport_options(settings: Settings) -> dict[str, float]:
    """Redis: a task a dead worker held is delivered again once the visibility timeout has
    passed, found by a sweep every quarter of that timeout (at most a minute apart; one
    small Redis query each). Other transports ignore these."""
    timeout = visibility_timeout(settings)
    return {
        "visibility_timeout": timeout,
        "unacked_restore_interval": max(1.0, min(60.0, timeout / 4)),
        "unacked_restore_throttle": 1,
    }


class _Context:
    """The worker side's ``JobContext``, built once per worker process on first use; a big
    scan's pages are sent as page tasks through ``app`` (``service.jobs.scan_split``)."""

    def __init__(self, settings: Settings, ctx: JobContext | None, app: Celery) -> None:
        self.settings = settings
        self._ctx = ctx
        self._app = app
        self._lock = threading.Lock()

    def get(self) -> JobContext:
        with self._lock:
            if self._ctx is None:
                self._ctx = worker_context(self.settings)
            if self._ctx.split is None and self.settings.queue.split_pages:
                self._ctx.split = ScanSplitter(self._send_pages)
            return self._ctx

    def _send_pages(self, args: dict[str, Any]) -> None:
        self._app.send_task(PAGE_TASK, args=[args], queue=queue_name(self.settings, "ocr"))


def worker_context(settings: Settings, extract: ExtractFn | None = None) -> JobContext:
    """A worker's job context: the database (schema brought up to date, or refused as the
    settings say), the storage folder, the process pool for the heavy part."""
    from service.jobs.isolation import ProcessPool
    from service.jobs.worker import default_extract
    from service.store.engine import make_engine
    from service.store.files import open_storage
    from service.store.migrate import ensure_schema

    engine = make_engine(
        settings.resolved_database_url, echo=settings.db.echo, pool_size=settings.db.pool_size
    )
    ensure_schema(engine, auto_migrate=settings.db.auto_migrate)
    files = open_storage(settings)
    files.prepare()
    isolated = settings.workers.isolation == "process"
    return JobContext(
        engine=engine,
        files=files,
        settings=settings,
        extract=extract or default_extract,
        pool=ProcessPool(settings.workers.count) if isolated else None,
    )


def make_celery(settings: Settings, ctx: JobContext | None = None) -> Celery:
    """The Celery app for these settings; ``ctx`` is the worker's job context (built from
    the settings when first needed if not given; the API side never needs one)."""
    from celery import Celery
    from kombu import Exchange, Queue

    if not settings.queue.broker_url:
        raise ValueError("no broker configured (JIXIAO_QUEUE__BROKER_URL)")
    timeout = settings.workers.job_timeout_seconds
    app = Celery("jixiao", broker=settings.queue.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=[
            Queue(name, Exchange(name, type="direct"), routing_key=name)
            for name in (queue_name(settings, kind) for kind in QUEUES)
        ],
        task_default_queue=queue_name(settings, "extract"),
        # the process pool stops a job at the job timeout (job_timeout, not retried); these
        # are the backstop for a worker run with Celery's prefork pool
        task_soft_time_limit=timeout + 30,
        task_time_limit=timeout + 60,
        task_ignore_result=True,  # the job row is the result
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options=_transport_options(settings),
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    holder = _Context(settings, ctx, app)
    app.jixiao_context = holder  # type: ignore[attr-defined]

    @app.task(
        bind=True,
        name=TASK_NAME,
        shared=False,  # a task of this app only (its closure holds this app's context)
        autoretry_for=_TRANSIENT,
        retry_backoff=True,
        retry_backoff_max=300,
        retry_jitter=True,
        max_retries=20,
    )
    def process_job(self: Any, job_id: int) -> str:
        ctx = holder.get()
        worker_id = queue.local_worker_id(f"celery:{(self.request.id or '')[:8]}")
        outcome = run_job(job_id, ctx, worker_id)
        wait = _wait_before_next_look(ctx, job_id, outcome)
        if wait is not None:
            from service.jobs.reconcile import mark_sent

            log.info("job %s: %s; looked at again in %.0f s", job_id, outcome, wait)
            mark_sent(ctx, job_id)  # the countdown copy is this job's message now
            raise self.retry(countdown=wait, max_retries=None)
        return outcome

    @app.task(
        bind=True,
        name=PAGE_TASK,
        shared=False,
        autoretry_for=_TRANSIENT,
        retry_backoff=True,
        retry_backoff_max=60,
        max_retries=20,
    )
    def ocr_pages(self: Any, args: dict[str, Any]) -> str:
        """A range of a big scan's pages (``scan_split.run_page_task``). A range another
        worker is reading is looked at again once that worker's marker could go stale, so
        a range whose reader died is taken over; an error leaves the range to the job."""
        ctx = holder.get()
        if not queue.file_in_work(ctx.engine, str(args["sha256"])):
            return "over"  # its job ended (page results deleted): nothing to read for
        holder_id = queue.local_worker_id(f"celery:{(self.request.id or '')[:8]}")
        try:
            outcome = run_page_task(ctx, args, holder_id)
        except JixiaoError as exc:  # the job reads the range itself and reports it
            log.warning("pages %s-%s: %s", args.get("first"), args.get("last"), exc)
            return "failed"
        if outcome == "busy":
            raise self.retry(countdown=stale_seconds(ctx.settings), max_retries=None)
        return outcome

    return app


def _wait_before_next_look(ctx: JobContext, job_id: int, outcome: str) -> float | None:
    """Seconds until this message should look at the job again, or None when it is over.

    'retry' (a transient failure the runner recorded): after the job's retry time, with
    exponential backoff over its attempts. 'skipped' with the job held by another worker
    (a duplicate delivery, or a dead worker's lease not yet run out): when the lease ends,
    so a job whose worker died is taken over. Done, failed or gone: over."""
    if outcome not in ("retry", "skipped"):
        return None
    with read_session(ctx.engine) as session:
        job = session.get(Job, job_id)
    if job is None or job.status in (JobStatus.done, JobStatus.failed):
        return None
    now = datetime.now(UTC)
    workers = ctx.settings.workers
    if job.status == JobStatus.queued:
        backoff = workers.retry_delay_seconds * 2 ** max(job.attempts - 1, 0)
        due = (_aware(job.available_at) - now).total_seconds()
        return max(due, backoff if outcome == "retry" else 0.0, 0.5)
    lease_end = _aware(job.lease_until) if job.lease_until else now
    return max((lease_end - now).total_seconds() + 1.0, 1.0)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def queue_for(document: StoredDocument, job: Job, settings: Settings, files: Storage) -> str:
    """Which queue a job goes to: images and scanned PDFs → ocr; an LLM extraction → llm;
    the rest → extract."""
    extractor = str((job.options or {}).get("extractor") or settings.workers.extractor)
    if document.format in _IMAGE_FORMATS or (
        document.format == "pdf" and looks_scanned(files, document.sha256, settings)
    ):
        return queue_name(settings, "ocr")
    if extractor == "llm" or (extractor == "auto" and settings.llm.configured):
        return queue_name(settings, "llm")
    return queue_name(settings, "extract")


class CeleryRunner:
    """The API side of the Celery engine: sends the jobs the API enqueued, and re-sends the
    ones the broker lost (``service.jobs.reconcile``) every ``reconcile_seconds``."""

    def __init__(self, ctx: JobContext, app: Celery | None = None) -> None:
        self.ctx = ctx
        self.app = app or make_celery(ctx.settings)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="jixiao-celery-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def notify(self) -> None:
        self._wake.set()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def broker_status(self) -> str:
        return broker_status(self.app)

    def _loop(self) -> None:
        from service.jobs.reconcile import reconcile, send_new

        period = self.ctx.settings.queue.reconcile_seconds
        next_reconcile = 0.0
        while not self._stopping.is_set():
            try:
                send_new(self.ctx, self.app)
                if _monotonic() >= next_reconcile:
                    reconcile(self.ctx, self.app)
                    next_reconcile = _monotonic() + period
            except Exception:  # broker or database down: the next pass sends what is left
                log.warning("sending jobs to the broker failed", exc_info=True)
            self._wake.wait(min(period, self.ctx.settings.workers.poll_seconds * 5))
            self._wake.clear()


def _monotonic() -> float:
    import time

    return time.monotonic()


def broker_status(app: Celery) -> str:
    """'ok' when the broker accepts a connection within a few seconds, else why not."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        return "ok"
    except Exception as exc:  # any failure to connect means the broker is not usable
        return f"unreachable: {type(exc).__name__}"


def run_worker(
    settings: Settings,
    queues: list[str] | None,
    concurrency: int | None,
    *,
    extract: ExtractFn | None = None,
) -> None:
    """Start a Celery worker in this process (``jixiao worker`` with a broker configured).

    Celery's thread pool carries the messages, leases and heartbeats; the heavy part of each
    job runs in this worker's process pool, one process per slot."""
    from celery.signals import worker_ready

    count = concurrency or settings.queue.concurrency or os.cpu_count() or 1
    settings = share_cores(
        settings.model_copy(
            update={"workers": settings.workers.model_copy(update={"count": count})}
        )
    )
    ctx = worker_context(settings, extract)
    app = make_celery(settings, ctx)

    def _recover(**_: Any) -> None:
        recovered = queue.recover_orphans(ctx.engine)
        if recovered:
            log.info("jobs %s of a dead worker on this host are taken over", recovered)

    worker_ready.connect(_recover, weak=False)
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queue(s) {unknown}; the queues are {', '.join(QUEUES)}")
    names = [queue_name(settings, kind) for kind in (queues or QUEUES)]
    argv = ["worker", "--pool=threads", f"--concurrency={count}", f"--queues={','.join(names)}"]
    argv += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--hostname"]
    argv += [f"jixiao-{os.getpid()}@%h"]
    try:
        app.worker_main(argv=argv)
    finally:
        if ctx.pool is not None:
            ctx.pool.shutdown()
        ctx.engine.dispose()
