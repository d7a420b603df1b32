"""Where evaluation runs are kept, and how a run compares with the one before it.

Owns: ``RunRecord`` (what one run of one extractor scored, what it ran with and what it
cost), the ``RunStore`` interface, the database store (the service's own ``eval_runs``
table, same database URL as the service, so the reviewer UI can show the trend), and the
``--compare`` rule. Must not touch: scoring, extraction, files other than the database.

Columns the table has (extractor, dataset, code_version, n_documents, report_path) are
used as such; the rest of the record (model, prompt version, LLM usage, time, scores) lives
in its ``metrics`` JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from eval.generalisation import compared_figures
from eval.summary import field_f1


@dataclass
class RunRecord:
    extractor: str
    dataset: str
    set_fingerprint: str
    commit: str | None
    n_documents: int
    summary: dict[str, Any]  # eval.summary.summarize over every document
    by_format: dict[str, dict[str, Any]] = field(default_factory=dict)
    # eval.generalisation: the steering figures per split, family and format
    generalisation: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    prompt_version: str | None = None
    llm: dict[str, Any] = field(default_factory=dict)  # calls, prompt/completion tokens, cost
    seconds: float = 0.0
    report_path: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    id: int | None = None

    def metrics(self) -> dict[str, Any]:
        return {
            "set_fingerprint": self.set_fingerprint,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "llm": self.llm,
            "seconds": round(self.seconds, 6),
            "summary": self.summary,
            "by_format": self.by_format,
            "generalisation": self.generalisation,
        }

    def headline(self) -> dict[str, Any]:
        """The few numbers a trend plot or a one-line log needs."""
        s = self.summary
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "commit": (self.commit or "")[:10],
            "extractor": self.extractor,
            "overall_f1": s.get("overall", {}).get("f1"),
            "numeric_accuracy": s.get("numeric", {}).get("accuracy"),
            "findings_f1": s.get("findings", {}).get("f1"),
            "grounding": s.get("grounding", {}).get("share"),
        }


class RunStore(Protocol):
    def add(self, run: RunRecord) -> RunRecord: ...

    def history(
        self, dataset: str, extractor: str | None = None, limit: int = 100
    ) -> list[RunRecord]:
        """Runs of ``dataset`` (and ``extractor``), oldest first, the newest ``limit``."""
        ...


class MemoryRunStore:
    """A store that forgets: for ``--no-store`` runs and tests."""

    def __init__(self) -> None:
        self.runs: list[RunRecord] = []

    def add(self, run: RunRecord) -> RunRecord:
        run.id = len(self.runs) + 1
        self.runs.append(run)
        return run

    def history(
        self, dataset: str, extractor: str | None = None, limit: int = 100
    ) -> list[RunRecord]:
        runs = [r for r in self.runs if r.dataset == dataset and extractor in (None, r.extractor)]
        return runs[-limit:]


class DatabaseRunStore:
    """The service's ``eval_runs`` table (``service.store.tables.EvalRun``)."""

    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        from service.store.engine import make_engine
        from service.store.migrate import ensure_schema

        self.engine = make_engine(url)
        ensure_schema(self.engine, auto_migrate=auto_migrate)

    def add(self, run: RunRecord) -> RunRecord:
        from service.store.engine import transaction
        from service.store.tables import EvalRun

        row = EvalRun(
            created_at=run.created_at,
            extractor=run.extractor,
            dataset=run.dataset,
            code_version=(run.commit or None) and run.commit[:64],
            n_documents=run.n_documents,
            metrics=run.metrics(),
            report_path=run.report_path,
        )
        with transaction(self.engine) as session:
            session.add(row)
            session.flush()
            run.id = row.id
        return run

    def history(
        self, dataset: str, extractor: str | None = None, limit: int = 100
    ) -> list[RunRecord]:
        from sqlmodel import select

        from service.store.engine import read_session
        from service.store.tables import EvalRun

        query = select(EvalRun).where(EvalRun.dataset == dataset)
        if extractor is not None:
            query = query.where(EvalRun.extractor == extractor)
        query = query.order_by(EvalRun.id.desc()).limit(limit)  # type: ignore[union-attr]
        with read_session(self.engine) as session:
            rows = list(session.exec(query))
        return [_from_row(r) for r in reversed(rows)]

    def close(self) -> None:
        self.engine.dispose()


def _from_row(row: Any) -> RunRecord:
    m = row.metrics or {}
    created = row.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return RunRecord(
        id=row.id,
        created_at=created,
        extractor=row.extractor,
        dataset=row.dataset,
        set_fingerprint=m.get("set_fingerprint", ""),
        commit=row.code_version,
        n_documents=row.n_documents,
        summary=m.get("summary", {}),
        by_format=m.get("by_format", {}),
        generalisation=m.get("generalisation", {}),
        model=m.get("model"),
        prompt_version=m.get("prompt_version"),
        llm=m.get("llm", {}),
        seconds=m.get("seconds", 0.0),
        report_path=row.report_path,
    )


# --- comparing ------------------------------------------------------------------------------


@dataclass
class Comparison:
    """A run against the previous run of the same extractor on the same set."""

    extractor: str
    previous_id: int | None
    previous_commit: str | None
    threshold: float
    deltas: dict[str, tuple[float | None, float | None]]  # field → (before, after)
    same_set: bool = True

    @property
    def regressions(self) -> dict[str, tuple[float, float]]:
        """Fields whose F1 dropped by more than the threshold (a field that disappeared
        counts as dropping to 0)."""
        out = {}
        for key, (before, after) in self.deltas.items():
            if before is None:
                continue
            now = after if after is not None else 0.0
            if before - now > self.threshold + 1e-12:
                out[key] = (before, now)
        return out

    @property
    def improvements(self) -> dict[str, tuple[float, float]]:
        return {
            k: (b, a)
            for k, (b, a) in self.deltas.items()
            if b is not None and a is not None and a - b > self.threshold + 1e-12
        }

    @property
    def failed(self) -> bool:
        return bool(self.regressions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "extractor": self.extractor,
            "previous_id": self.previous_id,
            "previous_commit": self.previous_commit,
            "threshold": self.threshold,
            "same_set": self.same_set,
            "failed": self.failed,
            "regressions": {k: {"before": b, "after": a} for k, (b, a) in self.regressions.items()},
            "improvements": {
                k: {"before": b, "after": a} for k, (b, a) in self.improvements.items()
            },
        }


def compare_runs(previous: RunRecord | None, current: RunRecord, threshold: float) -> Comparison:
    """Per-field F1 (and findings F1), and the steering figures per split (e.g.
    ``split.heldout.projects_f1``), of ``current`` against ``previous``."""
    if previous is None:
        return Comparison(current.extractor, None, None, threshold, {})
    before = {**field_f1(previous.summary), **compared_figures(previous.generalisation)}
    after = {**field_f1(current.summary), **compared_figures(current.generalisation)}
    deltas: dict[str, tuple[float | None, float | None]] = {
        key: (before.get(key), after.get(key)) for key in sorted(set(before) | set(after))
    }
    return Comparison(
        current.extractor,
        previous.id,
        previous.commit,
        threshold,
        deltas,
        same_set=previous.set_fingerprint == current.set_fingerprint,
    )
