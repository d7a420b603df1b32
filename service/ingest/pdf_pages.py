"""A scanned PDF read in page ranges: OCR a range of pages on its own, then join the pages'
results into the one ``Document`` that reading the whole file gives.

Owns the two halves and the page result between them (plain JSON, so any process on any
host can keep it): ``ocr_page_range`` renders and OCRs the pages of a range that have no
usable text layer, one page at a time, handing each result to a callback as soon as it is
read; ``join_pages`` reads the PDF again, taking every OCR'd page from the results, so the
text-layer pages, the tables joined across pages and the document model are built by
``read_pdf`` itself, in page order. Knows nothing of jobs, queues or storage.

The first page of a range is OCR'd without the gutters of the borderless table the page
before it ends with; its result keeps the engine's boxes, and the join lays such a page
out again with those gutters (``read_pdf``: a render and the layout, no second OCR), so a
table going on across the boundary of two ranges reads as it does in one go.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.document import Document, SourceFormat, SourceInfo
from service.errors import FileTooLargeError
from service.ingest.pdf import (
    MissingPagesError,
    ScannedPage,
    _last_table,
    _open,
    _read_page,
    read_pdf,
)
from service.ingest.reader import _check_text
from service.ingest.sniff import MEDIA_TYPES

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from service.ingest.ocr import OcrPage
    from service.ingest.reader import IngestOptions

__all__ = [
    "MissingPagesError",
    "first_pages_scanned",
    "join_pages",
    "ocr_page_range",
    "page_count",
    "read_with_progress",
]

PageResult = dict[str, Any]
"""One page's OCR as JSON: number, dpi, reason, size, rotation, ocr (the ``OcrPage``)."""


def page_count(data: bytes, options: IngestOptions) -> int:
    """The PDF's number of pages, with the reader's checks (corrupt, encrypted, too many)."""
    from service.document import DocumentBuilder

    doc = _open(data, options, DocumentBuilder(_source(data, None)))
    try:
        return int(doc.page_count)
    finally:
        doc.close()


def first_pages_scanned(data: bytes, options: IngestOptions) -> bool:
    """The first pages of a PDF have (almost) no text layer: a quick look, milliseconds
    (False for anything that is no readable PDF: its reader says why)."""
    import pymupdf

    try:
        with pymupdf.open(stream=data, filetype="pdf") as pdf:
            pages = [pdf[i] for i in range(min(3, pdf.page_count))]
            chars = [len(page.get_text("text").strip()) for page in pages]
    except Exception:  # a hint only
        return False
    return bool(chars) and max(chars) < options.ocr.min_text_chars


def read_with_progress(
    data: bytes,
    filename: str | None,
    options: IngestOptions,
    on_page: Callable[[int, int], None],
) -> Document:
    """``read_pdf``'s document, calling ``on_page(pages read, pages)`` after each page."""
    if len(data) > options.limits.max_bytes:
        raise FileTooLargeError(
            f"{len(data)} bytes > {options.limits.max_bytes}",
            size=len(data),
            limit=options.limits.max_bytes,
        )
    total = page_count(data, options)
    results: dict[int, PageResult | None] = {}

    def keep(number: int, result: PageResult | None) -> None:
        results[number] = result
        on_page(len(results), total)

    ocr_page_range(data, options, 1, total, keep)
    return join_pages(data, filename, options, results)


def ocr_page_range(
    data: bytes,
    options: IngestOptions,
    first: int,
    last: int,
    on_page: Callable[[int, PageResult | None], None],
    skip: Iterable[int] = (),
) -> None:
    """Read pages ``first``..``last`` (1-based, inclusive) and call ``on_page(number,
    result)`` after each: the page's OCR as JSON, or None for a page read from its text
    layer (the join reads it again, in milliseconds). Pages in ``skip`` (results kept from
    an earlier try) are passed over."""
    from service.document import DocumentBuilder

    builder = DocumentBuilder(_source(data, None))  # warnings are the join's to give
    doc = _open(data, options, builder)
    done = set(skip)
    try:
        pages: list[Any] = []
        for number in range(max(first, 1), min(last, doc.page_count) + 1):
            if number in done:
                pages = []  # the next page does not see this one's tables
                continue
            page = _read_page(doc, number - 1, options, builder, _last_table(pages))
            pages.append(page)
            on_page(number, _to_json(page) if isinstance(page, ScannedPage) else None)
    finally:
        doc.close()


def join_pages(
    data: bytes,
    filename: str | None,
    options: IngestOptions,
    results: Mapping[int, PageResult | None],
) -> Document:
    """The document of the whole PDF with its OCR'd pages taken from ``results`` (by page
    number). Raises ``MissingPagesError`` when a page that needs OCR has no result, so a
    lost page is never silently OCR'd again here or left out."""
    scanned = {n: _from_json(r) for n, r in results.items() if r is not None}
    for number, page in scanned.items():
        if page.number != number:
            raise MissingPagesError(f"the result kept for page {number} is page {page.number}")
    document = read_pdf(data, _source(data, filename), options, scanned)
    _check_text(document, options.limits)
    return document


def _source(data: bytes, filename: str | None) -> SourceInfo:
    return SourceInfo(
        filename=Path(filename).name if filename else None,
        format=SourceFormat.pdf,
        media_type=MEDIA_TYPES[SourceFormat.pdf],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


@cache
def _ocr_adapter() -> TypeAdapter[OcrPage]:
    from pydantic import TypeAdapter

    from service.ingest.ocr import OcrPage

    return TypeAdapter(OcrPage)


def _to_json(page: ScannedPage) -> PageResult:
    return {
        "number": page.number,
        "dpi": page.dpi,
        "reason": page.reason,
        "size": list(page.size),
        "rotation": page.rotation,
        "ocr": _ocr_adapter().dump_python(page.ocr, mode="json"),
    }


def _from_json(result: PageResult) -> ScannedPage:
    width, height = result["size"]
    return ScannedPage(
        number=int(result["number"]),
        ocr=_ocr_adapter().validate_python(result["ocr"]),
        dpi=int(result["dpi"]),
        reason=str(result["reason"]),
        size=(float(width), float(height)),
        rotation=int(result["rotation"]),
    )
