"""The database engine: SQLite (embedded default, WAL) or PostgreSQL (psycopg 3).

Owns URL normalisation, connection pragmas and session factories. Knows nothing of the
tables' meaning. SQLite specifics, and why:

* WAL lets the API read while a worker writes; ``busy_timeout`` makes a writer wait for
  the lock instead of failing at once.
* pysqlite's own transaction handling is switched off and ``BEGIN`` is emitted here, so a
  *write* session can start with ``BEGIN IMMEDIATE``: a deferred transaction that reads
  and then writes fails with "database is locked" when another writer committed in
  between, whatever the timeout. Read sessions stay deferred and never block writers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from service.errors import ConfigError
from service.store.files import private_dirs

_IMMEDIATE = "jixiao_sqlite_immediate"


def normalize_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here (not psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    """An engine for ``url``. Raises ``ConfigError`` for a URL we cannot use."""
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with the URL in it
        raise ConfigError(f"invalid database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, parsed.database, echo=echo)
    if backend == "postgresql":
        return create_engine(
            url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
        )
    raise ConfigError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: str, database: str | None, *, echo: bool) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        private_dirs(path.parent)
        # SQLite gives its -wal and -shm files the database file's mode: owner-only throughout
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
    # connections to a local file are cheap: enough for every request thread and job
    # thread, so nothing ever waits for the pool
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=20,
        max_overflow=60,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def read_session(engine: Engine) -> Session:
    """A session for reading (and for writes that start by writing)."""
    return Session(engine, expire_on_commit=False)


def write_session(engine: Engine) -> Session:
    """A session whose transactions take the write lock up front on SQLite."""
    bind = engine.execution_options(**{_IMMEDIATE: True}) if is_sqlite(engine) else engine
    return Session(bind, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A write session committed on success, rolled back on error."""
    with write_session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
