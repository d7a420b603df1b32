"""Provider configuration: env names, modes per endpoint, and the request shape each mode
sends (the "tested configuration" of every endpoint in docs/llm.md), against the scripted
OpenAI-compatible server with the real openai client and instructor."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from service.config import LLMSettings, Settings
from service.document import Document
from service.errors import ConfigError
from service.extract.llm.provider import (
    DEFAULT_MODES,
    LLMClient,
    LLMNotConfiguredError,
    guess_provider,
    resolve_mode,
)
from service.extract.llm.schemas import ListsAnswer
from service.extract.llm.usage import CallRecord
from service.extract.pipeline import ExtractOptions, LLMUnavailableError, extract
from tests.extract.conftest_llm import (  # noqa: F401 - fixtures
    _llm_server_session,
    llm_server,
    make_settings,
    seed_docs,
)
from tests.llm_server import Reply, ScriptedLLM

ANSWER = {"problems": [{"text": "预算编制不够精准。"}], "measures": []}
MESSAGES = [
    {"role": "system", "content": "提取问题。"},
    {"role": "user", "content": "1、预算编制不够精准。"},
]


def test_flat_and_nested_env_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("JIXIAO_LLM_MODEL", "qwen2.5-7b-instruct")
    monkeypatch.setenv("JIXIAO_LLM_API_KEY", "sk-secret")
    monkeypatch.setenv("JIXIAO_LLM_MODE", "md_json")
    monkeypatch.setenv("JIXIAO_LLM__TIMEOUT_S", "7")
    llm = Settings().llm
    assert llm.configured and llm.model == "qwen2.5-7b-instruct" and llm.mode == "md_json"
    assert llm.timeout_s == 7 and llm.base_url == "http://127.0.0.1:9/v1"
    assert llm.api_key is not None and "sk-secret" not in repr(llm)  # a secret stays hidden


def test_nothing_configured_by_default() -> None:
    assert not Settings().llm.configured
    with pytest.raises(LLMNotConfiguredError):
        LLMClient(LLMSettings())


def test_a_mode_name_outside_the_list_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_LLM_MODE", "tool_call")
    with pytest.raises(ValueError, match="mode"):
        Settings()


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("https://api.openai.com/v1", "openai"),
        ("https://api.deepseek.com/v1", "deepseek"),
        ("https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen"),
        ("http://localhost:11434/v1", "ollama"),
        ("http://127.0.0.1:8000/v1", "other"),
    ],
)
def test_provider_is_guessed_from_the_url(url: str, provider: str) -> None:
    assert guess_provider(url) == provider


def test_defaults_per_provider_and_explicit_mode_wins() -> None:
    assert DEFAULT_MODES["llamacpp"] == "tools"  # its server refuses json_schema formats
    assert DEFAULT_MODES["deepseek"] == "tools" and DEFAULT_MODES["vllm"] == "json_schema"
    s = LLMSettings(base_url="http://localhost:11434/v1", model="m")
    assert resolve_mode(s) == ("ollama", "json_schema")
    s = LLMSettings(base_url="http://localhost:11434/v1", model="m", mode="tools")
    assert resolve_mode(s) == ("ollama", "tools")


def _call(server: ScriptedLLM, tmp_path: Path, **settings: object) -> dict:
    server.push(Reply(ANSWER))
    client = LLMClient(make_settings(server.base_url, tmp_path, **settings))
    record = CallRecord(task="lists")
    answer = client.call(ListsAnswer, MESSAGES, record)
    assert answer.problems[0].text == "预算编制不够精准。"
    assert record.requests == 1 and record.prompt_tokens > 0 and record.completion_tokens > 0
    body = server.requests[-1].body
    assert body["model"] == "scripted-model" and body["temperature"] == 0
    assert server.requests[-1].headers["authorization"] == "Bearer sk-test"
    return body


@pytest.mark.parametrize("provider", ["openai", "deepseek", "qwen", "llamacpp", "other"])
def test_tools_mode_request_shape(llm_server: ScriptedLLM, tmp_path: Path, provider: str) -> None:
    """OpenAI, DeepSeek, Qwen (DashScope) and llama.cpp's server get tool calling."""
    body = _call(llm_server, tmp_path, provider=provider)
    assert body["tools"][0]["type"] == "function"
    assert body["tools"][0]["function"]["name"] == "ListsAnswer"
    assert "problems" in body["tools"][0]["function"]["parameters"]["properties"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "ListsAnswer"}}
    assert "response_format" not in body


@pytest.mark.parametrize("provider", ["vllm", "ollama"])
def test_json_schema_mode_request_shape(
    llm_server: ScriptedLLM, tmp_path: Path, provider: str
) -> None:
    """vLLM and Ollama get structured outputs: response_format json_schema."""
    body = _call(llm_server, tmp_path, provider=provider)
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "ListsAnswer"
    assert "problems" in fmt["json_schema"]["schema"]["properties"]
    assert "tools" not in body


def test_json_mode_request_shape(llm_server: ScriptedLLM, tmp_path: Path) -> None:
    """JSON mode (json_object) for servers that take only that: the schema rides in the
    system message."""
    body = _call(llm_server, tmp_path, mode="json")
    assert body["response_format"] == {"type": "json_object"}
    system = body["messages"][0]
    assert system["role"] == "system" and "提取问题" in system["content"]
    assert '"problems"' in system["content"] and "tools" not in body


def test_md_json_mode_request_shape(llm_server: ScriptedLLM, tmp_path: Path) -> None:
    """Markdown-JSON for any chat model: no tools, no response_format, answer in a fence."""
    body = _call(llm_server, tmp_path, mode="md_json")
    assert "tools" not in body and "response_format" not in body
    assert '"problems"' in body["messages"][0]["content"]
    assert "```json" in body["messages"][-1]["content"]


def test_no_endpoint_llm_is_a_config_error_and_auto_uses_rules(
    seed_docs: dict[str, Document],
) -> None:
    doc = seed_docs["000"]
    with pytest.raises(LLMUnavailableError) as err:
        extract(doc, ExtractOptions(extractor="llm", llm=LLMSettings()))
    assert isinstance(err.value, ConfigError) and "JIXIAO_LLM_BASE_URL" in err.value.message
    started = time.monotonic()
    result = extract(doc, ExtractOptions(extractor="auto", llm=LLMSettings()))
    assert time.monotonic() - started < 5  # nothing waited on a network
    assert result.status == "success" and result.llm_usage is None
    assert any("No LLM endpoint" in note for note in result.notes)
    assert result.export.extractor.name == "rules"
    json.dumps(result.model_dump(mode="json"))
