"""Proof that a change to ingest or the rules leaves every output as it was: the evaluation
set (TXT, DOCX and PDF) and the speed benchmark's generated PDFs, each read and extracted by
the rules pipeline (checks included), written one file per document; two such folders are
then compared byte for byte.

A code change is judged by writing the folder twice, once from a checkout of the code before
the change and once from the code after it, then comparing them::

    (checkout before) python eval/same_exports.py write /tmp/before
    (checkout after)  python eval/same_exports.py write /tmp/after
                      python eval/same_exports.py compare /tmp/before /tmp/after

Per document two files: ``<key>.export.json`` (the export without its timings) and
``<key>.document.sha256`` (the hash of the ingested ``Document``'s JSON, so a reader's change
shows even where the export happens to hide it). ``compare`` lists every file that differs
or is missing on one side and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `service` and `eval` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.dataset import REPO, Materializer, items, load_manifest
from service.extract.pipeline import ExtractOptions, extract
from service.ingest import read_document

FORMATS = ("txt", "docx", "pdf")
# The speed benchmark's generated PDFs: seeds 0..5 of the prose-only template and 0..2 of
# each table template (twelve files; bench_speed.py's default set is among them).
BENCH_PER_TEMPLATE = 6


def documents(formats: list[str], cache: Path, bench: bool) -> Iterator[tuple[str, str, bytes]]:
    """(key, filename, bytes) of every document to compare."""
    manifest, set_dir = load_manifest()
    materializer = Materializer(cache)
    for item in items(manifest, set_dir, formats=formats):
        yield item.key, item.filename, materializer.file_bytes(item)
    if bench:
        from eval.bench_speed import generated_pdfs

        for kind in generated_pdfs(BENCH_PER_TEMPLATE).values():
            for name, data in kind:
                yield f"bench.{name}.pdf", "report.pdf", data


def write(folder: Path, formats: list[str], cache: Path, bench: bool) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    options = ExtractOptions(extractor="rules")
    count = 0
    t0 = time.perf_counter()
    for key, filename, data in documents(formats, cache, bench):
        try:
            doc = read_document(data, filename)
        except Exception as exc:  # noqa: BLE001 - a reader's failure is an output too
            (folder / f"{key}.export.json").write_text(f"ingest: {type(exc).__name__}: {exc}\n")
            count += 1
            continue
        digest = hashlib.sha256(doc.model_dump_json().encode()).hexdigest()
        (folder / f"{key}.document.sha256").write_text(digest + "\n")
        result = extract(doc, options).model_dump(mode="json")
        result.pop("timings", None)
        text = json.dumps(result, sort_keys=True, ensure_ascii=False, indent=1)
        (folder / f"{key}.export.json").write_text(text + "\n", encoding="utf-8")
        count += 1
    print(f"{count} documents written to {folder} in {time.perf_counter() - t0:.0f} s")
    return 0


def compare(before: Path, after: Path) -> int:
    names = {p.name for p in before.iterdir()} | {p.name for p in after.iterdir()}
    differ = []
    for name in sorted(names):
        a, b = before / name, after / name
        if not a.is_file() or not b.is_file() or a.read_bytes() != b.read_bytes():
            differ.append(name)
    for name in differ:
        print(f"DIFFERS: {name}", file=sys.stderr)
    documents = len({n.split(".export.json")[0] for n in names if n.endswith(".export.json")})
    print(json.dumps({"documents": documents, "files": len(names), "differ": len(differ)}))
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write every document's export into a folder")
    w.add_argument("folder", type=Path)
    w.add_argument("--formats", default=",".join(FORMATS))
    w.add_argument("--cache", type=Path, default=REPO / "eval" / "out" / "cache")
    w.add_argument("--no-bench", action="store_true", help="leave the generated PDFs out")
    c = sub.add_parser("compare", help="compare two written folders byte for byte")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "write":
        return write(args.folder, args.formats.split(","), args.cache, not args.no_bench)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
