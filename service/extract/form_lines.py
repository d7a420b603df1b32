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
from collections.abc import Callable

from service.document import Cell, Document, Span

Grid = list[list[Cell | None]]
# Parts a run of glued words into cells: (start, end) spans within it, or None.
WordSplitter = Callable[[str], list[tuple[int, int]] | None]

# Sentence punctuation: a line holding it is prose, not a form row.
_SENTENCE = re.compile(r"[，。；;、]|,(?!\d{3})")
_PIECE = re.compile(r"[^|｜\s]+")
# Within a piece: a year-led word (2023年预算), a figure (perhaps with its unit), words.
_TOKEN = re.compile(
    r"\d{4}\s*年度?[^\d|｜\s]*|[-+−]?\d[\d,]*(?:\.\d+)?(?:[人名个%％])?"
    r"|(?:[^\d|｜\s\-−]|[-−](?!\d))+"
)
# Money glued end to end (2.401.952.30, 30,000.0024,500.00, -0.26-28.89%): each amount
# ends two decimals after its point; a rate may close the run.
_AMOUNT = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}"
_RATE = r"[-−]?\d+(?:\.\d+)?%"
_GLUED_RUN = re.compile(rf"(?:{_AMOUNT}){{2,}}(?:{_RATE})?|{_AMOUNT}{_RATE}")
# an amount glued before another figure first: 568.50100% is 568.50 and 100%, not a rate
_GLUED_PART = re.compile(rf"{_AMOUNT}(?=[-−]?\d)|{_RATE}|{_AMOUNT}")
_FIGURE_RUN = re.compile(r"[-−]?\d[\d,.]*%?")


def line_cells(
    text: str, start: int, page: int, row: int, split_words: WordSplitter | None = None
) -> list[Cell]:
    """The cells of one line whose text ``text`` starts at ``start`` in the document;
    ``split_words`` may part a run of words glued together (a header line)."""
    cells: list[Cell] = []
    pieces = list(_PIECE.finditer(text))
    split_words = split_words if len(pieces) == 1 else None
    for piece in pieces:
        for s, e in _tokens(piece.group(), split_words):
            a, b = piece.start() + s, piece.start() + e
            cells.append(
                Cell(row=row, col=len(cells), text=text[a:b], page=page,
                     span=Span(start=start + a, end=start + b))
            )  # fmt: skip
    return cells


def _tokens(piece: str, split_words: WordSplitter | None) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    while pos < len(piece):
        run = _FIGURE_RUN.match(piece, pos)
        glued = _GLUED_RUN.fullmatch(run.group()) if run else None
        if run and glued:  # figures glued end to end: part them by their decimals
            out += [(pos + m.start(), pos + m.end()) for m in _GLUED_PART.finditer(run.group())]
            pos = run.end()
            continue
        m = _TOKEN.match(piece, pos)
        if m is None:
            pos += 1
            continue
        word = m.group()
        # only a line that is one glued word is a glued header (not 上年决算 before figures)
        whole = m.start() == 0 and m.end() == len(piece)
        parts = split_words(word) if split_words and whole and not word[:1].isdigit() else None
        out += [(m.start() + a, m.start() + b) for a, b in parts] if parts else [m.span()]
        pos = m.end()
    return out


def line_grids(doc: Document, split_words: WordSplitter | None = None) -> list[Grid]:
    """Runs of consecutive form lines (two or more cells, no sentence punctuation) as
    grids; a line that is prose, or a line of one cell, ends a run."""
    text = doc.text
    grids: list[Grid] = []
    run: Grid = []
    last_end = -1
    for line in doc.lines:
        s, e = line.span.start, line.span.end
        body = text[s:e]
        joined = last_end >= 0 and not text[last_end:s].strip()
        # the row the line takes: the next of the run it joins, else the first of a new one
        row = len(run) if joined else 0
        cells = [] if _SENTENCE.search(body) else line_cells(body, s, line.page, row, split_words)
        if len(cells) < 2 or not joined:
            if run:
                grids.append(run)
            run = []
        if len(cells) >= 2:
            run.append(cells)
        last_end = e
    if run:
        grids.append(run)
    return grids
