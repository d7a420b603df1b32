"""eval.twins: a newer format against its twin, per record type, and the 0.02 bar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.twins import main, twin_figures


def _doc(doc_id: str, fmt: str, **record_types: float) -> dict:
    return {"id": doc_id, "format": fmt, "extractor": "rules", "record_types": record_types}


DOCS = [
    _doc("a", "docx", indicators=1.0, budget=0.9),
    _doc("a", "html", indicators=1.0, budget=0.9),
    _doc("b", "docx", indicators=0.8, budget=1.0),
    _doc("b", "html", indicators=0.8, budget=0.94),  # budget: 0.95 vs 0.92 over the pair
    _doc("c", "pdf", indicators=1.0),
    _doc("c", "scan", indicators=0.5),  # listed, never held to the bar
    _doc("d", "xlsx", indicators=1.0),  # no twin read: not compared
]


def test_pairs_the_same_documents_and_averages_each_record_type() -> None:
    figures = {f.fmt: f for f in twin_figures(DOCS)}
    assert set(figures) == {"html", "scan"}
    html = figures["html"]
    assert (html.twin, html.documents) == ("docx", 2)
    assert html.record_types["budget"] == pytest.approx((0.92, 0.95))
    assert html.largest_drop == pytest.approx((0.03, "budget"))


@pytest.mark.parametrize(("tolerance", "code"), [(0.02, 1), (0.04, 0)])
def test_exit_code_holds_the_bar(tolerance: float, code: int, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"documents": DOCS}), encoding="utf-8")
    assert main([str(report), "--tolerance", str(tolerance)]) == code
