"""Borderless tables in text PDFs: tables drawn with text only (no rulings) come back as
grids with boxes on their words; prose shaped a little like a table does not."""

from __future__ import annotations

import pymupdf
import pytest

from service.document import BBox, Document
from service.extract.rules import extract_rules
from service.ingest import IngestOptions, read_document
from service.ingest.flat_tables import is_figure
from tests.ingest import pdfgen

# An indicator table (绩效自评表) of invented indicators: merged 一级/二级 cells written
# once with blanks below, a 三级指标 name wrapped over two lines, figures in the right columns.
INDICATORS = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "河道巡查里程", "≥120公里", "134公里", "10", "10"],
    ["", "", "水质监测点位\n覆盖数量", "36个", "36个", "10", "10"],
    ["", "质量指标", "监测数据有效率", "≥95%", "97.2%", "10", "9"],
    ["效益指标", "社会效益", "群众投诉办结率", "100%", "100%", "10", "10"],
    ["满意度指标", "服务对象", "服务对象满意度", "≥90%", "93%", "10", "9.5"],
]
INDICATOR_COLS = (62, 56, 120, 78, 78, 40, 40)


def read(data: bytes) -> Document:
    return read_document(data, "report.pdf", IngestOptions())


def flat(rows: list[list[str]]) -> list[list[str]]:
    """The grid a table of ``rows`` should read as: wrapped cells on one line."""
    return [[t.replace("\n", "") for t in row] for row in rows]


def sits_on(box: BBox | None, rect: pymupdf.Rect, slack: float = 1.5) -> bool:
    """``box`` holds the drawn glyphs and little else."""
    assert box is not None
    return (
        abs(box.x0 - rect.x0) <= slack
        and box.x1 <= rect.x1 + slack
        and box.x1 >= rect.x1 - 2 * slack - 10  # a glyph's ink ends inside its em
        and box.y0 >= rect.y0 - slack
        and box.y1 <= rect.y1 + slack
    )


def lines_of(doc: Document) -> list[str]:
    return [doc.slice(line.span) for line in doc.lines]


def indicator_pdf(centred: bool = False, right: tuple[int, ...] = (5, 6)) -> tuple[bytes, list]:
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, ["附件2", "部门整体支出绩效自评表", "单位:万元"], y=70)
    drawn, bottom = pdfgen.write_text_table(
        page, 40, 130, INDICATOR_COLS, INDICATORS, right=right, centred=centred
    )
    pdfgen.write_lines(
        page,
        ["说明:以上指标由本单位自评,数据截至2023年12月31日,共5项,合计得分48.5分。"],
        y=bottom + 30,
        fontsize=10,
    )
    return pdfgen.to_bytes(doc), drawn


@pytest.fixture(scope="module")
def indicators() -> tuple[Document, list]:
    data, drawn = indicator_pdf()
    return read(data), drawn


# --- the indicator table ------------------------------------------------------------------


def test_indicator_table_is_a_grid(indicators) -> None:
    doc, _ = indicators
    [table] = doc.tables
    assert table.grid() == flat(INDICATORS)
    assert (table.n_rows, table.n_cols, table.pages) == (6, 7, [1])
    assert all(c.row_span == 1 and c.col_span == 1 for c in table.cells)


def test_cells_sit_on_their_words(indicators) -> None:
    doc, drawn = indicators
    [table] = doc.tables
    for r, cells in enumerate(drawn):
        for c, mark in cells.items():
            cell = table.cell_at(r, c)
            assert cell is not None and cell.text == mark.text.replace("\n", "")
            assert sits_on(cell.bbox, mark.rect), (cell.text, cell.bbox, mark.rect)
            # the reviewer page highlights the cell where its words are
            [where] = doc.locate(cell.span)
            assert where.page == 1 and where.bbox == cell.bbox
    assert table.bbox is not None and sits_on(table.bbox, drawn[0][0].rect | drawn[-1][6].rect)


def test_table_words_are_not_also_prose(indicators) -> None:
    doc, _ = indicators
    prose = lines_of(doc)
    assert prose == [
        "附件2",
        "部门整体支出绩效自评表",
        "单位:万元",
        "说明:以上指标由本单位自评,数据截至2023年12月31日,共5项,合计得分48.5分。",
    ]
    [table] = doc.tables
    assert "134公里" in doc.slice(table.span) and not any("134公里" in line for line in prose)


def test_cell_centred_on_a_wrapped_neighbour_reads_the_same() -> None:
    data, _ = indicator_pdf(centred=True, right=())
    [table] = read(data).tables
    assert table.grid() == flat(INDICATORS)


