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

from service.ingest.flat_forms import MAX_CELL_CHARS, Found, Rows, is_figure

# Header words of a stacked table: at least this many (a money table has fewer columns
# and blank lines that part its rows, read by ``read_stacked``).
MIN_WORDS = 4
MAX_WORDS = 12
# A reason after a row's figures may be a sentence of its own.
MAX_REASON_CHARS = 80
MAX_ROWS = 5000


def _text(line: str) -> str:
    return line.strip(" \u3000\t")


def _is_word(text: str) -> bool:
    return 0 < len(text) <= MAX_CELL_CHARS and not is_figure(text) and "。" not in text


def _row(lines: list[str], at: int, width: int, last_figure: int | None) -> list[str] | None:
    """``width`` slots from ``lines[at]`` (blank lines empty cells) with a stacked row's
    shape, or None."""
    if at + width > len(lines):
        return None
    if any("\t" in ln for ln in lines[at : at + width]):
        return None  # cells after tabs: the one-cell-per-line form ``flat_tables`` reads
    cells = [_text(ln) for ln in lines[at : at + width]]
    figures = [c for c, t in enumerate(cells) if is_figure(t)]
    if len(figures) < 2 or (last_figure is not None and figures[-1] != last_figure):
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


def read_stacked_blanks(lines: list[str], start: int) -> Found | None:
    """The header of words from ``lines[start]`` and the rows under it, one cell per line
    with blank lines for empty cells; None without two such rows."""
    words = 0
    while (
        words < MAX_WORDS
        and start + words < len(lines)
        and "\t" not in lines[start + words]
        and _is_word(_text(lines[start + words]))
    ):
        words += 1
    best: Found | None = None
    for width in range(MIN_WORDS, words + 1):
        rows: Rows = []
        end = start + width
        last: int | None = None
        while len(rows) < MAX_ROWS and (row := _row(lines, end, width, last)) is not None:
            last = max(c for c, t in enumerate(row) if is_figure(t))
            rows.append(row)
            end += width
        if all(not row[0] for row in rows):
            continue  # blank lines that part rows, not a column (``read_stacked``'s form)
        if len(rows) >= 2 and (best is None or len(rows) > len(best[0]) - 1):
            best = ([[_text(ln) for ln in lines[start : start + width]], *rows], end)
    return best
