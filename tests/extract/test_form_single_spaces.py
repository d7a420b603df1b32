"""A cover form whose cells a PDF reader joined with single spaces (“单位名称 某某局 单位编码
105001”) reads like one written with tabs; single spaces inside a sentence do not make a
label. Every text is invented."""

from __future__ import annotations

from service.extract.rules import extract_rules
from service.ingest import read_document


def _report(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode("utf-8"), "report.txt")).export.report


def test_form_cells_joined_by_single_spaces() -> None:
    text = (
        "部门整体支出绩效自评报告\n（2023年度）\n\n单位名称 石门县林业局 单位编码 208004\n\n"
        "评价方式 部门自评 报告日期 2024年4月2日\n\n一、基本情况\n略。\n"
    )
    r = _report(text)
    assert r.department is not None and r.department.value == "石门县林业局"
    assert r.budget_code is not None and r.budget_code.value == "208004"
    assert r.report_date is not None and str(r.report_date.value) == "2024-04-02"


def test_tab_separated_form_still_reads() -> None:
    text = "部门整体支出绩效自评报告\n（2023年度）\n单位名称\t石门县林业局\t单位编码\t208004\n一、基本情况\n略。\n"
    r = _report(text)
    assert r.department is not None and r.department.value == "石门县林业局"
    assert r.budget_code is not None and r.budget_code.value == "208004"
