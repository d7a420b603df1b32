"""Alembic environment, run programmatically by ``service.store.migrate``.

The caller passes an open connection in ``config.attributes["connection"]``; there is no
alembic.ini. SQLite gets batch mode so later ALTERs work there too.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import service.store.tables  # noqa: F401  (registers the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # pragma: no cover - always given by service.store.migrate
        raise RuntimeError("run migrations through service.store.migrate")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
