"""Problems and measures in one combined part, in layouts the first readers missed: a heading
“问题与建议 / 问题及对策 / 问题和改进”, “问题：…”/“措施：…” lines or both on one line, an item
holding its problem and its measure (“一是A，下一步将B”), and the closing lines (unit,
date, 填报人, 联系电话) that are never items. Every text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _lists(text: str) -> tuple[list[str], list[str]]:
    export = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export
    for item in export.problems + export.measures:
        assert item.text.source is not None and item.text.source.grounded
    return [str(i.text.value) for i in export.problems], [
        str(i.text.value) for i in export.measures
    ]


@pytest.mark.parametrize(
    ("text", "problems", "measures"),
    [
        (
            "四、问题与建议\n问题：一是预算编制不够精细；二是绩效目标量化不足。\n"
            "建议：一是加强预算编制审核；二是细化绩效指标。",
            ["预算编制不够精细", "绩效目标量化不足。"],
            ["加强预算编制审核", "细化绩效指标。"],
        ),
        (
            "五、存在的不足及改进方向\n不足：一是政府采购执行偏慢；二是档案管理不规范。\n"
            "改进方向：一是提前编制采购计划；二是推进档案数字化。",
            ["政府采购执行偏慢", "档案管理不规范。"],
            ["提前编制采购计划", "推进档案数字化。"],
        ),
        (
            "六、问题、措施\n存在问题：一是固定资产盘点不及时；二是合同管理台账缺失。\n"
            "下一步措施：一是每半年盘点一次；二是建立合同台账。",
            ["固定资产盘点不及时", "合同管理台账缺失。"],
            ["每半年盘点一次", "建立合同台账。"],
        ),
    ],
)
def test_problem_and_measure_lines_under_one_heading(
    text: str, problems: list[str], measures: list[str]
) -> None:
    assert _lists(text) == (problems, measures)


@pytest.mark.parametrize(
    ("text", "problems", "measures"),
    [
        (
            "五、问题及对策\n问题：专项资金使用效率不高。对策：建立资金使用月报制度。",
            ["专项资金使用效率不高。"],
            ["建立资金使用月报制度。"],
        ),
        (
            "四、问题和整改措施\n问题：资产登记不及时。措施：建立资产动态台账。",
            ["资产登记不及时。"],
            ["建立资产动态台账。"],
        ),
        (
            "三、问题与改进\n困难：乡镇财务人员流动大。改进：开展季度轮训。",
            ["乡镇财务人员流动大。"],
            ["开展季度轮训。"],
        ),
    ],
)
def test_problem_and_measure_on_one_line(
    text: str, problems: list[str], measures: list[str]
) -> None:
    assert _lists(text) == (problems, measures)


@pytest.mark.parametrize(
    ("text", "problems", "measures"),
    [
        (
            "五、存在问题和下一步打算\n一是项目前期论证不充分，下一步将建立项目库评审机制；"
            "二是资金拨付进度偏慢，今后将按月通报执行进度。",
            ["项目前期论证不充分", "资金拨付进度偏慢"],
            ["建立项目库评审机制", "按月通报执行进度。"],
        ),
        (
            "七、问题和改进\n1.绩效自评流于形式，下一步要引入第三方复核。\n"
            "2.信息公开不及时，下步将按季度公开。",
            ["绩效自评流于形式", "信息公开不及时"],
            ["引入第三方复核。", "按季度公开。"],
        ),
        (
            "四、存在的问题\n（一）食堂采购询价记录不全，接下来我单位将实行三方比价。\n"
            "（二）水电费支出偏高，下阶段拟推行节能改造。",
            ["食堂采购询价记录不全", "水电费支出偏高"],
            ["实行三方比价。", "推行节能改造。"],
        ),
    ],
)
def test_a_problem_with_its_measure_in_one_item(
    text: str, problems: list[str], measures: list[str]
) -> None:
    assert _lists(text) == (problems, measures)


@pytest.mark.parametrize(
    "closing",
    [
        "\n\nXX县卫生健康局（盖章）\n二〇二四年三月",
        "\n\n某某街道办事处\n2024年4月",
        "\n填报人：李某 联系电话：0731-1234567\n日期：2024年3月1日",
        "\n（盖章）\n2024年1月20日",
    ],
)
def test_closing_lines_are_never_items(closing: str) -> None:
    text = (
        "五、问题与建议\n问题：一是台账不全；二是公示滞后。\n建议：一是补建台账；二是按季公示。"
        + closing
    )
    assert _lists(text) == (["台账不全", "公示滞后。"], ["补建台账", "按季公示。"])


@pytest.mark.parametrize(
    "text",
    [
        # a part titled for problems only, its measures on a “措施：” line
        "五、存在的问题\n问题：一是台账不全；二是公示滞后。\n措施：一是补建台账；二是按季公示。",
        # an unnumbered combined heading
        "一、基本情况\n本局共有职工20人。\n存在问题及改进措施\n问题：一是台账不全；二是公示滞后。\n"
        "措施：一是补建台账；二是按季公示。",
        # sub-headings of one word
        "五、问题及建议\n（一）问题\n1.台账不全；\n2.公示滞后。\n（二）建议\n1.补建台账；\n2.按季公示。",
        "第五部分 问题与对策\n不足：一是台账不全；二是公示滞后。\n对策：一是补建台账；二是按季公示。",
    ],
)
def test_problems_then_measures_in_any_frame(text: str) -> None:
    assert _lists(text) == (["台账不全", "公示滞后。"], ["补建台账", "按季公示。"])
