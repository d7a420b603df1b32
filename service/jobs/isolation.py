"""Where the heavy part of a job runs: a pool of worker processes beside the API.

Owns the process pool. Reading (PDF layout, OCR) and extraction are CPU-bound Python; in
threads of the API process they would hold the GIL and make every request wait behind
them (measured: GET p95 in the hundreds of milliseconds while processing). In separate
processes the operating system shares the cores fairly, the workers run at a lower
priority than the API, and a crash in a native library (MuPDF, onnxruntime) takes down
one worker process, not the service: the job is retried.

The runner's threads stay: they claim jobs, keep leases alive and write results; each hands
its job's heavy part to this pool and waits.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from service.errors import ServiceError

log = logging.getLogger("jixiao.jobs")
T = TypeVar("T")

# a fresh interpreter per worker: no inherited threads, locks or database connections
_CONTEXT = multiprocessing.get_context("spawn")
# recycle workers now and then: readers and OCR models can hold on to memory
_TASKS_PER_CHILD = 200


class WorkerCrashedError(ServiceError):
    code = "worker_crashed"
    message_zh = "处理进程意外退出（文件可能触发了底层库的错误）。"
    message_en = "The processing worker died (the file may crash a native library)."


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    with contextlib.suppress(OSError):  # not permitted on some platforms
        os.nice(10)  # the API answers first; jobs use what is left


class ProcessPool:
    """A lazily started, self-healing pool of ``size`` worker processes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.size,
                    mp_context=_CONTEXT,
                    initializer=_init_worker,
                    max_tasks_per_child=_TASKS_PER_CHILD,
                )
            return self._pool

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker process (``fn`` and the arguments must pickle)."""
        pool = self._executor()
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:  # the first thread to notice replaces it
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            log.error("a worker process died; the pool is restarted and the job retried")
            raise WorkerCrashedError() from None

    def shutdown(self) -> None:
        """Stop now: running tasks are abandoned (the runner hands their jobs back)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        # the executor would otherwise wait for a running job (an OCR'd report takes minutes)
        # before the interpreter may exit
        for process in processes:
            if process.is_alive():
                process.terminate()
