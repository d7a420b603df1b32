"""Review workflow: review events (初审/复核/退回/审核意见), finding states, and the review
state and open findings of each document (kept by ``service.store.review``).

Existing sign-offs become ``approve`` events, so an approved document stays approved.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _str(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _time(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(_str("review_state", 16, nullable=True))
        batch.add_column(_int("open_findings", nullable=True))
    op.execute(
        "UPDATE documents SET review_state = CASE WHEN approved_at IS NULL "
        "THEN 'pending' ELSE 'approved' END, open_findings = 0"
    )
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("review_state", existing_type=sa.String(16), nullable=False)
        batch.alter_column("open_findings", existing_type=sa.Integer(), nullable=False)
    op.create_index("ix_documents_review_state", "documents", ["review_state"])

    op.create_table(
        "review_events",
        _int("id"),
        _str("document_id", 32, nullable=False),
        _str("action", 16, nullable=False),
        _int("extraction_id", nullable=True),
        _int("last_correction_id", nullable=True),
        _str("opinion", 4000),
        sa.Column("reasons", sa.JSON(), nullable=True),
        _str("override_reason", 2000),
        _int("open_errors"),
        _str("author", 255, nullable=False),
        _str("author_name", 255, nullable=False),
        _str("role", 16, nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_events_document_id", "review_events", ["document_id"])
    op.execute(
        "INSERT INTO review_events (document_id, action, extraction_id, last_correction_id, "
        "opinion, open_errors, author, author_name, role, created_at) "
        "SELECT document_id, 'approve', extraction_id, last_correction_id, note, 0, author, "
        "author, 'reviewer', created_at FROM approvals ORDER BY id"
    )

    op.create_table(
        "finding_events",
        _int("id"),
        _str("document_id", 32, nullable=False),
        _str("finding_key", 32, nullable=False),
        _str("state", 16, nullable=False),
        _str("comment", 2000),
        _int("correction_id", nullable=True),
        _int("extraction_id", nullable=True),
        sa.Column("auto", sa.Boolean(), nullable=False),
        _str("author", 255, nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_finding_events_document_id", "finding_events", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_finding_events_document_id", table_name="finding_events")
    op.drop_table("finding_events")
    op.drop_index("ix_review_events_document_id", table_name="review_events")
    op.drop_table("review_events")
    op.drop_index("ix_documents_review_state", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("open_findings")
        batch.drop_column("review_state")
