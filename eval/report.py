"""The evaluation's reports: report.json (everything) and report.html (for people).

Owns: the report's JSON shape, the HTML rendering (one self-contained file: inline CSS and
SVG, no script, no font or stylesheet from elsewhere) and the trend plot. Must not touch:
scoring, the run, the database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from eval.generalisation import FIGURES, SPLIT_NAMES
from eval.report_terms import record_type_label, split_label, term
from eval.scorer import ACHIEVEMENT_MATCH_THRESHOLD, ITEM_MATCH_THRESHOLD, NAME_MATCH_THRESHOLD
from eval.summary import summarize
from eval.textsim import ANLS_THRESHOLD
from eval.values import LONG_TEXT_MIN_CHARS, MONEY_TOLERANCE

if TYPE_CHECKING:
    from eval.dataset import Manifest
    from eval.history import Comparison, RunRecord
    from eval.run import DocResult, EvalOptions

REPORT_SCHEMA = "jixiao-eval-report/1"
TEMPLATE = "report_template.html"
MAX_DIFFS_PER_DOC = 60
VERDICT_ORDER = {"wrong": 0, "missing": 1, "extra": 2}


def _doc_entry(r: DocResult) -> dict[str, Any]:
    s = summarize([r.score])
    diffs = sorted(r.score.diffs, key=lambda d: (VERDICT_ORDER.get(d.verdict, 3), d.path))
    return {
        "key": r.item.key,
        "id": r.item.entry.id,
        "format": r.item.format,
        "extractor": r.extractor,
        "split": r.split,
        "families": r.families,
        "tests": r.item.entry.tests,
        "status": r.status,
        "errors": r.errors,
        "seconds": r.seconds,
        "llm": r.llm,
        "f1": s["overall"]["f1"],
        "overall": s["overall"],
        "record_types": {k: v["f1"] for k, v in s["record_types"].items()},
        "numeric": s["numeric"],
        "steering": r.steering,
        "findings": r.score.findings,
        "grounding": r.score.grounding,
        "diffs": [d.as_dict() for d in diffs],
    }


def build_report(
    *,
    manifest: Manifest,
    fingerprint: str,
    results: Sequence[DocResult],
    runs: dict[str, RunRecord],
    comparisons: dict[str, Comparison],
    history: dict[str, list[RunRecord]],
    options: EvalOptions,
    commit: str | None,
    seconds: float,
) -> dict[str, Any]:
    """The whole report as JSON-ready data; report.html is rendered from exactly this."""
    return {
        "schema": REPORT_SCHEMA,
        "run": {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": commit,
            "seconds": round(seconds, 2),
            "extractors": list(runs),
            "compare": options.compare,
            "threshold": options.threshold,
            "formats": options.formats,
            "only": options.only,
            "splits": options.splits,
            "set": {
                "name": manifest.name,
                "version": manifest.version,
                "fingerprint": fingerprint,
                "documents": len({r.item.entry.id for r in results}),
                "items": len({r.item.key for r in results}),
            },
        },
        "rules": {
            "money_tolerance_wan_yuan": MONEY_TOLERANCE,
            "anls_threshold": ANLS_THRESHOLD,
            "long_text_min_chars": LONG_TEXT_MIN_CHARS,
            "name_match_threshold": NAME_MATCH_THRESHOLD,
            "achievement_match_threshold": ACHIEVEMENT_MATCH_THRESHOLD,
            "item_match_threshold": ITEM_MATCH_THRESHOLD,
        },
        "set": [
            {
                "id": e.id,
                "formats": e.formats,
                "tests": e.tests,
                "source": e.source.kind,
                "split": e.split,
            }
            for e in manifest.documents
        ],
        "extractors": {
            name: {
                "run_id": run.id,
                "model": run.model,
                "prompt_version": run.prompt_version,
                "llm": run.llm,
                "seconds": round(run.seconds, 2),
                "summary": run.summary,
                "by_format": run.by_format,
                "generalisation": run.generalisation,
                "seeds_by_format": _seeds_by_format(results, name),
                "comparison": comparisons[name].as_dict() if name in comparisons else None,
            }
            for name, run in runs.items()
        },
        "documents": [_doc_entry(r) for r in results],
        "history": {name: [r.headline() for r in rows] for name, rows in history.items()},
    }


def _seeds_by_format(results: Sequence[DocResult], extractor: str) -> dict[str, Any]:
    """The real reports, which the set reads in every format: the fair comparison of
    formats (the synthetic documents come in different formats each)."""
    groups: dict[str, list[Any]] = {}
    for r in results:
        if r.extractor == extractor and r.item.entry.source.kind == "seed":
            groups.setdefault(r.item.format, []).append(r.score)
    return {fmt: summarize(scores) for fmt, scores in sorted(groups.items())}


def write_reports(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "report.json"
    html_path = out_dir / "report.html"
    json_path.write_text(
        json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path


# --- HTML -----------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def _heat(x: float | None) -> str:
    """A background colour for a score: red (0) → amber → green (1)."""
    if x is None:
        return "background:#f3f4f6;color:#9ca3af"
    hue = int(120 * max(0.0, min(1.0, x)) ** 2)  # squared: 90% is still visibly not perfect
    return f"background:hsl({hue},70%,88%)"


def trend_svg(history: dict[str, list[dict[str, Any]]], width: int = 760, height: int = 240) -> str:
    """Overall F1 (solid) and numbers right (dashed) of past runs, one colour per extractor."""
    colours = {"rules": "#2563eb", "llm": "#db2777", "auto": "#059669"}
    left, right, top, bottom = 44, 120, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max((len(rows) for rows in history.values()), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="accuracy over past runs">'
    ]
    values = [
        v
        for rows in history.values()
        for r in rows
        for v in (r.get("overall_f1"), r.get("numeric_accuracy"))
        if v is not None
    ]
    lo = max(0.0, math.floor(10 * min(values, default=0.0)) / 10 - 0.1) if values else 0.0
    lo = min(lo, 0.8)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        y = top + plot_h * (1 - (v - lo) / (1 - lo))
        return round(x, 1), round(y, 1)

    for k in range(6):
        v = lo + (1 - lo) * k / 5
        _, y = xy(0, v)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y + 4}" font-size="11" text-anchor="end" '
            f'fill="#6b7280">{100 * v:.0f}%</text>'
        )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="11" fill="#6b7280">'
        f"较早 ← 评测 runs ({n}) → 最新 newest</text>"
    )
    legend_y = top + 8
    for name, rows in history.items():
        colour = colours.get(name, "#7c3aed")
        for metric, dash in (("overall_f1", ""), ("numeric_accuracy", ' stroke-dasharray="5 4"')):
            points = [(i, r[metric]) for i, r in enumerate(rows) if r.get(metric) is not None]
            offset = n - len(rows)  # align each extractor's newest run at the right edge
            coords = [xy(i + offset, v) for i, v in points]
            if len(coords) > 1:
                path = " ".join(f"{x},{y}" for x, y in coords)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash}/>'
                )
            for (i, v), (x, y) in zip(points, coords, strict=True):
                r = rows[i]
                tip = escape(
                    f"{name} run {r.get('id')} {r.get('created_at')} {r.get('commit')}: "
                    f"{metric.replace('_', ' ')} {100 * v:.1f}%"
                )
                parts.append(
                    f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"><title>{tip}</title></circle>'
                )
        parts.append(
            f'<line x1="{width - right + 12}" y1="{legend_y}" x2="{width - right + 32}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="2"/>'
            f'<text x="{width - right + 38}" y="{legend_y + 4}" font-size="11">{escape(name)} F1'
            f"</text>"
            f'<line x1="{width - right + 12}" y1="{legend_y + 16}" x2="{width - right + 32}" '
            f'y2="{legend_y + 16}" stroke="{colour}" stroke-width="2" stroke-dasharray="5 4"/>'
            f'<text x="{width - right + 38}" y="{legend_y + 20}" font-size="11">'
            f"{escape(name)} 数值 numbers</text>"
        )
        legend_y += 40
    if n == 0:
        parts.append(
            f'<text x="{left + 10}" y="{top + 40}" font-size="13" fill="#6b7280">'
            "还没有已存储的评测 no stored runs yet</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = _pct
    env.filters["heat"] = _heat
    env.globals["FIGURES"] = FIGURES
    env.globals["SPLIT_NAMES"] = SPLIT_NAMES
    env.globals["T"] = term
    env.filters["split_label"] = split_label
    env.filters["rtype"] = record_type_label
    return env


def _worst(report: dict[str, Any], extractor: str, count: int = 6) -> list[dict[str, Any]]:
    docs = [d for d in report["documents"] if d["extractor"] == extractor]
    docs = [d for d in docs if d["diffs"] or d["status"] != "success" or d["errors"]]
    docs.sort(key=lambda d: (d["f1"] if d["f1"] is not None else -1, d["key"]))
    return [
        {**d, "n_diffs": len(d["diffs"]), "diffs": d["diffs"][:MAX_DIFFS_PER_DOC]}
        for d in docs[:count]
    ]


def render_html(report: dict[str, Any]) -> str:
    extractors = list(report["extractors"])
    fields = sorted({f for e in report["extractors"].values() for f in e["summary"]["fields"]})
    record_types = sorted(
        {t for e in report["extractors"].values() for t in e["summary"]["record_types"]}
    )
    formats = sorted({d["format"] for d in report["documents"]})
    keys = sorted({d["key"] for d in report["documents"]})
    by_key = {(d["key"], d["extractor"]): d for d in report["documents"]}
    template = _environment().get_template(TEMPLATE)
    return template.render(
        r=report,
        extractors=extractors,
        fields=fields,
        record_types=record_types,
        formats=formats,
        keys=keys,
        by_key=by_key,
        worst={name: _worst(report, name) for name in extractors},
        trend=Markup(trend_svg(report["history"])),
    )
