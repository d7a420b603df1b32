"""Render a ``ReportSpec`` to DOCX with python-docx: heading styles, indented paragraphs,
'Table Grid' tables with real merged cells and repeated header rows, page numbers.

Owns the Word formatting and byte-stable output (python-docx stamps the zip entries and
the core properties with the current time; both are fixed here). Knows nothing of where
a spec comes from.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document as new_document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from service.synth.spec import Heading, PageBreak, Paragraph, ReportSpec, TableBlock

FIXED_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
_HEADING_SIZES = (15, 13, 12, 12)


def _east_asian(run_or_style: object, name: str) -> None:
    """Word picks the font of Chinese characters from ``w:eastAsia``, not ``w:ascii``."""
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)


def _run(
    paragraph: DocxParagraph, text: str, size: float, bold: bool = False, font: str = BODY_FONT
) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(0, 0, 0)
    _east_asian(run, font)


def _page_number_footer(doc: object) -> None:
    section = doc.sections[0]  # type: ignore[attr-defined]
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _repeat_header(table: DocxTable, rows: int) -> None:
    for row in table.rows[:rows]:
        trpr = row._tr.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        trpr.append(flag)


def _add_table(doc: object, block: TableBlock, content_width_mm: float) -> None:
    table = doc.add_table(rows=block.n_rows, cols=block.n_cols)  # type: ignore[attr-defined]
    # the default table style has no borders: a borderless table is aligned by its cells only
    if block.style == "ruled":
        table.style = "Table Grid"
    table.autofit = False
    hints = block.col_widths or [1.0] * block.n_cols
    widths = [Mm(content_width_mm * h / sum(hints)) for h in hints]
    # one snapshot of the cells: ``table.cell(r, c)`` rebuilds the whole grid on every call.
    # Merging only removes cells inside the merged area, so the others stay valid.
    grid = [list(row.cells) for row in table.rows]
    for row in grid:
        for i, cell in enumerate(row):
            cell.width = widths[i]
    size = block.font_size or 10.5
    for placed in block.layout():
        cell = grid[placed.row][placed.col]
        if placed.row_span > 1 or placed.col_span > 1:
            far = grid[placed.row + placed.row_span - 1][placed.col + placed.col_span - 1]
            cell = cell.merge(far)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for extra in cell.paragraphs[1:]:  # a merge keeps one empty paragraph per cell
            extra._p.getparent().remove(extra._p)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if placed.text:
            _run(paragraph, placed.text, size)
    if block.repeat_header and block.header_rows:
        _repeat_header(table, block.header_rows)


def _stable_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed entry times so equal documents give equal bytes."""
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


def render_docx(spec: ReportSpec) -> bytes:
    """The spec as a Word document; the same spec always gives the same bytes."""
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25.4)
    section.top_margin = section.bottom_margin = Mm(25.4)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _east_asian(normal, BODY_FONT)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # a two-line title is one paragraph with a line break (python-docx turns "\n" into one)
    _run(title, spec.title, 18, bold=True, font=HEADING_FONT)
    for block in spec.blocks:
        if isinstance(block, Heading):
            heading = doc.add_heading(level=block.level)
            heading.paragraph_format.first_line_indent = Pt(24)
            _run(
                heading,
                block.text,
                _HEADING_SIZES[block.level - 1],
                bold=block.level <= 2,
                font=HEADING_FONT,
            )
        elif isinstance(block, Paragraph):
            para = doc.add_paragraph()
            para.alignment = _ALIGN[block.align]
            if block.indent and block.align == "left":
                para.paragraph_format.first_line_indent = Pt(24)
            _run(para, block.text, 12, bold=block.bold)
        elif isinstance(block, TableBlock):
            _add_table(doc, block, 210 - 2 * 25.4)
        elif isinstance(block, PageBreak):
            doc.add_page_break()
    _page_number_footer(doc)
    if spec.header:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(header, spec.header, 9)

    props = doc.core_properties
    props.title = spec.title.replace("\n", "")
    props.author = props.last_modified_by = "jixiao synth"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return _stable_zip(buf.getvalue())
