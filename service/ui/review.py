"""The review page's model: the export JSON laid out as tables of cells, with source boxes.

Owns turning one document's current view (extraction + corrections) into what the
template draws: record sections (key/value tables and row tables), one ``Cell`` per value
with its canonical correction path, the boxes of every value on its page (as percentages of
the page, so they scale with the image without any script), the findings with links to
both sides, and — for formats without page images — the text with the values' spans
marked. Pure functions over dicts; no database, no HTTP.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from pydantic import BaseModel

from service.records.figures import MONEY_UNITS, figure, in_unit
from service.records.figures import number as figure_number
from service.records.numbers import MONEY_UNIT
from service.store.corrections import (
    CorrectionError,
    canonical_path,
    field_unit,
    is_numeric_field,
    parse_path,
    plain,
    schema_at,
    value_at,
)
from service.store.review import FindingState, FindingStatus, finding_key
from service.ui.i18n import Lang, field_label, group_label, path_label, translator
from service.ui.page_find import to_percent, value_parts
from service.ui.sheet_view import ValueSpan, locator_cell, sheet_pages
from service.ui.sources import SourceDoc
from service.ui.worklist import also_place

LONG_FIELDS = frozenset({"text", "deviation", "title"})
_PREFIX_COMPARATORS = frozenset({"≥", "≤", ">", "<", "约", "近", "超过", "不低于", "不高于", "达"})


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


# --- cells -------------------------------------------------------------------------------


def fmt_number(value: float | int) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def display(node: Any) -> str:
    """A value as a reviewer reads it: '≥95 %', '270余', '↓12.5', '80–90'."""
    if node is None:
        return ""
    if not isinstance(node, dict):
        return str(node)
    value = node.get("value")
    unit = node.get("unit")
    if value is None and node.get("low") is not None:
        text = f"{figure_number(node['low'], unit)}–{figure_number(node.get('high') or node['low'], unit)}"
    elif value is None:
        return ""
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int | float):
        text = figure_number(
            value, unit
        )  # as finance staff read it: 1,234.50 (service.records.figures)
    else:
        text = str(value)
    comparator = node.get("comparator")
    if comparator:
        text = f"{comparator}{text}" if comparator in _PREFIX_COMPARATORS else f"{text}{comparator}"
    direction = node.get("direction")
    if direction in ("增长", "下降"):
        text = ("↑" if direction == "增长" else "↓") + text
    return text


def shown(node: Any, unit: str | None = None) -> str:
    """A value with its unit and, when converted, the text as stated beside it:
    '0.13 万元（原文 1,300元）', '≥95.00%', '87.5 分'. ``unit``: the field's, when the value
    carries none (a money value in a finding is always shown in 万元)."""
    if not isinstance(node, dict):
        return display(node)
    node = {**node, "unit": node.get("unit") or unit}
    text = display(node)
    u = node["unit"]
    if text and u and not text.endswith(u):
        text = f"{text}{u}" if u in ("%", "‰") else f"{text} {u}"
    fig = in_unit(node, MONEY_UNIT) if u in MONEY_UNITS else figure(node)
    return f"{text}（原文 {fig.original}）" if text and fig and fig.original else text


def edit_text(node: Any) -> str:
    """What the editor starts with: the bare value, without comparator or direction."""
    value = plain(node) if isinstance(node, dict) else node
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_number(value)
    return str(value)


@dataclass
class Cell:
    """One value on the page: where it lives, what it shows, how it may be edited."""

    path: str
    label: str
    text: str
    edit: str
    unit: str | None = None
    raw: str | None = None
    original: str = ""  # the text as stated when the unit was converted (1,300元 → 0.13 万元)
    numeric: bool = False
    long: bool = False
    plain_field: bool = False  # a bare string in the schema, not a Value
    page: int | None = None
    boxed: bool = False
    grounded: bool = True
    extractor: str | None = None
    also: list[str] = field(default_factory=list)  # other places stating it: "p3 llm"
    missing: bool = False
    empty: bool = True
    corrected: bool = False
    clearable: bool = True

    @property
    def tooltip(self) -> str:
        shown = f"{self.text} {self.unit or ''}".strip()
        return f"{self.label} = {shown}" if shown else self.label


@dataclass
class Box:
    ref: str
    label: str
    left: float
    top: float
    width: float
    height: float
    finding: bool = False
    was: bool = False  # where a value since corrected was read: its old text, not the value

    @property
    def style(self) -> str:
        return (
            f"left:{self.left:.3f}%;top:{self.top:.3f}%;"
            f"width:{self.width:.3f}%;height:{self.height:.3f}%"
        )


@dataclass
class Row:
    index: int
    path: str
    cells: list[Cell]
    extra: list[Cell] = field(default_factory=list)  # achievements' metrics

    @property
    def page(self) -> int | None:
        """The page the row stands on (its first value's), shown once per row."""
        return next((c.page for c in self.cells if c.page), None)


@dataclass
class Column:
    name: str
    label: str
    numeric: bool = False
    long: bool = False
    plain_field: bool = False
    required: bool = False


@dataclass
class Section:
    """A card on the records side: ``kind`` is 'kv' (field/value), 'rows' or 'matrix'."""

    key: str
    title: str
    kind: str
    list_path: str | None = None
    columns: list[Column] = field(default_factory=list)
    pairs: list[tuple[str, Cell]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    matrix: list[tuple[str, list[Cell]]] = field(default_factory=list)
    filled: int = 0
    total: int = 0

    @property
    def columns_json(self) -> str:
        """The columns, for the script that builds the add-a-row editor."""
        return json.dumps(
            [
                {
                    "name": c.name,
                    "label": c.label,
                    "numeric": c.numeric,
                    "long": c.long,
                    "plain": c.plain_field,
                    "required": c.required,
                }
                for c in self.columns
            ],
            ensure_ascii=False,
        )


@dataclass
class FindingItemView:
    ref: str
    path: str | None
    label: str
    text: str
    page: int | None
    boxed: bool
    # "采用此值": what the field would become and what it is now, offered only on a side of
    # a conflict (one value of the same field) that differs from the current view
    adopt: tuple[str, str] | None = None


@dataclass
class FindingView:
    """A finding as a work item: its state (待处理/已更正/确认无误/忽略) and who set it."""

    index: int
    kind: str
    kind_label: str
    severity: str
    message: str
    paths: list[str]
    items: list[FindingItemView]
    key: str = ""
    state: str = "open"
    by: str | None = None
    at: Any = None
    comment: str | None = None
    correction_id: int | None = None
    new: bool = False


@dataclass
class ReviewModel:
    sections: list[Section]
    findings: list[FindingView]
    boxes: dict[int, list[Box]]
    missing: list[tuple[str, str]]  # (path, label)
    text_pages: list[tuple[int, Markup]]
    refs: int
    sheets: dict[int, Markup] = field(default_factory=dict)  # spreadsheet pages as grids
    # Places to look (可能漏读): (ref, path, field label, words found, page, boxed)
    possibly_missed: list[tuple[str, str, str, str, int | None, bool]] = field(default_factory=list)


# --- building --------------------------------------------------------------------------------


class _Builder:
    def __init__(
        self, export: dict[str, Any], source: SourceDoc, lang: Lang, corrected: set[str]
    ) -> None:
        self.export = export
        self.lang = lang
        self.corrected = corrected
        self.missing = {m.replace(".", "/") for m in export.get("missing") or []}
        self.source = source
        self.pages = {p.number: p for p in source.pages}
        self.boxes: dict[int, list[Box]] = {}
        self.spans: list[tuple[int, int, str, str]] = []  # (start, end, ref, label)
        self.located: dict[str, list[ValueSpan]] = {}  # by the cell the locator names

    # a single Value (or plain string) at ``path``
    def cell(self, path: str, node: Any, *, label: str | None = None) -> Cell:
        tokens = parse_path(path)
        label = label or path_label(path, self.lang)
        declared = schema_at(tokens)
        plain_field = declared is str
        numeric = is_numeric_field(tokens)
        name = str([t for t in tokens if isinstance(t, str)][-1])
        cell = Cell(
            path=path,
            label=label,
            text=display(node),
            edit=edit_text(node),
            numeric=numeric,
            long=name in LONG_FIELDS and not numeric,
            plain_field=plain_field,
            missing=path in self.missing,
            empty=node is None or (isinstance(node, dict) and display(node) == ""),
            corrected=path in self.corrected,
            clearable=self._clearable(tokens),
        )
        if numeric:  # an empty money field shows (and the editor starts with) its unit
            cell.unit = field_unit(tokens)
        if isinstance(node, dict):
            cell.unit = node.get("unit") or cell.unit
            cell.raw = node.get("raw")
            fig = figure(node, cell.unit)
            cell.original = fig.original if fig else ""
            tip = cell.tooltip
            if cell.corrected:  # the boxes show where the old reading stood, not the value
                tip = translator(self.lang)("review.was_box", raw=cell.raw or "")
            self._source(cell, node.get("source"), path, tip)
            for other in node.get("also") or []:
                if isinstance(other, dict):  # same ref: a click lights every place it stands
                    self._add_boxes(other, path, tip, finding=False, was=cell.corrected)
                    cell.also.append(also_place(other, self.lang))
        return cell

    def _clearable(self, tokens: list[Any]) -> bool:
        container = schema_at(tokens[:-1])
        if _is_model(container):
            info = container.model_fields.get(str(tokens[-1]))
            return info is None or not info.is_required()
        return True

    def _source(self, cell: Cell, source: Any, ref: str, label: str) -> None:
        if not isinstance(source, dict):
            return
        cell.page = source.get("page")
        cell.grounded = bool(source.get("grounded", True))
        cell.extractor = source.get("extractor")
        cell.boxed = self._add_boxes(source, ref, label, finding=False, was=cell.corrected)
        span = source.get("span") or {}
        if isinstance(span.get("start"), int) and isinstance(span.get("end"), int):
            self.spans.append((span["start"], span["end"], ref, label))
        if cell_ref := locator_cell(source.get("locator")):
            self.located.setdefault(cell_ref, []).append(ValueSpan(-1, -1, ref, label))

    def _add_boxes(
        self, source: dict[str, Any], ref: str, label: str, *, finding: bool, was: bool = False
    ) -> bool:
        """Draw each part of the value on the page it stands on (a value over a line or
        page break has one box per line: ``page_find.value_parts``)."""
        first = source.get("page") or 0
        boxes = []
        for b in source.get("boxes") or []:
            try:
                coords = tuple(float(b[k]) for k in ("x0", "y0", "x1", "y1"))
            except (KeyError, TypeError, ValueError):
                continue
            if all(math.isfinite(v) for v in coords):
                boxes.append(coords)
        added = False
        for number, coords in value_parts(self.source, source.get("span"), boxes, first):
            page = self.pages.get(number)
            if page is None or not page.sized:
                continue
            part = to_percent(page, coords, 1.5)  # points around the glyphs: not cut
            self.boxes.setdefault(number, []).append(
                Box(ref, label, part.left, part.top, part.width, part.height, finding, was)
            )
            added = True
        return added

    # --- sections ---------------------------------------------------------------------------

    def kv(self, group: str, fields: dict[str, Any], prefix: str) -> Section:
        section = Section(
            key=prefix.replace("/", "-"), title=group_label(group, self.lang), kind="kv"
        )
        for name, node in fields.items():
            if isinstance(node, list) or (isinstance(node, dict) and "raw" not in node):
                continue  # lists and nested records have their own sections
            path = f"{prefix}/{name}"
            cell = self.cell(path, node, label=path_label(path, self.lang))
            section.pairs.append((field_label(group, name, self.lang), cell))
        section.total = len(section.pairs)
        section.filled = sum(1 for _, c in section.pairs if not c.empty)
        return section

    def rows(self, group: str, list_path: str, items: list[Any], names: list[str]) -> Section:
        tokens = parse_path(list_path)
        item_type = schema_at([*tokens, 0])
        columns = []
        for name in names:
            info = item_type.model_fields[name] if _is_model(item_type) else None
            columns.append(
                Column(
                    name=name,
                    label=field_label(group, name, self.lang),
                    numeric=is_numeric_field([*tokens, 0, name]),
                    long=name in LONG_FIELDS,
                    plain_field=schema_at([*tokens, 0, name]) is str,
                    required=bool(info and info.is_required()),
                )
            )
        section = Section(
            key=group,
            title=group_label(group, self.lang),
            kind="rows",
            list_path=list_path,
            columns=columns,
        )
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            row_path = f"{list_path}/{i}"
            cells = [self.cell(f"{row_path}/{n}", item.get(n)) for n in names]
            row = Row(index=i, path=row_path, cells=cells)
            for j, metric in enumerate(item.get("metrics") or []):
                if isinstance(metric, dict):
                    mpath = f"{row_path}/metrics/{j}/value"
                    label = f"{path_label(row_path, self.lang)} · {metric.get('name') or ''}"
                    row.extra.append(self.cell(mpath, metric.get("value"), label=label))
            section.rows.append(row)
        section.total = section.filled = len(section.rows)
        return section

    def three_public(self, data: dict[str, Any]) -> Section:
        names = ["actual", "budget", "previous", "change", "change_pct"]
        section = Section(
            key="three_public",
            title=group_label("three_public", self.lang),
            kind="matrix",
            columns=[Column(n, field_label("three_public", n, self.lang), True) for n in names],
        )
        for item, values in data.items():
            if not isinstance(values, dict):
                continue
            cells = [self.cell(f"three_public/{item}/{n}", values.get(n)) for n in names]
            section.matrix.append((field_label("three_public", item, self.lang), cells))
            section.total += len(cells)
            section.filled += sum(1 for c in cells if not c.empty)
        return section

    # --- places to look ----------------------------------------------------------------------

    def possibly_missed(self) -> list[tuple[str, str, str, str, int | None, bool]]:
        """Each possibly-missed field's places, boxed on the page like a value (schema 1.2)."""
        out = []
        for i, entry in enumerate(self.export.get("possibly_missed") or []):
            if not isinstance(entry, dict) or not isinstance(entry.get("source"), dict):
                continue
            path = _canonical(str(entry.get("path") or ""))
            name = path_label(path, self.lang)
            ref = f"missed/{i}"
            boxed = False
            for src in [entry["source"], *(entry.get("also") or [])]:
                if not isinstance(src, dict):
                    continue
                boxed = self._add_boxes(src, ref, name, finding=True) or boxed
                span = src.get("span") or {}
                if isinstance(span.get("start"), int) and isinstance(span.get("end"), int):
                    self.spans.append((span["start"], span["end"], ref, name))
            page = entry["source"].get("page")
            out.append((ref, path, name, str(entry.get("label") or ""), page, boxed))
        return out

    # --- findings ---------------------------------------------------------------------------

    def findings(self, statuses: list[FindingStatus] | None = None) -> list[FindingView]:
        """The findings with their states (``statuses``, from ``service.store.review``); without
        them, the view's own findings, all open."""
        if statuses is None:
            statuses = [
                FindingStatus(finding_key(str(f.get("kind") or ""), f.get("paths") or []), f)
                for f in self.export.get("findings") or []
                if isinstance(f, dict)
            ]
        t = translator(self.lang)
        out = []
        for i, status in enumerate(statuses):
            finding = status.finding
            paths = [_canonical(p) for p in finding.get("paths") or []]
            open_ = status.state == FindingState.open
            items = []
            for j, item in enumerate(finding.get("items") or []):
                items.append(self._finding_item(i, j, item, status.adoptable and open_))
            kind = str(finding.get("kind") or "")
            out.append(
                FindingView(
                    index=i,
                    kind=kind,
                    kind_label=t(f"kind.{kind}"),
                    severity=str(finding.get("severity") or "info"),
                    message=self._readable(
                        str(finding.get("message_zh" if self.lang == "zh" else "message_en") or ""),
                        finding.get("paths") or [],
                    ),
                    paths=[p for p in paths if p],
                    items=items,
                    key=status.key,
                    state=status.state.value,
                    by=status.by,
                    at=status.at,
                    comment=status.comment,
                    correction_id=status.correction_id,
                    new=status.new,
                )
            )
        return out

    def _readable(self, message: str, paths: list[Any]) -> str:
        """The message with field paths ('budget.project_expenditure') named as on the page."""
        for raw in sorted((p for p in paths if isinstance(p, str)), key=len, reverse=True):
            canonical = _canonical(raw)
            if canonical and raw in message:
                message = message.replace(raw, path_label(canonical, self.lang))
        return message

    def _finding_item(self, i: int, j: int, item: Any, adoptable: bool) -> FindingItemView:
        ref = f"finding/{i}/{j}"
        path = _canonical(item.get("path") if isinstance(item, dict) else None)
        value = item.get("value") if isinstance(item, dict) else None
        label = path_label(path, self.lang) if path else ref
        text = shown(value, _numeric_unit(path))
        page, boxed = None, False
        if isinstance(value, dict) and isinstance(value.get("source"), dict):
            page = value["source"].get("page")
            tip = f"{label} = {text}"
            boxed = self._add_boxes(value["source"], ref, tip, finding=True)
        adopt = self._adopt(path, value) if adoptable else None
        return FindingItemView(ref, path, label, text, page, boxed, adopt)

    def _adopt(self, path: str | None, value: Any) -> tuple[str, str] | None:
        """(new, current) as shown, when this side differs from the field's current value."""
        if not path or not isinstance(value, dict) or value.get("value") is None:
            return None
        try:
            found, current = value_at(self.export, path)
        except Exception:  # a finding path the records do not have
            return None
        if not found or current == value.get("value"):
            return None
        unit = value.get("unit") or ""
        new = shown(value)
        return new, display({"value": current, "unit": unit}) or "—"


def _numeric_unit(path: str | None) -> str | None:
    """The unit of a numeric field at ``path`` (None for text fields or unknown places)."""
    try:
        tokens = parse_path(path) if path else None
    except CorrectionError:
        return None
    return field_unit(tokens) if tokens and is_numeric_field(tokens) else None


def _canonical(path: Any) -> str | None:
    if not isinstance(path, str) or not path:
        return None
    try:
        return canonical_path(parse_path(path))
    except Exception:
        return None


def corrected_paths(corrections: list[Any]) -> set[str]:
    """Canonical paths of the values reviewers set (for the 'corrected' mark)."""
    out = set()
    for c in corrections:
        if getattr(c, "op", None) != "set":
            continue
        path = str(c.path)
        out.add(path[: -len("/value")] if path.endswith("/value") else path)
    return out


def build_review(
    export: dict[str, Any],
    source: SourceDoc,
    lang: Lang,
    corrected: set[str],
    statuses: list[FindingStatus] | None = None,
) -> ReviewModel:
    b = _Builder(export, source, lang, corrected)
    budget = export.get("budget") or {}
    sections = [
        b.kv("report", export.get("report") or {}, "report"),
        b.kv("staffing", export.get("staffing") or {}, "staffing"),
        b.kv("budget", budget, "budget"),
        b.rows(
            "basic_breakdown",
            "budget/basic_breakdown",
            budget.get("basic_breakdown") or [],
            ["name", "amount", "parent"],
        ),
        b.rows(
            "lines",
            "budget/lines",
            budget.get("lines") or [],
            ["item", "previous_final", "budget", "final"],
        ),
        b.three_public(export.get("three_public") or {}),
        b.rows(
            "projects",
            "projects",
            export.get("projects") or [],
            ["name", "amount", "budget", "previous"],
        ),
        b.rows(
            "indicators",
            "indicators",
            export.get("indicators") or [],
            ["level1", "level2", "level3", "target", "actual", "weight", "score", "deviation"],
        ),
        b.rows(
            "achievements", "achievements", export.get("achievements") or [], ["text", "section"]
        ),
        b.rows("problems", "problems", export.get("problems") or [], ["title", "text"]),
        b.rows("measures", "measures", export.get("measures") or [], ["title", "text"]),
    ]
    findings = b.findings(statuses)
    possibly_missed = b.possibly_missed()
    missing = [(p, path_label(p, lang)) for p in sorted(b.missing)]
    text_pages = _text_pages(source, b.spans) if not any(p.sized for p in source.pages) else []
    return ReviewModel(
        sections=sections,
        findings=findings,
        boxes=b.boxes,
        missing=missing,
        possibly_missed=possibly_missed,
        text_pages=text_pages,
        refs=len(b.spans),
        sheets=sheet_pages(source, [ValueSpan(*s) for s in b.spans], b.located)
        if text_pages
        else {},
    )


def _text_pages(
    source: SourceDoc, spans: list[tuple[int, int, str, str]]
) -> list[tuple[int, Markup]]:
    """Each page's text with the values' spans wrapped in ``<mark>`` (pageless formats)."""
    text = source.text
    if not text:
        return []
    pages = source.pages or []
    ranges = [(p.number, p.start, p.end) for p in pages] or [(1, 0, len(text))]
    out = []
    for number, start, end in ranges:
        inside = [s for s in spans if s[0] < end and s[1] > start and s[1] > s[0]]
        out.append((number, _marked(text, start, end, inside)))
    return out


def _marked(text: str, start: int, end: int, spans: list[tuple[int, int, str, str]]) -> Markup:
    cuts = {start, end}
    for s, e, _, _ in spans:
        cuts.update((max(start, s), min(end, e)))
    points = sorted(cuts)
    parts: list[str] = []
    for a, z in zip(points, points[1:], strict=False):
        piece = escape(text[a:z])
        covering = [s for s in spans if s[0] <= a and s[1] >= z]
        if covering:
            refs = " ".join(escape(c[2]) for c in covering)
            labels = " / ".join(escape(c[3]) for c in covering)
            parts.append(
                f'<mark class="src" data-refs="{refs}" data-label="{labels}">{piece}</mark>'
            )
        else:
            parts.append(str(piece))
    return Markup("".join(parts))
