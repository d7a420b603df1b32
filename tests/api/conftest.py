"""Fixtures of the service tests (api, store, jobs): databases, the app, keys, documents.

``database_url`` runs every test that uses it twice: on SQLite and on PostgreSQL. The
PostgreSQL server is $JIXIAO_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/
test); each test session works in a fresh schema that is dropped at the end, and tables are
emptied after every test. An unreachable server fails the tests; only setting the variable
to ``off`` skips them, visibly.

Most API tests use ``FakeExtractor``, which reads a tiny "key: value" report format, so they
pin the service's behaviour and not the rules extractor's accuracy; one test per area runs
the real pipeline on a seed report.

tests/store/conftest.py and tests/jobs/conftest.py re-export these fixtures.
"""

from __future__ import annotations

import io
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.app import create_app
from service.config import Settings
from service.document import Document, Span
from service.extract.pipeline import ExtractionResult
from service.records import (
    Budget,
    ExtractorInfo,
    Finding,
    Indicator,
    ListItem,
    Report,
    ReportExport,
    Source,
    Value,
)
from service.store.engine import is_sqlite, make_engine, transaction
from service.store.migrate import upgrade

REPO_ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("JIXIAO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_KEY = "jx_test-admin-key-0123456789abcdefghijklmnopqrstuv"
TABLES = (
    "finding_events",
    "review_events",
    "corrections",
    "approvals",
    "extractions",
    "jobs",
    "documents",
    "api_keys",
    "users",
    "eval_runs",
)


# --- databases ----------------------------------------------------------------------------


def _postgres_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database for the session, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'jixiao.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    if PG_URL == "off":
        pytest.skip("PostgreSQL tests turned off by JIXIAO_TEST_POSTGRES_URL=off")
    schema = f"jx_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL at {PG_URL} is not reachable ({type(exc).__name__}); start it, or set "
            "JIXIAO_TEST_POSTGRES_URL=off to run the SQLite half only"
        )
    url = _postgres_schema_url(schema)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def empty_tables(url: str) -> None:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            if is_sqlite(engine):
                for table in TABLES:
                    session.exec(text(f"DELETE FROM {table}"))  # type: ignore[call-overload]
            else:
                joined = ", ".join(TABLES)
                session.exec(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))  # type: ignore[call-overload]
    finally:
        engine.dispose()


@pytest.fixture
def clean_database(database_url: str) -> Iterator[str]:
    """The session's database, emptied after the test."""
    yield database_url
    empty_tables(database_url)


@pytest.fixture
def settings(tmp_path: Path, clean_database: str) -> Settings:
    return make_settings(tmp_path, clean_database)


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    workers = {
        "count": 2,
        # FakeExtractor counts its calls: keep it in this process (one test runs processes)
        "isolation": "thread",
        "poll_seconds": 0.05,
        "heartbeat_seconds": 0.2,
        "lease_seconds": 5.0,
        "retry_delay_seconds": 0.0,
        **overrides.pop("workers", {}),
    }
    auth = {"bootstrap_admin_key": ADMIN_KEY, **overrides.pop("auth", {})}
    return Settings(
        data_dir=data_dir, database_url=database_url, workers=workers, auth=auth, **overrides
    )


# --- a predictable extractor --------------------------------------------------------------


def report_text(
    department: str = "测试局",
    year: int = 2023,
    basic: float | str = 100.5,
    indicators: list[tuple[str, str, float, float]] | None = None,
    conflict: bool = False,
    tag: str | None = None,
) -> bytes:
    """A tiny report in the format ``FakeExtractor`` reads. ``tag`` makes the bytes unique."""
    indicators = indicators if indicators is not None else [("办结率", "95%", 10, 9)]
    lines = [f"部门: {department}", f"年度: {year}", f"基本支出: {basic}"]
    lines += [f"指标: {a} | {b} | {c} | {d}" for a, b, c, d in indicators]
    lines += ["问题: 预算编制不够精细"]
    if conflict:
        lines.append("冲突: 基本支出前后不一致")
    lines.append(f"编号: {tag or uuid.uuid4().hex}")
    return ("\n".join(lines) + "\n").encode("utf-8")


