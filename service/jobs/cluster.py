"""What the Celery workers say about themselves, for ``/readyz``.

Owns ``worker_status``: one broadcast (``inspect().active_queues()``, answered by every live
worker as a ping is) with a short timeout, counted per queue of this deployment (queue names
with its ``prefix``; workers of other deployments sharing the broker are left out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.jobs.celery_app import QUEUES

if TYPE_CHECKING:
    from celery import Celery

PING_TIMEOUT_S = 1.0


def worker_status(app: Celery, prefix: str, timeout: float = PING_TIMEOUT_S) -> dict[str, Any]:
    """``{"answering": n, "queues": {"ocr": n, "extract": n, "llm": n}}``: the workers that
    answered within ``timeout`` seconds, and how many of them consume each queue."""
    queues = dict.fromkeys(QUEUES, 0)
    try:
        replies = app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception as exc:  # the broker went away between the checks
        return {"answering": 0, "queues": queues, "error": type(exc).__name__}
    answering = 0
    for consumed in replies.values():
        kinds = {
            name[len(prefix) :]
            for name in (str(q.get("name", "")) for q in consumed or [] if isinstance(q, dict))
            if name.startswith(prefix) and name[len(prefix) :] in queues
        }
        answering += bool(kinds)
        for kind in kinds:
            queues[kind] += 1
    return {"answering": answering, "queues": queues}
