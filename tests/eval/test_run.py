"""The evaluation run end to end on a tiny set made here, with extractors injected.

A good extractor and a deliberately broken one (it drops 基本支出) run over the same set;
the runs are stored in a throwaway SQLite database through the service's own table, and
``--compare`` must fail on the broken one. Nothing here needs the real extractor.
"""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from eval.dataset import EvalSetError, load_manifest
from eval.history import DatabaseRunStore, MemoryRunStore
from eval.run import EvalOptions, run_eval
from tests.eval.tinyset import LABEL, TEXT


def good_extractor(document: Any) -> dict[str, Any]:
    """The label, with every value grounded in the document text."""
    export = copy.deepcopy(LABEL)
    for section in ("staffing", "budget"):
        for value in export[section].values():
            start = document.text.index(value["raw"])
            value["source"] = {"span": {"start": start, "end": start + len(value["raw"])}}
    export["extractor"] = {"name": "rules", "version": "test"}
    return export


def broken_extractor(document: Any) -> dict[str, Any]:
    export = good_extractor(document)
    export["budget"]["basic_expenditure"] = None
    return export


def _options(tiny_set: Path, out: Path, **kw: Any) -> EvalOptions:
    return EvalOptions(set_path=tiny_set, out_dir=out, cache_dir=out / "cache", compare=True, **kw)


def test_a_broken_extractor_makes_compare_fail(tiny_set: Path, tmp_path: Path) -> None:
    store = DatabaseRunStore(f"sqlite:///{tmp_path / 'runs.db'}")
    err = io.StringIO()
    first = run_eval(
        _options(tiny_set, tmp_path / "r1"), {"rules": good_extractor}, store=store, stream=err
    )
    assert "eval 1/1 tiny.txt" in err.getvalue()  # the progress, one line per step off a tty
    assert not first.failed
    assert first.runs["rules"].summary["overall"]["f1"] == 1.0
    assert first.comparisons["rules"].previous_id is None

    second = run_eval(
        _options(tiny_set, tmp_path / "r2"), {"rules": broken_extractor}, store=store, stream=err
    )
    comparison = second.comparisons["rules"]
    assert second.failed
    assert comparison.previous_id == first.runs["rules"].id
    # the field, and the seeds' stated scalars read right (3 of 4): the figure steered by
    assert comparison.regressions == {
        "budget.basic_expenditure": (1.0, 0.0),
        "split.seeds.scalars_recall": (1.0, 0.75),
    }
    assert second.runs["rules"].summary["overall"]["f1"] == pytest.approx(6 / 7)

    # and the stored history holds both runs, oldest first, with what they ran with
    history = store.history("tiny", "rules")
    assert [r.id for r in history] == [first.runs["rules"].id, second.runs["rules"].id]
    assert history[-1].summary["fields"]["budget.basic_expenditure"]["fn"] == 1
    assert history[-1].n_documents == 1 and history[-1].seconds > 0
    # the split figures survive the database, so the next --compare can see them drop
    assert history[0].generalisation["splits"]["seeds"]["scalars_recall"] == 1.0
    assert history[-1].generalisation["splits"]["seeds"]["scalars_recall"] == 0.75
    store.close()


def test_compare_passes_within_the_threshold(tiny_set: Path, tmp_path: Path) -> None:
    store = MemoryRunStore()
    run_eval(_options(tiny_set, tmp_path / "a"), {"rules": good_extractor}, store, io.StringIO())
    again = run_eval(
        _options(tiny_set, tmp_path / "b", threshold=1.0),
        {"rules": broken_extractor},
        store,
        io.StringIO(),
    )
    assert not again.failed  # a drop of 1.0 is not more than a threshold of 1.0


def test_the_reports_are_written_and_self_contained(tiny_set: Path, tmp_path: Path) -> None:
    store = MemoryRunStore()
    out = tmp_path / "out"
    run_eval(_options(tiny_set, out), {"rules": good_extractor}, store, io.StringIO())
    result = run_eval(
        _options(tiny_set, out), {"rules": broken_extractor, "llm": good_extractor}, store,
        io.StringIO(),
    )  # fmt: skip
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["set"] == {
        "name": "tiny", "version": 1, "fingerprint": report["run"]["set"]["fingerprint"],
        "documents": 1, "items": 1,
    }  # fmt: skip
    assert set(report["extractors"]) == {"rules", "llm"}
    [doc] = [d for d in report["documents"] if d["extractor"] == "rules"]
    [diff] = doc["diffs"]
    assert (diff["path"], diff["verdict"], diff["expected"]) == (
        "budget.basic_expenditure", "missing", "500.5万元",
    )  # fmt: skip
    assert len(report["history"]["rules"]) == 2

    html = (out / "report.html").read_text(encoding="utf-8")
    assert result.out_dir == out
    # self-contained: nothing to fetch (the SVG namespace URI is a name, not a request)
    without_ns = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"https?://|<script|<link|@import|url\(", without_ns)
    assert "<svg" in html and "<polyline" in html  # the trend of the two runs
    for text in ("按输入格式", "By input format", "最差的文档", "Worst documents"):
        assert text in html  # Chinese first, the English beside it
    for text in ("budget.basic_expenditure", "500.5万元", "遗漏", "missing"):
        assert text in html
    # the generalisation section: the seeds row of the broken run, 3 of 4 scalars read
    assert "留出集的数字才算数。" in html
    assert "The held-out split is the figure that counts." in html
    seeds = report["extractors"]["rules"]["generalisation"]["splits"]["seeds"]
    assert seeds["scalars"] == {"stated": 4, "right": 3.0} and seeds["scalars_recall"] == 0.75
    assert re.search(r'<b>种子集 <span class="en">seeds</span></b>.*?<b>75\.0</b>', html, re.S)
    # and the stored run keeps it
    assert store.history("tiny", "rules")[-1].generalisation["splits"]["seeds"] == seeds


