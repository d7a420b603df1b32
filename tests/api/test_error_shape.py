"""Every 4xx and 5xx answer has the same JSON body (service/api/errors.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import make_pdf, processed, upload

ERROR_KEYS = {"status", "code", "message", "message_zh", "detail", "context"}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == ERROR_KEYS, error
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["message_zh"], str) and error["message_zh"]
    assert isinstance(error["context"], dict)
    if code is not None:
        assert error["code"] == code, error
    return dict(error)


def test_unknown_route_and_method(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    assert_error(client.get("/no/such/route", headers=keys["admin"]), 404, "not_found")
    assert_error(client.put("/documents", headers=keys["admin"]), 405, "method_not_allowed")


def test_auth_errors(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    missing = assert_error(client.get("/documents"), 401, "unauthorized")
    assert "X-API-Key" in missing["message"]
    assert client.get("/documents").headers["www-authenticate"] == "Bearer"
    assert_error(client.get("/documents", headers={"X-API-Key": "jx_wrong"}), 401)
    assert_error(client.get("/documents", headers={"Authorization": "Bearer nope"}), 401)
    forbidden = assert_error(client.get("/keys", headers=keys["reviewer"]), 403, "forbidden")
    assert forbidden["context"] == {"needed": "admin", "role": "reviewer"}


def test_validation_errors_list_the_fields(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    error = assert_error(
        client.get("/documents", params={"limit": 0, "year": "soon"}, headers=keys["admin"]),
        422,
        "validation_error",
    )
    locs = {tuple(d["loc"]) for d in error["detail"]}
    assert ("query", "limit") in locs and ("query", "year") in locs
    assert all(set(d) == {"loc", "msg", "type"} for d in error["detail"])


def test_domain_errors(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    admin = keys["admin"]
    assert_error(client.get("/documents/abc", headers=admin), 404, "not_found")
    bad = client.post("/documents", files={"files": ("x.pdf", b"hello")}, headers=admin)
    assert_error(bad, 415, "mislabelled_file")
    locked = make_pdf(password="secret")
    enc = client.post("/documents", files={"files": ("x.pdf", locked)}, headers=admin)
    assert_error(enc, 422, "encrypted_file")
    doc_id = processed(client, admin)
    wrong = client.patch(
        f"/documents/{doc_id}/records/indicators/0/score", json={"value": "abc"}, headers=admin
    )
    assert assert_error(wrong, 422, "invalid_value")["context"]["path"] == "indicators/0/score"


def test_not_ready_is_409(
    client: TestClient, keys: dict[str, dict[str, str]], app: FastAPI
) -> None:
    app.state.jixiao.runner.stop()  # nothing gets processed: the document stays queued
    item = upload(client, keys["admin"], b"plain text report\n")
    r = client.get(f"/documents/{item['id']}/extraction", headers=keys["admin"])
    assert_error(r, 409, "extraction_not_ready")
    assert_error(client.get("/readyz"), 503, "not_ready")


def test_unexpected_exception_is_500_in_the_same_shape(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaput")

    with TestClient(app, raise_server_exceptions=False) as client:
        error = assert_error(client.get("/boom"), 500, "internal_error")
    assert "kaput" not in str(error)  # internals are logged, not shown


@pytest.mark.parametrize("size", [10])
def test_body_over_the_limit_is_refused_before_reading(
    client: TestClient, keys: dict[str, dict[str, str]], app: FastAPI, size: int
) -> None:
    limit = app.state.jixiao.settings.limits.max_bytes * 20 + 1024 * 1024
    headers = {**keys["admin"], "content-length": str(limit + size), "content-type": "text/plain"}
    r = client.post("/documents", content=b"x" * size, headers=headers)
    assert_error(r, 413, "file_too_large")


def test_every_response_says_nosniff(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    """JSON, errors, the health probe and the OpenAPI document alike: a browser must never
    sniff an answer (or an uploaded file served back) into something it would run."""
    answers = [
        client.get("/healthz"),
        client.get("/openapi.json"),
        client.get("/documents", headers=keys["admin"]),
        client.get("/no/such/route", headers=keys["admin"]),
        client.get("/documents"),
    ]
    for response in answers:
        assert response.headers.get("x-content-type-options") == "nosniff", response.url
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]


def test_openapi_names_the_unreadable_file_codes_under_422(client: TestClient) -> None:
    """A page with no article is the file's fault, like a corrupt one: 422, documented."""
    upload = client.get("/openapi.json").json()["paths"]["/documents"]["post"]["responses"]
    assert "no_article" in upload["422"]["description"]
    assert "corrupt_file" in upload["422"]["description"]
