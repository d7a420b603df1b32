"""Running one job: read the stored file, extract, store the extraction version.

Owns ``run_job(job_id, context)`` — the unit any runner executes, the embedded thread pool
here or a worker of a real queue (RQ, Celery, arq, Dramatiq) elsewhere: such a queue only
carries the job id; the job row in the database stays the source of truth, and the lease
taken in ``claim`` keeps two workers from running it at once.

While a job runs, a heartbeat thread extends its lease. Results are written only while the
worker still holds the job, so a worker that lost it (it stalled past the lease and another
took over) discards its work instead of overwriting the newer run.

Failure policy: bad input (``InputError``) fails the job at once, with the reader's message;
anything else is retried after ``retry_delay_seconds`` until ``max_attempts`` is used up.
The database going away (a restart, a failover) is no failure of the job: its reads and
writes are tried again with backoff for up to two minutes (or a lease), the work done kept
and no attempt counted; an outage longer than that ends the run unfinished, as a worker
crash does (the lease runs out and the job is taken over, or the broker's copy retried).
"""

from __future__ import annotations

import dataclasses
import gzip
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from service.config import Settings
from service.document import Document, TextSource
from service.errors import InputError, JixiaoError
from service.ingest import IngestOptions, read_document
from service.jobs.isolation import ProcessPool
from service.store import documents as repo
from service.store import queue
from service.store.engine import read_session, transaction
from service.store.files import Storage
from service.store.tables import DocumentStatus, Extraction, Job, StoredDocument

log = logging.getLogger("jixiao.jobs")

ExtractFn = Callable[[Document, str, Settings], Any]
"""(document, extractor name, settings) → an ``ExtractionResult`` (or anything shaped so)."""

DOCUMENT_SUFFIX = "document.json.gz"
_DB_PATIENCE_S = 120.0  # a restart takes seconds; a managed failover 30 s to 2 minutes


class LLMNotConfiguredError(InputError):
    code = "llm_not_configured"
    message_zh = "要求使用大模型抽取，但未配置大模型端点。"
    message_en = "The LLM extractor was requested but no LLM endpoint is configured."


def default_extract(document: Document, extractor: str, settings: Settings) -> Any:
    from service.extract.pipeline import ExtractOptions, LLMUnavailableError, extract

    try:
        options = ExtractOptions(
            extractor=extractor,  # type: ignore[arg-type]
            llm=settings.llm,
            data_dir=settings.data_dir,
        )
        return extract(document, options)
    except LLMUnavailableError as exc:  # a setting, not a transient failure: do not retry
        raise LLMNotConfiguredError(str(exc)) from None


@dataclass
class JobContext:
    """What a worker needs; built once per process and shared by its threads.

    With ``pool`` the heavy part (reading, extraction) runs in worker processes
    (``service.jobs.isolation``); without, in the calling thread. ``extract`` must then be
    importable by name (a module-level function), since it travels to the worker process.
    """

    engine: Engine
    files: Storage
    settings: Settings
    extract: ExtractFn = default_extract
    pool: ProcessPool | None = None
    # (context, job, document, worker id) → True when the document's pages were read in
    # page tasks and are to be joined (``service.jobs.scan_split``); None: one task always
    split: Callable[[JobContext, Job, StoredDocument, str], bool] | None = None


@dataclass
class Reading:
    """The heavy part's result, as plain data (cheap to send between processes)."""

    row: dict[str, Any]  # the Extraction fields
    failed_error: dict[str, Any] | None
    pages: int
    ocr_pages: int = 0  # pages whose text came from OCR: a scan


@dataclass
class Refusal:
    """The heavy part failed: ``retry`` is False for bad input, which would fail again."""

    error: dict[str, Any]
    retry: bool
    failed: ClassVar[bool] = True  # the pool's memory budget looks at failures


