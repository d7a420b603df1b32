"""The rules extractor against the hand labels of both seeds (eval/labels), in plain text
and (slow) in the PDF and DOCX renderings; every value grounded; every conflict of
the seed reports' README found, and nothing else."""

from __future__ import annotations

from functools import cache

import pytest

from service.document import Document
from service.extract import ExtractionResult, extract
from service.ingest import read_document, read_path
from tests.extract.compare import compare_export, finding_keys, metric_recall, norm_text
from tests.extract.grounding import ungrounded
from tests.extract.seeds import label, seed_path

SEEDS = ["seed_000", "seed_002"]
# The conflicts the seed reports' README lists, as (kind, path) of the finding.
README_CONFLICTS = {
    "seed_000": {
        ("conflict", "budget.project_expenditure"),  # 53.5 vs 52.53
        ("conflict", "budget.personnel_expenditure"),  # 847.72 vs 857.11
        ("conflict", "three_public.reception.actual"),  # 0.11 vs 0.13
    },
    "seed_002": {("conflict", "budget.basic_expenditure")},  # 2204.95 vs 2204.05
}


@cache
def _run(name: str, fmt: str) -> tuple[Document, ExtractionResult]:
    if fmt == "txt":
        doc = read_path(seed_path(name))
    else:
        from service.synth import render, seed_spec

        data = render(seed_spec(seed_path(name)), fmt)[0]
        doc = read_document(data, f"{name}.{fmt}")
    return doc, extract(doc)


def _check_against_label(name: str, fmt: str) -> None:
    doc, result = _run(name, fmt)
    assert result.status == "success", result.errors
    pred = result.export.model_dump(mode="json")
    want = label(name)
    cmp = compare_export(want, pred)
    right, wrong = cmp.numeric()
    assert right / (right + wrong) >= 0.95
    assert cmp.wrong == [], f"{fmt}: fields differing from the label: {cmp.wrong}"
    found, total, missed = metric_recall(want, pred)
    assert found == total, missed
    assert finding_keys(pred["findings"]) == finding_keys(want["findings"])
    assert ungrounded(result.export, doc, want_boxes=fmt == "pdf") == []


@pytest.mark.parametrize("name", SEEDS)
def test_text_rendering_matches_hand_label(name: str) -> None:
    _check_against_label(name, "txt")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("name", SEEDS)
def test_other_renderings_match_hand_label(name: str, fmt: str) -> None:
    _check_against_label(name, fmt)


@pytest.mark.parametrize("name", SEEDS)
def test_every_indicator_row_is_right(name: str) -> None:
    _, result = _run(name, "txt")
    got = {norm_text(i.level3.value): i for i in result.export.indicators if i.level3}
    want = label(name)["indicators"]
    assert len(got) == len(want) == len(result.export.indicators)
    for row in want:
        cmp = compare_export(
            {**_empty(), "indicators": [row]},
            {
                **_empty(),
                "indicators": [got[norm_text(row["level3"]["value"])].model_dump(mode="json")],
            },
        )
        assert cmp.wrong == [], row["level3"]["value"]


def _empty() -> dict:
    blank = {
        "report": {},
        "staffing": {},
        "three_public": {},
        "budget": {"lines": [], "basic_breakdown": []},
    }
    return {**blank, "projects": [], "indicators": []}


@pytest.mark.parametrize("name", SEEDS)
def test_readme_conflicts_are_found_with_both_sources(name: str) -> None:
    _, result = _run(name, "txt")
    findings = {(f.kind, f.paths[0]): f for f in result.export.findings}
    for key in README_CONFLICTS[name]:
        assert key in findings, key
        f = findings[key]
        raws = {item.value.raw.replace(" ", "").removesuffix("万元") for item in f.items}
        assert len(raws) >= 2  # both statements, each with its own source
        assert all(item.value.source is not None for item in f.items)
        assert f.message_zh and f.message_en


def test_seed_000_conflicts_keep_the_consistent_value() -> None:
    _, result = _run("seed_000", "txt")
    b = result.export.budget
    assert (
        b.personnel_expenditure.value,
        b.public_expenditure.value,
        b.project_expenditure.value,
    ) == (
        847.72,
        211.29,
        53.5,
    )
    assert result.export.three_public.reception.actual.value == 0.11


def test_seed_002_cover_fields() -> None:
    _, result = _run("seed_002", "txt")
    r = result.export.report
    assert r.budget_code.value == "089014"  # leading zero kept
    assert str(r.report_date.value) == "2025-03-18"
    assert (r.evaluation_method.value, r.evaluator.value, r.grade.value) == (
        "自评",
        "部门(单位)评价组",
        "优秀",
    )
    assert r.evaluation_method.raw.endswith("☒")


def test_missing_fields_are_listed_not_zero() -> None:
    _, result = _run("seed_002", "txt")
    e = result.export
    assert e.report.total_score is None and "report.total_score" in e.missing
    assert e.staffing.retired is None and "staffing.retired" in e.missing
    assert e.budget.carry_over is not None and e.budget.carry_over.value == 0  # stated as 0
    assert "budget.carry_over" not in e.missing
