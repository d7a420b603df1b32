"""Small documents built in code for the extraction tests (no files)."""

from __future__ import annotations

import hashlib

from service.document import CellDraft, Document, DocumentBuilder, SourceFormat, SourceInfo


def text_doc(lines: list[str], tables: dict[int, list[list[str]]] | None = None) -> Document:
    """A one-page text document; ``tables[i]`` is written as a grid after line ``i``."""
    data = "\n".join(lines).encode()
    builder = DocumentBuilder(
        SourceInfo(
            filename="t.txt",
            format=SourceFormat.text,
            media_type="text/plain",
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )
    )
    builder.start_page()
    tables = tables or {}
    for i, line in enumerate(lines):
        if line:
            builder.add_line(line)
        else:
            builder.add_blank()
        if i in tables:
            grid = tables[i]
            builder.add_table(
                [
                    CellDraft(row=r, col=c, text=t)
                    for r, row in enumerate(grid)
                    for c, t in enumerate(row)
                    if t
                ]
            )
    return builder.build()
