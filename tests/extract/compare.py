"""Comparing an export with a hand label, field by field (test helper, no pytest here).

Lists are matched by key: indicators by level3, projects by name, budget lines by row
label, breakdown items by (parent, name), achievements by their metric values. Numbers are
equal after sign (下降 → negative) within 1e-6; units must agree where the label states
one, comparators too. Texts are equal after NFKC and dropping whitespace and punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


def norm_text(s: Any) -> str:
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", str(s)))


def _signed(v: dict[str, Any]) -> float | None:
    x = v.get("value")
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return -abs(x) if v.get("direction") == "下降" else float(x)


def value_equal(label: dict[str, Any] | None, pred: dict[str, Any] | None) -> bool:
    if label is None or pred is None:
        return label is None and pred is None
    ln, pn = _signed(label), _signed(pred)
    if ln is not None or pn is not None:
        if ln is None or pn is None or abs(ln - pn) > 1e-6:
            return False
        if label.get("unit") and norm_text(label["unit"]) != norm_text(pred.get("unit") or ""):
            return False
        return not label.get("comparator") or label["comparator"] == pred.get("comparator")
    return norm_text(label.get("value")) == norm_text(pred.get("value"))


@dataclass
class Comparison:
    right: list[str] = field(default_factory=list)
    wrong: list[tuple[str, Any, Any]] = field(default_factory=list)

    def numeric(self) -> tuple[int, int]:
        return len([p for p in self.right if p.startswith("#")]), len(
            [w for w in self.wrong if w[0].startswith("#")]
        )


def _is_value(x: Any) -> bool:
    return isinstance(x, dict) and "raw" in x and "value" in x


def _numeric(x: Any) -> bool:
    return _is_value(x) and isinstance(x["value"], int | float) and not isinstance(x["value"], bool)


def _walk(label: Any, pred: Any, path: str, out: Comparison, partial: bool = False) -> None:
    if label is None and partial:
        return  # generator truth leaves out what it does not state
    if _is_value(label) or label is None and (pred is None or _is_value(pred)):
        tag = "#" if _numeric(label) or _numeric(pred) else ""
        if value_equal(label, pred):
            out.right.append(tag + path)
        else:
            out.wrong.append((tag + path, label and label.get("value"), pred and pred.get("value")))
        return
    if isinstance(label, dict):
        for key, sub in label.items():
            if key in ("source", "parent", "section"):
                continue
            _walk(sub, (pred or {}).get(key), f"{path}.{key}" if path else key, out, partial)


LIST_KEYS = {
    "projects": lambda r: norm_text(r["name"]["value"]),
    "indicators": lambda r: norm_text(r["level3"]["value"]),
    "lines": lambda r: norm_text(r["item"]["value"]),
    "basic_breakdown": lambda r: (
        norm_text(r.get("parent") or "") + "/" + norm_text(r["name"]["value"])
    ),
}


def _match_list(
    name: str,
    labels: list[dict],
    preds: list[dict],
    path: str,
    out: Comparison,
    partial: bool = False,
) -> None:
    if partial and not labels:
        return
    key = LIST_KEYS[name]
    by_key = {key(p): p for p in preds}
    for i, row in enumerate(labels):
        _walk(row, by_key.get(key(row)) or {}, f"{path}[{i}]", out, partial)
    extra = set(by_key) - {key(r) for r in labels}
    for k in sorted(extra):
        out.wrong.append((f"{path}[+{k}]", None, "extra row"))


def compare_export(
    label: dict[str, Any], pred: dict[str, Any], partial: bool = False
) -> Comparison:
    """``partial``: the label is generator truth, which leaves out (None / empty list) what
    it does not state; those fields are not compared."""
    out = Comparison()
    for section in ("report", "staffing", "three_public"):
        _walk(label[section], pred[section], section, out, partial)
    budget_l = {k: v for k, v in label["budget"].items() if k not in ("lines", "basic_breakdown")}
    _walk(budget_l, pred["budget"], "budget", out, partial)
    bl, bp = label["budget"], pred["budget"]
    _match_list("lines", bl["lines"], bp["lines"], "budget.lines", out, partial)
    _match_list(
        "basic_breakdown",
        bl["basic_breakdown"],
        bp["basic_breakdown"],
        "budget.basic_breakdown",
        out,
        partial,
    )
    _match_list("projects", label["projects"], pred["projects"], "projects", out, partial)
    _match_list("indicators", label["indicators"], pred["indicators"], "indicators", out, partial)
    return out


def metric_recall(label: dict[str, Any], pred: dict[str, Any]) -> tuple[int, int, list[str]]:
    """How many labelled achievement metrics appear (value, unit, comparator) among the
    predicted metrics of the same sentence (matched by normalised text overlap)."""
    found, total, missed = 0, 0, []
    for ach in label["achievements"]:
        text = norm_text(ach["text"]["value"])
        cands = [
            a
            for a in pred["achievements"]
            if norm_text(a["text"]["value"]) in text or text in norm_text(a["text"]["value"])
        ]
        pm = [m["value"] for a in cands for m in a["metrics"]]
        for m in ach["metrics"]:
            total += 1
            if any(value_equal(m["value"], p) for p in pm):
                found += 1
            else:
                missed.append(f"{ach['text']['value'][:20]}…: {m['value']['raw']}")
    return found, total, missed


def finding_keys(findings: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(kind, first path with list indices dropped) of each finding."""
    return {(f["kind"], re.sub(r"\[\d+\]", "[]", f["paths"][0])) for f in findings}
