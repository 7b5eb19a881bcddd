"""In-memory Kustomer records and their JSON:API rendering.

A record is what Kustomer stores: ``type``, ``id``, ``attributes`` and ``relationships``
(``name -> {"type", "id"}`` or a list of those). Rendering adds the relative ``/v1`` links
Kustomer puts on every resource and relationship.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Kustomer type -> collection path segment, for links.
COLLECTION_PATHS = {
    "customer": "customers",
    "conversation": "conversations",
    "message": "messages",
    "note": "notes",
    "company": "companies",
    "user": "users",
    "team": "teams",
    "tag": "tags",
    "org": "orgs",
    "brand": "brands",
    "schedule": "schedules",
    "holiday": "holidays",
    "sla": "slas",
    "klass": "klasses",
    "attachment": "attachments",
    "media": "media",
    "draft": "drafts",
    "forward": "forwards",
    "bulk": "bulk",
    "shortcut": "shortcuts",
    "satisfaction": "satisfaction",
    "sender": "spam/senders",
    "customer_merge": "customers/merges",
    "conversation_time": "conversations/times",
    "audit_log": "audit-logs",
    "customer_event": "events",
    "session": "sessions",
    "metadata": "metadata",
    "identity": "tracking/identity",
    "tracking_event": "tracking/event",
    "outbound_account": "outboundAccounts",
    "auth_role": "auth/roles",
}


def iso(moment: datetime) -> str:
    """Kustomer's timestamp format: UTC, milliseconds, trailing Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class IdFactory:
    """Deterministic 24-hex ObjectIds: 8 hex of a timestamp, then a counter.

    Ids sort in creation order, like Mongo's, which is what list endpoints sort by."""

    def __init__(self, epoch: int) -> None:
        self._epoch = epoch
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new(self) -> str:
        with self._lock:
            n = next(self._counter)
        return f"{(self._epoch + n) & 0xFFFFFFFF:08x}{n:016x}"


def rel(kind: str, ident: str | None) -> dict[str, str] | None:
    return {"type": kind, "id": ident} if ident else None


@dataclass
class Record:
    type: str
    id: str
    attributes: dict[str, Any]
    relationships: dict[str, Any] = field(default_factory=dict)
    owner_customer: str | None = None  # whose unmasking window governs masking

    def rel_id(self, name: str) -> str | None:
        value = self.relationships.get(name)
        return value["id"] if isinstance(value, dict) else None


def self_link(kind: str, ident: str) -> str:
    base = COLLECTION_PATHS.get(kind)
    if base is None and kind.startswith("kobject."):
        return f"/v1/klasses/{kind.split('.', 1)[1]}/{ident}"
    return f"/v1/{base or kind}/{ident}"


def render(record: Record, attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    """JSON:API resource object for ``record`` (``attributes`` overrides, e.g. masked)."""
    relationships: dict[str, Any] = {}
    for name, value in record.relationships.items():
        if value is None:
            continue
        if isinstance(value, list):
            relationships[name] = {"data": [dict(v) for v in value]}
        elif "links_only" in value:
            relationships[name] = {"links": {"self": value["links_only"]}}
        else:
            relationships[name] = {
                "links": {"self": self_link(value["type"], value["id"])},
                "data": {"type": value["type"], "id": value["id"]},
            }
    out: dict[str, Any] = {
        "type": record.type,
        "id": record.id,
        "attributes": attributes if attributes is not None else record.attributes,
    }
    if relationships:
        out["relationships"] = relationships
    out["links"] = {"self": self_link(record.type, record.id)}
    return out


class Table:
    """Records of one kind. Ids grow monotonically, so insertion order is id order."""

    def __init__(self) -> None:
        self._rows: dict[str, Record] = {}

    def add(self, record: Record) -> Record:
        self._rows[record.id] = record
        return record

    def get(self, ident: str) -> Record | None:
        return self._rows.get(ident)

    def remove(self, ident: str) -> Record | None:
        return self._rows.pop(ident, None)

    def __iter__(self) -> Iterator[Record]:
        return iter(list(self._rows.values()))

    def __len__(self) -> int:
        return len(self._rows)

    def find(self, **attrs: Any) -> Iterator[Record]:
        for record in self:
            if all(record.attributes.get(k) == v for k, v in attrs.items()):
                yield record