def run_job(job_id: int, ctx: JobContext, worker_id: str | None = None) -> str:
    """Claim job ``job_id`` and run it. Returns the outcome: 'done', 'failed', 'retry',
    'lost' (another worker took it over) or 'skipped' (not claimable: done, or held)."""
    worker_id = worker_id or queue.local_worker_id("run_job")
    job = queue.claim(ctx.engine, worker_id, ctx.settings.workers.lease_seconds, job_id=job_id)
    if job is None:
        return "skipped"
    return process(job, ctx, worker_id)


def process(job: Job, ctx: JobContext, worker_id: str) -> str:
    """Run a job this worker has claimed."""
    assert job.id is not None
    beat = _Heartbeat(ctx, job.id, worker_id)
    beat.start()
    try:
        outcome = _process(job, ctx, worker_id)
    except InputError as refused:
        error = refused.to_dict()
        outcome = _while_db_away(ctx, lambda: _give_up(ctx, job.id or 0, worker_id, error))
    except Exception as exc:
        if database_away(exc):  # longer than a lease: the job is not ours to record now
            raise
        log.exception("job %s failed (attempt %s of %s)", job.id, job.attempts, job.max_attempts)
        error = _error_dict(exc)
        outcome = _while_db_away(ctx, lambda: _retry_or_fail(ctx, job, worker_id, error))
    finally:
        beat.stop()
    return outcome


def database_away(exc: BaseException) -> bool:
    """The database could not be reached, dropped the connection or is busy: worth waiting
    for. Not a bad query (SQLite reports a missing table as an OperationalError too)."""
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if type(exc.orig).__module__ == "sqlite3":
        return any(word in str(exc.orig) for word in ("locked", "unable to open", "disk I/O"))
    return True  # PostgreSQL: connection failures, shutdowns, resources (SQLSTATE 08, 57, 53)


def _while_db_away(ctx: JobContext, step: Callable[[], Any]) -> Any:
    """``step()``, tried again with backoff while the database is away, for a lease or
    ``_DB_PATIENCE_S`` from the first failure, whichever is longer. The job stays this
    worker's unless another claims it once its lease ran out, which every write checks
    (``queue.holds``); so the work done is kept and no attempt spent."""
    patience = max(ctx.settings.workers.lease_seconds, _DB_PATIENCE_S)
    deadline: float | None = None
    delay = 0.5
    while True:
        try:
            return step()
        except Exception as exc:
            if not database_away(exc):
                raise
            now = time.monotonic()
            deadline = deadline or now + patience
            if now + delay > deadline:
                raise
            log.warning(
                "database unreachable (%s); trying again in %.1f s", type(exc).__name__, delay
            )
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def read_and_extract(
    files: Storage,
    sha256: str,
    filename: str | None,
    extractor: str,
    settings: Settings,
    extract: ExtractFn,
    joined: bool = False,
) -> Reading | Refusal:
    """The heavy part of a job: read the stored file, keep its document model, extract.

    Runs in a worker process (or the calling thread); touches only storage, never the
    database, and returns plain data.
    """
    started = time.perf_counter()
    try:
        options = IngestOptions(limits=settings.limits, ocr=settings.ocr, convert=settings.convert)
        if joined:  # a scan whose pages were read in page tasks
            from service.jobs.scan_split import join_kept_pages

            document = join_kept_pages(files, sha256, filename, settings)
        else:
            document = read_document(files.get(sha256), filename, options)
        ingest_s = time.perf_counter() - started
        files.put_derived(sha256, DOCUMENT_SUFFIX, _gzip_json(document))
        result = extract(document, extractor, settings)
        row = _extraction_row(result, ingest_s, time.perf_counter() - started)
        ocr = sum(p.text_source == TextSource.ocr for p in document.pages)
        return Reading(row, _failure_of(result), len(document.pages), ocr)
    except InputError as exc:
        return Refusal(exc.to_dict(), retry=False)
    except MemoryError:  # over the job's memory budget: the pool says job_too_large
        raise
    except Exception as exc:
        log.exception("reading or extracting %s failed", sha256[:12])
        # an error may say that trying again cannot help (LibreOffice is not installed)
        return Refusal(_error_dict(exc), retry=getattr(exc, "retryable", True))


