"""The schema-constrained LLM extractor (instructor + the openai SDK, any OpenAI-compatible
endpoint). See docs/llm.md.

Owns: ``service.extract.llm.*`` — provider/client (``provider``), prompt templates
(``prompts``), the response cache (``cache``), grounding of quotes (``grounding``), usage
accounting (``usage``), what each call sees (``chunks``), the response models
(``schemas``) and their mapping to ``service.records`` (``mapper``), the extractor, the
merge with the rules (``merge``) and the pipeline's entry (``stage``). Must not import the
database, the jobs or the web. Submodules are imported where used (the pipeline imports
this package while ``service.extract`` is still loading).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.errors import ConfigError

if TYPE_CHECKING:
    from service.config import LLMSettings


class LLMNotConfiguredError(ConfigError):
    code = "llm_not_configured"
    message_zh = "未配置大模型服务：请设置 JIXIAO_LLM_BASE_URL 和 JIXIAO_LLM_MODEL。"
    message_en = "No LLM endpoint configured: set JIXIAO_LLM_BASE_URL and JIXIAO_LLM_MODEL."


def configured_settings(llm: LLMSettings | None) -> LLMSettings | None:
    """``llm`` (or the service settings' ``llm`` group) when it names an endpoint. Here,
    not in ``stage``, so that asking whether an LLM is configured loads none of its modules
    (a rules-only ``jixiao extract`` starts without them)."""
    if llm is None:
        from service.config import get_settings

        llm = get_settings().llm
    return llm if llm.configured else None
