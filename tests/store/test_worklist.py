"""The work queue's queries on both databases: sort orders with missing figures last in
either direction, the next document of a filtered and sorted list, the same department
and year found across uploads, and deleting documents with everything about them (review
work only by an admin, never a document being processed)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from service.store import documents as repo
from service.store import worklist
from service.store.engine import make_engine, transaction
from service.store.migrate import upgrade
from service.store.tables import Correction, Extraction, Job, Role, StoredDocument

START = datetime(2026, 1, 1, tzinfo=UTC)


def _doc(session: Session, n: int, dept: str | None, year: int | None, **kw: Any) -> str:
    doc = StoredDocument(
        sha256=uuid.uuid4().hex * 2,
        filename=f"{n}.pdf",
        format="pdf",
        media_type="application/pdf",
        size=1,
        status=kw.pop("status", "done"),
        department=dept,
        fiscal_year=year,
        created_at=START + timedelta(minutes=n),
        **kw,
    )
    session.add(doc)
    session.flush()
    return doc.id


def _names(session: Session, sort: str, descending: bool, **filters: Any) -> list[str | None]:
    rows, _ = repo.list_documents(
        session,
        repo.DocumentFilters(**filters),
        limit=50,
        offset=0,
        order=worklist.ordering(sort, descending),
    )
    return [r.department for r in rows]


@pytest.fixture
def engine(clean_database: str) -> Iterator[Engine]:
    engine = make_engine(clean_database)
    yield engine
    engine.dispose()


def test_orders_next_and_duplicates(engine: Engine) -> None:
    with transaction(engine) as s:
        water = _doc(s, 1, "水利局", 2023, total_expenditure=1234.5, total_score=87.5)
        edu = _doc(s, 2, "教育局", 2023, total_expenditure=56789.13, total_score=92.0)
        archive = _doc(s, 3, "档案馆", 2023)  # no figures
        again = _doc(s, 4, "水利局", 2023, total_expenditure=1234.5)
        _doc(s, 5, "水利局", 2022, total_expenditure=99.0)
        assert _names(s, "expenditure", True) == ["教育局", "水利局", "水利局", "水利局", "档案馆"]
        assert _names(s, "expenditure", False)[:2] == ["水利局", "水利局"]
        assert _names(s, "expenditure", False)[-1] == "档案馆"  # missing last both ways
        # no score: last, newest upload first
        assert _names(s, "score", True, year=2023) == ["教育局", "水利局", "水利局", "档案馆"]
        order = worklist.ordering("score", True)
        filters = repo.DocumentFilters(year=2023)
        assert worklist.next_document(s, filters, order, edu) == water
        assert worklist.next_document(s, filters, order, again) == archive
        assert worklist.next_document(s, filters, order, archive) is None  # the last
        dups = worklist.duplicates(s, s.exec(select(StoredDocument)).all())
        assert {k: [d.id for d in v] for k, v in dups.items()} == {water: [again], again: [water]}


def test_delete_with_everything_about_it_and_its_rules(engine: Engine) -> None:
    with transaction(engine) as s:
        plain = _doc(s, 1, "水利局", 2023)
        reviewed = _doc(s, 2, "教育局", 2023)
        busy = _doc(s, 3, "档案馆", 2023, status="processing")
        for doc_id in (plain, reviewed):
            extraction = Extraction(document_id=doc_id, version=1, status="success", export={})
            s.add(extraction)
            s.add(Job(document_id=doc_id, status="done"))
            s.flush()
        s.add(Correction(document_id=reviewed, op="set", path="budget/x", author="王科长"))
    with transaction(engine) as s:
        result = worklist.delete_documents(s, [plain, reviewed, busy, "nope"], Role.reviewer, "李")
        assert result.deleted == [plain]
        assert result.refused == {reviewed: "reviewed", busy: "busy", "nope": "not_found"}
    with transaction(engine) as s:
        result = worklist.delete_documents(s, [reviewed], Role.admin, "管理员")
        assert result.deleted == [reviewed]
    with transaction(engine) as s:
        assert [d.id for d in s.exec(select(StoredDocument)).all()] == [busy]
        assert s.exec(select(Extraction)).all() == [] and s.exec(select(Job)).all() == []
        assert s.exec(select(Correction)).all() == []


def test_revision_0005_fills_the_figures_of_documents_read_before_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0004")
        export = {
            "budget": {"total_expenditure": {"value": 1059.01, "raw": "1059.01万元"}},
            "report": {"total_score": {"value": "九十", "raw": "九十"}},  # not a number
        }
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO documents (id, sha256, format, media_type, size, status, "
                    "findings_count, extraction_version, latest_extraction_id, review_state, "
                    "open_findings, created_at, updated_at) VALUES ('d1', 'x', 'pdf', "
                    "'application/pdf', 1, 'done', 0, 1, 1, 'pending', 0, :t, :t)"
                ),
                {"t": START},
            )
            conn.execute(
                text(
                    "INSERT INTO extractions (id, document_id, version, status, llm_calls, "
                    "llm_tokens, export, created_at) VALUES (1, 'd1', 1, 'success', 0, 0, "
                    ":export, :t)"
                ),
                {"export": json.dumps(export), "t": START},
            )
        upgrade(engine)
        with transaction(engine) as s:
            doc = s.get(StoredDocument, "d1")
            assert doc is not None
            assert (doc.total_expenditure, doc.total_score, doc.execution_rate) == (
                1059.01,
                None,
                None,
            )
            assert doc.ocr_pages is None  # unknown until read again
    finally:
        engine.dispose()
