"""Keeping the broker in step with the job table: send new jobs, re-send lost ones.

Owns when a queued job is handed to Celery. The job row says it: for a queued job under a
broker, ``heartbeat_at`` is when it was last handed over (None: never). Handing over is a
conditional UPDATE of that column (``WHERE status = 'queued' AND heartbeat_at IS <what
this sender read>``), so of several API processes or ``jixiao reconcile`` runs exactly one
sends a given job each time; a job already running or done is never sent, and if a copy
is delivered anyway the worker's claim (``store.queue.claim``) runs the job once.

``reconcile`` finds what the broker lost (a flush, a restart without persistence, a send
that failed while the broker was down): when the broker's queues and the workers hold
fewer messages than the table has queued jobs, every queued job handed over more than
``resend_after_seconds`` ago and held by no worker is sent again; so is a job left
``processing`` by a dead worker whose lease ran out that long ago (its message lost with
the broker's). Must not import the API.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, update
from sqlmodel import col, select

from service.jobs.celery_app import QUEUES, TASK_NAME, queue_for, queue_name
from service.jobs.worker import JobContext
from service.store.engine import read_session, transaction
from service.store.tables import Job, JobStatus, StoredDocument
from service.store.types import utcnow

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger("jixiao.jobs")

_BATCH = 500


@dataclass
class Reconciled:
    """What one pass did (printed by ``jixiao reconcile``)."""

    sent_new: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)
    queued: int = 0  # queued jobs in the table that were handed to the broker
    in_broker: int | None = None  # messages waiting in our queues (None: not known)
    held: int = 0  # our tasks the workers hold (running, prefetched, waiting for a retry)

    def summary(self) -> str:
        broker = "?" if self.in_broker is None else str(self.in_broker)
        return (
            f"sent {len(self.sent_new)} new, re-sent {len(self.resent)} lost; "
            f"queued {self.queued}, in the broker {broker}, held by workers {self.held}"
        )


def send_new(ctx: JobContext, app: Celery) -> list[int]:
    """Hand every queued job never handed over to the broker; returns their ids."""
    sent: list[int] = []
    while True:
        query = (
            select(Job.id)
            .where(Job.status == JobStatus.queued, col(Job.heartbeat_at).is_(None))
            .order_by(col(Job.id))
            .limit(_BATCH)
        )
        with read_session(ctx.engine) as session:
            ids = [i for i in session.exec(query).all() if i is not None]
        batch = [job_id for job_id in ids if _send(ctx, app, job_id, None)]
        sent += batch
        if len(ids) < _BATCH:
            return sent


def reconcile(ctx: JobContext, app: Celery, *, now: datetime | None = None) -> Reconciled:
    """One pass: send new jobs, then re-send the handed-over ones the broker lost."""
    report = Reconciled(sent_new=send_new(ctx, app))
    now = now or utcnow()
    cutoff = now - timedelta(seconds=ctx.settings.queue.resend_after_seconds)
    with read_session(ctx.engine) as session:
        report.queued = session.exec(
            select(func.count(col(Job.id))).where(
                Job.status == JobStatus.queued, col(Job.heartbeat_at).is_not(None)
            )
        ).one()
        stale = session.exec(
            select(Job.id, Job.heartbeat_at)
            .where(Job.status == JobStatus.queued, col(Job.heartbeat_at) < cutoff)
            .where(col(Job.available_at) <= now)
            .order_by(col(Job.heartbeat_at))
        ).all()
        orphans = session.exec(_orphaned(now, cutoff)).all()
    if not stale and not orphans:
        return report
    report.in_broker = broker_depth(ctx, app)
    held = held_job_ids(app)
    report.held = len(held)
    # an orphan looked after since its lease ran out was re-sent, and its copy waits in the
    # broker unless lost too: counted as a queued job is, so a long queue does not gather a
    # copy of it every pass
    again = {job_id for job_id, beat_at, lease_end in orphans if beat_at > lease_end}
    expected = report.queued + len(again)
    if report.in_broker is not None and report.in_broker + len(held) >= expected:
        stale = []  # every queued job is accounted for: a long queue, nothing lost
        orphans = [orphan for orphan in orphans if orphan[0] not in again]
    for job_id, sent_at in stale:
        if job_id is not None and job_id not in held and _send(ctx, app, job_id, sent_at):
            report.resent.append(job_id)
    # a running job whose worker died and whose message is gone too (a flush while it ran)
    for job_id, beat_at, _ in orphans:
        if job_id not in held and _send(ctx, app, job_id or 0, beat_at, orphan=now):
            report.resent.append(job_id or 0)
    if report.resent:
        log.warning("re-sent %d jobs the broker lost: %s", len(report.resent), report.resent)
    return report


def mark_sent(ctx: JobContext, job_id: int) -> None:
    """A worker put the job back on the broker itself (a retry with a countdown)."""
    with transaction(ctx.engine) as session:
        session.exec(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.status) == JobStatus.queued)
            .values(heartbeat_at=utcnow())
        )


def _orphaned(now: datetime, cutoff: datetime) -> Any:
    """Processing jobs whose lease ran out and that no one has looked after since
    ``cutoff``: the claim in ``run_job`` takes them over."""
    return (
        select(Job.id, Job.heartbeat_at, Job.lease_until)
        .where(Job.status == JobStatus.processing, col(Job.lease_until) < now)
        .where(col(Job.heartbeat_at) < cutoff)
        .order_by(col(Job.id))
    )


def _send(
    ctx: JobContext,
    app: Celery,
    job_id: int,
    seen: datetime | None,
    *,
    orphan: datetime | None = None,
) -> bool:
    """Take the job for sending (the conditional UPDATE) and send it; False when another
    sender took it first, or it is no longer queued (``orphan``: no longer processing with
    a lease run out at that time)."""
    stamp = utcnow()
    state = (
        col(Job.status) == JobStatus.queued
        if orphan is None
        else (col(Job.status) == JobStatus.processing) & (col(Job.lease_until) < orphan)
    )
    with transaction(ctx.engine) as session:
        taken = session.exec(
            update(Job)
            .where(col(Job.id) == job_id, state)
            .where(col(Job.heartbeat_at).is_(None) if seen is None else Job.heartbeat_at == seen)
            .values(heartbeat_at=stamp)
        )
        if taken.rowcount != 1:
            return False
        job = session.get(Job, job_id)
        doc = session.get(StoredDocument, job.document_id) if job else None
    if job is None or doc is None:
        return False
    target = queue_for(doc, job, ctx.settings, ctx.files)
    try:
        app.send_task(TASK_NAME, args=[job_id], queue=target)
    except Exception:
        with transaction(ctx.engine) as session:  # not sent: the next pass sends it
            session.exec(
                update(Job)
                .where(col(Job.id) == job_id, Job.heartbeat_at == stamp)
                .values(heartbeat_at=seen)
            )
        raise
    return True


def broker_depth(ctx: JobContext, app: Celery) -> int | None:
    """Messages waiting in our queues (Redis list lengths, RabbitMQ queue counts)."""
    total = 0
    try:
        with app.connection_for_read() as conn:
            for kind in QUEUES:
                with conn.channel() as channel:
                    try:
                        _, count, _ = channel.queue_declare(
                            queue=queue_name(ctx.settings, kind), passive=True
                        )
                    except Exception:  # RabbitMQ: no such queue yet, nothing in it
                        count = 0
                    total += int(count or 0)
    except Exception:  # broker unreachable: nothing can be sent now anyway
        log.warning("could not count the broker's messages", exc_info=True)
        return None
    return total


def held_job_ids(app: Celery, timeout: float = 1.0) -> set[int]:
    """Job ids of the tasks workers hold: running, prefetched, or waiting for a countdown."""
    inspect = app.control.inspect(timeout=timeout)
    ids: set[int] = set()
    for method in (inspect.active, inspect.reserved, inspect.scheduled):
        try:
            replies = method() or {}
        except Exception:  # no worker answered or the broker is away
            continue
        for tasks in replies.values():
            for task in tasks or []:
                request = task.get("request", task) if isinstance(task, dict) else {}
                if request.get("name") == TASK_NAME:
                    ids.update(_job_ids(request.get("args")))
    return ids


def _job_ids(args: Any) -> list[int]:
    if isinstance(args, str):  # older workers report args as their repr
        import ast

        try:
            args = ast.literal_eval(args)
        except (ValueError, SyntaxError):
            return []
    if isinstance(args, list | tuple) and args and isinstance(args[0], int):
        return [args[0]]
    return []
