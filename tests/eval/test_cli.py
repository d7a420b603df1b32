"""``jixiao eval`` as a person runs it: the real CLI, the real rules extractor, a tiny set.

The subprocess runs from a folder outside the repository, where ``eval`` is not importable:
the command must find eval/ beside service/ by itself, and the service must not import
eval/ for any other command.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from service.cli import main


def _args(set_dir: Path, out: Path, db: Path, *extra: str) -> list[str]:
    return [
        "eval", "--set", str(set_dir), "--out", str(out), "--database-url", f"sqlite:///{db}",
        "--quiet", "--no-cache", *extra,
    ]  # fmt: skip


def test_jixiao_eval_writes_both_reports_and_compares(
    tiny_set: Path,
    tmp_path: Path,
    capsys,
) -> None:
    db = tmp_path / "runs.db"
    assert main(_args(tiny_set, tmp_path / "a", db)) == 0
    assert (tmp_path / "a" / "report.json").is_file() and (tmp_path / "a" / "report.html").is_file()
    # the same code on the same set again: nothing dropped
    assert main(_args(tiny_set, tmp_path / "b", db, "--compare")) == 0
    out = capsys.readouterr().out
    assert "rules: F1" in out and "compare vs run 1" in out and ": ok" in out
    report = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))
    assert report["extractors"]["rules"]["comparison"]["previous_id"] == 1


def test_bad_arguments_are_one_readable_line(tiny_set: Path, tmp_path: Path, capsys) -> None:
    assert main(_args(tiny_set, tmp_path, tmp_path / "db", "--threshold", "3")) == 2
    assert "--threshold 3.0 is not between 0 and 1" in capsys.readouterr().err
    assert main(_args(tmp_path / "missing", tmp_path, tmp_path / "db")) == 2
    assert "no manifest" in capsys.readouterr().err


def test_the_console_command_finds_eval_from_anywhere(tiny_set: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = _args(tiny_set, tmp_path / "out", tmp_path / "db")
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=elsewhere, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "rules: F1" in run.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, service.cli; print('eval' in sys.modules)"],
        cwd=elsewhere, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert probe.stdout.strip() == "False"  # the service never imports eval/ on its own


def test_a_split_is_selected_and_its_row_printed(tiny_set: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "runs.db"
    assert main(_args(tiny_set, tmp_path / "s", db, "--split", "seeds")) == 0
    out = capsys.readouterr().out
    assert "by split (held-out is the figure that counts)" in out
    [seeds_row] = [line for line in out.splitlines() if line.strip().startswith("seeds")]
    assert seeds_row.split()[1:3] == ["1", "100.0%"]  # one document, its 4 scalars all read
    report = json.loads((tmp_path / "s" / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["splits"] == ["seeds"]
    assert report["documents"][0]["split"] == "seeds"
    # the tiny set has no held-out document: nothing to run is a bad request
    assert main(_args(tiny_set, tmp_path / "h", db, "--split", "heldout")) == 2
    assert "no documents selected" in capsys.readouterr().err
