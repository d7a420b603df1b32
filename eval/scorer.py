"""Scoring one extraction against its hand label: pure functions, no I/O.

Owns: matching predicted records to labelled ones, comparing values, counting true/false
positives and negatives per field, findings (detected / missed / false alarm) and grounding.
Takes plain dicts in the export format (``ReportExport.model_dump(mode="json")``) and, for
grounding, the document text. Must not touch: files, the database, the extractor.

The rules (docs/eval.md explains them for readers of the report)
-----------------------------------------------------------------
* Sections ``report``, ``staffing``, ``budget``, ``three_public`` are one record each; the
  lists ``projects``, ``indicators``, ``achievements``, ``problems``, ``measures`` are matched
  one-to-one first: indicators by level3 name and projects by name (name similarity ≥
  ``NAME_MATCH_THRESHOLD``), achievements by their text and metrics (≥
  ``ACHIEVEMENT_MATCH_THRESHOLD``), problems and measures by text (≥ ``ITEM_MATCH_THRESHOLD``).
* A value is a ``{value, unit, raw, ...}`` object or null. Label null means "not in the
  document": a predicted value there is a false positive. A key the label leaves out is not
  scored (partial labels, e.g. generator truth, stay honest).
* Numbers: equal after unit normalisation (元/千元/亿元 → 万元) and sign (a positive value
  with a decrease direction counts as negative); money within ``MONEY_TOLERANCE`` 万元
  (rounding only), other units within ``FLOAT_TOLERANCE``. Units must agree when both sides
  state one; a comparator the label states (≥, 余, 约) must be predicted too.
* Short text (≤ ``LONG_TEXT_MIN_CHARS`` normalised characters in the label): equal after
  ``textsim.normalize``. Longer text: ANLS (threshold ``textsim.ANLS_THRESHOLD``), credited
  fractionally: tp += s, fp += 1 - s, fn += 1 - s.
* A wrong value is both a false positive and a false negative. F1 = 2TP / (2TP + FP + FN).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eval.textsim import dice, name_similarity, normalize, squash_ws
from eval.values import (
    as_value,
    canonical_number,
    compare,
    context,
    display,
    is_number,
    is_value,
    spans_of,
    value_kind,
    why_wrong,
)

NAME_MATCH_THRESHOLD = 0.8
ACHIEVEMENT_MATCH_THRESHOLD = 0.5
ITEM_MATCH_THRESHOLD = 0.5

SINGLE_SECTIONS = ("report", "staffing", "budget", "three_public")
LIST_SECTIONS = ("projects", "indicators", "achievements", "problems", "measures")
# Record fields that say where or how a value was found rather than what it is.
SKIPPED_FIELDS = frozenset(
    {"source", "also", "sources", "id", "index", "row", "order", "confidence"}
)
TEXT_FIELDS = ("text", "sentence", "content", "description", "name", "title")

# --- counting -------------------------------------------------------------------------------


@dataclass
class Counts:
    """True/false positives and negatives of one field; fractional for ANLS-scored text."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        denom = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denom if denom else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": round(self.tp, 6),
            "fp": round(self.fp, 6),
            "fn": round(self.fn, 6),
            "precision": _r(self.precision),
            "recall": _r(self.recall),
            "f1": _r(self.f1),
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


@dataclass
class Diff:
    """One value that was not fully right, for the side-by-side view of the report."""

    path: str  # e.g. "indicators[办结率].actual"
    field: str  # e.g. "indicators.actual"
    verdict: str  # wrong | missing | extra
    expected: str | None
    got: str | None
    score: float = 0.0
    span: tuple[int, int] | None = None  # the predicted value's source span
    context: str | None = None  # the document text around that span
    note: str | None = None  # why a number did not match (unit, sign, text…)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class DocScore:
    fields: dict[str, Counts] = field(default_factory=dict)
    field_kinds: dict[str, str] = field(default_factory=dict)
    rows: dict[str, Counts] = field(default_factory=dict)  # record matching per list section
    numeric_right: int = 0
    numeric_total: int = 0
    findings: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"detected": [], "missed": [], "false_alarms": []}
    )
    grounding: dict[str, Any] = field(default_factory=dict)
    diffs: list[Diff] = field(default_factory=list)

    def counts(self, key: str) -> Counts:
        return self.fields.setdefault(key, Counts())

    @property
    def overall(self) -> Counts:
        total = Counts()
        for c in self.fields.values():
            total.add(c)
        return total


