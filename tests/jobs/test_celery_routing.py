"""Which Celery queue a job goes to: scans to ocr, LLM extractions to llm, the rest to extract."""

from __future__ import annotations

import io
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from service.config import Settings
from service.jobs.celery_app import queue_for
from service.store.files import FileStore
from service.store.tables import Job, StoredDocument
from tests.api.conftest import make_pdf


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(out, format="PNG")
    return out.getvalue()


def _scanned_pdf() -> bytes:
    pdf = pymupdf.open()
    for _ in range(2):
        page = pdf.new_page()
        page.insert_image(page.rect, stream=_png())  # a page image, no text layer
    return pdf.tobytes()


def _route(tmp_path: Path, data: bytes, fmt: str, settings: Settings, **options: str) -> str:
    files = FileStore(tmp_path / "files")
    doc = StoredDocument(sha256=files.put(data), format=fmt, media_type="x", size=len(data))
    return queue_for(doc, Job(document_id="d", options=options), settings, files)


@pytest.mark.parametrize(
    ("data", "fmt", "options", "expected"),
    [
        (_scanned_pdf(), "pdf", {}, "p-ocr"),
        (make_pdf(), "pdf", {}, "p-extract"),
        (_png(), "png", {}, "p-ocr"),
        (b"\xe9\x83\xa8\xe9\x97\xa8: x\n", "text", {}, "p-extract"),
        (make_pdf(), "pdf", {"extractor": "llm"}, "p-llm"),
        (_scanned_pdf(), "pdf", {"extractor": "llm"}, "p-ocr"),  # OCR is the heavier part
    ],
)
def test_queue_for(
    tmp_path: Path, data: bytes, fmt: str, options: dict[str, str], expected: str
) -> None:
    settings = Settings(data_dir=tmp_path, queue={"prefix": "p-"})
    assert _route(tmp_path, data, fmt, settings, **options) == expected


def test_auto_goes_to_llm_only_with_an_endpoint(tmp_path: Path) -> None:
    plain = Settings(data_dir=tmp_path)
    with_llm = Settings(data_dir=tmp_path, llm={"base_url": "http://x/v1", "model": "m"})
    assert _route(tmp_path, make_pdf(), "pdf", plain) == "extract"
    assert _route(tmp_path, make_pdf(), "pdf", with_llm) == "llm"
