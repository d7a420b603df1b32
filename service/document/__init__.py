"""The grounded document model every later stage reads.

Owns: pages, the full text, lines and table cells with their page boxes and character
spans, and the mapping from a span back to page boxes. Knows nothing of formats, records,
the database or the web.
"""

from service.document.builder import CellDraft, DocumentBuilder
from service.document.model import (
    PAGE_BREAK,
    BBox,
    Cell,
    Document,
    Line,
    Location,
    Page,
    SourceFile,
    SourceFormat,
    SourceInfo,
    Span,
    Table,
    TextSource,
)

__all__ = [
    "PAGE_BREAK",
    "BBox",
    "Cell",
    "CellDraft",
    "Document",
    "DocumentBuilder",
    "Line",
    "Location",
    "Page",
    "SourceFile",
    "SourceFormat",
    "SourceInfo",
    "Span",
    "Table",
    "TextSource",
]
