"""The export of a report in several files names its files (schema 1.3): name, format,
sha256 and the report's pages each holds, so a value's ``source.page`` tells its file."""

from __future__ import annotations

import hashlib
import json

from service.extract.pipeline import extract
from service.ingest import read_document
from service.ingest.bundle import pack_bundle
from service.records import SCHEMA_VERSION, ReportExport
from tests.ingest.test_bundle import REPORT, _tables_docx


def test_a_bundles_export_lists_its_files_and_their_pages() -> None:
    tables = _tables_docx()
    report = REPORT.encode()
    doc = read_document(pack_bundle([("报告.txt", report), ("附件 自评表.docx", tables)]), "r.zip")
    export = extract(doc).export
    files = [(f.name, f.format, f.sha256) for f in export.document.files]
    assert files == [
        ("报告.txt", "text", hashlib.sha256(report).hexdigest()),
        ("附件 自评表.docx", "docx", hashlib.sha256(tables).hexdigest()),
    ]
    first, second = export.document.files
    assert first.pages and second.pages and set(first.pages).isdisjoint(second.pages)
    assert sorted(first.pages + second.pages) == list(range(1, export.document.pages + 1))
    score = export.indicators[0].score  # a 自评表 value: it stands in the second file
    assert score is not None and score.source is not None
    assert score.source.page in second.pages
    assert export.schema_version == SCHEMA_VERSION == "1.3"


def test_a_report_in_one_file_lists_none_and_older_exports_still_read() -> None:
    export = extract(read_document(REPORT.encode(), "r.txt")).export
    assert export.document.files == []
    older = json.loads(export.model_dump_json())
    older["schema_version"] = "1.2"
    del older["document"]["files"]
    assert ReportExport.model_validate(older).document.files == []
