"""Request and token budgets of an LLM endpoint, held across every worker of a cluster.

Owns ``Limiter``: before each HTTP request to the endpoint (every attempt: transport
retries and validation re-asks too) ``acquire`` waits until the request fits both budgets
of the sliding window (``requests_per_minute``, ``tokens_per_minute`` of ``LLMSettings``);
after the answer ``settle`` replaces the reserved tokens with what the endpoint reported.
A 429 with ``Retry-After`` pauses every worker sharing the limiter (``pause``).

Two windows behind it:

* ``RedisWindow`` when ``limiter_url`` names a Redis (by default the Celery broker's, when
  that is Redis): two sorted sets per endpoint and one Lua script, so admission is atomic
  across processes and hosts and timed by the Redis server's clock, not the hosts';
* ``LocalWindow`` otherwise: the same algorithm in memory, shared by the threads of one
  process (each worker process has its own budget: with several, configure Redis).

Tokens are reserved before a request as an upper bound (the prompt estimated erring high,
plus ``max_output_tokens``) and settled to the reported usage, so a window never admits
more than its budget on the estimate, and the settled figures keep it honest afterwards.
The cost accounting (``usage.CallRecord``) is not touched: it counts what the endpoint
reported, limiter or not.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from service.config import LLMSettings
from service.extract.llm.chunks import estimate_tokens

log = logging.getLogger(__name__)

_MAX_SLEEP_S = 1.0  # look again at least this often while waiting


@dataclass
class Grant:
    """One admitted request: its id in the window and the tokens reserved for it."""

    member: str
    tokens: int


class Window(Protocol):
    def try_admit(self, member: str, tokens: int) -> float:
        """Admit now (0.0) or say how many seconds to wait before trying again."""
        ...

    def settle(self, grant: Grant, tokens: int) -> None: ...

    def pause(self, seconds: float) -> None: ...


class Limiter:
    """The budgets of one endpoint over one window (``LocalWindow`` or ``RedisWindow``)."""

    def __init__(self, window: Window, tokens_per_window: int | None) -> None:
        self.window = window
        self.tokens_per_window = tokens_per_window

    def acquire(self, tokens: int) -> Grant:
        """Wait until a request reserving ``tokens`` fits; a request larger than the whole
        token budget is admitted alone into an empty window."""
        if self.tokens_per_window:
            tokens = min(tokens, self.tokens_per_window)
        member = uuid.uuid4().hex
        while True:
            wait = self.window.try_admit(member, tokens)
            if wait <= 0:
                return Grant(member, tokens)
            time.sleep(min(wait, _MAX_SLEEP_S) + random.random() * 0.01)

    def settle(self, grant: Grant, tokens: int) -> None:
        """The endpoint reported ``tokens`` for the request: they replace the reservation."""
        if tokens != grant.tokens:
            self.window.settle(grant, tokens)

    def pause(self, seconds: float) -> None:
        """The endpoint said wait (429 + Retry-After): nobody sharing this sends before."""
        if seconds > 0:
            self.window.pause(seconds)


def request_tokens(kwargs: dict[str, Any], max_output_tokens: int) -> int:
    """Tokens a request may cost, erring high: what it shows the model (messages and the
    schema, whichever mode carries it) plus the most the answer may take."""
    shown = [kwargs.get(key) for key in ("messages", "tools", "response_format")]
    text = json.dumps([part for part in shown if part], ensure_ascii=False, default=str)
    return estimate_tokens(text) + int(kwargs.get("max_tokens") or max_output_tokens)


# --- in memory ------------------------------------------------------------------------------


class LocalWindow:
    """The sliding window in this process's memory (thread-safe)."""

    def __init__(self, requests: int | None, tokens: int | None, window_s: float) -> None:
        self.requests, self.tokens, self.window_s = requests, tokens, window_s
        self._admitted: deque[tuple[float, str, int]] = deque()  # (time, member, tokens)
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def try_admit(self, member: str, tokens: int) -> float:
        with self._lock:
            now = time.monotonic()
            if self._paused_until > now:
                return self._paused_until - now
            while self._admitted and self._admitted[0][0] <= now - self.window_s:
                self._admitted.popleft()
            wait = 0.0
            if self.requests and len(self._admitted) >= self.requests:
                oldest = self._admitted[len(self._admitted) - self.requests][0]
                wait = oldest + self.window_s - now
            if self.tokens:
                excess = sum(t for _, _, t in self._admitted) + tokens - self.tokens
                for at, _, spent in self._admitted:
                    if excess <= 0:
                        break
                    excess -= spent
                    if excess <= 0:
                        wait = max(wait, at + self.window_s - now)
            if wait > 0:
                return wait
            self._admitted.append((now, member, tokens))
            return 0.0

    def settle(self, grant: Grant, tokens: int) -> None:
        with self._lock:
            for i, (at, member, _) in enumerate(self._admitted):
                if member == grant.member:
                    self._admitted[i] = (at, member, tokens)
                    return

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