def _process(job: Job, ctx: JobContext, worker_id: str) -> str:
    settings = ctx.settings
    doc = _while_db_away(ctx, lambda: _document_of(ctx, job))
    extractor = str((job.options or {}).get("extractor") or settings.workers.extractor)
    # the split keeps every page it reads, so a database outage in it costs no OCR again
    split = ctx.split
    joined = split is not None and _while_db_away(ctx, lambda: split(ctx, job, doc, worker_id))
    args = (ctx.files, doc.sha256, doc.filename, extractor, settings, ctx.extract, joined)
    reading = (
        ctx.pool.run(
            read_and_extract,
            *args,
            timeout=settings.workers.job_timeout_seconds,
            memory_mb=settings.workers.memory_mb,
        )
        if ctx.pool
        else read_and_extract(*args)
    )
    if isinstance(reading, Refusal):
        refusal = reading
        outcome = _while_db_away(ctx, lambda: _refused(ctx, job, worker_id, refusal))
        if joined and outcome == "failed":  # for good: a reprocess reads the pages anew
            _drop_page_results(ctx.files, doc.sha256)
        return outcome
    rerun = _while_db_away(ctx, lambda: _store(ctx, job, worker_id, reading))
    if rerun is None:
        log.warning("job %s was taken over by another worker; result discarded", job.id)
        return "lost"
    if joined and not rerun:  # the joined document is kept; a rerun would read the pages
        _drop_page_results(ctx.files, doc.sha256)
    return "failed" if reading.failed_error else "done"


def _refused(ctx: JobContext, job: Job, worker_id: str, refusal: Refusal) -> str:
    if refusal.retry:
        return _retry_or_fail(ctx, job, worker_id, refusal.error)
    return _give_up(ctx, job.id or 0, worker_id, refusal.error)


def _document_of(ctx: JobContext, job: Job) -> StoredDocument:
    with read_session(ctx.engine) as session:
        return repo.get_document(session, job.document_id)


def _store(ctx: JobContext, job: Job, worker_id: str, reading: Reading) -> bool | None:
    """Record the extraction and finish the job in one transaction. None: the job is no
    longer this worker's (nothing written); else whether a rerun was asked for meanwhile."""
    extraction = Extraction(**reading.row, document_id=job.document_id, version=0, job_id=job.id)
    with transaction(ctx.engine) as session:
        held = queue.holds(session, job.id or 0, worker_id)
        if held is None:
            return None
        locked = repo.get_document(session, job.document_id, lock=True)
        repo.record_extraction(session, locked, extraction, failed_error=reading.failed_error)
        locked.page_count = locked.page_count or reading.pages
        locked.ocr_pages = reading.ocr_pages
        queue.finish(session, held)
        rerun = queue.waiting(session, locked.id)
        if rerun:
            locked.status = DocumentStatus.queued
    return rerun


def _drop_page_results(files: Storage, sha256: str) -> None:
    """A split scan's page results, once its joined document is stored: nothing reads
    them again (a rerun reads the pages anew). A storage error leaves them, and the job
    stays done."""
    from service.jobs.scan_split import drop_page_results

    try:
        dropped = drop_page_results(files, sha256)
    except Exception:  # leftovers cost space only
        log.warning("page results of %s not deleted", sha256[:12], exc_info=True)
        return
    log.info("deleted %d page results of %s", dropped, sha256[:12])


def _gzip_json(document: Document) -> bytes:
    return gzip.compress(document.model_dump_json().encode("utf-8"), compresslevel=5)


