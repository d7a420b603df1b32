"""Prose phrasings by family, read through the whole rules extractor: project lists under
lead-in lines of any kind (“…具体如下：”, “主要项目如下：”, “全年项目支出42万元，具体为：”),
the sum before the name (“安排12.6万元用于…”), names and sums each listed once
(“分别为A和B，支出分别为…”); money figures stated before their label (“400万元用于人员
经费”), after last year's figure and the change (“较上年的…增加…，达到…”), and other
words for the total and the budget's stages. Every text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _export(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode("utf-8"), "report.txt")).export


def _projects(text: str) -> list[tuple[str, float | None, float | None]]:
    return [
        (
            str(p.name.value),
            p.amount.value if p.amount else None,
            p.budget.value if p.budget else None,
        )
        for p in _export(text).projects
    ]


def _budget(text: str) -> dict[str, float]:
    out = {}
    for name, value in _export(text).budget:
        if value is not None and hasattr(value, "value"):
            assert value.unit == ("%" if name == "execution_rate" else "万元"), name
            out[name] = value.value
    return out


_FOREST = [("森林防火宣传经费", 6.5, None), ("护林员补助", 30, None)]


@pytest.mark.parametrize(
    "text",
    [
        "（三）支出情况\n全年项目支出36.5万元，具体为：\n①森林防火宣传经费6.5万元；\n②护林员补助30万元。",
        "（三）支出情况\n全年共安排项目经费36.5万元，用于以下项目：\n1.森林防火宣传经费：6.5万元\n2.护林员补助：30万元",
        "主要项目如下：\n（1）森林防火宣传经费 6.5万元\n（2）护林员补助 30万元",
        "（三）支出情况\n全年专项支出如下：\n森林防火宣传经费：6.5万元；\n护林员补助：30万元。",
        "（三）支出情况\n年度安排专项资金项目2个，具体如下：\n（1）森林防火宣传经费，全年支出6.5万元；\n（2）护林员补助，全年支出30万元。",
        "（三）支出情况\n全年执行项目两个，分别为森林防火宣传经费和护林员补助，支出分别为6.5万元、30万元。",
        "（三）支出情况\n全年安排6.5万元用于森林防火宣传经费，安排30万元用于护林员补助。",
        "（三）支出情况\n全年安排项目支出：\n1.森林防火宣传经费65000元\n2.护林员补助300000.00元",
    ],
)
def test_project_lists_under_lead_ins(text: str) -> None:
    assert _projects(text) == _FOREST


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "重点项目情况：\n一是投入35万元实施农村饮水安全巩固工程；二是投入18万元开展水土保持监测。",
            [("农村饮水安全巩固工程", 35, None), ("水土保持监测", 18, None)],
        ),
        (
            "（三）支出情况\n安排20万元用于城区路灯维修项目，实际支出18.5万元；"
            "下达15万元用于背街小巷改造工程，实际支出15万元。",
            [("城区路灯维修项目", 18.5, 20), ("背街小巷改造工程", 15, 15)],
        ),
    ],
)
def test_sum_before_the_name(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    "text",
    [
        # the lead-in announces no projects
        "一、部门概况\n全年组织开展项目活动如下：\n1.举办培训班12期，培训人员360人次；\n2.开展执法检查45次。",
        # totals, 三公 items, income and rates under a lead-in are no projects
        "（三）支出情况\n全年项目支出如下：\n1.项目支出合计36.5万元\n2.公务用车运行维护费3万元\n"
        "3.财政拨款收入36.5万元\n4.预算执行率95%",
        # money put to the accounts' own uses, not to a project
        "（三）支出情况\n全年基本支出300万元用于保障机构运转，项目支出50万元用于专项业务。",
        "（三）支出情况\n投入资金120万元用于改善办公条件。",
        "五、项目绩效\n城区路灯维修项目完成率100%，群众满意度达95%。",
    ],
)
def test_no_projects(text: str) -> None:
    assert _projects(text) == []


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "共计支出520.3万元，其中：400万元用于人员经费，50.3万元用于公用经费，70万元用于项目支出。",
            {
                "total_expenditure": 520.3,
                "personnel_expenditure": 400,
                "public_expenditure": 50.3,
                "project_expenditure": 70,
            },
        ),
        (
            "本年支出较上年的480.2万元增加40.1万元，达到520.3万元。",
            {"total_expenditure": 520.3},
        ),
        (
            "本年度决算支出520.3万元，较上年的480.2万元增加40.1万元。",
            {"total_expenditure": 520.3},
        ),
        (
            "年初预算500万元，调整预算580万元，全年执行560万元，预算执行率96.55%。",
            {
                "initial_budget": 500,
                "full_year_budget": 580,
                "full_year_execution": 560,
                "execution_rate": 96.55,
            },
        ),
        (
            "全年总支出5,203,456.78元，其中基本支出4,000,000.00元。",
            {"total_expenditure": 520.345678, "basic_expenditure": 400},
        ),
    ],
)
def test_money_stated_in_other_orders(text: str, want: dict[str, float]) -> None:
    assert _budget("二、收支情况\n" + text) == want


@pytest.mark.parametrize(
    "text",
    [
        # last year's figure, with no figure of this year
        "人员经费较上年的600万元增加50万元。",
        # a figure that a clause gives to a project, not the accounts' field
        "其中：50万元用于人员经费补助项目。",
    ],
)
def test_no_personnel_figure(text: str) -> None:
    assert "personnel_expenditure" not in _budget("二、收支情况\n" + text)
