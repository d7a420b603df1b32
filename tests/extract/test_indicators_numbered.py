"""Indicators written as numbered sentences with no level names (“2.会议召开次数：年度指标值
≥4次，实际完成5次，分值10分，得分10分。”), several to a paragraph or one a line, and a 自评表
whose only level column before 三级指标 is headed plainly 指标."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport


def _read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode(), "memo.txt")).export


def _rows(e: ReportExport) -> list[tuple]:
    return [
        (
            i.level1.value if i.level1 else None,
            i.level3.value,
            i.target.value,
            i.target.unit,
            i.actual.value,
            i.weight.value,
            i.score.value,
        )
        for i in e.indicators
    ]


def test_numbered_lines_without_levels() -> None:
    e = _read(
        "四、绩效指标完成情况\n"
        "1.会议召开次数：年度指标值≥4次，实际完成5次，分值10分，得分10分。\n"
        "2.培训覆盖人数：年度指标值≥260人，实际完成244人，分值10分，得分8.5分。\n"
    )
    assert _rows(e) == [
        (None, "会议召开次数", 4, "次", 5, 10, 10),
        (None, "培训覆盖人数", 260, "人", 244, 10, 8.5),
    ]
    assert e.indicators[0].target.comparator == "≥"


def test_bracketed_numbers_other_words_in_one_paragraph() -> None:
    e = _read(
        "三、指标完成情况\n\n"
        "（1）病案归档率，目标值为≥98%，实际值为99.1%，权重为8分，自评得分8分。"
        "（2）家庭医生签约户数，目标值为1200户，实际值为1315户，权重为12分，自评得分为12分。\n"
    )
    assert _rows(e) == [
        (None, "病案归档率", 98, "%", 99.1, 8, 8),
        (None, "家庭医生签约户数", 1200, "户", 1315, 12, 12),
    ]


def test_chinese_numerals_and_completed_value_words() -> None:
    e = _read(
        "（二）绩效指标\n"
        "一、发放宣传册数量：全年目标值：≥5000册，完成值：6120册，满分15分，得分15分。\n"
        "二、设备完好率：计划值≥95%，实际达到97%，标准分5分，得分5分。\n"
    )
    assert _rows(e) == [
        (None, "发放宣传册数量", 5000, "册", 6120, 15, 15),
        (None, "设备完好率", 95, "%", 97, 5, 5),
    ]


_ONE_LEVEL = [
    ["指标", "三级指标", "指标值", "完成值", "权重", "自评分"],
    ["产出指标", "接收档案数量", "≥3000卷", "3412卷", "20", "20"],
    ["效益指标", "查档满意度", "≥90%", "95%", "10", "9"],
]


@pytest.mark.parametrize("sep", ["\t", "   "])
def test_a_plain_zhibiao_column_is_level1_not_the_name(sep: str) -> None:
    body = "\n".join(sep.join(r) for r in _ONE_LEVEL)
    e = _read("某所2025年度部门整体支出绩效自评报告\n绩效自评表\n" + body + "\n")
    assert [(i.level1.value, i.level2, i.level3.value) for i in e.indicators] == [
        ("产出指标", None, "接收档案数量"),
        ("效益指标", None, "查档满意度"),
    ]
    assert (e.indicators[1].weight.value, e.indicators[1].score.value) == (10, 9)


def test_plain_zhibiao_before_second_and_third_levels() -> None:
    rows = [
        ["指标", "二级指标", "三级指标", "年度目标", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "走访企业户数", "≥80户", "86户", "10", "10"],
        ["效益指标", "社会效益指标", "问题解决率", "≥85%", "83%", "10", "9"],
    ]
    e = _read("绩效自评表\n" + "\n".join("\t".join(r) for r in rows) + "\n")
    assert [(i.level1.value, i.level2.value, i.level3.value) for i in e.indicators] == [
        ("产出指标", "数量指标", "走访企业户数"),
        ("效益指标", "社会效益指标", "问题解决率"),
    ]


def test_sentence_with_a_score_and_no_weight() -> None:
    e = _read("（五）指标完成\n3.村道养护里程：年度目标值≥42公里，实际完成45.5公里，得分8分。\n")
    (ind,) = e.indicators
    assert (ind.level3.value, ind.target.value, ind.actual.value) == ("村道养护里程", 42, 45.5)
    assert ind.actual.unit == "公里"
    assert ind.weight is None and ind.score.value == 8