def test_indicator_rows_reach_the_records(indicators) -> None:
    doc, _ = indicators
    rows = extract_rules(doc).export.indicators
    got = [
        (i.level1 and i.level1.raw, i.level3.raw, i.target.raw, i.actual.raw, i.score.raw)
        for i in rows
    ]
    assert got == [
        ("产出指标", "河道巡查里程", "≥120公里", "134公里", "10"),
        ("产出指标", "水质监测点位覆盖数量", "36个", "36个", "10"),
        ("产出指标", "监测数据有效率", "≥95%", "97.2%", "9"),
        ("效益指标", "群众投诉办结率", "100%", "100%", "10"),
        ("满意度指标", "服务对象满意度", "≥90%", "93%", "9.5"),
    ]
    assert rows[2].level2.raw == "质量指标" and rows[2].actual.value == 97.2


# --- other table shapes -------------------------------------------------------------------


def test_basic_data_table_with_right_aligned_money() -> None:
    """A 基础数据表 of money by year: label column, three right-aligned figure columns."""
    rows = [
        ["项目", "2022年决算数", "2023年预算数", "2023年决算数"],
        ["收入合计", "1,286.40", "1,310.00", "1,302.75"],
        ["其中:财政拨款", "1,150.20", "1,200.00", "1,198.10"],
        ["支出合计", "1,270.33", "1,310.00", "1,295.62"],
        ["其中:基本支出", "842.17", "860.00", "851.09"],
        ["项目支出", "428.16", "450.00", "444.53"],
    ]
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, ["表1 收支情况"], y=80, fontsize=12)
    drawn, _ = pdfgen.write_text_table(
        page, 72, 100, (130, 110, 110, 110), rows, fontsize=10.5, right=(1, 2, 3), row_gap=0.8
    )
    out = read(pdfgen.to_bytes(doc))
    [table] = out.tables
    assert table.grid() == rows
    cell = table.cell_at(4, 3)
    assert cell is not None and cell.text == "851.09" and sits_on(cell.bbox, drawn[4][3].rect)
    assert lines_of(out) == ["表1 收支情况"]


def test_three_public_table_with_placeholders_and_negatives() -> None:
    rows = [
        ["项目", "上年决算", "本年决算", "增减额", "增减率"],
        ["因公出国(境)费", "0", "0", "-", "-"],
        ["公务接待费", "2.46", "1.98", "-0.48", "-19.5%"],
        ["公务用车运行维护费", "6.30", "5.85", "-0.45", "-7.1%"],
        ["合计", "8.76", "7.83", "-0.93", "-10.6%"],
    ]
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, ["(三)三公经费情况", "2023年三公经费支出情况如下:"], y=80)
    pdfgen.write_text_table(page, 60, 130, (150, 80, 80, 80, 80), rows, right=(1, 2, 3, 4))
    [table] = read(pdfgen.to_bytes(doc)).tables
    assert table.grid() == rows


def test_project_list_with_a_text_column() -> None:
    rows = [
        ["序号", "项目名称", "预算金额", "实际支出", "执行率", "主管科室"],
        ["1", "农村饮水安全\n巡检", "58.00", "55.10", "95%", "水资源科"],
        ["2", "防汛物资储备", "120.00", "118.62", "98.9%", "防汛办"],
        ["3", "小型水库\n除险加固", "340.50", "312.00", "91.6%", "工程科"],
    ]
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_text_table(page, 50, 100, (36, 120, 70, 70, 60, 80), rows, right=(2, 3, 4))
    [table] = read(pdfgen.to_bytes(doc)).tables
    assert table.grid() == flat(rows)


def test_table_continued_on_the_next_page_is_joined() -> None:
    """The table runs to the bottom of page 1 and goes on at the top of page 2, without its
    header; page 2 then has prose."""
    head, *body = INDICATORS
    more = [
        ["成本指标", "经济成本", "单公里巡查成本", "≤0.8万元", "0.74万元", "10", "10"],
        ["", "", "设备运维支出", "≤36万元", "35.2万元", "10", "10"],
        ["", "", "监测耗材采购", "≤12万元", "11.6万元", "5", "5"],
    ]
    doc = pymupdf.open()
    first = pdfgen.new_page(doc)
    pdfgen.write_lines(first, pdfgen.prose_lines(28), y=80)
    pdfgen.write_text_table(first, 40, 842 - 60 - 110, INDICATOR_COLS, [head, *body])
    second = pdfgen.new_page(doc)
    _, bottom = pdfgen.write_text_table(second, 40, 60, INDICATOR_COLS, more)
    pdfgen.write_lines(second, pdfgen.prose_lines(5), y=bottom + 30)
    out = read(pdfgen.to_bytes(doc))
    [table] = out.tables
    assert table.grid() == flat([head, *body, *more])
    assert table.pages == [1, 2]
    assert {c.page for c in table.cells if c.row > len(body)} == {2}
    assert any("continues across page breaks" in w for w in out.warnings)


