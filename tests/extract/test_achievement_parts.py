"""Achievement metrics are the unit's work, not the budget's own figures: a part about
预算执行, 收支, 三公 or project spending holds none even under an achievement heading, a sum
restating a budget field is none, and a figure of people served is named by the service.
TXT, DOCX and PDF. Every sentence is invented."""

from __future__ import annotations

import pytest

from service.extract.achievement_parts import budget_title
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.ingest.pdfgen import render_lines

FORMATS = ("txt", "docx", "pdf")
WORK = [
    "全年受理政务服务事项2,316件，按时办结率99.6%。",
    "开展安全生产检查184次，督促整改隐患327处。",
]
WORK_METRICS = [(2316, "件"), (99.6, "%"), (184, "次"), (327, "处")]
BUDGET_PARTS = {
    "（一）预算执行情况": "全年预算执行率96.8%，较上年提高2.1个百分点，结转结余18.40万元。",
    "（二）“三公”经费控制情况": "“三公”经费支出6.35万元，比上年减少0.82万元，下降11.4%。",
    "（三）项目支出情况": "全年实施项目7个，项目资金到位率100%，支付进度92.5%。",
    "（三）资金使用情况": "专项资金拨付率98.2%，累计拨付资金462.00万元。",
}


def _render(lines: list[str], fmt: str) -> tuple[bytes, str]:
    return render_lines(lines, fmt, x=40, y=50, fontsize=10)


def _read(lines: list[str], fmt: str) -> ReportExport:
    data, name = _render(lines, fmt)
    return extract_rules(read_document(data, name)).export


def _metrics(export: ReportExport) -> list[tuple[float, str | None]]:
    """(value rounded to 0.01, unit) of every achievement metric, in order."""
    out = []
    for a in export.achievements:
        out += [(round(float(m.value.value), 2), m.value.unit) for m in a.metrics]
    return out


def _report(parent: str, budget_part: str, work_title: str) -> list[str]:
    return [
        "某县应急管理局2023年度部门整体支出绩效自评报告",
        "一、部门基本情况",
        "本局负责全县应急管理和安全生产监管。",
        parent,
        budget_part,
        BUDGET_PARTS[budget_part],
        work_title,
        *WORK,
        "三、存在的问题",
        "无。",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("budget_part", list(BUDGET_PARTS))
@pytest.mark.parametrize(
    ("parent", "work_title"),
    [
        ("二、绩效目标完成情况", "（四）产出及效益"),
        ("二、部门整体支出绩效情况", "（四）履职成效"),
        ("二、主要工作完成情况", "（四）重点工作推进情况"),
    ],
)
def test_a_budget_part_holds_no_achievement(
    parent: str, budget_part: str, work_title: str, fmt: str
) -> None:
    export = _read(_report(parent, budget_part, work_title), fmt)
    assert _metrics(export) == WORK_METRICS


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_restated_budget_sum_is_no_result_of_the_work(fmt: str) -> None:
    lines = [
        "某县水务局2023年度部门整体支出绩效自评报告",
        "一、收支情况",
        "本年支出合计1,046.20万元，其中项目支出386.06万元。",
        "二、履职成效",
        "全年投入项目资金386.06万元，完成河道清淤42.5公里，新建提灌站6座。",
        "发放水利工程补助资金35.80万元。",
    ]
    assert _metrics(_read(lines, fmt)) == [(42.5, "公里"), (6, "座"), (35.8, "万元")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_figures_without_an_achievement_heading(fmt: str) -> None:
    # no achievement heading: the budget's rates and project count stay out anyway
    lines = [
        "某县档案馆2023年度部门整体支出绩效自评报告",
        "一、部门整体支出情况",
        "全年实施项目3个，资金到位率100%，资金支付率97.3%。",
        "全年接收进馆档案1.2万卷，提供查档服务860人次。",
    ]
    assert _metrics(_read(lines, fmt)) == [(1.2, "万卷"), (860, "人次")]


@pytest.mark.parametrize(
    ("sentence", "name", "value"),
    [
        ("为1128名残疾人提供康复救助。", "康复救助人数", 1128),
        ("为全县326户困难家庭发放临时救助金。", "临时救助金户数", 326),
        ("为辖区内45家企业开展了安全培训。", "安全培训家数", 45),
        # objects acted on keep their noun (对 …: no one served)
        ("全年对646家单位进行了抽查。", "单位", 646),
        # people first, then what they took part in
        ("全县3.2万名群众参加了城乡居民医保。", "参加城乡居民医保人数", 3.2),
        ("辖区内860人享受低保待遇。", "享受低保待遇人数", 860),
        ("全县共有52家企业参加评选。", "企业", 52),
        # no service after the people: the people are what is counted
        ("惠及2.3万户农户。", "农户", 2.3),
        ("为辖区1500户居民更换燃气管道。", "居民", 1500),
    ],
)
def test_people_served_are_named_by_the_service(sentence: str, name: str, value: float) -> None:
    export = _read(["某县民政局2023年度部门整体支出绩效自评报告", "二、履职成效", sentence], "txt")
    assert [(m.name, m.value.value) for a in export.achievements for m in a.metrics] == [
        (name, pytest.approx(value))
    ]


@pytest.mark.parametrize(
    ("title", "budget"),
    [
        ("（一）预算执行情况", True),
        ("2.“三公”经费支出情况", True),
        ("（三）项目资金管理情况", True),
        ("四、部门收支情况", True),
        ("（二）绩效自评表", True),
        ("（一）资金使用成效", False),
        ("（四）项目实施产出及效益", False),
        ("二、部门整体支出情况", False),
        ("三、履职成效", False),
    ],
)
def test_budget_titles(title: str, budget: bool) -> None:
    assert budget_title(title) is budget
