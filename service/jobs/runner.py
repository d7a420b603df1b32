"""The embedded job runner: a bounded pool of threads inside the API process.

Owns scheduling only: a dispatcher thread claims jobs from the database while a worker
thread is free, and the workers run them with ``service.jobs.worker.process``. State lives
in the jobs table, so a restart loses nothing: on start the runner expires the leases of
jobs held by dead processes on this host, and any job whose lease ran out is claimed again.

A big scan is read across the runner's job processes as under Celery
(``service.jobs.scan_split``): the job's thread coordinates and reads page ranges from the
last, and the page ranges are handed, before any new job, to the threads that are free,
each reading in its own process of the pool. Only with process isolation and two or more
workers: threads of one process read one page at a time (the OCR engine's lock).

The same class serves ``jixiao worker`` (a runner without the API) and, with many
processes or hosts polling one PostgreSQL database, scales out before any broker is
needed. The broker-backed runner is ``service.jobs.celery_app.CeleryRunner``: it sends job
ids, and Celery workers call ``run_job`` on the other side.
"""

from __future__ import annotations

import logging
import os
import queue as stdqueue
import threading
import uuid
from typing import Any, Protocol

from service.config import Settings
from service.jobs.scan_split import ScanSplitter, run_page_task
from service.jobs.worker import JobContext, process
from service.store import queue
from service.store.tables import Job, StoredDocument

log = logging.getLogger("jixiao.jobs")


def share_cores(settings: Settings) -> Settings:
    """``settings`` with the OCR engine's threads set where left to the worker (0): the
    host's cores shared out among the ``workers.count`` job processes, so that processes
    reading scans at the same time do not each start a thread per core."""
    if settings.ocr.threads or settings.workers.isolation != "process":
        return settings  # set by hand; or one process, whose engine reads a page at a time
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    threads = max(1, (cores or 1) // settings.workers.count)
    return settings.model_copy(update={"ocr": settings.ocr.model_copy(update={"threads": threads})})


class JobRunner(Protocol):
    """What the API needs from whatever runs jobs."""

    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...

    def notify(self) -> None:
        """A job was enqueued: look for work now rather than at the next poll."""

    @property
    def alive(self) -> bool: ...


class ExternalRunner:
    """Jobs are only enqueued here; workers elsewhere (``jixiao worker``) run them."""

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 10.0) -> None:
        pass

    def notify(self) -> None:
        pass

    @property
    def alive(self) -> bool:
        return True


_Work = tuple[Job, str] | dict[str, Any]
"""A job this runner claimed (and the worker id it holds it under), or a page task."""


