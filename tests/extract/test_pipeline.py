"""The pipeline's contract (options, status, notes, timings), the API's reads, the CLI,
bad input, and speed."""

from __future__ import annotations

from typing import Any

import pytest

from service.cli import main
from service.document import PAGE_BREAK
from service.extract import ExtractOptions, LLMUnavailableError, extract
from service.extract.pipeline import NO_LLM_NOTE
from service.ingest import read_document, read_path
from service.records import SCHEMA_VERSION
from tests.extract.docs import text_doc
from tests.extract.seeds import seed_path


def test_auto_without_llm_uses_rules_and_says_so() -> None:
    result = extract(read_path(seed_path("seed_000")))
    assert result.status == "success" and result.errors == []
    assert result.notes == [NO_LLM_NOTE]
    assert result.export.extractor.name in ("rules", "auto")
    assert set(result.timings) >= {"rules", "checks"}
    # What the API helper reads from the stored export:
    data = result.export.model_dump(mode="json")
    assert data["report"]["department"]["value"] == "益阳市生态环境保护综合行政执法支队"
    assert data["report"]["fiscal_year"]["value"] == 2021
    assert len(data["findings"]) == 8


def test_rules_only_has_no_note() -> None:
    result = extract(read_path(seed_path("seed_002")), ExtractOptions(extractor="rules"))
    assert result.notes == [] and result.status == "success"


def test_llm_without_endpoint_is_a_clear_error() -> None:
    with pytest.raises(LLMUnavailableError):
        extract(read_path(seed_path("seed_002")), ExtractOptions(extractor="llm"))


def test_a_document_with_nothing_to_extract() -> None:
    result = extract(text_doc(["这是一份与绩效无关的短文。", "没有任何数字。"]))
    assert result.status == "success"
    e = result.export
    assert e.findings == [] and e.indicators == [] and e.projects == []
    assert "report.department" in e.missing and "budget.total_expenditure" in e.missing


def test_a_rules_bug_becomes_a_failed_status(monkeypatch: pytest.MonkeyPatch) -> None:
    import service.extract.pipeline as pipeline

    def boom(doc):  # noqa: ANN001, ANN202
        raise RuntimeError("bug")

    monkeypatch.setattr(pipeline, "extract_rules", boom)
    result = extract(read_path(seed_path("seed_000")), ExtractOptions(extractor="rules"))
    assert result.status == "failed"
    assert [(e.stage, "bug" in e.message) for e in result.errors] == [("rules", True)]
    assert result.export.document.filename == "000_de21ebe0f04bc952.txt"


def _rules(seed: str) -> Any:
    return extract(
        read_document(seed_path(seed).read_bytes(), f"{seed}.txt"), ExtractOptions()
    ).export


def test_twenty_pages_read_as_one_document() -> None:
    """Both seeds cut into 20 pages (≈15 000 characters, four tables), read as one text
    file, give the indicator rows and the 三公 table of both seeds. (Speed is measured by
    eval/bench_speed.py, not asserted here: a timed assertion fails on a busy machine.)"""
    lines = (
        seed_path("seed_000").read_text(encoding="utf-8")
        + "\n"
        + seed_path("seed_002").read_text(encoding="utf-8")
    ).split("\n")
    step = len(lines) // 20 + 1
    pages = ["\n".join(lines[i : i + step]) for i in range(0, len(lines), step)]
    doc = read_document(PAGE_BREAK.join(pages).encode("utf-8"), "twenty.txt")
    assert len(doc.pages) == 20
    result = extract(doc, ExtractOptions(extractor="rules"))
    assert result.status == "success"
    names = {row.level3.value for row in result.export.indicators if row.level3}
    # the page breaks cut no row: what is read is one seed's whole table, row for row
    alone = [
        {row.level3.value for row in _rules(seed).indicators if row.level3}
        for seed in ("seed_000", "seed_002")
    ]
    assert names in alone, sorted(names)


# --- CLI --------------------------------------------------------------------------------


def test_cli_extract_json_and_auto_note(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["extract", str(seed_path("seed_002"))]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["report"]["budget_code"]["value"] == "089014"
    assert err.count("rules") == 1 and "No LLM" in err


def test_cli_extract_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["extract", str(seed_path("seed_000")), "--extractor", "rules", "--format", "table"])
        == 0
    )
    out, err = capsys.readouterr()
    assert "budget.project_expenditure" in out and "53.5万元" in out
    assert "Findings 发现 (8)" in out and "conflict" in out
    assert err == ""


def test_cli_llm_without_endpoint_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(seed_path("seed_000")), "--extractor", "llm"]) == 2
    _, err = capsys.readouterr()
    assert "JIXIAO_LLM_BASE_URL" in err


def test_cli_bad_file_exits_2(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    bad = tmp_path / "empty.pdf"
    bad.write_bytes(b"")
    assert main(["extract", str(bad)]) == 2
    assert "jixiao:" in capsys.readouterr().err
