"""Liveness and readiness: ``/healthz`` (the process answers) and ``/readyz`` (it can work).

Owns what "ready" means: the database answers and its schema is current, the storage
store is writable, the job runner is alive, and (with a broker configured) the broker
accepts a connection and at least one Celery worker of this deployment answers within a
second (``workers``: how many, and how many consume each queue). Whether an LLM endpoint is configured is
reported but never makes the service unready: without one it still extracts with rules.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from service.api.deps import AppState, StateDep
from service.api.errors import ErrorBody, NotReadyError
from service.store.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, Any]


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Database, storage and runner are usable",
    responses={503: {"model": ErrorBody, "description": "Not ready; `context` says why"}},
)
def readyz(state: StateDep) -> Readiness:
    checks: dict[str, Any] = {}
    ok = True
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current, head = current_revision(state.engine), head_revision()
        checks["database"] = "ok" if current == head else f"schema {current} != {head}"
        ok &= current == head
    except Exception as exc:  # any failure to talk to the database means not ready
        checks["database"] = f"unreachable: {type(exc).__name__}"
        ok = False
    checks["storage"] = state.files.check()
    ok &= checks["storage"] == "ok"
    checks["runner"] = "ok" if state.runner.alive else "stopped"
    ok &= state.runner.alive
    broker_status = getattr(state.runner, "broker_status", None)
    if broker_status is not None:  # the Celery engine: jobs wait on the broker
        checks["broker"] = broker_status()
        ok &= checks["broker"] == "ok"
        checks["workers"] = _workers(state) if checks["broker"] == "ok" else None
        ok &= bool(checks["workers"] and checks["workers"]["answering"])
    checks["llm"] = "configured" if state.settings.llm.configured else "not configured"
    if not ok:
        raise NotReadyError("; ".join(f"{k}: {v}" for k, v in checks.items()), **checks)
    return Readiness(status="ready", checks=checks)


def _workers(state: AppState) -> dict[str, Any]:
    from service.jobs.cluster import worker_status

    return worker_status(state.runner.app, state.settings.queue.prefix)  # type: ignore[attr-defined]
