"""One big scan across many workers: its pages OCR'd in page tasks, joined in page order.

Owns the page-result store, the page task's heavy part and the coordinator. A scanned PDF
of more than ``queue.split_pages`` pages, run by a Celery worker, is planned in ranges of
that many pages; each range is sent as a ``jixiao.ocr_pages`` task to the ``ocr`` queue,
and the job's own worker (the coordinator) works through the ranges too, from the last,
so one worker alone still finishes and two meet in the middle. When every page has a
result, the job reads the document by joining them (``service.ingest.pdf_pages``) and
extracts as for any other file.

Page results are derived files in the storage, keyed by the file's sha256, the page
number and a digest of the reading settings (``ocr-<key>-p<n>.json.gz``): written once a
page is read, so a worker killed mid-range loses only the page in hand; a redelivered or
retried task passes over the pages already kept; the join takes each page once, in order,
and refuses a document with a page missing. A range being read carries a marker, renewed
after each page, so a second task for it waits instead of doing the work twice; a marker
left standing by a dead worker goes stale and the range is taken over.

Progress (pages with a result / pages) is kept on the job row by the coordinator only,
and only ever moves up. Must not touch the web layer.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, or_
from sqlmodel import col, update

from service.config import Settings
from service.document import Document
from service.ingest import IngestOptions
from service.store.engine import read_session, transaction
from service.store.files import Storage
from service.store.tables import Job, JobStatus, StoredDocument

if TYPE_CHECKING:
    from service.jobs.worker import JobContext

log = logging.getLogger("jixiao.jobs")

PAGE_TASK = "jixiao.ocr_pages"
_FORMAT = 2  # bump when a page result's shape changes: older results are not read
_PREFIX = "ocr-"  # of every page result's and range marker's name
_POLL_S = 1.0  # each look reads the markers and results not yet seen (a GET each on S3)

SendPages = Callable[[dict[str, Any]], None]
"""Sends one page task (its arguments) to the ``ocr`` queue."""


# --- the page-result store ----------------------------------------------------------------


def reading_options(settings: Settings) -> IngestOptions:
    return IngestOptions(limits=settings.limits, ocr=settings.ocr, convert=settings.convert)


def settings_key(options: IngestOptions) -> str:
    """What a page's OCR depends on besides the file: results of other settings differ."""
    basis = {
        "format": _FORMAT,
        "ocr": options.ocr.model_dump(mode="json", exclude={"threads"}),  # speed only
        "max_image_pixels": options.limits.max_image_pixels,
        "force_ocr": options.force_ocr,
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


class PageResults:
    """The page results of one file under one reading's settings, in the storage."""

    def __init__(self, files: Storage, sha256: str, key: str) -> None:
        self.files, self.sha256, self.key = files, sha256, key

    def put(self, number: int, result: dict[str, Any] | None) -> None:
        """``result`` None: a page read from its text layer (kept too, so it counts)."""
        data = gzip.compress(json.dumps(result, ensure_ascii=False).encode(), compresslevel=5)
        self.files.put_derived(self.sha256, self._page(number), data)

    def get(self, number: int) -> tuple[bool, dict[str, Any] | None]:
        """(kept?, the result)."""
        data = self.files.get_derived(self.sha256, self._page(number))
        if data is None:
            return False, None
        return True, json.loads(gzip.decompress(data))

    def kept(self, numbers: Iterable[int]) -> set[int]:
        return {n for n in numbers if self.files.get_derived(self.sha256, self._page(n))}

    def take(self, first: int, last: int, holder: str) -> None:
        """Mark the range as being read now (renewed after every page)."""
        mark = json.dumps({"holder": holder, "at": time.time()}).encode()
        self.files.put_derived(self.sha256, self._mark(first, last), mark)

    def release(self, first: int, last: int) -> None:
        """The reader gave up (an error): anyone may take the range at once."""
        mark = json.dumps({"holder": None, "at": 0}).encode()
        self.files.put_derived(self.sha256, self._mark(first, last), mark)

    def taken_by_other(self, first: int, last: int, holder: str, stale_s: float) -> bool:
        data = self.files.get_derived(self.sha256, self._mark(first, last))
        if data is None:
            return False
        mark = json.loads(data)
        return mark.get("holder") != holder and time.time() - float(mark["at"]) < stale_s

    def _page(self, number: int) -> str:
        return f"{_PREFIX}{self.key}-p{number}.json.gz"

    def _mark(self, first: int, last: int) -> str:
        return f"{_PREFIX}{self.key}-r{first}-{last}.taken"


def drop_page_results(files: Storage, sha256: str) -> int:
    """Delete a file's page results and range markers, of every reading's settings; once its
    joined document is stored nothing reads them. Returns how many were deleted."""
    return files.delete_derived(sha256, _PREFIX)


def plan_ranges(pages: int, size: int) -> list[tuple[int, int]]:
    """Ranges of ``size`` pages (1-based, inclusive) covering 1..``pages`` in order."""
    return [(first, min(first + size - 1, pages)) for first in range(1, pages + 1, size)]


# --- the heavy parts (a worker process, or the calling thread): storage only ---------------


def ocr_range(
    files: Storage, sha256: str, options: dict[str, Any], first: int, last: int, holder: str
) -> int:
    """Read the pages of ``first``..``last`` that have no result yet and keep each as soon
    as it is read. Returns the number of pages read."""
    from service.ingest.pdf_pages import ocr_page_range

    reading = IngestOptions.model_validate(options)
    store = PageResults(files, sha256, settings_key(reading))
    kept = store.kept(range(first, last + 1))
    if len(kept) == last - first + 1:
        return 0
    store.take(first, last, holder)
    read = 0

    def keep(number: int, result: dict[str, Any] | None) -> None:
        nonlocal read
        store.put(number, result)
        store.take(first, last, holder)
        read += 1

    try:
        ocr_page_range(files.get(sha256), reading, first, last, keep, skip=kept)
    except Exception:  # the job's worker reads the range itself and reports the error
        store.release(first, last)
        raise
    return read


def join_kept_pages(
    files: Storage, sha256: str, filename: str | None, settings: Settings
) -> Document:
    """The document of a split scan, from its kept page results (every page, once, in
    order; a missing one is an error, never OCR'd again here)."""
    from service.ingest.pdf_pages import MissingPagesError, join_pages, page_count

    options = reading_options(settings)
    data = files.get(sha256)
    store = PageResults(files, sha256, settings_key(options))
    total = page_count(data, options)
    results: dict[int, dict[str, Any] | None] = {}
    for number in range(1, total + 1):
        present, result = store.get(number)
        if not present:
            raise MissingPagesError(f"page {number} of {total} has no result")
        results[number] = result
    document = join_pages(data, filename, options, results)
    if len(document.pages) != total or [p.number for p in document.pages] != list(
        range(1, total + 1)
    ):
        raise MissingPagesError(f"joined {len(document.pages)} pages of {total}")
    return document


# --- the coordinator (the job's own thread) -----------------------------------------------


def looks_scanned(files: Storage, sha256: str, settings: Settings) -> bool:
    """The first pages have (almost) no text layer: a quick look, milliseconds."""
    import pymupdf

    try:
        local = files.local_path(sha256)  # a local file is opened lazily, not read whole
        source = {"filename": local} if local else {"stream": files.get(sha256)}
        with pymupdf.open(**source, filetype="pdf") as pdf:
            pages = [pdf[i] for i in range(min(3, pdf.page_count))]
            chars = [len(page.get_text("text").strip()) for page in pages]
    except Exception:  # a hint only; the job itself reports a bad file
        return False
    return bool(chars) and max(chars) < settings.ocr.min_text_chars


def _page_total(files: Storage, sha256: str) -> int:
    import pymupdf

    local = files.local_path(sha256)
    source = {"filename": local} if local else {"stream": files.get(sha256)}
    with pymupdf.open(**source, filetype="pdf") as pdf:
        return int(pdf.page_count)


class ScanSplitter:
    """``JobContext.split``: for a big scan, sees to it that every page has a result and
    says so (True); anything else is left to the one-task path (False)."""

    def __init__(self, send: SendPages) -> None:
        self.send = send

    def __call__(self, ctx: JobContext, job: Job, doc: StoredDocument, holder: str) -> bool:
        size = ctx.settings.queue.split_pages
        if (
            doc.format != "pdf"
            or size <= 0
            or not looks_scanned(ctx.files, doc.sha256, ctx.settings)
        ):
            return False
        try:
            total = _page_total(ctx.files, doc.sha256)
        except Exception:  # the one-task path reports the bad file
            return False
        limits = ctx.settings.limits
        if total <= size or total > limits.max_pages or doc.size > limits.max_bytes:
            return False  # small, or refused with the reader's own error in one task
        options = reading_options(ctx.settings)
        store = PageResults(ctx.files, doc.sha256, settings_key(options))
        ranges = plan_ranges(total, size)
        message = {
            "sha256": doc.sha256,
            "options": options.model_dump(mode="json"),
            "job": job.id,
        }
        for first, last in ranges:
            if len(store.kept(range(first, last + 1))) < last - first + 1:
                self.send({**message, "first": first, "last": last})
        watch = _Progress(ctx.engine, job.id or 0, store, total)
        watch.start()
        try:
            _work_and_wait(ctx, store, message, ranges, holder)
        finally:
            watch.stop()
        log.info(
            "job %s: %s pages of %s read in %s page tasks",
            job.id,
            total,
            doc.sha256[:12],
            len(ranges),
        )
        return True


def _work_and_wait(
    ctx: JobContext,
    store: PageResults,
    message: dict[str, Any],
    ranges: list[tuple[int, int]],
    holder: str,
) -> None:
    """Read the ranges nobody is reading, from the last; then wait for the rest, taking
    over a range whose reader went quiet."""
    workers = ctx.settings.workers
    stale_s = stale_seconds(ctx.settings)
    deadline = time.monotonic() + workers.job_timeout_seconds
    pending = list(reversed(ranges))
    while pending:
        waiting = []
        for first, last in pending:
            if len(store.kept(range(first, last + 1))) == last - first + 1:
                continue
            if store.taken_by_other(first, last, holder, stale_s):
                waiting.append((first, last))
                continue
            args = (ctx.files, store.sha256, message["options"], first, last, holder)
            if ctx.pool is not None:
                ctx.pool.run(
                    ocr_range,
                    *args,
                    timeout=workers.job_timeout_seconds,
                    memory_mb=workers.memory_mb,
                )
            else:
                ocr_range(*args)
        pending = waiting
        if pending:
            if time.monotonic() > deadline:
                from service.jobs.isolation import JobTimeoutError

                raise JobTimeoutError(f"pages of {len(pending)} ranges not read in time")
            time.sleep(_POLL_S)


def stale_seconds(settings: Settings) -> float:
    """A range marker older than this is a dead reader's: its range is taken over."""
    return 2 * settings.workers.lease_seconds


class _Progress:
    """Counts the kept pages every ``_POLL_S`` and writes the count on the job row."""

    def __init__(self, engine: Engine, job_id: int, store: PageResults, total: int) -> None:
        self.engine, self.job_id, self.store, self.total = engine, job_id, store, total
        self._seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"jixiao-pages-{job_id}", daemon=True
        )

    def start(self) -> None:
        self._look()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._look()

    def _run(self) -> None:
        while not self._stop.wait(_POLL_S):
            try:
                self._look()
            except Exception:  # a busy database: the next look writes the count
                log.warning("progress of job %s not written", self.job_id, exc_info=True)

    def _look(self) -> None:
        self._seen |= self.store.kept(n for n in range(1, self.total + 1) if n not in self._seen)
        record_progress(self.engine, self.job_id, len(self._seen), self.total)


