"""The total self-evaluation score and grade (自评总分 / 评价等级) as reports phrase them;
a weight, an indicator's score or a staff appraisal is not the report's verdict."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

HEAD = "部门整体支出绩效自评报告\n\n一、基本情况\n本所内设3个股室。\n五、评价结论\n"


def _report(conclusion: str):  # noqa: ANN202
    return extract_rules(read_document((HEAD + conclusion + "\n").encode(), "r.txt")).export.report


@pytest.mark.parametrize(
    ("sentence", "score", "grade"),
    [
        ("经综合评价，本单位自评总得分为93分，等级“优秀”。", 93, "优秀"),
        ("本单位自评结果为良好（87.5分）。", 87.5, "良好"),
        ("经评价，综合评分92.5分，评价等次为优。", 92.5, "优"),
        ("自评得分：95", 95, None),
        ("本年度最终得分93.6分，档次为良。", 93.6, "良"),
        ("对照指标体系逐项打分，自评得分90分，自评等级为优。", 90, "优"),
        ("满分100分，本部门自评得分88分，评定为良好等级。", 88, "良好"),
        ("自评等级：中等，总得分76分。", 76, "中等"),
        ("评价结论：合格（65分）。", 65, "合格"),
        ("绩效自评得分58分，属于“差”等次。", 58, "差"),
    ],
)
def test_score_and_grade_phrasings(sentence: str, score: float, grade: str | None) -> None:
    r = _report(sentence)
    assert (r.total_score.value, r.total_score.unit) == (score, "分")
    assert r.total_score.source.locator == "prose"
    assert (r.grade.value if r.grade else None) == grade


@pytest.mark.parametrize(
    "sentence",
    [
        "预算执行率指标分值10分，自评得分9分。",
        "该指标权重20分，得分18分。",
        "全年共2名干部年度考核为优秀等次。",
        "评价结果应用于下年度预算安排，评价结果中发现的问题已整改。",
        "自评表总分值100分。",
    ],
)
def test_not_the_report_verdict(sentence: str) -> None:
    r = _report(sentence)
    assert r.total_score is None
    assert r.grade is None


def test_a_score_column_header_is_not_a_form_label() -> None:
    table = "三级指标\t分值\t自评得分\n预算执行率\t10\t9\n"
    r = _report(f"自评结论见下表。\n{table}")
    assert r.total_score is None


@pytest.mark.parametrize(
    ("form", "locator"),
    [
        ("自评得分\t91.5\t评价等级\t优\n评价方式\t自评\t评价机构\t评价组\n", "cover"),
        ("自评得分\t91.5\t评价等级\t优\n", "prose"),  # one row: a line, not a table
    ],
)
def test_a_form_beside_its_score_and_grade(form: str, locator: str) -> None:
    r = _report(f"自评情况如下：\n{form}")
    assert (r.total_score.value, r.grade.value) == (91.5, "优")
    assert r.total_score.source.locator == r.grade.source.locator == locator


def test_a_flattened_total_row_is_not_a_stated_score() -> None:
    r = _report("自评表如下：\n满意度指标 群众满意度 ≥90% 98% 10 10\n总分 100 97.5\n")
    assert r.total_score is None


@pytest.mark.parametrize(
    ("sentence", "score"),
    [
        ("经评价，本单位得分87.5分，等级为良好。", 87.5),
        ("经综合评价，我局整体支出绩效得分为91分。", 91),
        ("本次自评，得分为84分。", 84),
        ("经过对照评分标准逐项打分，最后得分96.5分。", 96.5),
        ("各项指标加总，本部门共得分78分。", 78),
        ("经评价，本单位2023年度整体支出得分90.5分。", 90.5),
        ("我院部门整体支出的综合得分为88分。", 88),
        ("2023年度部门整体支出绩效得分为86分。", 86),
        ("经考核，得分93分，等级为优。", 93),
        ("本部门绩效评价分数为82.5分。", 82.5),
        ("对照评分细则，评分结果为94分。", 94),
    ],
)
def test_a_score_without_self_or_total_in_its_label(sentence: str, score: float) -> None:
    r = _report(sentence)
    assert (r.total_score.value, r.total_score.unit) == (score, "分")


@pytest.mark.parametrize(
    ("sentence", "score", "raw"),
    [
        ("经评价，得分为八十九分（89分），评价等级为良好。", 89, "89"),
        ("自评得分九十二分，等级为优秀。", 92, "九十二"),
        ("经综合评定，本单位自评总分为八十七点五分。", 87.5, "八十七点五"),
        ("本部门综合评分：七十分（70分）。", 70, "70"),
        ("自评总得分一百分。", 100, "一百"),
    ],
)
def test_a_score_in_chinese_numerals(sentence: str, score: float, raw: str) -> None:
    """Written out in numerals; the digits in brackets after it, where given, are the cue."""
    r = _report(sentence)
    assert (r.total_score.value, r.total_score.unit, r.total_score.raw) == (score, "分", raw)


@pytest.mark.parametrize(
    "sentence",
    [
        "预算执行率指标（10分），得分9分。",
        "各项指标中，得分最低的是满意度指标。",
        "产出指标分值四十分，得分三十八分。",
        "本单位得分率为95%。",
    ],
)
def test_not_a_total_score_either(sentence: str) -> None:
    assert _report(sentence).total_score is None
