"""Users: people who log into the UI with a password (argon2 hash), with a display name
and a role; disabled rather than deleted.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _str(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False)


def _int(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False)


def _time(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        _int("id"),
        _str("login", 64),
        _str("display_name", 64),
        _str("role", 16),
        _str("password_hash", 255),
        sa.Column("active", sa.Boolean(), nullable=False),
        _int("session_epoch"),
        _int("failed_logins"),
        _time("locked_until"),
        _time("created_at", nullable=False),
        _time("last_login_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("display_name"),
    )
    op.create_index("ix_users_login", "users", ["login"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_login", table_name="users")
    op.drop_table("users")
