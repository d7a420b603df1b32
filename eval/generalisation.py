"""The figures the team steers by, per split, per family and per format (issue 11).

Owns: for one scored document, the counts behind six figures — stated scalars read right,
projects (name + amount), indicator rows, achievement metrics (value + unit and name),
planted contradictions found, error-level false alarms on consistent documents — and adding
them up per split (``heldout``, ``tuning``, ``seeds``), per family of variation and per
format. Reuses the scorer's record matching and value comparison; adds only what it lacks.
Must not touch: files, the database, the extractor.

**The held-out split is the figure that counts.** Its documents come from families of
variation nobody tunes the readers to; the tuning split (the three templates the rules were
built from, and the generator's tuning variants) says whether the familiar layouts still
read, the seeds whether two real reports still read. Nothing under ``service/extract`` may
know which split a document is in (a test checks it); the eval gives varied documents a
neutral file name for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eval.scorer import (
    FIELD_KINDS,
    MATCHERS,
    SINGLE_SECTIONS,
    Counts,
    DocScore,
    _leaves,
    match,
    score_findings,
)
from eval.textsim import ANLS_THRESHOLD, nls, normalize
from eval.values import as_value, compare, is_value, value_kind

SPLITS = ("heldout", "tuning", "seeds")
SPLIT_NAMES = {"heldout": "held-out", "tuning": "tuning", "seeds": "seeds"}
# the figures, higher is better except the false alarms; (key, label) in printing order
FIGURES = (
    ("scalars_recall", "scalars"),
    ("projects_f1", "projects"),
    ("indicators_f1", "indicators"),
    ("metrics_f1", "metrics"),
    ("contradictions_recall", "contradictions"),
    ("error_alarms_per_10", "error alarms /10"),
)
# what ``--compare`` watches per split: the figures where a drop is a regression
COMPARED = tuple(key for key, _ in FIGURES if key != "error_alarms_per_10")


# --- one document ---------------------------------------------------------------------------


@dataclass
class Steering:
    """The counts of one document (JSON-ready through ``as_dict``)."""

    scalars_stated: int = 0
    scalars_right: float = 0.0
    projects: Counts = field(default_factory=Counts)
    indicators: Counts = field(default_factory=Counts)
    metrics: Counts = field(default_factory=Counts)
    planted: int = 0
    found: int = 0
    consistent: bool = False  # the truth lists findings, and none
    error_alarms: int = 0  # error-level findings predicted on a consistent document
    overall: Counts = field(default_factory=Counts)  # the scorer's, for the group F1

    def as_dict(self) -> dict[str, Any]:
        return {
            "scalars": {"stated": self.scalars_stated, "right": round(self.scalars_right, 6)},
            "projects": self.projects.as_dict(),
            "indicators": self.indicators.as_dict(),
            "metrics": self.metrics.as_dict(),
            "contradictions": {"planted": self.planted, "found": self.found},
            "consistent": self.consistent,
            "error_alarms": self.error_alarms,
            "overall": self.overall.as_dict(),
        }


def steer_document(
    pred: dict[str, Any], label: dict[str, Any], score: DocScore | None = None
) -> Steering:
    """The steering counts of one predicted export against its label (the scorer's
    ``score`` adds the overall value counts, so a group's F1 sits beside its figures)."""
    s = Steering()
    s.scalars_stated, s.scalars_right = _scalars(pred, label)
    if "projects" in label:
        s.projects = _projects(label["projects"] or [], pred.get("projects") or [])
    if "indicators" in label:
        s.indicators = _rows("indicators", label["indicators"] or [], pred.get("indicators") or [])
    if "achievements" in label:
        s.metrics = _metrics(label["achievements"] or [], pred.get("achievements") or [])
    if "findings" in label:
        truth = label["findings"] or []
        predicted = pred.get("findings") or []
        s.planted = len(truth)
        s.found = len(score_findings(truth, predicted)["detected"])
        s.consistent = not truth
        if s.consistent:
            s.error_alarms = sum(1 for f in predicted if f.get("severity") == "error")
    if score is not None:
        s.overall = score.overall
    return s


def _scalars(pred: dict[str, Any], label: dict[str, Any]) -> tuple[int, float]:
    """(stated, read right) over the truth's scalars: every non-null value of ``report``,
    ``staffing``, ``budget`` and ``three_public`` outside their lists (基础数据表 lines and
    the 基本支出 breakdown are rows, not scalars). Long text is credited by its ANLS."""
    stated, right = 0, 0.0
    for section in SINGLE_SECTIONS:
        if not isinstance(label.get(section), dict):
            continue
        got = dict(_leaves(pred.get(section))) if isinstance(pred.get(section), dict) else {}
        for path, leaf in _leaves(label[section]):
            expected = None if isinstance(leaf, list) else as_value(leaf)
            if expected is None:
                continue  # a row list, or "not in the document"
            stated += 1
            predicted = got.get(path)
            q = None if isinstance(predicted, list) else as_value(predicted)
            if q is not None:
                right += compare(expected, q, FIELD_KINDS.get(f"{section}.{path}"))
    return stated, right


def _rows(section: str, labels: list[Any], preds: list[Any]) -> Counts:
    """Record-matching counts: a labelled row found (by the scorer's own matcher) is a TP."""
    similarity, threshold, _ = MATCHERS[section]
    pairs = match(labels, preds, similarity, threshold)
    return Counts(tp=len(pairs), fp=len(preds) - len(pairs), fn=len(labels) - len(pairs))


def _projects(labels: list[Any], preds: list[Any]) -> Counts:
    """A project is right when it is matched by name and its amount (本年支出) is right; a
    matched project with a wrong or missing amount is one FP and one FN."""
    similarity, threshold, _ = MATCHERS["projects"]
    pairs = match(labels, preds, similarity, threshold)
    right = sum(1 for i, j in pairs if _same(labels[i].get("amount"), preds[j].get("amount")))
    return Counts(tp=right, fp=len(preds) - right, fn=len(labels) - right)


def _same(expected: Any, got: Any) -> bool:
    eq, gq = as_value(expected), as_value(got)
    if eq is None:
        return gq is None
    return gq is not None and compare(eq, gq) == 1.0


def _metric_pairs(achievements: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, value) of every metric of every achievement; a bare value has no name."""
    out = []
    for achievement in achievements:
        metrics = achievement.get("metrics") if isinstance(achievement, dict) else None
        for metric in metrics or []:
            if is_value(metric):
                value, name = as_value(metric), ""
            elif isinstance(metric, dict):
                value, name = as_value(metric.get("value")), str(metric.get("name") or "")
            else:
                continue
            if value is not None:
                out.append((name, value))
    return out


def _metric_similarity(label: tuple[str, dict[str, Any]], pred: tuple[str, dict[str, Any]]):
    """1 + name similarity when the value and unit agree and the names are close enough
    (ANLS ≥ τ, or one name inside the other: 年底办结 / 办结); else 0. A label metric
    without a name is matched by its value alone."""
    (lname, lvalue), (pname, pvalue) = label, pred
    if value_kind(lvalue) not in ("numeric", "range") or compare(lvalue, pvalue) != 1.0:
        return 0.0
    if not normalize(lname):
        return 1.0
    sim = nls(lname, pname)
    short, long_ = sorted((normalize(lname), normalize(pname)), key=len)
    if short and short in long_:
        sim = max(sim, ANLS_THRESHOLD)
    return 1.0 + sim if sim >= ANLS_THRESHOLD else 0.0


def _metrics(labels: list[Any], preds: list[Any]) -> Counts:
    """Achievement metrics matched one to one across the whole document (not only inside
    matched achievements: a metric read from a sentence cut differently still counts)."""
    lm, pm = _metric_pairs(labels), _metric_pairs(preds)
    pairs = match(lm, pm, _metric_similarity, 1.0)
    return Counts(tp=len(pairs), fp=len(pm) - len(pairs), fn=len(lm) - len(pairs))


# --- adding up ------------------------------------------------------------------------------


def _ratio(num: float, den: float, scale: float = 1.0) -> float | None:
    return round(scale * num / den, 6) if den else None


def figures(docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a group of documents, from their ``Steering.as_dict()`` counts."""
    n = stated = right = planted = found = consistent = alarms = 0
    rows = {"projects": Counts(), "indicators": Counts(), "metrics": Counts()}
    overall = Counts()
    for d in docs:
        n += 1
        stated += d["scalars"]["stated"]
        right += d["scalars"]["right"]
        for key, counts in rows.items():
            counts.add(Counts(d[key]["tp"], d[key]["fp"], d[key]["fn"]))
        planted += d["contradictions"]["planted"]
        found += d["contradictions"]["found"]
        consistent += bool(d["consistent"])
        alarms += d["error_alarms"]
        o = d.get("overall") or {}
        overall.add(Counts(o.get("tp", 0), o.get("fp", 0), o.get("fn", 0)))
    return {
        "documents": n,
        "f1": overall.as_dict()["f1"],
        "scalars_recall": _ratio(right, stated),
        "scalars": {"stated": stated, "right": round(right, 6)},
        **{f"{key}_f1": counts.as_dict()["f1"] for key, counts in rows.items()},
        **{key: counts.as_dict() for key, counts in rows.items()},
        "contradictions_recall": _ratio(found, planted),
        "contradictions": {"planted": planted, "found": found},
        "error_alarms_per_10": _ratio(alarms, consistent, 10.0),
        "false_alarms": {"consistent_documents": consistent, "error_findings": alarms},
    }


@dataclass
class Scored:
    """What grouping needs of one scored item."""

    split: str
    families: list[str]
    format: str
    steering: dict[str, Any]
    held_out: list[str] = field(default_factory=list)  # of families: held-out variants


def generalisation(items: Iterable[Scored]) -> dict[str, Any]:
    """Figures per split, and within each split per family and per format. A document in
    several families counts in each of them."""
    groups: dict[str, list[Scored]] = {}
    for item in items:
        groups.setdefault(item.split, []).append(item)
    order = [s for s in SPLITS if s in groups] + sorted(set(groups) - set(SPLITS))
    out: dict[str, Any] = {"splits": {}, "families": {}, "formats": {}}
    out["held_out_families"] = sorted({f for s in groups.values() for m in s for f in m.held_out})
    for split in order:
        members = groups[split]
        out["splits"][split] = figures(m.steering for m in members)
        by_family: dict[str, list[dict[str, Any]]] = {}
        by_format: dict[str, list[dict[str, Any]]] = {}
        for m in members:
            for family in m.families:
                by_family.setdefault(family, []).append(m.steering)
            by_format.setdefault(m.format, []).append(m.steering)
        out["families"][split] = {k: figures(v) for k, v in sorted(by_family.items())}
        out["formats"][split] = {k: figures(v) for k, v in sorted(by_format.items())}
    return out


def compared_figures(gen: dict[str, Any] | None) -> dict[str, float]:
    """``split.<split>.<figure>`` → value, for ``--compare`` (figures with no value left
    out, as ``summary.field_f1`` leaves out fields with no F1)."""
    out = {}
    for split, figs in ((gen or {}).get("splits") or {}).items():
        for key in COMPARED:
            if figs.get(key) is not None:
                out[f"split.{split}.{key}"] = figs[key]
    return out


def split_rows(gen: dict[str, Any] | None) -> list[str]:
    """The splits side by side, held-out first: the lines ``jixiao eval`` prints."""
    splits = (gen or {}).get("splits") or {}
    if not splits:
        return []
    head = f"  {'split':<10}{'docs':>6}" + "".join(f"{label:>17}" for _, label in FIGURES)
    lines = [head]
    for split, figs in splits.items():
        cells = "".join(f"{_cell(key, figs):>17}" for key, _ in FIGURES)
        lines.append(f"  {SPLIT_NAMES.get(split, split):<10}{figs['documents']:>6}{cells}")
    return lines


def _cell(key: str, figs: dict[str, Any]) -> str:
    value = figs.get(key)
    if key == "error_alarms_per_10":
        fa = figs["false_alarms"]
        n = fa["consistent_documents"]
        return "—" if value is None else f"{value:.1f} ({fa['error_findings']}/{n})"
    if value is None:
        return "—"
    if key == "contradictions_recall":
        c = figs["contradictions"]
        return f"{100 * value:.1f}% ({c['found']}/{c['planted']})"
    return f"{100 * value:.1f}%"
