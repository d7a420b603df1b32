"""Figures, lists and indicator rows written as sentences: run-in titles of problems/measures,
indicator sentences (and OCR's reading of their dash) kept apart from achievements, 三公
changes in 元 with thousands separators."""

from __future__ import annotations

from service.extract.rules import extract_rules
from tests.extract.docs import text_doc


def test_run_in_titles_of_problems_and_measures() -> None:
    doc = text_doc(
        [
            "五、存在的问题及原因分析",
            "（1）预算执行进度不均衡。受项目实施周期影响，上半年支出进度偏慢。",
            "（2）资金使用效益有待提高，绩效目标不够细化。",
            "六、下一步改进措施",
            "1、严格财务支出审批。抓好审核和审批两个环节。",
            "2、抓好财务预算管理，严格执行财务管理制度。",
        ]
    )
    export = extract_rules(doc).export
    got = [
        (i.title.value if i.title else None, i.text.value)
        for i in export.problems + export.measures
    ]
    assert got == [
        ("预算执行进度不均衡", "受项目实施周期影响,上半年支出进度偏慢。"),
        (None, "资金使用效益有待提高,绩效目标不够细化。"),  # a comma: a sentence, not a title
        ("严格财务支出审批", "抓好审核和审批两个环节。"),
        (None, "抓好财务预算管理,严格执行财务管理制度。"),
    ]
    for item in export.problems + export.measures:
        for v in (item.title, item.text):
            if v is not None:
                assert v.source is not None and doc.slice(v.source.span) == v.raw


def test_indicator_sentences_read_with_the_dash_or_its_ocr_misreading() -> None:
    doc = text_doc(
        [
            "四、部门整体绩效目标完成情况",
            "（1）产出指标—数量指标：动物免疫数量，年度目标≥462440头，实际完成470012头，分值8分，得分8分。",
            "（2）产出指标一质量指标：补贴资金兑付准确率，年度目标≥95%，实际完成97.2%，分值7分，得分7分。",
        ]
    )
    export = extract_rules(doc).export
    rows = [
        (i.level1.value, i.level2.value, i.level3.value, i.score.value) for i in export.indicators
    ]
    assert rows == [
        ("产出指标", "数量指标", "动物免疫数量", 8),
        ("产出指标", "质量指标", "补贴资金兑付准确率", 7),
    ]
    assert export.achievements == []  # indicator sentences are not achievements


def test_three_public_change_with_thousands_separators_in_yuan() -> None:
    doc = text_doc(
        [
            "（二）“三公”经费支出情况",
            "2022年，“三公”经费支出84,800.00元，比上年减少5,100.00元，下降5.67%。",
        ]
    )
    total = extract_rules(doc).export.three_public.total
    assert (total.actual.value, total.actual.original_unit) == (8.48, "元")
    assert (total.change.value, total.change.direction, total.change.unit) == (0.51, "下降", "万元")
    assert total.change_pct.value == 5.67


def test_last_years_figure_in_brackets_names_the_same_thing() -> None:
    doc = text_doc(
        [
            "二、部门整体支出绩效情况",
            "（一）主要履职成效",
            "2021年以来累计办理行政处罚案件157件（去年135件），处罚金额2093.0471万（去年1029.4631万）。",
        ]
    )
    [achievement] = extract_rules(doc).export.achievements
    names = [(m.name, m.value.value) for m in achievement.metrics]
    assert names == [
        ("办理行政处罚案件", 157),
        ("去年办理行政处罚案件", 135),
        ("处罚金额", 2093.0471),
        ("去年处罚金额", 1029.4631),
    ]
