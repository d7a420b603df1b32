"""Projects written in the prose of any template, read through the real readers: inline lists
after the words that open them, numbered paragraphs with any lead and verb, sums in 元, a
budget beside the spending, and what is never a project (基本支出 items, income, 三公,
totals, a budget alone)."""

from __future__ import annotations

import pymupdf

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.ingest.pdfgen import new_page, write_lines


def _read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode("utf-8"), "report.txt")).export


def _projects(export: ReportExport) -> list[tuple[str, float | None, float | None]]:
    return [
        (
            str(p.name.value),
            p.amount.value if p.amount else None,
            p.budget.value if p.budget else None,
        )
        for p in export.projects
    ]


def test_inline_lists_with_any_intro_and_separator() -> None:
    cases = {
        "（二）项目支出情况\n本年项目支出38.2万元，主要用于：乡村道路养护专项12.60万元、"
        "困难群众临时救助补助4.05万元、档案数字化经费3万元。": [
            ("乡村道路养护专项", 12.6, None),
            ("困难群众临时救助补助", 4.05, None),
            ("档案数字化经费", 3, None),
        ],
        "2023年项目支出共计45.5万元，其中：禁毒宣传经费8.5万元；社区矫正专项资金12万元；"
        "法律援助补贴25万元。": [
            ("禁毒宣传经费", 8.5, None),
            ("社区矫正专项资金", 12, None),
            ("法律援助补贴", 25, None),
        ],
        "全年共实施项目3个，支出资金120万元，包括“厕所革命”以奖代补资金60万元，"
        "美丽乡村建设项目40万元及人居环境整治经费20万元。": [
            ("“厕所革命”以奖代补资金", 60, None),
            ("美丽乡村建设项目", 40, None),
            ("人居环境整治经费", 20, None),
        ],
        "一、部门基本情况\n（四）项目支出\n2022年项目支出75万元，占总支出的15%，主要是："
        "信息化运维费25万元、执法装备购置费50万元。": [
            ("信息化运维费", 25, None),
            ("执法装备购置费", 50, None),
        ],
    }
    for text, want in cases.items():
        assert _projects(_read(text)) == want, text


def test_names_first_then_amounts_respectively() -> None:
    export = _read(
        "本年支出合计500万元，其中：基本支出420万元，项目支出80万元。项目支出包括"
        "智慧校园建设、教师培训两个项目，分别为50万元、30万元。"
    )
    assert _projects(export) == [("智慧校园建设", 50, None), ("教师培训", 30, None)]


def test_amounts_in_yuan_are_normalised_and_keep_their_raw_text() -> None:
    export = _read(
        "本年度项目支出合计102,000元，包括网格化管理经费52,000元和普法宣传专项50,000元。"
    )
    assert _projects(export) == [("网格化管理经费", 5.2, None), ("普法宣传专项", 5, None)]
    first = export.projects[0].amount
    assert (first.raw, first.unit, first.original_unit) == ("52,000元", "万元", "元")


def test_numbered_paragraphs_with_any_lead_and_verb() -> None:
    cases = {
        "三、项目支出\n1.森林防火专项：年初预算26万元，实际支出24.8万元，预算执行率95.4%。\n"
        "2.林业有害生物防治项目：年初预算10万元，实际支出9.6万元，执行率96%。": [
            ("森林防火专项", 24.8, 26),
            ("林业有害生物防治项目", 9.6, 10),
        ],
        "四、项目支出情况\n（一）基层医疗卫生机构补助经费。该项目全年支出362,500元，"
        "主要用于基层医疗机构运转。\n（二）家庭医生签约服务经费。该项目全年预算20万元，"
        "实际支出18.3万元。": [
            ("基层医疗卫生机构补助经费", 36.25, None),
            ("家庭医生签约服务经费", 18.3, 20),
        ],
        "（三）项目支出情况\n一是农村饮水安全维修项目支出15.2万元，主要用于管网维修；"
        "二是河道保洁项目支出8万元，主要用于聘用保洁员。": [
            ("农村饮水安全维修项目", 15.2, None),
            ("河道保洁项目", 8, None),
        ],
        "项目支出情况\n①城区绿化提质项目：全年预算12万元，实际支出11.5万元。\n"
        "②园林养护项目：全年预算30万元。": [("城区绿化提质项目", 11.5, 12)],
        "（二）项目支出\n本年度项目支出合计96.5万元，具体包括：\n"
        "（1）疫情防控专项经费，年初预算30万元，实际支出28.5万元；\n"
        "（2）公共卫生服务补助，年初预算70万元，实际使用68万元。": [
            ("疫情防控专项经费", 28.5, 30),
            ("公共卫生服务补助", 68, 70),
        ],
    }
    for text, want in cases.items():
        assert _projects(_read(text)) == want, text


def test_what_is_not_a_project() -> None:
    texts = [
        # 基本支出 items and income sources listed the same way
        "基本支出420万元，其中：工资福利支出300万元、商品和服务支出100万元、"
        "对个人和家庭的补助20万元。",
        "本年收入500万元，其中：财政拨款收入480万元、其他收入20万元。",
        # 三公 items in numbered paragraphs
        "（三）“三公”经费\n1.公务接待费：全年支出0.8万元，比上年减少0.2万元。\n"
        "2.公务用车运行维护费：全年支出3.2万元。",
        # the project total itself, with its budget
        "三、项目支出情况\n项目支出预算80万元，实际支出76万元，执行率95%。",
        # a budget with no spending
        "项目支出情况\n1.农村公路建设项目：年初预算150万元。",
        # an achievement paragraph that spends nothing on a project
        "二、工作开展情况\n1.发放补贴资金：全年向农户发放耕地保护补贴236.5万元，惠及农户1,024户。",
        "四、工作开展情况\n1.完成老年人健康体检6893人。\n2.发放困难家庭临时救助资金 57.3 万元，惠及群众1554人。",
    ]
    for text in texts:
        assert _projects(_read(text)) == [], text


def test_wrapped_pdf_lines_read_as_one_list() -> None:
    doc = pymupdf.open()
    page = new_page(doc)
    write_lines(
        page,
        [
            "（二）项目支出情况",
            "本年项目支出64.3万元，其中：水资源监测站运行维护经费21.",
            "3万元，防汛物资储备专项33万元，河长制工作经费10万元。",
        ],
    )
    export = extract_rules(read_document(doc.tobytes(), "report.pdf")).export
    assert _projects(export) == [
        ("水资源监测站运行维护经费", 21.3, None),
        ("防汛物资储备专项", 33, None),
        ("河长制工作经费", 10, None),
    ]
    amount = export.projects[0].amount
    assert amount.source is not None and amount.source.page == 1


def test_budget_and_spending_of_each_listed_project_and_parts_numbered_in_chinese() -> None:
    listed = _read(
        "（二）项目支出情况\n本年项目支出19.5万元，其中：城北水库巡查项目预算12万元，实际支出11.5万元；"
        "小流域清淤经费预算8万元，实际支出7.6万元。"
    )
    assert _projects(listed) == [("城北水库巡查项目", 11.5, 12), ("小流域清淤经费", 7.6, 8)]
    parts = _read(
        "第二部分 项目支出\n一、水源地保护专项。全年预算资金50万元，年末实际拨付48.6万元，执行率97.2%。\n"
        "二、山洪灾害防治经费。全年支出21.3万元。"
    )
    assert _projects(parts) == [("水源地保护专项", 48.6, 50), ("山洪灾害防治经费", 21.3, None)]
