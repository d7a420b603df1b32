"""A scripted OpenAI-compatible chat-completions server for the LLM tests.

A small Starlette app served by uvicorn in a thread on 127.0.0.1 (a free port). The real
openai client and instructor talk to it over HTTP; nothing of theirs is patched.

It answers ``POST /v1/chat/completions`` in the shape the request asks for:

* ``tools`` + ``tool_choice`` (instructor TOOLS) → a ``tool_calls`` message;
* ``response_format`` ``json_schema`` or ``json_object`` (JSON_SCHEMA, JSON) → JSON content;
* neither (MD_JSON) → a fenced json block in the content;

with ``usage`` counts estimated from the request (see ``estimate_tokens``). Each test scripts
it with a queue of steps (``Reply``, ``Fail``, ``Sleep``), optionally per task (the response
model's name), and a ``fallback`` for when the queue has nothing for a request; every request
body is recorded so tests can assert what each provider mode sends.

Owns nothing of the service; imports nothing from it.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
# JSON and MD_JSON modes carry the schema in the system message; its top-level title (two
# spaces deep in instructor's indent=2 dump) names the response model.
_SCHEMA_TITLE = re.compile(r'^  "title": "(\w+)"', re.M)


def estimate_tokens(text: str) -> int:
    """Tokens a Chinese-capable tokenizer would use, erring high: one per CJK character,
    one per 3.5 other characters. Real tokenizers (Qwen, DeepSeek, GPT-4o) use fewer for
    Chinese, so the benchmark's figures are an upper bound."""
    cjk = len(_CJK.findall(text))
    return cjk + int((len(text) - cjk) / 3.5 + 0.999)


def request_task(body: dict[str, Any]) -> str | None:
    """The response model's name, whichever mode the request was built in."""
    tools = body.get("tools") or []
    if tools:
        return tools[0]["function"]["name"]
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt["json_schema"]["name"]
    for message in body.get("messages", []):
        found = _SCHEMA_TITLE.findall(_content(message))
        if found:
            return found[-1]
    return None


def request_text(body: dict[str, Any]) -> str:
    """All message text of a request, NFKC-normalised (what the model was shown)."""
    return unicodedata.normalize("NFKC", "\n".join(_content(m) for m in body.get("messages", [])))


def user_text(body: dict[str, Any]) -> str:
    """The first user message: the document text the model was asked about."""
    for message in body.get("messages", []):
        if message.get("role") == "user":
            return unicodedata.normalize("NFKC", _content(message))
    return ""


def _content(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


# --- steps -----------------------------------------------------------------------------------

Payload = dict[str, Any] | str


@dataclass
class Reply:
    """Answer with ``payload`` (a dict is sent as JSON; a str is sent as it is, e.g. broken
    JSON) shaped for the request's mode."""

    payload: Payload | Callable[[dict[str, Any]], Payload]
    task: str | None = None
    finish_reason: str = "stop"


@dataclass
class Fail:
    """Answer with an HTTP error (429, 500…) and an OpenAI-style error body."""

    status: int
    task: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "scripted failure"


@dataclass
class Sleep:
    """Wait ``seconds`` before answering with ``then`` (a Reply or Fail)."""

    seconds: float
    then: Reply | Fail | None = None
    task: str | None = None


Step = Reply | Fail | Sleep


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]
    task: str | None
    status: int = 200
    at: float = 0.0


class ScriptedLLM:
    """The scripted server. Use as a context manager or through the pytest fixture."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._queue: list[Step] = []
        self.fallback: Step | Callable[[dict[str, Any]], Step] | None = None
        self.model_name = "scripted-model"
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- scripting ---------------------------------------------------------------------------

    def push(self, *steps: Step) -> None:
        with self._lock:
            self._queue.extend(steps)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.fallback = None

    @property
    def pending(self) -> list[Step]:
        return list(self._queue)

    def calls(self, task: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if task is None or r.task == task]

    def _next_step(self, body: dict[str, Any], task: str | None) -> Step | None:
        with self._lock:
            for i, step in enumerate(self._queue):
                if step.task is None or step.task == task:
                    return self._queue.pop(i)
        fallback = self.fallback
        if callable(fallback) and not isinstance(fallback, Reply | Fail | Sleep):
            return fallback(body)
        return fallback

    # --- serving -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ScriptedLLM:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/v1/chat/completions", self._handle, methods=["POST"])])
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("scripted LLM server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _handle(self, request: Request) -> JSONResponse:
        body = await request.json()
        task = request_task(body)
        record = Recorded(body=body, headers=dict(request.headers), task=task, at=time.monotonic())
        with self._lock:
            self.requests.append(record)
        step = self._next_step(body, task)
        while isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            step = step.then
        if step is None:
            step = Fail(500, message=f"nothing scripted for task {task!r}")
        if isinstance(step, Fail):
            record.status = step.status
            return JSONResponse(
                {"error": {"message": step.message, "type": "scripted", "code": step.status}},
                status_code=step.status,
                headers=step.headers,
            )
        return JSONResponse(self._completion(body, step))

    def _completion(self, body: dict[str, Any], step: Reply) -> dict[str, Any]:
        payload = step.payload(body) if callable(step.payload) else step.payload
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message["tool_calls"] = [
                {
                    "id": f"call_{len(self.requests)}",
                    "type": "function",
                    "function": {"name": name, "arguments": text},
                }
            ]
        elif body.get("response_format"):
            message["content"] = text
        else:
            message["content"] = f"好的，结果如下：\n```json\n{text}\n```"
        prompt = estimate_tokens(json.dumps(body.get("messages", []), ensure_ascii=False))
        prompt += estimate_tokens(json.dumps(body.get("tools", []), ensure_ascii=False))
        prompt += estimate_tokens(json.dumps(body.get("response_format", {}), ensure_ascii=False))
        completion = estimate_tokens(text)
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model_name),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if body.get("tools") else step.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }


# --- an oracle: answers from a fixture, limited to what the request shows -------------------


_ANCHORS = ("quote", "level3", "text", "name")


def grounded_subset(payload: Any, shown: str) -> Any:
    """``payload`` with every object whose quote (or verbatim text) is not in ``shown``
    removed from lists or nulled in fields: what an honest model could answer from the text
    it was given."""
    norm = _squash(shown)
    if isinstance(payload, list):
        out = [grounded_subset(item, norm) for item in payload]
        return [item for item in out if item is not None]
    if isinstance(payload, dict):
        # The object's own anchor: its quote, else its verbatim text (a row's 三级指标,
        # an item's sentence, a project's name).
        quote = next((payload[k] for k in _ANCHORS if isinstance(payload.get(k), str)), None)
        if quote is not None and _squash(quote) not in norm:
            return None
        return {key: grounded_subset(value, norm) for key, value in payload.items()}
    return payload


def _squash(text: str) -> str:
    """NFKC without whitespace or cell separators: how a quote is compared to the text."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace() and ch != "|"
    )


def oracle(answers: dict[str, Any]) -> Callable[[dict[str, Any]], Step]:
    """A fallback that answers each task from ``answers[task]``, keeping only the parts whose
    quotes stand in the request's document text."""

    def respond(body: dict[str, Any]) -> Step:
        task = request_task(body)
        if task not in answers:
            return Fail(500, message=f"oracle has no answer for task {task!r}")
        return Reply(grounded_subset(answers[task], user_text(body)))

    return respond