def record_progress(engine: Engine, job_id: int, done: int, total: int) -> None:
    """Pages done / total on the job row; the count only ever moves up."""
    with transaction(engine) as session:
        session.exec(
            update(Job)
            .where(
                col(Job.id) == job_id,
                or_(
                    col(Job.pages_done).is_(None),
                    col(Job.pages_done) < done,
                    col(Job.pages_total).is_(None),
                ),
            )
            .values(pages_done=done, pages_total=total)
        )


def run_page_task(ctx: JobContext, args: dict[str, Any], holder: str) -> str:
    """A ``jixiao.ocr_pages`` message: 'read N' (N pages read here), 'done' (nothing left
    to read), 'over' (its job is no longer being read: a message taken late, after the
    job's worker read the range itself and joined, would read it again for nothing) or
    'busy' (another worker is reading the range: look again once its marker could go
    stale)."""
    if args.get("job") is not None and not _job_reading(ctx.engine, int(args["job"])):
        return "over"
    first, last = int(args["first"]), int(args["last"])
    options = IngestOptions.model_validate(args["options"])
    store = PageResults(ctx.files, str(args["sha256"]), settings_key(options))
    if len(store.kept(range(first, last + 1))) == last - first + 1:
        return "done"
    if store.taken_by_other(first, last, holder, stale_seconds(ctx.settings)):
        return "busy"
    # this worker's engine threads, not the sender's: its host may have other cores
    wire = {
        **args["options"],
        "ocr": {**args["options"]["ocr"], "threads": ctx.settings.ocr.threads},
    }
    call = (ctx.files, store.sha256, wire, first, last, holder)
    workers = ctx.settings.workers
    if ctx.pool is not None:
        read = ctx.pool.run(
            ocr_range, *call, timeout=workers.job_timeout_seconds, memory_mb=workers.memory_mb
        )
    else:
        read = ocr_range(*call)
    return f"read {read}"


def _job_reading(engine: Engine, job_id: int) -> bool:
    with read_session(engine) as session:
        job = session.get(Job, job_id)
        return job is not None and job.status == JobStatus.processing
