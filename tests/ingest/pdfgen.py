"""Small PDF builders for the PDF reader's tests: prose lines and ruled tables, drawn with
PyMuPDF and its bundled CJK font, so every position a test asserts on is known.

Owns only test helpers. The full synthetic report generator lives in ``service/synth/``;
this module stays minimal on purpose and must not grow into a second one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pymupdf

FONT = "china-s"
A4 = (595.0, 842.0)

# (row, col, row_span, col_span, text); a text with "\n" is written as stacked lines.
CellSpec = tuple[int, int, int, int, str]


@dataclass(frozen=True)
class DrawnLine:
    text: str
    rect: pymupdf.Rect  # where the glyphs stand, PDF points, origin top-left


@dataclass(frozen=True)
class DrawnTable:
    rect: pymupdf.Rect
    cells: dict[tuple[int, int], pymupdf.Rect]  # (row, col) of each cell's top-left -> rect


def new_page(doc: pymupdf.Document, size: tuple[float, float] = A4) -> pymupdf.Page:
    return doc.new_page(width=size[0], height=size[1])


def text_width(text: str, fontsize: float) -> float:
    """Width of ``text`` as ``insert_text`` sets it: the built-in CJK font has no width
    table in the PDF, so every glyph, Latin and digits included, advances one em."""
    return len(text) * fontsize


def write_lines(
    page: pymupdf.Page,
    lines: Sequence[str],
    x: float = 72,
    y: float = 72,
    fontsize: float = 11,
    leading: float = 1.6,
) -> list[DrawnLine]:
    """Write ``lines`` top-down starting with the first baseline at ``y``."""
    drawn = []
    for i, text in enumerate(lines):
        baseline = y + i * fontsize * leading
        if text:
            page.insert_text((x, baseline), text, fontname=FONT, fontsize=fontsize)
            rect = pymupdf.Rect(
                x, baseline - fontsize, x + text_width(text, fontsize), baseline + 0.2 * fontsize
            )
            drawn.append(DrawnLine(text, rect))
    return drawn


def draw_table(
    page: pymupdf.Page,
    x: float,
    y: float,
    col_widths: Sequence[float],
    row_heights: Sequence[float],
    cells: Sequence[CellSpec],
    fontsize: float = 9,
) -> DrawnTable:
    """Draw a ruled table: each (merged) cell's border, its text vertically centred."""
    xs = [x]
    for w in col_widths:
        xs.append(xs[-1] + w)
    ys = [y]
    for h in row_heights:
        ys.append(ys[-1] + h)
    rects = {}
    for row, col, row_span, col_span, text in cells:
        rect = pymupdf.Rect(xs[col], ys[row], xs[col + col_span], ys[row + row_span])
        page.draw_rect(rect, color=(0, 0, 0), width=0.6)
        parts = text.split("\n") if text else []
        top = rect.y0 + (rect.height - len(parts) * fontsize * 1.3) / 2
        for i, part in enumerate(parts):
            baseline = top + (i + 1) * fontsize * 1.3 - 0.3 * fontsize
            page.insert_text((rect.x0 + 3, baseline), part, fontname=FONT, fontsize=fontsize)
        rects[(row, col)] = rect
    return DrawnTable(pymupdf.Rect(xs[0], ys[0], xs[-1], ys[-1]), rects)


# --- a 绩效自评表-like indicator table -------------------------------------------------

SELF_EVAL_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
SELF_EVAL_COLS = (56, 56, 130, 100, 100, 40, 40)

# (三级指标, 年度指标值, 实际完成值, 分值, 得分) for body rows 1..11
_INDICATORS = [
    ("污染防治攻坚战项目任务", "45个", "45个", "5", "5"),
    ("优先监管地块调查报告编制", "5个", "5个", "5", "5"),
    ("VOCs减排治理项目", "2个", "2个", "5", "5"),
    ("目标任务完成率", "100%", "100%", "3", "3"),
    ("城区环境空气质量优良率", "≥90%", "93.70%", "3", "3"),
    ("污染耕地安全利用率", "≥90%", "95%", "3", "3"),
    ("各项工作完成时限", "12月31日前", "12月31日前", "10", "10"),
    ("运行成本", "≤1059.01万元", "1059.01", "15", "15"),
    ("环境质量达标", "Ⅲ类", "Ⅲ类", "5", "5"),
    ("提升群众环保意识", "有效提升", "有效提升", "5", "4"),
    ("服务对象满意度", "≥95%", "96%", "10", "9.5"),
]

