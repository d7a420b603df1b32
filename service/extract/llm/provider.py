"""The LLM provider: an OpenAI-compatible client wrapped by instructor, from ``LLMSettings``.

Owns: which instructor mode each endpoint gets (``DEFAULT_MODES``, overridable by
``JIXIAO_LLM_MODE``), the client factory, and ``LLMClient.call`` — one structured call with

* validation retries inside instructor (``max_validation_retries``): the pydantic errors are
  fed back to the model, counted through instructor's hooks;
* transport retries here (``max_retries``): 429, 408/409, 5xx, timeouts and connection errors
  are retried with exponential backoff, honouring ``Retry-After``/``retry-after-ms``. The
  openai SDK's own retry is switched off (``max_retries=0``) so that every attempt is
  counted and the backoff is one policy in one place;
* the endpoint's budgets (``limits``): every HTTP attempt waits for the requests and tokens
  per minute shared by all workers; a 429's ``Retry-After`` pauses all of them;
* a breaker: once the endpoint is unreachable (connection refused after all retries) the
  other calls of the run fail at once instead of each waiting through their own backoff.

Must not import the database or the web; knows nothing of records (the extractor maps).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlparse

from pydantic import BaseModel

from service.config import LLMSettings
from service.errors import ServiceError
from service.extract.llm import LLMNotConfiguredError
from service.extract.llm.limits import Grant, Limiter, limiter_for, request_tokens
from service.extract.llm.usage import CallRecord

T = TypeVar("T", bound=BaseModel)

# The mode each kind of endpoint gets unless JIXIAO_LLM_MODE says otherwise. Each is covered
# by the scripted-server tests (request shape per mode): tools = `tools` + forced
# `tool_choice`; json_schema = `response_format: json_schema`; json = `response_format:
# json_object` with the schema in the system message; md_json = schema in the system
# message and a fenced json block in the answer (any chat model).
DEFAULT_MODES: dict[str, str] = {
    "openai": "tools",
    "deepseek": "tools",  # DeepSeek's API takes tools and json_object, not json_schema
    "qwen": "tools",  # DashScope's compatible mode: tools and json_object
    "vllm": "json_schema",  # guided decoding; needs no tool-parser flags on the server
    "ollama": "json_schema",  # structured outputs via response_format (Ollama ≥ 0.5)
    "llamacpp": "tools",  # its server refuses json_schema response formats (json_object only)
    "other": "tools",
}

_MAX_BACKOFF_S = 60.0

log = logging.getLogger(__name__)
# instructor logs every failed attempt at ERROR; we count and report them ourselves, so its
# records go to the application's handlers (if any) rather than Python's last-resort stderr.
logging.getLogger("instructor").addHandler(logging.NullHandler())


class LLMError(ServiceError):
    """The LLM endpoint failed (unreachable, timed out, refused, or kept answering badly)."""

    code = "llm_error"
    message_zh = "大模型服务调用失败。"
    message_en = "The LLM endpoint failed."


def guess_provider(base_url: str | None) -> str:
    """The kind of endpoint, from its URL (hosts and default ports)."""
    if not base_url:
        return "other"
    parsed = urlparse(base_url)
    host = (parsed.hostname or "").lower()
    if host.endswith("openai.com"):
        return "openai"
    if "deepseek" in host:
        return "deepseek"
    if "dashscope" in host or host.endswith("aliyuncs.com"):
        return "qwen"
    if parsed.port == 11434 or "ollama" in host:
        return "ollama"
    return "other"


def resolve_mode(settings: LLMSettings) -> tuple[str, str]:
    """(provider, mode name) for these settings."""
    provider = settings.provider or guess_provider(settings.base_url)
    return provider, settings.mode or DEFAULT_MODES.get(provider, "tools")


def _instructor_mode(name: str) -> Any:
    from instructor import Mode

    return {
        "tools": Mode.TOOLS,
        "json_schema": Mode.JSON_SCHEMA,
        "json": Mode.JSON,
        "md_json": Mode.MD_JSON,
    }[name]


def _is_transient(exc: BaseException | None) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return min(max(float(raw) * scale, 0.0), _MAX_BACKOFF_S)
        except ValueError:
            continue
    return None


def _describe(exc: BaseException | None) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "cannot connect"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return f"{type(exc).__name__}: {exc}" if exc else "unknown error"


@dataclass
class _Counter:
    """Per-call tallies fed by instructor's hooks (one instance per call: thread-safe), and
    the limiter's grant for the attempt in flight."""

    record: CallRecord
    limiter: Limiter
    max_output_tokens: int
    reasks: int = 0
    last_error: str | None = None
    prompt_tokens: list[int] = field(default_factory=list)
    grant: Grant | None = None

    def on_kwargs(self, *_: Any, **kwargs: Any) -> None:
        """Before each HTTP attempt: wait for the endpoint's budgets."""
        self.grant = self.limiter.acquire(request_tokens(kwargs, self.max_output_tokens))

    def on_response(self, response: Any) -> None:
        self.record.requests += 1
        usage = getattr(response, "usage", None)
        # Read per attempt, before instructor folds the usage into running totals.
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        self.record.prompt_tokens += prompt
        self.record.completion_tokens += completion
        if self.grant is not None and usage is not None:  # the reservation becomes the bill
            self.limiter.settle(self.grant, prompt + completion)
        self.grant = None

    def on_error(self, error: Exception, **_: Any) -> None:
        self.record.requests += 1
        self.grant = None  # sent: its reservation stands (the endpoint may have counted it)

    def on_parse_error(self, error: Exception, is_last_attempt: bool = False, **_: Any) -> None:
        self.last_error = str(error)
        if not is_last_attempt:
            self.reasks += 1