def test_repeated_header_on_the_next_page_is_dropped() -> None:
    head, *body = INDICATORS
    doc = pymupdf.open()
    first = pdfgen.new_page(doc)
    pdfgen.write_lines(first, pdfgen.prose_lines(30), y=80)
    pdfgen.write_text_table(first, 40, 842 - 60 - 80, INDICATOR_COLS, [head, *body[:3]])
    second = pdfgen.new_page(doc)
    pdfgen.write_text_table(second, 40, 60, INDICATOR_COLS, [head, *body[3:]])
    [table] = read(pdfgen.to_bytes(doc)).tables
    assert table.grid() == flat(INDICATORS)


def test_a_ruled_table_and_a_borderless_one_on_one_page() -> None:
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.draw_table(
        page, 72, 80, (150, 100, 100), [22] * 3,
        [(r, c, 1, 1, t) for r, row in enumerate([("项目", "预算", "决算"), ("A", "1.00", "2.00"), ("B", "3.00", "4.00")]) for c, t in enumerate(row)],
    )  # fmt: skip
    pdfgen.write_text_table(page, 40, 200, INDICATOR_COLS, INDICATORS)
    out = read(pdfgen.to_bytes(doc))
    ruled, borderless = out.tables
    assert ruled.grid() == [["项目", "预算", "决算"], ["A", "1.00", "2.00"], ["B", "3.00", "4.00"]]
    assert borderless.grid() == flat(INDICATORS)


# --- what must stay prose -------------------------------------------------------------------


def _prose_only(lines_by_page: list[tuple[list[str], float, float]]) -> Document:
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    for lines, x, y in lines_by_page:
        pdfgen.write_lines(page, lines, x=x, y=y, fontsize=10)
    out = read(pdfgen.to_bytes(doc))
    assert out.tables == []
    return out


def test_two_column_prose_with_figures_is_not_a_table() -> None:
    left = [
        "全年完成河道巡查134公里,",
        "监测点位36个,有效率97.2%,",
        "办结投诉案件52件,",
        "满意度93%。",
    ]
    right = [
        "设备运维支出35.2万元,",
        "耗材采购11.6万元,下降8%,",
        "培训人员120人次,",
        "覆盖率100%。",
    ]
    out = _prose_only([(left, 60, 100), (right, 330, 100)])
    assert "耗材采购11.6万元,下降8%," in " ".join(lines_of(out))


def test_numbered_list_with_figures_is_not_a_table() -> None:
    items = [
        "1.  完成巡查        134公里     同比增长12%",
        "2.  新增监测点      36个        覆盖率100%",
        "3.  办结投诉        52件        办结率98%",
    ]
    out = _prose_only([(items, 60, 100)])
    assert len(out.lines) == 3


def test_cover_form_of_label_value_pairs_is_not_a_table() -> None:
    form = [
        "部门名称:     县水利局            预算编码:    301018",
        "评价年度:     2023年              评价方式:    自评",
        "联系人:       王某                联系电话:    5521876",
        "报告日期:     2024年3月           资金总额:    1302.75",
    ]
    _prose_only([(form, 60, 100)])


def test_aligned_figures_without_a_header_are_not_a_table() -> None:
    rows = [
        "河道巡查里程        134公里        10        10",
        "水质监测点位        36个           10        10",
        "群众投诉办结率      100%           10        10",
    ]
    _prose_only([(["本年度主要完成以下工作,详见下文。"], 60, 80), (rows, 60, 110)])


def test_paragraph_with_a_few_figures_is_not_a_table() -> None:
    para = pdfgen.prose_lines(6)
    _prose_only([(para, 60, 100)])


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("45个", True),
        ("≥90%", True),
        ("1,059.01", True),
        ("-19.5%", True),
        ("≤0.8万元", True),
        ("2023年度", False),
        ("12月31日前", False),
        ("河道巡查", False),
        ("有效提升", False),
    ],
)
def test_what_counts_as_a_figure(text: str, figure: bool) -> None:
    assert is_figure(text) is figure


