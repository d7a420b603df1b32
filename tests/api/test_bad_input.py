"""Bad input through every entry point: a clear 4xx JSON error, never a 500, nothing stored."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pymupdf
import pytest
from fastapi.testclient import TestClient

from service.config import Settings
from tests.api.conftest import make_pdf, processed, report_text
from tests.api.test_error_shape import assert_error

Keys = dict[str, dict[str, str]]


def _truncated_pdf() -> bytes:
    return make_pdf()[:300]


def _zero_page_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _zip_not_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.bin", bytes(range(256)) * 8)  # a bundle of nothing we read
    return buf.getvalue()


def _corrupt_png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _list_page() -> bytes:
    """A site's list page saved as HTML (GBK): links and chrome, no article."""
    links = "".join(f"<li><a href='/{i}.html'>第{i}期工作动态</a></li>" for i in range(6))
    page = (
        "<!DOCTYPE html><html><head><meta charset='gbk'><title>工作动态</title></head><body>"
        f"<div class='nav'><a href='/'>首页</a></div><ul>{links}</ul>"
        "<div class='footer'>版权所有：某区财政局</div></body></html>"
    )
    return page.encode("gbk")


def _hollow_ods() -> bytes:
    """An OpenDocument spreadsheet package without its content.xml."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("styles.xml", "<office:document-styles/>")
    return buf.getvalue()


def _png_bomb() -> bytes:
    """A valid PNG header claiming 100000 x 100000 pixels, a few hundred bytes long."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


