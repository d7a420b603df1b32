"""Settling disagreeing figures counts findings without re-running every check: the count
must be ``len(run_checks)`` for every combination the settling tries, and the settled
export the one the full count gives."""

from __future__ import annotations

import itertools

import pytest

from service.extract import rules
from service.extract.basis import annotate
from service.extract.checks import run_checks
from service.extract.resolve import resolve, set_path
from service.extract.sections import build_sections
from service.extract.settle_checks import FindingCounter
from service.ingest import read_document, read_path
from service.synth import Knobs, make_report, render
from tests.extract.seeds import seed_path


def _documents() -> list[tuple[str, bytes, str]]:
    docs = [
        (f"{template}-{seed}", render(make_report(seed, template, knobs).spec, "txt")[0], "r.txt")
        for seed, template, knobs in [
            (3, "hunan", Knobs(contradictions=3)),
            (4, "sichuan", Knobs(contradictions=2, thousands=True)),
            (5, "prose_only", Knobs(contradictions=3)),
        ]
    ]
    for name in ("seed_000", "seed_002"):  # real reports: both state figures twice, unlike
        path = seed_path(name)
        docs.append((name, path.read_bytes(), path.name))
    return docs


DOCUMENTS = _documents()


def _disputed(data: bytes, filename: str):  # type: ignore[no-untyped-def]
    """The state ``settle_conflicts`` starts from, and its disputed paths with options."""
    doc = read_document(data, filename)
    sections = build_sections(doc)
    candidates, export, shares = rules.collect(doc, sections)
    annotate(candidates, doc)
    resolution = resolve(candidates, rules._fiscal_year(candidates))
    rules.apply(export, resolution, doc)
    paths = [
        p
        for p in resolution.groups
        if p.startswith(rules._ARITHMETIC) and resolution.groups[p][0][0].value.number is not None
    ]
    return export, shares, paths, {p: resolution.groups[p] for p in paths}


@pytest.mark.parametrize("name,data,filename", DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_count_is_run_checks_for_every_combination(name: str, data: bytes, filename: str) -> None:
    export, shares, paths, options = _disputed(data, filename)
    counter = FindingCounter(export, shares, paths)
    # the combinations settling tries jointly (or each path alone past 64)
    combos = list(itertools.islice(itertools.product(*(range(len(options[p])) for p in paths)), 64))
    seen = set()
    for combo in combos:
        for path, i in zip(paths, combo, strict=True):
            set_path(export, path, options[path][i][0].value)
        expected = len(run_checks(export, shares))
        assert counter.count(dict(zip(paths, combo, strict=True))) == expected, (name, combo)
        seen.add(expected)
    if name.startswith("seed"):
        return
    # the planted reports do dispute figures, and the choice does change the count
    assert len(paths) >= 1 and len(seen) >= 2, (name, paths, seen)


@pytest.mark.parametrize("name,data,filename", DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_settled_exports_are_the_full_counts(
    name: str, data: bytes, filename: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = read_document(data, filename)
    fast = rules.extract_rules(doc).export.model_dump_json()
    monkeypatch.setattr(rules, "SETTLE_BY_FULL_CHECKS", True)
    assert rules.extract_rules(doc).export.model_dump_json() == fast


def test_count_follows_a_changed_project_sum() -> None:
    """A costly group is remembered per option of the path it reads, not once for all."""
    data = render(make_report(3, "hunan", Knobs(contradictions=3)).spec, "txt")[0]
    export, shares, paths, options = _disputed(data, "r.txt")
    if "budget.project_expenditure" not in paths:
        path = "budget.project_expenditure"
        pytest.fail(f"the planted report no longer disputes {path}: pick another seed")
    counter = FindingCounter(export, shares, paths)
    base = {p: 0 for p in paths}
    counts = set()
    for i, group in enumerate(options["budget.project_expenditure"]):
        for p in paths:
            set_path(export, p, options[p][0][0].value)
        set_path(export, "budget.project_expenditure", group[0].value)
        expected = len(run_checks(export, shares))
        assert counter.count({**base, "budget.project_expenditure": i}) == expected
        counts.add(expected)


def test_seed_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = read_path(seed_path("seed_000"))
    fast = rules.extract_rules(doc).export
    monkeypatch.setattr(rules, "SETTLE_BY_FULL_CHECKS", True)
    assert rules.extract_rules(doc).export == fast
