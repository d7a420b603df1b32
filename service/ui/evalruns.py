"""The evaluation page's model: the latest run per extractor and the accuracy trend as SVG.

Owns reading the ``eval_runs`` table (written by ``eval/``: headline scores in
``metrics.summary``) into cards and small-multiple line charts — one per record type, one
line per extractor — drawn as inline SVG on the server (no script, no chart library), and
finding a run's HTML report on disk, only under the configured reports folder. Must not
write to the database or import ``eval/``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from sqlmodel import Session, col, select

from service.store.tables import EvalRun

PALETTE = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2"]
MAX_RUNS = 200


@dataclass
class RunView:
    id: int
    created_at: datetime
    extractor: str
    dataset: str
    commit: str
    documents: int
    overall: float | None
    numeric: float | None
    findings: float | None
    grounding: float | None
    record_types: dict[str, float | None]
    has_report: bool = False
    fingerprint: str = ""  # what the set was (eval/dataset.py's set_fingerprint)
    formats: list[str] = field(default_factory=list)
    partial: bool = False  # fewer documents than a full run of the same set (a --format or
    # --only run): listed, never drawn in the trend nor compared with full runs


@dataclass
class Chart:
    title: str
    svg: Markup


@dataclass
class EvalModel:
    latest: list[RunView]
    previous: dict[str, RunView]
    record_types: list[str]
    charts: list[Chart]
    runs: list[RunView]
    colors: dict[str, str] = field(default_factory=dict)


def _num(node: Any, *keys: str) -> float | None:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


def run_view(row: EvalRun, reports_dir: Path | None) -> RunView:
    summary = (row.metrics or {}).get("summary") or {}
    types = summary.get("record_types") or {}
    return RunView(
        id=row.id or 0,
        created_at=row.created_at,
        extractor=row.extractor,
        dataset=row.dataset,
        commit=(row.code_version or "")[:10],
        documents=row.n_documents,
        overall=_num(summary, "overall", "f1"),
        numeric=_num(summary, "numeric", "accuracy"),
        findings=_num(summary, "findings", "f1"),
        grounding=_num(summary, "grounding", "share"),
        record_types={k: _num(v, "f1") for k, v in types.items()},
        has_report=report_file(row, reports_dir) is not None,
        fingerprint=str((row.metrics or {}).get("set_fingerprint") or ""),
        formats=sorted((row.metrics or {}).get("by_format") or {}),
    )


def mark_partial(runs: list[RunView]) -> None:
    """A run over fewer documents than the largest run of the same extractor, dataset and
    set is partial (one format, a few documents): its scores are not the set's."""
    full: dict[tuple[str, str, str], int] = {}
    for run in runs:
        key = (run.extractor, run.dataset, run.fingerprint)
        full[key] = max(full.get(key, 0), run.documents)
    for run in runs:
        run.partial = run.documents < full[(run.extractor, run.dataset, run.fingerprint)]


def report_file(row: EvalRun, reports_dir: Path | None) -> Path | None:
    """The run's HTML report, when it lies under ``reports_dir`` and exists; else None.

    The path comes from the database, never from the request, and is still checked: a
    symlink or a ``..`` that leads out of the folder is refused."""
    if reports_dir is None or not row.report_path:
        return None
    try:
        root = reports_dir.resolve()
        path = Path(row.report_path)
        path = (path if path.is_absolute() else root / path).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_relative_to(root) or path.suffix.lower() not in (".html", ".htm"):
        return None
    return path if path.is_file() else None


def load_eval(session: Session, reports_dir: Path | None) -> EvalModel:
    rows = list(
        session.exec(select(EvalRun).order_by(col(EvalRun.created_at).desc()).limit(MAX_RUNS))
    )
    every = [run_view(r, reports_dir) for r in reversed(rows)]  # oldest first
    mark_partial(every)
    runs = [r for r in every if not r.partial]  # the cards and the trend: full runs only
    extractors = list(dict.fromkeys(r.extractor for r in runs))
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(extractors)}
    latest: dict[str, RunView] = {}
    previous: dict[str, RunView] = {}
    for run in runs:
        if run.extractor in latest:
            previous[run.extractor] = latest[run.extractor]
        latest[run.extractor] = run
    record_types = sorted({k for r in runs for k in r.record_types})
    charts = [Chart("overall", line_chart(runs, lambda r: r.overall, colors))]
    charts += [
        Chart(rt, line_chart(runs, lambda r, rt=rt: r.record_types.get(rt), colors))
        for rt in record_types
    ]
    return EvalModel(
        latest=list(latest.values()),
        previous=previous,
        record_types=record_types,
        charts=charts,
        runs=list(reversed(every)),
        colors=colors,
    )


def y_range(values: list[float]) -> tuple[float, float]:
    """The chart's y axis: the data's range widened to whole 5 % steps (at least one step),
    within 0..100 %, so a change of a point or two is visible rather than flattened."""
    if not values:
        return 0.0, 1.0
    low = math.floor(min(values) * 20 - 1e-9) / 20
    high = math.ceil(max(values) * 20 + 1e-9) / 20
    low, high = max(0.0, low), min(1.0, high)
    if high - low < 0.05:
        low, high = (high - 0.05, high) if high >= 0.05 else (low, low + 0.05)
    return low, high


def line_chart(runs: list[RunView], metric: Any, colors: dict[str, str]) -> Markup:
    """A small SVG line chart: x = time of the run, y = the values' range in % (whole 5 %
    steps, ``y_range``), a line per extractor."""
    width, height, left, right, top, bottom = 300, 120, 30, 8, 8, 18
    shown = [v for run in runs if (v := metric(run)) is not None]
    low, high = y_range(shown)
    plot_w, plot_h = width - left - right, height - top - bottom
    # x is time, so the extractors of one nightly run line up
    stamps = [r.created_at.timestamp() for r in runs] or [0.0]
    t0, t1 = min(stamps), max(stamps)

    def x(i: int) -> float:
        if t1 <= t0:
            return left + plot_w / 2
        return left + plot_w * (stamps[i] - t0) / (t1 - t0)

    def y(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, (v - low) / (high - low))))

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'preserveAspectRatio="xMidYMid meet">'
    ]
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}"/><text class="tick" x="{left - 4}" y="{y(tick) + 3:.1f}" '
            f'text-anchor="end">{tick * 100:g}</text>'
        )
    if runs:
        first, last = runs[0].created_at, runs[-1].created_at
        parts.append(
            f'<text class="tick" x="{left}" y="{height - 4}">{first:%m-%d}</text>'
            f'<text class="tick" x="{width - right}" y="{height - 4}" text-anchor="end">'
            f"{last:%m-%d}</text>"
        )
    for extractor, color in colors.items():
        points = [
            (x(i), y(v), run)
            for i, run in enumerate(runs)
            if run.extractor == extractor and (v := metric(run)) is not None
        ]
        if not points:
            continue
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="1.8" points="{coords}"/>'
        )
        for px, py, run in points:
            value = metric(run)
            tip = escape(f"{extractor} #{run.id} {run.created_at:%Y-%m-%d %H:%M}: {value:.1%}")
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.6" fill="{color}">'
                f"<title>{tip}</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
