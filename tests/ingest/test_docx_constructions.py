"""Word's and WPS's many ways of holding one table, built as raw WordprocessingML: rows that
skip grid columns (gridBefore/gridAfter), spans and merges (gridSpan, vMerge, legacy
hMerge), a table split in two, nested tables, tables in text boxes (the alternate content
read once), content controls around the table, a row or a cell, cells of several
paragraphs, breaks, tabs, split runs, fields, revisions and hidden text, rows written as
paragraphs with tabs or spaces, and the 三公 table turned with its items as columns. Each
is read through the real reader and extractor and its figures checked in the export."""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.sax.saxutils import escape

import docx
import pytest
from docx.oxml import parse_xml
from lxml import etree

from service.document import Document
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
TITLE = [
    "某区文化馆2023年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本馆职能包括公共文化服务。",
]
AFTER = ["二、绩效目标完成情况", "全年各项工作按计划推进。"]

THREE_PUBLIC = [
    ["项目", "预算数", "决算数", "上年决算数"],
    ["因公出国（境）费", "0.00", "0.00", "0.00"],
    ["公务接待费", "2.40", "1.95", "2.30"],
    ["公务用车购置及运行维护费", "7.20", "6.40", "6.80"],
    ["合计", "9.60", "8.35", "9.10"],
]
TP_CAPTION = "（三）“三公”经费支出情况（单位：万元）"
TP_EXPECTED = {
    "total.budget": 9.6, "total.actual": 8.35, "total.previous": 9.1,
    "reception.budget": 2.4, "reception.actual": 1.95, "reception.previous": 2.3,
    "vehicle.budget": 7.2, "vehicle.actual": 6.4, "vehicle.previous": 6.8,
    "overseas.actual": 0,
}  # fmt: skip

MONEY = [
    ["项目", "年初预算数", "决算数"],
    ["支出合计", "3250.00", "3118.46"],
    ["基本支出", "2800.00", "2760.01"],
    ["项目支出", "450.00", "358.45"],
]
MONEY_CAPTION = "（二）部门支出情况（单位：万元）"


# --- XML builders --------------------------------------------------------------------------


