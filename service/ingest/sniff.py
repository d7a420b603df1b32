"""Content sniffing: decide a file's format from its bytes, never from its name alone.

The name (or a declared media type) is only used to notice a *mislabelled* file: one that
says it is a PDF but is something we cannot read at all.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from service.document import SourceFormat
from service.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    MislabelledFileError,
    UnsupportedFormatError,
)

MEDIA_TYPES: dict[SourceFormat, str] = {
    SourceFormat.pdf: "application/pdf",
    SourceFormat.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    SourceFormat.png: "image/png",
    SourceFormat.jpeg: "image/jpeg",
    SourceFormat.tiff: "image/tiff",
    SourceFormat.text: "text/plain",
    SourceFormat.html: "text/html",
    SourceFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    SourceFormat.xls: "application/vnd.ms-excel",
    SourceFormat.ods: "application/vnd.oasis.opendocument.spreadsheet",
    SourceFormat.et: "application/vnd.ms-excel",  # WPS writes Excel 97's format under .et
    SourceFormat.ofd: "application/ofd",
    SourceFormat.doc: "application/msword",
    SourceFormat.wps: "application/vnd.ms-works",
    SourceFormat.rtf: "application/rtf",
    SourceFormat.bundle: "application/zip",
}

_EXTENSIONS: dict[str, SourceFormat] = {
    ".pdf": SourceFormat.pdf,
    ".docx": SourceFormat.docx,
    ".png": SourceFormat.png,
    ".jpg": SourceFormat.jpeg,
    ".jpeg": SourceFormat.jpeg,
    ".tif": SourceFormat.tiff,
    ".tiff": SourceFormat.tiff,
    ".txt": SourceFormat.text,
    ".html": SourceFormat.html,
    ".htm": SourceFormat.html,
    ".xlsx": SourceFormat.xlsx,
    ".xls": SourceFormat.xls,
    ".ods": SourceFormat.ods,
    ".et": SourceFormat.et,
    ".ofd": SourceFormat.ofd,
    ".doc": SourceFormat.doc,
    ".wps": SourceFormat.wps,
    ".rtf": SourceFormat.rtf,
    ".zip": SourceFormat.bundle,
}

TEXT_ENCODINGS = ("utf-8-sig", "utf-16", "gb18030")


_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", SourceFormat.png),
    (b"\xff\xd8\xff", SourceFormat.jpeg),
    (b"II*\x00", SourceFormat.tiff),
    (b"MM\x00*", SourceFormat.tiff),
)


def claimed_format(filename: str | None) -> SourceFormat | None:
    if not filename:
        return None
    return _EXTENSIONS.get(PurePath(filename).suffix.lower())


def sniff(data: bytes, filename: str | None = None) -> SourceFormat:
    """The format of ``data``. Raises a typed ``InputError`` when it is none we read."""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise EmptyFileError(filename)
    # Containers first: a ZIP or OLE file may hold a PDF's bytes near its start (a bundle
    # stores its files uncompressed), while a PDF never starts with their signatures.
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, filename)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _sniff_ole(data, filename)
    head = data[:1024]
    if b"%PDF-" in head:
        return SourceFormat.pdf
    for magic, fmt in _IMAGE_MAGIC:
        if data.startswith(magic):
            return fmt
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return SourceFormat.rtf
    if looks_like_html(data):
        return SourceFormat.html
    if decode_text(data) is not None:
        claimed = claimed_format(filename)
        if claimed not in (None, SourceFormat.text):
            raise MislabelledFileError(f"{filename!r} is named as {claimed.value} but holds text")
        return SourceFormat.text
    claimed = claimed_format(filename)
    if claimed is not None:
        raise MislabelledFileError(f"{filename!r} is named as {claimed.value} but is not")
    raise UnsupportedFormatError(filename)


def _sniff_zip(data: bytes, filename: str | None) -> SourceFormat:
    """DOCX, an Excel workbook, OFD, or else a bundle: a ZIP of several files."""
    if _is_docx(data):
        return SourceFormat.docx
    package = _zip_package(data)
    if package is not None:
        return package
    from service.ingest.bundle import is_bundle

    if is_bundle(data):  # a ZIP of several files (no Office package): one report
        return SourceFormat.bundle
    if b"word/" in data[:65536] or claimed_format(filename) is SourceFormat.docx:
        # A Word file whose ZIP directory is missing: truncated in transit.
        raise CorruptFileError(f"{filename or 'the file'}: an incomplete .docx archive")
    claimed = claimed_format(filename)
    if b"xl/" in data[:65536] or claimed in (SourceFormat.xlsx, SourceFormat.ofd):
        raise CorruptFileError(f"{filename or 'the file'}: an incomplete .xlsx/.ofd archive")
    raise UnsupportedFormatError("a ZIP archive whose directory cannot be read")


def _sniff_ole(data: bytes, filename: str | None) -> SourceFormat:
    """An OLE2 compound file: an Excel .xls, a Word .doc or WPS .wps, or a typed refusal."""
    _refuse_encrypted_ooxml(data, filename)
    # a Word file may embed a workbook (its ObjectPool names one): Word wins
    workbook = _ole_stream(data, "Workbook") or _ole_stream(data, "Book")
    if workbook and not _ole_stream(data, "WordDocument"):
        # WPS Spreadsheets saves .et in Excel 97's format: only the name tells them apart
        return SourceFormat.et if claimed_format(filename) is SourceFormat.et else SourceFormat.xls
    from service.ingest.legacy_word import ole_word_format

    return ole_word_format(data, filename)  # .doc / .wps, or a typed refusal


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _zip_package(data: bytes) -> SourceFormat | None:
    """An Excel workbook (``xl/workbook.xml``), an OpenDocument spreadsheet (its ``mimetype``
    member names it) or an OFD package (``OFD.xml`` at its root)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "xl/workbook.xml" in names:
        return SourceFormat.xlsx
    if mimetype.strip() == b"application/vnd.oasis.opendocument.spreadsheet":
        return SourceFormat.ods
    if "OFD.xml" in names or "ofd.xml" in names:
        return SourceFormat.ofd
    return None


