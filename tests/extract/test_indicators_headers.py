"""Indicator tables of other shapes, read through the real readers: column names and orders
from the lexicon, headers over two rows, merged 一级/二级 cells, extra columns ignored, the
总分 row, and rubric-style 自评表 without target/actual columns."""

from __future__ import annotations

import io

import docx
import pymupdf

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.ingest.pdfgen import draw_table, new_page, write_lines


def _read(data: bytes, name: str) -> ReportExport:
    return extract_rules(read_document(data, name)).export


def _tsv(lines: list[list[str]], before: str = "部门整体支出绩效自评表") -> ReportExport:
    text = before + "\n" + "\n".join("\t".join(row) for row in lines) + "\n"
    return _read(text.encode(), "report.txt")


def _docx(grid: list[list[str]], merges: list[tuple[int, int, int, int]]) -> ReportExport:
    d = docx.Document()
    d.add_paragraph("绩效自评表")
    table = d.add_table(rows=len(grid), cols=len(grid[0]))
    for r0, c0, r1, c1 in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    return _read(buf.getvalue(), "report.docx")


def _rows(e: ReportExport) -> list[tuple]:
    def v(x):  # noqa: ANN001, ANN202
        return None if x is None else x.value

    return [
        (v(i.level1), v(i.level2), v(i.level3), v(i.target), v(i.actual), v(i.weight), v(i.score))
        for i in e.indicators
    ]


def test_other_column_names_in_another_order_with_extra_columns() -> None:
    e = _tsv(
        [
            ["一级指标", "二级指标", "指标名称", "指标解释", "预期目标", "全年实际值", "数据来源",
             "标准分", "评分", "备注"],
            ["产出指标", "数量指标", "巡查河道里程", "年度巡查总里程", "≥420公里", "455公里",
             "巡河台账", "15", "15", ""],
            ["", "时效指标", "问题整改及时率", "按期整改数/问题数", "≥90%", "87.5%", "整改台账",
             "10", "8.5", "两处整改超期"],
            ["合计", "", "", "", "", "", "", "25", "23.5", ""],
        ]
    )  # fmt: skip
    assert _rows(e) == [
        ("产出指标", "数量指标", "巡查河道里程", 420, 455, 15, 15),
        ("产出指标", "时效指标", "问题整改及时率", 90, 87.5, 10, 8.5),
    ]
    first, second = e.indicators
    assert (first.target.unit, first.target.comparator, first.actual.unit) == ("公里", "≥", "公里")
    assert second.deviation.value == "两处整改超期"
    assert first.deviation is None  # 数据来源 is not a deviation
    assert e.report.total_score.value == 23.5


def test_weight_after_score_and_actual_before_target() -> None:
    e = _tsv(
        [
            ["三级指标", "实际完成情况", "目标值", "自评得分", "权重", "未完成原因"],
            ["入户走访户数", "1306户", "1200户", "12", "12", ""],
            ["群众满意度", "93%", "≥95%", "7", "8", "宣传不足"],
            ["总分", "", "", "19", "20", ""],
        ]
    )
    assert _rows(e) == [
        (None, None, "入户走访户数", 1200, 1306, 12, 12),
        (None, None, "群众满意度", 95, 93, 8, 7),
    ]
    assert e.indicators[1].deviation.value == "宣传不足"
    assert e.report.total_score.value == 19


def test_header_over_two_rows_in_docx_with_merged_levels() -> None:
    grid = [
        ["绩效指标", "", "", "指标值", "", "分值", "得分", "偏差原因"],
        ["一级指标", "二级指标", "三级指标", "年度目标值", "实际完成值", "", "", ""],
        ["产出指标", "质量指标", "抽检合格率", "≥98%", "99.1%", "20", "20", ""],
        ["", "", "设备完好率", "≥95%", "96%", "10", "10", ""],
        ["", "数量指标", "检测批次", "1500批", "1388批", "10", "9", "经费压减"],
        ["满意度指标", "服务对象满意度指标", "企业满意度", "≥90%", "94%", "10", "10", ""],
        ["总分", "", "", "", "", "50", "49", ""],
    ]
    merges = [
        (0, 0, 0, 2), (0, 3, 0, 4), (0, 5, 1, 5), (0, 6, 1, 6), (0, 7, 1, 7),
        (2, 0, 4, 0), (2, 1, 3, 1),
    ]  # fmt: skip
    e = _docx(grid, merges)
    assert _rows(e) == [
        ("产出指标", "质量指标", "抽检合格率", 98, 99.1, 20, 20),
        ("产出指标", "质量指标", "设备完好率", 95, 96, 10, 10),
        ("产出指标", "数量指标", "检测批次", 1500, 1388, 10, 9),
        ("满意度指标", "服务对象满意度指标", "企业满意度", 90, 94, 10, 10),
    ]
    assert e.indicators[2].deviation.value == "经费压减"
    assert e.report.total_score.value == 49


