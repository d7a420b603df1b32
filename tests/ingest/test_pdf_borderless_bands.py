"""Borderless tables whose cells wrap over one to three lines, centred on the row's height
or set at its top, with header cells wrapped too: every line of a cell goes to the row
whose band it sits in (the band drawn by the row's figures), whatever its neighbours in
other columns do; a note under the table is no row."""

from __future__ import annotations

import pymupdf
import pytest

from service.document import Document
from service.extract.rules import extract_rules
from service.ingest import IngestOptions, read_document
from tests.extract import indicator_families as fam
from tests.extract import rubric_families as rf
from tests.extract.test_indicator_families import expected, rows
from tests.ingest import pdfgen

MONEY = [
    ["项目\n名称", "上年\n决算数", "本年\n预算数", "本年\n决算数"],
    ["一般公共预算\n财政拨款收入", "1,204.50", "1,260.00", "1,251.32"],
    ["事业收入", "86.40", "90.00", "88.15"],
    ["其他收入(房屋\n出租及利息等\n零星收入)", "12.06", "10.00", "14.70"],
    ["支出合计", "1,298.11", "1,360.00", "1,347.26"],
]
THREE_PUBLIC = [
    ["项目", "上年\n决算", "本年\n决算", "增减额"],
    ["因公出国(境)\n费用", "0", "0", "0"],
    ["公务用车购置\n及运行维护费", "12.80", "9.64", "-3.16"],
    ["其中:公务用车\n运行维护费", "12.80", "9.64", "-3.16"],
    ["公务接待费", "3.25", "2.10", "-1.15"],
]
INDICATORS = [
    ["三级\n指标", "年度\n指标值", "实际\n完成值", "分值", "得分"],
    ["林区防火\n巡护里程", "≥800公里", "862公里", "10", "10"],
    ["病虫害\n监测点位\n覆盖数量", "40个", "40个", "10", "9"],
    ["苗木成活率", "≥85%", "88.5%", "10", "10"],
    ["护林员培训\n合格率", "100%", "96%", "10", "8"],
]
TABLES = {
    "money": (MONEY, (120, 110, 110, 110), (1, 2, 3)),
    "three_public": (THREE_PUBLIC, (120, 80, 80, 80), (1, 2, 3)),
    "indicators": (INDICATORS, (110, 80, 80, 50, 50), (3, 4)),
}


def _pdf(name: str, centred: bool, row_gap: float) -> bytes:
    table, widths, right = TABLES[name]
    doc = pymupdf.open()
    page = pdfgen.new_page(doc)
    pdfgen.write_lines(page, ["附表 本年度情况"], y=80, fontsize=12)
    _, bottom = pdfgen.write_text_table(
        page, 60, 110, widths, table, right=right, centred=centred, row_gap=row_gap
    )
    pdfgen.write_lines(page, ["注：以上数据由本单位财务科提供。"], y=bottom + 12)
    return pdfgen.to_bytes(doc)


def _read(data: bytes) -> Document:
    return read_document(data, "report.pdf", IngestOptions())


@pytest.mark.parametrize("row_gap", [0.8, 1.5])
@pytest.mark.parametrize("centred", [True, False], ids=["centred", "top"])
@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_cell_line_stays_in_its_row(name: str, centred: bool, row_gap: float) -> None:
    doc = _read(_pdf(name, centred, row_gap))
    [table] = doc.tables
    assert table.grid() == [[t.replace("\n", "") for t in row] for row in TABLES[name][0]]


@pytest.mark.parametrize("centred", [True, False], ids=["centred", "top"])
def test_note_under_the_table_is_no_row(centred: bool) -> None:
    doc = _read(_pdf("money", centred, 1.0))
    [table] = doc.tables
    assert all("财务科" not in cell for row in table.grid() for cell in row)
    assert any("财务科" in doc.slice(line.span) for line in doc.lines)


# RUBRIC_FRAMEWORK's first level group is one row: centred it reads as top-aligned.
CENTRED = [rf.RUBRIC_FLAT, rf.RUBRIC_POINTS_FIRST, rf.RUBRIC_DEDUCTIONS, fam.FAMILY_A]


@pytest.mark.parametrize("header_wrap", [2, 3])
@pytest.mark.parametrize("family", CENTRED, ids=lambda f: f.name)
def test_centred_rubric_with_wrapped_headers_reads(family: fam.Family, header_wrap: int) -> None:
    """Header names over two or three lines, the one-line names centred between them."""
    data = rf.as_borderless_pdf(family, wrap=10, middle=True, header_wrap=header_wrap)
    assert rows(extract_rules(read_document(data, "table.pdf")).export) == expected(family)


@pytest.mark.parametrize("wrap", [8, 10])
def test_level_cell_between_rows_leaves_wrapped_lines_in_place(wrap: int) -> None:
    """A merged 二级 label centred between two rows bridges them: the second line of the
    upper row's explanation and rule stays in the upper row."""
    data = rf.as_borderless_pdf(rf.RUBRIC_FRAMEWORK, wrap=wrap, middle=True)
    [table] = _read(data).tables
    grid = table.grid()
    by_name = {row[2]: row for row in grid[1:]}
    assert by_name["预算执行率"][3:5] == [
        "全年实际支出与预算数的比率",
        "≥95%得满分,每低1个百分点扣0.5分",
    ]
    assert by_name["结转结余变动率"][3] == "本年结转结余较上年的变动幅度"


# A merged 一级 label over three rows whose last one is tall (a long reason wrapped over
# four lines): centred on the merged cell, the label sits in the top of that row's band.
TALL_LAST = fam.Family(
    name="tall-last-row",
    cells=tuple(
        fam._header(["一级指标", "三级指标", "指标值", "实际值", "分值", "得分", "偏差原因"])
        + fam._body(
            1,
            [
                [None, "巡检覆盖率", "100%", "100%", "10", "10", ""],
                [None, "隐患整改率", "≥95%", "96%", "10", "10", ""],
                [None, "设备完好率", "≥98%", "98.5%", "10", "10", ""],
                [None, "群众知晓率", "≥80%", "83%", "10", "10", ""],
                [
                    None,
                    "服务满意度",
                    "≥90%",
                    "86%",
                    "10",
                    "8",
                    "部分群众反映办理环节较多等待时间偏长下一步将精简流程",
                ],
            ],
            [(0, 0, 2, "产出指标"), (0, 2, 3, "效益指标")],
        )
    ),
    n_cols=7,
    header_rows=1,
    expected=(),
)


@pytest.mark.parametrize("wrap", [8, 10])
def test_label_centred_in_a_tall_rows_band_stays_there(wrap: int) -> None:
    [table] = _read(rf.as_borderless_pdf(TALL_LAST, wrap=wrap, middle=True)).tables
    labels = {row[1]: row[0] for row in table.grid()[1:]}
    assert [labels[n] for n in ("设备完好率", "群众知晓率", "服务满意度")] == ["", "", "效益指标"]
