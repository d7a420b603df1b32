"""Indicator rows written as free sentences (``indicator_sentences``): the clauses in any
usual order and words, the name before the target's key word, levels from a prefix or a
heading line above; sentences without a score, or without a target or actual, are no rows."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport


def _read(body: str) -> ReportExport:
    text = "四、绩效指标完成情况\n" + body
    return extract_rules(read_document(text.encode(), "memo.txt")).export


def _row(e: ReportExport) -> list[tuple]:
    def v(x):  # noqa: ANN001, ANN202
        return None if x is None else x.value

    return [
        (v(i.level1), v(i.level2), v(i.level3), v(i.target), v(i.actual), v(i.weight), v(i.score))
        for i in e.indicators
    ]


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        # the name glued to 指标 before 目标值为, 实际完成 without 值, 得分 only
        (
            "1.河道保洁里程指标目标值为≥40公里，实际完成42公里，得分10分。",
            (None, None, "河道保洁里程", 40, 42, None, 10),
        ),
        # a colon after the name, 该指标分值, 得N分
        (
            "病案归档率：目标值≥98%，实际值99.1%，该指标分值8分，得8分。",
            (None, None, "病案归档率", 98, 99.1, 8, 8),
        ),
        # 不少于 as the comparator, a verb after 实际, the weight in brackets after the score
        (
            "巡河次数目标为不少于120次，全年实际巡河131次，得6分（满分6分）。",
            (None, None, "巡河次数", 120, 131, 6, 6),
        ),
        # the level-2 name before the row (数量指标中，…), 自评得分
        (
            "数量指标中，入户走访户数年度指标值为≥800户，实际完成值为812户，分值10分，自评得分10分。",
            (None, "数量指标", "入户走访户数", 800, 812, 10, 10),
        ),
        # 时效指标： before the name, 目标/完成 without 值, a reason after the score
        (
            "（3）时效指标：投诉按期办结率，目标100%，完成97%，分值10分，得分9分，"
            "偏差原因：个别投诉需跨部门核查。",
            (None, "时效指标", "投诉按期办结率", 100, 97, 10, 9),
        ),
        # 权重为 and 预期值, the score stated before the weight
        (
            "监测断面达标率，预期值≥90%，实际达到93%，得分14.5分，权重为15分。",
            (None, None, "监测断面达标率", 90, 93, 15, 14.5),
        ),
    ],
)
def test_one_indicator_per_sentence(sentence: str, want: tuple) -> None:
    assert _row(_read(sentence + "\n")) == [want]


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        # the levels joined by 中的, the name in quotation marks
        (
            "产出指标中的数量指标“河道巡查里程”，年度目标≥310公里，实际完成326公里，分值12分，得分12分。",
            ("产出指标", "数量指标", "河道巡查里程", 310, 326, 12, 12),
        ),
        # OCR read the dash between the levels as 一
        (
            "（1）产出指标一数量指标：巡查堤防里程，年度目标≥310公里，实际完成326公里，分值12分，得分12分。",
            ("产出指标", "数量指标", "巡查堤防里程", 310, 326, 12, 12),
        ),
        # 完成 inside the name is no actual: the actual is the clause opening with 实际完成
        (
            "（6）产出指标—时效指标：整改任务按时完成率，年度目标100%，实际完成100%，分值7分，得分7分。",
            ("产出指标", "时效指标", "整改任务按时完成率", 100, 100, 7, 7),
        ),
        # the clauses parted by 、
        (
            "义诊下乡次数年度目标值≥24次、实际完成值26次、分值6分、得分6分。",
            (None, None, "义诊下乡次数", 24, 26, 6, 6),
        ),
        # a quoted name followed by 指标：
        (
            "“案卷评查合格率”指标：目标值≥95%，完成值96.5%，权重8分，自评得分8分。",
            (None, None, "案卷评查合格率", 95, 96.5, 8, 8),
        ),
        # the name a sentence of its own, the figures after it parted by ；
        (
            "2、法律援助受理件数。目标值：≥150件；实际完成值：163件；分值：10分；得分：10分。",
            (None, None, "法律援助受理件数", 150, 163, 10, 10),
        ),
    ],
)
def test_other_sentence_shapes(sentence: str, want: tuple) -> None:
    assert _row(_read(sentence + "\n")) == [want]


@pytest.mark.parametrize(
    "sentence",
    [
        # each level keyed
        "一级指标：产出指标，二级指标：数量指标，三级指标：巡查河段数，年度指标值：≥36个，"
        "实际完成值：38个，分值：10分，得分：10分。",
        # the levels and the name as a path
        "产出指标/数量指标/巡查河段数：年度指标值≥36个，实际完成值38个，分值10分，得分10分。",
        "产出指标—数量指标—巡查河段数：年度指标值≥36个，实际完成值38个，分值10分，得分10分。",
        # the levels in brackets after the name
        "巡查河段数（产出指标-数量指标）：年度指标值≥36个，实际完成值38个，分值10分，得分10分。",
    ],
)
def test_levels_written_with_the_name(sentence: str) -> None:
    assert _row(_read(sentence + "\n")) == [("产出指标", "数量指标", "巡查河段数", 36, 38, 10, 10)]


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        ("在数量指标方面，巡查河段数年度指标值为≥36个，实际完成38个，得分10分（分值10分）。",
         (None, "数量指标", "巡查河段数", 36, 38, 10, 10)),
        ("指标名称：巡查河段数；年度目标：≥36个；实际完成：38个；分值：10分；得分：10分。",
         (None, None, "巡查河段数", 36, 38, 10, 10)),
        # a name with a slash that is no level path
        ("优良天数/比例：目标值≥85%，实际值88%，分值10分，得分10分。",
         (None, None, "优良天数/比例", 85, 88, 10, 10)),
    ],
)  # fmt: skip
def test_keyed_and_prefixed_names(sentence: str, want: tuple) -> None:
    assert _row(_read(sentence + "\n")) == [want]


def test_two_rows_in_one_sentence_parted_by_semicolons() -> None:
    e = _read(
        "河道保洁里程目标≥40公里，实际42公里，得10分；保洁经费目标≤85万元，实际83.2万元，得9分。\n"
    )
    assert [(r[2], r[3], r[4], r[6]) for r in _row(e)] == [
        ("河道保洁里程", 40, 42, 10),
        ("保洁经费", 85, 83.2, 9),
    ]
    assert e.indicators[1].target.unit == "万元"


def test_standard_names_take_the_framework_levels_where_none_is_stated() -> None:
    e = _read(
        "1.预算执行率：目标值≥95%，实际值97.2%，分值10分，得分10分。\n"
        "2.固定资产利用率：目标值≥85%，实际值88%，分值5分，得分5分。\n"
    )
    assert [(r[0], r[1], r[2]) for r in _row(e)] == [
        ("过程", "预算执行", "预算执行率"),
        ("过程", "资产管理", "固定资产利用率"),
    ]


def test_a_name_with_wan_cheng_keeps_its_actual_unit() -> None:
    e = _read("1.整改任务按时完成率，年度目标100%，实际完成96%，分值7分，得分6分。\n")
    [ind] = e.indicators
    assert (ind.actual.value, ind.actual.unit, ind.actual.raw) == (96, "%", "96%")


def test_reason_and_units() -> None:
    e = _read(
        "（3）时效指标：投诉按期办结率，目标100%，完成97%，分值10分，得分9分，"
        "偏差原因：个别投诉需跨部门核查。\n"
    )
    [ind] = e.indicators
    assert (ind.target.unit, ind.actual.unit, ind.score.unit) == ("%", "%", "分")
    assert ind.deviation.value == "个别投诉需跨部门核查"


def test_a_heading_line_gives_its_level_to_the_sentences_below() -> None:
    e = _read(
        "（一）产出指标\n"
        "1.档案接收数量指标目标值为≥3000卷，实际完成3412卷，得分10分。\n"
        "2.馆藏数字化率指标目标值为≥85%，实际完成88.6%，得分9分。\n"
        "（二）满意度指标\n"
        "1.查档群众满意度指标目标值为≥95%，实际完成97.5%，得分10分。\n"
    )
    assert [(r[0], r[2], r[3], r[4], r[6]) for r in _row(e)] == [
        ("产出指标", "档案接收数量", 3000, 3412, 10),
        ("产出指标", "馆藏数字化率", 85, 88.6, 9),
        ("满意度指标", "查档群众满意度", 95, 97.5, 10),
    ]
    assert e.indicators[0].target.unit == "卷" and e.indicators[0].target.comparator == "≥"


@pytest.mark.parametrize(
    "sentence",
    [
        # money: a budget and its spending, no score
        "全年预算安排1200万元，实际支出1150万元，预算执行率95.8%。",
        # an achievement with a target but no score
        "年度目标为培训600人次，实际完成652人次，超额完成任务。",
        # the overall score: no target, no actual
        "经自评，本部门整体支出绩效自评得分92.5分，等级为优。",
        # a score and a target stated for the department, not an indicator row
        "目标任务全部完成，得分情况良好。",
    ],
)
def test_sentences_that_are_no_indicator_rows(sentence: str) -> None:
    assert _read(sentence + "\n").indicators == []
