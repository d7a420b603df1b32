"""The plain-text reader: decoded text → ``Document``, flattened tables → grids.

Owns decoding (UTF-8, UTF-16 with BOM, GB18030 via ``sniff.decode_text``), pages (one per
form-feed-separated part), lines, and handing flattened tables (``flat_tables``) to the
builder. Plain text has no geometry: pages have no size and nothing has a box. Must not
touch the database, the web, or the document model's spans directly (the builder writes
them).
"""

from __future__ import annotations

from service.document import PAGE_BREAK, Document, DocumentBuilder, SourceInfo, TextSource
from service.errors import EmptyFileError, TooManyPagesError, UnsupportedFormatError
from service.ingest.flat_tables import FlatTable, split_flat_tables
from service.ingest.reader import IngestOptions
from service.ingest.sniff import decode_text


def read_text(data: bytes, source: SourceInfo, options: IngestOptions) -> Document:
    """Read a plain-text report. Raises ``EmptyFileError`` for nothing but whitespace."""
    text = decode_text(data)
    if text is None:
        raise UnsupportedFormatError(f"{source.filename or 'the file'} is not readable text")
    # One newline convention; exports from Windows tools arrive with CRLF or bare CR.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        # Reached for whitespace the sniffer does not strip: full-width spaces, UTF-16.
        raise EmptyFileError(source.filename)
    pages = text.split(PAGE_BREAK)
    # A form feed at the very end (common in printer-style exports) is not a blank page.
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    if len(pages) > options.limits.max_pages:
        raise TooManyPagesError(
            f"{len(pages)} pages > {options.limits.max_pages}",
            pages=len(pages),
            limit=options.limits.max_pages,
        )
    builder = DocumentBuilder(source)
    for page_text in pages:
        builder.start_page(text_source=TextSource.text_layer)
        lines = page_text.split("\n")
        if lines[-1] == "":
            lines.pop()  # the newline that ends the last line starts no new one
        for block in split_flat_tables(lines):
            if isinstance(block, FlatTable):
                builder.add_table(block.cells())
            elif block:
                builder.add_line(block)
            else:
                builder.add_blank()
    return builder.build()
