"""Checking that every value of an export is grounded (test helper)."""

from __future__ import annotations

from collections.abc import Iterator

from service.document import Document
from service.records import ReportExport, Value


def values_of(node: object, path: str = "") -> Iterator[tuple[str, Value]]:
    """Every ``Value`` in an export (records and findings), with its path."""
    if isinstance(node, Value):
        yield path, node
        return
    if isinstance(node, list):
        for i, sub in enumerate(node):
            yield from values_of(sub, f"{path}[{i}]")
        return
    fields = getattr(type(node), "model_fields", None)
    if fields:
        for name in fields:
            yield from values_of(getattr(node, name), f"{path}.{name}" if path else name)


def ungrounded(export: ReportExport, doc: Document, want_boxes: bool = False) -> list[str]:
    """Paths whose value has no source, or whose source span does not slice back to its raw
    text, or (``want_boxes``) has no page box."""
    bad: list[str] = []
    for path, v in values_of(export):
        src = v.source
        if src is None:
            bad.append(f"{path}: no source")
        elif doc.text[src.span.start : src.span.end] != v.raw:
            bad.append(f"{path}: {doc.text[src.span.start : src.span.end]!r} != {v.raw!r}")
        elif not src.grounded or src.page is None:
            bad.append(f"{path}: not grounded or no page")
        elif want_boxes and not src.boxes:
            bad.append(f"{path}: no box")
    return bad
