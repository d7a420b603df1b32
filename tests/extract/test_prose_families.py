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
    "text",
    [
        # lead-ins about spending that name no project
        "（二）支出情况\n全年重点支出如下：\n1.森林防火宣传经费6.5万元\n2.护林员补助30万元",
        "（二）支出情况\n年度主要支出事项：\n森林防火宣传经费 6.5万元\n护林员补助 30万元",
        "（二）支出情况\n年度重点业务经费使用情况：\n（1）森林防火宣传经费，6.5万元；\n（2）护林员补助，30万元。",
        "（二）支出情况\n全年重点保障了以下支出：一是森林防火宣传经费6.5万元；二是护林员补助30万元。",
        "（二）支出情况\n全年实施的重点项目有森林防火宣传经费（6.5万元）和护林员补助（30万元）。",
    ],
)
def test_project_lists_under_spending_lead_ins(text: str) -> None:
    assert _projects(text) == _FOREST


_SCHOOL = [("学生营养餐补助", 118.5, 120), ("校舍安全维修工程", 44, 45)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # one project per line, long enough that the lines read as one wrapped paragraph
        (
            "全年共安排项目2个，具体如下：\n学生营养餐补助资金：1185000.00元（118.50万元）\n"
            "校舍安全维修改造工程：440000.00元（44.00万元）\n\n2023年度部门支出情况表\n",
            [("学生营养餐补助资金", 118.5, None), ("校舍安全维修改造工程", 44, None)],
        ),
        # ①② read as 1 2, and “2人…” is no count of people here
        (
            "全年项目支出明细：①乡村振兴衔接资金120.39万元；②人居环境整治经费92.44万元；③村级运转经费390.54万元；",
            [
                ("乡村振兴衔接资金", 120.39, None),
                ("人居环境整治经费", 92.44, None),
                ("村级运转经费", 390.54, None),
            ],
        ),
        (
            "学生营养餐补助：年初预算120万元，全年支出118.5万元，执行率98.75%；"
            "校舍安全维修工程：年初预算45万元，全年支出44万元，执行率97.78%。",
            _SCHOOL,
        ),
        ("学生营养餐补助118.5万元（预算120万元）；校舍安全维修工程44万元（预算45万元）。", _SCHOOL),
        (
            "全年项目支出162.5万元，涉及学生营养餐补助、校舍安全维修工程2个项目，分别支出118.5万元、44万元。",
            [("学生营养餐补助", 118.5, None), ("校舍安全维修工程", 44, None)],
        ),
        (
            "年度重点项目：一是林业资源调查240.00万元；二是生态护林员补助325.93万元。",
            [("林业资源调查", 240, None), ("生态护林员补助", 325.93, None)],
        ),
    ],
)
def test_project_lines_and_clauses(text: str, want: list) -> None:
    assert _projects("三、项目支出情况\n" + text) == want


_DRUGS = [("禁毒宣传经费", 12.5, None), ("社区矫正补助", 20, None)]


