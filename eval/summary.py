"""Adding document scores up: per field, per record type, overall, findings, grounding.

Pure functions over ``eval.scorer.DocScore``; the run groups documents (by extractor, by
format) and calls ``summarize`` once per group. Must not touch: files, the database.
Sums are micro-averages: a field's F1 over the set is computed from its summed counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eval.scorer import Counts, DocScore


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 6) if den else None


def findings_summary(detected: int, missed: int, false_alarms: int) -> dict[str, Any]:
    counts = Counts(tp=detected, fn=missed, fp=false_alarms)
    return {
        "detected": detected,
        "missed": missed,
        "false_alarms": false_alarms,
        **{k: v for k, v in counts.as_dict().items() if k in ("precision", "recall", "f1")},
    }


def summarize(scores: Iterable[DocScore]) -> dict[str, Any]:
    """One summary of many documents' scores (JSON-ready)."""
    fields: dict[str, Counts] = {}
    kinds: dict[str, str] = {}
    rows: dict[str, Counts] = {}
    numeric_right = numeric_total = 0
    detected = missed = false_alarms = 0
    checked = grounded = 0
    n_docs = 0
    for score in scores:
        n_docs += 1
        for key, counts in score.fields.items():
            fields.setdefault(key, Counts()).add(counts)
        for key, kind in score.field_kinds.items():
            kinds.setdefault(key, kind)
        for key, counts in score.rows.items():
            rows.setdefault(key, Counts()).add(counts)
        numeric_right += score.numeric_right
        numeric_total += score.numeric_total
        detected += len(score.findings["detected"])
        missed += len(score.findings["missed"])
        false_alarms += len(score.findings["false_alarms"])
        checked += score.grounding.get("checked", 0)
        grounded += score.grounding.get("grounded", 0)

    record_types: dict[str, Counts] = {}
    overall = Counts()
    for key, counts in fields.items():
        record_types.setdefault(key.split(".", 1)[0], Counts()).add(counts)
        overall.add(counts)
    return {
        "documents": n_docs,
        "overall": overall.as_dict(),
        "record_types": {k: record_types[k].as_dict() for k in sorted(record_types)},
        "fields": {
            k: {**fields[k].as_dict(), "kind": kinds.get(k, "unlabelled")} for k in sorted(fields)
        },
        "rows": {k: rows[k].as_dict() for k in sorted(rows)},
        "numeric": {
            "right": numeric_right,
            "total": numeric_total,
            "accuracy": _ratio(numeric_right, numeric_total),
        },
        "findings": findings_summary(detected, missed, false_alarms),
        "grounding": {"checked": checked, "grounded": grounded, "share": _ratio(grounded, checked)},
    }


def field_f1(summary: dict[str, Any]) -> dict[str, float]:
    """field → F1 (fields with no F1 left out): what ``--compare`` compares."""
    out = {k: v["f1"] for k, v in summary.get("fields", {}).items() if v.get("f1") is not None}
    if summary.get("findings", {}).get("f1") is not None:
        out["findings"] = summary["findings"]["f1"]
    return out