def _extraction_row(result: Any, ingest_s: float, total_s: float) -> dict[str, Any]:
    export = _jsonable(getattr(result, "export", None))
    info = export.get("extractor") if isinstance(export, dict) else None
    info = info if isinstance(info, dict) else {}
    timings = dict(_jsonable(getattr(result, "timings", None)) or {})
    # seconds, like the pipeline's own stage timings
    timings.update(ingest=round(ingest_s, 4), total=round(total_s, 4))
    usage = _usage(result)
    return {
        "status": str(getattr(result, "status", "success")),
        "extractor": info.get("name"),
        "model": info.get("model"),
        "prompt_version": info.get("prompt_version"),
        "llm_calls": int((usage or {}).get("calls") or 0),
        "llm_tokens": int((usage or {}).get("total_tokens") or 0),
        "llm_usage": usage,
        "export": export,
        "errors": _jsonable(list(getattr(result, "errors", None) or [])),
        "notes": _jsonable(list(getattr(result, "notes", None) or [])),
        "timings": timings,
    }


def _usage(result: Any) -> dict[str, Any] | None:
    """The LLM usage summary (calls, tokens, retries, cache hits, cost), without the
    per-call records, which stay in the LLM cache and logs."""
    usage = _jsonable(getattr(result, "llm_usage", None))
    if not isinstance(usage, dict):
        return None
    usage.pop("records", None)
    usage["total_tokens"] = int(usage.get("prompt_tokens") or 0) + int(
        usage.get("completion_tokens") or 0
    )
    return usage


def _failure_of(result: Any) -> dict[str, Any] | None:
    """A readable error when the extraction as a whole failed (partial results are kept)."""
    if str(getattr(result, "status", "success")) != "failed":
        return None
    errors = _jsonable(list(getattr(result, "errors", None) or []))
    first = errors[0] if errors else None
    detail = first.get("message") if isinstance(first, dict) else first
    return {
        "code": "extraction_failed",
        "message": "No records could be extracted from the document.",
        "message_zh": "未能从文档中提取任何记录。",
        "detail": None if detail is None else str(detail)[:1000],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _error_dict(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, JixiaoError):
        return exc.to_dict()
    return {
        "code": "internal_error",
        "message": "Processing failed unexpectedly; the error has been logged.",
        "message_zh": "处理时发生意外错误，已记录日志。",
        "detail": f"{type(exc).__name__}: {exc}"[:1000],
    }


def _give_up(ctx: JobContext, job_id: int, worker_id: str, error: dict[str, Any]) -> str:
    with transaction(ctx.engine) as session:
        held = queue.holds(session, job_id, worker_id)
        if held is None:
            return "lost"
        queue.fail(session, held, error)
    return "failed"


def _retry_or_fail(ctx: JobContext, job: Job, worker_id: str, error: dict[str, Any]) -> str:
    with transaction(ctx.engine) as session:
        held = queue.holds(session, job.id or 0, worker_id)
        if held is None:
            return "lost"
        if held.attempts < held.max_attempts:
            queue.retry_later(session, held, error, ctx.settings.workers.retry_delay_seconds)
            return "retry"
        queue.fail(session, held, error)
    return "failed"


class _Heartbeat:
    """Extends the job's lease every ``heartbeat_seconds`` while the job runs."""

    def __init__(self, ctx: JobContext, job_id: int, worker_id: str) -> None:
        self._ctx, self._job_id, self._worker_id = ctx, job_id, worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"jixiao-heartbeat-{job_id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        workers = self._ctx.settings.workers
        while not self._stop.wait(workers.heartbeat_seconds):
            try:
                held = queue.heartbeat(
                    self._ctx.engine, self._job_id, self._worker_id, workers.lease_seconds
                )
            except Exception:  # a busy database must not kill the job; try again next beat
                log.warning("heartbeat of job %s failed", self._job_id, exc_info=True)
                continue
            if not held:
                log.warning("job %s: lease lost", self._job_id)
                return
