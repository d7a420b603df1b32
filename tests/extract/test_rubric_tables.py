"""Scoring-rubric 自评表 (指标 | 指标解释 | 分值 | 评分标准 | 得分, no target or actual) in every
format, glued copies included; levels from the 部门整体 framework where the table has none;
money and staffing tables, 总分 rows and names the shapes cannot part are no rows."""

from __future__ import annotations

import pytest

from service.extract.flat_indicator_rows import split_rubric_row
from service.extract.indicator_framework import levels_of
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.extract import indicator_families as fam
from tests.extract import rubric_families as rf
from tests.extract.test_indicator_families import RENDER, expected, rows

FORMATS = {
    **RENDER,
    "glued": lambda f: (fam.as_glued(f).encode(), "copy.txt"),
    "glued_levels_on_own_lines": lambda f: (fam.as_glued(f, True).encode(), "copy.txt"),
}


def _read(data: bytes, name: str) -> ReportExport:
    return extract_rules(read_document(data, name)).export


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("family", rf.RUBRICS, ids=lambda f: f.name)
def test_rubric_reads_in_every_format(family: fam.Family, fmt: str) -> None:
    e = _read(*FORMATS[fmt](family))
    assert rows(e) == expected(family)
    if family.total is not None and fmt != "glued_levels_on_own_lines":
        assert e.report.total_score is not None and e.report.total_score.value == family.total
    for ind in e.indicators:
        assert ind.score.unit == "分" and ind.weight.unit == "分"
        want = dict(family.deviations).get(ind.level3.value)
        if fmt.startswith("glued") and ind.deviation is None:
            continue  # a reason glued to the rule before it cannot be told: left out
        assert (ind.deviation.value if ind.deviation else None) == want, ind.level3.value


@pytest.mark.parametrize("header_wrap", [2, 3])
@pytest.mark.parametrize("family", rf.RUBRICS, ids=lambda f: f.name)
def test_borderless_rubric_with_headers_wrapped_in_narrow_columns(
    family: fam.Family, header_wrap: int
) -> None:
    """“指标/解释”, “评分/标准” on two lines each, long rules wrapped under themselves."""
    data = rf.as_borderless_pdf(family, wrap=10, middle=False, header_wrap=header_wrap)
    assert rows(_read(data, "table.pdf")) == expected(family)


@pytest.mark.parametrize("weight", ["分值", "权重", "标准分"])
@pytest.mark.parametrize("score", ["得分", "自评得分", "评分"])
@pytest.mark.parametrize("sep", ["\t", ""], ids=["tabs", "glued"])
def test_rubric_header_words(weight: str, score: str, sep: str) -> None:
    lines = [
        ["三级指标", "指标解释", weight, "评分标准", score],
        ["预算执行率", "全年支出占预算的比重", "10", "≥95%得满分，每低1%扣0.5分", "9.5"],
        ["固定资产利用率", "在用资产占全部资产的比重", "6", "低于80%不得分", "6"],
    ]
    text = "附件：部门整体支出绩效自评表\n" + "\n".join(sep.join(r) for r in lines) + "\n"
    e = _read(text.encode(), "copy.txt")
    assert [(i.level3.value, i.weight.value, i.score.value) for i in e.indicators] == [
        ("预算执行率", 10, 9.5),
        ("固定资产利用率", 6, 6),
    ]


def test_framework_levels_are_grounded_on_the_name() -> None:
    e = _read(*FORMATS["tabs"](rf.RUBRIC_FLAT))
    first = e.indicators[0]
    assert (first.level1.value, first.level2.value) == ("投入", "目标设定")
    assert first.level1.raw == first.level3.raw == "绩效目标合理性"
    assert first.level1.source.span == first.level3.source.span
    assert "framework" in first.level1.source.locator


def test_levels_the_table_states_are_kept() -> None:
    """服务对象满意度 under 效益 | 履职效益 as written, not the framework's guess."""
    e = _read(*FORMATS["docx"](rf.RUBRIC_FRAMEWORK))
    last = e.indicators[-1]
    assert (last.level1.value, last.level2.value) == ("效益", "履职效益")
    assert "framework" not in (last.level1.source.locator or "")


def test_framework_leaves_unknown_and_ambiguous_names() -> None:
    assert levels_of("预算执行率") == ("过程", "预算执行")
    assert levels_of("“三公”经费变动率") == ("投入", "预算配置")
    assert levels_of("管理制度健全性") is None  # under 预算管理 and 资产管理 alike
    assert levels_of("档案接收数量") is None


def test_framework_only_where_no_row_has_a_level() -> None:
    text = "一级指标\t三级指标\t分值\t得分\n履职\t预算执行率\t10\t9\n\t重点工作办结率\t10\t10\n"
    e = _read(text.encode(), "t.txt")
    assert [(i.level1.value, i.level2) for i in e.indicators] == [("履职", None), ("履职", None)]


def cut(text: str, roles: list[str], known: int | None = None) -> dict | None:
    s = split_rubric_row(text, 0, len(text), roles, known)
    if s is None:
        return None
    out = {"name": text[s.name[0] : s.name[1]]}
    out["points"] = [(text[a:b], r) for (a, b), r in s.points]
    if s.deviation:
        out["deviation"] = text[s.deviation[0] : s.deviation[1]]
    return out


