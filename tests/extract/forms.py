"""Render one small table (a staffing form, a 三公 table) in every format a report comes in,
for the form and table tests: TXT flattened in several ways, DOCX (python-docx, merged
cells), PDF (PyMuPDF ruled table, CJK font). Every grid rendered here is invented by the
tests; nothing is copied from a report.

A ``Grid`` is its rows of cell texts with the merged areas given apart as
``(row, col, row_span, col_span)``; a merged cell's text stands at its top-left, the cells
it covers hold ''.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

import docx
import pymupdf

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.ingest.pdfgen import FONT, draw_table, new_page, to_bytes, write_lines

Merge = tuple[int, int, int, int]


@dataclass(frozen=True)
class Grid:
    rows: list[list[str]]
    merges: list[Merge] = field(default_factory=list)
    before: list[str] = field(default_factory=list)  # lines above the table (a caption)


TITLE = ["某县水利局2023年度部门整体支出绩效自评报告", "一、部门基本情况"]
AFTER = ["二、部门整体支出绩效情况", "本年度各项工作有序推进。"]

# How a text copy flattens a table row into one line.
TEXT_STYLES = ("tab", "spaced", "pipe", "glued", "single")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_lines(grid: Grid, style: str) -> list[str]:
    """The table's rows as text lines: tab-separated, space-aligned (padded to a common
    column width, CJK counted twice), pipe-separated, glued (no separator), or parted by
    one space. An empty cell stays empty where the style keeps columns."""
    rows = grid.rows
    if style == "tab":
        return ["\t".join(r) for r in rows]
    if style == "pipe":
        return ["| " + " | ".join(r) + " |" for r in rows]
    if style == "glued":
        return ["".join(r) for r in rows]
    if style == "single":
        return [" ".join(c for c in r if c) for r in rows]
    assert style == "spaced"
    n = max(len(r) for r in rows)
    widths = [max(_width(r[c]) for r in rows if c < len(r)) + 4 for c in range(n)]
    out = []
    for r in rows:
        cells = [c + " " * (widths[k] - _width(c)) for k, c in enumerate(r)]
        out.append("".join(cells).rstrip())
    return out


def as_txt(grid: Grid, style: str) -> bytes:
    lines = [*TITLE, *grid.before, *text_lines(grid, style), *AFTER]
    return ("\n".join(lines) + "\n").encode("utf-8")


def as_docx(grid: Grid) -> bytes:
    d = docx.Document()
    for line in [*TITLE, *grid.before]:
        d.add_paragraph(line)
    n_cols = max(len(r) for r in grid.rows)
    table = d.add_table(rows=len(grid.rows), cols=n_cols)
    table.style = "Table Grid"
    for r, c, rs, cs in grid.merges:
        table.cell(r, c).merge(table.cell(r + rs - 1, c + cs - 1))
    for r, row in enumerate(grid.rows):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    for line in AFTER:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def as_pdf(grid: Grid) -> bytes:
    doc = pymupdf.open()
    page = new_page(doc)
    head = [*TITLE, *grid.before]
    write_lines(page, head, y=60, fontsize=11)
    n_cols = max(len(r) for r in grid.rows)
    covered = {
        (r + i, c + j)
        for r, c, rs, cs in grid.merges
        for i in range(rs)
        for j in range(cs)
        if (i, j) != (0, 0)
    }
    spans = {(r, c): (rs, cs) for r, c, rs, cs in grid.merges}
    cells = []
    for r, row in enumerate(grid.rows):
        for c in range(n_cols):
            if (r, c) in covered:
                continue
            rs, cs = spans.get((r, c), (1, 1))
            cells.append((r, c, rs, cs, row[c] if c < len(row) else ""))
    widest = [max((len(r[c]) for r in grid.rows if c < len(r)), default=2) for c in range(n_cols)]
    widths = [max(30.0, 9.5 * w + 8) for w in widest]
    scale = min(1.0, 520 / sum(widths))
    top = 60 + len(head) * 11 * 1.6 + 10
    draw_table(page, 40, top, [w * scale for w in widths], [20] * len(grid.rows), cells)
    write_lines(page, AFTER, y=top + 20 * len(grid.rows) + 30, fontsize=11)
    page.insert_text((40, 820), "", fontname=FONT, fontsize=9)
    return to_bytes(doc)


def render(grid: Grid, fmt: str) -> tuple[bytes, str]:
    """(bytes, file name) of ``grid`` as ``fmt``: 'docx', 'pdf' or 'txt-<style>'."""
    if fmt == "docx":
        return as_docx(grid), "report.docx"
    if fmt == "pdf":
        return as_pdf(grid), "report.pdf"
    return as_txt(grid, fmt.removeprefix("txt-")), "report.txt"


FORMATS = ("docx", "pdf", *(f"txt-{s}" for s in TEXT_STYLES))


def read(grid: Grid, fmt: str) -> ReportExport:
    data, name = render(grid, fmt)
    return extract_rules(read_document(data, name)).export
