"""OpenDocument (.ods) and WPS (.et) spreadsheets: sniffed by content, read like the .xlsx
they came from.

The files are made here from workbooks we write with openpyxl, by LibreOffice itself (the
program the reader runs): an .ods is LibreOffice's save of the .xlsx; an .et is its Excel 97
save, which is what WPS Spreadsheets writes under .et (LibreOffice's own type registry files
.et under "MS Excel 97").
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from service.config import ConvertSettings
from service.document import Document, SourceFormat
from service.errors import CorruptFileError
from service.extract.pipeline import ExtractOptions, extract
from service.ingest import IngestOptions, read_document
from service.ingest import sheets as sheets_module
from service.ingest.legacy_word import ConverterMissingError, convert
from service.ingest.sniff import sniff
from service.synth.reports import make_report
from service.synth.xlsx import render_xlsx
from tests.ingest.test_xlsx import _workbook

pytestmark = pytest.mark.slow  # LibreOffice converts: seconds per file

ODS = ("ods", "ods:calc8")
XLS97 = ("xls", "xls:MS Excel 97")


def _saved_as(data: bytes, target: tuple[str, str]) -> bytes:
    settings = ConvertSettings(cache_dir=None)
    return convert(data, ".xlsx", target, settings, hashlib.sha256(data).hexdigest())


def _options(cache: Path | None = None, soffice: str = "soffice") -> IngestOptions:
    return IngestOptions(convert=ConvertSettings(cache_dir=cache, soffice=soffice))


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    xlsx = _workbook()
    return {"xlsx": xlsx, "ods": _saved_as(xlsx, ODS), "et": _saved_as(xlsx, XLS97)}


def _cells(doc: Document) -> list[tuple[str | None, str, float | None, int, int]]:
    return [(c.ref, c.text, c.value, c.row_span, c.col_span) for t in doc.tables for c in t.cells]


def test_sniffed_by_content_whatever_the_name(files: dict[str, bytes]) -> None:
    assert sniff(files["ods"], "附件.zip") is SourceFormat.ods
    assert sniff(files["ods"], None) is SourceFormat.ods
    # an .et is Excel 97's format: content says workbook, the name says which program
    assert sniff(files["et"], "自评表.et") is SourceFormat.et
    assert sniff(files["et"], "自评表.xls") is SourceFormat.xls
    assert sniff(files["et"], None) is SourceFormat.xls


def test_an_ods_reads_as_the_xlsx_it_was_saved_from(
    files: dict[str, bytes], tmp_path: Path
) -> None:
    twin = read_document(files["xlsx"], "zp.xlsx")
    doc = read_document(files["ods"], "zp.ods", _options(tmp_path))
    assert doc.source.format is SourceFormat.ods
    assert doc.source.sha256 == hashlib.sha256(files["ods"]).hexdigest()
    assert _cells(doc) == _cells(twin)
    rate = doc.tables[0].cell_at(1, 3)
    assert rate is not None and rate.text == "97.29%" and rate.value == pytest.approx(0.9729)
    assert doc.text == twin.text
    assert any("converted from ods to XLSX by LibreOffice" in w for w in doc.warnings)
    # the conversion is cached by the original's sha256: no LibreOffice the second time
    again = read_document(files["ods"], "zp.ods", _options(tmp_path, soffice="no-soffice"))
    assert _cells(again) == _cells(twin)
    assert list(tmp_path.glob("*/*.xlsx"))


def test_an_et_is_read_by_xlrd_without_libreoffice(files: dict[str, bytes]) -> None:
    doc = read_document(files["et"], "自评表.et", _options(soffice="no-soffice"))
    assert doc.source.format is SourceFormat.et
    assert _cells(doc) == _cells(read_document(files["xlsx"], "zp.xlsx"))
    assert not any("LibreOffice" in w for w in doc.warnings)


def test_an_et_xlrd_cannot_read_goes_through_libreoffice(
    files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(data: bytes) -> Any:
        raise CorruptFileError("a record of WPS's own")

    monkeypatch.setattr(sheets_module, "_read_xls", refuse)
    doc = read_document(files["et"], "自评表.et")
    assert _cells(doc) == _cells(read_document(files["xlsx"], "zp.xlsx"))
    assert any("converted from et to XLSX" in w for w in doc.warnings)
    with pytest.raises(CorruptFileError):  # an .xls is not converted: xlrd's word stands
        read_document(files["et"], "自评表.xls")


def test_typed_errors_without_libreoffice_or_when_it_cannot_open(
    files: dict[str, bytes],
) -> None:
    with pytest.raises(ConverterMissingError) as missing:
        read_document(files["ods"], "zp.ods", _options(soffice="no-soffice"))
    assert "libreoffice-calc-nogui" in missing.value.message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")  # well-formed, so it gets past the quick check
    with pytest.raises(CorruptFileError, match="LibreOffice could not open the .ods file"):
        read_document(buf.getvalue(), "broken.ods")


def test_an_ods_self_evaluation_table_gives_the_xlsx_twins_records() -> None:
    spec = make_report(3, "hunan").spec
    xlsx = render_xlsx(spec, attachments_only=True)

    def records(data: bytes, name: str) -> dict[str, Any]:
        export = extract(read_document(data, name), ExtractOptions(extractor="rules")).export
        raw = json.loads(export.model_dump_json(exclude={"document", "extractor"}))
        return _values(raw)

    assert records(_saved_as(xlsx, ODS), "zp.ods") == records(xlsx, "zp.xlsx")


def _values(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _values(v) for k, v in node.items() if k not in ("source", "timings")}
    if isinstance(node, list):
        return [_values(v) for v in node]
    return node
