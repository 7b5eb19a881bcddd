"""Hand-written Python mappings: the baseline the mapping engine is measured against.

One small function per unified list resource, ``fn(record, bindings) -> dict | None``, written
as a programmer would write the mapping without JSONata. Each returns exactly what the engine
answers for that record (``map_record`` with ``remote_data``): every field of the unified
schema, ``None`` where the mapping leaves a field out. ``bench_mapping.py`` checks that on real
records and prints a warning when a function and its mapping disagree.

``bindings`` is what the engine binds for a response mapping: ``query``, ``body``, ``id``,
``context`` and ``lookups`` (the method's lookup tables).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

TICKET_STATUS = {"open": "open", "snoozed": "pending", "done": "closed"}
TICKET_PRIORITY = {"1": "lowest", "2": "low", "3": "medium", "4": "high", "5": "urgent"}
FIELD_TYPES = (("Num", "number"), ("At", "datetime"), ("Str", "string"), ("Txt", "text"), ("Bool", "boolean"),
               ("Url", "string"))
_SPACES = re.compile(r"[ \t\n\r]+")


# --------------------------------------------------------------------------- small helpers


def _items(value: Any) -> list[Any]:
    """A JSONata path step over a value: nothing, a singleton, or the array's items."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _rel(record: dict[str, Any], name: str) -> Any:
    rel = (record.get("relationships") or {}).get(name)
    data = rel.get("data") if isinstance(rel, dict) else None
    return data.get("id") if isinstance(data, dict) else None


