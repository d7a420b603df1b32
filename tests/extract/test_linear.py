"""Extraction grows linearly with the document: a long upload must not hold a worker for
minutes (a 585 KB one-line text took 127 s when metadata cues were compared pairwise)."""

from __future__ import annotations

from typing import Any

import pytest

import service.extract.meta as meta
from service.extract.rules import extract_rules
from service.ingest import read_document

SENTENCE = (
    "本单位2023年度支出合计1905.33万元，其中基本支出1702.18万元，项目支出203.15万元，"
    "全年办理案件157件，办结率95%。"
)


def _comparisons(monkeypatch: pytest.MonkeyPatch, repeats: int) -> int:
    calls = 0
    real = meta.same_value

    def counting(a: Any, b: Any) -> bool:
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(meta, "same_value", counting)
    doc = read_document((SENTENCE * repeats).encode(), "long.txt")
    export = extract_rules(doc).export
    assert export.report.fiscal_year is not None and export.report.fiscal_year.value == 2023
    return calls


def test_metadata_cues_are_compared_linearly(monkeypatch: pytest.MonkeyPatch) -> None:
    small = _comparisons(monkeypatch, 200)
    large = _comparisons(monkeypatch, 800)
    assert large <= 5 * max(small, 1), (small, large)  # four times the text, not sixteen
