"""Synthetic reports of other templates (service.synth: Hunan, Sichuan-style headings and
column names, prose-only figures, amounts in 元, full-width digits, planted contradictions)
extract to their truth; a consistent report gives no finding at all."""

from __future__ import annotations

from functools import cache

import pytest

from service.extract import ExtractionResult, extract
from service.ingest import read_document
from service.synth import Knobs, SyntheticReport, make_report, render
from tests.extract.compare import compare_export, finding_keys, metric_recall
from tests.extract.grounding import ungrounded

TEMPLATES = ["hunan", "sichuan", "prose_only"]


@cache
def _extract(seed: int, template: str, fmt: str, knobs_json: str | None = None) -> tuple:
    knobs = Knobs.model_validate_json(knobs_json) if knobs_json else None
    rep: SyntheticReport = make_report(seed, template, knobs)
    doc = read_document(render(rep.spec, fmt)[0], f"{template}-{seed}.{fmt}")
    return rep, doc, extract(doc)


def _assert_matches_truth(rep: SyntheticReport, doc, result: ExtractionResult) -> None:  # noqa: ANN001
    truth = rep.truth.model_dump(mode="json")
    pred = result.export.model_dump(mode="json")
    cmp = compare_export(truth, pred, partial=True)
    assert cmp.wrong == [], f"{rep.name}: {cmp.wrong}"
    found, total, missed = metric_recall(truth, pred)
    assert found == total, missed
    assert finding_keys(pred["findings"]) == finding_keys(truth["findings"])
    assert ungrounded(result.export, doc) == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("template", TEMPLATES)
def test_text_rendering_matches_truth(template: str, seed: int) -> None:
    _assert_matches_truth(*_extract(seed, template, "txt"))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_other_renderings_match_truth(template: str, fmt: str) -> None:
    _assert_matches_truth(*_extract(1, template, fmt))


@pytest.mark.parametrize("template", TEMPLATES)
def test_consistent_report_gives_no_finding(template: str) -> None:
    knobs = Knobs(contradictions=0, yuan=template == "prose_only", thousands=True, fullwidth=True)
    rep, _, result = _extract(5, template, "txt", knobs.model_dump_json())
    assert rep.truth.findings == []
    assert result.export.findings == [], [f.message_en for f in result.export.findings]


@pytest.mark.parametrize("template", TEMPLATES)
def test_planted_contradictions_are_found_and_resolved_by_arithmetic(template: str) -> None:
    knobs = Knobs(contradictions=2)
    rep, _, result = _extract(7, template, "txt", knobs.model_dump_json())
    planted = finding_keys(rep.truth.model_dump(mode="json")["findings"])
    assert planted and planted <= finding_keys(result.export.model_dump(mode="json")["findings"])
    for kind, path in planted:
        assert kind == "conflict"
        node_truth, node_pred = rep.truth, result.export
        for name in path.split("."):
            node_truth, node_pred = getattr(node_truth, name), getattr(node_pred, name)
        assert node_pred.value == pytest.approx(node_truth.value), path  # the true figure kept


def _items(export: dict, name: str) -> list[tuple[str, str]]:
    from tests.extract.compare import norm_text

    return [
        (norm_text((i.get("title") or {}).get("value")), norm_text(i["text"]["value"]))
        for i in export[name]
    ]


@pytest.mark.parametrize("template", TEMPLATES)
def test_list_records_have_no_extras(template: str) -> None:
    # The truth comparison above is partial (every true value found); this one is the
    # other way round for the list records: nothing read that is not in the report's lists.
    rep, _, result = _extract(2, template, "txt")
    truth = rep.truth.model_dump(mode="json")
    pred = result.export.model_dump(mode="json")
    for name in ("problems", "measures"):
        assert _items(pred, name) == _items(truth, name), name
    true_texts = {t for _, t in _items(truth, "achievements")}
    extra = [t for _, t in _items(pred, "achievements") if t not in true_texts]
    assert extra == []  # e.g. no indicator sentence, no score sentence taken as a result
