"""A tiny evaluation set made in code: one short report as text, its label, its manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

TEXT = """2023年度某某市某某局部门整体支出绩效自评报告

一、部门基本情况
截至2023年12月31日，我单位编制人数20人，在职人数18人。
二、一般公共预算支出情况
2023年度基本支出为500.5万元，项目支出120万元。
"""


def q(value: Any, unit: str | None, raw: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "raw": raw}


LABEL = {
    "schema_version": "1.0",
    "staffing": {"authorized": q(20, "人", "20人"), "actual": q(18, "人", "18人")},
    "budget": {
        "basic_expenditure": q(500.5, "万元", "500.5万元"),
        "project_expenditure": q(120, "万元", "120万元"),
    },
    "findings": [],
}


def make_tiny_set(folder: Path) -> Path:
    (folder / "seeds").mkdir(parents=True)
    (folder / "seeds" / "tiny.txt").write_text(TEXT, encoding="utf-8")
    (folder / "tiny.json").write_text(json.dumps(LABEL, ensure_ascii=False), encoding="utf-8")
    manifest = {
        "name": "tiny",
        "version": 1,
        "documents": [
            {
                "id": "tiny",
                "source": {
                    "kind": "seed",
                    "path": "seeds/tiny.txt",
                    "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
                },
                "label": "tiny.json",
                "formats": ["txt"],
                "tests": ["prose figures"],
            }
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
