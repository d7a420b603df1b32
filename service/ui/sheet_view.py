"""A spreadsheet page drawn as its sheet: the review page's view of a workbook (and of a
bundle's workbook part) in place of its text.

Owns turning the cells the reader kept with their addresses (``service.ui.sources``) into an
HTML table laid out as the sheet is — column letters and row numbers, merged areas as
``rowspan``/``colspan``, numbers right-aligned in the text Excel displays — with each value's
cell marked as the text view marks a value's span (``<mark class="src" data-refs>``), so a
click on a value lights and scrolls to its cell and a click on the cell finds the value, by
the page script's one mechanism. A value's cell is the one its locator names
(``table:1 自评表!E5``) or any cell its span crosses. Pure functions; no database, no HTTP.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from service.ui.sources import SheetCell, SourceDoc

MAX_CELLS = 20_000  # a sheet drawn as a grid at most; a larger one is shown as text
MAX_GAP = 2  # empty rows between blocks drawn at most (the rest folded into one)
_LOCATOR_REF = re.compile(r"(?:'(?:[^']|'')+'|[^\s'!]+)![A-Z]{1,3}[1-9]\d*$")


@dataclass(frozen=True)
class ValueSpan:
    """A value of the records: its span in the text (-1, -1 when only its locator names the
    cell), its ref on the page, its label."""

    start: int
    end: int
    ref: str
    label: str


def locator_cell(locator: object) -> str | None:
    """The cell a value's locator names: ``自评表!E5`` of ``table:1 自评表!E5``."""
    if not isinstance(locator, str):
        return None
    match = _LOCATOR_REF.search(locator.strip())
    return match.group(0) if match else None


def sheet_pages(
    source: SourceDoc, spans: list[ValueSpan], located: dict[str, list[ValueSpan]]
) -> dict[int, Markup]:
    """Each spreadsheet page as one grid per sheet on it (a bundle's page holds one sheet;
    a workbook's page is a sheet). ``located``: values by the cell their locator names."""
    out: dict[int, Markup] = {}
    index = _SpanIndex(spans)
    for number, cells in source.sheets.items():
        if len(cells) > MAX_CELLS:
            continue
        by_sheet: dict[str, list[SheetCell]] = {}
        for cell in cells:
            by_sheet.setdefault(cell.sheet, []).append(cell)
        grids = [_grid(name, group, index, located) for name, group in by_sheet.items()]
        out[number] = Markup("".join(grids))
    return out


class _SpanIndex:
    """The values' spans sorted by start, to find those crossing a cell without a scan."""

    def __init__(self, spans: list[ValueSpan]) -> None:
        self.spans = sorted((v for v in spans if v.end > v.start), key=lambda v: v.start)
        self.starts = [v.start for v in self.spans]
        self.longest = max((v.end - v.start for v in self.spans), default=0)

    def crossing(self, start: int, end: int) -> list[ValueSpan]:
        lo = bisect.bisect_left(self.starts, start - self.longest)
        hi = bisect.bisect_left(self.starts, end)
        return [v for v in self.spans[lo:hi] if v.end > start]


def _grid(
    name: str,
    cells: list[SheetCell],
    spans: _SpanIndex,
    located: dict[str, list[ValueSpan]],
) -> str:
    at = {(c.row, c.col): c for c in cells}
    first_col = min(c.col for c in cells)
    last_col = max(c.col + (c.col_span or 1) - 1 for c in cells)
    covered = _covered(cells, last_col, at)
    head = "".join(f"<th>{_letters(c)}</th>" for c in range(first_col, last_col + 1))
    rows = [f'<thead><tr><th class="corner"></th>{head}</tr></thead><tbody>']
    for r in _rows(cells):
        if r < 0:  # folded empty rows
            span = last_col - first_col + 2
            rows.append(f'<tr class="gap"><td colspan="{span}">⋯</td></tr>')
            continue
        tds = []
        for c in range(first_col, last_col + 1):
            cell = at.get((r, c))
            if cell is not None:
                tds.append(_td(cell, covered.get((r, c), 1), spans, located))
            elif (r, c) not in covered:
                tds.append("<td></td>")
        rows.append(f'<tr><th scope="row">{r}</th>{"".join(tds)}</tr>')
    rows.append("</tbody>")
    caption = f'<caption>{escape(name)}</caption><colgroup><col class="rowno"></colgroup>'
    return (
        f'<div class="sheet-wrap"><table class="sheet" data-sheet="{escape(name)}">'
        f"{caption}{''.join(rows)}</table></div>"
    )


def _covered(
    cells: list[SheetCell], last_col: int, at: dict[tuple[int, int], SheetCell]
) -> dict[tuple[int, int], int]:
    """Positions a merged area covers (→ 0) and each line cell's width (→ its colspan): a
    cell read as a line (a title, a note) runs right to the next filled cell, as Excel
    shows text that overflows — its merge, if it had one, is not kept by the reader."""
    out: dict[tuple[int, int], int] = {}
    for cell in cells:
        if cell.col_span is None:
            width = 1
            while cell.col + width <= last_col and (cell.row, cell.col + width) not in at:
                width += 1
            out[(cell.row, cell.col)] = width
            out.update({(cell.row, cell.col + k): 0 for k in range(1, width)})
            continue
        for r in range(cell.row, cell.row + cell.row_span):
            for c in range(cell.col, cell.col + cell.col_span):
                if (r, c) != (cell.row, cell.col):
                    out[(r, c)] = 0
    return out


def _rows(cells: list[SheetCell]) -> list[int]:
    """The sheet's row numbers in order, runs of more than ``MAX_GAP`` empty rows folded
    into one ``-1``."""
    filled = sorted({r for c in cells for r in range(c.row, c.row + c.row_span)})
    out: list[int] = []
    for r in filled:
        if out and r - out[-1] - 1 > MAX_GAP:
            out.append(-1)
        elif out:
            out.extend(range(out[-1] + 1, r))
        out.append(r)
    return out


def _td(cell: SheetCell, width: int, spans: _SpanIndex, located: dict[str, list[ValueSpan]]) -> str:
    attrs = [f'data-cell="{escape(cell.ref)}"', f'title="{escape(cell.ref)}"']
    colspan = width if cell.col_span is None else cell.col_span
    if colspan > 1:
        attrs.append(f'colspan="{colspan}"')
    if cell.row_span > 1:
        attrs.append(f'rowspan="{cell.row_span}"')
    if cell.numeric:
        attrs.append('class="num"')
    values = {v.ref: v for v in spans.crossing(cell.start, cell.end)}
    values.update({v.ref: v for v in located.get(cell.ref, [])})
    body = escape(cell.text)
    if values:
        refs = " ".join(escape(ref) for ref in values)
        labels = " / ".join(escape(v.label) for v in values.values())
        body = Markup(f'<mark class="src" data-refs="{refs}" data-label="{labels}">{body}</mark>')
    return f"<td {' '.join(attrs)}>{body}</td>"


def _letters(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