@pytest.mark.parametrize(
    ("text", "roles", "want"),
    [
        # name | explanation | rule | points glued at the end
        (
            "重点工作办结率年度重点工作按期办结的比例全部办结得满分，每少一项扣2分2018",
            ["level3", "other", "other", "weight", "score"],
            {"name": "重点工作办结率", "points": [("2018", ("weight", "score"))]},
        ),
        # the weight between the name and the explanation, the score last
        (
            "支付进度率6各季度支付进度与序时进度之比达序时进度得满分6",
            ["level3", "weight", "other", "other", "score"],
            {"name": "支付进度率", "points": [("6", ("weight",)), ("6", ("score",))]},
        ),
        # the rule opens with a sign: the name ends before it
        (
            "群众来信办理及时情况≥90%得满分1010",
            ["level3", "other", "weight", "score"],
            {"name": "群众来信办理及时情况", "points": [("1010", ("weight", "score"))]},
        ),
        # points, then the rule and a reason after them (the reason cannot be told apart)
        (
            "预算调整率预算调整数占年初预算的比重54≤10%得满分追加项目较多",
            ["level3", "other", "weight", "score", "other", "deviation"],
            {"name": "预算调整率", "points": [("54", ("weight", "score"))]},
        ),
        # a reason alone after the points
        (
            "完成及时率109.5两项任务延期",
            ["level3", "weight", "score", "deviation"],
            {
                "name": "完成及时率",
                "points": [("109.5", ("weight", "score"))],
                "deviation": "两项任务延期",
            },
        ),
    ],
)
def test_glued_rubric_rows_cut_by_shape(text: str, roles: list[str], want: dict) -> None:
    assert cut(text, roles) == want


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        # no name end to be told: no 率/性, no known name, no rule opening with a figure
        ("档案整理归档按规定整理入库的档案1010", ["level3", "other", "weight", "score"]),
        # two bare numbers where one weight stands between texts
        ("支付进度率6按序时进度分4档计分6", ["level3", "weight", "other", "score"]),
        # no points at the end
        ("预算执行率全年支出占预算的比重", ["level3", "other", "weight", "score"]),
    ],
)
def test_glued_rubric_rows_left_alone_when_ambiguous(text: str, roles: list[str]) -> None:
    assert cut(text, roles) is None


@pytest.mark.parametrize(
    "text",
    [
        # a money table: budget columns, no points
        "支出科目\t年初预算\t全年预算\t决算数\n基本支出\t120.5\t130.2\t128.4\n",
        "科目名称年初预算数决算数\n基本支出120.5128.4\n",
        # a staffing table
        "编制类型\t编制数\t实有人数\n行政编制\t25\t23\n",
        # a sentence naming the columns is no header
        "指标名称、分值和得分见下表\n预算执行率按规定执行109\n",
        # a rubric row whose name the shapes cannot part from its explanation
        "三级指标指标解释分值得分\n档案整理归档按规定整理入库的档案1010\n",
    ],
)
def test_tables_that_give_no_indicator_rows(text: str) -> None:
    assert _read(text.encode(), "t.txt").indicators == []


@pytest.mark.parametrize("fmt", ["tabs", "glued"])
def test_the_total_row_is_no_indicator(fmt: str) -> None:
    e = _read(*FORMATS[fmt](rf.RUBRIC_FLAT))
    assert "总分" not in [i.level3.value for i in e.indicators]
    assert e.report.total_score.value == 34.5


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a standard row whose points each carry their 分
        (
            "三级指标年度指标值实际完成值分值得分\n信访办结率≥90%96%5分5分\n群众满意度≥90%88%10分9.5分\n",
            [("信访办结率", 90, 96, 5, 5), ("群众满意度", 90, 88, 10, 9.5)],
        ),
        # a target in 分 is no pair of points: 95分 is the actual, 1010 the points
        (
            "三级指标年度指标值实际完成值分值得分\n考核得分≥90分95分1010\n",
            [("考核得分", 90, 95, 10, 10)],
        ),
        # a rubric: the weight with its 分 before the rule, the score after it
        (
            "三级指标指标解释分值评分标准得分\n"
            "预算执行率全年支出占预算的比重10分≥95%得满分9.5分\n"
            "固定资产利用率在用资产的比重6分低于80%不得分6分\n",
            [("预算执行率", None, None, 10, 9.5), ("固定资产利用率", None, None, 6, 6)],
        ),
        # a rule ending in 扣1分 before bare points: the 1 stays the rule's
        (
            "三级指标指标解释评分标准分值得分\n在职人员控制率在职人数与编制数之比每超1%扣1分44\n",
            [("在职人员控制率", None, None, 4, 4)],
        ),
    ],
)
def test_glued_points_written_with_their_fen(text: str, want: list[tuple]) -> None:
    e = _read(("附件：部门整体支出绩效自评表\n" + text).encode(), "copy.txt")
    got = [
        (
            i.level3.value,
            i.target and i.target.value,
            i.actual and i.actual.value,
            i.weight.value,
            i.score.value,
        )
        for i in e.indicators
    ]
    assert got == want
    assert all(i.weight.unit == i.score.unit == "分" for i in e.indicators)
