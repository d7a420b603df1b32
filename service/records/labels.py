"""An approved export as an evaluation label: what the document says, not where nor how it
was read. Shared by the reviewer UI's "promote" and ``eval/approve.py`` so the two can
never drift; knows nothing of files, the database or the web."""

from __future__ import annotations

from typing import Any

# Findings about the extraction process, not about the document: never part of a label.
PROCESS_FINDINGS = frozenset({"ungrounded", "not_found"})


def strip_sources(node: Any) -> Any:
    """The export without ``source``/``also`` keys (a label says what, not where)."""
    if isinstance(node, dict):
        return {k: strip_sources(v) for k, v in node.items() if k not in ("source", "also")}
    if isinstance(node, list):
        return [strip_sources(v) for v in node]
    return node


def label_from_export(export: dict[str, Any]) -> dict[str, Any]:
    label = strip_sources(export)
    label.pop("missing", None)
    label["extractor"] = {"name": "human", "version": "approved"}
    label["findings"] = [
        {"kind": f["kind"], "paths": f.get("paths", [])}
        for f in label.get("findings", [])
        if isinstance(f, dict) and f.get("kind") not in PROCESS_FINDINGS
    ]
    return label
