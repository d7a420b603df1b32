"""Project lists in layouts first met in a blind test: a comparison with last year inside
a list names no project, a list going on in the sentence after the one that opened it
keeps its first item, a table's 合计/小计 rows are no projects."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

HEAD = (
    "青山县档案馆2022年度部门整体支出绩效自评报告\n\n一、基本情况\n本馆内设3个科室。\n"
    "二、部门整体支出情况\n"
)


def _projects(body: str) -> list[tuple[str, float]]:
    export = extract_rules(read_document((HEAD + body + "\n").encode(), "r.txt")).export
    return [(p.name.value, p.amount.value) for p in export.projects]


@pytest.mark.parametrize(
    "body",
    [
        "项目支出主要用于：档案数字化项目支出1.2万元，较上年1.5万元减少0.3万元；馆舍维修项目40万元。",
        "项目支出主要用于：档案数字化项目1.2万元（比上年1.5万元减少0.3万元）、馆舍维修项目40万元。",
        "项目支出主要用于：档案数字化项目1.2万元，同比上年1.5万元下降0.3万元；馆舍维修项目40万元。",
    ],
)
def test_a_comparison_in_a_list_is_no_project(body: str) -> None:
    found = _projects(body)
    assert ("馆舍维修项目", 40) in found
    assert [n for n, _ in found if n.startswith(("较", "比", "同比"))] == []
    assert 1.5 not in [a for _, a in found]


@pytest.mark.parametrize(
    ("body", "first"),
    [
        (
            "三、项目支出情况\n本年项目支出100万元，较上年120万元减少20万元。其中：档案数字化项目60万元，馆舍维修项目40万元。",
            ("档案数字化项目", 60),
        ),
        (
            "本年项目支出100万元。具体为：档案数字化专项60万元、馆舍维修经费40万元。",
            ("档案数字化专项", 60),
        ),
        (
            "项目支出100万元，主要用于：档案数字化项目60万元、馆舍维修项目40万元。",
            ("档案数字化项目", 60),
        ),
        ("项目支出主要用于：档案征集补助10万元、馆舍维修经费40万元。", ("档案征集补助", 10)),
    ],
)
def test_the_first_item_after_the_lead_in_is_kept(body: str, first: tuple[str, float]) -> None:
    assert _projects(body)[0] == first


@pytest.mark.parametrize(
    "body",
    [
        "本年支出合计500万元。其中：基本支出400万元，项目支出100万元。",
        "本年收入520万元。其中：财政拨款收入500万元，其他收入20万元。",
    ],
)
def test_a_breakdown_of_the_accounts_is_no_project_list(body: str) -> None:
    assert _projects(body) == []


@pytest.mark.parametrize(
    "total", ["合计", "小计", "合 计", "总计", "项目合计", "合计（万元）", "项目支出合计", "共计"]
)
def test_a_total_row_is_no_project(total: str) -> None:
    table = (
        "三、项目支出情况\n项目名称\t预算数\t支出数\n档案数字化\t60\t58\n馆舍维修\t40\t39\n"
        f"{total}\t100\t97\n"
    )
    found = _projects(table)
    assert found == [("档案数字化", 58), ("馆舍维修", 39)]
