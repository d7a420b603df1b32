"""A report that arrives as several files (a bundle): the report, its 自评表, its 基础数据表.

Owns three things:

* ``pack_bundle``: several uploaded files → one ZIP with stable bytes (fixed timestamps,
  stored uncompressed), so the same files give the same sha256 and the bundle is stored and
  deduplicated like any upload;
* ``bundle_members``: a ZIP's files, with the zip-bomb limits (count, each file's and the
  total inflated size, read in bounded chunks rather than trusting the directory), names
  recovered from GBK (Windows' Chinese ZIPs do not flag UTF-8), the clutter of archivers
  (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``) left out, and the report itself put first;
* ``merge_documents``: a pure function, several ``Document``\\ s → one, each part starting on
  a new page, every span, page and table renumbered, and ``Document.files`` saying which
  pages and which stretch of the text came from which file. Extraction then reads one text,
  so its consistency checks compare the report's 总分 with the 自评表's and the text's 三公
  with the 基础数据表's.

Must not touch the database or the web.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from service.config import Limits
from service.document import (
    PAGE_BREAK,
    Document,
    Line,
    Page,
    SourceFile,
    SourceFormat,
    SourceInfo,
    Span,
    Table,
)
from service.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    InputError,
    TooManyPagesError,
    UnsupportedFormatError,
)

if TYPE_CHECKING:
    from service.ingest.reader import IngestOptions

MAX_FILES = 20  # as many as one upload request may carry
# The files of a ZIP may inflate to at most this many times the accepted upload size in all.
MAX_EXPANSION = 10
_CHUNK = 1 << 20
_CLUTTER = {"thumbs.db", "desktop.ini"}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Member:
    """One file of a bundle, as named in it."""

    name: str
    data: bytes


# --- packing and unpacking ------------------------------------------------------------------


def pack_bundle(files: Sequence[tuple[str | None, bytes]]) -> bytes:
    """One ZIP of ``files`` (name, bytes) in the given order. Equal input, equal bytes."""
    out = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for i, (name, data) in enumerate(files, start=1):
            entry = _unique(_entry_name(name, i), used)
            info = zipfile.ZipInfo(entry, date_time=_FIXED_TIME)
            info.external_attr = 0o600 << 16
            info.flag_bits |= 0x800  # the name is UTF-8
            zf.writestr(info, data)
    return out.getvalue()


def bundle_name(names: Sequence[str | None]) -> str:
    """A display name for a bundle of files: the report's own, and how many files."""
    named = [_entry_name(n, 1) for n in names if n]
    main = next((n for n in named if _is_main_report(n)), named[0] if named else "报告")
    return f"{PurePosixPath(main).stem} 等{len(names)}个文件.zip"


def is_bundle(data: bytes) -> bool:
    """A ZIP whose directory can be read and names at least one file, and which is no
    document package (Office Open XML, OpenDocument, OFD): the parts of a .docx or .xlsx
    we could not read as such are no bundle of XML files."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [info.filename for info in zf.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False
    return bool(names) and not any(_package_part(name) for name in names)


_PACKAGE_PARTS = {"[Content_Types].xml", "mimetype", "META-INF/manifest.xml", "OFD.xml", "ofd.xml"}


def _package_part(name: str) -> bool:
    return name in _PACKAGE_PARTS or name.startswith(("word/", "xl/", "ppt/"))


def bundle_members(data: bytes, limits: Limits) -> list[Member]:
    """The files of a ZIP bundle, the report itself first. Raises typed errors for damaged,
    encrypted or oversized archives and for one that holds nothing to read."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise CorruptFileError(f"an unreadable ZIP archive ({exc})") from None
    members: list[Member] = []
    budget = limits.max_bytes * MAX_EXPANSION
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and not _clutter(_name_of(i))]
        if len(infos) > MAX_FILES:
            raise FileTooLargeError(
                f"the ZIP holds {len(infos)} files, at most {MAX_FILES} make one report",
                files=len(infos),
                limit=MAX_FILES,
            )
        for info in infos:
            name = _name_of(info)
            if info.flag_bits & 0x1:
                raise EncryptedFileError(f"{name} in the ZIP is password-protected")
            body = _read_bounded(zf, info, min(limits.max_bytes, budget))
            budget -= len(body)
            members.append(Member(name, body))
    if not members:
        raise EmptyFileError("the ZIP archive holds no files")
    return sorted(members, key=lambda m: 0 if _is_main_report(m.name) else 1)


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Inflate at most ``limit`` bytes: the directory's sizes are the archive's own claim."""
    name = _name_of(info)
    if info.file_size > limit:
        raise FileTooLargeError(
            f"{name} in the ZIP inflates to {info.file_size} bytes, limit {limit}",
            filename=name,
            limit=limit,
        )
    parts: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileTooLargeError(
                        f"{name} in the ZIP inflates past {limit} bytes (a decompression bomb?)",
                        filename=name,
                        limit=limit,
                    )
                parts.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:  # CRC, cut short
        raise CorruptFileError(f"{name} in the ZIP is damaged ({exc})") from None
    return b"".join(parts)


def _name_of(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: a name not flagged UTF-8 was decoded as
    CP437 by zipfile, while Chinese Windows wrote it in GBK (or UTF-8 without the flag)."""
    name = info.filename
    if not info.flag_bits & 0x800 and not name.isascii():
        raw = name.encode("cp437", errors="replace")
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/")


