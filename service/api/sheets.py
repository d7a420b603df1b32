"""Export views as tables: one sheet per record type (XLSX) or CSV, for one or many documents.

Owns how the export JSON is laid out for spreadsheet users: every row starts with the
document, department and year; a ``Value`` becomes its number or text, with its unit in
the header when the column has one unit (else in a ``…_unit`` column), and ``…_direction``
/ ``…_comparator`` columns where any row has them. XLSX tabs have Chinese names (``SHEET_TITLES``),
headers carry the Chinese term and the field name, and numbers stay numbers with real
formats (``#,##0.00`` for money, the rate with its % as the schema stores it); CSV headers
are field names only and its numbers plain. Text that a spreadsheet would run as a
formula is written as text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from service.records import (
    Achievement,
    Budget,
    BudgetLine,
    ExpenseItem,
    Finding,
    Indicator,
    ListItem,
    Project,
    Report,
    Staffing,
    ThreePublicItem,
)
from service.records.figures import MONEY_UNITS, figure, in_unit, xlsx_format
from service.records.numbers import MONEY_UNIT


@dataclass
class DocMeta:
    """The columns every row starts with."""

    document_id: str
    filename: str | None
    department: str | None
    fiscal_year: int | None


def _scalars(record: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (record or {}).items() if not isinstance(v, list)}


def _rows(items: Any) -> list[dict[str, Any]]:
    return [dict(item) for item in items or [] if isinstance(item, dict)]


def _three_public(export: dict[str, Any]) -> list[dict[str, Any]]:
    groups = export.get("three_public") or {}
    return [{"item": name, **(values or {})} for name, values in groups.items()]


def _missing(export: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"path": p} for p in export.get("missing") or []]


class ReviewStep(BaseModel):
    """The labels of the ``review`` sheet: one line per review step (``REVIEW_KEY``)."""

    action: str = Field(description="审核步骤")
    action_zh: str = Field(description="步骤")
    author: str = Field(description="审核人")
    created_at: str = Field(description="时间")
    opinion: str | None = Field(None, description="审核意见")
    reasons: str | None = Field(None, description="退回原因")
    override_reason: str | None = Field(None, description="有错误仍通过的理由")
    open_errors: int = Field(0, description="未处理错误数")


# the view key the exports put a document's review steps under (not part of the export JSON)
REVIEW_KEY = "_review_steps"


def _side(value: Any) -> str:
    if not isinstance(value, dict):
        return _text(value)
    fig = in_unit(value, MONEY_UNIT) if value.get("unit") in MONEY_UNITS else figure(value)
    return str(fig) if fig is not None else _text(value.get("value"))


def _findings(export: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for finding in _rows(export.get("findings")):
        items = finding.pop("items", None) or []
        # each side as people read it, money in one unit with the text as stated beside it
        finding["values"] = "; ".join(f"{i.get('path')}={_side(i.get('value'))}" for i in items)
        rows.append(finding)
    return rows


# (sheet, rows of one export, model for header labels, whether rows are numbered)
SHEETS: list[
    tuple[str, Callable[[dict[str, Any]], list[dict[str, Any]]], type[BaseModel], bool]
] = [
    ("report", lambda e: [_scalars(e.get("report"))], Report, False),
    ("staffing", lambda e: [_scalars(e.get("staffing"))], Staffing, False),
    ("budget", lambda e: [_scalars(e.get("budget"))], Budget, False),
    ("budget_lines", lambda e: _rows((e.get("budget") or {}).get("lines")), BudgetLine, True),
    (
        "basic_breakdown",
        lambda e: _rows((e.get("budget") or {}).get("basic_breakdown")),
        ExpenseItem,
        True,
    ),
    ("three_public", _three_public, ThreePublicItem, False),
    ("projects", lambda e: _rows(e.get("projects")), Project, True),
    ("indicators", lambda e: _rows(e.get("indicators")), Indicator, True),
    ("achievements", lambda e: _rows(e.get("achievements")), Achievement, True),
    ("problems", lambda e: _rows(e.get("problems")), ListItem, True),
    ("measures", lambda e: _rows(e.get("measures")), ListItem, True),
    ("findings", _findings, Finding, True),
    ("missing", _missing, ListItem, False),
    ("review", lambda e: _rows(e.get(REVIEW_KEY)), ReviewStep, True),
]
SHEET_NAMES = [name for name, *_ in SHEETS]
# what the XLSX tabs are called for finance staff (CSV and the API keep the names above)
SHEET_TITLES = {
    "documents": "文档列表",
    "report": "报告信息",
    "staffing": "人员情况",
    "budget": "收支预算执行",
    "budget_lines": "基础数据表",
    "basic_breakdown": "基本支出明细",
    "three_public": "三公经费",
    "projects": "项目支出",
    "indicators": "绩效指标",
    "achievements": "主要绩效",
    "problems": "存在问题",
    "measures": "改进措施",
    "findings": "审核发现",
    "missing": "未找到字段",
    "review": "审核记录",
}


def sheet_title(name: str) -> str:
    """The Chinese tab name of a sheet ('budget' → '收支预算执行')."""
    return SHEET_TITLES.get(name, name)


def _is_value(node: Any) -> bool:
    return isinstance(node, dict) and "raw" in node and "value" in node


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _render(node: Any) -> Any:
    """A cell for anything that is not a ``Value``: lists and objects as short text."""
    if isinstance(node, list):
        return "; ".join(_text(_render(x)) for x in node)
    if _is_value(node):
        return node.get("value")
    if isinstance(node, dict):
        if "value" in node and _is_value(node["value"]):  # a metric: {name, value}
            unit = node["value"].get("unit") or ""
            return f"{node.get('name') or ''} {_text(node['value'].get('value'))}{unit}".strip()
        return "; ".join(f"{k}={_text(_render(v))}" for k, v in node.items() if v is not None)
    return node


@dataclass
class Sheet:
    name: str
    label_of: dict[str, str]
    numbered: bool
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    units: dict[str, set[str]] = field(default_factory=dict)

    def add(self, meta: DocMeta, index: int | None, record: dict[str, Any]) -> None:
        row: dict[str, Any] = {
            "document_id": meta.document_id,
            "filename": meta.filename,
            "department": meta.department,
            "fiscal_year": meta.fiscal_year,
        }
        if self.numbered:
            row["row"] = index
        for key, node in record.items():
            if _is_value(node):
                value = node.get("value")
                if value is None and node.get("low") is not None:
                    value = f"{node.get('low')}-{node.get('high')}"
                row[key] = value
                self.units.setdefault(key, set()).add(node.get("unit") or "")
                for extra in ("direction", "comparator"):
                    if node.get(extra):
                        row[f"{key}_{extra}"] = node[extra]
                row[f"{key}_unit"] = node.get("unit")
            else:
                row[key] = _render(node)
                if node is None:
                    self.units.setdefault(key, set())
        for key in row:
            if key not in self.columns:
                self.columns.append(key)
        self.rows.append(row)

    def header(self) -> list[str]:
        """Columns to write: unit columns only where a column mixes units."""
        out = []
        for col in self.columns:
            base = col[: -len("_unit")] if col.endswith("_unit") else None
            if base is not None and base in self.units and len(self._units(base)) <= 1:
                continue
            out.append(col)
        return out

    def _units(self, key: str) -> set[str]:
        return {u for u in self.units.get(key, set()) if u}

    def label(self, col: str) -> str:
        zh = self.label_of.get(col)
        units = self._units(col)
        unit = f" [{next(iter(units))}]" if len(units) == 1 else ""
        return f"{zh} ({col}){unit}" if zh else f"{col}{unit}"


_FIXED_LABELS = {
    "document_id": "文档",
    "filename": "文件名",
    "department": "部门",
    "fiscal_year": "年度",
    "row": "行",
    # a finding's state as a work item (service.store.review)
    "state": "处理状态",
    "state_by": "处理人",
    "state_at": "处理时间",
    "state_comment": "处理说明",
    "correction_id": "更正编号",
    # the documents sheet
    "status": "处理进度",
    "extraction_version": "提取版本",
    "findings": "发现数",
    "open_findings": "待处理发现数",
    "review_state": "审核状态",
    "approved": "已审核",
    "approved_by": "审核人",
    "opinion": "审核意见",
    "return_reasons": "退回原因",
    "sha256": "文件校验码",
}


def fixed_label(col: str) -> str:
    """A documents-sheet header: '部门 (department)'."""
    zh = _FIXED_LABELS.get(col)
    return f"{zh} ({col})" if zh else col


def _labels(model: type[BaseModel]) -> dict[str, str]:
    labels = dict(_FIXED_LABELS)
    for name, info in model.model_fields.items():
        # the Chinese term leads each description: "基本支出 basic (running) expenditure"
        zh = re.match(r"[^A-Za-z]*", info.description or "")
        text = re.split(r"[:：]| / ", zh.group(0) if zh else "")[0].strip(" /'\"")
        if text and name not in _FIXED_LABELS:
            labels[name] = text
    return labels


def build_sheets(
    views: Iterable[tuple[DocMeta, dict[str, Any]]], only: str | None = None
) -> list[Sheet]:
    sheets = [
        Sheet(name, _labels(model), numbered)
        for name, _, model, numbered in SHEETS
        if only is None or name == only
    ]
    getters = {name: rows for name, rows, *_ in SHEETS}
    for meta, export in views:
        for sheet in sheets:
            for i, record in enumerate(getters[sheet.name](export)):
                sheet.add(meta, i, record)
    return sheets


def _safe_text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "@", "\t", "\r") else value


def to_xlsx(sheets: list[Sheet], documents: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            return _safe_text(ILLEGAL_CHARACTERS_RE.sub("", value))
        if isinstance(value, bool | int | float) or value is None:
            return value
        return str(value)

    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = sheet_title("documents")
    doc_cols = list(documents[0]) if documents else ["document_id"]
    first.append([fixed_label(c) for c in doc_cols])
    for doc in documents:
        first.append([cell(doc.get(c)) for c in doc_cols])
    for sheet in sheets:
        ws = wb.create_sheet(sheet_title(sheet.name))
        columns = sheet.header()
        ws.append([sheet.label(c) for c in columns])
        formats = [xlsx_format(sheet._units(c)) for c in columns]
        for row in sheet.rows:
            ws.append([cell(row.get(c)) for c in columns])
            for c, fmt in zip(ws[ws.max_row], formats, strict=True):
                if fmt and isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    c.number_format = fmt
    for ws in wb.worksheets:
        ws.freeze_panes = "A2"
        for c in ws[1]:
            c.font = Font(bold=True)
        if ws.max_row > 1:
            ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            ["" if v is None else _safe_text(v) if isinstance(v, str) else v for v in row]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def sheet_csv(sheet: Sheet) -> bytes:
    columns = sheet.header()
    return _csv(columns, ([row.get(c) for c in columns] for row in sheet.rows))


LONG_COLUMNS = [
    "document_id",
    "department",
    "fiscal_year",
    "record",
    "path",
    "value",
    "unit",
    "comparator",
    "direction",
    "raw",
    "page",
]
_LONG_RECORDS = (
    "report",
    "staffing",
    "budget",
    "three_public",
    "projects",
    "indicators",
    "achievements",
    "problems",
    "measures",
)


def long_csv(views: Iterable[tuple[DocMeta, dict[str, Any]]]) -> bytes:
    """Every value as one line (document, path, value, unit, raw text, page)."""

    def walk(node: Any, path: list[str]) -> Iterable[tuple[str, dict[str, Any]]]:
        if _is_value(node):
            yield "/".join(path), node
        elif isinstance(node, dict):
            for key, child in node.items():
                yield from walk(child, [*path, str(key)])
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from walk(child, [*path, str(i)])

    def lines() -> Iterable[list[Any]]:
        for meta, export in views:
            for record in _LONG_RECORDS:
                for path, v in walk(export.get(record), [record]):
                    source = v.get("source") or {}
                    yield [
                        meta.document_id,
                        meta.department,
                        meta.fiscal_year,
                        record,
                        path,
                        v.get("value"),
                        v.get("unit"),
                        v.get("comparator"),
                        v.get("direction"),
                        v.get("raw"),
                        source.get("page"),
                    ]

    return _csv(LONG_COLUMNS, lines())