@pytest.mark.parametrize(
    "text",
    [
        # the time and the verb before each name are no part of it
        "1.全年禁毒宣传经费12.5万元；\n2.全年社区矫正补助20万元。",
        "全年安排禁毒宣传经费12.5万元，安排社区矫正补助20万元。",
        "年度内禁毒宣传经费12.5万元；年度内社区矫正补助20万元。",
        "全年用于禁毒宣传经费12.5万元、社区矫正补助20万元。",
        "全年累计支付禁毒宣传经费12.5万元、社区矫正补助20万元。",
        "年度项目支出包括“禁毒宣传经费”12.5万元和“社区矫正补助”20万元。",
        # what each is for, after its sum, ends no list
        "禁毒宣传经费12.5万元，主要用于宣传品制作；社区矫正补助20万元，主要用于矫正人员帮扶。",
    ],
)
def test_names_after_time_and_verb(text: str) -> None:
    assert _projects("二、项目支出情况\n" + text) == _DRUGS


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
        # a lead-in about the accounts' own parts or income opens no project list
        "（二）支出情况\n基本支出具体如下：\n1.人员经费400万元\n2.公用经费60万元",
        "（二）收入情况\n全年资金来源如下：\n1.财政拨款收入500万元\n2.其他收入20万元",
        # money put to the accounts' own uses, not to a project
        "（三）支出情况\n全年基本支出300万元用于保障机构运转，项目支出50万元用于专项业务。",
        "（三）支出情况\n投入资金120万元用于改善办公条件。",
        "五、项目绩效\n城区路灯维修项目完成率100%，群众满意度达95%。",
        # money put to work in a part about the work done: results, not projects
        "四、工作开展情况\n全年主要完成了以下工作：\n1.投入资金30万元实施农村道路维修工程，修复道路12公里。\n"
        "2.发放困难群众救助资金45.6万元，惠及群众320人。",
        "四、主要工作成效\n2023年度，我局重点抓好以下几项工作：\n（一）农村饮水安全巩固提升工程。全年投入资金85万元，"
        "新建供水站2座。\n（二）河道治理。完成河道清淤3.2公里。",
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
            # the clause starts after a comma, inside brackets or after 、, and a
            # thousands comma is no clause's end
            "基本支出中，1,228.76万元用于人员经费，61.34万元用于公用经费。",
            {"personnel_expenditure": 1228.76, "public_expenditure": 61.34},
        ),
        (
            "支出总额906.75万元，包括325.15万元用于基本支出、581.60万元用于项目支出。",
            {
                "total_expenditure": 906.75,
                "basic_expenditure": 325.15,
                "project_expenditure": 581.6,
            },
        ),
        (
            "基本支出（1,087.30万元用于人员经费，365.37万元用于公用经费）主要用于保障机构正常运转。",
            {"personnel_expenditure": 1087.3, "public_expenditure": 365.37},
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


@pytest.mark.parametrize(
    ("text", "score", "grade"),
    [
        ("部门整体支出绩效评价结果为“良”，得分86.00分。其中预算执行得分18分。", 86, "良"),
        ("经综合评价，本部门整体支出绩效自评得分为92.5分，评价等级为“优”。", 92.5, "优"),
        ("按照评分标准，本单位自评得分89分（满分100分），绩效等级为良好。", 89, "良好"),
        ("自评结果为优秀，总得分95分。", 95, "优秀"),
    ],
)
def test_score_and_grade_in_any_order(text: str, score: float, grade: str) -> None:
    report = _export("2023年度部门整体支出绩效自评报告\n五、自评结论\n" + text).report
    assert (report.total_score.value, report.grade.value) == (score, grade)


def test_no_total_score_from_an_indicator_beside_a_grade_word() -> None:
    report = _export(
        "2023年度部门整体支出绩效自评报告\n五、自评结论\n经评价，群众满意度良好，得分9分。"
    ).report
    assert report.total_score is None


@pytest.mark.parametrize(
    "cover",
    [
        "部门(单位)名称  岫云县文化馆",
        "单位名称：岫云县文化馆",
        "预算单位：岫云县文化馆（盖章）",
        "部门（单位）：岫云县文化馆",
    ],
)
def test_cover_label_lines_are_no_part_of_the_title(cover: str) -> None:
    report = _export(
        cover + "\n\n2023年度部门整体支出绩效自评报告\n一、基本情况\n本馆内设3个股室。"
    ).report
    assert report.title.value == "2023年度部门整体支出绩效自评报告"
    assert report.department.value == "岫云县文化馆"


def _three_public(text: str) -> dict[str, tuple[float, str | None]]:
    out = {}
    for item, fields in _export("三、“三公”经费\n" + text).three_public:
        for name, value in fields:
            if value is not None:
                out[f"{item}.{name}"] = (value.value, value.direction)
    return out


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "本年未发生因公出国（境）费用，公务接待费1.2万元，公务用车运行维护费2万元。",
            {
                "overseas.actual": (0, None),
                "reception.actual": (1.2, None),
                "vehicle_operation.actual": (2, None),
            },
        ),
        (
            "因公出国（境）费、公务用车购置费均为零。公务接待费1.2万元。",
            {
                "overseas.actual": (0, None),
                "vehicle_purchase.actual": (0, None),
                "reception.actual": (1.2, None),
            },
        ),
        (
            "2023年“三公”经费支出3.2万元，全部为公务接待费。",
            {"total.actual": (3.2, None), "reception.actual": (3.2, None)},
        ),
        (
            "“三公”经费3.2万元，上年为3.8万元，减少0.6万元。",
            {
                "total.actual": (3.2, None),
                "total.previous": (3.8, None),
                "total.change": (0.6, "下降"),
            },
        ),
        (
            "“三公”经费支出3.2万元，较上年下降15.8%，减少0.6万元。",
            {
                "total.actual": (3.2, None),
                "total.change": (0.6, "下降"),
                "total.change_pct": (15.8, "下降"),
            },
        ),
        # another cost's fall and a count's fall are no change of the 三公
        (
            "“三公”经费支出3.2万元，同比下降15.8%。培训费较上年下降20%，接待批次减少3批次。",
            {"total.actual": (3.2, None), "total.change_pct": (15.8, "下降")},
        ),
        # saved against the budget, not against last year
        (
            "本年度“三公”经费预算4万元，实际支出3.2万元，节约0.8万元。",
            {"total.actual": (3.2, None), "total.budget": (4, None)},
        ),
        (
            "“三公”经费预算4万元，支出3.2万元，比上年节约0.6万元。",
            {"total.actual": (3.2, None), "total.budget": (4, None), "total.change": (0.6, "下降")},
        ),
    ],
)
def test_three_public_in_prose(text: str, want: dict) -> None:
    assert _three_public(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "全年项目支出32.5万元。年度内禁毒宣传经费12.5万元；年度内社区矫正补助20万元。",
        "全年项目支出32.5万元。禁毒宣传经费12.5万元，社区矫正补助20万元。",
    ],
)
def test_sentences_after_one_about_projects_go_on_about_them(text: str) -> None:
    assert _projects("（二）资金使用情况\n" + text) == _DRUGS