class LLMClient:
    """One configured endpoint. Thread-safe: calls may run concurrently."""

    def __init__(self, settings: LLMSettings) -> None:
        if not settings.configured:
            raise LLMNotConfiguredError()
        import instructor
        import openai

        self.settings = settings
        self.provider, self.mode = resolve_mode(settings)
        self.model = settings.model or ""
        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._openai = openai.OpenAI(
            base_url=settings.base_url,
            api_key=key,
            timeout=settings.timeout_s,
            max_retries=0,
        )
        self._client = instructor.from_openai(self._openai, mode=_instructor_mode(self.mode))
        self._dead: str | None = None
        self._lock = threading.Lock()
        self.limiter = limiter_for(settings)

    def close(self) -> None:
        self._openai.close()

    def call(
        self,
        response_model: type[T],
        messages: list[dict[str, Any]],
        record: CallRecord,
        context: dict[str, Any] | None = None,
    ) -> T:
        """Ask for ``response_model``; fills ``record``. Raises ``LLMError`` on failure."""
        from instructor.core import Hooks, InstructorRetryException

        started = time.monotonic()
        try:
            for attempt in range(self.settings.max_retries + 1):
                if self._dead:
                    raise LLMError(self._dead, endpoint=self.settings.base_url)
                counter = _Counter(record, self.limiter, self.settings.max_output_tokens)
                hooks = Hooks()
                hooks.on("completion:kwargs", counter.on_kwargs)
                hooks.on("completion:response", counter.on_response)
                hooks.on("completion:error", counter.on_error)
                hooks.on("parse:error", counter.on_parse_error)
                try:
                    result = self._client.chat.completions.create(
                        model=self.model,
                        response_model=response_model,
                        messages=messages,  # type: ignore[arg-type]
                        max_retries=self.settings.max_validation_retries,
                        context=context,
                        hooks=hooks,
                        temperature=self.settings.temperature,
                        max_tokens=self.settings.max_output_tokens,
                    )
                    record.validation_retries += counter.reasks
                    return result
                except InstructorRetryException as exc:
                    record.validation_retries += counter.reasks
                    cause = exc.__cause__
                    if _is_transient(cause) and attempt < self.settings.max_retries:
                        record.transport_retries += 1
                        wait = self._backoff(attempt, cause)
                        if getattr(cause, "status_code", None) == 429:
                            self.limiter.pause(wait)  # every worker waits, not only this one
                        time.sleep(wait)
                        continue
                    raise self._failure(exc, cause, counter) from exc
            raise AssertionError("unreachable")  # pragma: no cover
        except LLMError as exc:
            record.error = exc.detail
            raise
        finally:
            record.latency_s = round(time.monotonic() - started, 3)

    def _backoff(self, attempt: int, cause: BaseException | None) -> float:
        after = _retry_after(cause)
        if after is not None:
            return after
        base = self.settings.backoff_s * (2**attempt)
        return min(base * (0.75 + random.random() / 4), _MAX_BACKOFF_S)

    def _failure(self, exc: Any, cause: BaseException | None, counter: _Counter) -> LLMError:
        import openai

        where = self.settings.base_url
        if _is_transient(cause) or isinstance(cause, openai.APIError):
            detail = f"{_describe(cause)} ({where}, model {self.model})"
            if isinstance(cause, openai.APIConnectionError) and not isinstance(
                cause, openai.APITimeoutError
            ):
                with self._lock:
                    self._dead = self._dead or detail
            return LLMError(detail, endpoint=where)
        attempts = getattr(exc, "n_attempts", None)
        last = (counter.last_error or str(exc)).splitlines()[0][:300]
        return LLMError(
            f"answer failed validation after {attempts} attempts: {last}", endpoint=where
        )