def test_a_failing_extractor_counts_as_an_empty_extraction(tiny_set: Path, tmp_path: Path) -> None:
    def crashing(document: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    result = run_eval(
        _options(tiny_set, tmp_path / "o"), {"rules": crashing}, MemoryRunStore(), io.StringIO()
    )
    summary = result.runs["rules"].summary
    assert summary["overall"]["tp"] == 0 and summary["overall"]["fn"] == 4
    [doc] = result.report["documents"]
    assert doc["errors"] == ["extract: RuntimeError: boom"]


def test_bad_manifests_are_input_errors(tmp_path: Path, tiny_set: Path) -> None:
    with pytest.raises(EvalSetError, match="no manifest"):
        load_manifest(tmp_path / "nowhere.json")
    manifest = json.loads((tiny_set / "manifest.json").read_text())
    manifest["documents"].append(manifest["documents"][0])
    (tiny_set / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(EvalSetError, match="duplicate document ids: tiny"):
        load_manifest(tiny_set)
    manifest["documents"].pop()
    (tiny_set / "manifest.json").write_text(json.dumps(manifest))
    (tiny_set / "seeds" / "tiny.txt").write_text(TEXT + "改", encoding="utf-8")
    with pytest.raises(EvalSetError, match="changed"):
        run_eval(_options(tiny_set, tmp_path / "x"), {"rules": good_extractor}, MemoryRunStore())


class _LocalStandIn:
    """The ``local`` row's scoping and lifetime, with the label standing in for the model."""

    def __init__(self) -> None:
        from eval.run import LocalExtractor

        self.scope = LocalExtractor()
        self.calls: list[str] = []
        self.closed = False

    def applies(self, item: Any) -> bool:
        return self.scope.applies(item)

    def __call__(self, document: Any) -> dict[str, Any]:
        self.calls.append(document.source.format.value)
        return good_extractor(document)

    def close(self) -> None:
        self.closed = True


def test_the_local_row_covers_the_seeds_as_text_and_is_closed(
    tiny_set: Path, tmp_path: Path
) -> None:
    manifest = json.loads((tiny_set / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"][0]["formats"] = ["txt", "docx"]
    (tiny_set / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    local = _LocalStandIn()
    result = run_eval(
        _options(tiny_set, tmp_path / "r"),
        {"rules": good_extractor, "local": local},
        MemoryRunStore(),
        io.StringIO(),
    )
    assert local.calls == ["text"] and local.closed
    assert result.runs["rules"].n_documents == 2 and result.runs["local"].n_documents == 1
    assert result.runs["local"].summary["overall"]["f1"] == 1.0
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert set(report["extractors"]) == {"rules", "local"}


def test_local_joins_all_only_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    from eval import run

    monkeypatch.setattr(run, "llm_configured", lambda: False)
    monkeypatch.setattr(run, "local_installed", lambda: False)
    assert run.resolve_extractors(["all"]) == ["rules"]
    with pytest.raises(EvalSetError, match="local-llm"):
        run.resolve_extractors(["local"])
    monkeypatch.setattr(run, "local_installed", lambda: True)
    assert run.resolve_extractors(["all"]) == ["rules", "local"]
    assert isinstance(run.service_extractor("local"), run.LocalExtractor)


def test_documents_no_extractor_applies_to_are_not_read(tiny_set: Path, tmp_path: Path) -> None:
    manifest = json.loads((tiny_set / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"][0]["formats"] = ["txt", "docx"]
    (tiny_set / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    err = io.StringIO()
    local = _LocalStandIn()
    result = run_eval(_options(tiny_set, tmp_path / "r"), {"local": local}, MemoryRunStore(), err)
    assert "tiny.docx" not in err.getvalue() and "eval 1/1 tiny.txt" in err.getvalue()
    assert result.runs["local"].n_documents == 1


def test_each_run_keeps_its_own_report(tiny_set: Path, tmp_path: Path) -> None:
    store = MemoryRunStore()
    out = tmp_path / "nightly"
    first = run_eval(_options(tiny_set, out), {"rules": good_extractor}, store, io.StringIO())
    second = run_eval(_options(tiny_set, out), {"rules": broken_extractor}, store, io.StringIO())
    a, b = Path(first.runs["rules"].report_path), Path(second.runs["rules"].report_path)
    assert a != b and a.is_file() and b.is_file()
    assert a.is_relative_to(out / "runs") and (a.parent / "report.json").is_file()
    # the first run's report still says what the first run found; report.html is the latest
    assert "100.0" in a.read_text(encoding="utf-8")
    assert (out / "report.html").read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    assert a.read_text(encoding="utf-8") != b.read_text(encoding="utf-8")
