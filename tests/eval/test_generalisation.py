"""The figures the team steers by, on hand-made documents whose counts are worked out here.

Three documents: a held-out one with a planted contradiction that is found and a project
that is missed, a held-out consistent one on which the extractor raises one false
error-level alarm, and a tuning one read perfectly. Every figure below is counted by hand
from the label and the prediction, not copied from a run.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from eval.generalisation import (
    Scored,
    compared_figures,
    figures,
    generalisation,
    split_rows,
    steer_document,
)
from eval.history import RunRecord, compare_runs


def q(value: Any, unit: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"value": value, "unit": unit, "raw": f"{value}{unit or ''}", **extra}


def metric(name: str, value: Any, unit: str) -> dict[str, Any]:
    return {"name": name, "value": q(value, unit)}


# 6 stated scalars: department, authorized, actual, basic, project, reception.actual; the
# null carry_over is "not in the document" and the 基础数据表 line is a row, not a scalar.
LABEL: dict[str, Any] = {
    "report": {"department": q("青禾县水务服务中心")},
    "staffing": {"authorized": q(31, "人"), "actual": q(29, "人")},
    "budget": {
        "basic_expenditure": q(612.4, "万元"),
        "project_expenditure": q(87.25, "万元"),
        "carry_over": None,
        "lines": [{"item": q("基本支出"), "final": q(612.4, "万元")}],
    },
    "three_public": {"reception": {"actual": q(0.86, "万元")}},
    "projects": [
        {"name": q("农村饮水安全巡检经费"), "amount": q(40.5, "万元")},
        {"name": q("河道保洁专项"), "amount": q(46.75, "万元")},
    ],
    "indicators": [
        {"level3": q("巡检村组数"), "actual": q(118, "个")},
        {"level3": q("水质抽检合格率"), "actual": q(98.5, "%")},
    ],
    "achievements": [
        {
            "text": q("全年巡检村组118个，新建净水点7处，抽检合格率98.5%。"),
            "metrics": [
                metric("巡检村组", 118, "个"),
                metric("新建净水点", 7, "处"),
                metric("抽检合格率", 98.5, "%"),
            ],
        }
    ],
    "findings": [{"kind": "conflict", "paths": ["budget.project_expenditure"]}],
}


def held_out_prediction() -> dict[str, Any]:
    """What an extractor read: one scalar wrong, a project missed, an indicator row and a
    metric missed, a metric with the wrong unit, the contradiction found."""
    pred = copy.deepcopy(LABEL)
    pred["staffing"]["actual"] = q(92, "人")  # wrong
    pred["budget"]["carry_over"] = q(3.1, "万元")  # extra: not a stated scalar, not counted
    del pred["projects"][1]  # missed
    pred["indicators"] = pred["indicators"][:1]  # 水质抽检合格率 not read
    pred["achievements"][0]["metrics"] = [
        metric("全年巡检村组", 118, "个"),  # the same metric, a longer name: right
        metric("新建净水点", 7, "个"),  # wrong unit: not matched
        # 抽检合格率 not read
    ]
    pred["findings"] = [
        {"kind": "conflict", "severity": "warning", "paths": ["budget.project_expenditure"]},
        {"kind": "sum_mismatch", "severity": "error", "paths": ["budget.total_expenditure"]},
    ]
    return pred


def consistent_pair() -> tuple[dict[str, Any], dict[str, Any]]:
    """A consistent document (its truth lists no finding) and a prediction raising one
    error-level and one warning-level finding on it."""
    label = {**copy.deepcopy(LABEL), "findings": []}
    pred = copy.deepcopy(label)
    pred["findings"] = [
        {"kind": "sum_mismatch", "severity": "error", "paths": ["budget.basic_expenditure"]},
        {"kind": "conflict", "severity": "warning", "paths": ["staffing.actual"]},
    ]
    return label, pred


def test_one_document_counted_by_hand() -> None:
    s = steer_document(held_out_prediction(), LABEL)
    assert (s.scalars_stated, s.scalars_right) == (6, 5.0)
    assert (s.projects.tp, s.projects.fp, s.projects.fn) == (1, 0, 1)
    assert (s.indicators.tp, s.indicators.fp, s.indicators.fn) == (1, 0, 1)
    assert (s.metrics.tp, s.metrics.fp, s.metrics.fn) == (1, 1, 2)
    assert (s.planted, s.found) == (1, 1)
    # the truth has a finding: the error-level sum_mismatch is no "consistent" false alarm
    assert not s.consistent and s.error_alarms == 0


def test_a_project_with_the_wrong_amount_is_not_right() -> None:
    pred = copy.deepcopy(LABEL)
    pred["projects"][0]["amount"] = q(405, "万元")
    s = steer_document(pred, LABEL)
    assert (s.projects.tp, s.projects.fp, s.projects.fn) == (1, 1, 1)


def test_a_contradiction_not_found_and_a_false_alarm() -> None:
    pred = copy.deepcopy(LABEL)
    pred["findings"] = [{"kind": "conflict", "severity": "warning", "paths": ["staffing.actual"]}]
    s = steer_document(pred, LABEL)
    assert (s.planted, s.found) == (1, 0)
    label, pred = consistent_pair()
    s = steer_document(pred, label)
    assert s.consistent and s.error_alarms == 1  # the warning is not counted


def _items() -> list[Scored]:
    held_out = steer_document(held_out_prediction(), LABEL).as_dict()
    label, pred = consistent_pair()
    consistent = steer_document(pred, label).as_dict()
    tuning = steer_document(copy.deepcopy(LABEL), LABEL).as_dict()
    return [
        Scored("heldout", ["layout.memo", "money_format.yuan"], "pdf", held_out),
        Scored("heldout", ["layout.memo"], "docx", consistent),
        Scored("tuning", ["template.hunan"], "pdf", tuning),
    ]


def test_the_split_figures() -> None:
    gen = generalisation(_items())
    assert list(gen["splits"]) == ["heldout", "tuning"]
    held = gen["splits"]["heldout"]
    assert held["documents"] == 2
    # scalars: 5 of 6 right, then 6 of 6 → 11/12
    assert held["scalars_recall"] == pytest.approx(11 / 12)
    # projects: tp 1+2, fp 0, fn 1 → F1 = 6/7
    assert held["projects_f1"] == pytest.approx(6 / 7)
    # indicator rows: tp 1+2, fn 1 → 6/7; metrics: tp 1+3, fp 1, fn 2 → 8/11
    assert held["indicators_f1"] == pytest.approx(6 / 7)
    assert held["metrics_f1"] == pytest.approx(8 / 11)
    assert held["contradictions"] == {"planted": 1, "found": 1}
    assert held["contradictions_recall"] == 1.0
    # one error-level alarm on the one consistent document: 10 per 10 documents
    assert held["false_alarms"] == {"consistent_documents": 1, "error_findings": 1}
    assert held["error_alarms_per_10"] == 10.0
    tuning = gen["splits"]["tuning"]
    assert tuning["projects_f1"] == tuning["scalars_recall"] == 1.0
    assert tuning["error_alarms_per_10"] is None  # no consistent document in this split


def test_per_family_and_per_format() -> None:
    gen = generalisation(_items())
    families = gen["families"]["heldout"]
    assert families["layout.memo"]["documents"] == 2  # a document counts in each family
    assert families["money_format.yuan"]["documents"] == 1
    assert families["money_format.yuan"]["projects_f1"] == pytest.approx(2 / 3)
    assert families["money_format.yuan"]["error_alarms_per_10"] is None
    assert "template.hunan" not in families
    formats = gen["formats"]["heldout"]
    assert formats["docx"]["error_alarms_per_10"] == 10.0
    assert formats["pdf"]["scalars_recall"] == pytest.approx(5 / 6)


def test_figures_of_nothing_are_none() -> None:
    empty = figures([])
    assert empty["documents"] == 0
    assert empty["projects_f1"] is None and empty["scalars_recall"] is None


def test_compare_fails_when_a_held_out_figure_drops() -> None:
    good = generalisation(_items())
    worse_items = _items()
    worse_items[1] = Scored(
        "heldout", ["layout.memo"], "docx", steer_document({"findings": []}, LABEL).as_dict()
    )
    worse = generalisation(worse_items)
    summary = {"fields": {}, "findings": {}}
    before = RunRecord("rules", "set", "fp", None, 3, summary, generalisation=good)
    after = RunRecord("rules", "set", "fp", None, 3, summary, generalisation=worse)
    before.id = 1
    comparison = compare_runs(before, after, 0.02)
    assert comparison.failed
    assert comparison.regressions["split.heldout.projects_f1"] == (
        pytest.approx(6 / 7),
        pytest.approx(2 / 5),
    )
    assert "split.tuning.projects_f1" not in comparison.regressions
    # the false-alarm rate is not an F1: --compare does not watch it
    assert not any(k.endswith("error_alarms_per_10") for k in compared_figures(good))


def test_the_printed_rows_put_held_out_first() -> None:
    rows = split_rows(generalisation(_items()))
    assert rows[0].split()[:3] == ["split", "docs", "scalars"]
    assert rows[1].split()[:3] == ["held-out", "2", "91.7%"]
    assert "100.0% (1/1)" in rows[1] and "10.0 (1/1)" in rows[1]
    assert rows[2].split()[:2] == ["tuning", "1"]


def test_every_document_has_a_split_and_a_varied_one_its_own() -> None:
    from eval.dataset import Item, Manifest

    def entry(source: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"id": "d", "source": source, "formats": ["pdf"], "tests": ["x"], **extra}

    seed = {"kind": "seed", "path": "s.txt", "sha256": "0"}
    cases = [
        (entry(seed, label="l.json"), "seeds"),
        (entry({"kind": "synth", "template": "hunan", "seed": 1}), "tuning"),
        (entry({"kind": "varied", "seed": 7, "split": "tuning"}), "tuning"),
        (entry({"kind": "varied", "seed": 7, "split": "heldout"}), "heldout"),
    ]
    for data, split in cases:
        [parsed] = Manifest.model_validate(
            {"name": "t", "version": 1, "documents": [data]}
        ).documents
        assert parsed.split == split
    varied = Manifest.model_validate(
        {"name": "t", "version": 1, "documents": [cases[3][0]]}
    ).documents[0]
    # the id names the split; the file is read under a name that does not
    assert Item(varied, "docx", Path(".")).filename == "report.docx"
    bad = [
        entry({"kind": "varied", "seed": 7, "split": "held-out"}),
        entry({"kind": "varied", "seed": -1, "split": "tuning"}),
        entry({"kind": "varied", "seed": 7, "split": "tuning"}, label="l.json"),
    ]
    for data in bad:
        with pytest.raises(ValidationError):
            Manifest.model_validate({"name": "t", "version": 1, "documents": [data]})


def test_nothing_in_the_extractor_can_know_the_split() -> None:
    """The readers must generalise, not learn the held-out set: nothing under
    service/extract imports the generator or the evaluation, or names the split."""
    root = Path(__file__).resolve().parents[2] / "service" / "extract"
    imports = re.compile(r"^\s*(from|import)\s+(service\.synth|eval)\b", re.M)
    words = re.compile(r"\b(heldout|held_out|make_varied|varied_suite|synth\.variety)\b")
    offenders = []
    for path in root.rglob("*"):
        if path.suffix not in (".py", ".toml") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if imports.search(text) or words.search(text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
