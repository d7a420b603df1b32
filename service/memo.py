"""Memos of pure functions of short texts: a header cell's words, a figure as written, a
level's name. Reports repeat these within a document (every row of a 自评表 asks what its
level cell means) and across documents (header words), so readers keep their answers.

Every such memo is registered here, so that a benchmark can clear them all and time a
document as the first one a process reads — the honest figure for a worker that sees each
report once (compiled patterns are not memos of this kind and stay warm)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_MEMOS: list[Any] = []


def memo(maxsize: int) -> Callable[[F], F]:
    """``functools.lru_cache(maxsize)``, registered for ``clear_memos``."""

    def wrap(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _MEMOS.append(cached)
        return cached  # type: ignore[return-value]

    return wrap


def clear_memos() -> None:
    """Forget every memo's answers (a process reading its first document)."""
    for cached in _MEMOS:
        cached.cache_clear()
