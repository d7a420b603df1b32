"""Where the heavy part of a job runs: a pool of worker processes beside the API.

Owns the process pool. Reading (PDF layout, OCR) and extraction are CPU-bound Python; in
threads of the API process they would hold the GIL and make every request wait behind
them (measured: GET p95 in the hundreds of milliseconds while processing). In separate
processes the operating system shares the cores fairly, the workers run at a lower
priority than the API, and a crash in a native library (MuPDF, onnxruntime) takes down
one worker process, not the service: the job is retried.

The runner's threads stay: they claim jobs, keep leases alive and write results; each hands
its job's heavy part to this pool and waits.

Every task has two budgets: wall time (``timeout``: past it the pool's processes are
stopped, ``job_timeout``) and memory (``memory_mb``: the address space the task may add to
its worker process, enforced with ``RLIMIT_AS`` around the task, so an allocation past it
fails at once with ``MemoryError`` instead of pushing the machine into swap or the OOM
killer; ``job_too_large``). Neither is retried: the same bytes would fail the same way.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import multiprocessing
import os
import re
import resource
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from service.errors import InputError, ServiceError

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


class JobTimeoutError(InputError):
    """A file whose reading and extraction ran past the job time limit. Not retried: the
    same bytes would hold a worker for as long again, and the jobs queued behind it wait."""

    code = "job_timeout"
    message_zh = "处理超时：文件过大或过于复杂，已停止处理。"
    message_en = (
        "Processing ran past the time limit and was stopped (the file is too large or complex)."
    )


class JobTooLargeError(InputError):
    """A file whose reading and extraction needed more memory than the job's budget. Not
    retried, for the same reason as ``JobTimeoutError``."""

    code = "job_too_large"
    message_zh = "处理所需内存超出限制：文件过大或过于复杂，已停止处理。"
    message_en = (
        "Processing needed more memory than its budget and was stopped "
        "(the file is too large or complex)."
    )


# how often a worker checks that the server that started it is still alive
_PARENT_CHECK_S = 1.0


def _watch_parent(parent: int) -> None:
    """Exit as soon as the server that started this worker is gone (an OOM kill or a
    kill -9 of the server gives the pool no chance to stop its workers): an orphaned worker
    would hold its memory and its CPU for as long as its job runs."""
    while True:
        time.sleep(_PARENT_CHECK_S)
        if os.getppid() != parent:
            os._exit(0)


def _init_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    _few_malloc_arenas()
    with contextlib.suppress(OSError):  # not permitted on some platforms
        os.nice(10)  # the API answers first; jobs use what is left
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _few_malloc_arenas() -> None:
    """Two malloc arenas, not glibc's eight per core: each reserves up to 128 MiB of address
    space, which the memory budget counts, so a many-core host running a library with many
    threads (onnxruntime) would otherwise spend the budget on reservations alone."""
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 2)  # M_ARENA_MAX


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
                    initargs=(os.getpid(),),
                    max_tasks_per_child=_TASKS_PER_CHILD,
                )
            return self._pool

    def run(
        self,
        fn: Callable[..., T],
        *args: Any,
        timeout: float | None = None,
        memory_mb: int | None = None,
    ) -> T:
        """``fn(*args)`` in a worker process (``fn`` and the arguments must pickle).

        Past ``timeout`` seconds the pool's processes are stopped (a task cannot be stopped
        on its own) and ``JobTimeoutError`` is raised; jobs that shared the pool see a
        crashed worker and are retried. An allocation that would take the task more than
        ``memory_mb`` MiB over its process's size at the start fails, and the task raises
        ``JobTooLargeError``; the worker process lives on for the next task."""
        pool = self._executor()
        try:
            result = pool.submit(_within_budget, memory_mb, fn, *args).result(timeout=timeout)
        except FutureTimeout:
            log.error("a job ran past %.0f s; its worker processes are stopped", timeout or 0)
            self._discard(pool)
            raise JobTimeoutError(f"over {timeout:.0f} s") from None
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:  # the first thread to notice replaces it
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            log.error("a worker process died; the pool is restarted and the job retried")
            raise WorkerCrashedError() from None
        if isinstance(result, _OverBudget):
            log.error("a job needed more than its %s MiB of memory and was stopped", memory_mb)
            raise JobTooLargeError(f"over {memory_mb} MiB")
        return result

    def shutdown(self) -> None:
        """Stop now: running tasks are abandoned (the runner hands their jobs back)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            _stop(pool)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        _stop(pool)


class _OverBudget:
    """A task's answer when it ran out of its memory budget (plain data: it pickles)."""


def _within_budget(memory_mb: int | None, fn: Callable[..., T], *args: Any) -> T | _OverBudget:
    """In the worker process: ``fn(*args)`` with its address space capped for the task.

    Over budget: a ``MemoryError``, or any other failure (an exception, or a result whose
    ``failed`` is true) that says an allocation was refused (``ENOMEM``, ``bad_alloc``…) or
    came after the task took its process's address space to the edge of the limit: a native
    library (MuPDF, onnxruntime, a shared object being mapped) reports a refused allocation
    in its own words."""
    size = _address_space() if memory_mb else None
    if size is None or not memory_mb:  # no budget, or no /proc to measure from
        return fn(*args)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    budget = memory_mb * 2**20
    limit = size + budget if hard == resource.RLIM_INFINITY else min(size + budget, hard)
    edge = limit - max(budget // 10, 32 * 2**20)
    peak_before = _peak_address_space() or 0
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        result = fn(*args)
    except MemoryError:
        return _OverBudget()
    except Exception as exc:
        if _out_of_memory(exc) or _reached(edge, peak_before):
            return _OverBudget()
        raise
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    if getattr(result, "failed", False) and (
        _OUT_OF_MEMORY.search(repr(result)) or _reached(edge, peak_before)
    ):
        return _OverBudget()
    return result


_OUT_OF_MEMORY = re.compile(
    r"Cannot allocate memory|ENOMEM|bad_alloc|out of memory|failed to map segment|"
    r"MemoryError|malloc\b.*fail|fail\w* to alloc",
    re.IGNORECASE,
)


def _out_of_memory(exc: BaseException) -> bool:
    """An exception, or one it was raised from, that says an allocation was refused."""
    seen: BaseException | None = exc
    for _ in range(10):  # the chain of causes, briefly
        if seen is None:
            return False
        if isinstance(seen, MemoryError) or (
            isinstance(seen, OSError) and seen.errno == errno.ENOMEM
        ):
            return True
        if _OUT_OF_MEMORY.search(str(seen)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reached(edge: int, peak_before: int) -> bool:
    """The task raised this process's peak address space to ``edge`` or beyond."""
    peak = _peak_address_space() or 0
    return peak > peak_before and peak >= edge


def _address_space() -> int | None:
    """This process's virtual size in bytes (what ``RLIMIT_AS`` counts), where known."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:
        return None


def _peak_address_space() -> int | None:
    """The largest virtual size this process has had, in bytes (``VmPeak``)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _stop(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    # the executor would otherwise wait for a running job (an OCR'd report takes minutes)
    # before the interpreter may exit
    for process in processes:
        if process.is_alive():
            process.terminate()
