"""What the review page needs of the read document: page sizes and, for pageless formats,
its text and a spreadsheet's cells.

Owns reading the document model the worker keeps beside each stored file
(``<sha256>.document.json.gz``) — only the page sizes, the text and the cells that carry a
spreadsheet address (``自评表!E5``, to draw each sheet as a grid), parsed as plain JSON
(validating the whole model would cost more than rendering the page) and memoised per file
hash, since a stored file's reading never changes. Must not write anything.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

from service.jobs.worker import DOCUMENT_SUFFIX
from service.store.files import Storage


@dataclass(frozen=True)
class PageInfo:
    number: int
    width: float | None
    height: float | None
    start: int  # span of the page's text in Document.text
    end: int
    file: str | None = None  # the file it came from, in a report of several files

    @property
    def sized(self) -> bool:
        return bool(self.width and self.height)


@dataclass(frozen=True)
class SheetCell:
    """A spreadsheet cell as read: its place in the sheet (1-based), its merged area, the text
    Excel displays, whether it holds a number, and its span in ``Document.text``."""

    ref: str  # 自评表!E5, as the reader and the values' locators write it
    sheet: str
    row: int
    col: int
    text: str
    start: int
    end: int
    row_span: int = 1
    col_span: int | None = 1  # None: a cell read as a line (its merge is not kept)
    numeric: bool = False


@dataclass(frozen=True)
class Segment:
    """A line or table cell with a box: where a part of the text stands on its page."""

    start: int
    end: int
    page: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in points


@dataclass(frozen=True)
class SourceDoc:
    pages: list[PageInfo] = field(default_factory=list)
    text: str = ""
    sheets: dict[int, list[SheetCell]] = field(default_factory=dict)  # by page number
    segments: list[Segment] = field(default_factory=list)  # sorted by start

    @cached_property
    def segment_ends(self) -> list[int]:
        """The segments' ends, sorted too (they never overlap): to bisect on."""
        return [s.end for s in self.segments]

    def unpaged(self) -> SourceDoc:
        """The same text with no page sizes: read as text pages (a report in several
        files has no page images, even where one of its files is a PDF)."""
        pages = [replace(p, width=None, height=None) for p in self.pages]
        return replace(self, pages=pages)


_CACHE: OrderedDict[str, SourceDoc] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 32


def load_source(files: Storage, sha256: str) -> SourceDoc:
    """The pages and text of the stored document ``sha256`` (empty when not read yet)."""
    with _LOCK:
        cached = _CACHE.get(sha256)
        if cached is not None:
            _CACHE.move_to_end(sha256)
            return cached
    blob = files.get_derived(sha256, DOCUMENT_SUFFIX)
    if blob is None:
        return SourceDoc()
    try:
        raw = json.loads(gzip.decompress(blob))
    except (OSError, ValueError):  # a damaged cache file: show no pages rather than fail
        return SourceDoc()
    source = source_from_json(raw)
    with _LOCK:
        _CACHE[sha256] = source
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return source


def source_from_json(raw: dict) -> SourceDoc:  # type: ignore[type-arg]
    """What the page needs of a document model's JSON (``Document.model_dump``)."""
    pages = []
    names = [f.get("filename") for f in raw.get("files") or []]
    for page in raw.get("pages") or []:
        span = page.get("span") or {}
        index = page.get("file")
        pages.append(
            PageInfo(
                number=int(page.get("number", len(pages) + 1)),
                width=page.get("width"),
                height=page.get("height"),
                start=int(span.get("start", 0)),
                end=int(span.get("end", 0)),
                file=names[index] if isinstance(index, int) and 0 <= index < len(names) else None,
            )
        )
    text = str(raw.get("text") or "")
    return SourceDoc(
        pages=pages, text=text, sheets=_sheet_cells(raw, text), segments=_segments(raw)
    )


def _segments(raw: dict) -> list[Segment]:  # type: ignore[type-arg]
    """The lines and cells that carry a box (a PDF's or a scan's), in text order."""
    items = list(raw.get("lines") or [])
    items += [c for t in raw.get("tables") or [] for c in t.get("cells") or []]
    out = []
    for item in items:
        span, box = item.get("span") or {}, item.get("bbox")
        try:
            start, end = int(span["start"]), int(span["end"])
            coords = (float(box["x0"]), float(box["y0"]), float(box["x1"]), float(box["y1"]))
            out.append(Segment(start, end, int(item.get("page") or 1), coords))
        except (KeyError, TypeError, ValueError):
            continue  # no box: a Word or text document's line
    out.sort(key=lambda s: (s.start, s.end))
    return out


_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!([A-Z]{1,3})([1-9]\d{0,6})$")


def parse_ref(ref: str) -> tuple[str, int, int] | None:
    """(sheet, row, col) of ``自评表!E5`` or ``'Sheet 1'!A1``; None for anything else."""
    match = _REF.match(ref)
    if match is None:
        return None
    quoted, bare, letters, row = match.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return (quoted.replace("''", "'") if quoted else bare), int(row), col


def _sheet_cells(raw: dict, text: str) -> dict[int, list[SheetCell]]:  # type: ignore[type-arg]
    """The cells with an address (a workbook's, or a bundle's workbook part's), by page."""
    out: dict[int, list[SheetCell]] = {}
    items = [(c, False) for t in raw.get("tables") or [] for c in t.get("cells") or []]
    items += [(line, True) for line in raw.get("lines") or []]
    for item, is_line in items:
        where = parse_ref(str(item.get("ref") or ""))
        span = item.get("span") or {}
        start, end = span.get("start"), span.get("end")
        if where is None or not isinstance(start, int) or not isinstance(end, int):
            continue
        sheet, row, col = where
        cell = SheetCell(
            ref=str(item["ref"]),
            sheet=sheet,
            row=row,
            col=col,
            text=text[start:end] if is_line else str(item.get("text") or ""),
            start=start,
            end=end,
            row_span=1 if is_line else max(1, int(item.get("row_span") or 1)),
            col_span=None if is_line else max(1, int(item.get("col_span") or 1)),
            numeric=not is_line and isinstance(item.get("value"), int | float),
        )
        out.setdefault(int(item.get("page") or 1), []).append(cell)
    return out
