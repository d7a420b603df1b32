"""Adding a reviewer-approved document to the evaluation set.

``python -m eval.approve EXPORT.json ORIGINAL --id ID --tests "what it tests"`` takes the
approved export of a document (``GET /documents/{id}/extraction``: the extraction with the
reviewer's corrections applied) and its original file, and writes the label
(``eval/labels/<id>.json``: the export without sources), a copy of the file
(``eval/set/docs/``) and a manifest entry. Owns only that conversion; must not touch the
scorer or the run. A person runs it; nothing calls it automatically.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from pydantic import ValidationError

from eval.dataset import DEFAULT_SET, REPO, Entry, EvalSetError, FileSource, load_manifest
from service.records.labels import label_from_export

FORMAT_OF = {"pdf": "pdf", "docx": "docx", "text": "txt", "png": "png"}
LARGE = 2 * 1024 * 1024


def approve(
    export_path: Path, original: Path, doc_id: str, tests: list[str], manifest_path: Path
) -> Entry:
    from service.ingest.sniff import sniff

    manifest, set_dir = load_manifest(manifest_path)
    if any(d.id == doc_id for d in manifest.documents):
        raise EvalSetError(f"the set already has a document {doc_id!r}")
    data = original.read_bytes()
    fmt = FORMAT_OF.get(sniff(data, original.name).value)
    if fmt is None:
        raise EvalSetError(f"{original.name}: the set holds pdf, docx, txt and png files")
    export = json.loads(export_path.read_text(encoding="utf-8"))
    label_path = REPO / "eval" / "labels" / f"{doc_id}.json"
    doc_path = set_dir / "docs" / f"{doc_id}{original.suffix.lower()}"
    entry = Entry(
        id=doc_id,
        source=FileSource(
            path=doc_path.relative_to(set_dir).as_posix(),
            sha256=hashlib.sha256(data).hexdigest(),
        ),
        label=Path(os.path.relpath(label_path, set_dir)).as_posix(),
        formats=[fmt],
        tests=tests,
    )
    label_path.write_text(
        json.dumps(label_from_export(export), ensure_ascii=False, indent=1) + "\n", "utf-8"
    )
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(original, doc_path)
    manifest.documents.append(entry)
    raw = manifest.model_dump(mode="json", exclude_defaults=False)
    (set_dir / "manifest.json").write_text(
        json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    if len(data) > LARGE:
        print(
            f"note: {doc_path} is {len(data) // 1024} KiB; think before committing it",
            file=sys.stderr,
        )
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.approve", description=__doc__)
    parser.add_argument("export", type=Path, help="the approved export JSON")
    parser.add_argument("original", type=Path, help="the document's original file")
    parser.add_argument("--id", required=True, help="document id: lower case, digits, _")
    parser.add_argument("--tests", action="append", required=True, help="what it exercises")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    args = parser.parse_args(argv)
    try:
        entry = approve(args.export, args.original, args.id, args.tests, args.set)
    except (EvalSetError, ValidationError, FileNotFoundError, json.JSONDecodeError) as exc:
        print(f"eval.approve: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    print(f"added {entry.id} ({entry.formats[0]}): label {entry.label}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
