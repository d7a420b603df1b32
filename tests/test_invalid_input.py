"""Every bad file through every entry point that reads files without a server:
``read_document`` and the ``jixiao ingest`` command. (The HTTP upload has its own module,
tests/api/test_bad_input.py.) Each gets its typed error and a readable message, never a
traceback."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pymupdf
import pytest

from service import errors
from service.cli import main
from service.config import Limits
from service.ingest import IngestOptions, read_document


def _pdf(pages: int = 1) -> bytes:
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page().insert_text((72, 72), "部门整体支出绩效自评报告", fontname="china-s")
    return doc.tobytes()


def _encrypted_pdf() -> bytes:
    doc = pymupdf.open(stream=_pdf(), filetype="pdf")
    buf = io.BytesIO()
    doc.save(buf, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    return buf.getvalue()


def _png_bomb() -> bytes:
    """A valid PNG header claiming 100000x100000 pixels: a few hundred bytes on disk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def _zero_page_pdf() -> bytes:
    """A well-formed PDF (valid xref) whose page tree is empty: PyMuPDF will not save one."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


ZERO_PAGE_PDF = _zero_page_pdf()


def _encrypted_xlsx() -> bytes:
    import openpyxl
    from msoffcrypto.format.ooxml import OOXMLFile

    book = openpyxl.Workbook()
    book.active["A1"] = "绩效自评表"
    plain, locked = io.BytesIO(), io.BytesIO()
    book.save(plain)
    OOXMLFile(io.BytesIO(plain.getvalue())).encrypt("secret", locked)
    return locked.getvalue()


def _ofd(ofd_xml: str) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("OFD.xml", ofd_xml)
    return out.getvalue()


# a site's list page: navigation, links and a footer, no article
LIST_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='gbk'><title>通知公告</title></head><body>"
    "<div class='nav'><a href='/'>首页</a><a href='/gk/'>政务公开</a></div><ul>"
    + "".join(f"<li><a href='/{i}.html'>关于第{i}批项目的通知</a></li>" for i in range(8))
    + "</ul><div class='footer'>主办单位：某县人民政府</div></body></html>"
).encode("gbk")


def _ods(content: str | None) -> bytes:
    """An OpenDocument spreadsheet package: its mimetype, and ``content`` as content.xml."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        if content is not None:
            zf.writestr("content.xml", content)
    return buf.getvalue()


def _zip(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buf.getvalue()


BAD_FILES: list[tuple[str, bytes, type[errors.InputError], IngestOptions | None]] = [
    ("empty.pdf", b"", errors.EmptyFileError, None),
    ("truncated.pdf", _pdf(3)[:400], errors.CorruptFileError, None),
    ("garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20, errors.CorruptFileError, None),
    ("encrypted.pdf", _encrypted_pdf(), errors.EncryptedFileError, None),
    ("zero.pdf", ZERO_PAGE_PDF, errors.NoPagesError, None),
    ("fake.pdf", bytes(range(1, 256)) * 20, errors.MislabelledFileError, None),
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 200, errors.UnsupportedFormatError, None),
    ("bomb.png", _png_bomb(), errors.ImageTooLargeError, None),
    ("long.pdf", _pdf(5), errors.TooManyPagesError, IngestOptions(limits=Limits(max_pages=3))),
    ("big.pdf", _pdf(1), errors.FileTooLargeError, IngestOptions(limits=Limits(max_bytes=100))),
    ("list.html", LIST_PAGE, errors.NoArticleError, None),
    ("locked.xlsx", _encrypted_xlsx(), errors.EncryptedFileError, None),
    # refused before LibreOffice would run
    ("cut.ods", _ods("<office:document-content xmlns:office='o'>"), errors.CorruptFileError, None),
    ("hollow.ods", _ods(None), errors.CorruptFileError, None),
    ("cut.ofd", _ofd("<ofd:OFD/>" * 50)[:120], errors.CorruptFileError, None),
    (
        "rootless.ofd",
        _ofd("<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>"),
        errors.CorruptFileError,
        None,
    ),
    (
        "broken.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        errors.CorruptFileError,
        None,
    ),
    (
        "bomb.zip",  # a bundle whose one file inflates to 5 MB from a few kilobytes
        _zip("r.txt", b"0" * 5_000_000),
        errors.FileTooLargeError,
        IngestOptions(limits=Limits(max_bytes=1_000_000)),
    ),
    ("nothing.zip", _zip("a.bin", bytes(range(256)) * 8), errors.UnsupportedFormatError, None),
]
IDS = [name for name, *_ in BAD_FILES]


@pytest.mark.parametrize(("name", "data", "error", "options"), BAD_FILES, ids=IDS)
def test_read_document_raises_typed_error(
    name: str, data: bytes, error: type[errors.InputError], options: IngestOptions | None
) -> None:
    with pytest.raises(error) as info:
        read_document(data, name, options)
    exc = info.value
    assert type(exc) is error
    assert exc.message_zh in exc.message and exc.message_en in exc.message
    assert exc.to_dict()["code"] == error.code


@pytest.mark.parametrize(("name", "data", "error", "options"), BAD_FILES, ids=IDS)
def test_cli_prints_one_readable_line(
    name: str,
    data: bytes,
    error: type[errors.InputError],
    options: IngestOptions | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if options is not None:  # the CLI reads its limits from the environment
        monkeypatch.setenv("JIXIAO_LIMITS__MAX_PAGES", str(options.limits.max_pages))
        monkeypatch.setenv("JIXIAO_LIMITS__MAX_BYTES", str(options.limits.max_bytes))
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["ingest", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("jixiao: ") and err.count("\n") == 1
    assert error.message_en in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [path], "nothing written beside the input"
