"""Where the seed reports and their hand labels are, for the extraction tests.

The seeds are the checked copies in ``eval/set/seeds`` (or wherever ``JIXIAO_SEEDS_DIR``
points); the labels in ``eval/labels``. A small module of its own so that it does not touch
the lead's ``tests/conftest.py``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from service.synth.seeds import find_seeds_dir

REPO = Path(__file__).resolve().parents[2]
LABELS_DIR = REPO / "eval" / "labels"
SEEDS = {
    "seed_000": "000_de21ebe0f04bc952.txt",
    "seed_002": "002_8a698bcfafd5a356.txt",
}


def seeds_dir() -> Path:
    return find_seeds_dir(REPO)


def seed_path(name: str) -> Path:
    return seeds_dir() / SEEDS[name]


@cache
def label(name: str) -> dict[str, Any]:
    data = json.loads((LABELS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    data.pop("notes", None)
    return data