def test_rubric_table_with_centred_cells_and_an_empty_column() -> None:
    """Cells centred on their row: a header cell over two lines ('自评'/'得分') beside
    one-line names, 评分标准 text over three lines with the row's figures on its middle
    line, a 三级指标 name over two lines straddling them, and a 偏差原因 column nobody
    filled (no gutter in the body shows it)."""
    rows = [
        ["一级指标", "二级指标", "三级指标", "分值", "评分标准", "自评\n得分", "偏差原因"],
        ["产出指标", "数量指标", "堤防巡护\n里程", "9", "全部完成得9分,\n基本完成得4分,\n未完成不得分", "9", ""],
        ["", "质量指标", "闸站完好率", "8", "达标得8分,\n每低1%扣1分", "7", ""],
        ["", "时效指标", "汛前检修\n完成时间", "8", "按期得8分,\n逾期不得分", "8", ""],
        ["效益指标", "社会效益", "防洪安全", "10", "无责任事故\n得10分", "10", ""],
    ]  # fmt: skip
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, ["部门整体支出绩效自评表"], y=70)
    pdfgen.write_text_table(
        page, 40, 100, (60, 60, 80, 36, 120, 40, 70), rows, centred=True, row_gap=0.6
    )
    out = read(pdfgen.to_bytes(doc))
    [table] = out.tables
    assert table.grid() == flat(rows)
    assert lines_of(out) == ["部门整体支出绩效自评表"]


def test_header_and_one_row_at_the_foot_of_a_page_start_the_table() -> None:
    head, *body = INDICATORS
    doc = pymupdf.open()
    first = pdfgen.new_page(doc)
    pdfgen.write_lines(first, pdfgen.prose_lines(36), y=80)
    pdfgen.write_text_table(first, 40, 842 - 60 - 30, INDICATOR_COLS, [head, body[0]])
    pdfgen.write_lines(first, ["- 1 -"], x=280, y=842 - 20, fontsize=9)
    second = pdfgen.new_page(doc)
    pdfgen.write_text_table(second, 40, 60, INDICATOR_COLS, [head, *body[1:]])
    out = read(pdfgen.to_bytes(doc))
    [table] = out.tables
    assert table.grid() == flat(INDICATORS)
    assert table.pages == [1, 2]
    assert "- 1 -" in lines_of(out)


def test_a_header_and_one_row_inside_a_page_are_not_a_table() -> None:
    """Without the page break a lone row under a header line is too little to go on."""
    head, *body = INDICATORS
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_text_table(page, 40, 100, INDICATOR_COLS, [head, body[0]])
    pdfgen.write_lines(page, pdfgen.prose_lines(5), y=160)
    assert read(pdfgen.to_bytes(doc)).tables == []


def test_header_cells_over_two_lines_under_a_unit_note() -> None:
    """A 三公 table laid out by year: its long column names wrap over two lines, centred;
    the '单位:万元' note right above the last column is not part of the header."""
    rows = [
        ["项目", "合计", "因公出国\n(境)费", "公务接待费", "公务用车购\n置及运维费"],
        ["预算数", "12.60", "0.00", "2.40", "10.20"],
        ["决算数", "11.85", "0.00", "2.05", "9.80"],
        ["上年决算数", "13.10", "0.00", "2.90", "10.20"],
    ]
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, ["“三公”经费支出情况表"], y=80)
    pdfgen.write_lines(page, ["单位:万元"], x=430, y=104, fontsize=9)
    pdfgen.write_text_table(
        page, 60, 108, (90, 70, 90, 80, 90), rows, right=(1, 2, 3, 4), centred=True
    )
    out = read(pdfgen.to_bytes(doc))
    [table] = out.tables
    assert table.grid() == flat(rows)
    assert lines_of(out) == ["“三公”经费支出情况表", "单位:万元"]


def test_form_of_labels_and_figures_under_a_name_line_is_not_a_table() -> None:
    """Label/value pairs in four columns whose first line (no figures) looks like a
    header: the column of '名称:' labels tells a form."""
    form = [
        ["单位名称:", "县水利局", "联系人:", "王某"],
        ["预算编码:", "301018", "联系电话:", "5521876"],
        ["资金总额:", "1302.75", "执行率:", "98.5%"],
        ["评价得分:", "92.5", "评价等级:", "优"],
    ]
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_text_table(page, 60, 100, (90, 120, 90, 120), form, row_gap=0.8)
    out = read(pdfgen.to_bytes(doc))
    assert out.tables == []
    assert "预算编码: 301018 联系电话: 5521876" in lines_of(out)
