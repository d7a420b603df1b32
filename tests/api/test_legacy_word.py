"""A legacy Word .doc through the service: accepted, converted once (cached under the data
folder), read; without LibreOffice the job fails at once with the plain converter_missing
error instead of being retried."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.synth.render import render
from service.synth.reports import make_report
from tests.api.conftest import ADMIN_KEY, make_settings, upload, wait_for


@pytest.fixture(scope="module")
def doc() -> bytes:
    return render(make_report(2, "sichuan").spec, "doc")[0]


def test_a_doc_upload_is_converted_once_and_read(
    real_client: TestClient, settings: Settings, doc: bytes
) -> None:
    headers = {"X-API-Key": ADMIN_KEY}
    item = upload(real_client, headers, doc, "部门整体支出绩效自评报告.doc")
    result = wait_for(real_client, item["id"], headers)
    assert result["status"] == "done", result
    assert result["format"] == "doc" and result["media_type"] == "application/msword"
    assert result["department"]  # the records were read from the converted text
    cache = settings.data_dir / "convert-cache"
    assert [p.name for p in cache.glob("??/*.docx")] == [f"{item['sha256']}.docx"]


def test_without_libreoffice_the_job_fails_once_with_a_plain_error(
    tmp_path: Path, clean_database: str, doc: bytes
) -> None:
    settings = make_settings(
        tmp_path, clean_database, convert={"soffice": str(tmp_path / "no-soffice")}
    )
    with TestClient(create_app(settings)) as client:
        headers = {"X-API-Key": ADMIN_KEY}
        item = upload(client, headers, doc, "r.doc")
        result = wait_for(client, item["id"], headers)
    assert result["status"] == "failed"
    assert result["error"]["code"] == "converter_missing"
    assert "LibreOffice" in result["error"]["message_zh"]
    assert result["job"]["attempts"] == 1  # not retried: it would fail the same way
