"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zones and no JSONB; PostgreSQL sorts text by locale. These types hide
those differences so the rest of the store is one code path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

ID_LENGTH = 40


def id_type() -> TypeEngine[str]:
    """Record ids: byte-wise ("C") collation on PostgreSQL so they sort by creation time."""
    return String(ID_LENGTH).with_variant(String(ID_LENGTH, collation="C"), "postgresql")


def json_type() -> TypeEngine[Any]:
    """JSON text on SQLite, JSONB (indexable) on PostgreSQL."""
    return JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in, the same out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the store only accepts timezone-aware values")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, in UTC, at the microsecond precision both databases keep."""
    return datetime.now(UTC)