def _clutter(name: str) -> bool:
    base = PurePosixPath(name).name
    return name.startswith("__MACOSX/") or base.startswith(".") or base.lower() in _CLUTTER


def _is_main_report(name: str) -> bool:
    """The report's own text (…绩效自评报告.doc), not an attachment (附件2 …自评表.xlsx)."""
    base = PurePosixPath(name).name
    return "报告" in base and "附件" not in base and "附表" not in base


def _entry_name(name: str | None, index: int) -> str:
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip(" .")
    return base[:200] or f"file-{index}"


def _unique(name: str, used: set[str]) -> str:
    stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{stem} ({n}){suffix}", n + 1
    used.add(candidate)
    return candidate


# --- reading and merging --------------------------------------------------------------------


def read_bundle(data: bytes, source: SourceInfo, options: IngestOptions) -> Document:
    """Read every file of the bundle with its own reader and merge them into one document.

    A file of a kind we do not read (or an empty one) is left out with a warning; a ZIP
    inside the bundle is not opened. Any other bad file refuses the bundle, naming the file.
    """
    from service.ingest.reader import read_document

    parts: list[Document] = []
    skipped: list[str] = []
    for member in bundle_members(data, options.limits):
        try:
            document = read_document(member.data, PurePosixPath(member.name).name, options)
        except (UnsupportedFormatError, EmptyFileError) as exc:
            skipped.append(f"{member.name}: not read ({exc.code})")
            continue
        except InputError as exc:  # say which file of the bundle it was
            exc.context.setdefault("member", member.name)
            exc.detail = f"{member.name}: {exc.detail}" if exc.detail else member.name
            raise
        if document.source.format is SourceFormat.bundle:
            skipped.append(f"{member.name}: a ZIP inside the ZIP is not opened")
            continue
        parts.append(document)
    if not parts:
        raise UnsupportedFormatError("the ZIP archive holds no report file we can read")
    merged = merge_documents(parts, source)
    merged.warnings.extend(skipped)
    if len(merged.pages) > options.limits.max_pages:
        raise TooManyPagesError(
            f"{len(merged.pages)} pages in all, limit {options.limits.max_pages}",
            pages=len(merged.pages),
            limit=options.limits.max_pages,
        )
    return merged


def merge_documents(parts: Sequence[Document], source: SourceInfo) -> Document:
    """One document of ``parts`` in order. Each part starts on a new page; its pages,
    lines, tables and cells keep their text, with spans, page numbers and table indexes
    moved by what came before, and each page names its file (``Page.file``)."""
    texts: list[str] = []
    pages: list[Page] = []
    lines: list[Line] = []
    tables: list[Table] = []
    warnings: list[str] = []
    files: list[SourceFile] = []
    metadata: dict[str, str] = {}
    offset = page_off = 0
    for index, part in enumerate(parts):
        if index:
            texts.append(PAGE_BREAK)
            offset += len(PAGE_BREAK)
        name = part.source.filename or f"file {index + 1}"
        texts.append(part.text)
        for page in part.pages:
            pages.append(
                page.model_copy(
                    update={
                        "number": page.number + page_off,
                        "span": _shift(page.span, offset),
                        "file": index,
                    }
                )
            )
        for line in part.lines:
            lines.append(
                line.model_copy(
                    update={"page": line.page + page_off, "span": _shift(line.span, offset)}
                )
            )
        for table in part.tables:
            cells = [
                cell.model_copy(
                    update={"page": cell.page + page_off, "span": _shift(cell.span, offset)}
                )
                for cell in table.cells
            ]
            tables.append(
                table.model_copy(
                    update={
                        "index": len(tables),
                        "pages": [p + page_off for p in table.pages],
                        "span": _shift(table.span, offset),
                        "cells": cells,
                    }
                )
            )
        warnings.extend(f"{name}: {w}" for w in part.warnings)
        for key, value in part.metadata.items():
            metadata.setdefault(key, value)
        files.append(
            SourceFile(
                index=index,
                filename=part.source.filename,
                format=part.source.format,
                sha256=part.source.sha256,
                size=part.source.size,
                pages=[p.number + page_off for p in part.pages],
                span=Span(start=offset, end=offset + len(part.text)),
            )
        )
        offset += len(part.text)
        page_off += len(part.pages)
    return Document(
        source=source,
        text="".join(texts),
        pages=pages,
        lines=lines,
        tables=tables,
        warnings=warnings,
        files=files,
        metadata=metadata,
    )


def _shift(span: Span, by: int) -> Span:
    return Span(start=span.start + by, end=span.end + by)
