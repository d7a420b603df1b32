"""`jixiao extract` on one scan shows its pages done on stderr as they are OCR'd, and
prints the records of the same document a plain read gives; a text PDF shows nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from service.ingest import IngestOptions, read_document
from service.ingest.pdf_pages import first_pages_scanned, read_with_progress
from tests.jobs.test_scan_split import OCR_DPI, scan_pdf


def test_extract_on_a_scan_counts_its_pages_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIXIAO_OCR__DPI", str(OCR_DPI))
    monkeypatch.setenv("JIXIAO_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "scan.pdf"
    path.write_bytes(scan_pdf(2, tag="丙"))
    assert main(["extract", "--extractor", "rules", str(path)]) in (0, 1)
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if "OCR" in line]
    assert lines[:2] == ["jixiao: OCR 1/2 页", "jixiao: OCR 2/2 页"], err
    assert isinstance(json.loads(out), dict)  # the records were printed, as JSON


def test_read_with_progress_gives_the_plain_read_and_counts_up() -> None:
    options = IngestOptions(ocr={"dpi": OCR_DPI})
    data = scan_pdf(2, tag="丁")
    seen: list[tuple[int, int]] = []
    document = read_with_progress(data, "s.pdf", options, lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]
    assert document.model_dump() == read_document(data, "s.pdf", options).model_dump()
    assert first_pages_scanned(data, options)


def test_a_text_pdf_is_not_taken_for_a_scan() -> None:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((60, 90), "本单位年度支出合计1234.5万元，较上年增长3.2%。", fontname="china-s")
    assert not first_pages_scanned(doc.tobytes(), IngestOptions())
    assert not first_pages_scanned(b"not a pdf", IngestOptions())