class FakeExtractor:
    """Reads ``report_text``. Tests change what later runs read (reprocess) with
    ``basic_offset`` (added to 基本支出) and ``max_indicators`` (rows kept)."""

    def __init__(self) -> None:
        self.calls = 0
        self.basic_offset = 0.0
        self.max_indicators: int | None = None

    def __call__(self, document: Document, extractor: str, settings: Settings) -> Any:
        self.calls += 1
        fields: dict[str, Value] = {}
        indicators, problems, findings = [], [], []
        offset = 0
        for line in document.text.splitlines(keepends=True):
            key, _, rest = line.strip().partition(": ")
            start = offset + line.find(rest) if rest else offset
            offset += len(line)
            if not rest:
                continue
            src = Source(span=Span(start=start, end=start + len(rest)), page=1)
            if key == "指标":
                # pipe-separated rows are read as table rows, their cells joined by tabs
                parts = [p.strip() for p in re.split(r"[|\t]", rest)]
                indicators.append(
                    Indicator(
                        level3=Value(value=parts[0], raw=parts[0], source=src),
                        target=Value(value=parts[1], raw=parts[1]),
                        weight=Value(value=float(parts[2]), raw=parts[2]),
                        score=Value(value=float(parts[3]), raw=parts[3]),
                    )
                )
            elif key == "问题":
                problems.append(ListItem(text=Value(value=rest, raw=rest, source=src)))
            elif key == "冲突":
                findings.append(
                    Finding(
                        kind="conflict",
                        severity="warning",
                        paths=["budget.basic_expenditure"],
                        message_zh=rest,
                        message_en="conflicting figures",
                    )
                )
            else:
                fields[key] = Value(value=rest, raw=rest, source=src)
        basic = fields.get("基本支出")
        if basic is not None:
            basic = basic.model_copy(
                update={"value": float(basic.raw) + self.basic_offset, "unit": "万元"}
            )
        year = fields.get("年度")
        export = ReportExport(
            extractor=ExtractorInfo(name="fake", version="1", model="fake-model"),
            report=Report(
                department=fields.get("部门"),
                fiscal_year=year.model_copy(update={"value": int(year.raw)}) if year else None,
            ),
            budget=Budget(basic_expenditure=basic),
            indicators=indicators[: self.max_indicators],
            problems=problems,
            findings=findings,
            missing=["budget.total_income"],
        )
        return ExtractionResult(export=export, status="success", notes=["fake extractor"])


@pytest.fixture
def extractor() -> FakeExtractor:
    return FakeExtractor()


# --- the app ------------------------------------------------------------------------------


@pytest.fixture
def app(settings: Settings, extractor: FakeExtractor) -> FastAPI:
    return create_app(settings, extract=extractor)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def real_client(settings: Settings) -> Iterator[TestClient]:
    """The app with the real extraction pipeline (rules, no LLM); admin key ``ADMIN_KEY``."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def keys(client: TestClient) -> dict[str, dict[str, str]]:
    """Headers for each role: ``keys['reviewer']`` → {'X-API-Key': …}."""
    admin = {"X-API-Key": ADMIN_KEY}
    out = {"admin": admin}
    for role in ("reviewer", "uploader"):
        r = client.post("/keys", json={"name": f"test {role}", "role": role}, headers=admin)
        assert r.status_code == 201, r.text
        out[role] = {"X-API-Key": r.json()["key"]}
    return out


def upload(
    client: TestClient,
    headers: dict[str, str],
    data: bytes,
    filename: str = "report.txt",
    **params: Any,
) -> dict[str, Any]:
    """Upload one file; returns the item of the 202 answer (asserts the 202)."""
    r = client.post("/documents", files={"files": (filename, data)}, headers=headers, params=params)
    assert r.status_code == 202, r.text
    item: dict[str, Any] = r.json()["documents"][0]
    return item


def wait_for(
    client: TestClient,
    document_id: str,
    headers: dict[str, str],
    statuses: tuple[str, ...] = ("done", "failed"),
    timeout: float = 60.0,
) -> dict[str, Any]:
    """Poll the status URL until the document reaches one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/documents/{document_id}", headers=headers)
        assert r.status_code == 200, r.text
        doc: dict[str, Any] = r.json()
        if doc["status"] in statuses:
            return doc
        if time.monotonic() > deadline:
            raise AssertionError(f"document still {doc['status']} after {timeout}s: {doc}")
        time.sleep(0.02)


def processed(
    client: TestClient, headers: dict[str, str], data: bytes | None = None, **kw: Any
) -> str:
    """Upload (a fresh ``report_text`` by default), wait until done; returns the id."""
    item = upload(client, headers, data if data is not None else report_text(**kw))
    doc = wait_for(client, item["id"], headers)
    assert doc["status"] == "done", doc
    return item["id"]


# --- generated PDFs -----------------------------------------------------------------------


def make_pdf(pages: list[list[str]] | None = None, *, password: str | None = None) -> bytes:
    """A text PDF (CJK font) with one list of lines per page; encrypted with ``password``."""
    import pymupdf

    pages = pages or [[line.decode() for line in report_text(tag="pdf").splitlines()]]
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        for i, line in enumerate(lines):
            page.insert_text((72, 90 + 22 * i), line, fontname="china-s", fontsize=12)
    buf = io.BytesIO()
    if password:
        doc.save(
            buf,
            encryption=pymupdf.PDF_ENCRYPT_AES_256,
            user_pw=password,
            owner_pw=password + "-owner",
        )
    else:
        doc.save(buf)
    doc.close()
    return buf.getvalue()
