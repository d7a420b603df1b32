"""The evaluation set: the committed manifest, reproducible synthetic documents, the file
cache, unscored paths and adding a reviewer-approved document."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from eval import dataset
from eval.approve import approve, label_from_export
from eval.dataset import (
    DEFAULT_SET,
    Entry,
    Item,
    Materializer,
    SynthSource,
    VariedSource,
    items,
    load_manifest,
    synth_report,
)
from eval.varied import varied_entries
from service.synth.reports import TEMPLATES
from tests.conftest import seeds_dir


def test_the_committed_manifest_describes_the_set() -> None:
    manifest, set_dir = load_manifest(DEFAULT_SET)
    seeds = [d for d in manifest.documents if d.source.kind == "seed"]
    synthetic = [d for d in manifest.documents if d.source.kind == "synth"]
    assert len(synthetic) >= 20
    assert {d.source.template for d in synthetic} == set(TEMPLATES)  # type: ignore[union-attr]
    assert {f for d in synthetic for f in d.formats} >= {"txt", "pdf", "scan", "docx"}
    assert len(seeds) == 2
    for seed in seeds:
        # every format of a seed shares its one hand label
        assert set(seed.formats) == {"txt", "pdf", "scan", "docx"}
        assert seed.label == f"../labels/{seed.id}.json"
        vendored = (set_dir / seed.source.path).read_bytes()  # type: ignore[union-attr]
        assert hashlib.sha256(vendored).hexdigest() == seed.source.sha256  # type: ignore[union-attr]
        # the copy in the set is the original seed, byte for byte
        assert vendored == (seeds_dir() / Path(seed.source.path).name).read_bytes()  # type: ignore[union-attr]
    assert all(d.tests for d in manifest.documents)


def test_synthetic_documents_are_reproducible(tmp_path: Path) -> None:
    source = SynthSource(template="sichuan", seed=4, knobs={"contradictions": 2})
    first = synth_report(source)
    dataset._SYNTH_CACHE.clear()
    second = synth_report(source)
    assert first is not second and first.truth == second.truth
    assert [f["kind"] for f in first.truth["findings"]] == ["conflict", "conflict"]

    entry = Entry(id="s", source=source, formats=["txt"], tests=["x"])
    item = Item(entry, "txt", tmp_path)
    made = Materializer(tmp_path / "cache").file_bytes(item)
    [cached] = (tmp_path / "cache" / "files").iterdir()
    assert cached.read_bytes() == made
    assert Materializer(tmp_path / "cache").file_bytes(item) == made  # read back, same bytes
    assert Materializer(None).file_bytes(item) == made  # and made afresh, the same again
    other = Item(Entry(id="s", source=source.model_copy(update={"seed": 5}), formats=["txt"],
                       tests=["x"]), "txt", tmp_path)  # fmt: skip
    assert Materializer(tmp_path / "cache").file_bytes(other) != made
    assert len(list((tmp_path / "cache" / "files").iterdir())) == 2


def test_unscored_paths_leave_the_label(tmp_path: Path) -> None:
    source = SynthSource(template="hunan", seed=1, knobs={})
    entry = Entry(id="h", source=source, formats=["pdf"], tests=["x"],
                  unscored=["budget.lines", "report.title"])  # fmt: skip
    label = Materializer(None).label(Item(entry, "pdf", tmp_path))
    assert "lines" not in label["budget"] and "title" not in label["report"]
    assert synth_report(source).truth["budget"]["lines"], "the cached truth is left intact"


def test_filters_select_formats_and_ids() -> None:
    manifest, set_dir = load_manifest(DEFAULT_SET)
    keys = [i.key for i in items(manifest, set_dir, formats=["scan"], only=["seed_"])]
    assert keys == ["seed_000.scan", "seed_002.scan"]


def test_a_reviewer_approved_document_joins_the_set(tmp_path: Path, monkeypatch) -> None:
    set_dir = tmp_path / "eval" / "set"
    set_dir.mkdir(parents=True)
    (tmp_path / "eval" / "labels").mkdir()
    (set_dir / "manifest.json").write_text(json.dumps({"name": "t", "version": 1, "documents": []}))
    monkeypatch.setattr("eval.approve.REPO", tmp_path)
    original = tmp_path / "report.txt"
    original.write_text("2023年度某局部门整体支出绩效自评报告\n基本支出为500.5万元。\n", "utf-8")
    source = {"span": {"start": 20, "end": 27}, "page": 1}
    export = {
        "schema_version": "1.0",
        "extractor": {"name": "rules", "version": "1"},
        "budget": {"basic_expenditure": {"value": 500.5, "unit": "万元", "raw": "500.5万元",
                                         "source": source}},
        "findings": [
            {"kind": "ungrounded", "paths": ["report.title"], "items": []},
            {"kind": "conflict", "paths": ["budget.basic_expenditure"], "items": [{"source": source}]},
        ],
        "missing": ["report.title"],
    }  # fmt: skip
    (tmp_path / "approved.json").write_text(json.dumps(export, ensure_ascii=False), "utf-8")
    entry = approve(tmp_path / "approved.json", original, "county_x_2023", ["a real report"],
                    set_dir)  # fmt: skip
    assert entry.formats == ["txt"] and entry.label == "../labels/county_x_2023.json"
    manifest, _ = load_manifest(set_dir)
    [item] = items(manifest, set_dir)
    label = Materializer(None).label(item)
    assert label["budget"]["basic_expenditure"] == {
        "value": 500.5,
        "unit": "万元",
        "raw": "500.5万元",
    }
    assert label["findings"] == [{"kind": "conflict", "paths": ["budget.basic_expenditure"]}]
    assert label["extractor"]["name"] == "human" and "missing" not in label
    assert Materializer(None).file_bytes(item) == original.read_bytes()
    with pytest.raises(dataset.EvalSetError, match="already has"):
        approve(tmp_path / "approved.json", original, "county_x_2023", ["again"], set_dir)
    assert label_from_export({"findings": []})["findings"] == []


def test_the_varied_documents_are_half_held_out_and_their_scans_sampled() -> None:
    manifest, _ = load_manifest(DEFAULT_SET)
    varied = [d for d in manifest.documents if d.source.kind == "varied"]
    assert len(varied) >= 150
    held_out = [d for d in varied if d.split == "heldout"]
    assert len(held_out) == len(varied) - len(held_out)
    for split in ("tuning", "heldout"):
        mine = [d for d in varied if d.split == split]
        by_format = {f: sum(f in d.formats for d in mine) for f in ("txt", "pdf", "docx", "scan")}
        # every format in every split; OCR only for a sample (it is the slow part)
        assert min(by_format[f] for f in ("txt", "pdf", "docx")) >= len(mine) // 4
        assert 3 <= by_format["scan"] <= len(mine) // 10
        # a scan is read beside its text layer, so the two can be compared
        assert all("pdf" in d.formats for d in mine if "scan" in d.formats)
    assert varied == [Entry.model_validate(e) for e in varied_entries()], (
        "the manifest holds what eval/varied.py draws: rewrite it with python -m eval.varied --write"
    )


def test_a_varied_document_is_generated_in_its_split(tmp_path: Path) -> None:
    entry = Entry(
        id="v", source=VariedSource(seed=3, split="heldout"), formats=["txt"], tests=["x"]
    )
    item = Item(entry, "txt", tmp_path)
    materializer = Materializer(None)
    families = materializer.families(item)
    held_out = materializer.held_out_families(item)
    assert families[0] == "generator.varied"
    assert any(f.startswith("layout.") for f in families)
    assert held_out and set(held_out) <= set(families)
    label = materializer.label(item)
    assert label["report"] and "findings" in label
    text = materializer.file_bytes(item).decode("utf-8")
    # the document itself never says which split it is in
    assert "held_out" not in text and "heldout" not in text
    other = {"id": "t", "source": VariedSource(seed=3, split="tuning")}
    tuning = Item(entry.model_copy(update=other), "txt", tmp_path)
    assert materializer.held_out_families(tuning) == []
    assert materializer.file_bytes(tuning) != materializer.file_bytes(item)


def test_the_fingerprint_follows_the_varied_generator(monkeypatch) -> None:
    manifest, _ = load_manifest(DEFAULT_SET)
    templates_only = manifest.model_copy(
        update={"documents": [d for d in manifest.documents if d.source.kind != "varied"]}
    )
    before = dataset.set_fingerprint(manifest), dataset.set_fingerprint(templates_only)
    monkeypatch.setattr("service.synth.variety.VARIETY_VERSION", "changed")
    after = dataset.set_fingerprint(manifest), dataset.set_fingerprint(templates_only)
    assert after[0] != before[0]  # --compare says the set changed
    assert after[1] == before[1]  # a set without varied documents does not depend on it
