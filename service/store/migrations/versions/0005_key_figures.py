"""Key figures on documents for the work queue: 支出合计, 自评总分 and 预算执行率 of the
current view, and the number of pages read by OCR (a scan), so the list sorts by them.

Existing documents take their figures from their latest extraction (corrections made
before this revision are picked up at their next correction or reading); ``ocr_pages``
stays unknown until a document is read again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIGURES = {
    "total_expenditure": ("budget", "total_expenditure"),
    "total_score": ("report", "total_score"),
    "execution_rate": ("budget", "execution_rate"),
}


def _number(export: dict[str, Any], group: str, name: str) -> float | None:
    node = (export.get(group) or {}).get(name)
    value = node.get("value") if isinstance(node, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        for name in _FIGURES:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
        batch.add_column(sa.Column("ocr_pages", sa.Integer(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT d.id, e.export FROM documents d JOIN extractions e "
            "ON e.id = d.latest_extraction_id"
        )
    ).all()
    for doc_id, export in rows:
        if isinstance(export, str):
            export = json.loads(export)
        if not isinstance(export, dict):
            continue
        values = {k: _number(export, *where) for k, where in _FIGURES.items()}
        bind.execute(
            sa.text(
                "UPDATE documents SET total_expenditure = :total_expenditure, "
                "total_score = :total_score, execution_rate = :execution_rate WHERE id = :id"
            ),
            {**values, "id": doc_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("ocr_pages")
        for name in reversed(list(_FIGURES)):
            batch.drop_column(name)