BAD_FILES = [
    ("empty", b"", "empty.pdf", 422, "empty_file"),
    ("blank", b"  \n\t ", "blank.txt", 422, "empty_file"),
    ("garbage pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4, "x.pdf", 422, None),
    ("truncated pdf", _truncated_pdf(), "cut.pdf", 422, None),
    ("no pages", _zero_page_pdf(), "none.pdf", 422, None),
    ("encrypted pdf", make_pdf(password="pw"), "locked.pdf", 422, "encrypted_file"),
    ("text named pdf", "部门: 某局\n".encode(), "report.pdf", 415, "mislabelled_file"),
    ("binary named docx", bytes(range(256)) * 8, "r.docx", 415, "mislabelled_file"),
    ("unknown binary", bytes(range(256)) * 8, "blob", 415, "unsupported_format"),
    ("zip not docx", _zip_not_docx(), "r.zip", 415, "unsupported_format"),
    ("broken doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "r.doc", 422, "corrupt_file"),
    ("corrupt png", _corrupt_png(), "p.png", 422, "corrupt_file"),
    ("html without article", _list_page(), "list.html", 422, "no_article"),
    ("ods without content", _hollow_ods(), "t.ods", 422, "corrupt_file"),
    ("png bomb", _png_bomb(), "bomb.png", 413, "image_too_large"),
]


@pytest.mark.parametrize(
    ("data", "filename", "status", "code"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_files_are_refused(
    client: TestClient, keys: Keys, data: bytes, filename: str, status: int, code: str | None
) -> None:
    r = client.post("/documents", files={"files": (filename, data)}, headers=keys["uploader"])
    error = assert_error(r, status, code)
    assert error["context"]["filename"] == filename
    assert client.get("/documents", headers=keys["uploader"]).json()["total"] == 0


def test_oversize_and_too_many_pages(tmp_path, clean_database: str) -> None:  # type: ignore[no-untyped-def]
    from service.app import create_app
    from tests.api.conftest import ADMIN_KEY, make_settings

    settings: Settings = make_settings(
        tmp_path, clean_database, limits={"max_bytes": 2000, "max_pages": 2}
    )
    with TestClient(create_app(settings)) as client:
        h = {"X-API-Key": ADMIN_KEY}
        big = client.post("/documents", files={"files": ("big.txt", b"a" * 2001)}, headers=h)
        assert assert_error(big, 413, "file_too_large")["context"]["limit"] == 2000
        doc = pymupdf.open()
        for _ in range(3):
            doc.new_page()
        pages = client.post("/documents", files={"files": ("p.pdf", doc.tobytes())}, headers=h)
        assert_error(pages, 413, "too_many_pages")


def test_no_file_and_wrong_body(client: TestClient, keys: Keys) -> None:
    h = keys["uploader"]
    assert_error(client.post("/documents", headers=h), 400, "bad_request")
    assert_error(client.post("/documents", data={"x": "1"}, headers=h), 400, "bad_request")
    wrong = client.post(
        "/documents",
        content=b"not multipart",
        headers={**h, "content-type": "multipart/form-data; boundary=zzz"},
    )
    assert 400 <= wrong.status_code < 500
    assert_error(wrong, wrong.status_code)
    too_many = [("files", (f"{i}.txt", report_text(tag=str(i)))) for i in range(21)]
    assert_error(client.post("/documents", files=too_many, headers=h), 400, "bad_request")
    bad_param = client.post(
        "/documents",
        files={"files": ("a.txt", report_text())},
        params={"extractor": "magic"},
        headers=h,
    )
    assert_error(bad_param, 422, "validation_error")


UNKNOWN = "0" * 32
ENDPOINTS = [
    ("GET", f"/documents/{UNKNOWN}"),
    ("GET", f"/documents/{UNKNOWN}/extraction"),
    ("GET", f"/documents/{UNKNOWN}/extractions"),
    ("GET", f"/documents/{UNKNOWN}/file"),
    ("GET", f"/documents/{UNKNOWN}/pages/1.png"),
    ("GET", f"/documents/{UNKNOWN}/corrections"),
    ("GET", f"/documents/{UNKNOWN}/approvals"),
    ("GET", f"/documents/{UNKNOWN}/export.xlsx"),
    ("GET", f"/documents/{UNKNOWN}/export.csv"),
    ("PATCH", f"/documents/{UNKNOWN}/records/budget/basic_expenditure"),
    ("DELETE", f"/documents/{UNKNOWN}/records/indicators/0"),
    ("POST", f"/documents/{UNKNOWN}/approve"),
    ("POST", f"/documents/{UNKNOWN}/reprocess"),
    ("DELETE", "/keys/999999"),
]


def test_unknown_ids_are_404_everywhere(client: TestClient, keys: Keys) -> None:
    for method, path in ENDPOINTS:
        body = {"value": 1} if method == "PATCH" else None
        r = client.request(method, path, json=body, headers=keys["admin"])
        assert r.status_code == 404, (method, path, r.text)
        assert_error(r, 404, "not_found")


MALFORMED = [
    ("budget/no_such_field", {"value": 1}, 422, "path_not_found"),
    ("nothing/at/all", {"value": 1}, 422, "path_not_found"),
    ("indicators/7/score", {"value": 1}, 422, "row_not_found"),
    ("indicators/0/score", {"value": "abc"}, 422, "invalid_value"),
    ("indicators/0/score", {"value": True}, 422, "invalid_value"),
    ("indicators/0/score", {"value": [1, 2]}, 422, "invalid_value"),
    ("budget/basic_expenditure", {"value": {"value": "x"}}, 422, "invalid_value"),
    ("budget/basic_expenditure", {"value": {"unit": 5}}, 422, "invalid_value"),
    ("indicators", {"value": [1]}, 422, "invalid_value"),
    ("indicators", {"op": "add", "value": "a row"}, 422, "invalid_value"),
    ("indicators", {"op": "add", "value": {"score": "not a value"}}, 422, "invalid_value"),
    ("indicators/5", {"op": "add", "value": {}}, 422, "row_not_found"),
    ("indicators", {"op": "delete"}, 422, "invalid_value"),
    ("budget", {"op": "delete"}, 422, "invalid_value"),
    ("problems/0/text", {"op": "delete"}, 422, "invalid_value"),
    ("schema_version", {"value": "9"}, 422, "path_not_found"),
    ("extractor/name", {"value": "me"}, 422, "path_not_found"),
    ("indicators/-1/score", {"value": 1}, 422, "path_not_found"),
    ("budget/a b", {"value": 1}, 422, "path_not_found"),
    ("indicators/0/score", {"op": "rename", "value": 1}, 422, "validation_error"),
    ("indicators/0/score", {"reason": "no value"}, 400, "bad_request"),
    # numbers no report states: typed refusals, never a 500 from a database column
    ("report/fiscal_year", {"value": 2**63}, 422, "invalid_value"),
    ("report/fiscal_year", {"value": 2**31}, 422, "invalid_value"),
    ("report/fiscal_year", {"value": 99999999999}, 422, "invalid_value"),
    ("report/fiscal_year", {"value": "2023.5"}, 422, "invalid_value"),
    ("report/fiscal_year", {"value": 1e300}, 422, "invalid_value"),
    ("staffing/authorized", {"value": -3}, 422, "invalid_value"),
    ("budget/total_expenditure", {"value": 1e16}, 422, "invalid_value"),
    ("indicators/0/score", {"value": 1, "reason": "x" * 2001}, 422, "validation_error"),
]


def test_malformed_corrections_are_refused_and_not_logged(client: TestClient, keys: Keys) -> None:
    doc_id = processed(client, keys["reviewer"])
    before = client.get(f"/documents/{doc_id}/extraction", headers=keys["reviewer"]).json()
    for path, body, status, code in MALFORMED:
        r = client.patch(f"/documents/{doc_id}/records/{path}", json=body, headers=keys["reviewer"])
        assert r.status_code == status, (path, body, r.text)
        assert_error(r, status, code)
    log = client.get(f"/documents/{doc_id}/corrections", headers=keys["reviewer"]).json()
    assert log["items"] == []
    after = client.get(f"/documents/{doc_id}/extraction", headers=keys["reviewer"]).json()
    assert after == before


def test_correction_body_that_is_not_json(client: TestClient, keys: Keys) -> None:
    doc_id = processed(client, keys["reviewer"])
    r = client.patch(
        f"/documents/{doc_id}/records/indicators/0/score",
        content=b"{nope",
        headers={**keys["reviewer"], "content-type": "application/json"},
    )
    assert_error(r, 422, "validation_error")


def test_llm_extractor_without_an_endpoint_is_refused_up_front(
    client: TestClient, keys: Keys
) -> None:
    r = client.post(
        "/documents",
        files={"files": ("a.txt", report_text())},
        params={"extractor": "llm"},
        headers=keys["uploader"],
    )
    assert_error(r, 422, "llm_not_configured")
    assert client.get("/documents", headers=keys["uploader"]).json()["total"] == 0
    doc_id = processed(client, keys["reviewer"])
    r = client.post(
        f"/documents/{doc_id}/reprocess", json={"extractor": "llm"}, headers=keys["reviewer"]
    )
    assert_error(r, 422, "llm_not_configured")


def test_a_one_line_text_over_the_line_limit(tmp_path, clean_database: str) -> None:  # type: ignore[no-untyped-def]
    """Refused at upload with the typed 413 ``text_too_long``; nothing is stored."""
    from service.app import create_app
    from tests.api.conftest import ADMIN_KEY, make_settings

    settings: Settings = make_settings(tmp_path, clean_database, limits={"max_line_chars": 100})
    with TestClient(create_app(settings)) as client:
        h = {"X-API-Key": ADMIN_KEY}
        line = ("本年支出合计100万元，" * 40).encode()  # 480 characters, 1,400+ bytes
        r = client.post("/documents", files={"files": ("one-line.txt", line)}, headers=h)
        assert assert_error(r, 413, "text_too_long")["context"]["limit"] == 100
        assert client.get("/documents", headers=h).json()["total"] == 0
