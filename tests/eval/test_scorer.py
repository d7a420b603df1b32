"""The scorer on hand-made label/prediction pairs whose scores are worked out by hand.

The label has 32 labelled values: report 2 (1 text, 1 number), staffing 3, budget 2,
three_public 2, projects 2 rows × 2, indicators 2 rows × 7, one achievement (its text and
2 metrics), one problem, one measure. 20 of them are numbers.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from eval.scorer import Counts, match, score_document
from eval.summary import field_f1, summarize
from eval.textsim import anls, levenshtein, nls, normalize
from eval.values import compare, why_wrong


def q(value: Any, unit: str | None = None, raw: str | None = None, **extra: Any) -> dict:
    raw = raw if raw is not None else f"{value}{unit or ''}"
    return {
        "value": value,
        "unit": unit,
        "raw": raw,
        "comparator": None,
        "direction": None,
        **extra,
    }


ACHIEVEMENT = (
    "2021年以来累计办理行政处罚案件157件，年底办结811件，办结率达95%，"
    "相较去年，执法办案数量同比增长103.3%"
)
PROBLEM = "部门整体支出绩效管理工作意识淡薄，一是部门年度预算编制当中绩效目标意识不够"
MEASURE = "完善绩效评价体系，加强监督检查和考核工作，增强绩效评价结果的可比性、可信度"


def indicator(level3: str, target: dict, actual: dict, weight: float, score: float) -> dict:
    return {
        "level1": q("产出指标"),
        "level2": q("数量指标"),
        "level3": q(level3),
        "target": target,
        "actual": actual,
        "weight": q(weight, "分"),
        "score": q(score, "分"),
    }


LABEL: dict[str, Any] = {
    "schema_version": "1",
    "report": {"department": q("益阳市生态环境保护综合行政执法支队"), "fiscal_year": q(2021)},
    "staffing": {"authorized": q(76, "人"), "actual": q(76, "人"), "retired": q(15, "人")},
    "budget": {"basic_expenditure": q(1059.01, "万元"), "project_expenditure": q(53.5, "万元")},
    "three_public": {"total": q(3.04, "万元"), "reception": q(0.11, "万元")},
    "projects": [
        {"name": q("节能环保工作经费支出"), "amount": q(9.01, "万元")},
        {"name": q("环保工作经费支出"), "amount": q(10, "万元")},
    ],
    "indicators": [
        indicator(
            "行政处罚案件办理数", q(100, "件", "≥100件", comparator="≥"), q(157, "件"), 10, 10
        ),
        indicator("信访办结率", q(95, "%", "≥95%", comparator="≥"), q(95, "%"), 10, 9.5),
    ],
    "achievements": [{"text": q(ACHIEVEMENT), "metrics": [q(157, "件"), q(95, "%")]}],
    "problems": [{"text": q(PROBLEM)}],
    "measures": [{"text": q(MEASURE)}],
    "findings": [{"kind": "conflict", "fields": ["budget.project_expenditure"]}],
}
N_VALUES = 32
N_NUMBERS = 20


def _values(node: Any):
    if isinstance(node, dict) and "value" in node:
        yield node
    elif isinstance(node, dict):
        for sub in node.values():
            yield from _values(sub)
    elif isinstance(node, list):
        for sub in node:
            yield from _values(sub)


def document_and_prediction(label: dict) -> tuple[str, dict]:
    """A document text holding every raw text, and a perfect prediction grounded in it."""
    values = [v for key, node in label.items() if key != "findings" for v in _values(node)]
    text = "\n".join(v["raw"] for v in values)
    pred = copy.deepcopy(label)
    for v in (v for key, node in pred.items() if key != "findings" for v in _values(node)):
        start = text.index(v["raw"])
        v["source"] = {"page": 1, "span": {"start": start, "end": start + len(v["raw"])}}
    return text, pred


@pytest.fixture
def doc() -> tuple[str, dict]:
    return document_and_prediction(LABEL)


def test_the_label_has_the_counts_the_expectations_are_worked_from() -> None:
    values = [v for k, n in LABEL.items() if k != "findings" for v in _values(n)]
    assert len(values) == N_VALUES
    assert sum(isinstance(v["value"], int | float) for v in values) == N_NUMBERS


def test_perfect_prediction_scores_one_everywhere(doc: tuple[str, dict]) -> None:
    text, pred = doc
    summary = summarize([score_document(pred, LABEL, text)])
    assert summary["overall"] == {
        "tp": N_VALUES, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0,
    }  # fmt: skip
    assert all(v["f1"] == 1.0 for v in summary["record_types"].values())
    assert summary["numeric"] == {"right": N_NUMBERS, "total": N_NUMBERS, "accuracy": 1.0}
    assert summary["findings"]["detected"] == 1 and summary["findings"]["missed"] == 0
    assert summary["grounding"] == {"checked": N_VALUES, "grounded": N_VALUES, "share": 1.0}
    assert summary["rows"]["indicators"]["f1"] == 1.0
    assert summary["fields"]["achievements.text"]["kind"] == "long_text"
    assert summary["fields"]["indicators.level3"]["kind"] == "short_text"
    assert summary["fields"]["achievements.metrics"]["kind"] == "numeric"


def test_one_wrong_number(doc: tuple[str, dict]) -> None:
    text, pred = doc
    pred["budget"]["basic_expenditure"]["value"] = 1059.10
    score = score_document(pred, LABEL, text)
    summary = summarize([score])
    assert summary["overall"]["tp"] == 31
    assert summary["overall"]["fp"] == 1 and summary["overall"]["fn"] == 1
    assert summary["overall"]["f1"] == pytest.approx(62 / 64)
    assert summary["fields"]["budget.basic_expenditure"]["f1"] == 0.0
    assert summary["record_types"]["budget"]["f1"] == 0.5
    assert summary["numeric"]["right"] == N_NUMBERS - 1
    [diff] = score.diffs
    assert (diff.path, diff.verdict, diff.expected, diff.got) == (
        "budget.basic_expenditure", "wrong", "1059.01万元", "1059.1万元  «1059.01万元»",
    )  # fmt: skip
    assert diff.context is not None and "【1059.01万元】" in diff.context


def test_rounding_within_half_a_hundredth_of_wan_yuan_is_right() -> None:
    label = q(1059.01, "万元")
    assert compare(label, q(1059.014, "万元")) == 1.0
    assert compare(label, q(1059.016, "万元")) == 0.0
    assert compare(q(95, "%"), q(95.004, "%")) == 0.0  # the money tolerance is for money only


def test_a_missing_row(doc: tuple[str, dict]) -> None:
    text, pred = doc
    del pred["indicators"][1]
    summary = summarize([score_document(pred, LABEL, text)])
    assert summary["overall"]["tp"] == N_VALUES - 7
    assert summary["overall"]["fn"] == 7 and summary["overall"]["fp"] == 0
    assert summary["overall"]["precision"] == 1.0
    assert summary["overall"]["recall"] == pytest.approx(25 / 32)
    assert summary["overall"]["f1"] == pytest.approx(50 / 57)
    assert summary["rows"]["indicators"] == {
        "tp": 1, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
    }  # fmt: skip


def test_an_extra_row(doc: tuple[str, dict]) -> None:
    text, pred = doc
    pred["projects"].append({"name": q("其他工作经费"), "amount": q(5, "万元")})
    summary = summarize([score_document(pred, LABEL, text)])
    assert summary["overall"]["fp"] == 2 and summary["overall"]["fn"] == 0
    assert summary["overall"]["f1"] == pytest.approx(64 / 66)
    assert summary["fields"]["projects.name"]["precision"] == pytest.approx(2 / 3)
    assert summary["rows"]["projects"]["fp"] == 1
    # the extra project has no source: two more values to check, both ungrounded
    assert summary["grounding"]["checked"] == N_VALUES + 2
    assert summary["grounding"]["grounded"] == N_VALUES


def test_a_swapped_unit(doc: tuple[str, dict]) -> None:
    text, pred = doc
    # the same amount in 元 is right ...
    pred["three_public"]["total"] = {**pred["three_public"]["total"], "value": 30400, "unit": "元"}
    assert summarize([score_document(pred, LABEL, text)])["overall"]["f1"] == 1.0
    # ... but 3.04 read as 元 instead of 万元 is ten thousand times too small
    pred["three_public"]["total"] = {**pred["three_public"]["total"], "value": 3.04, "unit": "元"}
    summary = summarize([score_document(pred, LABEL, text)])
    assert summary["fields"]["three_public.total"]["f1"] == 0.0
    assert summary["overall"]["f1"] == pytest.approx(62 / 64)
    # and a number with another unit altogether is wrong
    assert compare(q(95, "%"), q(95, "万元")) == 0.0


def test_signs_comparators_and_width() -> None:
    assert compare(q(-1.22, "万元", direction="下降"), q(1.22, "万元", direction="下降")) == 1.0
    assert compare(q(-1.22, "万元"), q(1.22, "万元")) == 0.0
    assert compare(q(95, "%", comparator="≥"), q(95, "%", comparator=">=")) == 1.0
    assert compare(q(95, "%", comparator="≥"), q(95, "%")) == 0.0
    assert compare(q("湖南省（本级）"), q("湖南省 (本级)")) == 1.0
    assert compare(q("２０２１年"), q("2021年")) == 1.0


def test_long_text_is_scored_by_anls(doc: tuple[str, dict]) -> None:
    text, pred = doc
    length = len(normalize(PROBLEM))
    assert length == 36
    pred["problems"][0]["text"]["value"] = PROBLEM.replace("淡薄", "淡泊")  # one character
    summary = summarize([score_document(pred, LABEL, text)])
    problem = summary["fields"]["problems.text"]
    assert problem["tp"] == pytest.approx(1 - 1 / 36, abs=1e-6)
    assert problem["fp"] == pytest.approx(1 / 36, abs=1e-6) and problem["fn"] == pytest.approx(
        1 / 36, abs=1e-6
    )
    assert anls(PROBLEM, "完全不同的一句话") == 0.0  # below the 0.5 threshold


def test_a_finding_missed_and_a_false_alarm(doc: tuple[str, dict]) -> None:
    text, pred = doc
    pred["findings"] = [{"kind": "sum_mismatch", "fields": ["budget.total_expenditure"]}]
    score = score_document(pred, LABEL, text)
    assert len(score.findings["missed"]) == 1
    assert score.findings["false_alarms"][0]["kind"] == "sum_mismatch"
    summary = summarize([score])
    assert summary["findings"]["f1"] == 0.0
    assert summary["overall"]["f1"] == 1.0  # findings do not count in the value scores
    pred["findings"] = [{"kind": "conflict", "fields": ["budget.project_expenditure", "x.y"]}]
    assert len(score_document(pred, LABEL, text).findings["detected"]) == 1


def test_an_ungrounded_value(doc: tuple[str, dict]) -> None:
    text, pred = doc
    # the retired headcount points at the authorized headcount's span: "76人" is not "15人"
    pred["staffing"]["retired"]["source"] = pred["staffing"]["authorized"]["source"]
    del pred["budget"]["project_expenditure"]["source"]
    grounding = score_document(pred, LABEL, text).grounding
    assert (grounding["checked"], grounding["grounded"]) == (N_VALUES, N_VALUES - 2)
    assert grounding["share"] == pytest.approx(30 / 32)
    reasons = {u["path"]: u["reason"] for u in grounding["ungrounded"]}
    assert reasons == {
        "staffing.retired": "span does not contain the raw text",
        "budget.project_expenditure": "no source span",
    }


def test_label_null_and_label_silence() -> None:
    pred = {"budget": {"carry_over": q(0, "万元"), "other_income": q(1, "万元")}}
    label = {"budget": {"carry_over": None}}  # null: not in the document; other_income: unlabelled
    summary = summarize([score_document(pred, label)])
    assert summary["fields"] == {
        "budget.carry_over": {
            "tp": 0, "fp": 1, "fn": 0, "precision": 0.0, "recall": None, "f1": 0.0,
            "kind": "unlabelled",
        }
    }  # fmt: skip


def test_indicators_match_by_level3_not_by_position(doc: tuple[str, dict]) -> None:
    text, pred = doc
    pred["indicators"].reverse()
    assert summarize([score_document(pred, LABEL, text)])["overall"]["f1"] == 1.0
    assert match(["a", "b"], ["b", "a"], lambda x, y: float(x == y), 0.5) == [(0, 1), (1, 0)]


def test_field_f1_and_counts() -> None:
    assert Counts().f1 is None
    assert Counts(tp=1, fp=1, fn=0).as_dict()["precision"] == 0.5
    summary = {"fields": {"a.b": {"f1": 0.5}, "a.c": {"f1": None}}, "findings": {"f1": 1.0}}
    assert field_f1(summary) == {"a.b": 0.5, "findings": 1.0}


def _levenshtein_dp(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_bit_parallel_levenshtein_equals_the_textbook_one() -> None:
    rng = random.Random(5)
    for _ in range(300):
        a = "".join(rng.choice("ab元万1") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("ab元万1") for _ in range(rng.randint(0, 70)))
        assert levenshtein(a, b) == _levenshtein_dp(a, b)


def test_headcount_units_ranges_and_why_a_number_is_wrong() -> None:
    assert compare(q(71, "名"), q(71, "人")) == 1.0
    rng = {"value": None, "unit": "%", "raw": "80-90%", "low": 80, "high": 90}
    assert compare(rng, {**rng, "raw": "80～90%"}) == 1.0
    assert compare(rng, {**rng, "high": 95}) == 0.0
    assert why_wrong(q(219340, "头"), q("219340头")) == "text, not a number"
    assert (
        why_wrong(q(5.51, "万元"), q(55100, "万元")) == "10,000 times too large (元 read as 万元?)"
    )
    assert why_wrong(q(5.51, "万元"), q(5.51, "%")) == "unit %, not 万元"
    assert why_wrong(q(95, "%", comparator="≥"), q(95, "%")) == "comparator none, not ≥"


def test_metrics_are_records_holding_a_value() -> None:
    """An achievement's metric is {name, value: {...}}: matched by value, its name by ANLS."""
    text = "办理行政处罚案件157件"
    label = {
        "achievements": [
            {"text": q(text), "metrics": [{"name": "行政处罚案件", "value": q(157, "件")}]}
        ]
    }
    pred = copy.deepcopy(label)
    pred["achievements"][0]["metrics"][0]["name"] = "办理行政处罚案件"
    fields = summarize([score_document(pred, label)])["fields"]
    assert fields["achievements.metrics.value"]["f1"] == 1.0
    assert fields["achievements.metrics.name"]["kind"] == "long_text"
    assert fields["achievements.metrics.name"]["tp"] == pytest.approx(1 - 2 / 8)


def test_the_name_threshold_is_on_the_level3_name_alone() -> None:
    row = indicator("农村生活污水治理设施运行比例", q(90, "%"), q(92, "%"), 10, 10)
    near = copy.deepcopy(row)
    # 3 of 14 characters differ: NLS 0.786, below 0.8; the same level1/level2 (+0.03) break
    # ties between names that match, they must not lift this one over the threshold
    near["level3"] = q("城镇生活污水处理设施运行比例")
    assert nls("农村生活污水治理设施运行比例", "城镇生活污水处理设施运行比例") == pytest.approx(
        11 / 14
    )
    label = {"indicators": [row]}
    rows = summarize([score_document({"indicators": [near]}, label)])["rows"]["indicators"]
    assert (rows["tp"], rows["fn"], rows["fp"]) == (0, 1, 1)
