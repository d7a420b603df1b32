"""The response cache: validated LLM answers on disk, so an unchanged re-run makes no call.

Owns: the cache key (model, mode, prompt version and rendered-template hash, response
schema hash, and the exact input text) and the files under ``<data_dir>/llm-cache``
(one JSON file per answer, written atomically). Stores the validated answer with the
usage of the call that produced it. Must not call the model or touch the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def schema_hash(model: type[BaseModel]) -> str:
    schema = json.dumps(model.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(schema.encode()).hexdigest()[:16]


def cache_key(
    *, model: str, mode: str, prompt: str, response_model: type[BaseModel], text: str
) -> str:
    """``prompt`` is 'id@version#hash' of the rendered template (without the input)."""
    parts = {
        "model": model,
        "mode": mode,
        "prompt": prompt,
        "schema": schema_hash(response_model),
        "text": hashlib.sha256(text.encode()).hexdigest(),
    }
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResponseCache:
    """A folder of JSON files keyed by ``cache_key``. Safe across threads and processes:
    each entry is written to a temporary file and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            # A damaged entry is a miss, not a failure: the call is made again.
            return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob("*/*.json")) if self.root.exists() else 0
