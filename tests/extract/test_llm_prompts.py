"""Prompt templates: every file in prompts/ loads, renders and checks its examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.extract.llm.chunks import TASKS
from service.extract.llm.prompts import PromptError, default_prompts_dir, load_prompts
from service.extract.llm.schemas import RESPONSE_MODELS

PROMPT = """
id = "lists"
version = "9"
response_model = "ListsAnswer"
system = "提取问题。$glossary $examples"
user = "片段（$section）：$text"
[[examples]]
text = "1、预算编制不够精准。"
answer = { problems = [ { text = "预算编制不够精准。" } ] }
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "lists.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_every_prompt_loads_with_version_glossary_and_examples() -> None:
    prompts = load_prompts(default_prompts_dir(), RESPONSE_MODELS)
    assert set(prompts) == set(TASKS)
    for task, prompt in prompts.items():
        assert prompt.version and prompt.examples, task
        system = prompt.system_text()
        assert "三公经费" in system and "示例1" in system, task  # glossary and examples in
        assert prompt.fingerprint.startswith(f"{task}@{prompt.version}#")
        messages = prompt.render(section="二、", text="正文")
        assert [m["role"] for m in messages] == ["system", "user"]
        assert "正文" in messages[1]["content"] and "$" not in messages[1]["content"]


def test_a_missing_variable_is_an_error(tmp_path: Path) -> None:
    prompt = load_prompts(_write(tmp_path, PROMPT), RESPONSE_MODELS)["lists"]
    with pytest.raises(PromptError, match="section"):
        prompt.render(text="x")


def test_an_example_quote_not_in_its_text_is_refused(tmp_path: Path) -> None:
    bad = PROMPT.replace('text = "预算编制不够精准。" }', 'text = "资金使用效益不高。" }')
    with pytest.raises(PromptError, match="not in its example text"):
        load_prompts(_write(tmp_path, bad), RESPONSE_MODELS)


def test_an_example_not_fitting_the_response_model_is_refused(tmp_path: Path) -> None:
    bad = PROMPT.replace("problems = [ { text", "problems = [ { body")
    with pytest.raises(PromptError, match="does not fit ListsAnswer"):
        load_prompts(_write(tmp_path, bad), RESPONSE_MODELS)


def test_unknown_model_and_broken_toml_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="unknown response model"):
        load_prompts(_write(tmp_path, PROMPT.replace("ListsAnswer", "Nope")), RESPONSE_MODELS)
    with pytest.raises(PromptError, match="lists.toml"):
        load_prompts(_write(tmp_path, PROMPT + "\n[[["), RESPONSE_MODELS)


def test_fingerprint_follows_any_edit(tmp_path: Path) -> None:
    a = load_prompts(_write(tmp_path, PROMPT), RESPONSE_MODELS)["lists"].fingerprint
    b = load_prompts(
        _write(tmp_path, PROMPT.replace("提取问题", "提取存在的问题")), RESPONSE_MODELS
    )
    assert a != b["lists"].fingerprint and a.split("#")[0] == b["lists"].fingerprint.split("#")[0]
