"""Render a ``ReportSpec`` as an Excel workbook: .xlsx with openpyxl, legacy .xls with xlwt.

Owns the workbook layout: the report is cut into sheets at its page breaks (the body, then
each 附件 — the 基础数据表, the 自评表 — on a sheet named by its caption), each heading or
paragraph one row in column A, each table at its place with merged cells, a blank row
around it. Figures are written as Excel stores them: a number with a number format
(``1,693.36`` → 1693.36 under ``#,##0.00``, ``97.29%`` → 0.9729 under ``0.00%``), so a reader
must render the displayed text itself; anything else (``≥95%``, ``450台``, codes with a leading
zero) stays text. ``attachments_only`` writes only the sheets holding tables, as a unit
sends its 自评表 beside the report. Byte-stable for a given spec. Knows nothing of truth.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from service.synth.spec import Heading, PageBreak, Paragraph, ReportSpec, TableBlock

FIXED_TIME = dt.datetime(2025, 1, 1)
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
_THOUSANDS = re.compile(r"^-?[1-9]\d{0,2}(,\d{3})+(\.(\d+))?$")
_PLAIN = re.compile(r"^-?(0|[1-9]\d{0,11})(\.(\d+))?$")
_PERCENT = re.compile(r"^-?(0|[1-9]\d{0,3})(\.(\d+))?%$")


@dataclass
class SheetPlan:
    """One sheet: rows of either a text (column A) or a table."""

    name: str
    items: list[str | TableBlock] = field(default_factory=list)

    @property
    def has_table(self) -> bool:
        return any(isinstance(i, TableBlock) for i in self.items)


def plan(spec: ReportSpec, attachments_only: bool = False) -> list[SheetPlan]:
    """The sheets: the body first, then one per part after each page break."""
    sheets = [SheetPlan("报告正文", [spec.title.replace("\n", "")])]
    for block in spec.blocks:
        if isinstance(block, PageBreak):
            sheets.append(SheetPlan(""))
        elif isinstance(block, Heading | Paragraph):
            sheets[-1].items.append(block.text)
        elif isinstance(block, TableBlock):
            sheets[-1].items.append(block)
    sheets = [s for s in sheets if s.items]
    used: set[str] = set()
    for i, sheet in enumerate(sheets):
        sheet.name = _unique(sheet.name or _caption(sheet) or f"Sheet{i + 1}", used)
    if attachments_only:
        sheets = [s for s in sheets if s.has_table]
    return sheets


def _caption(sheet: SheetPlan) -> str:
    """A part's name: its caption line naming a 表 (…自评表), else its first line."""
    texts = [i for i in sheet.items[:3] if isinstance(i, str)]
    named = [t for t in texts if t.endswith("表")] or texts
    name = named[0] if named else ""
    name = re.sub(r"^\d{4}年度?", "", _BAD_NAME.sub("", name)).strip()
    return name[-31:] if len(name) > 31 else name


def _unique(name: str, used: set[str]) -> str:
    base, n = name[:28], 2
    while name in used:
        name, n = f"{base}({n})", n + 1
    used.add(name)
    return name


def typed(text: str) -> tuple[str | float, str | None]:
    """(value, number format) as a person typing the figure into Excel would store it."""
    t = text.strip()
    if m := _PERCENT.match(t):
        return float(t[:-1]) / 100, "0" + ("." + "0" * len(m.group(3)) if m.group(3) else "") + "%"
    if m := _THOUSANDS.match(t):
        decimals = len(m.group(3) or "")
        return float(t.replace(",", "")), "#,##0" + ("." + "0" * decimals if decimals else "")
    if m := _PLAIN.match(t):
        decimals = len(m.group(3) or "")
        return float(t), ("0." + "0" * decimals) if decimals else "General"
    return text, None


def _rows(sheet: SheetPlan) -> list[tuple[int, str | TableBlock]]:
    """(first row, item), 0-based: a blank row before and after each table."""
    out, row = [], 0
    for item in sheet.items:
        if isinstance(item, TableBlock):
            if row:
                row += 1
            out.append((row, item))
            row += item.n_rows + 1
        else:
            out.append((row, item))
            row += 1
    return out


def render_xlsx(spec: ReportSpec, attachments_only: bool = False) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment

    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in plan(spec, attachments_only):
        ws = book.create_sheet(sheet.name)
        ws.column_dimensions["A"].width = 24
        for row, item in _rows(sheet):
            if isinstance(item, str):
                ws.cell(row=row + 1, column=1, value=item)
                continue
            for cell in item.layout():
                r, c = row + cell.row + 1, cell.col + 1
                value, fmt = typed(cell.text)
                target = ws.cell(row=r, column=c, value=value if cell.text else None)
                if fmt:
                    target.number_format = fmt
                target.alignment = Alignment(wrap_text=True, vertical="center")
                if cell.row_span > 1 or cell.col_span > 1:
                    ws.merge_cells(
                        start_row=r,
                        start_column=c,
                        end_row=r + cell.row_span - 1,
                        end_column=c + cell.col_span - 1,
                    )
    book.properties.creator = "jixiao synth"
    book.properties.created = book.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    book.save(buf)
    return _stable_zip(buf.getvalue())


def render_xls(spec: ReportSpec, attachments_only: bool = False) -> bytes:
    """The same workbook as a legacy .xls (BIFF8) through xlwt (a test-only dependency)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[str | None, xlwt.XFStyle] = {}

    def style(fmt: str | None) -> xlwt.XFStyle:
        if fmt not in styles:
            styles[fmt] = xlwt.easyxf(num_format_str=fmt or "General")
        return styles[fmt]

    for sheet in plan(spec, attachments_only):
        ws = book.add_sheet(sheet.name)
        for row, item in _rows(sheet):
            if isinstance(item, str):
                ws.write(row, 0, item)
                continue
            for cell in item.layout():
                r, c = row + cell.row, cell.col
                value, fmt = typed(cell.text) if cell.text else ("", None)
                if cell.row_span > 1 or cell.col_span > 1:
                    ws.write_merge(
                        r, r + cell.row_span - 1, c, c + cell.col_span - 1, value, style(fmt)
                    )
                else:
                    ws.write(r, c, value, style(fmt))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _stable_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed entry times so equal workbooks give equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
