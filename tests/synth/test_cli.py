"""``jixiao synth``: files, truth and manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from service.records import ReportExport


def test_synth_writes_files_truth_and_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "set"
    assert (
        main(
            [
                "synth",
                "--out",
                str(out),
                "--count",
                "2",
                "--seed",
                "4",
                "--formats",
                "txt,docx",
                "--seeds",
            ]
        )
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    docs = {d["name"]: d for d in manifest["documents"]}
    assert set(docs) == {
        "000_de21ebe0f04bc952",
        "002_8a698bcfafd5a356",
        "synth_hunan_0004",
        "synth_sichuan_0005",
    }
    for doc in docs.values():
        for names in doc["files"].values():
            assert all((out / n).is_file() for n in names)
    truth = out / docs["synth_hunan_0004"]["truth"]
    export = ReportExport.model_validate_json(truth.read_text(encoding="utf-8"))
    assert export.report.department is not None
    assert docs["000_de21ebe0f04bc952"]["truth"] is None
    assert "4 documents" in capsys.readouterr().out


def test_synth_refuses_an_unknown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["synth", "--out", str(tmp_path), "--count", "1", "--formats", "pdf,odt"]) == 2
    assert "odt" in capsys.readouterr().err
