"""A 自评表 pasted as text with its cells glued together (no tabs, no spaces): rows split
by the shape of their values, levels from the lines above, the 总分 line, and ambiguous
points decided by the totals. Read through the real plain-text and DOCX readers."""

from __future__ import annotations

import io

import docx

from service.extract.flat_indicators import point_splits
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport


def _text(lines: list[str]) -> ReportExport:
    data = ("\n".join(lines) + "\n").encode()
    return extract_rules(read_document(data, "copy.txt")).export


def _rows(e: ReportExport) -> list[tuple]:
    def v(x):  # noqa: ANN001, ANN202
        return None if x is None else x.value

    return [
        (v(i.level1), v(i.level2), v(i.level3), v(i.target), v(i.actual), v(i.weight), v(i.score))
        for i in e.indicators
    ]


def test_glued_rows_under_level_lines() -> None:
    e = _text(
        [
            "附件2：部门整体支出绩效自评表",
            "三级指标年度指标值实际完成值分值得分",
            "产出指标",
            "数量指标",
            "信访办结率≥90%96%55",
            "培训人次≥200人次236人次54.5",
            "满意度指标",
            "服务对象满意度指标",
            "群众满意度≥95%97.2%1010",
            "总分2019.5",
        ]
    )
    assert _rows(e) == [
        ("产出指标", "数量指标", "信访办结率", 90, 96, 5, 5),
        ("产出指标", "数量指标", "培训人次", 200, 236, 5, 4.5),
        ("满意度指标", "服务对象满意度指标", "群众满意度", 95, 97.2, 10, 10),
    ]
    first, second, _ = e.indicators
    assert (first.target.comparator, first.target.unit, first.actual.unit) == ("≥", "%", "%")
    assert (second.target.unit, second.actual.unit) == ("人次", "人次")
    assert second.level3.raw == "培训人次"  # grounded on the name only
    assert e.report.total_score.value == 19.5


def test_levels_glued_before_the_name_and_a_deviation_column() -> None:
    e = _text(
        [
            "一级指标二级指标三级指标指标值实际值权重自评得分未完成原因",
            "产出指标(60分)质量指标污水处理达标率≥95%98.5%2020",
            "时效指标整改完成时限30天34天108.5受汛期影响",
            "效益指标社会效益指标入河排污口整治数12个12个3030",
            "合计6058.5",
        ]
    )
    assert _rows(e) == [
        ("产出指标", "质量指标", "污水处理达标率", 95, 98.5, 20, 20),
        ("产出指标", "时效指标", "整改完成时限", 30, 34, 10, 8.5),
        ("效益指标", "社会效益指标", "入河排污口整治数", 12, 12, 30, 30),
    ]
    assert e.indicators[1].deviation.value == "受汛期影响"
    assert e.indicators[0].level1.value == "产出指标"  # the (60分) is not part of the name
    assert e.report.total_score.value == 58.5


def test_ambiguous_points_are_decided_by_the_totals() -> None:
    # “10.59” reads 1|0.59 (a whole weight, the default) or 10.5|9: only 10.5|9 makes the
    # weights and scores add up to the 合计 line.
    e = _text(
        [
            "指标名称目标值完成值分值得分",
            "档案录入量≥500卷520卷10.59",
            "库房温湿度达标率100%100%1010",
            "合计 20.5 19",
        ]
    )
    assert _rows(e) == [
        (None, None, "档案录入量", 500, 520, 10.5, 9),
        (None, None, "库房温湿度达标率", 100, 100, 10, 10),
    ]
    assert "split by the total score" in e.indicators[0].weight.source.locator
    assert e.indicators[0].actual.unit == "卷"
    assert e.report.total_score.value == 19


def test_glued_rows_in_a_word_document() -> None:
    d = docx.Document()
    for text in [
        "部门整体支出绩效自评表",
        "一级指标二级指标三级指标年度目标值实际完成值分值得分",
        "产出指标",
        "数量指标",
        "新增绿化面积≥3.5公顷3.8公顷1515",
        "成本指标",
        "经济成本指标",
        "单位面积养护成本≤12元12元1512",
        "总分：27分",
    ]:
        d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    e = extract_rules(read_document(buf.getvalue(), "copy.docx")).export
    assert _rows(e) == [
        ("产出指标", "数量指标", "新增绿化面积", 3.5, 3.8, 15, 15),
        ("成本指标", "经济成本指标", "单位面积养护成本", 0.0012, 0.0012, 15, 12),
    ]
    cost = e.indicators[1]  # money normalised to 万元 as everywhere, the 元 kept
    assert (cost.target.comparator, cost.target.original_unit, cost.target.raw) == (
        "≤",
        "元",
        "≤12元",
    )
    assert e.report.total_score.value == 27


def test_prose_is_not_read_as_glued_rows() -> None:
    e = _text(
        [
            "三级指标年度指标值实际完成值分值得分",
            "本年度共办理信访件120件，办结率达96%，群众满意度较上年提高2个百分点。",
        ]
    )
    assert e.indicators == []


def test_point_splits_keep_score_under_weight() -> None:
    assert point_splits("55", both=True) == [(1,)]
    assert point_splits("1010", both=True) == [(2,)]  # 101|0 has a weight over 100
    assert point_splits("54.5", both=True) == [(1,)]
    assert point_splits("22.5", both=True) == []  # 2|2.5 scores over its weight
    assert point_splits("10.59", both=True) == [(1,), (4,)]
    assert point_splits("9.5", both=False) == [()]


def test_text_targets_met_word_for_word_and_rows_that_cannot_be_split() -> None:
    e = _text(
        [
            "三级指标年度指标值实际完成值分值得分",
            "效益指标",
            "社会效益指标",
            "辖区治安环境持续改善持续改善1010",
            "矛盾纠纷化解有效化解基本化解108",  # text values that differ: not split
            "可持续影响指标",
            "调解员队伍稳定性保持稳定保持稳定55",
            "总分2523",
        ]
    )
    assert _rows(e) == [
        ("效益指标", "社会效益指标", "辖区治安环境", "持续改善", "持续改善", 10, 10),
        ("效益指标", "可持续影响指标", "调解员队伍稳定性", "保持稳定", "保持稳定", 5, 5),
    ]
    assert e.report.total_score.value == 23


def test_cells_parted_by_single_spaces() -> None:
    e = _text(
        [
            "三级指标 年度指标值 实际完成值 分值 得分",
            "产出指标 数量指标",
            "举办科普讲座 ≥24场 27场 10 10",
            "科普受众人次 ≥5000人次 4820人次 10 9.5",
            "总分 20 19.5",
        ]
    )
    assert _rows(e) == [
        ("产出指标", "数量指标", "举办科普讲座", 24, 27, 10, 10),
        ("产出指标", "数量指标", "科普受众人次", 5000, 4820, 10, 9.5),
    ]
    assert e.indicators[1].level3.raw == "科普受众人次"
    assert e.report.total_score.value == 19.5


def test_level1_names_of_other_templates_on_their_own_lines_or_glued() -> None:
    e = _text(
        [
            "一级指标二级指标三级指标年度指标值实际完成值分值得分",
            "项目产出",
            "数量指标",
            "发放助学金人次≥860人次902人次2020",
            "项目效益社会效益指标资助覆盖率100%100%3030",
            "合计5050",
        ]
    )
    assert _rows(e) == [
        ("项目产出", "数量指标", "发放助学金人次", 860, 902, 20, 20),
        ("项目效益", "社会效益指标", "资助覆盖率", 100, 100, 30, 30),
    ]
