"""Varied reports: deterministic, split-clean, with exact truth that stands in the text."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from service.ingest import read_document
from service.synth import Format, SyntheticReport, render
from service.synth.batch import write_varied_set
from service.synth.spec import Heading
from service.synth.variety import (
    HELD_OUT_LAYOUTS,
    SPLITS,
    families,
    make_varied,
    split_of,
    variants,
    varied_suite,
)

from .test_reports import nfkc, values

N = 40  # documents per split the session fixtures draw


@pytest.fixture(scope="session")
def tuning() -> list[SyntheticReport]:
    return list(varied_suite(N, "tuning"))


@pytest.fixture(scope="session")
def held_out() -> list[SyntheticReport]:
    return list(varied_suite(N, "held_out"))


def test_same_seed_same_bytes_of_truth_and_spec() -> None:
    for split in SPLITS:
        a, b = make_varied(7, split), make_varied(7, split)
        assert a.truth_json() == b.truth_json()
        assert a.spec.model_dump_json() == b.spec.model_dump_json()
        assert a.variety == b.variety
    assert make_varied(7, "tuning").truth_json() != make_varied(8, "tuning").truth_json()


def test_unknown_split_is_refused() -> None:
    with pytest.raises(ValueError, match="split"):
        make_varied(1, "test")  # type: ignore[arg-type]


def test_a_tuning_document_never_contains_a_held_out_variant(
    tuning: list[SyntheticReport],
) -> None:
    for report in tuning:
        assert report.variety is not None and report.variety.split == "tuning"
        held = [v for v in report.variety.variants if split_of(v) == "held_out"]
        assert held == [], f"{report.name} uses held-out variants {held}"
        assert report.variety.layout not in {n.partition(".")[2] for n in HELD_OUT_LAYOUTS}


def test_held_out_documents_use_held_out_variants(held_out: list[SyntheticReport]) -> None:
    used = {v for r in held_out for v in r.variety.variants}  # type: ignore[union-attr]
    assert any(split_of(v) == "held_out" for v in used)
    layouts = {r.variety.layout for r in held_out}  # type: ignore[union-attr]
    assert {n.partition(".")[2] for n in HELD_OUT_LAYOUTS} <= layouts


# --- every variant is reachable, and the split has its share ----------------------------------

REACH = 160  # documents per split in which every variant of that split must appear


@pytest.fixture(scope="session")
def used_by_split() -> dict[str, set[str]]:
    return {
        split: {v for r in varied_suite(REACH, split) for v in r.variety.variants}  # type: ignore[union-attr]
        for split in SPLITS
    }


def test_every_variant_is_reachable_in_its_split(used_by_split: dict[str, set[str]]) -> None:
    tuning_ids = {v.id for v in variants("tuning")}
    held_ids = {v.id for v in variants("held_out")}
    assert tuning_ids - used_by_split["tuning"] == set()
    assert held_ids - used_by_split["held_out"] == set()
    assert used_by_split["tuning"] <= tuning_ids


def test_the_split_rule_holds_out_layouts_by_name_and_a_third_of_phrasings() -> None:
    layouts = {v.id: v.split for v in families()["layout"]}
    assert {k for k, s in layouts.items() if s == "held_out"} == HELD_OUT_LAYOUTS
    assert 2 <= len(HELD_OUT_LAYOUTS) <= 3 and len(layouts) >= 5
    phrasings = [v for f, vs in families().items() if f != "layout" for v in vs[1:]]
    share = sum(v.split == "held_out" for v in phrasings) / len(phrasings)
    assert 0.2 < share < 0.45
    for vs in families().values():
        assert vs[0].split == "tuning"  # a family's common form always tunes
    # the rule is the id's hash, not the order or the document
    assert split_of("table_style.flattened") == "held_out"
    assert split_of("table_style.borderless") == "tuning"
    assert split_of("layout.memo") == "held_out" and split_of("layout.classic") == "tuning"
    with pytest.raises(ValueError, match="unknown variant"):
        split_of("table_style.dotted")


def test_families_cover_the_kinds_of_variation() -> None:
    names = set(families())
    assert {
        "title",
        "unit_where",
        "distractor",
        "money_prose",
        "money_format",
        "three_public_change",
        "three_public_zero",
        "three_public_vehicle",
        "three_public_noise",
        "staffing",
        "projects",
        "table_style",
        "indicator_table",
        "problems",
        "measures",
        "score",
        "achievements",
        "plant",
        "layout",
    } <= names
    assert all(len(vs) >= 3 for f, vs in families().items() if f not in {"digits", "plant"})


# --- the truth --------------------------------------------------------------------------------

MONEY_EPS = 1e-6


def _num(node: Any) -> float | None:
    return None if node is None else float(node.value)


def test_truth_sums_are_exact_where_the_parts_are_stated(
    tuning: list[SyntheticReport], held_out: list[SyntheticReport]
) -> None:
    for r in tuning + held_out:
        b, tp = r.truth.budget, r.truth.three_public
        checks = [
            (b.basic_expenditure, [b.personnel_expenditure, b.public_expenditure]),
            (b.total_expenditure, [b.basic_expenditure, b.project_expenditure]),
            (tp.total.actual, [tp.overseas.actual, tp.reception.actual, tp.vehicle.actual]),
            (tp.vehicle.actual, [tp.vehicle_purchase.actual, tp.vehicle_operation.actual]),
        ]
        for total, parts in checks:
            if total is None or any(p is None for p in parts):
                continue
            assert abs(_num(total) - sum(_num(p) for p in parts)) < MONEY_EPS, r.name  # type: ignore[operator,misc]
        income = [b.income_general_budget, b.income_other]
        if b.income_other is not None:
            assert abs(_num(b.total_income) - sum(_num(p) for p in income)) < MONEY_EPS  # type: ignore[operator,misc]
        else:
            assert _num(b.total_income) == _num(b.income_general_budget), r.name
        if r.truth.projects:
            spent = sum(float(p.amount.value) for p in r.truth.projects)  # type: ignore[union-attr,arg-type]
            assert abs(_num(b.project_expenditure) - spent) < MONEY_EPS, r.name  # type: ignore[operator]
        scores = sum(float(i.score.value) for i in r.truth.indicators)  # type: ignore[union-attr,arg-type]
        weights = sum(float(i.weight.value) for i in r.truth.indicators)  # type: ignore[union-attr,arg-type]
        assert weights == 100 and abs(_num(r.truth.report.total_score) - scores) < 1e-9, r.name  # type: ignore[operator]


def test_every_truth_value_stands_in_the_text(
    tuning: list[SyntheticReport], held_out: list[SyntheticReport]
) -> None:
    for r in tuning + held_out:
        text = nfkc(render(r.spec, "txt")[0].decode("utf-8"))
        data = json.loads(r.truth_json())
        for path, value in values({k: v for k, v in data.items() if k != "findings"}):
            assert value["raw"] in text, f"{r.name} {path}: {value['raw']!r}"
        headings = [nfkc(b.text) for b in r.spec.blocks if isinstance(b, Heading)]
        for achievement in r.truth.achievements:
            topic = achievement.section or ""
            # the title it stands under: a heading, or a run-in title before its sentences
            under = any(h.endswith(topic) for h in headings)
            assert under or f"{topic}。" in text, f"{r.name}: section {topic!r}"


ZERO_WORDS = {"零", "未发生", "未安排", "未购置"}


def test_every_amount_reads_back_from_its_raw_text(
    tuning: list[SyntheticReport], held_out: list[SyntheticReport]
) -> None:
    """The figure as written (元 or 万元, commas, spaces) is the truth's value in 万元."""
    units: set[str | None] = set()
    for r in tuning + held_out:
        data = json.loads(r.truth_json())
        for path, value in values({k: v for k, v in data.items() if k != "findings"}):
            if value.get("unit") != "万元":
                continue
            raw = value["raw"]
            if raw in ZERO_WORDS:
                assert value["value"] == 0, f"{r.name} {path}"
                continue
            digits = raw.replace(",", "").replace(" ", "").replace("余", "")
            yuan = not digits.endswith("万元") and value.get("original_unit") == "元"
            number = float(digits.removesuffix("万元").removesuffix("元"))
            got = number / 10_000 if yuan else number
            assert abs(got - value["value"]) < 1e-6, f"{r.name} {path}: {raw} vs {value['value']}"
            units.add(value.get("original_unit"))
    assert units == {None, "元"}


