"""Column types shared by the tables and the migrations.

``UTCDateTime`` stores aware UTC datetimes and always returns them aware: SQLite keeps no
time zone, so without it a value read back would compare wrongly with ``utcnow()``.
``JSONType`` is plain JSON on every database; not JSONB on PostgreSQL, because JSONB
reorders object keys and an export read back should look as it was written (the summary
columns on ``documents`` carry what listing and filtering need).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite stores text; drop the zone so values sort and compare as plain strings
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON()
