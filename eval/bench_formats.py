"""Reading speed of every input format on one report: the 20+-page synthetic report of
``bench_ingest.py`` rendered as docx, html, xlsx, xls, pdf and ofd, each read by
``read_document`` (median of ``--repeat`` reads after one warm-up), with the load average.

Usage: python eval/bench_formats.py [--repeat 5] [--json eval/out/bench_formats.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.bench_ingest import _long_spec  # noqa: E402
from service.ingest import read_document  # noqa: E402
from service.synth import render  # noqa: E402

FORMATS = ("docx", "html", "xlsx", "xls", "pdf", "ofd")


def bench(repeat: int) -> dict:
    spec = _long_spec(20)
    files = {fmt: render(spec, fmt)[0] for fmt in FORMATS}
    pages = pymupdf.open(stream=files["pdf"], filetype="pdf").page_count
    out: dict = {"pdf_pages": pages, "load_before": os.getloadavg()[0], "formats": {}}
    for fmt, data in files.items():
        read_document(data, "report." + fmt)  # imports, fonts
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            doc = read_document(data, "report." + fmt)
            times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        out["formats"][fmt] = {
            "bytes": len(data),
            "median_s": round(median, 4),
            "pdf_pages_per_s": round(pages / median, 1),
            "pages": len(doc.pages),
            "tables": len(doc.tables),
        }
    out["load_after"] = os.getloadavg()[0]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = bench(args.repeat)
    print(f"{result['pdf_pages']} PDF pages, load {result['load_before']:.1f}")
    for fmt, r in result["formats"].items():
        print(
            f"{fmt:5} {r['bytes'] / 1024:7.0f} KiB  median {r['median_s'] * 1000:6.0f} ms  "
            f"{r['pdf_pages_per_s']:6.1f} PDF pages/s  ({r['pages']} pages, {r['tables']} tables)"
        )
    print(f"load after {result['load_after']:.1f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
