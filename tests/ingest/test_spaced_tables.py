"""Tables whose cells are parted by runs of spaces, in plain text and in Word paragraphs
(a borderless table copied as text): grids with the header's width; forms, prose and glued
lines stay prose."""

from __future__ import annotations

import io

import docx
import pytest

from service.document import Document
from service.ingest import IngestOptions, read_document

SELF_EVAL = [
    "附表2 部门整体支出绩效自评表",
    "一级指标    二级指标    三级指标          年度指标值    实际完成值    分值    得分",
    "产出指标    数量指标    河道巡查里程      ≥120公里      134公里       10      10",
    "                        水质监测点位      36个          36个          10      10",
    "            质量指标    监测数据有效率    ≥95%          97.2%         10      9",
    "满意度指标  服务对象    服务对象满意度    ≥90%          93%           10      9.5",
    "说明:以上为本单位自评结果。",
]
SELF_EVAL_GRID = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "河道巡查里程", "≥120公里", "134公里", "10", "10"],
    ["", "", "水质监测点位", "36个", "36个", "10", "10"],
    ["", "质量指标", "监测数据有效率", "≥95%", "97.2%", "10", "9"],
    ["满意度指标", "服务对象", "服务对象满意度", "≥90%", "93%", "10", "9.5"],
]


def read_txt(lines: list[str]) -> Document:
    return read_document("\n".join(lines).encode(), "report.txt", IngestOptions())


def read_word(lines: list[str]) -> Document:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return read_document(buf.getvalue(), "report.docx", IngestOptions())


def prose(doc: Document) -> list[str]:
    return [doc.slice(line.span) for line in doc.lines]


@pytest.mark.parametrize("read", [read_txt, read_word], ids=["txt", "docx"])
def test_indicator_table_parted_by_spaces(read) -> None:
    doc = read(SELF_EVAL)
    [table] = doc.tables
    assert table.grid() == SELF_EVAL_GRID
    cell = table.cell_at(3, 4)
    assert cell is not None and doc.slice(cell.span) == "97.2%"
    assert prose(doc) == ["附表2 部门整体支出绩效自评表", "说明:以上为本单位自评结果。"]


def test_money_table_with_ideographic_spaces() -> None:
    lines = [
        "项目\u30002022年决算数\u30002023年预算数\u30002023年决算数",
        "收入合计\u30001286.40\u30001310.00\u30001302.75",
        "支出合计\u30001270.33\u30001310.00\u30001295.62",
        "其中:基本支出\u3000842.17\u3000860.00\u3000851.09",
    ]
    [table] = read_txt(lines).tables
    assert table.grid()[0] == ["项目", "2022年决算数", "2023年预算数", "2023年决算数"]
    assert table.grid()[3] == ["其中:基本支出", "842.17", "860.00", "851.09"]


def test_three_public_table_with_placeholders() -> None:
    lines = [
        "项目              上年决算    本年决算    增减率",
        "因公出国(境)费    0           0           -",
        "公务接待费        2.46        1.98        -19.5%",
        "公务用车运行费    6.30        5.85        -7.1%",
    ]
    [table] = read_txt(lines).tables
    assert table.grid()[2] == ["公务接待费", "2.46", "1.98", "-19.5%"]
    assert (table.n_rows, table.n_cols) == (4, 4)


def test_glued_line_without_separators_stays_prose() -> None:
    lines = [*SELF_EVAL[:3], "信访办结率≥90%96%55", *SELF_EVAL[3:]]
    doc = read_txt(lines)
    assert "信访办结率≥90%96%55" in prose(doc)
    assert all("信访办结率" not in c.text for t in doc.tables for c in t.cells)


@pytest.mark.parametrize(
    "lines",
    [
        [  # a cover form: label / value pairs
            "部门名称:    县水利局        预算编码:    301018",
            "评价年度:    2023年          评价方式:    自评",
            "报告日期:    2024年3月       资金总额:    1302.75",
        ],
        [  # prose typed with double spaces after full stops
            "全年完成河道巡查134公里。  新增监测点位36个,覆盖率达到100%。  群众满意度93%。",
            "设备运维支出35.2万元。  耗材采购11.6万元,同比下降8%。  培训人员120人次。",
            "下一步将继续加强管理。  进一步提高资金使用效益。  确保目标全部完成。",
        ],
        [  # aligned figures without a header line
            "河道巡查里程      134公里     10      10",
            "水质监测点位      36个        10      10",
            "投诉办结率        100%        10      10",
        ],
        [  # a two-column list
            "项目名称          金额",
            "防汛物资储备      120.00",
            "小型水库除险      340.50",
        ],
    ],
    ids=["form", "prose", "no_header", "two_columns"],
)
def test_what_stays_prose(lines: list[str]) -> None:
    doc = read_txt(lines)
    assert doc.tables == []
    assert len(doc.lines) == len(lines)


def layout(rows: list[list[str]], widths: list[int], wide: bool, indent: int = 0) -> list[str]:
    """Rows padded into columns as a monospace export does: each cell padded to its
    column's width, a CJK character taking two columns when ``wide``."""

    def width(text: str) -> int:
        return sum(2 if wide and ord(ch) > 0x2E80 else 1 for ch in text)

    out = []
    for row in rows:
        line = " " * indent
        for text, w in zip(row, widths, strict=True):
            line += text + " " * max(w - width(text), 2)
        out.append(line.rstrip())
    return out


@pytest.mark.parametrize("wide", [True, False], ids=["cjk_two_columns", "cjk_one_column"])
def test_cells_placed_under_their_header_by_position(wide: bool) -> None:
    """A blank 二级 cell in the middle of a row, a blank 一级 cell, and a long 三级 name
    carried on an indented line of its own."""
    rows = [
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "堤防巡护里程", "≥120公里", "134公里", "10", "10"],
        ["效益指标", "", "防洪安全", "无事故", "无事故", "10", "10"],
        ["", "社会效益", "水毁设施修复", "≥95%", "97%", "10", "9"],
        ["", "", "覆盖数量", "", "", "", ""],  # the name above carried on
        ["满意度", "服务对象", "群众满意度", "≥90%", "93%", "10", "9.5"],
    ]
    widths = [24, 20, 28, 20, 20, 8, 8] if wide else [12, 10, 14, 10, 10, 6, 6]
    [table] = read_txt(["附表 自评表", *layout(rows, widths, wide)]).tables
    assert table.grid() == [
        rows[0],
        rows[1],
        rows[2],
        ["", "社会效益", "水毁设施修复覆盖数量", "≥95%", "97%", "10", "9"],
        rows[5],
    ]


def test_form_of_labels_and_figures_is_not_a_table() -> None:
    lines = [
        "单位名称:    县水利局        联系人:      王某",
        "预算编码:    301018          联系电话:    5521876",
        "资金总额:    1302.75         执行率:      98.5%",
        "评价得分:    92.5            评价等级:    优",
    ]
    doc = read_txt(lines)
    assert doc.tables == []
    assert len(doc.lines) == 4
