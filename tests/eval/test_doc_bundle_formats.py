"""Legacy Word (.doc) and reports in several files (bundle) in the evaluation set: beside
their DOCX twin in both splits, and rendered into files the readers take for what they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.dataset import DEFAULT_SET, TWIN, Item, Materializer, load_manifest
from service.document import SourceFormat
from service.ingest import read_document
from service.ingest.sniff import sniff


@pytest.mark.parametrize("fmt", ["doc", "bundle"])
def test_stands_beside_its_docx_twin_in_both_splits(fmt: str) -> None:
    manifest, _ = load_manifest(DEFAULT_SET)
    entries = [e for e in manifest.documents if fmt in e.formats]
    assert TWIN[fmt] == "docx"
    assert entries and all("docx" in e.formats for e in entries)
    assert {e.split for e in entries} == {"tuning", "heldout"}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["doc", "bundle"])
def test_the_materialised_file_reads_as_its_twin(fmt: str, tmp_path: Path) -> None:
    manifest, set_dir = load_manifest(DEFAULT_SET)
    entry = next(e for e in manifest.documents if fmt in e.formats)
    materializer = Materializer(tmp_path)
    data = materializer.file_bytes(Item(entry, fmt, set_dir))
    assert sniff(data, "report") is SourceFormat(fmt)
    twin = materializer.file_bytes(Item(entry, "docx", set_dir))
    document, docx = read_document(data, "report"), read_document(twin, "report.docx")
    # the same text: each file of a bundle starts a page (a form feed between them)
    assert document.text.replace("\f", "\n").split() == docx.text.replace("\f", "\n").split()
