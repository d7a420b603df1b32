"""The nightly job and its documentation say what they do (read as text: no YAML library)."""

from __future__ import annotations

import re

from tests.conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "nightly-eval.yml"


def test_the_workflow_runs_the_comparison_every_night_and_keeps_the_reports() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert re.search(r'^\s+- cron: "\d+ \d+ \* \* \*"', text, re.M)
    [command] = re.findall(r"^\s+run: (.*jixiao eval.*)$", text, re.M)
    assert "--compare" in command and "--out eval/out/nightly" in command
    assert "eval/out/nightly/report.html" in text and "eval/out/nightly/report.json" in text
    assert "actions/upload-artifact" in text
    # the history the comparison needs survives from one night to the next
    assert text.count(".eval-history") >= 3 and "JIXIAO_DATA_DIR" in text


def test_the_docs_give_a_crontab_and_a_systemd_timer() -> None:
    docs = (REPO / "docs" / "eval.md").read_text(encoding="utf-8")
    assert re.search(r"^\d+ \d+ \* \* \* .*jixiao eval --compare", docs, re.M)
    assert "OnCalendar=" in docs and "ExecStart=" in docs and "jixiao-eval.timer" in docs


def test_the_workflow_installs_the_local_model_for_its_local_row() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    [install] = re.findall(r"^\s+run: (.*pip install.*)$", text, re.M)
    assert "'.[local-llm]'" in install  # `--extractor all` then includes `local`
    assert "--extractor all" in text