@pytest.mark.parametrize(
    "text",
    [
        "本年支出合计500万元，其中基本支出420万元，项目支出80万元。人员经费350万元，日常公用经费70万元。",
        "本年支出合计500万元，其中基本支出420万元，项目支出80万元。人员经费完成350万元，公用经费完成70万元。",
        "项目支出80万元，占16%。“三公”经费3万元，会议费1万元，培训费2万元。",
        "项目支出80万元。一般公共预算财政拨款收入480万元，其他收入20万元。",
        "项目支出80万元，较上年增加10万元。基本支出420万元，较上年减少5万元。",
    ],
)
def test_the_accounts_after_a_project_total_are_no_projects(text: str) -> None:
    assert _projects("（二）支出情况\n" + text) == []


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "全年实施禁毒宣传项目，支出12.5万元；实施社区矫正补助项目，支出20万元。",
            [("禁毒宣传项目", 12.5, None), ("社区矫正补助项目", 20, None)],
        ),
        ("全年，禁毒宣传经费使用12.5万元；社区矫正补助使用20万元。", _DRUGS),
        # a heading line names the project of the figures under it
        (
            "（一）禁毒宣传项目\n全年预算13万元，实际支出12.5万元。\n（二）社区矫正补助项目\n全年预算20万元，实际支出20万元。",
            [("禁毒宣传项目", 12.5, 13), ("社区矫正补助项目", 20, 20)],
        ),
    ],
)
def test_verbs_around_names_and_headings_naming_projects(text: str, want: list) -> None:
    assert _projects("二、项目支出情况\n" + text) == want


def test_a_heading_in_a_part_about_the_work_done_names_no_project() -> None:
    text = "四、工作开展情况\n（一）道路维修工程\n全年支出12万元，修复道路8公里。"
    assert _projects(text) == []


# One sentence listing several items, wrapped by a PDF exporter (spaces around the sums, a
# line break anywhere): its lines are no list of one item each, every item is read.
WRAPPED_LISTS = [
    "项目支出主要用于乡村道路养护 120.39 万元、河道保洁经费 92.44 万元\n和村级运转经费 390.54 万元。",
    "项目支出主要用于乡村道路养护120.39万元、\n河道保洁经费92.44万元和村级运转经费390.54万元。",
    "项目支出主要用于乡村道路养护 120.39 万元、河道保洁经费\n92.44 万元及村级运转经费 390.54 万元。",
]


@pytest.mark.parametrize("para", WRAPPED_LISTS)
def test_a_wrapped_list_sentence_keeps_every_item(para: str) -> None:
    text = "某镇2023年度部门整体支出绩效自评报告\n（二）项目支出情况\n\n" + para + "\n"
    names = {name: amount for name, amount, _ in _projects(text)}
    assert names == {"乡村道路养护": 120.39, "河道保洁经费": 92.44, "村级运转经费": 390.54}
