"""Linear benchmark: reading and rules extraction time against input size, from 10 KB to
10 MB of text and from 10 to 300 pages of PDF.

The text is the generator's reports (all three templates, different seeds) one after
another, as plain text, cut at ``size`` bytes; ``--shape lines`` keeps their lines,
``--shape one-line`` makes the whole text one line (a pasted copy, the shape that once grew
quadratically). The PDF is ``bench_speed``'s joined generated reports. Each figure is the
median of ``--repeat`` runs (CPU time of this process, so that other work on a shared machine
counts less) and is shown per KB (text) or per page (PDF) beside its ratio to the smallest
size's: 1.0 all along is linear.

The text limits (``limits.max_text_chars``, ``max_line_chars``) are raised for the run: they
are intake's guards, not what is measured.

Usage: python eval/bench_linear.py [--sizes 10,100,1000,10000] [--pages 10,300] [--repeat 3]
       [--shape lines,one-line] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `service` and `eval` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.bench_speed import _load, emit
from service.config import Limits
from service.extract.rules import extract_rules
from service.ingest import IngestOptions, read_document

UNLIMITED = IngestOptions(
    limits=Limits(max_bytes=2**40, max_text_chars=2**40, max_line_chars=2**40)
)


def _median_cpu(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), out


def report_texts(count: int = 12) -> list[bytes]:
    """Plain-text renderings of ``count`` generated reports, the templates in turn."""
    from service.synth import TEMPLATES, make_report, render

    return [
        render(make_report(seed, TEMPLATES[seed % len(TEMPLATES)]).spec, "txt")[0]
        for seed in range(count)
    ]


def text_of(size: int, reports: list[bytes], shape: str) -> bytes:
    """Reports one after another until ``size`` bytes, cut at a character boundary."""
    parts, n, i = [], 0, 0
    sep = b"\n\n" if shape == "lines" else b" "
    while n < size:
        text = reports[i % len(reports)]
        if shape == "one-line":
            text = b" ".join(text.split())
        parts.append(text)
        n += len(text) + len(sep)
        i += 1
    return sep.join(parts)[:size].decode("utf-8", "ignore").encode("utf-8")


def bench_text(sizes_kb: list[int], shape: str, repeat: int) -> list[dict[str, Any]]:
    reports = report_texts()
    extract_rules(read_document(text_of(20_000, reports, shape), "warm.txt", UNLIMITED))
    rows = []
    for kb in sizes_kb:
        data = text_of(kb * 1024, reports, shape)
        read_s, doc = _median_cpu(lambda d=data: read_document(d, "r.txt", UNLIMITED), repeat)
        rules_s, _ = _median_cpu(lambda doc=doc: extract_rules(doc), repeat)
        rows.append(
            {
                "kb": kb,
                "chars": len(doc.text),
                "lines": doc.text.count("\n") + 1,
                "read_s": round(read_s, 3),
                "rules_s": round(rules_s, 3),
                "ms_per_kb": round(1000 * (read_s + rules_s) / kb, 2),
            }
        )
        print(json.dumps({"shape": shape, **rows[-1]}), file=sys.stderr, flush=True)
    return _vs_first(rows, "ms_per_kb")


def bench_pdf(pages: list[int], repeat: int) -> list[dict[str, Any]]:
    from eval.bench_speed import generated_pdfs, joined_pdf, mixed

    sources = mixed(generated_pdfs(4))
    extract_rules(read_document(joined_pdf(5, sources), "warm.pdf"))
    rows = []
    for n in pages:
        data = joined_pdf(n, sources)
        read_s, doc = _median_cpu(lambda d=data: read_document(d, "joined.pdf"), repeat)
        rules_s, _ = _median_cpu(lambda doc=doc: extract_rules(doc), repeat)
        rows.append(
            {
                "pages": len(doc.pages),
                "read_s": round(read_s, 3),
                "rules_s": round(rules_s, 3),
                "ms_per_page": round(1000 * (read_s + rules_s) / len(doc.pages), 2),
            }
        )
        print(json.dumps({"pdf": True, **rows[-1]}), file=sys.stderr, flush=True)
    return _vs_first(rows, "ms_per_page")


def _vs_first(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    base = rows[0][key] if rows else 0
    for row in rows:
        row["vs_first"] = round(row[key] / base, 2) if base else None
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000", help="text sizes, KB")
    parser.add_argument("--shape", default="lines,one-line", help="lines and/or one-line")
    parser.add_argument("--pages", default="10,300", help="PDF pages ('' to skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "repeat": repeat,
        "load_average_at_start": _load(),
    }
    sizes = [int(s) for s in args.sizes.split(",") if s]
    for shape in filter(None, args.shape.split(",")):
        result[f"text_{shape}"] = bench_text(sizes, shape, repeat)
    pages = [int(p) for p in args.pages.split(",") if p]
    if pages:
        result["pdf"] = bench_pdf(pages, repeat)
    result["load_average_at_end"] = _load()
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
