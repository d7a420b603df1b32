"""The varied documents of the evaluation set: which seeds, in which split and formats.

Owns the sampling of the ``varied`` entries of ``eval/set/manifest.json`` (written by
``python -m eval.varied --write``; the manifest stays the record of what the set is, this
module only says how its varied part was drawn). Must not touch the other entries, the
scorer or the run.

The sampling, fixed so that a cold ``jixiao eval`` of the whole set stays well under 15
minutes on the 2-core development machine (docs/eval.md has the measurement):

* ``PER_SPLIT`` documents in each split (``tuning`` and ``heldout``), seeds 1…PER_SPLIT;
* each read in one format, in turn ``pdf``, ``docx``, ``txt`` by seed (seed % 3), so every
  split has about a third of its documents in each format;
* scans are sampled: every ``SCAN_EVERY``-th seed (seed % SCAN_EVERY == SCAN_AT: seeds 5,
  32, 59) is read as ``pdf`` *and* ``scan``, the same document with and without a text
  layer, so the per-format figures show what OCR costs on those documents. OCR is the slow
  part (seconds of CPU a page: 90% of a cold run's time), so scans stay few: 3 per split.
* the newer formats are sampled beside their twin, the same document read both ways, so
  the per-format figures compare like with like: every ``NEW_EVERY``-th ``docx`` seed
  (seeds 1, 28, 55) is also read as a web page (``html``, GBK with a site's chrome) and as
  a workbook (``xlsx``; seed 1 as a legacy ``xls`` too), as a legacy Word ``doc`` (saved
  by LibreOffice) and as a ``bundle`` (the body as DOCX, the 附件 as XLSX, in one ZIP);
  every ``NEW_EVERY``-th ``pdf`` seed (seeds 3, 30, 57) also as ``ofd``. They are quick to
  read (OFD about three times a PDF's time; a .doc's conversion 4-6 s), so they add about
  a minute, not more, to a cold run: 16 items a split.
* no ``png``: a page image is one page, and a varied report is several.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from eval.dataset import DEFAULT_SET, load_manifest

PER_SPLIT = 80
SPLITS = ("tuning", "heldout")
MAIN_FORMATS = ("pdf", "docx", "txt")
SCAN_EVERY = 27
SCAN_AT = 5
NEW_EVERY = 27
# the newer formats, by the twin they are sampled beside (eval.dataset.TWIN)
NEW_BESIDE = {"docx": ["html", "xlsx", "doc", "bundle"], "pdf": ["ofd"]}
XLS_SEED = 1  # the legacy workbook reads as the xlsx does (tests/ingest/test_xlsx.py): one
NEW_AT = {"docx": 1, "pdf": 3}  # seed % NEW_EVERY: docx seeds 1, 28, 55; pdf seeds 3, 30, 57


def formats_of(seed: int) -> list[str]:
    """The formats seed ``seed`` is read in (the rule in the module docstring)."""
    if seed % SCAN_EVERY == SCAN_AT:
        return ["pdf", "scan"]
    main = MAIN_FORMATS[seed % len(MAIN_FORMATS)]
    if seed % NEW_EVERY == NEW_AT.get(main, -1):
        return [main, *NEW_BESIDE[main], *(["xls"] if seed == XLS_SEED else [])]
    return [main]


def varied_entries(per_split: int = PER_SPLIT) -> list[dict[str, Any]]:
    """The manifest entries of the varied documents, tuning first."""
    entries = []
    for split in SPLITS:
        for seed in range(1, per_split + 1):
            entries.append(
                {
                    "id": f"varied_{split}_{seed:03d}",
                    "source": {"kind": "varied", "seed": seed, "split": split},
                    "formats": formats_of(seed),
                    "tests": [
                        f"varied report, {split} split: families of variation drawn from seed "
                        f"{seed} (listed per document in the report)"
                    ],
                }
            )
    return entries


def write(manifest_path: Path, per_split: int = PER_SPLIT) -> dict[str, Any]:
    """Replace the varied entries of the manifest at ``manifest_path``, keep the rest as is,
    and check the result loads."""
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    kept = [d for d in data["documents"] if d.get("source", {}).get("kind") != "varied"]
    data["documents"] = kept + varied_entries(per_split)
    manifest_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    load_manifest(manifest_path)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the manifest")
    parser.add_argument("--per-split", type=int, default=PER_SPLIT)
    parser.add_argument("--write", action="store_true", help="write them into the manifest")
    args = parser.parse_args(argv)
    if not args.write:
        json.dump(varied_entries(args.per_split), sys.stdout, ensure_ascii=False, indent=2)
        return 0
    data = write(args.set, args.per_split)
    varied = [d for d in data["documents"] if d["source"]["kind"] == "varied"]
    items = sum(len(d["formats"]) for d in varied)
    print(f"{len(varied)} varied documents ({items} items) in {args.set}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
