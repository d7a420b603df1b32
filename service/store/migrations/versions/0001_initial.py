"""Initial tables: documents, jobs, extractions, corrections, approvals, api_keys, eval_runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _json(name: str) -> sa.Column:
    return sa.Column(name, sa.JSON(), nullable=True)


def _index(table: str, *columns: str, unique: bool = False, name: str | None = None) -> None:
    op.create_index(name or f"ix_{table}_{columns[0]}", table, list(columns), unique=unique)


def upgrade() -> None:
    op.create_table(
        "documents",
        _str("id", 32, nullable=False),
        _str("sha256", 64, nullable=False),
        _str("filename", 255),
        _str("format", 16, nullable=False),
        _str("media_type", 127, nullable=False),
        _int("size"),
        _int("page_count", nullable=True),
        _str("status", 16, nullable=False),
        _json("error"),
        _str("department", 255),
        _int("fiscal_year", nullable=True),
        _int("findings_count"),
        _str("extraction_status", 16),
        _int("latest_extraction_id", nullable=True),
        _int("extraction_version"),
        _time("approved_at"),
        _str("approved_by", 255),
        _str("uploaded_by", 255),
        _time("created_at", nullable=False),
        _time("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("documents", "sha256", unique=True)
    for column in ("status", "department", "fiscal_year", "created_at"):
        _index("documents", column)

    op.create_table(
        "jobs",
        _int("id"),
        _str("document_id", 32, nullable=False),
        _str("kind", 32, nullable=False),
        _str("status", 16, nullable=False),
        _json("options"),
        _int("attempts"),
        _int("max_attempts"),
        _time("available_at", nullable=False),
        _time("lease_until"),
        _time("heartbeat_at"),
        _str("worker_id", 255),
        _json("error"),
        _time("created_at", nullable=False),
        _time("started_at"),
        _time("finished_at"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("jobs", "document_id")
    _index("jobs", "status", "available_at", name="ix_jobs_status_available_at")

    op.create_table(
        "extractions",
        _int("id"),
        _str("document_id", 32, nullable=False),
        _int("version"),
        _int("job_id", nullable=True),
        _str("status", 16, nullable=False),
        _str("extractor", 64),
        _str("model", 255),
        _str("prompt_version", 64),
        _int("llm_calls"),
        _int("llm_tokens"),
        _json("llm_usage"),
        _json("export"),
        _json("errors"),
        _json("notes"),
        _json("timings"),
        _json("correction_report"),
        _time("created_at", nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "version"),
    )
    _index("extractions", "document_id")

    op.create_table(
        "corrections",
        _int("id"),
        _str("document_id", 32, nullable=False),
        _int("extraction_id", nullable=True),
        _str("op", 16, nullable=False),
        _str("path", 512, nullable=False),
        _json("old_value"),
        _json("new_value"),
        _str("reason", 2000),
        _str("author", 255, nullable=False),
        _time("created_at", nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["extraction_id"], ["extractions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("corrections", "document_id")

    op.create_table(
        "approvals",
        _int("id"),
        _str("document_id", 32, nullable=False),
        _int("extraction_id", nullable=True),
        _int("last_correction_id", nullable=True),
        _str("note", 2000),
        _str("author", 255, nullable=False),
        _time("created_at", nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["extraction_id"], ["extractions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("approvals", "document_id")

    op.create_table(
        "api_keys",
        _int("id"),
        _str("name", 255, nullable=False),
        _str("role", 16, nullable=False),
        _str("prefix", 16, nullable=False),
        _str("key_hash", 64, nullable=False),
        _time("created_at", nullable=False),
        _time("last_used_at"),
        _time("revoked_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("api_keys", "key_hash", unique=True)

    op.create_table(
        "eval_runs",
        _int("id"),
        _time("created_at", nullable=False),
        _str("extractor", 64, nullable=False),
        _str("dataset", 255, nullable=False),
        _str("code_version", 64),
        _int("n_documents"),
        _json("metrics"),
        _str("report_path", 1024),
        _str("notes", 2000),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("eval_runs", "created_at")


def downgrade() -> None:
    for table in ("eval_runs", "api_keys", "approvals", "corrections", "extractions", "jobs"):
        op.drop_table(table)
    op.drop_table("documents")