# 一级 (col 0) and 二级 (col 1) groups as (first body row, row span, text)
_LEVEL1 = [(1, 7, "产出指标"), (8, 1, "成本指标"), (9, 2, "效益指标"), (11, 1, "满意度")]
_LEVEL2 = [
    (1, 3, "数量指标"),
    (4, 3, "质量指标"),
    (7, 1, "时效指标"),
    (8, 1, "经济成本"),
    (9, 1, "生态效益"),
    (10, 1, "社会效益"),
    (11, 1, "服务对象"),
]


def self_eval_cells() -> list[CellSpec]:
    """A 13x7 indicator table: header, 11 indicator rows, a total row whose label spans
    two columns and whose score spans the rest. 一级/二级 columns merge vertically."""
    cells: list[CellSpec] = [(0, c, 1, 1, t) for c, t in enumerate(SELF_EVAL_HEADER)]
    cells += [(r, 0, n, 1, t) for r, n, t in _LEVEL1]
    cells += [(r, 1, n, 1, t) for r, n, t in _LEVEL2]
    for i, values in enumerate(_INDICATORS, start=1):
        cells += [(i, c, 1, 1, v) for c, v in enumerate(values, start=2)]
    cells += [(12, 0, 1, 2, "总分"), (12, 2, 1, 5, "94.5")]
    return cells


def self_eval_rows() -> list[list[str]]:
    """The table's grid as ``Table.grid()`` should give it (merged areas empty)."""
    rows = [["" for _ in SELF_EVAL_COLS] for _ in range(13)]
    for r, c, _, _, t in self_eval_cells():
        rows[r][c] = t
    return rows


def to_bytes(doc: pymupdf.Document, **save_options: object) -> bytes:
    data = doc.tobytes(garbage=3, deflate=True, **save_options)
    doc.close()
    return data


