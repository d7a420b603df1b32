"""Indicator rows written as sentences (no 自评表): level-1 names of other templates."""

from __future__ import annotations

from service.extract.rules import extract_rules
from service.ingest import read_document


def test_level1_names_without_the_word_zhibiao() -> None:
    text = "\n\n".join(
        [
            "四、绩效指标完成情况",
            "（1）项目产出—数量指标：巡查堤防里程，年度目标≥310公里，实际完成326公里，分值12分，得分12分。",
            "（2）项目成本—经济成本指标：单位养护成本，年度目标≤1.5万元，实际完成1.42万元，分值6分，得分6分。",
            "（3）满意度指标—服务对象满意度指标：沿岸群众满意度，年度目标≥90%，实际完成88%，分值10分，得分9分。",
        ]
    )
    e = extract_rules(read_document(text.encode(), "memo.txt")).export
    rows = [
        (
            i.level1.value,
            i.level2.value,
            i.level3.value,
            i.target.value,
            i.actual.value,
            i.score.value,
        )
        for i in e.indicators
    ]
    assert rows == [
        ("项目产出", "数量指标", "巡查堤防里程", 310, 326, 12),
        ("项目成本", "经济成本指标", "单位养护成本", 1.5, 1.42, 6),
        ("满意度指标", "服务对象满意度指标", "沿岸群众满意度", 90, 88, 9),
    ]