@dataclass
class _Ctx:
    """What scoring one document carries around."""

    score: DocScore
    text: str | None


# --- leaves and records ---------------------------------------------------------------------


def _leaves(record: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, leaf) of a record: nested plain dicts are flattened with dots; a leaf is a
    value object, a bare scalar, None, or a list (scored as a set)."""
    if not isinstance(record, dict) or is_value(record):
        yield prefix.rstrip("."), record
        return
    for key, node in record.items():
        if key in SKIPPED_FIELDS:
            continue
        if isinstance(node, dict) and not is_value(node):
            yield from _leaves(node, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", node


def _main_text(record: Any) -> str:
    """The text a list item is matched by: its first present text field, else its longest
    string value."""
    if isinstance(record, str):
        return record
    q = as_value(record) if is_value(record) else None
    if q is not None and isinstance(q["value"], str):
        return q["value"]
    if not isinstance(record, dict):
        return ""
    strings: dict[str, str] = {}
    for path, leaf in _leaves(record):
        lq = as_value(leaf) if not isinstance(leaf, list) else None
        if lq is not None and isinstance(lq["value"], str):
            strings[path] = lq["value"]
    for name in TEXT_FIELDS:
        if name in strings:
            return strings[name]
    return max(strings.values(), key=len, default="")


def _field_text(record: Any, name: str) -> str:
    node = record.get(name) if isinstance(record, dict) else None
    q = as_value(node) if node is not None else None
    return str(q["value"]) if q is not None else ""


def _numbers(record: Any) -> list[tuple[float, str | None]]:
    out = []
    for _, leaf in _leaves(record):
        items = leaf if isinstance(leaf, list) else [leaf]
        for item in items:
            for _, sub in _leaves(item):
                q = as_value(sub) if not isinstance(sub, list) else None
                if q is not None and is_number(q["value"]):
                    value, unit = canonical_number(q)
                    out.append((round(value, 2), unit))
    return out


# --- matching -------------------------------------------------------------------------------

Similarity = Callable[[Any, Any], float]


def match(
    labels: list[Any], preds: list[Any], similarity: Similarity, threshold: float
) -> list[tuple[int, int]]:
    """One-to-one pairs (label index, predicted index), greedily by similarity ≥ threshold;
    ties go to the pair closest in document order."""
    candidates = []
    for i, label in enumerate(labels):
        for j, pred in enumerate(preds):
            sim = similarity(label, pred)
            if sim >= threshold:
                candidates.append((-sim, abs(i - j), i, j))
    candidates.sort()
    used_l: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, _, i, j in candidates:
        if i not in used_l and j not in used_p:
            used_l.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def _indicator_similarity(label: Any, pred: Any) -> float:
    sim = name_similarity(_field_text(label, "level3"), _field_text(pred, "level3"))
    if sim < NAME_MATCH_THRESHOLD:
        return 0.0  # the threshold is on the name alone; the bonus below only breaks ties
    # Same level3 under a different level2 (满意度 appears under several) is a weaker match.
    for name, bonus in (("level2", 0.02), ("level1", 0.01)):
        if normalize(_field_text(label, name)) == normalize(_field_text(pred, name)):
            sim += bonus
    return sim


def _by_name(name: str) -> Similarity:
    """Records matched by the similarity of one name field (projects by name, 基础数据表
    lines by item)."""

    def similarity(label: Any, pred: Any) -> float:
        return name_similarity(_field_text(label, name), _field_text(pred, name))

    return similarity


def _achievement_similarity(label: Any, pred: Any) -> float:
    text_sim = dice(_main_text(label), _main_text(pred))
    ln, pn = _numbers(label), _numbers(pred)
    if not ln and not pn:
        return text_sim
    common = sum(min(ln.count(x), pn.count(x)) for x in set(ln))
    metric_sim = common / max(len(ln), len(pn))
    return 0.5 * text_sim + 0.5 * metric_sim


def _item_similarity(label: Any, pred: Any) -> float:
    return dice(_main_text(label), _main_text(pred))


def _generic_similarity(label: Any, pred: Any) -> float:
    """Nested list items (metrics, income sources): share of the label's values predicted."""
    lq, pq = as_value(label), as_value(pred)
    if is_value(label) or not isinstance(label, dict):
        if lq is None or pq is None:
            return 0.0
        sim = compare(lq, pq)
        return sim + 0.1 * dice(_main_text(label), _main_text(pred)) if sim else 0.0
    leaves = [(p, as_value(v)) for p, v in _leaves(label) if not isinstance(v, list)]
    leaves = [(p, q) for p, q in leaves if q is not None]
    if not leaves or not isinstance(pred, dict):
        return 0.0
    got = dict(_leaves(pred))
    right = 0.0
    for path, q in leaves:
        gq = as_value(got.get(path)) if not isinstance(got.get(path), list) else None
        right += compare(q, gq) if gq is not None else 0.0
    return right / len(leaves)


