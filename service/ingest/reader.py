"""The converter: sniff, check limits, dispatch to the format's reader."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field

from service.config import ConvertSettings, Limits, OCRSettings
from service.document import Document, SourceFormat, SourceInfo
from service.errors import FileTooLargeError
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
    if fmt in (SourceFormat.xlsx, SourceFormat.xls):
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
