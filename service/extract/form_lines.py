"""Text lines that are a form or a table row ingest made no ``Table`` of, as grids of cells.

Owns: cutting a line into cells — at pipes, tabs and spaces, between words and figures
that run together (编制数52实有人数48), and between money figures glued end to end
(2.401.952.30: two decimals each) — and grouping consecutive such lines (no sentence
punctuation, two or more cells) into grids whose cells are ``Cell``s placed by their order
in the line, with spans in the document text. The readers of forms and small tables
(staffing_table.py, three_public_rows.py) read these grids as they read ingest tables.
Must not decide what a cell means.
"""

from __future__ import annotations

import re

from service.document import Cell, Document, Span

Grid = list[list[Cell | None]]

# Sentence punctuation: a line holding it is prose, not a form row.
_SENTENCE = re.compile(r"[，。；;、]|,(?!\d{3})")
_PIECE = re.compile(r"[^|｜\s]+")
# Within a piece: a year-led word (2023年预算), a figure (perhaps with its unit), words.
_TOKEN = re.compile(
    r"\d{4}\s*年度?[^\d|｜\s]*|[-+−]?\d[\d,]*(?:\.\d+)?(?:[人名个%％])?|[^\d|｜\s]+"
)
# Money glued end to end: each figure ends two decimals after its point.
_GLUED_MONEY = re.compile(r"[-+−]?\d{1,3}(?:,\d{3})+\.\d{2}|[-+−]?\d+\.\d{2}")
_TWO_POINTS = re.compile(r"\d\.\d+\.\d")


def line_cells(text: str, start: int, page: int, row: int) -> list[Cell]:
    """The cells of one line whose text ``text`` starts at ``start`` in the document."""
    cells: list[Cell] = []
    for piece in _PIECE.finditer(text):
        for s, e in _tokens(piece.group()):
            at = start + piece.start() + s
            cells.append(
                Cell(row=row, col=len(cells), text=text[piece.start() + s : piece.start() + e],
                     page=page, span=Span(start=at, end=start + piece.start() + e))
            )  # fmt: skip
    return cells


def _tokens(piece: str) -> list[tuple[int, int]]:
    out = []
    for m in _TOKEN.finditer(piece):
        if _TWO_POINTS.search(m.group()) or (m.end() < len(piece) and piece[m.end()] == "."):
            # figures glued end to end: part them two decimals after each point
            glued = _GLUED_MONEY.match(piece, m.start())
            while glued is not None:
                out.append((glued.start(), glued.end()))
                glued = _GLUED_MONEY.match(piece, glued.end())
            continue
        out.append((m.start(), m.end()))
    return _merge_overlaps(out)


def _merge_overlaps(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Tokens in order, dropping any that a glued figure already covered."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


def line_grids(doc: Document) -> list[Grid]:
    """Runs of consecutive form lines (two or more cells, no sentence punctuation) as
    grids; a line that is prose, or a line of one cell, ends a run."""
    text = doc.text
    grids: list[Grid] = []
    run: Grid = []
    last_end = -1
    for line in doc.lines:
        s, e = line.span.start, line.span.end
        body = text[s:e]
        cells = [] if _SENTENCE.search(body) else line_cells(body, s, line.page, len(run))
        joined = last_end >= 0 and not text[last_end:s].strip()
        if len(cells) < 2 or not joined:
            if run:
                grids.append(run)
            run = []
        if len(cells) >= 2:
            run.append([c.model_copy(update={"row": len(run)}) for c in cells])
        last_end = e
    if run:
        grids.append(run)
    return grids
