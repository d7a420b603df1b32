"""Prompt templates: ``prompts/*.toml`` loaded into typed, checked templates.

Owns: the template file format (id, version, response model, system and user text with
``$name`` variables, worked examples), its checks at load time — a variable the caller
does not pass is an error when rendering; every example must validate against the
response model and every quote or verbatim cell of its answer must stand in its own
example text — and the fingerprint ``id@version#hash`` stored with every extraction.
``$glossary`` (``prompts/glossary.md``) and ``$examples`` are filled by the loader. An
optional ``focus`` text (with ``$fields``) is added to the user message of a call told
where the rules possibly missed a field. Must not call the model.
"""

from __future__ import annotations

import hashlib
import json
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.errors import ConfigError
from service.extract.llm.grounding import fold
from service.extract.llm.schemas import verbatim_fields

BUILTIN_VARIABLES = ("glossary", "examples")


class PromptError(ConfigError):
    code = "prompt_error"
    message_zh = "提示词模板有误。"
    message_en = "Invalid prompt template."


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The example's source text.")
    answer: dict[str, Any] = Field(description="What the model should return for it.")


class PromptTemplate(BaseModel):
    """One task's prompt. ``system`` and ``user`` use ``$name`` placeholders."""

    model_config = ConfigDict(extra="forbid")

    id: str
    version: str
    response_model: str
    description: str = ""
    system: str
    user: str
    examples: list[Example] = Field(default_factory=list)
    focus: str = Field(
        "",
        description="Added after the user text of a call told which possibly-missed fields "
        "to look for; ``$fields`` lists them with their label words. Empty: never told.",
    )
    glossary: str = Field("", exclude=True)

    def variables(self) -> set[str]:
        names = set()
        for part in (self.system, self.user):
            names |= set(string.Template(part).get_identifiers())
        return names - set(BUILTIN_VARIABLES)

    def rendered_examples(self) -> str:
        blocks = []
        for i, ex in enumerate(self.examples, 1):
            answer = json.dumps(ex.answer, ensure_ascii=False, separators=(",", ":"))
            blocks.append(f"示例{i}\n原文：\n{ex.text.strip()}\n输出：\n{answer}")
        return "\n\n".join(blocks)

    def system_text(self) -> str:
        return _substitute(
            self.system,
            {"glossary": self.glossary.strip(), "examples": self.rendered_examples()},
            self.id,
        )

    def render(self, fields: str = "", **variables: str) -> list[dict[str, str]]:
        """The chat messages for one call. A variable the template names but the caller
        does not give raises ``PromptError``. ``fields`` (the possibly-missed fields to
        look for) adds the template's ``focus`` text; without it the user message is the
        template's alone."""
        missing = self.variables() - set(variables)
        if missing:
            raise PromptError(f"prompt '{self.id}' needs {sorted(missing)}")
        user = _substitute(self.user, variables, self.id)
        if fields and self.focus:
            user = user.rstrip("\n") + "\n\n" + self.focus_text(fields)
        return [
            {"role": "system", "content": self.system_text()},
            {"role": "user", "content": user},
        ]

    def focus_text(self, fields: str) -> str:
        return _substitute(self.focus, {"fields": fields}, self.id).strip("\n") + "\n"

    @property
    def fingerprint(self) -> str:
        """'id@version#hash': the hash covers the rendered system text (glossary and
        examples included), the user template and the focus text, so any edit shows."""
        blob = self.system_text() + "\x00" + self.user
        if self.focus:  # absent, the hash stays what it was before focus texts existed
            blob += "\x00" + self.focus
        return f"{self.id}@{self.version}#{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


def _substitute(template: str, values: Mapping[str, str], prompt_id: str) -> str:
    try:
        return string.Template(template).substitute(values)
    except (KeyError, ValueError) as exc:
        raise PromptError(f"prompt '{prompt_id}': bad or missing variable {exc}") from exc


def default_prompts_dir() -> Path:
    """The repository's prompts/ (source checkout), else ./prompts (the container's /app)."""
    here = Path(__file__).resolve().parents[3] / "prompts"
    return here if here.is_dir() else Path.cwd() / "prompts"


def _quoted_texts(answer: Any, model: type[BaseModel] | None = None) -> list[str]:
    """Every quote and verbatim field of an example answer (walks nested models)."""
    out: list[str] = []
    if isinstance(answer, list):
        for item in answer:
            out += _quoted_texts(item, model)
        return out
    if not isinstance(answer, dict):
        return out
    verbatim = verbatim_fields(model) if model is not None else set()
    for key, value in answer.items():
        sub = _submodel(model, key)
        if isinstance(value, str) and (key == "quote" or key in verbatim):
            out.append(value)
        elif isinstance(value, dict | list):
            out += _quoted_texts(value, sub)
    return out


def _submodel(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    if model is None or key not in model.model_fields:
        return None
    annotation = model.model_fields[key].annotation
    for candidate in _flatten(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _flatten(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    out: list[Any] = []
    for arg in args:
        out += _flatten(arg)
    return out


def check_example(template: PromptTemplate, example: Example, model: type[BaseModel]) -> None:
    try:
        model.model_validate(example.answer)
    except ValidationError as exc:
        raise PromptError(
            f"prompt '{template.id}': an example does not fit {model.__name__}: {exc}"
        ) from exc
    source = fold(example.text)
    for quote in _quoted_texts(example.answer, model):
        if fold(quote) not in source:
            raise PromptError(
                f"prompt '{template.id}': example quote {quote!r} is not in its example text"
            )


def load_prompt(
    path: Path, models: Mapping[str, type[BaseModel]], glossary: str = ""
) -> PromptTemplate:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        template = PromptTemplate.model_validate({**data, "glossary": glossary})
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise PromptError(f"{path.name}: {exc}") from exc
    model = models.get(template.response_model)
    if model is None:
        raise PromptError(f"{path.name}: unknown response model {template.response_model!r}")
    for example in template.examples:
        check_example(template, example, model)
    template.system_text()  # fails now, not at the first call, on a bad placeholder
    if template.focus:
        template.focus_text("-")
    return template


def load_prompts(
    directory: Path | None, models: Mapping[str, type[BaseModel]]
) -> dict[str, PromptTemplate]:
    """Every ``*.toml`` template in ``directory``, by id."""
    directory = directory or default_prompts_dir()
    if not directory.is_dir():
        raise PromptError(f"prompt folder not found: {directory}")
    glossary_path = directory / "glossary.md"
    glossary = glossary_path.read_text(encoding="utf-8") if glossary_path.exists() else ""
    out: dict[str, PromptTemplate] = {}
    for path in sorted(directory.glob("*.toml")):
        template = load_prompt(path, models, glossary)
        if template.id in out:
            raise PromptError(f"{path.name}: duplicate prompt id {template.id!r}")
        out[template.id] = template
    return out
