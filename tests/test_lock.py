"""requirements.lock covers pyproject.toml: every runtime dependency (and the postgres
extra) pinned to a version its specifier allows, every pin with hashes, and the Dockerfile
installs from the lock with hashes required. A dependency added to pyproject.toml without
locking it again fails here, not in a production build."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]


def locked() -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes)."""
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    out: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", block)
        if head:
            name = canonicalize_name(head.group(1))
            out[name] = (head.group(2), len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block)))
    return out


def test_every_dependency_is_locked_with_hashes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["postgres"]]
    lock = locked()
    assert len(lock) >= len(wanted)
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in lock, f"{req} is not in requirements.lock: lock it again"
        version, _ = lock[name]
        assert req.specifier.contains(version, prereleases=True), f"{req} but locked {version}"
        for extra in req.extras:  # psycopg[binary] → psycopg-binary
            assert canonicalize_name(f"{req.name}-{extra}") in lock, f"{req}: {extra} not locked"
    unhashed = [name for name, (_, hashes) in lock.items() if hashes == 0]
    assert not unhashed, f"pinned without hashes: {unhashed}"


def test_the_image_installs_from_the_lock() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    steps = [line.strip() for line in dockerfile.splitlines() if line.startswith("RUN pip")]
    assert steps[0] == "RUN pip install --require-hashes -r requirements.lock"
    assert all("--no-deps" in step for step in steps[1:]) and len(steps) >= 2
    assert "COPY requirements.lock" in dockerfile