class EmbeddedRunner:
    def __init__(self, ctx: JobContext, *, name: str = "embedded") -> None:
        ctx.settings = share_cores(ctx.settings)
        self.ctx = ctx
        self.name = name
        self._count = ctx.settings.workers.count
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._idle = threading.Semaphore(self._count)
        self._inbox: stdqueue.Queue[_Work | None] = stdqueue.Queue()
        self._pages: stdqueue.Queue[dict[str, Any]] = stdqueue.Queue()
        self._splitter = ScanSplitter(self._send_pages)
        splits = ctx.pool is not None and self._count > 1 and ctx.settings.queue.split_pages
        if splits and ctx.split is None:
            ctx.split = self._split
        self._running: dict[int, str] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._dispatcher: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        recovered = queue.recover_orphans(self.ctx.engine)
        if recovered:
            log.info("recovering jobs %s left by a stopped process", recovered)
        # daemon threads: a job stuck in a reader must not keep the process from exiting;
        # its lease runs out and the next start picks it up
        for n in range(self._count):
            thread = threading.Thread(target=self._work, name=f"jixiao-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="jixiao-dispatcher", daemon=True
        )
        self._dispatcher.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming, give running jobs ``timeout`` seconds, hand back the rest."""
        self._stopping.set()
        self._wake.set()
        if self._dispatcher is not None:
            self._dispatcher.join(timeout=max(timeout, 1.0))
        for _ in self._threads:
            self._inbox.put(None)
        for thread in self._threads:
            thread.join(timeout=timeout / max(len(self._threads), 1))
        with self._lock:
            unfinished = dict(self._running)
        for job_id, worker_id in unfinished.items():
            try:
                queue.release(self.ctx.engine, job_id, worker_id)
            except Exception:  # the database may be gone at shutdown; the lease covers it
                log.warning("could not hand back job %s", job_id, exc_info=True)
        if self.ctx.pool is not None:  # after the hand-back: the abandoned work is discarded
            self.ctx.pool.shutdown()

    def notify(self) -> None:
        self._wake.set()

    @property
    def alive(self) -> bool:
        return self._dispatcher is not None and self._dispatcher.is_alive()

    @property
    def running(self) -> list[int]:
        with self._lock:
            return list(self._running)

    # --- threads ----------------------------------------------------------------------------

    def _dispatch(self) -> None:
        workers = self.ctx.settings.workers
        while not self._stopping.is_set():
            self._wake.clear()
            while not self._stopping.is_set() and self._idle.acquire(blocking=False):
                if not self._hand_out():
                    self._idle.release()
                    break
            self._wake.wait(workers.poll_seconds)

    def _hand_out(self) -> bool:
        """Give a free thread a page task (the pages of a job already running come first)
        or else a job claimed now; False when there is neither."""
        try:
            self._inbox.put(self._pages.get_nowait())
            return True
        except stdqueue.Empty:
            return self._claim_one()

    def _claim_one(self) -> bool:
        worker_id = queue.local_worker_id(f"{self.name}:{uuid.uuid4().hex[:8]}")
        try:
            job = queue.claim(self.ctx.engine, worker_id, self.ctx.settings.workers.lease_seconds)
        except Exception:  # database unreachable or busy: try again at the next poll
            log.warning("claiming a job failed", exc_info=True)
            return False
        if job is None:
            return False
        with self._lock:
            self._running[job.id or 0] = worker_id
        self._inbox.put((job, worker_id))
        return True

    def _work(self) -> None:
        while True:
            item = self._inbox.get()
            if item is None:
                return
            try:
                if isinstance(item, dict):
                    self._read_pages(item)
                else:
                    self._run(*item)
            finally:
                self._idle.release()
                self._wake.set()

    def _run(self, job: Job, worker_id: str) -> None:
        try:
            process(job, self.ctx, worker_id)
        except Exception:  # process() handles job errors; this is a database outage
            log.exception("job %s could not be finished", job.id)
        finally:
            with self._lock:
                self._running.pop(job.id or 0, None)

    # --- a big scan's page tasks --------------------------------------------------------------

    def _split(self, ctx: JobContext, job: Job, doc: StoredDocument, worker_id: str) -> bool:
        try:
            return self._splitter(ctx, job, doc, worker_id)
        finally:  # its page tasks not yet handed out have nothing left to read
            self._drop_pages(doc.sha256)

    def _send_pages(self, args: dict[str, Any]) -> None:
        self._pages.put(args)
        self._wake.set()

    def _drop_pages(self, sha256: str) -> None:
        kept = []
        while True:
            try:
                args = self._pages.get_nowait()
            except stdqueue.Empty:
                break
            if args["sha256"] != sha256:
                kept.append(args)
        for args in kept:
            self._pages.put(args)

    def _read_pages(self, args: dict[str, Any]) -> None:
        """One page range: 'busy' (the job's own thread or another reads it) and errors
        are left to the job's thread, which reads what is missing and reports the error."""
        holder = queue.local_worker_id(f"{self.name}:pages:{uuid.uuid4().hex[:8]}")
        try:
            outcome = run_page_task(self.ctx, args, holder)
        except Exception as exc:  # the job's thread reads the range itself
            outcome = f"failed ({type(exc).__name__}: {exc})"
        log.info("pages %s-%s of %s: %s", args["first"], args["last"], args["sha256"][:12], outcome)
