"""Downloads are attachments with a safe name (RFC 6266 / RFC 5987): the uploaded file and
every export. An uploaded HTML file must never open in the service's origin."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from service.api.downloads import content_disposition
from tests.api.conftest import ADMIN_KEY, processed, report_text, upload, wait_for

ADMIN = {"X-API-Key": ADMIN_KEY}


def _parts(header: str) -> dict[str, str]:
    kind, *params = [p.strip() for p in header.split(";")]
    out = {"type": kind}
    for p in params:
        name, _, value = p.partition("=")
        out[name] = value
    return out


@pytest.mark.parametrize(
    ("name", "fallback", "exact"),
    [
        ("report.pdf", "report.pdf", None),
        ("报告.pdf", "pdf", "报告.pdf"),
        ('a"b; c.pdf', "a_b_c.pdf", 'a"b; c.pdf'),
        ("x\r\nSet-Cookie: y.pdf", "x_Set-Cookie_y.pdf", "x\r\nSet-Cookie: y.pdf"),
        ("../../etc/passwd", "passwd", None),
        ("C:\\Users\\张三\\自评报告.docx", "docx", "自评报告.docx"),
        ("", "download", None),
    ],
)
def test_content_disposition(name: str, fallback: str, exact: str | None) -> None:
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header
    parts = _parts(header)
    assert parts["type"] == "attachment"
    assert parts["filename"] == f'"{fallback}"'
    if exact is None:
        assert "filename*" not in parts
    else:
        encoding, _, value = parts["filename*"].partition("''")
        assert encoding == "utf-8" and unquote(value) == exact


def test_uploaded_file_is_an_attachment_in_a_sandbox(client: TestClient) -> None:
    html = (
        b"<html><body><script>alert(document.cookie)</script>" + report_text() + b"</body></html>"
    )
    item = upload(client, ADMIN, html, filename="自评 报告;1.html")
    wait_for(client, item["id"], ADMIN)
    r = client.get(f"/documents/{item['id']}/file", headers=ADMIN)
    assert r.status_code == 200 and r.content == html
    parts = _parts(r.headers["content-disposition"])
    assert parts["type"] == "attachment"
    assert unquote(parts["filename*"].partition("''")[2]) == "自评 报告;1.html"
    assert r.headers["content-security-policy"] == "sandbox"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_exports_are_attachments(client: TestClient) -> None:
    doc = processed(client, ADMIN)
    for url, name in [
        (f"/documents/{doc}/export.xlsx", f"{doc}.xlsx"),
        (f"/documents/{doc}/export.csv?record=indicators", f"{doc}-indicators.csv"),
        ("/exports/documents.xlsx", "documents.xlsx"),
        ("/exports/documents.csv", "documents-values.csv"),
    ]:
        r = client.get(url, headers=ADMIN)
        assert r.status_code == 200, r.text
        assert r.headers["content-disposition"] == f'attachment; filename="{name}"'
