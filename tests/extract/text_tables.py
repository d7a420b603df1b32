"""Write one small table the ways text and Word copies flatten it, for the text-table
family tests: ruled with box-drawing bars or an ASCII grid, Markdown pipes, tabs, runs of
spaces, ideographic spaces, CSV and semicolon rows, one cell per line (with or without a
leading tab), a label line over its figures, cells glued with no separator, single
spaces; as DOCX a python-docx table or tab-parted paragraphs. Every table here is
invented by the tests.
"""

from __future__ import annotations

import io
import unicodedata

import docx

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

TITLE = [
    "某县自然资源所2025年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本所负责辖区国土空间规划实施。",
]
AFTER = ["二、绩效目标完成情况", "全年各项任务均按期完成。"]

TEXT_STYLES = (
    "box",
    "ascii",
    "pipe",
    "tab",
    "spaced",
    "ideographic",
    "csv",
    "semicolon",
    "stacked",
    "stacked_tab",
    "label_lines",
    "glued",
    "single",
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _padded(rows: list[list[str]], extra: int = 2) -> list[list[str]]:
    widths = [max(_width(r[c]) for r in rows) + extra for c in range(len(rows[0]))]
    return [[c + " " * (widths[k] - _width(c)) for k, c in enumerate(r)] for r in rows]


def _ruled(rows: list[list[str]], bar: str, rule: str) -> list[str]:
    padded = _padded(rows)
    out = [rule]
    for r in padded:
        out += [bar + bar.join(r) + bar, rule]
    return out


def _csv_cell(text: str, sep: str) -> str:
    return f'"{text}"' if sep in text else text


def text_lines(rows: list[list[str]], style: str) -> list[str]:
    """``rows`` (equal widths, '' for an empty cell) as the lines of a text copy."""
    n = len(rows[0])
    if style == "box":
        rule = "├" + "┼".join("─" * 8 for _ in range(n)) + "┤"
        return ["┌" + "┬".join("─" * 8 for _ in range(n)) + "┐", *_ruled(rows, "│", rule)[1:]]
    if style == "ascii":
        return _ruled(rows, "|", "+" + "+".join("-" * 8 for _ in range(n)) + "+")
    if style == "pipe":
        return ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * n] + [
            "| " + " | ".join(r) + " |" for r in rows[1:]
        ]
    if style == "tab":
        return ["\t".join(r) for r in rows]
    if style == "spaced":
        return ["".join(r).rstrip() for r in _padded(rows, 3)]
    if style == "ideographic":
        return ["\u3000".join(r) for r in rows]
    if style in ("csv", "semicolon"):
        sep = "," if style == "csv" else ";"
        return [sep.join(_csv_cell(c, sep) for c in r) for r in rows]
    if style == "stacked":
        return [c for r in rows for c in r]
    if style == "stacked_tab":
        return [line for r in rows for line in [*(f"\t{c}" for c in r), ""]]
    if style == "label_lines":  # the label (after its 序号) on a line, the figures below
        cut = [2 if r[0].isdigit() else 1 for r in rows]
        return [" ".join(c for c in rows[0] if c)] + [
            line
            for r, k in zip(rows[1:], cut[1:], strict=True)
            for line in (" ".join(r[:k]), " ".join(r[k:]))
        ]
    if style == "glued":
        return ["".join(r) for r in rows]
    assert style == "single", style
    return [" ".join(c for c in r if c) for r in rows]


def read_text(rows: list[list[str]], style: str, before: list[str]) -> ReportExport:
    lines = [*TITLE, *before, *text_lines(rows, style), *AFTER]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return extract_rules(read_document(data, "report.txt")).export


def read_docx(rows: list[list[str]], before: list[str], as_table: bool = True) -> ReportExport:
    """A Word copy: a ruled table, or each row a paragraph of tab-parted cells."""
    d = docx.Document()
    for line in [*TITLE, *before]:
        d.add_paragraph(line)
    if as_table:
        table = d.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    else:
        for row in rows:
            d.add_paragraph("\t".join(row))
    for line in AFTER:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return extract_rules(read_document(buf.getvalue(), "report.docx")).export


def read(rows: list[list[str]], fmt: str, before: list[str]) -> ReportExport:
    """``fmt``: a text style, ``docx`` (a table) or ``docx_tabs`` (tab-parted paragraphs)."""
    if fmt == "docx":
        return read_docx(rows, before)
    if fmt == "docx_tabs":
        return read_docx(rows, before, as_table=False)
    return read_text(rows, fmt, before)


def value_at(export: ReportExport, path: str) -> float | None:
    """The value at a dotted export path (``three_public.reception.actual``)."""
    node: object = export
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return getattr(node, "value", None)


def line_named(export: ReportExport, name: str):  # noqa: ANN201 - a BudgetLine or None
    return next((x for x in export.budget.lines if x.item.value.endswith(name)), None)
