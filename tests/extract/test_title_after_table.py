"""A report that opens with its 自评表 has its title under the table: the table's last row
(总分 with its figures, tab-separated or space-aligned) is no line of the title, while a
year line above the title still is. Every text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


@pytest.mark.parametrize("last_row", ["总分\t\t\t100\t91.5", "总分                100     91.5", "合计 100 91.5"])
def test_a_table_row_above_the_title_is_not_part_of_it(last_row: str) -> None:
    text = (
        "一级指标\t三级指标\t分值\t得分\n产出指标\t培训人次\t100\t91.5\n"
        f"{last_row}\n\n西河县疾病预防控制中心2023年度部门整体支出绩效自评报告\n一、基本情况\n略。\n"
    )
    report = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export.report
    assert report.department is not None and report.department.value == "西河县疾病预防控制中心"


def test_a_unit_line_above_the_title_is_still_read() -> None:
    text = "西河县疾病预防控制中心\n2023年度部门整体支出绩效自评报告\n一、基本情况\n略。\n"
    report = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export.report
    assert report.department is not None and report.department.value == "西河县疾病预防控制中心"
    assert report.fiscal_year is not None and report.fiscal_year.value == 2023
