"""A big scan read in page tasks: the page-result store, the join, and two Celery workers
against the real Redis (the worker subprocesses of ``tests.jobs.test_celery``).

The scans are generated: PyMuPDF writes our own Chinese lines (a different figure on
every line, the page number in each) into a text PDF, ``service.synth.scan`` turns it
into page images without a text layer. OCR runs at 120 dpi to spare the CPU.
"""

from __future__ import annotations

import gzip
import logging
import os
import time
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from fastapi.testclient import TestClient

from service.app import build_state, create_app, prepare
from service.document import Document
from service.errors import CorruptFileError
from service.extract.rules import extract_rules
from service.ingest import IngestOptions, read_document
from service.ingest.pdf import MissingPagesError
from service.jobs.intake import accept_upload, check_upload
from service.jobs.runner import share_cores
from service.jobs.scan_split import (
    PageResults,
    join_kept_pages,
    ocr_range,
    plan_ranges,
    reading_options,
    run_page_task,
    settings_key,
)
from service.jobs.worker import DOCUMENT_SUFFIX
from service.store.engine import read_session, transaction
from service.store.files import FileStore
from service.store.tables import Job
from tests.api.conftest import FakeExtractor, make_settings
from tests.extract import indicator_families as fam
from tests.extract.test_indicator_families import expected, rows
from tests.jobs.test_celery import (
    HEADERS,
    Worker,
    broker_settings,
    extraction_counts,
    jobs_of,
    redis_url,  # noqa: F401 (a fixture)
    wait_until,
    workers,  # noqa: F401 (a fixture)
)

OCR_DPI = 120


def scan_pdf(pages: int, tag: str = "") -> bytes:
    """An image-only PDF of ``pages`` pages, five lines each, every line its own figures."""
    from service.synth.scan import ScanOptions, render_scan

    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=595, height=842)
        for k in range(5):
            line = f"第{number}页{tag}：项目{k + 1}支出{number * 100 + k}万元，完成率{90 + k}%。"
            page.insert_text((60, 90 + 36 * k), line, fontname="china-s", fontsize=14)
    data = doc.tobytes()
    doc.close()
    return render_scan(data, seed=3, options=ScanOptions(dpi=OCR_DPI).clean())


def test_plan_ranges_cover_every_page_once_in_order() -> None:
    assert plan_ranges(7, 3) == [(1, 3), (4, 6), (7, 7)]
    assert plan_ranges(6, 2) == [(1, 2), (3, 4), (5, 6)]
    assert plan_ranges(1, 4) == [(1, 1)]
    pages = [n for first, last in plan_ranges(61, 4) for n in range(first, last + 1)]
    assert pages == list(range(1, 62))


def test_settings_key_changes_with_what_the_ocr_depends_on() -> None:
    base = IngestOptions()
    assert settings_key(base) == settings_key(IngestOptions())
    assert settings_key(base) != settings_key(IngestOptions(ocr={"dpi": 150}))
    assert settings_key(base) != settings_key(IngestOptions(force_ocr=True))