MATCHERS: dict[str, tuple[Similarity, float, Callable[[Any], str]]] = {
    "indicators": (_indicator_similarity, NAME_MATCH_THRESHOLD, lambda r: _field_text(r, "level3")),
    "projects": (_by_name("name"), NAME_MATCH_THRESHOLD, lambda r: _field_text(r, "name")),
    "achievements": (_achievement_similarity, ACHIEVEMENT_MATCH_THRESHOLD, _main_text),
    "problems": (_item_similarity, ITEM_MATCH_THRESHOLD, _main_text),
    "measures": (_item_similarity, ITEM_MATCH_THRESHOLD, _main_text),
    "budget.lines": (_by_name("item"), NAME_MATCH_THRESHOLD, lambda r: _field_text(r, "item")),
    "budget.basic_breakdown": (
        _by_name("name"), NAME_MATCH_THRESHOLD, lambda r: _field_text(r, "name"),
    ),
}  # fmt: skip
# Descriptive names read around a figure: credited by similarity, not exact match.
FIELD_KINDS = {"achievements.metrics.name": "long_text"}
GENERIC_MATCHER: tuple[Similarity, float, Callable[[Any], str]] = (
    _generic_similarity, 0.5, _main_text,
)  # fmt: skip


def _label_of(key_fn: Callable[[Any], str], record: Any, index: int) -> str:
    text = re.sub(r"\s+", "", key_fn(record) or "")
    return text[:16] + "…" if len(text) > 16 else (text or str(index))


# --- scoring records ------------------------------------------------------------------------


def _score_value(
    ctx: _Ctx, key: str, path: str, expected: dict[str, Any] | None, got: dict[str, Any] | None
) -> None:
    """Count one labelled/predicted value pair under field ``key``."""
    if expected is None and got is None:
        return  # agreed that it is not there: nothing to count
    counts = ctx.score.counts(key)
    kind = FIELD_KINDS.get(key) or (value_kind(expected) if expected is not None else None)
    if kind is not None:
        ctx.score.field_kinds.setdefault(key, kind)
    span = None
    if got is not None:
        spans = spans_of(got.get("source"))
        span = spans[0] if spans else None
    if expected is None:
        counts.fp += 1
        ctx.score.diffs.append(
            Diff(path, key, "extra", None, display(got), span=span, context=context(ctx.text, span))
        )
        return
    numeric = kind == "numeric"
    ctx.score.numeric_total += numeric
    if got is None:
        counts.fn += 1
        ctx.score.diffs.append(Diff(path, key, "missing", display(expected), None))
        return
    s = compare(expected, got, kind)
    counts.tp += s
    counts.fp += 1 - s
    counts.fn += 1 - s
    ctx.score.numeric_right += numeric and s == 1.0
    if s < 1.0:
        ctx.score.diffs.append(
            Diff(
                path,
                key,
                "wrong",
                display(expected),
                display(got),
                score=round(s, 4),
                span=span,
                context=context(ctx.text, span),
                note=why_wrong(expected, got),
            )  # fmt: skip
        )


