"""Schema migrations, run from code (there is no alembic.ini).

Policy, chosen so a fresh clone "just starts" and production stays in control:

* ``db.auto_migrate = true`` (default): ``ensure_schema`` upgrades the database to the
  newest revision when the app starts. Concurrent starters are serialised (PostgreSQL
  advisory lock; SQLite's write lock), so two processes never migrate at once.
* ``db.auto_migrate = false``: the app refuses to start on an out-of-date schema with one
  line naming the command that upgrades it: ``jixiao db upgrade``.
* A database *newer* than this code (a revision it does not know) is always refused.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from service.errors import ConfigError
from service.store.engine import is_sqlite, write_session

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x6A69786961  # "jixia": any constant shared by every process of the service


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:  # pragma: no cover - guarded by tests/store/test_migrations.py
        raise ConfigError(f"migrations have {len(heads)} heads; merge them")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return heads[0] if heads else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade to ``revision`` in one transaction, holding the migration lock."""
    cfg = alembic_config()
    with write_session(engine) as session:
        conn = session.connection()
        if not is_sqlite(engine):
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        session.commit()


def ensure_schema(engine: Engine, *, auto_migrate: bool) -> str:
    """Make sure the schema is current (or refuse clearly). Returns the revision."""
    head = head_revision()
    try:
        current = current_revision(engine)
    except Exception as exc:  # unreachable server, bad credentials, missing database
        raise ConfigError(f"cannot reach the database: {_first_line(exc)}") from None
    if current == head:
        return head
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current is not None and current not in known:
        raise ConfigError(
            f"the database schema ({current}) is newer than this version of jixiao ({head}); "
            "upgrade jixiao"
        )
    if not auto_migrate:
        raise ConfigError(
            f"the database schema is out of date ({current or 'empty'} -> {head}); "
            "run `jixiao db upgrade` or set JIXIAO_DB__AUTO_MIGRATE=true"
        )
    upgrade(engine)
    return head


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