def test_a_field_the_document_does_not_state_is_absent(
    tuning: list[SyntheticReport], held_out: list[SyntheticReport]
) -> None:
    seen: set[str] = set()
    for r in tuning + held_out:
        fam, t = r.variety.families, r.truth  # type: ignore[union-attr]
        text = render(r.spec, "txt")[0].decode("utf-8")
        if fam["indicator_table"] == ("rubric",):
            assert all(i.target is None and i.actual is None for i in t.indicators)
            assert all(i.weight is not None and i.score is not None for i in t.indicators)
            seen.add("rubric")
        no_table = fam.get("three_public_table", ("none",)) == ("none",)
        if fam["three_public_vehicle"] == ("combined_only",) and no_table:
            assert t.three_public.vehicle_purchase.actual is None
            assert t.three_public.vehicle_operation.actual is None
            seen.add("combined")
        if fam["problems"] == ("absent",):
            assert t.problems == [] and "无。" in text
            seen.add("no problems")
        if fam["projects"] == ("absent",):
            assert t.projects == [] and t.budget.project_expenditure is not None
            seen.add("no projects")
        if not fam["unit_where"][0].startswith("cover") and r.variety.layout != "table_first":  # type: ignore[union-attr]
            assert t.report.budget_code is None and "预算编码" not in text
            seen.add("no cover")
        if fam["score"] == ("table_row_only",):
            assert t.report.grade is None and t.report.total_score is not None
            seen.add("score in the total row")
        if fam["money_table"] == ("none",) and no_table:
            assert t.budget.lines == []
    assert seen >= {
        "rubric",
        "combined",
        "no problems",
        "no projects",
        "no cover",
        "score in the total row",
    }