def _score_leaf(ctx: _Ctx, key: str, path: str, expected: Any, got: Any) -> None:
    if isinstance(expected, list) or isinstance(got, list):
        labels = expected if isinstance(expected, list) else []
        preds = got if isinstance(got, list) else []
        _score_list(ctx, key, path, labels, preds, MATCHERS.get(key, GENERIC_MATCHER))
    elif expected is None and isinstance(got, dict) and not is_value(got):
        _score_unmatched_pred(ctx, key, path, got)
    else:
        _score_value(ctx, key, path, as_value(expected), as_value(got))


def _score_record(ctx: _Ctx, key: str, path: str, label: Any, pred: Any) -> None:
    """Every field of one matched record (or of one section). ``label``/``pred`` None means
    the record is unmatched: all of the other side's values are then missing/extra."""
    if is_value(label) or is_value(pred) or not isinstance(label or pred or {}, dict):
        _score_value(ctx, key, path, as_value(label), as_value(pred))
        return
    label_leaves = dict(_leaves(label)) if label is not None else None
    pred_leaves = dict(_leaves(pred)) if isinstance(pred, dict) else {}
    names = list(label_leaves) if label_leaves is not None else list(pred_leaves)
    for name in names:
        sub_key, sub_path = f"{key}.{name}", f"{path}.{name}"
        expected = label_leaves.get(name) if label_leaves is not None else None
        _score_leaf(ctx, sub_key, sub_path, expected, pred_leaves.get(name))
    # Keys the label leaves out are not scored; with no label record they were all counted.


def _score_list(
    ctx: _Ctx,
    key: str,
    path: str,
    labels: list[Any],
    preds: list[Any],
    matcher: tuple[Similarity, float, Callable[[Any], str]],
) -> None:
    similarity, threshold, key_fn = matcher
    pairs = match(labels, preds, similarity, threshold)
    rows = ctx.score.rows.setdefault(key, Counts()) if path == key else Counts()
    rows.tp += len(pairs)
    rows.fn += len(labels) - len(pairs)
    rows.fp += len(preds) - len(pairs)
    matched_l = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    for i, j in pairs:
        name = _label_of(key_fn, labels[i], i)
        _score_record(ctx, key, f"{path}[{name}]", labels[i], preds[j])
    for i, label in enumerate(labels):
        if i not in matched_l:
            _score_record(ctx, key, f"{path}[{_label_of(key_fn, label, i)}]", label, None)
    for j, pred in enumerate(preds):
        if j not in matched_p:
            _score_unmatched_pred(ctx, key, f"{path}[{_label_of(key_fn, pred, j)}]", pred)


def _score_unmatched_pred(ctx: _Ctx, key: str, path: str, pred: Any) -> None:
    if not isinstance(pred, dict) or is_value(pred):
        _score_value(ctx, key, path, None, as_value(pred))
        return
    for name, leaf in _leaves(pred):
        if isinstance(leaf, list):
            for n, item in enumerate(leaf):
                _score_unmatched_pred(ctx, f"{key}.{name}", f"{path}.{name}[{n}]", item)
        else:
            _score_value(ctx, f"{key}.{name}", f"{path}.{name}", None, as_value(leaf))


# --- findings -------------------------------------------------------------------------------


def _finding_paths(finding: dict[str, Any]) -> set[str]:
    paths: set[str] = set()
    for key in ("field", "fields", "path", "paths"):
        value = finding.get(key)
        if isinstance(value, str):
            paths.add(value)
        elif isinstance(value, list):
            paths.update(str(v) for v in value if v is not None)
    return paths


