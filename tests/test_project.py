"""Checks on the repository itself: Dockerfile, CI entry point, README, import layers."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_dockerfile_installs_this_package_and_serves_its_port() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", text, re.M)
    # installs the package from the copied source, not some other name from a registry
    assert re.search(r'pip install "\.(\[[a-z0-9,]+\])?"', text)
    for path in ("pyproject.toml", "service"):
        assert re.search(rf"^COPY .*{path}", text, re.M), path
    port = re.search(r"^EXPOSE (\d+)", text, re.M).group(1)
    cmd = re.search(r"^CMD \[(.*)\]", text, re.M).group(1)
    assert '"jixiao", "serve"' in cmd
    assert f'"--port", "{port}"' in cmd and '"0.0.0.0"' in cmd
    assert "jixiao" in PYPROJECT["project"]["scripts"]
    assert f":{port}/healthz" in text


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, re.S)
    assert len(blocks) >= 2, "README opens with the run command and the test command"
    test_command = blocks[1].strip().splitlines()[-1].strip()
    assert "pytest" in test_command
    assert test_command in ci, "CI must run exactly the README's test command"


def test_import_layers_hold() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    lint = str(exe) if exe.exists() else shutil.which("lint-imports")
    assert lint, "import-linter is part of the test extras"
    run = subprocess.run([lint], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
