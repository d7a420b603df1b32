"""Ingest benchmark: pages per second for text PDFs, seconds per OCR'd page, peak memory.

Documents come from the generator (service/synth): a synthetic Hunan-style report padded
to 20+ pages, and the two seed reports when their texts are found. Each measurement is
repeated and the median quoted, since these machines are shared and noisy. Not a test:
run it by hand and copy the figures into the README with the machine they came from.

Usage: python eval/bench_ingest.py [--repeat 5] [--ocr-pages 2] [--json eval/out/bench_ingest.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import pymupdf

from service.ingest import IngestOptions, read_document
from service.synth import PageBreak, RenderOptions, make_report, render, seed_specs
from service.synth.spec import ReportSpec


def _long_spec(min_pages: int) -> ReportSpec:
    """A synthetic report repeated until it renders to at least ``min_pages`` pages."""
    base = make_report(7, "hunan").spec
    blocks = list(base.blocks)
    spec = base
    while True:
        pdf = render(spec, "pdf")[0]
        if pymupdf.open(stream=pdf, filetype="pdf").page_count >= min_pages:
            return spec
        spec = spec.model_copy(update={"blocks": list(spec.blocks) + [PageBreak()] + blocks})


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_text_pdfs(repeat: int) -> list[dict]:
    docs: dict[str, bytes] = {"synthetic_20p": render(_long_spec(20), "pdf")[0]}
    try:
        for name, spec in seed_specs().items():
            docs[name] = render(spec, "pdf")[0]
    except FileNotFoundError as exc:
        print(f"seeds skipped: {exc}", file=sys.stderr)
    rows = []
    for name, pdf in docs.items():
        doc = read_document(pdf, f"{name}.pdf")  # warm-up, and the page count
        seconds = _median_time(lambda pdf=pdf, name=name: read_document(pdf, f"{name}.pdf"), repeat)
        pages = len(doc.pages)
        rows.append(
            {
                "document": name,
                "pages": pages,
                "seconds": round(seconds, 4),
                "pages_per_s": round(pages / seconds, 1),
                "tables": len(doc.tables),
            }
        )
    return rows


def bench_ocr(pages: int, repeat: int) -> dict:
    spec = make_report(7, "hunan").spec
    scan = render(spec, "scan", seed=7, options=RenderOptions(pages=tuple(range(1, pages + 1))))[0]
    options = IngestOptions()
    t0 = time.perf_counter()
    doc = read_document(scan, "scan.pdf", options)  # includes loading the OCR engine once
    first = time.perf_counter() - t0
    seconds = _median_time(lambda: read_document(scan, "scan.pdf", options), repeat)
    return {
        "pages": len(doc.pages),
        "first_run_s_incl_engine_load": round(first, 2),
        "s_per_page": round(seconds / len(doc.pages), 2),
        "ocr_pages": sum(p.text_source.value == "ocr" for p in doc.pages),
        "mean_confidence": round(statistics.mean(p.ocr_confidence or 0 for p in doc.pages), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ocr-pages", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        "text_pdf": bench_text_pdfs(args.repeat),
        "ocr": bench_ocr(args.ocr_pages, max(1, args.repeat // 2)),
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
