"""A readable plain-text rendering of a ``ReportExport`` (``jixiao extract --format table``).

Owns only presentation: one line per found field (path, value with unit, raw text, page),
the list records as compact rows, then the findings (with why they are findings), the fields not stated and those possibly
missed (with where their label words stand). Must not
change or re-derive any value.
"""

from __future__ import annotations

from service.records.export import ReportExport
from service.records.models import Finding
from service.records.values import Source, Value


def _show(v: Value | None) -> str:
    if v is None:
        return "—"
    text = f"{v.low}–{v.high}" if v.value is None and v.low is not None else str(v.value)
    prefix = (
        v.comparator if v.comparator and v.comparator not in ("余", "以上", "以下", "以内") else ""
    )
    suffix = v.comparator if v.comparator in ("余", "以上", "以下", "以内") else ""
    sign = f" {v.direction}" if v.direction else ""
    unit = v.unit or ""
    return f"{prefix}{text}{suffix}{unit}{sign}"


def _where(v: Value | None) -> str:
    if v is None or v.source is None:
        return ""
    page = f"p{v.source.page}" if v.source.page else ""
    return f"{page} @{v.source.span.start}"


def _where_source(src: Source) -> str:
    page = f"p{src.page} " if src.page else ""
    return f"{page}@{src.span.start}"


def _scalars(prefix: str, model: object, out: list[str]) -> None:
    for name in type(model).model_fields:  # type: ignore[attr-defined]
        value = getattr(model, name)
        path = f"{prefix}.{name}"
        if isinstance(value, Value):
            out.append(f"  {path:<42} {_show(value):<22} {_where(value)}")
        elif hasattr(type(value), "model_fields") and not isinstance(value, list):
            _scalars(path, value, out)


def _finding(f: Finding) -> str:
    line = f"  [{f.severity}] {f.kind}: {f.message_zh} / {f.message_en}"
    if f.reason_zh or f.reason_en:
        line += f"\n      因为 because: {f.reason_zh or ''} / {f.reason_en or ''}"
    return line


def render_table(export: ReportExport) -> str:
    d = export.document
    out = [
        f"{d.filename or '-'}  format={d.format}  pages={d.pages}  extractor={export.extractor.name}"
    ]
    out.append("Fields 字段:")
    for section in ("report", "staffing", "budget", "three_public"):
        _scalars(section, getattr(export, section), out)
    if export.projects:
        out.append(f"Projects 项目 ({len(export.projects)}):")
        for p in export.projects:
            out.append(f"  {p.name.value}: {_show(p.amount)} (budget {_show(p.budget)})")
    if export.indicators:
        out.append(f"Indicators 绩效指标 ({len(export.indicators)}):")
        for i in export.indicators:
            levels = " / ".join(str(v.value) for v in (i.level1, i.level2, i.level3) if v)
            out.append(
                f"  {levels}: target {_show(i.target)}, actual {_show(i.actual)}, "
                f"{_show(i.score)} of {_show(i.weight)}"
            )
    if export.achievements:
        out.append(f"Achievements 成效 ({len(export.achievements)}):")
        for a in export.achievements:
            metrics = ", ".join(f"{m.name or ''} {_show(m.value)}".strip() for m in a.metrics)
            out.append(f"  {str(a.text.value)[:40]}… [{metrics}]")
    for title, items in (("Problems 问题", export.problems), ("Measures 措施", export.measures)):
        if items:
            out.append(f"{title} ({len(items)}):")
            out += [
                f"  - {str(it.title.value) + '：' if it.title else ''}{str(it.text.value)[:60]}"
                for it in items
            ]
    out.append(f"Findings 发现 ({len(export.findings)}):")
    out += [_finding(f) for f in export.findings] or ["  (none)"]
    stated = export.not_stated
    out.append(f"Not stated 未载明 ({len(stated)}): {', '.join(stated) or '(none)'}")
    out.append(f"Possibly missed 可能漏读 ({len(export.possibly_missed)}):")
    out += [
        f"  {m.path:<42} “{m.label}” {_where_source(m.source)}" for m in export.possibly_missed
    ] or ["  (none)"]
    return "\n".join(out) + "\n"
