"""The converter: sniff, check limits, dispatch to the format's reader."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field

from service.config import ConvertSettings, Limits, OCRSettings
from service.document import Document, SourceFormat, SourceInfo
from service.errors import FileTooLargeError, TextTooLongError
from service.ingest.sniff import MEDIA_TYPES, sniff


class IngestOptions(BaseModel):
    limits: Limits = Field(default_factory=Limits)
    ocr: OCRSettings = Field(default_factory=OCRSettings)
    force_ocr: bool = Field(False, description="OCR every PDF page, ignoring its text layer.")
    convert: ConvertSettings = Field(default_factory=ConvertSettings)


def read_document(
    data: bytes, filename: str | None = None, options: IngestOptions | None = None
) -> Document:
    """Read ``data`` into a ``Document``. Raises ``InputError`` subclasses on bad input."""
    options = options or IngestOptions()
    doc = _read(data, filename, options)
    _check_text(doc, options.limits)
    return doc


def _check_text(doc: Document, limits: Limits) -> None:
    """The text's length and its longest line within the limits, before anything extracts
    from it (a 28 MB one-line file once held a worker for minutes)."""
    text = doc.text
    if len(text) > limits.max_text_chars:
        raise TextTooLongError(
            f"{len(text)} characters > {limits.max_text_chars}",
            size=len(text),
            limit=limits.max_text_chars,
        )
    if len(text) > limits.max_line_chars:
        longest = max(map(len, text.splitlines()), default=0)
        if longest > limits.max_line_chars:
            raise TextTooLongError(
                f"a line of {longest} characters > {limits.max_line_chars}",
                size=longest,
                limit=limits.max_line_chars,
            )


def _read(data: bytes, filename: str | None, options: IngestOptions) -> Document:
    if len(data) > options.limits.max_bytes:
        raise FileTooLargeError(
            f"{len(data)} bytes > {options.limits.max_bytes}",
            size=len(data),
            limit=options.limits.max_bytes,
        )
    fmt = sniff(data, filename)
    source = SourceInfo(
        filename=Path(filename).name if filename else None,
        format=fmt,
        media_type=MEDIA_TYPES[fmt],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    if fmt is SourceFormat.pdf:
        from service.ingest.pdf import read_pdf

        return read_pdf(data, source, options)
    if fmt is SourceFormat.docx:
        from service.ingest.docx import read_docx

        return read_docx(data, source, options)
    if fmt is SourceFormat.html:
        from service.ingest.html import read_html

        return read_html(data, source, options)
    if fmt in (SourceFormat.xlsx, SourceFormat.xls, SourceFormat.et, SourceFormat.ods):
        from service.ingest.sheets import read_workbook

        return read_workbook(data, source, options)
    if fmt is SourceFormat.ofd:
        from service.ingest.ofd import read_ofd

        return read_ofd(data, source, options)
    if fmt in (SourceFormat.doc, SourceFormat.wps, SourceFormat.rtf):
        from service.ingest.legacy_word import read_legacy_word

        return read_legacy_word(data, source, options)
    if fmt is SourceFormat.bundle:
        from service.ingest.bundle import read_bundle

        return read_bundle(data, source, options)
    if fmt in (SourceFormat.png, SourceFormat.jpeg, SourceFormat.tiff):
        from service.ingest.image import read_image

        return read_image(data, source, options)
    from service.ingest.text import read_text

    return read_text(data, source, options)


def read_path(path: str | Path, options: IngestOptions | None = None) -> Document:
    path = Path(path)
    return read_document(path.read_bytes(), path.name, options)