def zero_page_pdf() -> bytes:
    """A well-formed PDF (with a correct xref table) whose page tree is empty: PyMuPDF
    refuses to save one, so it is written by hand."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Root 1 0 R /Size %d >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# --- a report-like document (benchmark and multi-page tests) -------------------------------

_PROSE = (
    "2021年度部门整体支出1059.01万元，其中基本支出847.72万元，项目支出53.5万元，"
    "预算执行率≥95%。全年办理行政处罚案件157件，罚款270余万元，办结率95%。"
    "三公经费支出0.11万元，较上年下降12.5%。"
)


def prose_lines(n: int, width: int = 38) -> list[str]:
    """``n`` lines of report prose, ``width`` characters each."""
    text = _PROSE * (n * width // len(_PROSE) + 1)
    return [text[i * width : (i + 1) * width] for i in range(n)]


def report_pdf(n_pages: int = 20) -> bytes:
    """A report-like PDF: prose pages, a small ruled data table every fifth page, and the
    13x7 indicator table on the last two pages, continued across the page break."""
    doc = pymupdf.open()
    for number in range(1, n_pages + 1):
        page = new_page(doc)
        write_lines(page, [f"第{number}页 部门整体支出绩效自评报告"], y=60, fontsize=14)
        if number >= n_pages - 1:
            top, bottom = split_rows(self_eval_cells(), 7)
            half = top if number == n_pages - 1 else bottom
            if number == n_pages - 1:  # prose, then the table down to the bottom margin
                write_lines(page, prose_lines(20), y=100)
                draw_table(page, 36, 842 - 36 - 22 * 7, SELF_EVAL_COLS, [22] * 7, half)
            else:  # the rest of the table at the top, then prose
                draw_table(page, 36, 80, SELF_EVAL_COLS, [22] * 7, half)
                write_lines(page, prose_lines(20), y=270)
        elif number % 5 == 0:
            write_lines(page, prose_lines(12), y=100)
            rows = [("项目", "年初预算", "全年预算", "决算")] + [
                (f"项目{i}", f"{100 + i}.50", f"{120 + i}.25", f"{118 + i}.01") for i in range(7)
            ]
            spec = [(r, c, 1, 1, t) for r, row in enumerate(rows) for c, t in enumerate(row)]
            draw_table(page, 72, 330, (150, 100, 100, 100), [22] * 8, spec)
            write_lines(page, prose_lines(12), y=530)
        else:
            write_lines(page, prose_lines(38), y=100)
    return to_bytes(doc)


def split_rows(
    cells: list[CellSpec], at: int, repeat_header: bool = True
) -> tuple[list[CellSpec], list[CellSpec]]:
    """Cut a table before row ``at`` as a page break would: merged cells crossing the cut
    are split, the part below starts again at row 0 (after a repeated header row)."""
    top: list[CellSpec] = []
    bottom: list[CellSpec] = [c for c in cells if c[0] == 0] if repeat_header else []
    offset = 1 if repeat_header else 0
    for r, c, rs, cs, t in cells:
        if r < at:
            top.append((r, c, min(rs, at - r), cs, t))
        if r >= at:
            bottom.append((r - at + offset, c, rs, cs, t))
        elif r + rs > at:  # the rest of a merged cell the break cuts through
            bottom.append((offset, c, r + rs - at, cs, ""))
    return top, bottom


# --- borderless tables: cells placed by position only, no rulings ---------------------------


def write_text_table(
    page: pymupdf.Page,
    x: float,
    y: float,
    col_widths: Sequence[float],
    rows: Sequence[Sequence[str]],
    fontsize: float = 9,
    row_gap: float = 1.0,
    right: Sequence[int] = (),
    centred: bool = False,
) -> tuple[list[dict[int, DrawnLine]], float]:
    """Write a table with text only: each cell at its column's left edge (``right``: columns
    whose text ends at the column's right edge, less one em, as figures are set). A cell
    with "\n" wraps onto the next line(s) in its column; the row grows to hold it, the
    other cells at its top, or ``centred`` on its height. ``row_gap``: space between rows,
    in em. Returns each row's drawn cells (column -> text and glyph rect) and the y below
    the table."""
    xs = [x]
    for w in col_widths:
        xs.append(xs[-1] + w)
    step = fontsize * 1.25
    drawn: list[dict[int, DrawnLine]] = []
    top = y
    for row in rows:
        parts = [text.split("\n") if text else [] for text in row]
        height = max(len(p) for p in parts) or 1
        cells: dict[int, DrawnLine] = {}
        for col, lines in enumerate(parts):
            if not lines:
                continue
            first = top + (step * (height - len(lines)) / 2 if centred else 0)
            width = max(text_width(p, fontsize) for p in lines)
            left = xs[col + 1] - fontsize - width if col in right else xs[col]
            for k, part in enumerate(lines):
                page.insert_text(
                    (left, first + fontsize + k * step), part, fontname=FONT, fontsize=fontsize
                )
            bottom = first + step * (len(lines) - 1) + 1.2 * fontsize
            cells[col] = DrawnLine(row[col], pymupdf.Rect(left, first, left + width, bottom))
        drawn.append(cells)
        top += step * height + fontsize * row_gap
    return drawn, top


def render_lines(
    lines: list[str], fmt: str, x: float = 40, y: float = 50, fontsize: float = 10
) -> tuple[bytes, str]:
    """The same lines as a text file, a DOCX of one paragraph each, or a one-page PDF:
    (bytes, file name) for ``read_document``."""
    if fmt == "txt":
        return ("\n".join(lines) + "\n").encode("utf-8"), "report.txt"
    if fmt == "docx":
        import io

        import docx

        d = docx.Document()
        for line in lines:
            d.add_paragraph(line)
        buf = io.BytesIO()
        d.save(buf)
        return buf.getvalue(), "report.docx"
    doc = pymupdf.open()
    write_lines(new_page(doc), lines, x=x, y=y, fontsize=fontsize)
    return to_bytes(doc), "report.pdf"
