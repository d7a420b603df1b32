"""Synthetic reports: seeded, self-consistent truth that stands in the rendered text."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import pymupdf
import pytest

from service.records import ReportExport
from service.synth import TEMPLATES, Knobs, SyntheticReport, make_report, render, suite

MONEY_EPS = 1e-6


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def values(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every value object of an export dict, with its path."""
    if isinstance(node, dict):
        if "raw" in node and "value" in node:
            yield path, node
            return
        for key, child in node.items():
            yield from values(child, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from values(child, f"{path}[{i}]")


def num(export: ReportExport, path: str) -> float:
    node: Any = export
    for key in path.split("."):
        node = getattr(node, key)
    assert node is not None, f"{path} missing"
    return float(node.value)


@pytest.fixture(scope="session")
def reports() -> list[SyntheticReport]:
    return list(suite(24))


def test_same_seed_same_report_other_seed_other_report() -> None:
    a, b = make_report(3, "sichuan"), make_report(3, "sichuan")
    assert a.spec == b.spec and a.truth_json() == b.truth_json()
    assert make_report(4, "sichuan").spec != a.spec
    assert make_report(3, "hunan").spec != a.spec


def test_unknown_template_is_refused() -> None:
    with pytest.raises(ValueError, match="template"):
        make_report(1, "yunnan")


def test_suite_covers_every_template_and_hard_case(reports: list[SyntheticReport]) -> None:
    assert {r.template for r in reports} == set(TEMPLATES)
    tags = {tag.split("=")[0] for r in reports for tag in r.knobs.tags()}
    assert tags == {"yuan", "fullwidth", "thousands", "long_table", "contradictions", "approx"}
    assert len({r.name for r in reports}) == len(reports)


def test_sums_add_up(reports: list[SyntheticReport]) -> None:
    for r in reports:
        t = r.truth
        basic = num(t, "budget.personnel_expenditure") + num(t, "budget.public_expenditure")
        assert abs(num(t, "budget.basic_expenditure") - basic) < MONEY_EPS, r.name
        total = num(t, "budget.basic_expenditure") + num(t, "budget.project_expenditure")
        assert abs(num(t, "budget.total_expenditure") - total) < MONEY_EPS, r.name
        income = num(t, "budget.income_general_budget") + num(t, "budget.income_other")
        assert abs(num(t, "budget.total_income") - income) < MONEY_EPS, r.name
        tp = t.three_public
        parts = sum(
            float(getattr(tp, k).actual.value) for k in ("overseas", "reception", "vehicle")
        )
        assert abs(float(tp.total.actual.value) - parts) < MONEY_EPS, r.name
        vehicle = float(tp.vehicle_purchase.actual.value) + float(tp.vehicle_operation.actual.value)
        assert abs(float(tp.vehicle.actual.value) - vehicle) < MONEY_EPS, r.name
        if t.projects:
            projects = sum(float(p.amount.value) for p in t.projects)  # type: ignore[union-attr]
            assert abs(num(t, "budget.project_expenditure") - projects) < MONEY_EPS, r.name


def test_scores_add_up_and_stay_within_weights(reports: list[SyntheticReport]) -> None:
    for r in reports:
        t = r.truth
        scores = sum(float(i.score.value) for i in t.indicators)  # type: ignore[union-attr]
        weights = sum(float(i.weight.value) for i in t.indicators)  # type: ignore[union-attr]
        execution = t.budget.execution_score
        extra = float(execution.value) if execution else 0.0
        assert abs(num(t, "report.total_score") - (scores + extra)) < 1e-9, r.name
        assert weights + (10 if execution else 0) == 100, r.name
        assert all(i.score.value <= i.weight.value for i in t.indicators)  # type: ignore[union-attr,operator]
        grade = t.report.grade.value  # type: ignore[union-attr]
        assert grade == ("优" if scores + extra >= 90 else "良" if scores + extra >= 80 else "中")


def test_every_truth_value_stands_in_the_text(reports: list[SyntheticReport]) -> None:
    """Each label's raw text can be found in the document: a reader can ground it."""
    for r in reports:
        text = nfkc(render(r.spec, "txt")[0].decode("utf-8"))
        data = json.loads(r.truth_json())
        for path, value in values({k: v for k, v in data.items() if k != "findings"}):
            assert value["raw"] in text, f"{r.name} {path}: {value['raw']!r}"


def test_planted_contradictions_are_the_expected_findings(reports: list[SyntheticReport]) -> None:
    planted = [r for r in reports if r.knobs.contradictions]
    assert planted
    for r in planted:
        assert len(r.truth.findings) == r.knobs.contradictions, r.name
        text = nfkc(render(r.spec, "txt")[0].decode("utf-8"))
        for finding in r.truth.findings:
            (path,) = finding.paths
            wrong, right = (item.value for item in finding.items)
            assert wrong.value != right.value
            assert abs(float(wrong.value) - float(right.value)) >= 0.03 - MONEY_EPS  # type: ignore[arg-type]
            assert num(r.truth, path) == right.value  # the field holds the table's figure
            assert wrong.raw in text and right.raw in text
    for r in reports:
        if not r.knobs.contradictions:
            assert r.truth.findings == []


def test_knobs_change_how_figures_are_written() -> None:
    plain = make_report(9, "hunan", Knobs())
    yuan = make_report(9, "hunan", Knobs(yuan=True, thousands=True))
    wide = make_report(9, "hunan", Knobs(fullwidth=True))
    plain_text = render(plain.spec, "txt")[0].decode()
    yuan_text = render(yuan.spec, "txt")[0].decode()
    assert "万元" in plain_text and "经费控制情况（元）" in yuan_text
    personnel = plain.truth.budget.personnel_expenditure
    in_yuan = yuan.truth.budget.personnel_expenditure
    assert personnel is not None and in_yuan is not None
    assert in_yuan.value == personnel.value and in_yuan.original_unit == "元"
    assert re.search(r"\d{1,3}(,\d{3})+\.00元", yuan_text)
    assert re.search("[０-９]", render(wide.spec, "txt")[0].decode())
    assert not re.search("[０-９]", plain_text)
    approx = make_report(9, "sichuan", Knobs(approx=True))
    comparators = {m.value.comparator for a in approx.truth.achievements for m in a.metrics}
    assert comparators & {"余", "约"}


@pytest.mark.parametrize("template", ["hunan", "sichuan"])
def test_long_indicator_table_crosses_a_page(template: str) -> None:
    report = make_report(2, template, Knobs(long_table=True))
    assert len(report.truth.indicators) >= 25
    data = render(report.spec, "pdf")[0]
    level3 = [nfkc(i.level3.value) for i in report.truth.indicators]  # type: ignore[union-attr,arg-type]
    pages = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for i, page in enumerate(doc):
            cells = {
                nfkc(c or "").replace("\n", "")
                for t in page.find_tables().tables
                for row in t.extract()
                for c in row
            }
            if cells & set(level3):
                pages.append(i)
    assert len(pages) >= 2 and pages == list(range(pages[0], pages[-1] + 1))


def test_hunan_self_evaluation_table_has_merged_indicator_cells(
    hunan_report: SyntheticReport,
) -> None:
    table = hunan_report.spec.tables()[-1]
    merged = [
        c
        for c in table.layout()
        if c.row_span > 1 and c.text in {"产出指标", "效益指标", "数量指标"}
    ]
    assert {c.text for c in merged} >= {"产出指标", "效益指标"}


def test_truth_validates_against_the_export_model(reports: list[SyntheticReport]) -> None:
    for r in reports[:6]:
        again = ReportExport.model_validate_json(r.truth_json())
        assert again.extractor.name == "synth"
        assert again.report.department is not None and again.indicators


def test_same_seed_same_files_in_a_fresh_interpreter(hunan_pdf: bytes) -> None:
    """Nothing depends on the process (hash seed, time): another run gives the same bytes."""
    import hashlib
    import os
    import subprocess
    import sys

    code = (
        "import hashlib;from service.synth import Knobs,make_report,render;"
        "r=make_report(11,'hunan',Knobs(contradictions=1,approx=True));"
        "print(hashlib.sha256(render(r.spec,'pdf')[0]).hexdigest());"
        "print(hashlib.sha256(r.truth_json().encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    here = make_report(11, "hunan", Knobs(contradictions=1, approx=True))
    assert out == [
        hashlib.sha256(hunan_pdf).hexdigest(),
        hashlib.sha256(here.truth_json().encode()).hexdigest(),
    ]