def test_ranges_read_apart_and_joined_give_the_one_task_document(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://", ocr={"dpi": OCR_DPI})
    files = FileStore(tmp_path / "files")
    data = scan_pdf(3)
    sha = files.put(data)
    options = reading_options(settings)
    whole = read_document(data, "scan.pdf", options)
    wire = options.model_dump(mode="json")  # what a page task's message carries
    assert ocr_range(files, sha, wire, 3, 3, "b") == 1  # the later range first
    assert ocr_range(files, sha, wire, 1, 2, "a") == 2
    assert ocr_range(files, sha, wire, 1, 2, "c") == 0  # redelivered: nothing read again
    joined = join_kept_pages(files, sha, "scan.pdf", settings)
    assert [p.number for p in joined.pages] == [1, 2, 3]
    assert (
        joined.text == whole.text and "第2页:项目3支出202万元" in joined.text
    )  # OCR writes ASCII colons
    assert joined.model_dump() == whole.model_dump()  # boxes, spans, warnings alike


def test_a_page_without_its_result_is_never_joined(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://", ocr={"dpi": OCR_DPI})
    files = FileStore(tmp_path / "files")
    data = scan_pdf(2)
    sha = files.put(data)
    ocr_range(files, sha, reading_options(settings).model_dump(mode="json"), 1, 1, "a")
    with pytest.raises(MissingPagesError, match="page 2 of 2"):
        join_kept_pages(files, sha, "scan.pdf", settings)
    # a result kept under another page's name is refused too
    store = PageResults(files, sha, settings_key(reading_options(settings)))
    store.put(2, store.get(1)[1])
    with pytest.raises(MissingPagesError, match="page 2 is page 1"):
        join_kept_pages(files, sha, "scan.pdf", settings)


@pytest.mark.ocr
@pytest.mark.slow
def test_a_borderless_table_over_a_range_boundary_joins_as_in_one_read(tmp_path: Path) -> None:
    """Three indicator rows at the foot of page 1 under the header, two at the top of page
    2 without it, pages read in two ranges: page 2 was OCR'd without page 1's gutters, so
    alone it has no table; the join lays it out again with them (no second OCR) and the
    document and its indicator rows are those of one read."""
    settings = make_settings(tmp_path, "sqlite://")
    files = FileStore(tmp_path / "files")
    family = fam.FAMILY_B
    data = fam.as_scan(fam.as_pdf_over_pages(family, False, 3))
    sha = files.put(data)
    whole = read_document(data, "scan.pdf", reading_options(settings))
    wire = reading_options(settings).model_dump(mode="json")
    assert ocr_range(files, sha, wire, 2, 2, "b") == 1
    assert ocr_range(files, sha, wire, 1, 1, "a") == 1
    store = PageResults(files, sha, settings_key(reading_options(settings)))
    page2 = store.get(2)[1]
    assert page2 is not None and page2["ocr"]["previous"] is None
    assert page2["ocr"]["tables"] == []  # read apart: its rows are loose lines
    joined = join_kept_pages(files, sha, "scan.pdf", settings)
    assert [t.pages for t in joined.tables] == [t.pages for t in whole.tables] == [[1], [2]]
    assert [[c.text for c in t.cells] for t in joined.tables] == [
        [c.text for c in t.cells] for t in whole.tables
    ]
    assert joined.model_dump() == whole.model_dump()
    assert (
        rows(extract_rules(joined).export)
        == rows(extract_rules(whole).export)
        == (expected(family))
    )


# --- the embedded runner (no broker) -----------------------------------------------------


def _embedded_settings(tmp_path: Path, threads: int = 0, **pool: Any) -> Any:
    return make_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'jixiao.db'}",
        ocr={"dpi": OCR_DPI, "threads": threads},
        queue={"split_pages": 2},
        workers={"isolation": "process", **pool},
    )


def test_the_embedded_runner_reads_a_scan_across_its_job_processes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="jixiao.jobs")
    settings = _embedded_settings(tmp_path)
    data = scan_pdf(6, tag="丙")
    whole = read_document(data, "scan.pdf", reading_options(settings))
    state = build_state(settings)  # the rules extractor: the job processes import it
    prepare(state)
    try:
        accepted = accept_upload(
            state.engine,
            state.files,
            data,
            check_upload(data, "scan.pdf", settings.limits),
            filename="scan.pdf",
            uploaded_by="test",
        )
        state.runner.start()
        job_id = accepted.job.id if accepted.job else 0
        wait_until(lambda: _job_status(state, job_id) in ("done", "failed"), 300, "job over")
    finally:
        state.runner.stop(timeout=5)
        state.engine.dispose()
    with read_session(state.engine) as session:
        job = session.get(Job, job_id)
    assert job is not None and (job.status, job.pages_done, job.pages_total) == ("done", 6, 6)
    document = _stored_document(settings, whole.source.sha256)
    assert [p.number for p in document.pages] == [1, 2, 3, 4, 5, 6]
    assert document.text == whole.text and "第4页丙:项目2支出401万元" in document.text
    # a free thread read the first range in the other job process, the job's thread the rest
    handed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("pages ")]
    assert f"pages 1-2 of {whole.source.sha256[:12]}: read 2" in handed, handed


def test_the_embedded_runner_splits_only_across_job_processes(tmp_path: Path) -> None:
    for pool, splits in (
        ({}, True),
        ({"count": 1}, False),  # one process: nobody to share the pages with
        ({"isolation": "thread"}, False),  # one process: its engine reads a page at a time
    ):
        state = build_state(_embedded_settings(tmp_path, **pool))
        assert (state.jobs.split is not None) is splits, pool
        state.engine.dispose()
        if state.jobs.pool is not None:
            state.jobs.pool.shutdown()