# --- in Redis -------------------------------------------------------------------------------

# KEYS: requests zset, tokens zset, pause key. ARGV: requests budget (0: none), tokens
# budget (0: none), tokens of this request, member, window ms. Returns ms to wait, 0 = in.
# Token entries are "<tokens>:<member>", so one ZRANGE gives the window's total.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[5])
local paused = redis.call('PTTL', KEYS[3])
if paused > 0 then return paused end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local wait = 0
local requests = tonumber(ARGV[1])
if requests > 0 then
  local n = redis.call('ZCARD', KEYS[1])
  if n >= requests then
    local first = redis.call('ZRANGE', KEYS[1], n - requests, n - requests, 'WITHSCORES')
    wait = tonumber(first[2]) + window - now
  end
end
local budget = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
if budget > 0 then
  local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  local total = 0
  for i = 1, #entries, 2 do
    total = total + tonumber(string.match(entries[i], '^(%d+):'))
  end
  local excess = total + cost - budget
  local i = 1
  while excess > 0 and i <= #entries do
    excess = excess - tonumber(string.match(entries[i], '^(%d+):'))
    if excess <= 0 then
      wait = math.max(wait, tonumber(entries[i + 1]) + window - now)
    end
    i = i + 2
  end
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('ZADD', KEYS[2], now, cost .. ':' .. ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[2], window)
return 0
"""

# KEYS: tokens zset. ARGV: old entry, new entry.
_SETTLE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZADD', KEYS[1], score, ARGV[2])
end
return 0
"""

# KEYS: pause key. ARGV: ms. Lengthens a pause, never shortens it.
_PAUSE = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
"""


class RedisWindow:
    """The sliding window in Redis, shared by every process that names the same endpoint.

    When Redis cannot be reached the process falls back to its own ``LocalWindow`` (logged)
    rather than stopping extraction; the budget then holds per process until Redis is back.
    """

    def __init__(
        self, url: str, endpoint: str, requests: int | None, tokens: int | None, window_s: float
    ) -> None:
        import redis

        self.requests, self.tokens, self.window_s = requests, tokens, window_s
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        tag = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
        base = f"jixiao:llm-limit:{{{tag}}}"  # one hash slot: the script's keys together
        self._keys = [f"{base}:requests", f"{base}:tokens", f"{base}:pause"]
        self._admit = self._client.register_script(_ADMIT)
        self._settle = self._client.register_script(_SETTLE)
        self._pause = self._client.register_script(_PAUSE)
        self._fallback = LocalWindow(requests, tokens, window_s)

    def try_admit(self, member: str, tokens: int) -> float:
        args = [self.requests or 0, self.tokens or 0, tokens, member, int(self.window_s * 1000)]
        try:
            wait_ms = int(self._admit(keys=self._keys, args=args))
        except Exception as exc:  # Redis unreachable: this process's own window meanwhile
            log.warning("LLM limiter: Redis unreachable (%s); limiting in this process", exc)
            return self._fallback.try_admit(member, tokens)
        return wait_ms / 1000

    def settle(self, grant: Grant, tokens: int) -> None:
        old, new = f"{grant.tokens}:{grant.member}", f"{tokens}:{grant.member}"
        try:
            self._settle(keys=self._keys[1:2], args=[old, new])
        except Exception:  # the reservation stands, which errs on the safe side
            log.warning("LLM limiter: could not settle a request's tokens", exc_info=True)
        self._fallback.settle(grant, tokens)

    def pause(self, seconds: float) -> None:
        try:
            self._pause(keys=self._keys[2:3], args=[max(1, int(seconds * 1000))])
        except Exception:
            log.warning("LLM limiter: could not share a pause", exc_info=True)
        self._fallback.pause(seconds)


# --- one limiter per endpoint and process -----------------------------------------------------

_LIMITERS: dict[tuple[Any, ...], Limiter] = {}
_LIMITERS_LOCK = threading.Lock()


def limiter_for(settings: LLMSettings) -> Limiter:
    """The process's limiter for this endpoint (shared by every client of it, so all the
    documents a process extracts at once draw on one budget)."""
    endpoint = f"{settings.base_url}|{settings.model}"
    rpm, tpm, window = (
        settings.requests_per_minute,
        settings.tokens_per_minute,
        settings.limit_window_s,
    )
    key = (settings.limiter_url, endpoint, rpm, tpm, window)
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None:
            window_store: Window = (
                RedisWindow(settings.limiter_url, endpoint, rpm, tpm, window)
                if settings.limiter_url
                else LocalWindow(rpm, tpm, window)
            )
            limiter = _LIMITERS[key] = Limiter(window_store, tpm)
        return limiter
