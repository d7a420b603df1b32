"""Project lists in layouts the first readers missed: a list led by 为/实施/用于/中：, spaces
inside “名称 金额 万元”, a bare heading over a semicolon list, a sum in brackets, a project
named by its sub-heading with its figures in a “该项目…” sentence, 项目名称/项目金额 label
blocks, names ending in a change word (提升/增长/增加) and 元 lists with thousands separators.
Every text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _projects(text: str) -> list[tuple[str, float | None, float | None]]:
    export = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export
    return [
        (
            str(p.name.value),
            p.amount.value if p.amount else None,
            p.budget.value if p.budget else None,
        )
        for p in export.projects
    ]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "二、项目支出情况\n项目支出45万元，为禁毒宣传经费30万元、社区矫正经费15万元。",
            [("禁毒宣传经费", 30, None), ("社区矫正经费", 15, None)],
        ),
        (
            "本年项目支出共86万元，实施乡村道路维修项目50万元、饮水工程改造36万元。",
            [("乡村道路维修项目", 50, None), ("饮水工程改造", 36, None)],
        ),
        (
            "2023年项目支出120万元，用于森林防火专项70万元，护林员补助50万元。",
            [("森林防火专项", 70, None), ("护林员补助", 50, None)],
        ),
        (
            "项目支出情况中：会务经费12万元，调研经费8万元。",
            [("会务经费", 12, None), ("调研经费", 8, None)],
        ),
        (
            "项目支出45万元，主要为禁毒宣传经费30万元、社区矫正经费15万元。",
            [("禁毒宣传经费", 30, None), ("社区矫正经费", 15, None)],
        ),
        (
            "（三）项目支出\n项目支出30万元，全部为信息系统运维费30万元。",
            [("信息系统运维费", 30, None)],
        ),
        (
            "项目经费45万元用于禁毒宣传经费30万元、社区矫正经费15万元。",
            [("禁毒宣传经费", 30, None), ("社区矫正经费", 15, None)],
        ),
        (
            "全年项目支出45万元，实施了禁毒宣传项目30万元和社区矫正项目15万元。",
            [("禁毒宣传项目", 30, None), ("社区矫正项目", 15, None)],
        ),
        (
            "本年度项目支出中，禁毒宣传经费30万元，社区矫正经费15万元。",
            [("禁毒宣传经费", 30, None), ("社区矫正经费", 15, None)],
        ),
    ],
)
def test_list_led_by_any_verb(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "二、项目支出情况\n项目支出80万元，其中：法律服务经费 38.00 万元，普法宣传经费 42.00 万元。",
            [("法律服务经费", 38, None), ("普法宣传经费", 42, None)],
        ),
        (
            "二、项目支出情况\n(1)设备维护 52.00万元\n(2)网络运维 18.50万元",
            [("设备维护", 52, None), ("网络运维", 18.5, None)],
        ),
        (
            "项目支出情况\n1. 档案数字化经费 12 万元\n2. 消防器材购置 8.6 万元",
            [("档案数字化经费", 12, None), ("消防器材购置", 8.6, None)],
        ),
        (
            "三、项目支出\n执法装备购置 36.5 万元；普法宣传 12 万元。",
            [("执法装备购置", 36.5, None), ("普法宣传", 12, None)],
        ),
    ],
)
def test_spaces_between_name_figure_and_unit(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "项目支出：会务经费40万元；调研经费25万元。",
            [("会务经费", 40, None), ("调研经费", 25, None)],
        ),
        (
            "项目支出\n培训经费12万元；宣传经费6万元；课题研究经费9万元。",
            [("培训经费", 12, None), ("宣传经费", 6, None), ("课题研究经费", 9, None)],
        ),
        (
            "重点项目支出情况：\n城乡环卫保洁经费 64 万元；垃圾转运补助 21.5 万元。",
            [("城乡环卫保洁经费", 64, None), ("垃圾转运补助", 21.5, None)],
        ),
    ],
)
def test_semicolon_list_under_a_bare_heading(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "项目绩效目标\n培训人次120人次；满意度95%。\n公用经费12万元；水电费6万元。",
        "项目管理情况\n1.发放补助资金573.86万元。\n2.修缮道路12公里，投入资金30万元。",
    ],
)
def test_a_bare_line_that_is_not_about_project_money_opens_no_list(text: str) -> None:
    assert _projects(text) == []


def test_a_bare_heading_over_numbered_lines() -> None:
    text = "专项资金使用情况：\n(1)设备维护 52.00万元\n(2)网络运维 18.50万元"
    assert _projects(text) == [("设备维护", 52, None), ("网络运维", 18.5, None)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "二、项目支出情况\n本年实施项目2个：堤防加固（350.00万元）、河道清淤（120.50万元）。",
            [("堤防加固", 350, None), ("河道清淤", 120.5, None)],
        ),
        (
            "项目支出包括：校舍维修(45万元)，教学设备购置(30万元)。",
            [("校舍维修", 45, None), ("教学设备购置", 30, None)],
        ),
        (
            "项目支出主要用于：村卫生室建设（128,000元）；医疗设备更新（56,000元）。",
            [("村卫生室建设", 12.8, None), ("医疗设备更新", 5.6, None)],
        ),
        (
            "二、项目支出情况\n本年实施项目2个：堤防加固（支出350.00万元）、河道清淤（支出120.50万元）。",
            [("堤防加固", 350, None), ("河道清淤", 120.5, None)],
        ),
        (
            "二、项目支出情况\n主要项目有：堤防加固（预算360万元，实际支出350万元）、"
            "河道清淤（预算130万元，实际支出120.5万元）。",
            [("堤防加固", 350, 360), ("河道清淤", 120.5, 130)],
        ),
        (
            "项目支出包括：校舍维修【45万元】，教学设备购置【30万元】。",
            [("校舍维修", 45, None), ("教学设备购置", 30, None)],
        ),
    ],
)
def test_amount_in_brackets(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "项目支出主要用于：防汛物资储备经费2078400.00元（207.84万元）、水文监测50万元。",
            [("防汛物资储备经费", 207.84, None), ("水文监测", 50, None)],
        ),
        (
            "项目支出主要用于：课后服务补助38万元（含教师补贴30万元、耗材8万元），校车运营12万元。",
            [("课后服务补助", 38, None), ("校车运营", 12, None)],
        ),
    ],
)
def test_sums_in_brackets_after_a_sum_are_no_items(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "三、项目支出情况\n（二）乡村医生补助\n该项目支出40万元，用于村医补贴发放。",
            [("乡村医生补助", 40, None)],
        ),
        (
            "三、项目支出情况\n（一）农村公路养护\n该项目全年预算30万元，实际支出28.5万元。\n"
            "（二）敬老院运营\n该项目实际支出15万元。",
            [("农村公路养护", 28.5, 30), ("敬老院运营", 15, None)],
        ),
        (
            "四、重点项目实施情况\n1.智慧校园建设\n此项目年初预算80万元，实际使用76.4万元。",
            [("智慧校园建设", 76.4, 80)],
        ),
    ],
)
def test_project_named_by_its_sub_heading(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "三、项目支出情况\n1、城区绿化管护\n该项目资金50万元，已全部支付。\n"
            "2、路灯维护\n该项目资金12万元。",
            [("城区绿化管护", 50, None), ("路灯维护", 12, None)],
        ),
        (
            "三、项目支出情况\n（二）乡村医生补助\n项目支出40万元，用于村医补贴发放。",
            [("乡村医生补助", 40, None)],
        ),
        (
            "三、项目支出情况\n（二）乡村医生补助 该项目支出40万元，用于村医补贴发放。",
            [("乡村医生补助", 40, None)],
        ),
        (
            "三、重点项目\n乡村医生补助\n该项目当年支出40万元。\n村级公路养护\n该项目当年支出25万元。",
            [("乡村医生补助", 40, None), ("村级公路养护", 25, None)],
        ),
    ],
)
def test_project_spending_sentence_under_its_name(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "三、项目支出情况\n（一）预算执行情况\n项目支出40万元，基本支出60万元。",
        "三、项目支出情况\n（一）项目支出总体情况\n项目支出40万元，执行率100%。",
        "一、部门概况\n（一）重点项目支出\n该项目支出40万元。",
    ],
)
def test_a_heading_naming_a_part_names_no_project(text: str) -> None:
    assert _projects(text) == []


def test_this_project_without_a_heading_is_no_project() -> None:
    text = "三、项目支出情况\n全年完成各项工作任务。该项目支出40万元，用于补贴发放。"
    assert all(name != "该项目" for name, _, _ in _projects(text))


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("项目名称：干部培训经费\n项目金额：60.00万元", [("干部培训经费", 60, None)]),
        (
            "三、项目支出\n项目名称：河长制工作经费\n预算金额：20万元\n实际支出：18.6万元",
            [("河长制工作经费", 18.6, 20)],
        ),
        (
            "项目名称：老年大学运行补助\n资金金额：125,000元\n"
            "项目名称：社区书屋建设\n支出金额：4.2万元",
            [("老年大学运行补助", 12.5, None), ("社区书屋建设", 4.2, None)],
        ),
        ("项目名称：干部培训经费；项目金额：60.00万元。", [("干部培训经费", 60, None)]),
        (
            "项目名称：水库巡查补助\n资金来源：县级财政\n实施单位：水利站\n项目金额：8.5万元",
            [("水库巡查补助", 8.5, None)],
        ),
    ],
)
def test_label_blocks(text: str, want: list) -> None:
    assert _projects(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "项目支出情况\n项目支出120万元，其中：服务能力提升88.00万元，人才队伍建设32万元。",
            [("服务能力提升", 88, None), ("人才队伍建设", 32, None)],
        ),
        (
            "项目支出主要用于：教学质量提升50万元、特色农业产值增长奖补20万元。",
            [("教学质量提升", 50, None), ("特色农业产值增长奖补", 20, None)],
        ),
        (
            "项目支出包括：床位增加12万元，基层服务能力提升6.5万元。",
            [("床位增加", 12, None), ("基层服务能力提升", 6.5, None)],
        ),
    ],
)
def test_name_ending_in_a_change_word(text: str, want: list) -> None:
    assert _projects(text) == want


def test_a_change_after_a_comparison_is_no_project() -> None:
    text = "项目支出主要用于：设备购置30万元，比上年增加10万元；系统运维20万元。"
    assert _projects(text) == [("设备购置", 30, None), ("系统运维", 20, None)]


@pytest.mark.parametrize(
    "text",
    [
        "二、项目支出情况\n1.办公设备购置支出增加12万元，主要是更新电脑。",
        "二、项目支出情况\n1.培训经费比上年减少了3万元。\n2.宣传经费较上年增长5万元。",
    ],
)
def test_a_numbered_change_is_no_project(text: str) -> None:
    assert _projects(text) == []


def test_a_numbered_name_ending_in_a_change_word() -> None:
    text = "二、项目支出情况\n1.服务能力提升88.00万元\n2.人才队伍建设32万元"
    assert _projects(text) == [("服务能力提升", 88, None), ("人才队伍建设", 32, None)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "项目支出主要用于：困难群众补助300,000元,维修120,000元,培训56,500元。",
            [("困难群众补助", 30, None), ("维修", 12, None), ("培训", 5.65, None)],
        ),
        (
            "二、项目支出情况\n项目支出合计420,000.00元，为村级补助300,000.00元，校舍维修120,000.00元。",
            [("村级补助", 30, None), ("校舍维修", 12, None)],
        ),
        (
            "项目支出包括：设备购置1,250,000.00元、系统运维350,000.00元。",
            [("设备购置", 125, None), ("系统运维", 35, None)],
        ),
    ],
)
def test_yuan_lists_with_thousands_separators(text: str, want: list) -> None:
    assert _projects(text) == want
