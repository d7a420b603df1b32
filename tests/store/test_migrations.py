"""Migrations build exactly the tables the models declare; the start-up policy holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

import service.store.tables  # noqa: F401
from service.errors import ConfigError
from service.store.engine import make_engine
from service.store.migrate import alembic_config, current_revision, ensure_schema, head_revision
from tests.api.conftest import PG_URL, _postgres_schema_url


def test_one_head_and_a_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert [s.down_revision for s in script.walk_revisions()][-1] is None


def test_migrated_schema_equals_the_models(clean_database: str) -> None:
    engine = make_engine(clean_database)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    if PG_URL == "off":
        pytest.skip("PostgreSQL tests turned off by JIXIAO_TEST_POSTGRES_URL=off")
    schema = f"jx_empty_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(_postgres_schema_url(schema))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_refuses_an_out_of_date_schema_unless_told_to_migrate(empty_engine: Engine) -> None:
    with pytest.raises(ConfigError, match="jixiao db upgrade"):
        ensure_schema(empty_engine, auto_migrate=False)
    assert current_revision(empty_engine) is None
    assert ensure_schema(empty_engine, auto_migrate=True) == head_revision()
    assert ensure_schema(empty_engine, auto_migrate=False) == head_revision()  # now current


def test_refuses_a_schema_newer_than_the_code(empty_engine: Engine) -> None:
    ensure_schema(empty_engine, auto_migrate=True)
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(ConfigError, match="newer than this version"):
        ensure_schema(empty_engine, auto_migrate=True)


def test_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        with pytest.raises(ConfigError, match="cannot reach the database"):
            ensure_schema(engine, auto_migrate=True)
    finally:
        engine.dispose()
    with pytest.raises(ConfigError, match="unsupported database"):
        make_engine("mysql://x@y/z")