def test_job_processes_share_the_cores_for_the_ocr_engine(tmp_path: Path) -> None:
    cores = len(os.sched_getaffinity(0))
    two = share_cores(_embedded_settings(tmp_path, count=2))
    assert two.ocr.threads == max(1, cores // 2)
    many = share_cores(_embedded_settings(tmp_path, count=4 * cores))
    assert many.ocr.threads == 1
    assert share_cores(_embedded_settings(tmp_path, threads=3)).ocr.threads == 3
    assert share_cores(_embedded_settings(tmp_path, isolation="thread")).ocr.threads == 0
    # the engine's threads change no result: the page results are shared across them
    options = reading_options(two)
    assert settings_key(options) == settings_key(
        options.model_copy(update={"ocr": options.ocr.model_copy(update={"threads": 7})})
    )


def test_a_page_task_taken_after_its_job_is_over_reads_nothing(tmp_path: Path) -> None:
    settings = _embedded_settings(tmp_path, isolation="thread")
    state = build_state(settings)
    prepare(state)
    data = scan_pdf(2, tag="丁")
    accepted = accept_upload(
        state.engine,
        state.files,
        data,
        check_upload(data, "scan.pdf", settings.limits),
        filename="scan.pdf",
        uploaded_by="test",
    )
    assert accepted.job is not None
    job_id, sha = accepted.job.id, accepted.document.sha256
    options = reading_options(settings)
    args = {"sha256": sha, "options": options.model_dump(mode="json"), "job": job_id}
    store = PageResults(state.files, sha, settings_key(options))
    for status, outcome in (("done", "over"), ("failed", "over"), ("queued", "over")):
        _set_status(state, job_id, status)
        assert run_page_task(state.jobs, {**args, "first": 1, "last": 2}, "late") == outcome
    assert store.kept([1, 2]) == set() and not store.taken_by_other(1, 2, "x", stale_s=60)
    # while the job is being read, a range with its results kept is done
    _set_status(state, job_id, "processing")
    store.put(1, None)
    store.put(2, None)
    assert run_page_task(state.jobs, {**args, "first": 1, "last": 2}, "late") == "done"
    state.engine.dispose()


def _set_status(state: Any, job_id: int, status: str) -> None:
    with transaction(state.engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.status = status
        session.add(job)


def _job_status(state: Any, job_id: int) -> str:
    with read_session(state.engine) as session:
        job = session.get(Job, job_id)
        return str(job.status) if job is not None else ""


# --- two Celery workers against Redis -----------------------------------------------------


def _split_env(monkeypatch: pytest.MonkeyPatch, split_pages: int) -> None:
    monkeypatch.setenv("JIXIAO_OCR__DPI", str(OCR_DPI))
    monkeypatch.setenv("JIXIAO_QUEUE__SPLIT_PAGES", str(split_pages))


def _stored_document(settings: Any, sha256: str) -> Document:
    data = FileStore(settings.storage_dir).get_derived(sha256, DOCUMENT_SUFFIX)
    assert data is not None
    return Document.model_validate_json(gzip.decompress(data))


def _watch(client: TestClient, doc_id: str, timeout: float, on_progress: Any = None) -> list:
    """Poll the status JSON until done; returns the (pages_done, pages_total) seen."""
    seen: list[tuple[int, int]] = []
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/documents/{doc_id}", headers=HEADERS).json()
        job = body.get("job") or {}
        if job.get("pages_total"):
            seen.append((job["pages_done"], job["pages_total"]))
            if on_progress is not None:
                on_progress(seen[-1])
        if body["status"] in ("done", "failed"):
            assert body["status"] == "done", body
            return seen
        assert time.monotonic() < deadline, f"not done after {timeout} s: {body}"
        time.sleep(0.2)


def test_a_scan_split_across_two_workers_reads_as_in_one_task(
    tmp_path: Path,
    clean_database: str,
    redis_url: str,  # noqa: F811
    workers: list[Worker],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _split_env(monkeypatch, 2)
    settings = broker_settings(tmp_path, clean_database, redis_url)
    settings = settings.model_copy(update={"ocr": settings.ocr.model_copy(update={"dpi": 120})})
    data = scan_pdf(6, tag="甲")
    whole = read_document(data, "scan.pdf", reading_options(settings))
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        workers.append(Worker(settings, tmp_path / "w1.log"))
        workers.append(Worker(settings, tmp_path / "w2.log"))
        files = {"files": ("scan.pdf", data, "application/pdf")}
        doc_id = client.post("/documents", files=files, headers=HEADERS).json()["documents"][0][
            "id"
        ]
        seen = _watch(client, doc_id, 240)
    (job,) = jobs_of(settings)
    assert (job.pages_done, job.pages_total, job.attempts) == (6, 6, 1)
    dones = [done for done, _ in seen]
    assert dones == sorted(dones) and seen[-1] == (6, 6), seen  # only ever up, to 6/6
    document = _stored_document(settings, whole.source.sha256)
    assert [p.number for p in document.pages] == [1, 2, 3, 4, 5, 6]
    assert document.text == whole.text
    assert extraction_counts(settings) == {doc_id: 1}
    # the worker that did not hold the job read pages in page tasks (Celery logs what a
    # task returns: 'read N'); the other read the rest as the job's coordinator
    coordinator = (job.worker_id or "").split(":")[1]
    (other,) = [w for w in workers if str(w.proc.pid) != coordinator]
    assert any(f"'read {n}'" in other.log.read_text(errors="replace") for n in (1, 2))


def test_a_worker_killed_mid_page_loses_no_page_and_duplicates_none(
    tmp_path: Path,
    clean_database: str,
    redis_url: str,  # noqa: F811
    workers: list[Worker],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _split_env(monkeypatch, 2)
    settings = broker_settings(tmp_path, clean_database, redis_url)
    settings = settings.model_copy(update={"ocr": settings.ocr.model_copy(update={"dpi": 120})})
    data = scan_pdf(6, tag="乙")
    whole = read_document(data, "scan.pdf", reading_options(settings))
    with TestClient(create_app(settings, extract=FakeExtractor())) as client:
        first = Worker(settings, tmp_path / "w1.log")
        workers.append(first)
        files = {"files": ("scan.pdf", data, "application/pdf")}
        doc_id = client.post("/documents", files=files, headers=HEADERS).json()["documents"][0][
            "id"
        ]
        wait_until(lambda: (jobs_of(settings)[0].worker_id or "") != "", 120, "claimed")
        second = Worker(settings, tmp_path / "w2.log")  # joins while the first coordinates
        workers.append(second)
        killed: list[int] = []

        def kill_mid_way(progress: tuple[int, int]) -> None:
            # the second worker holds a page task once a page is read and some remain
            if not killed and 1 <= progress[0] <= 3:
                second.kill()
                killed.append(progress[0])
                workers.append(Worker(settings, tmp_path / "w3.log"))

        seen = _watch(client, doc_id, 300, kill_mid_way)
    assert killed, seen
    (job,) = jobs_of(settings)
    assert str(second.proc.pid) not in (job.worker_id or "")  # it held pages, not the job
    dones = [done for done, _ in seen]
    assert dones == sorted(dones) and seen[-1] == (6, 6), seen
    document = _stored_document(settings, whole.source.sha256)
    assert [p.number for p in document.pages] == [1, 2, 3, 4, 5, 6]  # every page once
    assert document.text == whole.text
    assert extraction_counts(settings) == {doc_id: 1}


def test_a_range_whose_reader_failed_is_free_at_once(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://", ocr={"dpi": OCR_DPI})
    files = FileStore(tmp_path / "files")
    sha = files.put(b"%PDF-1.4 not really a pdf")
    store = PageResults(files, sha, settings_key(reading_options(settings)))
    store.take(1, 2, "reader-a")
    assert store.taken_by_other(1, 2, "reader-b", stale_s=60)
    assert not store.taken_by_other(1, 2, "reader-a", stale_s=60)  # its own marker
    wire = reading_options(settings).model_dump(mode="json")
    with pytest.raises(CorruptFileError):
        ocr_range(files, sha, wire, 1, 2, "reader-a")
    assert not store.taken_by_other(1, 2, "reader-b", stale_s=60)  # given up: free
