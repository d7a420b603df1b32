"""Accepting uploads: cheap checks, storage, the document row and its job.

Owns what happens between "bytes arrived" and "202 Accepted": the size limit, content
sniffing, a quick open of PDFs and images (corrupt, encrypted, no pages, too many pages,
too many pixels), a web page's article (none: ``no_article``) and an .ods's content (before
LibreOffice would convert it), so bad files are refused at once rather than failing later in
a job, writing the bytes to storage, and committing the document and its job before
returning.
Must not run the heavy stages (reading, OCR, extraction): that is the job's work.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from service.config import Limits
from service.document import SourceFormat
from service.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    ImageTooLargeError,
    InputError,
    NoPagesError,
    TextTooLongError,
    TooManyPagesError,
    UnsupportedFormatError,
)
from service.ingest.sniff import MEDIA_TYPES, sniff
from service.store import documents as repo
from service.store import queue
from service.store.engine import transaction
from service.store.files import Storage
from service.store.tables import Job, StoredDocument


@dataclass(frozen=True)
class Checked:
    """What the quick checks learnt about an upload."""

    format: SourceFormat
    media_type: str
    page_count: int | None


@dataclass
class Accepted:
    document: StoredDocument
    job: Job | None
    duplicate: bool


def check_upload(data: bytes, filename: str | None, limits: Limits) -> Checked:
    """Refuse bad uploads before anything heavy runs. Raises ``InputError`` subclasses."""
    if len(data) > limits.max_bytes:
        raise FileTooLargeError(
            f"{len(data)} bytes > {limits.max_bytes}", size=len(data), limit=limits.max_bytes
        )
    fmt = sniff(data, filename)
    pages: int | None = None
    if fmt is SourceFormat.pdf:
        pages = _check_pdf(data, limits)
    elif fmt in (SourceFormat.png, SourceFormat.jpeg, SourceFormat.tiff):
        pages = _check_image(data, limits)
    elif fmt is SourceFormat.docx:
        _check_docx(data)
    elif fmt is SourceFormat.html:
        from service.ingest.html import check_article
        from service.ingest.reader import IngestOptions

        check_article(data, filename, IngestOptions(limits=limits))
    elif fmt is SourceFormat.ods:
        from service.ingest.reader import IngestOptions
        from service.ingest.sheets import check_ods

        check_ods(data, IngestOptions(limits=limits))
    elif fmt is SourceFormat.bundle:
        pages = _check_bundle(data, limits)
    elif fmt is SourceFormat.text:
        _check_text(data, limits)
    return Checked(fmt, MEDIA_TYPES[fmt], pages)


def _check_text(data: bytes, limits: Limits) -> None:
    """A plain-text upload whose longest line or whole text is over the limits even at four
    bytes a character is refused at once; one nearer the limits is checked on its decoded
    text when it is read."""
    longest = max(map(len, data.splitlines()), default=0)
    if longest // 4 > limits.max_line_chars:
        raise TextTooLongError(
            f"a line of at least {longest // 4} characters > {limits.max_line_chars}",
            size=longest // 4,
            limit=limits.max_line_chars,
        )
    if len(data) // 4 > limits.max_text_chars:
        raise TextTooLongError(
            f"at least {len(data) // 4} characters > {limits.max_text_chars}",
            size=len(data) // 4,
            limit=limits.max_text_chars,
        )


def bundle_upload(files: list[tuple[str | None, bytes]]) -> tuple[bytes, str]:
    """Several uploaded files that make one report → one stored ZIP and its display name
    (the same files give the same bytes, so a repeated upload is found as a duplicate)."""
    from service.ingest.bundle import bundle_name, pack_bundle

    return pack_bundle(files), bundle_name([name for name, _ in files])


def _check_bundle(data: bytes, limits: Limits) -> int | None:
    """Every file of a bundle gets the checks it would get alone; the pages add up. Files
    of kinds we do not read are left out (the reader warns), but one must remain."""
    from service.ingest.bundle import bundle_members

    counts: list[int | None] = []
    for member in bundle_members(data, limits):
        try:
            checked = check_upload(member.data, member.name, limits)
        except (UnsupportedFormatError, EmptyFileError):
            continue
        except InputError as exc:  # say which file of the bundle it was
            exc.context.setdefault("member", member.name)
            raise
        if checked.format is SourceFormat.bundle:
            continue  # a ZIP inside the ZIP is not opened
        counts.append(checked.page_count)
    if not counts:
        raise UnsupportedFormatError("the ZIP archive holds no report file we can read")
    total = sum(c or 0 for c in counts)
    if total > limits.max_pages:
        raise TooManyPagesError(f"{total} pages in all, limit {limits.max_pages}")
    return None if None in counts else total  # DOCX and text count their pages when read


def _check_docx(data: bytes) -> None:
    import docx

    try:
        docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, XML and attribute errors alike
        raise CorruptFileError(f"not a readable Word document: {type(exc).__name__}") from None


def _check_pdf(data: bytes, limits: Limits) -> int:
    import pymupdf

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for unreadable input
        raise CorruptFileError(f"not a readable PDF: {exc}") from None
    try:
        if doc.needs_pass:
            raise EncryptedFileError()
        pages = doc.page_count
        if pages == 0:
            if doc.is_repaired:
                raise CorruptFileError("no page could be recovered: the file is truncated")
            raise NoPagesError()
        if pages > limits.max_pages:
            raise TooManyPagesError(
                f"{pages} pages, limit {limits.max_pages}", pages=pages, limit=limits.max_pages
            )
        return int(pages)
    finally:
        doc.close()
        pymupdf.TOOLS.mupdf_warnings()  # drain MuPDF's message store


def _check_image(data: bytes, limits: Limits) -> int:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            # Pillow warns about possible decompression bombs; the pixel limit below decides
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                frames = int(getattr(img, "n_frames", 1) or 1)
    except Image.DecompressionBombError:
        raise ImageTooLargeError("the image declares an enormous size") from None
    except Exception as exc:  # Pillow raises several types for unreadable input
        raise CorruptFileError(f"not a readable image: {exc}") from None
    if width * height > limits.max_image_pixels:
        raise ImageTooLargeError(
            f"{width}x{height} pixels, limit {limits.max_image_pixels}",
            pixels=width * height,
            limit=limits.max_image_pixels,
        )
    if frames > limits.max_pages:
        raise TooManyPagesError(f"{frames} pages, limit {limits.max_pages}")
    return frames


def accept_upload(
    engine: Engine,
    files: Storage,
    data: bytes,
    checked: Checked,
    *,
    filename: str | None,
    uploaded_by: str | None,
    options: dict[str, Any] | None = None,
    rerun: bool = False,
    max_attempts: int = 3,
) -> Accepted:
    """Store the bytes, then commit the document and its job; the same bytes twice give
    the existing document (and a new job only when ``rerun``)."""
    digest = files.put(data)  # before the row: a committed row always has its file
    for _ in range(2):  # a second pass only after losing a race on the same bytes
        try:
            with transaction(engine) as session:
                existing = repo.find_by_sha256(session, digest)
                if existing is not None:
                    job = None
                    if rerun:
                        job = queue.enqueue(
                            session, existing.id, options=options, max_attempts=max_attempts
                        )
                    return Accepted(existing, job, duplicate=True)
                doc = StoredDocument(
                    sha256=digest,
                    filename=_safe_name(filename),
                    format=checked.format.value,
                    media_type=checked.media_type,
                    size=len(data),
                    page_count=checked.page_count,
                    uploaded_by=uploaded_by,
                )
                session.add(doc)
                session.flush()
                job = queue.enqueue(session, doc.id, options=options, max_attempts=max_attempts)
                return Accepted(doc, job, duplicate=False)
        except IntegrityError:
            # the same bytes arrived concurrently and the other request won the unique
            # index: the next pass finds its row
            continue
    raise RuntimeError(f"could not store document {digest[:12]}")  # pragma: no cover


def _safe_name(filename: str | None) -> str | None:
    """Kept for display only (never used as a path): last path part, control chars gone."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or None