def run(text: str, rpr: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{rpr}</w:rPr>" if rpr else ""}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(inner: str) -> str:
    return f"<w:p>{inner}</w:p>"


def text_para(text: str) -> str:
    return para(run(text))


def tc(inner: str, tcpr: str = "") -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="1500" w:type="dxa"/>{tcpr}</w:tcPr>{inner}</w:tc>'


def cell(text: str, tcpr: str = "") -> str:
    return tc(text_para(text), tcpr)


def tr(cells: str, trpr: str = "") -> str:
    return f"<w:tr>{f'<w:trPr>{trpr}</w:trPr>' if trpr else ''}{cells}</w:tr>"


def tbl(rows: str, n_cols: int) -> str:
    grid = "".join('<w:gridCol w:w="1500"/>' for _ in range(n_cols))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"


def plain_table(rows: list[list[str]], cell_xml: Callable[[str], str] = cell) -> str:
    return tbl("".join(tr("".join(cell_xml(c) for c in r)) for r in rows), len(rows[0]))


def sdt(inner: str) -> str:
    return f"<w:sdt><w:sdtPr/><w:sdtContent>{inner}</w:sdtContent></w:sdt>"


def build(body: str, caption: str) -> bytes:
    d = docx.Document()
    for line in TITLE:
        d.add_paragraph(line)
    d.add_paragraph(caption)
    marker = d.add_paragraph("")
    for line in AFTER:
        d.add_paragraph(line)
    for element in reversed(parse_xml(f"<w:body {NS}>{body}</w:body>")):
        marker._p.addnext(element)
    marker._p.getparent().remove(marker._p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# --- constructions: rows → body XML ----------------------------------------------------------


def plain(rows: list[list[str]]) -> str:
    return plain_table(rows)


def grid_before_after(rows: list[list[str]]) -> str:
    """Every row skips a grid column on its left; the body rows one on their right too."""
    out = []
    for i, r in enumerate(rows):
        trpr = '<w:gridBefore w:val="1"/>' + ("" if i == 0 else '<w:gridAfter w:val="1"/>')
        cells = "".join(cell(c) for c in r) + ("" if i else cell(""))
        out.append(tr(cells, trpr))
    return tbl("".join(out), len(rows[0]) + 2)


def grid_span(rows: list[list[str]]) -> str:
    """The label column is two grid columns wide."""
    body = "".join(
        tr(cell(r[0], '<w:gridSpan w:val="2"/>') + "".join(cell(c) for c in r[1:])) for r in rows
    )
    return tbl(body, len(rows[0]) + 1)


def v_merge(rows: list[list[str]]) -> str:
    """A group column merged down over the body rows (restart, then continue)."""
    out = [tr(cell("类别") + "".join(cell(c) for c in rows[0]))]
    for i, r in enumerate(rows[1:]):
        group = (
            cell("支出", '<w:vMerge w:val="restart"/>') if i == 0 else tc(para(""), "<w:vMerge/>")
        )
        out.append(tr(group + "".join(cell(c) for c in r)))
    return tbl("".join(out), len(rows[0]) + 1)


def h_merge(rows: list[list[str]]) -> str:
    """The label written across two cells joined by the legacy hMerge."""
    body = "".join(
        tr(
            cell(r[0], '<w:hMerge w:val="restart"/>')
            + tc(para(""), "<w:hMerge/>")
            + "".join(cell(c) for c in r[1:])
        )
        for r in rows
    )
    return tbl(body, len(rows[0]) + 1)


def _split(rows: list[list[str]], repeat: bool, between: str) -> str:
    head, body = rows[0], rows[1:]
    first = plain_table([head, *body[:2]])
    second = plain_table([head, *body[2:]] if repeat else body[2:])
    return first + between + second


def split_page_break(rows: list[list[str]]) -> str:
    return _split(rows, False, para('<w:r><w:br w:type="page"/></w:r>'))


def split_repeated_header(rows: list[list[str]]) -> str:
    return _split(rows, True, text_para(""))


def split_caption_between(rows: list[list[str]]) -> str:
    return _split(rows, True, text_para("（续表）"))


def split_continued_mark(rows: list[list[str]]) -> str:
    return _split(rows, False, text_para("（续表）"))


def items_as_columns(rows: list[list[str]]) -> str:
    """The table turned: the items across the header, the figures' kinds down the side."""
    return plain_table([list(col) for col in zip(*rows, strict=True)])


def items_as_columns_merged(rows: list[list[str]]) -> str:
    """Turned, with a two-row header: a group cell over the items (gridSpan), the corner
    merged down (vMerge)."""
    turned = [list(col) for col in zip(*rows, strict=True)]
    n = len(turned[0])
    top = cell("项目", '<w:vMerge w:val="restart"/>') + cell(
        "“三公”经费", f'<w:gridSpan w:val="{n - 1}"/>'
    )
    second = tc(para(""), "<w:vMerge/>") + "".join(cell(c) for c in turned[0][1:])
    body = "".join(tr("".join(cell(c) for c in r)) for r in turned[1:])
    return tbl(tr(top) + tr(second) + body, n)


def spacer_rows(rows: list[list[str]]) -> str:
    """An empty row under the header and another at the end."""
    blank = [""] * len(rows[0])
    return plain_table([rows[0], blank, *rows[1:], blank])


def split_adjacent(rows: list[list[str]]) -> str:
    return _split(rows, False, "")


def nested(rows: list[list[str]]) -> str:
    """A one-cell layout table holding the real table (and a note under it)."""
    inner = plain_table(rows) + text_para("")
    return tbl(tr(tc(inner)), 1)


def nested_in_two_column_layout(rows: list[list[str]]) -> str:
    inner = plain_table(rows) + text_para("")
    return tbl(tr(tc(text_para("")) + tc(inner)), 2)


def _txbx(content: str) -> str:
    return f"<w:txbxContent>{content}</w:txbxContent>"


def text_box(rows: list[list[str]]) -> str:
    """A text box as Word writes it: the DrawingML choice and a VML fallback, each holding
    the table."""
    table = plain_table(rows) + text_para("")
    choice = (
        '<mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
        f"{_txbx(table)}</wps:txbx></wps:wsp></w:drawing></mc:Choice>"
    )
    fallback = f"<mc:Fallback><w:pict><v:shape><v:textbox>{_txbx(table)}</v:textbox></v:shape></w:pict></mc:Fallback>"
    return para(f"<w:r><mc:AlternateContent>{choice}{fallback}</mc:AlternateContent></w:r>")


def text_box_vml(rows: list[list[str]]) -> str:
    table = plain_table(rows) + text_para("")
    return para(
        f"<w:r><w:pict><v:shape><v:textbox>{_txbx(table)}</v:textbox></v:shape></w:pict></w:r>"
    )


def sdt_block(rows: list[list[str]]) -> str:
    return sdt(plain_table(rows))


def sdt_rows(rows: list[list[str]]) -> str:
    body = "".join(sdt(tr("".join(cell(c) for c in r))) for r in rows)
    return tbl(body, len(rows[0]))


def sdt_cells(rows: list[list[str]]) -> str:
    body = "".join(tr("".join(sdt(cell(c)) for c in r)) for r in rows)
    return tbl(body, len(rows[0]))


def sdt_in_cell(rows: list[list[str]]) -> str:
    return plain_table(rows, lambda c: tc(sdt(text_para(c))))


def _numeric(text: str) -> bool:
    return text.replace(".", "").replace("-", "").isdigit()


def two_paragraph_cells(rows: list[list[str]]) -> str:
    """A long label wrapped into two paragraphs; a figure over an empty paragraph."""

    def one(c: str) -> str:
        if len(c) > 6:
            return tc(text_para(c[:4]) + text_para(c[4:]))
        return tc(text_para(c) + text_para(""))

    return plain_table(rows, one)


def breaks_and_tabs(rows: list[list[str]]) -> str:
    """A label broken by w:br; a figure preceded by a tab inside its paragraph."""

    def one(c: str) -> str:
        if len(c) > 6:
            return tc(para(run(c[:4]) + "<w:r><w:br/></w:r>" + run(c[4:])))
        if _numeric(c):
            return tc(para("<w:r><w:tab/></w:r>" + run(c)))
        return cell(c)

    return plain_table(rows, one)


def split_runs(rows: list[list[str]]) -> str:
    """Every character its own run (as spell-check and language marks leave it)."""
    return plain_table(rows, lambda c: tc(para("".join(run(ch, "<w:b/>") for ch in c))))


def simple_fields(rows: list[list[str]]) -> str:
    def one(c: str) -> str:
        if not _numeric(c):
            return cell(c)
        return tc(para(f'<w:fldSimple w:instr=" =SUM(ABOVE) ">{run(c)}</w:fldSimple>'))

    return plain_table(rows, one)


def complex_fields(rows: list[list[str]]) -> str:
    def one(c: str) -> str:
        if not _numeric(c):
            return cell(c)
        return tc(
            para(
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText xml:space="preserve"> =SUM(LEFT) \\# "0.00" </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                f'{run(c)}<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            )
        )

    return plain_table(rows, one)


def revisions(rows: list[list[str]]) -> str:
    """Each figure corrected with tracked changes: the old figure deleted, the new inserted."""

    def one(c: str) -> str:
        if not _numeric(c):
            return cell(c)
        deleted = '<w:del w:id="1" w:author="a"><w:r><w:delText>88.88</w:delText></w:r></w:del>'
        return tc(para(f'{deleted}<w:ins w:id="2" w:author="a">{run(c)}</w:ins>'))

    return plain_table(rows, one)


def hidden_text(rows: list[list[str]]) -> str:
    """A hidden note run after each figure and label (Word does not show or print it)."""
    return plain_table(rows, lambda c: tc(para(run(c) + run("77", "<w:vanish/>"))))


def tab_paragraphs(rows: list[list[str]]) -> str:
    """No table: one paragraph per row, the cells parted by tab characters."""
    return "".join(para("<w:r><w:tab/></w:r>".join(run(c) for c in r)) for r in rows)


def space_paragraphs(rows: list[list[str]]) -> str:
    """No table: one paragraph per row, the cells parted by runs of spaces."""
    return "".join(text_para("    ".join(r)) for r in rows)


CONSTRUCTIONS = {
    f.__name__: f
    for f in (
        plain, grid_before_after, grid_span, v_merge, h_merge, split_page_break,
        split_repeated_header, split_caption_between, split_continued_mark, split_adjacent,
        nested, items_as_columns, items_as_columns_merged, spacer_rows,
        nested_in_two_column_layout, text_box, text_box_vml, sdt_block, sdt_rows, sdt_cells,
        sdt_in_cell, two_paragraph_cells, breaks_and_tabs, split_runs, simple_fields,
        complex_fields, revisions, hidden_text, tab_paragraphs, space_paragraphs,
    )
}  # fmt: skip


def _export(body: str, caption: str) -> ReportExport:
    return extract_rules(read_document(build(body, caption), "report.docx")).export


def _three_public(e: ReportExport) -> dict[str, float | None]:
    out = {}
    for path in TP_EXPECTED:
        item, kind = path.split(".")
        v = getattr(getattr(e.three_public, item), kind)
        out[path] = None if v is None else v.value
    return out


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
def test_three_public_table(construction: str) -> None:
    e = _export(CONSTRUCTIONS[construction](THREE_PUBLIC), TP_CAPTION)
    assert _three_public(e) == TP_EXPECTED


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
def test_money_table(construction: str) -> None:
    e = _export(CONSTRUCTIONS[construction](MONEY), MONEY_CAPTION)
    assert e.budget.total_expenditure.value == 3118.46
    assert e.budget.basic_expenditure.value == 2760.01
    assert e.budget.project_expenditure.value == 358.45
    lines = {str(ln.item.value): ln for ln in e.budget.lines}
    assert lines["支出合计"].initial_budget.value == 3250
    assert lines["项目支出"].final.value == 358.45


def _document(body: str, caption: str = "") -> Document:
    return read_document(build(body, caption), "report.docx")


@pytest.mark.parametrize(
    "frame",
    [
        tbl(tr(tc(text_para("本年度完成馆舍维修。") + text_para("群众满意度较上年提高。"))), 1),
        tbl(tr(cell("一是完善制度建设；") + cell("二是加强预算管理。")), 2),
    ],
)
def test_a_layout_table_holding_prose_is_read_as_lines(frame: str) -> None:
    doc = _document(frame)
    assert doc.tables == []
    lines = [doc.slice(line.span) for line in doc.lines]
    assert any("馆舍维修" in ln or "完善制度建设" in ln for ln in lines)


def test_a_data_table_with_one_sentence_cell_stays_a_table() -> None:
    rows = [["指标", "指标值", "完成情况"], ["群众满意度", "≥90%", "达到预期。"]]
    (table,) = _document(plain_table(rows)).tables
    assert table.grid()[1] == ["群众满意度", "≥90%", "达到预期。"]


def test_deleted_revision_and_hidden_text_are_not_read() -> None:
    for construction in (revisions, hidden_text):
        doc = _document(construction(THREE_PUBLIC), TP_CAPTION)
        (table,) = doc.tables
        assert table.grid()[2] == ["公务接待费", "2.40", "1.95", "2.30"]
        assert "88.88" not in doc.text and "77" not in doc.text


def test_a_text_box_is_read_once_and_is_no_image() -> None:
    doc = _document(text_box(THREE_PUBLIC), TP_CAPTION)
    (table,) = doc.tables
    assert table.grid()[4] == ["合计", "9.60", "8.35", "9.10"]
    assert doc.warnings == []


def test_a_following_table_of_other_columns_is_not_joined() -> None:
    body = plain_table(THREE_PUBLIC) + text_para("") + plain_table(MONEY)
    assert [(t.n_rows, t.n_cols) for t in _document(body).tables] == [(5, 4), (4, 3)]
    same_width = [["项目", "本年", "上年", "备注"], ["支出合计", "1.00", "2.00", "无"]]
    body = plain_table(THREE_PUBLIC) + text_para("") + plain_table(same_width)
    assert [(t.n_rows, t.n_cols) for t in _document(body).tables] == [(5, 4), (2, 4)]


def _merged_grid(rows: list[list[str]], merges: list[tuple[int, int, int, int]]) -> str:
    """``rows`` as python-docx merges them (gridSpan across, vMerge down)."""
    d = docx.Document()
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, c, rs, cs in merges:
        table.cell(r, c).merge(table.cell(r + rs - 1, c + cs - 1))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    return etree.tostring(table._tbl, encoding="unicode")


OVS, REC, VEH = THREE_PUBLIC[1][0], THREE_PUBLIC[2][0], THREE_PUBLIC[3][0]
MERGED_GRIDS = {
    # the vehicle's parts in a second label column beside its merged name, 小计 first
    "vehicle_group_with_subtotal": (
        [
            ["项目", "", "预算数", "决算数", "上年决算数"],
            [OVS, "", "0.00", "0.00", "0.00"],
            [REC, "", "2.40", "1.95", "2.30"],
            [VEH, "小计", "7.20", "6.40", "6.80"],
            ["", "购置费", "0.00", "0.00", "0.00"],
            ["", "运行维护费", "7.20", "6.40", "6.80"],
            ["合计", "", "9.60", "8.35", "9.10"],
        ],
        [(0, 0, 1, 2), (1, 0, 1, 2), (2, 0, 1, 2), (3, 0, 3, 1), (6, 0, 1, 2)],
    ),
    # a 序号 column, the 合计 row written across it
    "serial_and_spanning_total": (
        [
            ["序号", "项目", "预算数", "决算数", "上年决算数"],
            ["1", OVS, "0.00", "0.00", "0.00"],
            ["2", REC, "2.40", "1.95", "2.30"],
            ["3", VEH, "7.20", "6.40", "6.80"],
            ["合计", "", "9.60", "8.35", "9.10"],
        ],
        [(4, 0, 1, 2)],
    ),
    # the table's title and unit as merged rows inside it
    "title_rows_inside": (
        [
            ["“三公”经费支出情况表", "", "", ""],
            ["单位：万元", "", "", ""],
            *THREE_PUBLIC,
        ],
        [(0, 0, 1, 4), (1, 0, 1, 4)],
    ),
}


@pytest.mark.parametrize("name", MERGED_GRIDS)
def test_three_public_tables_merged_as_word_merges(name: str) -> None:
    rows, merges = MERGED_GRIDS[name]
    caption = "" if name == "title_rows_inside" else TP_CAPTION
    got = _three_public(_export(_merged_grid(rows, merges), caption))
    assert got == TP_EXPECTED
