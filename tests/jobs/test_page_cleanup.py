"""A split scan's page results are deleted once its joined document is stored, and only then.

The job runs in this process (``run_job`` with a splitter that leaves what the page tasks
leave: a result per page and the range markers) on a text PDF, whose pages join from their
text layer; the storage's ``delete_derived`` is checked on the local folder and on S3 (the
moto server of tests/store/test_s3_storage.py).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import select

from service.document import Document
from service.jobs.intake import accept_upload, check_upload
from service.jobs.scan_split import PageResults, reading_options, settings_key
from service.jobs.worker import DOCUMENT_SUFFIX, JobContext, run_job
from service.store.engine import make_engine, read_session
from service.store.files import FileStore
from service.store.s3 import S3Store
from service.store.tables import Job, StoredDocument
from tests.api.conftest import FakeExtractor, make_pdf, make_settings, report_text
from tests.store.test_s3_storage import BUCKET, _keys, s3, s3_endpoint  # noqa: F401

Split = Callable[[JobContext, Job, StoredDocument, str], bool]


def _three_page_pdf(tag: str) -> bytes:
    lines = [line.decode() for line in report_text(tag=tag).splitlines()]
    return make_pdf([lines[:3], lines[3:5], lines[5:]])


def _splitter(pages: list[int]) -> Split:
    """What the page tasks leave behind: a result for each of ``pages`` and two markers."""

    def split(ctx: JobContext, job: Job, doc: StoredDocument, holder: str) -> bool:
        store = PageResults(ctx.files, doc.sha256, settings_key(reading_options(ctx.settings)))
        for number in pages:
            store.put(number, None)  # None: a page read from its text layer
        store.take(1, 2, holder)
        store.take(3, 3, holder)
        return True

    return split


def _run(
    tmp_path: Path, url: str, data: bytes, split: Split, attempts: int = 3
) -> tuple[str, FileStore, str]:
    settings = make_settings(tmp_path, url)
    engine = make_engine(url)
    files = FileStore(tmp_path / "files")
    try:
        checked = check_upload(data, "scan.pdf", settings.limits)
        accepted = accept_upload(
            engine,
            files,
            data,
            checked,
            filename="scan.pdf",
            uploaded_by=None,
            max_attempts=attempts,
        )
        with read_session(engine) as session:
            (job_id,) = session.exec(select(Job.id)).all()
        ctx = JobContext(engine, files, settings, extract=FakeExtractor(), split=split)
        outcome = run_job(job_id or 0, ctx)
    finally:
        engine.dispose()
    return outcome, files, accepted.document.sha256


def test_page_results_are_deleted_once_the_joined_document_is_stored(
    tmp_path: Path, clean_database: str
) -> None:
    data = _three_page_pdf("甲")
    files = FileStore(tmp_path / "files")
    other = files.put(_three_page_pdf("乙"))  # another file's results stay
    key = settings_key(reading_options(make_settings(tmp_path, clean_database)))
    PageResults(files, other, key).put(1, None)
    outcome, files, sha = _run(tmp_path, clean_database, data, _splitter([1, 2, 3]))
    assert outcome == "done"
    store = PageResults(files, sha, key)
    assert store.kept(range(1, 4)) == set()
    assert not store.taken_by_other(1, 2, "another-worker", stale_s=3600)  # markers gone too
    assert not store.taken_by_other(3, 3, "another-worker", stale_s=3600)
    joined = Document.model_validate_json(
        gzip.decompress(files.get_derived(sha, DOCUMENT_SUFFIX) or b"")
    )
    assert [page.number for page in joined.pages] == [1, 2, 3]
    assert "部门: 测试局" in joined.text
    assert files.get(sha) == data  # the upload itself is never touched
    assert PageResults(files, other, key).kept([1]) == {1}


def test_page_results_stay_while_the_join_still_needs_them(
    tmp_path: Path, clean_database: str
) -> None:
    """Page 2 has no result: the join refuses, the job is retried, and the pages kept so far
    are not read again by the retry."""
    outcome, files, sha = _run(tmp_path, clean_database, _three_page_pdf("丙"), _splitter([1, 3]))
    assert outcome == "retry"
    key = settings_key(reading_options(make_settings(tmp_path, clean_database)))
    assert PageResults(files, sha, key).kept(range(1, 4)) == {1, 3}
    assert files.get_derived(sha, DOCUMENT_SUFFIX) is None


def test_page_results_go_when_the_join_fails_for_good(tmp_path: Path, clean_database: str) -> None:
    outcome, files, sha = _run(
        tmp_path, clean_database, _three_page_pdf("戊"), _splitter([1, 3]), attempts=1
    )
    assert outcome == "failed"
    key = settings_key(reading_options(make_settings(tmp_path, clean_database)))
    assert PageResults(files, sha, key).kept(range(1, 4)) == set()
    assert files.get(sha)  # the upload stays, for a reprocess


def test_delete_derived_takes_one_files_artefacts_by_prefix_in_a_folder(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    digest, other = store.put(b"scan"), store.put(b"another scan")
    for suffix in ("ocr-k1-p1.json.gz", "ocr-k1-r1-2.taken", "ocr-k2-p1.json.gz", "p1-120.png"):
        store.put_derived(digest, suffix, b"x")
    store.put_derived(other, "ocr-k1-p1.json.gz", b"y")
    assert store.delete_derived(digest, "ocr-") == 3
    assert store.get_derived(digest, "p1-120.png") == b"x"  # a page image is no page result
    assert store.get_derived(digest, "ocr-k1-p1.json.gz") is None
    assert store.get_derived(other, "ocr-k1-p1.json.gz") == b"y"
    assert store.get(digest) == b"scan"
    assert store.delete_derived(digest, "ocr-") == 0  # nothing left: nothing to do


def test_delete_derived_on_s3_lists_and_deletes_under_the_prefix(s3: Any, s3_endpoint: str) -> None:  # noqa: F811
    store = S3Store(BUCKET, prefix="reports/", endpoint_url=s3_endpoint)
    digest = store.put(b"scan")
    other = hashlib.sha256(b"another scan").hexdigest()
    for number in range(1, 4):
        store.put_derived(digest, f"ocr-k1-p{number}.json.gz", b"x")
    store.put_derived(digest, "p1-120.png", b"png")
    store.put_derived(other, "ocr-k1-p1.json.gz", b"y")
    assert store.delete_derived(digest, "ocr-") == 3
    folder = f"reports/{digest[:2]}/{digest[2:4]}/{digest}"
    assert [k for k in _keys(s3) if k.startswith(folder)] == [folder, f"{folder}.p1-120.png"]
    assert store.get_derived(other, "ocr-k1-p1.json.gz") == b"y"


def test_a_page_task_delivered_after_its_job_ended_reads_nothing(
    tmp_path: Path, clean_database: str
) -> None:
    """A page task still queued when the job's own worker read every range and finished
    (one busy worker does exactly that) must not read the pages again once the results
    are deleted: it answers 'over' and writes nothing."""
    from service.jobs.celery_app import make_celery
    from service.jobs.scan_split import PAGE_TASK
    from service.store.engine import transaction

    settings = make_settings(
        tmp_path, clean_database, queue={"broker_url": "redis://127.0.0.1:1/0"}
    )  # the task runs here (apply), never through the broker
    engine = make_engine(clean_database)
    files = FileStore(tmp_path / "files")
    try:
        data = _three_page_pdf("丁")
        checked = check_upload(data, "scan.pdf", settings.limits)
        doc = accept_upload(engine, files, data, checked, filename="scan.pdf", uploaded_by=None)
        sha = doc.document.sha256
        store = PageResults(files, sha, settings_key(reading_options(settings)))
        for number in (1, 2, 3):
            store.put(number, None)
        wire = reading_options(settings).model_dump(mode="json")
        args = {"sha256": sha, "options": wire, "first": 1, "last": 3}
        task = make_celery(settings, JobContext(engine, files, settings)).tasks[PAGE_TASK]
        assert task.apply(args=[args]).get() == "done"  # its job waits: the task looks
        with transaction(engine) as session:
            (job,) = session.exec(select(Job)).all()
            job.status = "done"
            session.add(job)
        store.files.delete_derived(sha, "ocr-")  # what the job's end does
        assert task.apply(args=[args]).get() == "over"
        assert store.kept(range(1, 4)) == set()  # nothing read again
    finally:
        engine.dispose()
