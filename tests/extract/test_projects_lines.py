"""Project lists the prose readers missed: one project per line with no sentence ends
(“1.A工程  预算…万元  支出…万元”), clause lists with no words opening them (“A经费，支出…；
B专项，全年支出…”), and numbered headings that name a part of the report (“（二）资金执行
情况”), which are no project even with a budget and an execution beside them. Every text is
invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _projects(text: str) -> list[tuple[str, float | None, float | None]]:
    export = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export
    return [
        (str(p.name.value), p.amount.value if p.amount else None, p.budget.value if p.budget else None)
        for p in export.projects
    ]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "三、重点项目\n今年安排以下项目：\n1.城区排水管网疏浚工程  预算45.00万元  支出43.20万元\n"
            "2.社区养老服务补贴  预算30.00万元  支出30.00万元\n3.执法记录仪购置  预算8.00万元  支出7.65万元\n",
            [("城区排水管网疏浚工程", 43.2, 45.0), ("社区养老服务补贴", 30.0, 30.0), ("执法记录仪购置", 7.65, 8.0)],
        ),
        (
            "（三）项目支出明细\n（1）河道保洁经费 年初预算12万元 实际支出11.8万元\n（2）水质监测专项 年初预算6万元 实际支出5.5万元\n",
            [("河道保洁经费", 11.8, 12.0), ("水质监测专项", 5.5, 6.0)],
        ),
        (
            "五、项目绩效\n禁毒宣传教育经费，支出9.60万元；人民调解员补贴，全年支出14.00万元；法律援助专项经费，实际支出5.20万元。\n",
            [("禁毒宣传教育经费", 9.6, None), ("人民调解员补贴", 14.0, None), ("法律援助专项经费", 5.2, None)],
        ),
    ],
)
def test_lists_one_project_per_line_or_clause(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "二、预算执行\n（二）资金执行情况。年初预算数280万元，全年执行数276.5万元，执行率98.75%。\n",
        "三、收支\n（一）财务收支情况：全年预算500万元，实际支出490万元。\n",
        # a clause list that is not a list of projects: no project's ending on the names
        "本年支出情况，支出120万元；上年同期，支出110万元。\n",
    ],
)
def test_parts_of_the_report_are_no_projects(text: str) -> None:
    assert _projects(text) == []


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "四、项目支出绩效\n    城乡环卫一体化经费：年初预算 210.00 万元，全年支出 205.10 万元；\n"
            "    农贸市场提升改造工程：年初预算 75.00 万元，全年支出 71.30 万元。\n",
            [("城乡环卫一体化经费", 205.1, 210.0), ("农贸市场提升改造工程", 71.3, 75.0)],
        ),
        (
            "本年支出合计520.00万元，其中基本支出470.00万元，项目支出50.00万元"
            "（困难学生资助资金30.00万元、校园安防设备购置20.00万元）。",
            [("困难学生资助资金", 30.0, None), ("校园安防设备购置", 20.0, None)],
        ),
    ],
)
def test_unnumbered_label_lines_and_parts_in_brackets(text: str, want: list) -> None:
    assert _projects(text) == want


def test_brackets_after_the_accounts_name_no_project() -> None:
    text = "本年支出合计520万元，其中基本支出470万元（人员经费400万元、公用经费70万元），项目支出50万元。"
    assert _projects(text) == []


def test_a_heading_names_its_project_without_its_situation_word() -> None:
    text = "四、项目情况\n（一）乡村公路养护项目资金使用情况\n该项目全年支出62.5万元，完成养护里程40公里。\n"
    assert _projects(text) == [("乡村公路养护项目", 62.5, None)]
