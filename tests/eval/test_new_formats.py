"""The newer input formats in the evaluation set: sampled beside their twin, rendered into
files the readers take for what they are, and an OFD made from its PDF twin's rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.dataset import DEFAULT_SET, TWIN, Item, Materializer, load_manifest
from service.document import SourceFormat
from service.ingest.sniff import sniff
from service.synth.render import render

NEW = {"html": SourceFormat.html, "xlsx": SourceFormat.xlsx, "xls": SourceFormat.xls}


def test_every_newer_format_stands_beside_its_twin_in_both_splits() -> None:
    manifest, _ = load_manifest(DEFAULT_SET)
    for fmt in ("html", "xlsx", "xls", "ofd"):
        entries = [e for e in manifest.documents if fmt in e.formats]
        assert entries, f"no {fmt} in the set"
        assert all(TWIN[fmt] in e.formats for e in entries), fmt
        assert {e.split for e in entries} == {"tuning", "heldout"}, fmt


@pytest.mark.parametrize("fmt", ["html", "xlsx", "xls", "ofd"])
def test_the_materialised_file_is_sniffed_as_its_format(fmt: str, tmp_path: Path) -> None:
    manifest, set_dir = load_manifest(DEFAULT_SET)
    entry = next(e for e in manifest.documents if fmt in e.formats)
    materializer = Materializer(tmp_path)
    data = materializer.file_bytes(Item(entry, fmt, set_dir))
    assert sniff(data, "report" + fmt) is NEW.get(fmt, SourceFormat.ofd)
    if fmt == "ofd":  # made from the cached PDF twin, equal to a fresh rendering
        assert any(p.suffix == ".pdf" for p in (tmp_path / "files").iterdir())
        assert data == render(materializer.spec(Item(entry, fmt, set_dir)), "ofd")[0]
