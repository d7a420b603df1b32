"""Usage accounting of one document's LLM extraction.

Owns: ``CallRecord`` (one logical call: a task on one chunk of text, with its HTTP attempts,
retries, tokens and latency, or a cache hit) and ``LLMUsage`` (their sum, with the
estimated cost and the one-line summary ``jixiao extract`` prints). Plain data; must not
call the model.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class CallRecord(BaseModel):
    task: str
    chunk: int = 0
    cached: bool = False
    requests: int = Field(0, description="HTTP requests sent (attempts of every kind).")
    transport_retries: int = Field(0, description="Re-sent after 429/5xx/timeout.")
    validation_retries: int = Field(0, description="Re-asks after a validation error.")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    error: str | None = None


class LLMUsage(BaseModel):
    """What the LLM part of one extraction cost. ``calls`` counts HTTP requests sent."""

    model: str | None = None
    mode: str | None = None
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    transport_retries: int = 0
    validation_retries: int = 0
    cache_hits: int = 0
    errors: int = 0
    unsent: int = Field(0, description="Chunks a call budget left unsent.")
    latency_s: float = Field(0.0, description="Wall time of the LLM stage.")
    cost: float = Field(0.0, description="Estimated, from the configured prices per 1k tokens.")
    prompts: dict[str, str] = Field(
        default_factory=dict, description="task → 'version#hash' of the prompt used."
    )
    records: list[CallRecord] = Field(default_factory=list)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @classmethod
    def from_records(
        cls,
        records: list[CallRecord],
        *,
        model: str | None,
        mode: str | None,
        wall_s: float,
        price_prompt: float = 0.0,
        price_completion: float = 0.0,
        prompts: dict[str, str] | None = None,
        unsent: int = 0,
    ) -> LLMUsage:
        live = [r for r in records if not r.cached]
        prompt = sum(r.prompt_tokens for r in live)
        completion = sum(r.completion_tokens for r in live)
        transport = sum(r.transport_retries for r in live)
        validation = sum(r.validation_retries for r in live)
        return cls(
            model=model,
            mode=mode,
            calls=sum(r.requests for r in live),
            prompt_tokens=prompt,
            completion_tokens=completion,
            retries=transport + validation,
            transport_retries=transport,
            validation_retries=validation,
            cache_hits=sum(1 for r in records if r.cached),
            errors=sum(1 for r in records if r.error),
            unsent=unsent,
            latency_s=round(wall_s, 3),
            cost=round(prompt / 1000 * price_prompt + completion / 1000 * price_completion, 6),
            prompts=prompts or {},
            records=records,
        )

    def summary(self) -> str:
        """One line for stderr: calls, tokens, retries, cache hits, latency, cost."""
        unsent = f", {self.unsent} chunks not sent (call budget)" if self.unsent else ""
        return (
            f"llm {self.model or '?'} ({self.mode or '?'}): {self.calls} calls, "
            f"{self.prompt_tokens}+{self.completion_tokens} tokens, {self.retries} retries "
            f"({self.transport_retries} transport, {self.validation_retries} validation), "
            f"{self.cache_hits} cache hits, {self.errors} errors, {self.latency_s:.2f} s, "
            f"est. cost {self.cost:.4f}{unsent}"
        )