def _string(value: Any) -> str:
    """JSONata ``$string`` for the scalars vendor records carry."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _etag(attrs: dict[str, Any]) -> str | None:
    return _string(attrs["rev"]) if "rev" in attrs else None


def _ref(ident: Any, name: Any = None) -> dict[str, Any]:
    return {"id": ident, "name": name}


def _query_eq(bindings: dict[str, Any], name: str) -> Any:
    return ((bindings.get("query") or {}).get(name) or {}).get("eq")


# --------------------------------------------------------------------------- ticketing


def tickets(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    a = record.get("attributes") or {}
    tag_names = bindings["lookups"]["tags"]
    status = a.get("status")
    priority = _string(a["priority"]) if "priority" in a else None
    teams = _items(a.get("assignedTeams"))
    customer = _rel(record, "customer")
    creator = _rel(record, "createdBy")
    return {
        "id": record["id"],
        "name": a.get("name"),
        "number": None,
        "description": a.get("preview"),
        "status": {"id": status, "name": TICKET_STATUS.get(status)},
        "priority": _ref(priority, TICKET_PRIORITY.get(priority)) if priority is not None else None,
        "assignees": [_ref(u) for u in _items(a.get("assignedUsers"))],
        "team": _ref(teams[0]) if teams else None,
        "contact": {"id": customer, "name": None, "first_name": None, "last_name": None, "emails": None,
                    "phones": None} if customer else None,
        "account": None,
        "created_by": {"id": creator, "name": None, "type": "user"} if creator else None,
        "tags": [_ref(t, tag_names.get(t)) for t in _items(a.get("tags"))],
        "ticket_type": None,
        "due_date": None,
        "completed_at": a.get("updatedAt") if status == "done" else None,
        "ticket_url": None,
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": _etag(a),
        "custom_fields": a.get("custom"),
        "remote_data": record,
    }


def comments(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    a = record.get("attributes") or {}
    note = record.get("type") == "note"
    if note or a.get("direction") == "out":
        creator = _rel(record, "createdBy")
        author = {"id": creator, "name": None, "type": "system" if a.get("auto") is True else "user"} \
            if creator else None
    else:
        customer = _rel(record, "customer")
        author = {"id": customer, "name": None, "type": "contact"} if customer else None
    conversation = _rel(record, "conversation")
    attachments = []
    for item in _items(a.get("attachments")):
        ident = item if isinstance(item, str) else (item["_id"] if "_id" in item else item.get("id"))
        attachments.append(_ref(ident))
    return {
        "id": record["id"],
        "ticket": _ref(conversation) if conversation else None,
        "body": a.get("body") if note else a.get("preview"),
        "html_body": None,
        "author": author,
        "is_private": note,
        "is_internal": note,
        "attachments": attachments,
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": _etag(a),
        "custom_fields": None if note else a.get("custom"),
        "remote_data": record,
    }


def _masked(value: Any) -> Any:
    return value.get("maskedPresentation") if isinstance(value, dict) else value


def contacts(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    a = record.get("attributes") or {}
    raw_name = a.get("name")
    name = _SPACES.sub(" ", raw_name).strip(" ") if isinstance(raw_name, str) else ""
    first, _, last = name.partition(" ")
    if "firstName" in a:
        first_name = a["firstName"]
    else:
        first_name = first if name else None
    if "lastName" in a:
        last_name = a["lastName"]
    else:
        last_name = last if " " in name else None
    company = _rel(record, "company")
    if company:
        account = _ref(company)
    elif isinstance(a.get("company"), str):
        account = _ref(a["company"])
    else:
        account = None
    return {
        "id": record["id"],
        "name": raw_name,
        "first_name": first_name,
        "last_name": last_name,
        "emails": [{"email": _masked(e.get("email")), "type": e.get("type")} for e in _items(a.get("emails"))],
        "phones": [{"number": _masked(p.get("phone")), "type": p.get("type"), "extension": None}
                   for p in _items(a.get("phones"))],
        "details": None,
        "account": account,
        "is_active": a.get("deleted") is not True,
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": _etag(a),
        "custom_fields": a.get("custom"),
        "remote_data": record,
    }


def accounts(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any] | None:
    a = record.get("attributes") or {}
    wanted = _query_eq(bindings, "name")
    if wanted is not None and str(a.get("name", "")).lower() != str(wanted).lower():
        return None
    domains = []
    for d in _items(a.get("domains")):
        value = d if isinstance(d, str) else d.get("domain")
        if value is not None:
            domains.append(value)
    return {
        "id": record["id"],
        "name": a.get("name"),
        "domains": domains,
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": _etag(a),
        "custom_fields": a.get("custom"),
        "remote_data": record,
    }


def _team_ids(uid: str, user_teams: dict[str, Any]) -> list[str]:
    return list(user_teams.get(uid) or [])


def users(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    a = record.get("attributes") or {}
    email = a.get("email")
    return {
        "id": record["id"],
        "name": a.get("name"),
        "first_name": None,
        "last_name": None,
        "username": a.get("displayName"),
        "emails": [{"email": email, "type": None}] if isinstance(email, str) else [],
        "is_active": a.get("deleted") is not True,
        "team_ids": _team_ids(record["id"], bindings["lookups"]["user_teams"]),
        "avatar": a.get("avatarUrl"),
        "roles": [_ref(r, r) for r in _items(a.get("roles"))],
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": _etag(a),
        "remote_data": record,
    }


def teams(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    a = record.get("attributes") or {}
    return {
        "id": record["id"],
        "name": a.get("name"),
        "description": None,
        "users": [_ref(m) for m in _items(a.get("members"))],
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": None,
        "remote_data": record,
    }


def tags(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    a = record.get("attributes") or {}
    return {
        "id": record["id"],
        "name": a.get("name"),
        "color": a.get("color"),
        "status": "inactive" if a.get("deleted") is True else "active",
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": None,
        "remote_data": record,
    }


def attachments(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    a = record.get("attributes") or {}
    creator = _rel(record, "createdBy")
    return {
        "id": record["id"],
        "file_name": a.get("name"),
        "ticket_id": _rel(record, "conversation"),
        "comment_id": _rel(record, "message"),
        "size": a.get("contentLength"),
        "file_url": (record.get("links") or {}).get("related"),
        "content_type": a.get("contentType"),
        "uploaded_by": creator,
        "uploaded_by_type": "user" if creator is not None else None,
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": None,
        "remote_data": record,
    }


def fields(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    name = record.get("name")
    kind = next((t for suffix, t in FIELD_TYPES if name.endswith(suffix) and len(name) > len(suffix)),
                record.get("type"))
    is_url = name.endswith("Url") and len(name) > 3
    return {
        "id": name,
        "name": name,
        "label": record.get("displayName"),
        "description": None,
        "type": kind,
        "format": "url" if is_url else None,
        "options": [{"label": _string(v), "value": v, "description": None, "is_hidden": None}
                    for v in _items(record["enumeration"])] if "enumeration" in record else None,
        "is_user_defined": True,
        "is_required": None,
        "is_hidden": None,
        "entity_type": _query_eq(bindings, "entity_type"),
        "created_at": record.get("createdAt"),
        "updated_at": record.get("updatedAt"),
        "etag": None,
        "remote_data": record,
    }


TICKET_STATUSES = [
    {"id": "open", "name": "open", "description": "Needs attention; counts toward queues and SLAs."},
    {"id": "snoozed", "name": "pending", "description": "Parked until a time or a customer reply."},
    {"id": "done", "name": "closed", "description": "Resolved; a new inbound message reopens it."},
]
TICKET_PRIORITIES = [{"id": str(n), "name": TICKET_PRIORITY[str(n)]} for n in range(1, 6)]


def _static(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": i["id"], "name": i["name"], "description": i.get("description"), "etag": None,
             "remote_data": dict(i)} for i in items]


def ticket_status_page() -> list[dict[str, Any]]:
    return _static(TICKET_STATUSES)


def ticket_priorities_page() -> list[dict[str, Any]]:
    return _static(TICKET_PRIORITIES)


# --------------------------------------------------------------------------- user directory


def directory_users(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any] | None:
    a = record.get("attributes") or {}
    status = "inactive" if a.get("deleted") is True else "invited" if a.get("pending") is True else "active"
    wanted = _query_eq(bindings, "status")
    if wanted and wanted != status:
        return None
    email, mobile = a.get("email"), a.get("mobile")
    return {
        "id": record["id"],
        "name": a.get("name"),
        "first_name": None,
        "last_name": None,
        "username": a.get("displayName"),
        "title": None,
        "emails": [{"email": email, "type": None, "is_primary": True}] if isinstance(email, str) else [],
        "phones": [{"number": mobile, "type": "mobile", "extension": None}] if isinstance(mobile, str) else [],
        "status": status,
        "is_email_verified": isinstance(a.get("emailVerifiedAt"), str),
        "roles": [_ref(r, r) for r in _items(a.get("roles"))],
        "groups": [_ref(t) for t in _team_ids(record["id"], bindings["lookups"]["user_teams"])],
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "remote_data": record,
    }


def roles(record: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    ident = record["id"]
    return {
        "id": ident,
        "name": ident,
        "label": None,
        "description": None,
        "type": "permission" if ".permission." in ident else "role",
        "created_at": None,
        "updated_at": None,
        "remote_data": record,
    }


RecordMapper = Callable[[dict[str, Any], dict[str, Any]], "dict[str, Any] | None"]

# (api, resource) -> per-record function
RECORD_MAPPERS: dict[tuple[str, str], RecordMapper] = {
    ("ticketing", "tickets"): tickets,
    ("ticketing", "comments"): comments,
    ("ticketing", "contacts"): contacts,
    ("ticketing", "accounts"): accounts,
    ("ticketing", "users"): users,
    ("ticketing", "teams"): teams,
    ("ticketing", "tags"): tags,
    ("ticketing", "attachments"): attachments,
    ("ticketing", "fields"): fields,
    ("user-directory", "users"): directory_users,
    ("user-directory", "roles"): roles,
}

# (api, resource) -> whole static list
STATIC_PAGES: dict[tuple[str, str], Callable[[], list[dict[str, Any]]]] = {
    ("ticketing", "ticket_status"): ticket_status_page,
    ("ticketing", "ticket_priorities"): ticket_priorities_page,
}
