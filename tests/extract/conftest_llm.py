"""Fixtures of the LLM tests: the scripted OpenAI-compatible server, settings pointing at
it, the seed documents and the seed answers (tests/extract/data/llm_answers_*.json, the
hand-checked answers a good model gives, each quote copied from the seed text).

Imported by the tests/extract/test_llm_*.py modules (``from tests.extract.conftest_llm
import …``): LLM traffic stays off for every other test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import LLMSettings
from service.document import Document
from service.ingest import read_path
from tests.llm_server import ScriptedLLM, oracle

DATA = Path(__file__).parent / "data"
SEEDS = {"000": "000_de21ebe0f04bc952.txt", "002": "002_8a698bcfafd5a356.txt"}


@pytest.fixture(scope="session")
def _llm_server_session() -> Iterator[ScriptedLLM]:
    with ScriptedLLM() as server:
        yield server


@pytest.fixture
def llm_server(_llm_server_session: ScriptedLLM) -> Iterator[ScriptedLLM]:
    """The scripted server, empty: no queue, no fallback, no recorded requests."""
    _llm_server_session.reset()
    yield _llm_server_session
    _llm_server_session.reset()


def make_settings(base_url: str, cache_dir: Path, **overrides: Any) -> LLMSettings:
    values: dict[str, Any] = {
        "base_url": base_url,
        "model": "scripted-model",
        "api_key": "sk-test",
        "cache_dir": cache_dir,
        "timeout_s": 5.0,
        "max_retries": 2,
        "backoff_s": 0.01,
        "max_concurrency": 4,
    }
    values.update(overrides)
    return LLMSettings(**values)


@pytest.fixture
def llm_settings(llm_server: ScriptedLLM, tmp_path: Path) -> LLMSettings:
    return make_settings(llm_server.base_url, tmp_path / "llm-cache")


@pytest.fixture(scope="session")
def seed_docs(seeds: Path) -> dict[str, Document]:
    return {key: read_path(seeds / name) for key, name in SEEDS.items()}


@pytest.fixture(scope="session")
def seed_answers() -> dict[str, dict[str, Any]]:
    return {
        key: json.loads((DATA / f"llm_answers_{key}.json").read_text(encoding="utf-8"))
        for key in SEEDS
    }


def answer_from_seed(server: ScriptedLLM, answers: dict[str, Any]) -> None:
    """Let the server answer every task from ``answers`` (what the request shows of it)."""
    server.fallback = oracle(answers)
