"""Each newer format against its twin: the same documents read both ways, per record type.

Owns the check of issue 16's bar, "every format within 0.02 of its DOCX/PDF twin on every
record type": from a run's ``report.json`` it pairs each document read in a newer format
(``eval.dataset.TWIN``: html, xlsx and xls beside docx; ofd and scan beside pdf) with the
same document read in its twin, and compares the mean per-document F1 of every record type
over those pairs. Must not touch the run, the scorer or the set.

Usage: ``python -m eval.twins eval/out/report.json [--tolerance 0.02]``; exits 1 when a
format falls further than the tolerance below its twin on a record type (``scan`` is
listed, not held to it: OCR is measured in docs/ocr.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.dataset import TWIN

HELD = ("html", "xlsx", "xls", "ofd")  # the formats held to the tolerance


@dataclass
class TwinFigures:
    fmt: str
    twin: str
    documents: int
    record_types: dict[str, tuple[float, float]] = field(default_factory=dict)  # (fmt, twin)

    @property
    def largest_drop(self) -> tuple[float, str | None]:
        drop, where = max(
            ((twin - own, rt) for rt, (own, twin) in self.record_types.items()),
            default=(0.0, None),
        )
        return (drop, where) if drop > 0 else (0.0, None)


def twin_figures(documents: list[dict[str, Any]], extractor: str = "rules") -> list[TwinFigures]:
    """Per newer format present in ``documents`` (a report's ``documents`` list)."""
    by_id: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for doc in documents:
        if doc.get("extractor", extractor) == extractor:
            by_id[doc["id"]][doc["format"]] = doc
    out = []
    for fmt, twin in TWIN.items():
        pairs = [(v[fmt], v[twin]) for v in by_id.values() if fmt in v and twin in v]
        if not pairs:
            continue
        figures = TwinFigures(fmt, twin, len(pairs))
        types = sorted({rt for pair in pairs for d in pair for rt in d.get("record_types", {})})
        for rt in types:
            own = _mean([a["record_types"].get(rt) for a, _ in pairs])
            other = _mean([b["record_types"].get(rt) for _, b in pairs])
            if own is not None and other is not None:
                figures.record_types[rt] = (own, other)
        out.append(figures)
    return out


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="a run's report.json")
    parser.add_argument("--tolerance", type=float, default=0.02)
    parser.add_argument("--extractor", default="rules")
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    failed = False
    for figures in twin_figures(report["documents"], args.extractor):
        drop, where = figures.largest_drop
        held = figures.fmt in HELD
        bad = held and drop > args.tolerance
        failed |= bad
        print(
            f"{figures.fmt} vs {figures.twin}: {figures.documents} documents, largest drop "
            f"{drop * 100:.2f} points ({where or '-'}){'  FAIL' if bad else ''}"
        )
        print(
            "  "
            + "; ".join(
                f"{rt} {own * 100:.1f}/{twin * 100:.1f}"
                for rt, (own, twin) in figures.record_types.items()
            )
        )
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