def _ole_stream(data: bytes, name: str) -> bool:
    """Whether an OLE compound file names a stream ``name``: its directory entries hold the
    names in UTF-16LE, each followed by a NUL (a cheap test, no OLE parser needed)."""
    return (name.encode("utf-16-le") + b"\x00\x00") in data


def _refuse_encrypted_ooxml(data: bytes, filename: str | None) -> None:
    """A password-protected .xlsx/.docx is an OLE file holding the encrypted package."""
    if _ole_stream(data, "EncryptedPackage") or _ole_stream(data, "EncryptionInfo"):
        raise EncryptedFileError(f"{filename or 'the file'}: a password-protected Office file")


_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head)\b", re.I | re.S
)
# A saved fragment (an article's element copied out of a page) opens with a tag and closes
# block and inline elements as markup does; a text report quoting a tag does neither.
_HTML_CLOSE = re.compile(rb"</(?:p|div|span|table|tr|td|li|font|strong|h[1-6])\s*>", re.I)


def looks_like_html(data: bytes) -> bool:
    """A web page: it opens (after a BOM, blanks and comments) with a doctype, ``<html>`` or
    ``<head>``, or it is a fragment that opens with a tag and closes three elements in its
    first 4 KiB; in any byte encoding of ASCII (UTF-16 pages are decoded first)."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if _HTML_START.match(head):
        return True
    return head.lstrip().startswith(b"<") and len(_HTML_CLOSE.findall(head)) >= 3


def decode_text(data: bytes) -> str | None:
    """Decode plain text (UTF-8, UTF-16 with BOM, GB18030), or None if it looks binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    return None


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return bad / len(text) < 0.01
