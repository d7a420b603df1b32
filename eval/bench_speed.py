"""Speed benchmark: Jixiao against the library it stands on, rules per page as documents
grow, batch extraction against one call per file, start-up. With ``--compare``: proof that
the faster paths read and extract the evaluation set exactly as the old ones did.

Figures (medians of ``--repeat`` runs, at least 3; the machines are shared, so the load
average is printed beside them). In-process figures are CPU time of the benchmark's process
(reference and Jixiao alike: both run single-threaded here), which a busy machine disturbs
far less than wall time; the command-line figures are wall time of the calls:

* **reference A vs Jixiao**, in one process, over generated text PDFs (the table-heavy
  templates and the prose-only one): A is PyMuPDF's ``get_text("dict")`` on every page plus
  ``find_tables()`` on the pages with rulings — what any library-level reader pays; Jixiao is
  ingest (``read_document``) + the rules extractor (``extract_rules``). Beside them, the
  floor: MuPDF's characters with their boxes and the page's drawings, what any reader that
  grounds values in the page pays before its first rule (``floor_ratio``: the ratio Jixiao
  would reach if its own Python cost nothing).
* **rules per page** at 10/100/300 pages of different generated reports joined into one PDF.
* **batch**: ``jixiao extract`` on 50 text PDFs in one call vs one call per file (the
  separate calls' rate is measured on ``--separate`` of them and is per page, so it scales).
* **start-up**: ``jixiao --help`` wall time.

Rendered PDFs are cached under ``eval/out/cache/bench`` (keyed by the generator's code).

Usage: python eval/bench_speed.py [--repeat 3] [--sizes 10,100,300] [--json out.json]
       python eval/bench_speed.py --compare [--formats pdf,txt,docx]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `service` and `eval` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pymupdf

from eval.dataset import REPO, Materializer, code_hash, items, load_manifest
from service.extract import rules
from service.extract.rules import extract_rules
from service.ingest import pdf, pdf_tables, read_document
from service.memo import clear_memos

CACHE = REPO / "eval" / "out" / "cache" / "bench"
JIXIAO = Path(sys.executable).with_name("jixiao")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def emit(result: dict[str, Any], json_path: Path | None) -> None:
    """Print a benchmark's figures as JSON, and write them to ``json_path`` when given (the
    one output shape of every bench script)."""
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(text)


def _median(
    fn: Callable[[], Any], repeat: int, clock: Callable[[], float] = time.process_time
) -> float:
    """Median time of ``fn``: by default CPU time of this process (work done here,
    single-threaded: the machine's other load counts far less than in wall time); wall
    time (``time.perf_counter``) for work done in other processes."""
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


# --- documents --------------------------------------------------------------------------------


def _cached(name: str, make: Callable[[], bytes]) -> bytes:
    path = CACHE / f"{name}-{code_hash('synth')[:10]}.pdf"
    if path.is_file():
        return path.read_bytes()
    data = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def generated_pdfs(per_template: int) -> dict[str, list[tuple[str, bytes]]]:
    """Text PDFs of the generator: 'tables' (the hunan and sichuan templates, whose money
    and indicator tables are ruled) and 'prose' (the prose-only template)."""
    from service.synth import make_report, render

    out: dict[str, list[tuple[str, bytes]]] = {"tables": [], "prose": []}
    for kind, templates in (("tables", ("hunan", "sichuan")), ("prose", ("prose_only",))):
        for template in templates:
            count = per_template if kind == "prose" else max(1, per_template // 2)
            for seed in range(count):
                name = f"{template}_{seed}"
                data = _cached(
                    name, lambda s=seed, t=template: render(make_report(s, t).spec, "pdf")[0]
                )
                out[kind].append((name, data))
    return out


def joined_pdf(pages: int, sources: list[bytes]) -> bytes:
    """Different reports one after another until ``pages`` pages (cut there)."""
    out = pymupdf.open()
    i = 0
    while out.page_count < pages:
        src = pymupdf.open(stream=sources[i % len(sources)], filetype="pdf")
        out.insert_pdf(src, to_page=min(src.page_count, pages - out.page_count) - 1)
        i += 1
    data = out.tobytes(garbage=3, deflate=True)
    out.close()
    return data


# --- reference A vs Jixiao ---------------------------------------------------------------------


def reference_a(data: bytes) -> int:
    """PyMuPDF alone: every page's text as a dict, tables on the pages with rulings."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    for page in doc:
        page.get_text("dict")
        if pdf_tables.rules_area(page.get_drawings()) is not None:
            page.find_tables(use_layout=False)
    n = doc.page_count
    doc.close()
    return n


def floor_characters(data: bytes) -> int:
    """What any reader that grounds values in character boxes pays before its first rule:
    MuPDF's text page with the ingest's flags, its characters with their boxes, and the
    page's drawings (to tell whether it may hold a ruled table). Jixiao cannot go below it;
    its ratio to reference A bounds Jixiao's."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    for page in doc:
        page.get_textpage(flags=pdf.TEXT_FLAGS).extractRAWDICT()
        page.get_drawings()
    n = doc.page_count
    doc.close()
    return n


def jixiao_in_process(data: bytes) -> int:
    """Ingest + rules on one PDF, read as the first document the process sees: the memos of
    short texts (``service.memo``) are cleared first, so repeats of the benchmark's documents
    and figures shared between them earn nothing; compiled patterns stay warm."""
    clear_memos()
    doc = read_document(data, "report.pdf")
    extract_rules(doc)
    return len(doc.pages)


def bench_reference(pdfs: dict[str, list[tuple[str, bytes]]], repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, docs in pdfs.items():
        pages = sum(reference_a(d) for _, d in docs)  # also a warm-up
        for _, d in docs:
            jixiao_in_process(d)
        ref, ours, floor = _interleaved(
            [
                lambda docs=docs: [reference_a(d) for _, d in docs],
                lambda docs=docs: [jixiao_in_process(d) for _, d in docs],
                lambda docs=docs: [floor_characters(d) for _, d in docs],
            ],
            repeat,
        )
        out[kind] = {
            "documents": len(docs),
            "pages": pages,
            "reference_a_pages_per_s": round(pages / ref, 1),
            "jixiao_pages_per_s": round(pages / ours, 1),
            "ratio": round(ref / ours, 2),
            "floor_ms_per_page": round(1000 * floor / pages, 2),
            "floor_ratio": round(ref / floor, 2),  # the best ratio with no rules at all
        }
    all_pages = sum(v["pages"] for v in out.values())
    ref_s = sum(v["pages"] / v["reference_a_pages_per_s"] for v in out.values())
    our_s = sum(v["pages"] / v["jixiao_pages_per_s"] for v in out.values())
    floor_s = sum(v["floor_ms_per_page"] * v["pages"] / 1000 for v in out.values())
    out["all"] = {
        "pages": all_pages,
        "reference_a_pages_per_s": round(all_pages / ref_s, 1),
        "jixiao_pages_per_s": round(all_pages / our_s, 1),
        "ratio": round(ref_s / our_s, 2),
        "floor_ratio": round(ref_s / floor_s, 2),
    }
    return out


def _interleaved(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Medians of ``fns`` (CPU time of this process) timed in turn, so that a change of the
    machine's load during the run falls on all of them."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, ts in zip(fns, times, strict=True):
            t0 = time.process_time()
            fn()
            ts.append(time.process_time() - t0)
    return [statistics.median(ts) for ts in times]


def mixed(pdfs: dict[str, list[tuple[str, bytes]]]) -> list[bytes]:
    """The generated PDFs with the kinds taken in turn (table report, prose report, …), so
    that the first ten pages of a joined file hold the same mix as three hundred."""
    kinds = list(pdfs.values())
    out: list[bytes] = []
    for i in range(max(len(k) for k in kinds)):
        out += [k[i][1] for k in kinds if i < len(k)]
    return out


# --- rules per page ----------------------------------------------------------------------------


def bench_rules(sizes: list[int], sources: list[bytes], repeat: int) -> list[dict[str, Any]]:
    rows = []
    for i, size in enumerate(sizes):
        doc = read_document(joined_pdf(size, sources), "joined.pdf")
        if i == 0:
            extract_rules(doc)  # warm-up: patterns compiled on first use, lexicon loaded
        seconds = _median(lambda doc=doc: (clear_memos(), extract_rules(doc)), repeat)
        rows.append(
            {
                "pages": len(doc.pages),
                "rules_s": round(seconds, 3),
                "ms_per_page": round(1000 * seconds / len(doc.pages), 2),
            }
        )
    base = rows[0]["ms_per_page"]
    for row in rows:
        row["vs_first"] = round(row["ms_per_page"] / base, 2)
    return rows


# --- the command line ---------------------------------------------------------------------------


def _run(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=False, capture_output=True)
    return time.perf_counter() - t0


def bench_batch(
    sources: list[tuple[str, bytes]], files: int, separate: int, repeat: int, jobs: int | None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        pages = []
        for i in range(files):
            name, data = sources[i % len(sources)]
            (folder / f"{i:03d}_{name}.pdf").write_bytes(data)
            pages.append(pymupdf.open(stream=data, filetype="pdf").page_count)
        paths = sorted(folder.iterdir())
        cmd = [str(JIXIAO), "extract", "--extractor", "rules"]
        one_call = _median(
            lambda: _run([*cmd, str(folder), "--out", str(Path(tmp) / "out"),
                          *(["-j", str(jobs)] if jobs else [])]),
            repeat,
            time.perf_counter,
        )  # fmt: skip
        worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        step = max(1, files // separate)
        sample = list(range(0, files, step))[:separate]
        t_sep = sum(_run([*cmd, str(paths[i])]) for i in sample)
        sep_pages = sum(pages[i] for i in sample)
        shutil.rmtree(Path(tmp) / "out", ignore_errors=True)
    one_rate = sum(pages) / one_call
    sep_rate = sep_pages / t_sep
    return {
        "files": files,
        "pages": sum(pages),
        "one_call_s": round(one_call, 2),
        "one_call_pages_per_s": round(one_rate, 1),
        "separate_calls_measured": len(sample),
        "separate_calls_pages_per_s": round(sep_rate, 1),
        "separate_calls_s_each": round(t_sep / len(sample), 2),
        "ratio": round(one_rate / sep_rate, 1),
        "jobs": jobs or "default",
        "peak_rss_mib_largest_process": round(worker_rss, 1),
    }


def bench_help(repeat: int) -> dict[str, Any]:
    times = [_run([str(JIXIAO), "--help"]) for _ in range(max(5, repeat))]
    return {"runs": len(times), "median_s": round(statistics.median(times), 3)}


# --- the old paths against the new ------------------------------------------------------------


def _export_json(doc: Any) -> str:
    export = extract_rules(doc).export.model_dump(mode="json")
    export.get("extractor", {}).pop("timings", None)
    return json.dumps(export, sort_keys=True, ensure_ascii=False)


def compare(formats: list[str]) -> int:
    """Every document of the evaluation set in ``formats``: the Document (PDFs: grids by
    the library finder vs ``ruled_cells``) and the export (findings counted by full checks
    vs ``FindingCounter``), old path against new, byte for byte."""
    manifest, set_dir = load_manifest()
    materializer = Materializer(REPO / "eval" / "out" / "cache")
    checked = differ = 0
    digest = hashlib.sha256()
    for item in items(manifest, set_dir, formats=formats):
        data = materializer.file_bytes(item)
        new_doc = read_document(data, item.filename)
        if item.format == "pdf":
            pdf_tables.USE_LIBRARY_FINDER = True
            try:
                old_doc = read_document(data, item.filename)
            finally:
                pdf_tables.USE_LIBRARY_FINDER = False
            if old_doc.model_dump_json() != new_doc.model_dump_json():
                differ += 1
                print(f"DOCUMENT DIFFERS: {item.key}", file=sys.stderr)
                continue
        new = _export_json(new_doc)
        rules.SETTLE_BY_FULL_CHECKS = True
        try:
            old = _export_json(new_doc)
        finally:
            rules.SETTLE_BY_FULL_CHECKS = False
        checked += 1
        digest.update(new.encode())
        if old != new:
            differ += 1
            print(f"EXPORT DIFFERS: {item.key}", file=sys.stderr)
    print(
        json.dumps(
            {
                "formats": formats,
                "documents": checked,
                "differ": differ,
                "exports_sha256": digest.hexdigest()[:16],
                "load_average": _load(),
            },
            indent=2,
        )
    )
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-template", type=int, default=4, help="generated PDFs each")
    parser.add_argument("--sizes", default="10,100,300", help="pages of joined reports")
    parser.add_argument("--files", type=int, default=50, help="PDFs for the batch figure")
    parser.add_argument("--separate", type=int, default=10, help="separate calls measured")
    parser.add_argument("-j", "--jobs", type=int, help="workers of the batch call")
    parser.add_argument("--skip", default="", help="comma-separated: reference,rules,batch,help")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--compare", action="store_true", help="old paths vs new on the set")
    parser.add_argument("--formats", default="pdf,txt,docx", help="with --compare")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(args.formats.split(","))
    repeat = max(3, args.repeat)
    skip = set(filter(None, args.skip.split(",")))
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "pymupdf": pymupdf.VersionBind,
        "load_average_at_start": _load(),
    }
    pdfs = generated_pdfs(args.per_template)
    if "reference" not in skip:
        result["reference_a_vs_jixiao"] = bench_reference(pdfs, repeat)
        print(json.dumps(result["reference_a_vs_jixiao"]), file=sys.stderr)
    if "rules" not in skip:
        sources = mixed(pdfs)
        sizes = [int(s) for s in args.sizes.split(",")]
        result["rules_per_page"] = bench_rules(sizes, sources, repeat)
        print(json.dumps(result["rules_per_page"]), file=sys.stderr)
    if "batch" not in skip:
        sources = [x for docs in pdfs.values() for x in docs]
        result["batch"] = bench_batch(sources, args.files, args.separate, repeat, args.jobs)
        print(json.dumps(result["batch"]), file=sys.stderr)
    if "help" not in skip:
        result["jixiao_help"] = bench_help(repeat)
    result["load_average_at_end"] = _load()
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
