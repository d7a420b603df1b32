"""Suite-wide fixtures: the seeds, a settings override, no network.

LLM traffic is off by default: tests that want it start the local scripted
OpenAI-compatible server themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.config import get_settings
from service.synth.seeds import find_seeds_dir

REPO = Path(__file__).resolve().parents[1]


def seeds_dir() -> Path:
    """The two real reports: $JIXIAO_SEEDS_DIR, or the checked copies in eval/set/seeds."""
    return find_seeds_dir(REPO)


@pytest.fixture(scope="session")
def seeds() -> Path:
    return seeds_dir()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's .env or LLM endpoint by accident."""
    for key in list(os.environ):
        if key.startswith("JIXIAO_") and key != "JIXIAO_SEEDS_DIR":
            monkeypatch.delenv(key, raising=False)
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray ./data or .env from the working tree
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