def _strip_index(path: str) -> str:
    return re.sub(r"\[[^\]]*\]", "[]", path)


def _finding_similarity(label: dict[str, Any], pred: dict[str, Any]) -> float:
    """Same kind required; then shared field paths (exact, else with list indices ignored)."""
    if str(label.get("kind")) != str(pred.get("kind")):
        return 0.0
    lp, pp = _finding_paths(label), _finding_paths(pred)
    if not lp and not pp:
        return 1.0
    exact = len(lp & pp)
    if exact:
        return 1.0 + exact / max(len(lp), len(pp))
    loose = {_strip_index(p) for p in lp} & {_strip_index(p) for p in pp}
    return 0.5 if loose else 0.0


def score_findings(labels: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, Any]:
    """Expected findings detected / missed, and predicted findings that are false alarms."""
    pairs = match(labels, preds, _finding_similarity, 0.5)
    got_l = {i for i, _ in pairs}
    got_p = {j for _, j in pairs}

    def brief(f: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": f.get("kind"),
            "fields": sorted(_finding_paths(f)),
            "values": f.get("values"),
        }

    return {
        "detected": [brief(labels[i]) for i, _ in pairs],
        "missed": [brief(f) for i, f in enumerate(labels) if i not in got_l],
        "false_alarms": [brief(f) for j, f in enumerate(preds) if j not in got_p],
    }


# --- grounding ------------------------------------------------------------------------------


def _predicted_values(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if is_value(node):
        if node.get("value") is not None:
            yield path, node
        return
    if isinstance(node, dict):
        for key, sub in node.items():
            yield from _predicted_values(sub, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for n, sub in enumerate(node):
            yield from _predicted_values(sub, f"{path}[{n}]")


def score_grounding(pred: dict[str, Any], text: str) -> dict[str, Any]:
    """Share of predicted values whose source span, applied to ``text``, contains their raw
    text (compared with NFKC and whitespace removed). A value without a source or a raw text
    is ungrounded: it cannot be traced."""
    checked = grounded = exact = 0
    ungrounded: list[dict[str, Any]] = []
    for section in (*SINGLE_SECTIONS, *LIST_SECTIONS):
        for path, q in _predicted_values(pred.get(section), section):
            checked += 1
            raw = q.get("raw")
            spans = spans_of(q.get("source"))
            reason = None
            if not raw:
                reason = "no raw text"
            elif not spans:
                reason = "no source span"
            else:
                slices = [text[s:e] for s, e in spans if 0 <= s <= e <= len(text)]
                if any(raw == s for s in slices):
                    exact += 1
                if not any(squash_ws(raw) in squash_ws(s) for s in slices):
                    reason = "span does not contain the raw text"
            if reason is None:
                grounded += 1
            else:
                ungrounded.append({"path": path, "raw": raw, "reason": reason})
    return {
        "checked": checked,
        "grounded": grounded,
        "exact": exact,
        "share": round(grounded / checked, 6) if checked else None,
        "ungrounded": ungrounded,
    }


# --- one document ---------------------------------------------------------------------------


def score_document(
    pred: dict[str, Any], label: dict[str, Any], text: str | None = None
) -> DocScore:
    """Score one predicted export against its label. ``text`` (the document's text) enables
    grounding and the source context of wrong values."""
    ctx = _Ctx(DocScore(), text)
    for section in SINGLE_SECTIONS:
        if section in label:
            _score_record(ctx, section, section, label[section], pred.get(section))
    for section in LIST_SECTIONS:
        if section in label:
            matcher = MATCHERS[section]
            _score_list(
                ctx, section, section, label[section] or [], pred.get(section) or [], matcher
            )
    if "findings" in label:
        ctx.score.findings = score_findings(label["findings"] or [], pred.get("findings") or [])
    if text is not None:
        ctx.score.grounding = score_grounding(pred, text)
    return ctx.score