def test_ruled_pdf_table_with_two_row_header() -> None:
    doc = pymupdf.open()
    page = new_page(doc)
    write_lines(page, ["某县水利站部门整体支出绩效自评表"], y=60)
    cells = [
        (0, 0, 1, 2, "绩效指标"), (0, 2, 2, 1, "指标名称"), (0, 3, 1, 2, "指标值"),
        (0, 5, 2, 1, "权重"), (0, 6, 2, 1, "自评得分"),
        (1, 0, 1, 1, "一级指标"), (1, 1, 1, 1, "二级指标"), (1, 3, 1, 1, "计划值"),
        (1, 4, 1, 1, "实际值"),
        (2, 0, 2, 1, "效益指标"), (2, 1, 1, 1, "社会效益指标"), (2, 2, 1, 1, "灌溉保证率"),
        (2, 3, 1, 1, "≥75%"), (2, 4, 1, 1, "78%"), (2, 5, 1, 1, "30"), (2, 6, 1, 1, "30"),
        (3, 1, 1, 1, "生态效益指标"), (3, 2, 1, 1, "水土流失治理面积"), (3, 3, 1, 1, "12平方公里"),
        (3, 4, 1, 1, "11平方公里"), (3, 5, 1, 1, "20"), (3, 6, 1, 1, "18"),
        (4, 0, 1, 5, "合计"), (4, 5, 1, 1, "50"), (4, 6, 1, 1, "48"),
    ]  # fmt: skip
    draw_table(page, 40, 90, [60, 80, 110, 70, 70, 50, 60], [24, 24, 30, 30, 24], cells)
    e = _read(doc.tobytes(), "report.pdf")
    assert _rows(e) == [
        ("效益指标", "社会效益指标", "灌溉保证率", 75, 78, 30, 30),
        ("效益指标", "生态效益指标", "水土流失治理面积", 12, 11, 20, 18),
    ]
    assert e.indicators[1].actual.unit == "平方公里"
    assert e.report.total_score.value == 48


def test_rubric_layout_has_no_target_or_actual() -> None:
    e = _tsv(
        [
            ["一级指标", "二级指标", "三级指标", "分值", "指标解释", "评分标准", "自评得分"],
            ["投入", "预算编制", "预算编制准确率", "5", "决算数与年初预算数的偏离程度",
             "偏离10%以内得满分，每超1%扣0.5分", "4"],
            ["", "", "三公经费控制率", "5", "三公经费实际支出与预算之比", "≤100%得满分", "5"],
            ["过程", "预算执行", "预算执行率", "10", "预算执行数/预算数×100%",
             "执行率≥95%得满分", "9.5"],
            ["合计", "", "", "20", "", "", "18.5"],
        ]
    )  # fmt: skip
    assert _rows(e) == [
        ("投入", "预算编制", "预算编制准确率", None, None, 5, 4),
        ("投入", "预算编制", "三公经费控制率", None, None, 5, 5),
        ("过程", "预算执行", "预算执行率", None, None, 10, 9.5),
    ]
    assert all(i.deviation is None for i in e.indicators)  # 评分标准 is not a deviation
    assert e.report.total_score.value == 18.5


def test_rubric_whose_deepest_level_is_the_indicator() -> None:
    e = _tsv(
        [
            ["一级指标", "二级指标", "指标说明", "满分", "评分细则", "得分"],
            ["产出", "重点工作完成率", "完成的重点工作/计划重点工作", "30", "每少完成一项扣3分", "27"],
            ["效益", "社会公众满意度", "问卷调查满意比例", "20", "低于90%按比例扣分", "19"],
            ["总分：46分", "", "", "", "", ""],
        ]
    )  # fmt: skip
    assert _rows(e) == [
        ("产出", None, "重点工作完成率", None, None, 30, 27),
        ("效益", None, "社会公众满意度", None, None, 20, 19),
    ]
    assert e.report.total_score.value == 46


def test_level1_names_of_other_templates_hold_their_level2_family() -> None:
    e = _tsv(
        [
            ["一级指标", "二级指标", "三级指标", "指标值", "实际值", "分值", "得分"],
            ["项目产出", "数量指标", "维修校舍面积", "1200平方米", "1260平方米", "20", "20"],
            ["", "质量指标", "验收合格率", "100%", "100%", "20", "20"],
            ["项目效益", "社会效益指标", "学生安全事故", "0起", "0起", "30", "30"],
            ["", "可持续影响指标", "校舍使用年限", "≥20年", "≥20年", "30", "30"],
        ]
    )
    assert [(i.level1.value, i.level2.value) for i in e.indicators] == [
        ("项目产出", "数量指标"),
        ("项目产出", "质量指标"),
        ("项目效益", "社会效益指标"),
        ("项目效益", "可持续影响指标"),
    ]


def test_units_the_number_parser_does_not_know_stay_numbers() -> None:
    e = _tsv(
        [
            ["三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["管护林地面积", "≥61万亩", "62万亩", "10", "10"],
            ["配发执法装备", "59台套", "53台套", "10", "8"],
            ["完成时限", "2024年底前", "2024年11月", "5", "5"],
        ]
    )
    forest, kit, deadline = e.indicators
    assert (forest.target.value, forest.target.unit, forest.target.comparator) == (61, "万亩", "≥")
    assert (forest.actual.value, forest.actual.unit) == (62, "万亩")  # 万亩 is no money
    assert (kit.target.value, kit.actual.value, kit.actual.unit) == (59, 53, "台套")
    assert deadline.target.value == "2024年底前"  # a date stays text
