"""Promotion into the evaluation set: the same label and manifest entry as eval.approve,
readable by the evaluation's own loader, and refused when the review is not finished."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eval.approve import label_from_export as eval_label_from_export
from eval.dataset import Item, Materializer, load_manifest
from service.config import Settings
from service.ui import evalset
from tests.api.conftest import processed
from tests.ui.conftest import login


def _approve(client: TestClient, doc: str, csrf: str) -> None:
    r = client.post(f"/documents/{doc}/approve", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text


def _promote(client: TestClient, doc: str, csrf: str) -> str:
    r = client.post(
        f"/ui/documents/{doc}/promote", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    flash = re.search(r"flash=([\w.]+)", r.headers["location"])
    assert flash
    return flash.group(1)


def test_label_matches_eval_approve() -> None:
    export = json.loads((Path(__file__).parent / "data" / "export_sample.json").read_text("utf-8"))
    assert evalset.label_from_export is eval_label_from_export  # one conversion, shared
    label = evalset.label_from_export(export)
    assert '"source"' not in json.dumps(label) and '"source"' in json.dumps(export)
    assert "missing" not in label and label["extractor"]["name"] == "human"
    kinds = {f["kind"] for f in label["findings"]}
    assert kinds and not kinds & {"ungrounded", "not_found"}


def test_promote_writes_what_the_evaluation_reads(
    client: TestClient, keys: dict[str, str], settings: Settings
) -> None:
    doc = processed(client, {"X-API-Key": keys["uploader"]}, department="耒阳分局", year=2024)
    csrf = login(client, keys["reviewer"])
    assert _promote(client, doc, csrf) == "promote.not_approved"
    r = client.patch(
        f"/documents/{doc}/records/budget/basic_expenditure",
        json={"value": 2204.95, "reason": "prose"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200
    _approve(client, doc, csrf)
    assert _promote(client, doc, csrf) == "flash.promoted"
    assert _promote(client, doc, csrf) == "promote.exists"
    page = client.get(f"/ui/documents/{doc}")
    assert evalset.entry_id(doc) in page.text and 'id="promoted"' in page.text

    manifest, set_dir = load_manifest(Path(settings.ui.eval_set_dir or ""))
    entry = manifest.documents[-1]
    assert entry.id == evalset.entry_id(doc) and entry.source.kind == "file"
    assert entry.formats == ["txt"] and "耒阳分局" in entry.tests[0]
    item = Item(entry, "txt", set_dir)
    materializer = Materializer(None, use_cache=False)
    stored = client.get(f"/documents/{doc}/file")
    assert materializer.file_bytes(item) == stored.content
    label = materializer.label(item)
    view = client.get(f"/documents/{doc}/extraction").json()
    assert label == eval_label_from_export(view)
    assert label["budget"]["basic_expenditure"]["value"] == 2204.95
    assert label["extractor"] == {"name": "human", "version": "approved"}


def test_promote_refuses_a_stale_approval(client: TestClient, keys: dict[str, str]) -> None:
    doc = processed(client, {"X-API-Key": keys["uploader"]})
    csrf = login(client, keys["reviewer"])
    _approve(client, doc, csrf)
    r = client.patch(
        f"/documents/{doc}/records/indicators/0/score",
        json={"value": 7},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200
    assert "需要重新确认" in client.get(f"/ui/documents/{doc}").text
    assert _promote(client, doc, csrf) == "promote.stale"
    _approve(client, doc, csrf)
    assert _promote(client, doc, csrf) == "flash.promoted"


def test_promote_needs_a_set_and_a_format(
    client: TestClient,
    keys: dict[str, str],
    settings: Settings,
    monkeypatch: Any,
    tmp_path: Path,
) -> None:
    doc = processed(client, {"X-API-Key": keys["uploader"]})
    csrf = login(client, keys["reviewer"])
    _approve(client, doc, csrf)
    with pytest.raises(evalset.PromoteError) as refused:
        evalset.promote(
            settings, document_id=doc, fmt="jpeg", original=b"x", export={}, tests=["t"]
        )
    assert refused.value.context["reason"] == "format"
    monkeypatch.setattr(settings.ui, "eval_set_dir", None)
    monkeypatch.setattr(evalset, "REPO", tmp_path / "no-checkout")
    assert _promote(client, doc, csrf) == "promote.no_set"
    assert "评测集目录" in client.get(f"/ui/documents/{doc}?flash=promote.no_set").text
