"""Text lines that are a form or a table row ingest made no ``Table`` of, as grids of cells.

Owns: cutting a line into cells — at pipes, tabs and spaces, between words and figures
that run together (编制数52实有人数48), and between money figures glued end to end
(2.401.952.30: two decimals each) — and grouping consecutive such lines (no sentence
punctuation, two or more cells) into grids whose cells are ``Cell``s placed by their order
in the line, with spans in the document text. The readers of forms and small tables
(staffing_table.py, three_public_rows.py, share_tables.py) read these grids as they read
ingest tables; ``FormLines`` cuts the lines once for all of them.
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


def _spans(text: str, split_words: WordSplitter | None) -> list[tuple[int, int]]:
    """Where the cells of a line stand in its text: at pipes, tabs and spaces, between
    words and figures, between glued figures; ``split_words`` may part a line that is one
    run of glued words (a header line)."""
    pieces = list(_PIECE.finditer(text))
    split_words = split_words if len(pieces) == 1 else None
    return [
        (piece.start() + s, piece.start() + e)
        for piece in pieces
        for s, e in _tokens(piece.group(), split_words)
    ]


def _cells(text: str, spans: list[tuple[int, int]], start: int, page: int, row: int) -> list[Cell]:
    return [
        Cell(row=row, col=col, text=text[a:b], page=page,
             span=Span(start=start + a, end=start + b))
        for col, (a, b) in enumerate(spans)
    ]  # fmt: skip


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


class FormLines:
    """The document's lines as form lines, cut once for every reader of them (staffing
    forms, 三公 tables, share tables): each reader's ``grids`` differ only where its
    ``split_words`` parts a line that is one glued word, so the cuts and cells of all other
    lines are made once, not once per reader."""

    def __init__(self, doc: Document) -> None:
        self._lines: list[tuple[int, int, int, str, bool, list[tuple[int, int]] | None]] = []
        self._cells: dict[tuple[int, int], list[Cell]] = {}  # (line, row) → its cells
        text = doc.text
        last_end = -1
        for line in doc.lines:
            s, e = line.span.start, line.span.end
            body = text[s:e]
            joined = last_end >= 0 and not text[last_end:s].strip()
            spans = None if _SENTENCE.search(body) else _spans(body, None)
            self._lines.append((s, line.page, len(_PIECE.findall(body)), body, joined, spans))
            last_end = e

    def grids(self, split_words: WordSplitter | None = None) -> list[Grid]:
        """Runs of consecutive form lines (two or more cells, no sentence punctuation) as
        grids; a line that is prose, or a line of one cell, ends a run."""
        grids: list[Grid] = []
        run: Grid = []
        for k, (s, page, n_pieces, body, joined, spans) in enumerate(self._lines):
            # the row the line takes: the next of the run it joins, else the first of a new one
            row = len(run) if joined else 0
            own = spans or []
            if spans and split_words and n_pieces == 1:
                own = _spans(body, split_words)
            if len(own) < 2 or not joined:
                if run:
                    grids.append(run)
                run = []
            if len(own) >= 2:  # (a line of one cell is no row: no cells made)
                cells = (
                    self._line_cells(k, row) if own == spans else _cells(body, own, s, page, row)
                )
                run.append(list(cells))
        if run:
            grids.append(run)
        return grids

    def _line_cells(self, k: int, row: int) -> list[Cell]:
        """Line ``k``'s cells without a word splitter, at ``row`` of its run."""
        cells = self._cells.get((k, row))
        if cells is None:
            s, page, _, body, _, spans = self._lines[k]
            cells = self._cells[k, row] = _cells(body, spans or [], s, page, row)
        return cells
