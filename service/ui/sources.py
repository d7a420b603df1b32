"""What the review page needs of the read document: page sizes and, for pageless formats,
its text.

Owns reading the document model the worker keeps beside each stored file
(``<sha256>.document.json.gz``) — only the page sizes and the text, parsed as plain JSON
(validating the whole model would cost more than rendering the page) and memoised per file
hash, since a stored file's reading never changes. Must not write anything.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from service.jobs.worker import DOCUMENT_SUFFIX
from service.store.files import FileStore


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
class SourceDoc:
    pages: list[PageInfo] = field(default_factory=list)
    text: str = ""

    def unpaged(self) -> SourceDoc:
        """The same text with no page sizes: read as text pages (a report in several
        files has no page images, even where one of its files is a PDF)."""
        pages = [replace(p, width=None, height=None) for p in self.pages]
        return replace(self, pages=pages)


_CACHE: OrderedDict[str, SourceDoc] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 32


def load_source(files: FileStore, sha256: str) -> SourceDoc:
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
    source = SourceDoc(pages=pages, text=str(raw.get("text") or ""))
    with _LOCK:
        _CACHE[sha256] = source
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return source
