"""Promote an approved document into the evaluation set, and find the evaluation folders.

Owns writing one labelled item into the set the nightly evaluation reads: the label (the
export without sources, in the set's labels folder), a copy of the original file (the
set's ``docs/`` folder) and an entry in ``manifest.json`` — the same three things
``python -m eval.approve`` writes, in the same format (a test holds the two together; the
service may not import ``eval/``). Must not touch the scorer, the run or other entries.

The folders come from ``Settings.ui``; by default the source checkout's ``eval/set`` and
``eval/out`` when the service runs from one, and nothing (promotion off) otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.config import Settings
from service.errors import InputError
from service.records.labels import label_from_export

REPO = Path(__file__).resolve().parents[2]
# The service's formats → the set's formats (eval.dataset.FORMATS); others are refused.
SET_FORMAT = {"pdf": "pdf", "docx": "docx", "text": "txt", "png": "png"}
SUFFIX = {"pdf": ".pdf", "docx": ".docx", "txt": ".txt", "png": ".png"}

_LOCK = threading.Lock()  # one promotion at a time per process: the manifest is one file


class PromoteError(InputError):
    code = "promote_failed"
    message_zh = "无法加入评测集。"
    message_en = "The document cannot be added to the evaluation set."


@dataclass(frozen=True)
class EvalDirs:
    set_dir: Path | None
    labels_dir: Path | None
    reports_dir: Path | None


def eval_dirs(settings: Settings) -> EvalDirs:
    ui = settings.ui
    set_dir = ui.eval_set_dir
    if set_dir is None and (REPO / "eval" / "set" / "manifest.json").is_file():
        set_dir = REPO / "eval" / "set"
    labels = ui.eval_labels_dir or (set_dir.parent / "labels" if set_dir else None)
    reports = ui.eval_reports_dir
    if reports is None and (REPO / "eval").is_dir() and (REPO / "eval" / "run.py").is_file():
        reports = REPO / "eval" / "out"
    return EvalDirs(set_dir, labels, reports)


def entry_id(document_id: str) -> str:
    """The set's id of a promoted document (``^[a-z0-9_]+$``, as the manifest requires)."""
    return "reviewed_" + "".join(c for c in document_id.lower() if c.isalnum())[:16]


def read_manifest(set_dir: Path) -> dict[str, Any]:
    path = set_dir / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromoteError("the evaluation set has no manifest.json", folder=str(set_dir)) from None
    except json.JSONDecodeError as exc:
        raise PromoteError(f"manifest.json is not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise PromoteError("manifest.json has no documents list")
    return data


def in_set(settings: Settings, document_id: str) -> str | None:
    """The set's id of the document when it is already in the set."""
    dirs = eval_dirs(settings)
    if dirs.set_dir is None:
        return None
    try:
        manifest = read_manifest(dirs.set_dir)
    except PromoteError:
        return None
    wanted = entry_id(document_id)
    return wanted if any(d.get("id") == wanted for d in manifest["documents"]) else None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Promoted:
    id: str
    label_path: Path
    file_path: Path


def promote(
    settings: Settings,
    *,
    document_id: str,
    fmt: str,
    original: bytes,
    export: dict[str, Any],
    tests: list[str],
) -> Promoted:
    """Write the label, the file and the manifest entry. Raises ``PromoteError``."""
    dirs = eval_dirs(settings)
    if dirs.set_dir is None or dirs.labels_dir is None:
        raise PromoteError("no evaluation set folder is configured", reason="no_set")
    set_format = SET_FORMAT.get(fmt)
    if set_format is None:
        raise PromoteError(f"format {fmt} is not one the set reads", reason="format")
    item_id = entry_id(document_id)
    with _LOCK:
        manifest = read_manifest(dirs.set_dir)
        if any(d.get("id") == item_id for d in manifest["documents"]):
            raise PromoteError(f"the set already has {item_id}", reason="exists")
        label_path = dirs.labels_dir / f"{item_id}.json"
        file_path = dirs.set_dir / "docs" / f"{item_id}{SUFFIX[set_format]}"
        label = json.dumps(label_from_export(export), ensure_ascii=False, indent=1) + "\n"
        _write_atomic(label_path, label.encode("utf-8"))
        _write_atomic(file_path, original)
        manifest["documents"].append(
            {
                "id": item_id,
                "source": {
                    "kind": "file",
                    "path": file_path.relative_to(dirs.set_dir).as_posix(),
                    "sha256": hashlib.sha256(original).hexdigest(),
                },
                "label": Path(os.path.relpath(label_path, dirs.set_dir)).as_posix(),
                "formats": [set_format],
                "tests": tests,
                "unscored": [],
            }
        )
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        _write_atomic(dirs.set_dir / "manifest.json", text.encode("utf-8"))
    return Promoted(item_id, label_path, file_path)
