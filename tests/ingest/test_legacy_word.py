"""Legacy Word, WPS and RTF files: sniffed by content, converted by LibreOffice, read as DOCX.

The .doc files are made here from our own generated DOCX reports by LibreOffice itself (the
same program the reader runs), the RTF is written by hand; the records read from them must
be the records read from the DOCX twin.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import olefile
import pytest

from service.config import ConvertSettings
from service.document import SourceFormat
from service.errors import CorruptFileError, EncryptedFileError
from service.extract.pipeline import ExtractOptions, extract
from service.ingest import IngestOptions, read_document
from service.ingest.legacy_word import (
    ConversionTimeoutError,
    ConverterMissingError,
    convert_to_docx,
)
from service.ingest.sniff import sniff
from service.synth.render import render
from service.synth.reports import make_report


@pytest.fixture(scope="module")
def twin() -> tuple[bytes, bytes]:
    """A generated report as DOCX and the .doc LibreOffice saves of it (synth's renderer)."""
    spec = make_report(1, "hunan").spec
    return render(spec, "docx")[0], render(spec, "doc")[0]


def _records(data: bytes, name: str, options: IngestOptions | None = None) -> dict[str, Any]:
    document = read_document(data, name, options)
    export = json.loads(
        extract(document, ExtractOptions(extractor="rules")).export.model_dump_json()
    )
    return _without_provenance(export)


def _without_provenance(node: Any) -> Any:
    """The values of an export without what names the file (source, sha256, timings)."""
    if isinstance(node, dict):
        drop = {"source", "extractor", "timings", "document"}
        return {k: _without_provenance(v) for k, v in node.items() if k not in drop}
    if isinstance(node, list):
        return [_without_provenance(v) for v in node]
    return node


@pytest.mark.slow
def test_doc_reads_like_its_docx_twin(twin: tuple[bytes, bytes]) -> None:
    docx, doc = twin
    assert doc.startswith(b"\xd0\xcf\x11\xe0")
    assert sniff(doc, "report.doc") is SourceFormat.doc
    document = read_document(doc, "report.doc")
    assert document.source.format is SourceFormat.doc
    assert document.source.media_type == "application/msword"
    original = read_document(docx, "report.docx")
    assert document.text.rstrip() == original.text.rstrip()
    assert [t.grid() for t in document.tables] == [t.grid() for t in original.tables]
    assert any("LibreOffice" in w for w in document.warnings)
    records = _records(doc, "report.doc")
    assert records == _records(docx, "report.docx")
    assert records["report"]["department"]["value"]  # the twin's records are not empty


@pytest.mark.slow
def test_wps_is_read_like_doc(twin: tuple[bytes, bytes]) -> None:
    """WPS Writer saves Word 97 streams: the content says 'word processor', the name .wps."""
    _, doc = twin
    assert sniff(doc, "报告.wps") is SourceFormat.wps
    document = read_document(doc, "报告.wps")
    assert document.source.format is SourceFormat.wps
    assert "绩效自评" in document.text


def _rtf(text: str) -> str:
    """RTF escapes for any non-ASCII character (\\uN? with N a signed 16-bit number)."""
    out = []
    for ch in text:
        code = ord(ch)
        if code < 128:
            out.append("\\" + ch if ch in "\\{}" else ch)
        else:
            out.append(f"\\u{code - 65536 if code > 32767 else code}?")
    return "".join(out)


def _rtf_report() -> bytes:
    paragraphs = [
        "2023年度部门整体支出绩效自评报告",
        "部门名称：某县农业农村局",
        "三公经费支出合计3.20万元。",
    ]
    rows = [
        ["项目", "预算数", "决算数"],
        ["基本支出", "100.00", "98.50"],
        ["项目支出", "40.00", "39.90"],
    ]
    body = "".join(f"\\pard\\plain {_rtf(p)}\\par\n" for p in paragraphs)
    for row in rows:
        cells = "".join(f"\\cellx{2000 * (i + 1)}" for i in range(len(row)))
        body += f"\\trowd{cells}\n" + "".join(f"\\pard\\intbl {_rtf(c)}\\cell " for c in row)
        body += "\\row\n"
    head = "{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil SimSun;}}\n"
    return (head + body + "\\pard\\par}\n").encode("ascii")


@pytest.mark.slow
def test_rtf_written_by_hand_is_read_with_its_table() -> None:
    data = _rtf_report()
    assert sniff(data, "report.txt") is SourceFormat.rtf  # by content, not by name
    document = read_document(data, "report.rtf")
    assert document.source.format is SourceFormat.rtf
    lines = document.text.splitlines()
    for paragraph in ("2023年度部门整体支出绩效自评报告", "部门名称:某县农业农村局"):
        assert paragraph in lines  # NFKC folds the full-width colon
    assert [t.grid() for t in document.tables] == [
        [
            ["项目", "预算数", "决算数"],
            ["基本支出", "100.00", "98.50"],
            ["项目支出", "40.00", "39.90"],
        ]
    ]


@pytest.mark.slow
def test_conversion_is_cached_by_sha256(twin: tuple[bytes, bytes], tmp_path: Path) -> None:
    _, doc = twin
    options = IngestOptions(convert=ConvertSettings(cache_dir=tmp_path / "cache"))
    first = read_document(doc, "report.doc", options)
    cached = list((tmp_path / "cache").glob("??/*.docx"))
    assert [p.name for p in cached] == [f"{first.source.sha256}.docx"]
    # the first conversion's LibreOffice profile is kept and copied into the next ones
    assert (tmp_path / "cache" / "soffice-profile").is_dir()
    rtf = read_document(_rtf_report(), "other.rtf", options)
    assert "部门名称:某县农业农村局" in rtf.text.splitlines()
    # LibreOffice gone: the second read takes the cached conversion, never the program
    gone = options.model_copy(
        update={"convert": options.convert.model_copy(update={"soffice": "no-such-soffice"})}
    )
    again = read_document(doc, "renamed.doc", gone)
    assert again.text == first.text
    with pytest.raises(ConverterMissingError):
        read_document(doc, "report.doc", IngestOptions(convert=gone.convert.model_copy(
            update={"cache_dir": tmp_path / "other"})))  # fmt: skip


def test_missing_soffice_says_so_in_plain_words(
    twin: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, doc = twin
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on PATH
    with pytest.raises(ConverterMissingError) as info:
        read_document(doc, "report.doc")
    error = info.value
    assert "LibreOffice" in error.message_zh and "未安装" in error.message_zh
    assert "not installed" in error.message_en
    assert error.to_dict()["code"] == "converter_missing"
    with pytest.raises(ConverterMissingError, match="/opt/none/soffice"):
        options = IngestOptions(convert=ConvertSettings(soffice="/opt/none/soffice"))
        read_document(doc, "report.doc", options)


def _rewrite_stream(doc: bytes, tmp: Path, change: Any) -> bytes:
    path = tmp / "changed.doc"
    path.write_bytes(doc)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = ole.openstream("WordDocument").read()
        ole.write_stream("WordDocument", change(stream))
    return path.read_bytes()


@pytest.mark.slow
def test_doc_libreoffice_cannot_open_is_corrupt(twin: tuple[bytes, bytes], tmp_path: Path) -> None:
    _, doc = twin
    garbage = _rewrite_stream(doc, tmp_path, lambda s: os.urandom(len(s)))
    assert sniff(garbage, "bad.doc") is SourceFormat.doc  # still a Word compound file
    with pytest.raises(CorruptFileError, match="LibreOffice could not open"):
        read_document(garbage, "bad.doc")


def test_truncated_doc_is_corrupt(twin: tuple[bytes, bytes]) -> None:
    _, doc = twin
    with pytest.raises(CorruptFileError):
        read_document(doc[: len(doc) // 3], "cut.doc")


def test_encrypted_doc_is_refused_before_conversion(
    twin: tuple[bytes, bytes], tmp_path: Path
) -> None:
    _, doc = twin

    def encrypt_flag(stream: bytes) -> bytes:
        flags = int.from_bytes(stream[10:12], "little") | 0x0100  # FIB fEncrypted
        return stream[:10] + flags.to_bytes(2, "little") + stream[12:]

    locked = _rewrite_stream(doc, tmp_path, encrypt_flag)
    with pytest.raises(EncryptedFileError):
        sniff(locked, "locked.doc")


def test_conversion_past_its_time_limit_is_killed_with_its_children(tmp_path: Path) -> None:
    """A converter that hangs (and has started a helper) is killed whole at the limit."""
    pids = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pids}\nsleep 60\n")
    fake.chmod(0o755)
    settings = ConvertSettings(soffice=str(fake), timeout_seconds=1)
    started = time.monotonic()
    with pytest.raises(ConversionTimeoutError):
        convert_to_docx(b"{\\rtf1 x}", SourceFormat.rtf, settings, "0" * 64)
    assert time.monotonic() - started < 10
    child = int(pids.read_text())
    for _ in range(50):  # the kill is immediate; reaping by init may take a moment
        if not _alive(child):
            break
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.split(") ", 1)[1][:1] != "Z"  # a zombie is dead, only not yet reaped


def test_ole_header_alone_is_corrupt() -> None:
    """An OLE signature over nothing is refused with a typed error, never passed on."""
    with pytest.raises(CorruptFileError):
        sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "x.doc")


def test_rtf_is_sniffed_before_text() -> None:
    assert sniff(b"{\\rtf1\\ansi hello}") is SourceFormat.rtf
    assert sniff("\ufeff{\\rtf1 x}".encode()) is SourceFormat.rtf  # after a BOM
    assert sniff(b"rtf is a format") is SourceFormat.text
