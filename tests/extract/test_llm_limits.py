"""The endpoint's budgets hold across workers: requests and tokens per window, shared in a
real Redis (127.0.0.1:6379, started by .ci/run) by several processes, or in memory by the
threads of one; a 429's Retry-After pauses everyone; the cost accounting stays exact.

The windows are shortened (``limit_window_s``) so a test waits seconds, not minutes. The
scripted OpenAI-compatible server (tests/llm_server.py) notes when each request arrived;
the assertions are made on those arrival times, i.e. on what the endpoint saw.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from service.config import LLMSettings, Settings
from service.extract.llm.limits import Limiter, LocalWindow, RedisWindow, limiter_for
from service.extract.llm.provider import LLMClient
from service.extract.llm.usage import CallRecord
from tests.extract.conftest_llm import (  # noqa: F401 - fixtures
    _llm_server_session,
    llm_server,
    make_settings,
)
from tests.llm_server import Fail, Recorded, Reply, ScriptedLLM, estimate_tokens

REDIS_URL = "redis://127.0.0.1:6379/0"
PAYLOAD = {"value": "全年预算执行率为百分之九十八"}
TOLERANCE_S = 0.15  # arrival times are taken after the HTTP hop; windows shrink by this


class Answer(BaseModel):
    value: str


def _settings(server: ScriptedLLM, tmp_path: Path, **limits: Any) -> LLMSettings:
    # a model name of its own: the Redis keys (per endpoint) are this test's alone
    return make_settings(
        server.base_url,
        tmp_path / "cache",
        model=f"scripted-{uuid.uuid4().hex[:8]}",
        max_output_tokens=256,
        **limits,
    )


def _ask(settings: LLMSettings, calls: int) -> list[dict[str, Any]]:
    """``calls`` calls through one client; the records, as plain data (runs in a process)."""
    client = LLMClient(settings)
    records = []
    try:
        for n in range(calls):
            record = CallRecord(task="Answer", chunk=n)
            client.call(Answer, [{"role": "user", "content": f"第{n}段：预算执行情况。"}], record)
            records.append(record.model_dump())
    finally:
        client.close()
    return records


def _most_in_a_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def _reported_tokens(request: Recorded) -> int:
    """The usage the scripted server reported for a request (its own formula)."""
    body = request.body
    prompt = estimate_tokens(json.dumps(body.get("messages", []), ensure_ascii=False))
    prompt += estimate_tokens(json.dumps(body.get("tools", []), ensure_ascii=False))
    prompt += estimate_tokens(json.dumps(body.get("response_format", {}), ensure_ascii=False))
    return prompt + estimate_tokens(json.dumps(PAYLOAD, ensure_ascii=False))


def _most_tokens_in_a_window(requests: list[Recorded], window: float) -> int:
    return max(
        sum(_reported_tokens(r) for r in requests if start.at <= r.at < start.at + window)
        for start in requests
    )


@pytest.fixture
def answering(llm_server: ScriptedLLM) -> ScriptedLLM:  # noqa: F811
    llm_server.fallback = Reply(PAYLOAD)
    return llm_server


# --- across processes, in Redis -----------------------------------------------------------


def test_processes_sharing_a_redis_budget_never_exceed_its_requests_per_window(
    answering: ScriptedLLM, tmp_path: Path
) -> None:
    window, budget, processes, calls = 2.0, 4, 3, 4
    settings = _settings(
        answering,
        tmp_path,
        requests_per_minute=budget,
        limit_window_s=window,
        limiter_url=REDIS_URL,
    )
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.starmap(_ask, [(settings, calls)] * processes)
    arrivals = [r.at for r in answering.requests]
    assert len(arrivals) == processes * calls
    assert _most_in_a_window(arrivals, window - TOLERANCE_S) <= budget
    # 12 requests at 4 a window: the 9th cannot start before two windows have passed
    assert max(arrivals) - min(arrivals) >= 2 * window - TOLERANCE_S
    # the accounting is the endpoint's own: every token it reported, once
    counted = sum(r["prompt_tokens"] + r["completion_tokens"] for rs in results for r in rs)
    assert counted == sum(_reported_tokens(r) for r in answering.requests)
    assert all(r["requests"] == 1 and r["error"] is None for rs in results for r in rs)


def test_threads_sharing_a_token_budget_never_exceed_it_and_pay_what_was_reported(
    answering: ScriptedLLM, tmp_path: Path
) -> None:
    (probe,) = _ask(_settings(answering, tmp_path), 1)  # what one such request costs
    cost = probe["prompt_tokens"] + probe["completion_tokens"]
    answering.reset()
    answering.fallback = Reply(PAYLOAD)
    window = 1.5
    budget = 2 * cost + (cost + 256)  # two settled requests and one reservation fit
    settings = _settings(
        answering, tmp_path, tokens_per_minute=budget, limit_window_s=window, limiter_url=None
    )
    results: list[list[dict[str, Any]]] = []
    threads = [threading.Thread(target=lambda: results.append(_ask(settings, 2))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    requests = answering.requests
    assert len(requests) == 8
    assert _most_tokens_in_a_window(requests, window - TOLERANCE_S) <= budget
    assert max(r.at for r in requests) - min(r.at for r in requests) >= window - TOLERANCE_S
    counted = sum(r["prompt_tokens"] + r["completion_tokens"] for rs in results for r in rs)
    assert counted == sum(_reported_tokens(r) for r in requests) == 8 * cost


def test_a_429_with_retry_after_pauses_every_worker_sharing_the_endpoint(
    llm_server: ScriptedLLM,  # noqa: F811
    tmp_path: Path,
) -> None:
    llm_server.push(Fail(429, headers={"retry-after": "1.5"}))
    llm_server.fallback = Reply(PAYLOAD)
    settings = _settings(llm_server, tmp_path, limiter_url=REDIS_URL, requests_per_minute=1000)
    # another worker: its own connection to Redis, the same endpoint
    other = RedisWindow(REDIS_URL, f"{settings.base_url}|{settings.model}", 1000, None, 60.0)
    results: list[list[dict[str, Any]]] = []
    worker = threading.Thread(target=lambda: results.append(_ask(settings, 1)))
    worker.start()
    deadline = time.monotonic() + 10
    while not llm_server.requests or time.monotonic() - llm_server.requests[0].at < 0.3:
        assert time.monotonic() < deadline, "the first request never came"
        time.sleep(0.02)
    wait = other.try_admit(uuid.uuid4().hex, 1)  # mid-pause: the other worker waits too
    assert 0.5 < wait <= 1.5
    worker.join(30)
    ((record,),) = results
    assert record["transport_retries"] == 1 and record["requests"] == 2
    first, retried = llm_server.requests
    assert first.status == 429 and retried.at - first.at >= 1.5 - TOLERANCE_S
    assert other.try_admit(uuid.uuid4().hex, 1) == 0.0  # over: everyone may send again


# --- the windows themselves ---------------------------------------------------------------


def _admit_all(limiter: Limiter, n: int, tokens: int, out: list[float]) -> None:
    for _ in range(n):
        limiter.acquire(tokens)
        out.append(time.monotonic())


@pytest.mark.parametrize("shared", ["memory", "redis"])
def test_a_window_admits_its_budget_and_then_waits(shared: str) -> None:
    window = 1.0
    store = (
        LocalWindow(3, None, window)
        if shared == "memory"
        else RedisWindow(REDIS_URL, uuid.uuid4().hex, 3, None, window)
    )
    limiter = Limiter(store, None)
    admitted: list[float] = []
    threads = [
        threading.Thread(target=_admit_all, args=(limiter, 3, 10, admitted)) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(admitted) == 9
    assert _most_in_a_window(admitted, window - TOLERANCE_S) <= 3
    assert max(admitted) - min(admitted) >= 2 * window - TOLERANCE_S


def test_settled_tokens_replace_the_reservation() -> None:
    for store in (
        LocalWindow(None, 1000, 30.0),
        RedisWindow(REDIS_URL, uuid.uuid4().hex, None, 1000, 30.0),
    ):
        limiter = Limiter(store, 1000)
        grant = limiter.acquire(900)  # reserved: 900 of 1000
        assert store.try_admit(uuid.uuid4().hex, 200) > 0  # would pass the budget: wait
        limiter.settle(grant, 100)  # the endpoint billed 100
        assert store.try_admit(uuid.uuid4().hex, 800) == 0.0  # 100 + 800 fit
        assert store.try_admit(uuid.uuid4().hex, 200) > 0


def test_the_broker_redis_holds_the_budgets_unless_another_is_named() -> None:
    settings = Settings(queue={"broker_url": "redis://broker:6379/0"})
    assert settings.llm.limiter_url == "redis://broker:6379/0"
    named = Settings(
        queue={"broker_url": "redis://broker:6379/0"}, llm={"limiter_url": "redis://other/1"}
    )
    assert named.llm.limiter_url == "redis://other/1"
    assert Settings(queue={"broker_url": "amqp://guest@mq//"}).llm.limiter_url is None
    assert Settings().llm.limiter_url is None


def test_clients_of_one_endpoint_in_a_process_share_one_limiter(tmp_path: Path) -> None:
    settings = LLMSettings(base_url="http://127.0.0.1:9/v1", model="m", requests_per_minute=5)
    assert limiter_for(settings) is limiter_for(settings.model_copy())
    other = settings.model_copy(update={"model": "n"})
    assert limiter_for(other) is not limiter_for(settings)