def test_planted_contradictions_are_findings_and_the_rest_are_consistent(
    tuning: list[SyntheticReport], held_out: list[SyntheticReport]
) -> None:
    planted = 0
    for r in tuning + held_out:
        text = nfkc(render(r.spec, "txt")[0].decode("utf-8"))
        if "plant" not in r.variety.families:  # type: ignore[union-attr]
            assert r.truth.findings == [] and r.knobs.contradictions == 0, r.name
            continue
        planted += 1
        assert len(r.truth.findings) == r.knobs.contradictions >= 1, r.name
        for finding in r.truth.findings:
            (path,) = finding.paths
            wrong, right = (item.value for item in finding.items)
            assert wrong.value != right.value and wrong.raw in text and right.raw in text
            section, field = path.split(".")
            assert getattr(getattr(r.truth, section), field).value == right.value
    assert 0.2 < planted / len(tuning + held_out) < 0.6


def test_units_of_every_kind_appear(used_by_split: dict[str, set[str]]) -> None:
    names = [
        str(r.truth.report.department.value)  # type: ignore[union-attr]
        for r in varied_suite(REACH, "held_out")
    ]
    suffixes = ("中学", "小学", "幼儿园", "卫生院", "医院", "中心", "站", "所", "局")
    found = {s for s in suffixes for n in names if n.endswith(s)}
    assert found == set(suffixes)
    assert any(n.startswith("政协") and n.endswith("委员会办公室") for n in names)
    assert any(n.endswith("街道办事处") for n in names)
    assert any(n.endswith("镇人民政府") for n in names) and any(
        n.endswith("乡人民政府") for n in names
    )
    assert any(n.endswith("发展和改革委员会") for n in names)


# --- rendering --------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["ruled", "borderless", "spaced", "flattened"])
def test_every_renderer_handles_each_table_style_of_a_varied_report(style: str) -> None:
    report = next(
        r
        for r in varied_suite(200, "held_out")
        if r.variety.families["table_style"] == (style,) and r.spec.tables()  # type: ignore[union-attr]
    )
    for fmt in ("txt", "docx", "pdf"):
        (data,) = render(report.spec, fmt, report.seed)
        doc = read_document(data, f"report.{fmt}")
        assert nfkc(report.truth.budget.total_expenditure.raw).replace(" ", "") in (  # type: ignore[union-attr]
            doc.text.replace(" ", "")
        )
    pdf = render(report.spec, "pdf")[0]
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        rules = sum(len(page.get_drawings()) for page in doc)
    header_rules = len(doc_pages(pdf)) if report.spec.header else 0
    assert (rules > header_rules) == (style == "ruled")


def doc_pages(pdf: bytes) -> list[int]:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return list(range(len(doc)))


def test_a_varied_set_is_written_with_truth_and_variants(tmp_path: Path) -> None:
    manifest = write_varied_set(tmp_path, 2, "held_out", start_seed=5, formats=(Format.txt,))
    first = manifest["documents"][0]
    assert first["name"] == "varied_held_out_0005" and first["split"] == "held_out"
    assert f"layout:{first['layout']}" in first["tests"]
    truth = json.loads((tmp_path / first["truth"]).read_text(encoding="utf-8"))
    assert truth == json.loads(make_varied(5, "held_out").truth_json())
    text = (tmp_path / first["files"]["txt"][0]).read_text(encoding="utf-8")
    assert truth["report"]["fiscal_year"]["raw"] in text
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8")) == manifest


def test_same_seed_same_bytes_in_fresh_interpreters() -> None:
    """Nothing depends on the process (hash seed, set order): other runs give the same bytes."""
    code = (
        "import hashlib;from service.synth import render;"
        "from service.synth.variety import make_varied;"
        "r=make_varied(13,'held_out');"
        "print(hashlib.sha256(r.truth_json().encode()).hexdigest());"
        "print(hashlib.sha256(render(r.spec,'txt')[0]).hexdigest())"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1
    report = make_varied(13, "held_out")
    truth = hashlib.sha256(report.truth_json().encode()).hexdigest()
    assert outs.pop().split() == [truth, hashlib.sha256(render(report.spec, "txt")[0]).hexdigest()]
