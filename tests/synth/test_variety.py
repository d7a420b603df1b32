"""Varied reports: deterministic, split-clean, with exact truth that stands in the text."""

from __future__ import annotations

import pytest

from service.synth import SyntheticReport
from service.synth.variety import (
    HELD_OUT_LAYOUTS,
    SPLITS,
    make_varied,
    split_of,
    varied_suite,
)

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
