"""Stacked cells with blanks: a table a plain-text copy flattened one cell per line, no
tabs, where an empty cell is a blank line (a 绩效自评表 whose merged 一级/二级 cells were
written once, a 偏差原因 nobody filled).

``flat_forms.read_stacked`` reads money tables, whose rows are a label and figures and
whose blank lines part rows. Here the rows are wider than that: text cells (levels, a
name, a target like 明显改善) then figures (年度指标值, 实际完成值, 分值, 得分), perhaps a
reason after them. The header is the run of words before the first row; its width is
the one under which the most rows read with the same shape: as many slots as header
words (a blank line a slot), two or more figures, the last of them in the same column,
a text cell before them. A line that breaks the shape (a sentence under the table) ends
it. Which table it is (indicators or not) the extractors tell from the header words.
"""

from __future__ import annotations

import re

from service.ingest.flat_forms import MAX_CELL_CHARS, Found, Rows, is_figure

# Header words of a stacked table: at least this many (a money table has fewer columns
# and blank lines that part its rows, read by ``read_stacked``).
MIN_WORDS = 4
MAX_WORDS = 12
# A reason after a row's figures may be a sentence of its own.
MAX_REASON_CHARS = 80
MAX_ROWS = 5000
# Only a table this wide has level columns whose cells a row may leave out (一级, 二级,
# 三级, target, actual, points, score); a narrower one reads only full rows.
MIN_LEVELLED = 6


def _text(line: str) -> str:
    return line.strip(" \u3000\t")


def _is_word(text: str) -> bool:
    return 0 < len(text) <= MAX_CELL_CHARS and not is_figure(text) and "。" not in text


# What a header cell never is: an item of a list (``1.``, ``（2）``, ``③``), a caption (``表2…``),
# a lead-in or clause ending in a colon or a separator, or a stated amount (``68.5万元``).
# Without this a lead-in line and the list under it read as the header of a wide table and
# swallow the money tables after them.
_NOT_HEADER = re.compile(
    r"^\s*(?:\d{1,2}[.、．]|[（(]\d{1,2}[)）]|[①-⑳]|附?表\s*\d)"
    r"|[：:；;，,、]\s*$"
    r"|\d\s*(?:万?元|%)"
)


def _is_header_word(text: str) -> bool:
    return _is_word(text) and not _NOT_HEADER.search(text)


def _row(lines: list[str], at: int, width: int, marks: tuple[int, ...]) -> list[str] | None:
    """``width`` slots from ``lines[at]`` (blank lines empty cells) with a stacked row's
    shape, or None. ``marks``: the columns of the first row's last two figures (分值,
    得分), figures in every row."""
    if at + width > len(lines):
        return None
    if any("\t" in ln for ln in lines[at : at + width]):
        return None  # cells after tabs: the one-cell-per-line form ``flat_tables`` reads
    cells = [_text(ln) for ln in lines[at : at + width]]
    figures = [c for c, t in enumerate(cells) if is_figure(t)]
    if len(figures) < 2 or (marks and (figures[-1] != marks[-1] or not _all_figures(cells, marks))):
        return None
    before = cells[: figures[0]]
    if not any(_is_word(t) for t in before) or any(t and not _is_word(t) for t in before):
        return None
    middle = cells[figures[0] : figures[-1] + 1]
    after = cells[figures[-1] + 1 :]
    if any(len(t) > MAX_CELL_CHARS for t in middle) or any(
        len(t) > MAX_REASON_CHARS for t in after
    ):
        return None
    return cells


def _all_figures(cells: list[str], marks: tuple[int, ...]) -> bool:
    return all(0 <= m < len(cells) and is_figure(cells[m]) for m in marks)


def _next_row(
    lines: list[str], at: int, width: int, marks: tuple[int, ...], lead: int
) -> tuple[list[str], int] | None:
    """The row at ``lines[at]`` and the lines it takes, its first level cells perhaps left
    out rather than blank (a merged 一级/二级 written once): read short, blanks put before.
    ``lead``: the text cells before the first row's figures (levels and a name)."""
    for k in range(0, 3 if marks and width >= MIN_LEVELLED else 1):
        if k and (k >= lead or lead < 3):
            break  # the first row's levels and name: a cell for each level left out
        row = _row(lines, at, width - k, tuple(m - k for m in marks))
        if row is not None:
            return [""] * k + row, width - k
    return None


def read_stacked_blanks(lines: list[str], start: int) -> Found | None:
    """The header of words from ``lines[start]`` and the rows under it, one cell per line
    with blank lines (or nothing) for empty level cells; None without two such rows."""
    words = 0
    while (
        words < MAX_WORDS
        and start + words < len(lines)
        and "\t" not in lines[start + words]
        and _is_header_word(_text(lines[start + words]))
    ):
        words += 1
    best: Found | None = None
    for width in range(MIN_WORDS, words + 1):
        rows: Rows = []
        end = start + width
        marks: tuple[int, ...] = ()
        lead = 0
        while len(rows) < MAX_ROWS and (found := _next_row(lines, end, width, marks, lead)):
            row, taken = found
            if not marks:
                figures = [c for c, t in enumerate(row) if is_figure(t)]
                marks, lead = tuple(figures[-2:]), figures[0]
            rows.append(row)
            end += taken
        if all(not row[0] for row in rows):
            continue  # blank lines that part rows, not a column (``read_stacked``'s form)
        if len(rows) >= 2 and (best is None or len(rows) > len(best[0]) - 1):
            best = ([[_text(ln) for ln in lines[start : start + width]], *rows], end)
    return best
