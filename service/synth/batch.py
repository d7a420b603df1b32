"""Write a set of generated documents to a folder: every report in the chosen formats,
a truth JSON per synthetic report and a ``manifest.json`` describing them all.

Owns the folder layout and the manifest (used by ``jixiao synth``, the benchmark and the
evaluation set). Overwrites its own files in the target folder and nothing else.
``write_varied_set`` does the same for the varied reports of ``service.synth.variety``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.synth.render import Format, RenderOptions, file_names, render
from service.synth.reports import suite
from service.synth.seeds import seed_paths, seed_spec
from service.synth.spec import ReportSpec
from service.synth.templates import GENERATOR_VERSION

if TYPE_CHECKING:
    from service.synth.variety.catalog import Split

MANIFEST = "manifest.json"


def parse_formats(text: str) -> list[Format]:
    """'pdf,scan' → [Format.pdf, Format.scan]; raises ValueError naming the bad one."""
    out: list[Format] = []
    for name in (t.strip() for t in text.split(",")):
        if not name:
            continue
        try:
            out.append(Format(name))
        except ValueError:
            choices = ", ".join(f.value for f in Format)
            raise ValueError(f"unknown format {name!r}; choose from {choices}") from None
    return out


def _write_renderings(
    out: Path,
    stem: str,
    spec: ReportSpec,
    formats: Sequence[Format],
    seed: int,
    options: RenderOptions,
) -> dict[str, list[str]]:
    files: dict[str, list[str]] = {}
    for fmt in formats:
        blobs = render(spec, fmt, seed, options)
        names = file_names(stem, fmt, len(blobs))
        for name, blob in zip(names, blobs, strict=True):
            (out / name).write_bytes(blob)
        files[fmt.value] = names
    return files


def write_set(
    out: Path,
    count: int,
    start_seed: int = 0,
    formats: Sequence[Format] = tuple(Format),
    include_seeds: bool = False,
    options: RenderOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Render ``count`` synthetic reports (and the seed reports) into ``out``; returns the
    manifest it writes."""
    out.mkdir(parents=True, exist_ok=True)
    opts = options or RenderOptions()
    documents: list[dict[str, Any]] = []
    if include_seeds:
        for path in seed_paths():
            if progress:
                progress(f"seed {path.stem}")
            files = _write_renderings(out, path.stem, seed_spec(path), formats, 0, opts)
            documents.append(
                {
                    "name": path.stem,
                    "kind": "seed",
                    "source": path.name,
                    "truth": None,
                    "files": files,
                    "tests": ["real report", "flattened tables"],
                }
            )
    for report in suite(count, start_seed):
        if progress:
            progress(f"{report.name} ({', '.join(report.knobs.tags()) or 'plain'})")
        truth_name = f"{report.name}.truth.json"
        (out / truth_name).write_text(report.truth_json() + "\n", encoding="utf-8")
        files = _write_renderings(out, report.name, report.spec, formats, report.seed, opts)
        documents.append(
            {
                "name": report.name,
                "kind": "synthetic",
                "template": report.template,
                "seed": report.seed,
                "knobs": report.knobs.model_dump(),
                "truth": truth_name,
                "files": files,
                "tests": [f"template:{report.template}", *report.knobs.tags()],
            }
        )
    manifest = {"generator_version": GENERATOR_VERSION, "documents": documents}
    (out / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def write_varied_set(
    out: Path,
    count: int,
    split: Split = "tuning",
    start_seed: int = 0,
    formats: Sequence[Format] = (Format.txt, Format.pdf, Format.docx),
    options: RenderOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Render ``count`` varied reports of ``split`` into ``out`` with their truth; returns
    the manifest it writes (each document lists its layout and variants)."""
    from service.synth.variety import varied_suite

    out.mkdir(parents=True, exist_ok=True)
    opts = options or RenderOptions()
    documents: list[dict[str, Any]] = []
    for report in varied_suite(count, split, start_seed):
        assert report.variety is not None
        if progress:
            progress(f"{report.name} ({report.variety.layout})")
        truth_name = f"{report.name}.truth.json"
        (out / truth_name).write_text(report.truth_json() + "\n", encoding="utf-8")
        files = _write_renderings(out, report.name, report.spec, formats, report.seed, opts)
        documents.append(
            {
                "name": report.name,
                "kind": "varied",
                "split": report.variety.split,
                "seed": report.seed,
                "layout": report.variety.layout,
                "truth": truth_name,
                "files": files,
                "tests": report.variety.tags(),
            }
        )
    manifest = {"generator_version": GENERATOR_VERSION, "documents": documents}
    (out / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest
