"""``POST /v1/customers/search``: Kustomer's query language over every object kind.

Criteria are ``{"<context>_<attribute>": {"<operator>": value}}`` inside ``and``/``or``
lists (nestable), plus ``not``. Operators: equals, not_equals, contains, gt, gte, lt, lte,
in, exists. Dates may be ``YYYY-MM-DD`` (read in ``timeZone``) or full timestamps."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from unified.sandbox.handlers.common import body_object, handles, show
from unified.sandbox.http import Ctx, Reply, bad_request
from unified.sandbox.paging import page_reply
from unified.sandbox.records import Record, parse_iso

MAX_PAGES = 100
ARCHIVE_AGE = timedelta(days=730)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# "<context>_<name>" -> how to read it, where snake_case -> camelCase is not enough.
_SPECIAL: dict[str, Callable[[Record], Any]] = {
    "id": lambda r: r.id,
    "created_at": lambda r: r.attributes.get("createdAt"),
    "updated_at": lambda r: r.attributes.get("updatedAt"),
    "modified_at": lambda r: r.attributes.get("modifiedAt"),
    "customer_id": lambda r: r.rel_id("customer"),
    "conversation_id": lambda r: r.rel_id("conversation"),
    "company_id": lambda r: r.rel_id("company"),
    "email": lambda r: [e.get("email") for e in r.attributes.get("emails") or [] if isinstance(e, dict)],
    "phone": lambda r: [p.get("phone") for p in r.attributes.get("phones") or [] if isinstance(p, dict)],
    "body": lambda r: r.attributes.get("preview", r.attributes.get("body")),
    "externalId": lambda r: r.attributes.get("externalId"),
    "external_id": lambda r: r.attributes.get("externalId"),
}


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _kind(query_context: str) -> str:
    if query_context.startswith("kobject_"):
        return "kobject." + query_context[len("kobject_"):]
    return query_context


def _reader(attribute: str, query_context: str) -> Callable[[Record], Any]:
    prefix = query_context + "_"
    if query_context.startswith("kobject_") and attribute.startswith("kobject_"):
        prefix = "kobject_"
    if not attribute.startswith(prefix):
        raise bad_request(f"attribute {attribute!r} does not belong to queryContext {query_context!r}",
                          pointer="/and")
    name = attribute[len(prefix):]
    if name.startswith("custom_"):
        field = name[len("custom_"):]
        if query_context.startswith("kobject_"):
            field = field.split("_", 1)[-1] if "_" in field and not field.endswith(("Str", "Num")) else field
        return lambda r: (r.attributes.get("custom") or {}).get(field)
    if name in _SPECIAL:
        return _SPECIAL[name]
    attr = _camel(name)
    return lambda r: r.attributes.get(attr)


def _as_time(value: Any, zone: ZoneInfo, end_of_day: bool) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        if _DATE_ONLY.match(value):
            day = datetime.fromisoformat(value).date()
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=zone)
        return parse_iso(value)
    except ValueError:
        return None


def _compare(actual: Any, op: str, expected: Any, zone: ZoneInfo) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    if op == "exists":
        present = any(v not in (None, "", []) for v in values)
        return present if expected else not present
    if op == "equals":
        return any(v == expected or (isinstance(v, str) and isinstance(expected, str) and v.lower() == expected.lower())
                   for v in values)
    if op == "not_equals":
        return not _compare(actual, "equals", expected, zone)
    if op == "in":
        if not isinstance(expected, list):
            raise bad_request("the in operator takes a list", pointer="/and")
        return any(_compare(actual, "equals", e, zone) for e in expected)
    if op == "contains":
        return any(isinstance(v, str) and str(expected).lower() in v.lower() for v in values)
    for value in values:
        if value is None:
            continue
        left, right = value, expected
        if isinstance(expected, str):
            left = _as_time(value, zone, False)
            right = _as_time(expected, zone, op in ("lte", "gt"))
            if left is None or right is None:
                left, right = str(value), expected
        elif not isinstance(value, (int, float)):
            continue
        if (op == "gt" and left > right) or (op == "gte" and left >= right) or \
           (op == "lt" and left < right) or (op == "lte" and left <= right):
            return True
    return False


OPERATORS = {"equals", "not_equals", "contains", "gt", "gte", "lt", "lte", "in", "exists"}


def _predicate(criteria: Any, mode: str, context: str, zone: ZoneInfo, pointer: str) -> Callable[[Record], bool]:
    items = criteria if isinstance(criteria, list) else [criteria]
    if len(items) > 20:
        raise bad_request("at most 20 criteria per list", pointer=pointer)
    checks: list[Callable[[Record], bool]] = []
    for i, item in enumerate(items):
        where = f"{pointer}/{i}"
        if not isinstance(item, dict) or len(item) != 1:
            raise bad_request("each criterion is an object with one attribute", pointer=where)
        (attribute, condition), = item.items()
        if attribute in ("and", "or"):
            checks.append(_predicate(condition, attribute, context, zone, f"{where}/{attribute}"))
            continue
        if not isinstance(condition, dict) or len(condition) != 1:
            raise bad_request(f"{attribute} needs one operator, e.g. {{\"equals\": ...}}", pointer=where)
        (op, expected), = condition.items()
        if op not in OPERATORS:
            raise bad_request(f"unknown operator {op!r}; use one of {sorted(OPERATORS)}", pointer=f"{where}/{attribute}")
        read = _reader(attribute, context)
        checks.append(lambda r, read=read, op=op, expected=expected: _compare(read(r), op, expected, zone))
    if mode == "and":
        return lambda r: all(check(r) for check in checks)
    return lambda r: any(check(r) for check in checks) if checks else True


def _sort_keys(sort: Any, context: str) -> list[tuple[Callable[[Record], Any], bool]]:
    entries = sort if isinstance(sort, list) else [sort] if sort else []
    if len(entries) > 5:
        raise bad_request("at most 5 sort entries", pointer="/sort")
    keys = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise bad_request("each sort entry is {attribute: asc|desc}", pointer=f"/sort/{i}")
        (attribute, direction), = entry.items()
        if direction not in ("asc", "desc"):
            raise bad_request("sort direction must be asc or desc", pointer=f"/sort/{i}")
        keys.append((_reader(attribute, context), direction == "desc"))
    return keys


def _sort_value(value: Any) -> tuple[bool, Any]:
    """Missing values last; strings ignore case, as string equality in search does."""
    if value is None:
        return True, ""
    return False, value.casefold() if isinstance(value, str) else value


def run_search(ctx: Ctx, *, archive: bool) -> Reply:
    ctx.state.limiter.search()
    body = body_object(ctx)
    context = body.get("queryContext")
    if context is None and ctx.op.resource == "search_conversations":
        context = "conversation"
    if not isinstance(context, str) or not re.match(
            r"^(company|customer|message|conversation|conversation_time|note|kobject|kobject_.*|work_session|work_item)$",
            context):
        raise bad_request("queryContext must name an object kind such as customer or conversation",
                          pointer="/queryContext")
    try:
        zone = ZoneInfo(body.get("timeZone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request("unknown timeZone", pointer="/timeZone") from None
    checks = []
    if body.get("and"):
        checks.append(_predicate(body["and"], "and", context, zone, "/and"))
    if body.get("or"):
        checks.append(_predicate(body["or"], "or", context, zone, "/or"))
    if body.get("not"):
        inner = _predicate(body["not"], "or", context, zone, "/not")
        checks.append(lambda r: not inner(r))
    cutoff = ctx.now - ARCHIVE_AGE
    include_deleted = body.get("includeDeleted") is True
    records = []
    for record in ctx.state.table(_kind(context)):
        if record.attributes.get("deleted") is True and not include_deleted:
            continue
        stamp = record.attributes.get("updatedAt") or record.attributes.get("createdAt")
        old = stamp is not None and parse_iso(stamp) < cutoff
        if old != archive:
            continue
        if all(check(record) for check in checks):
            records.append(record)
    for read, descending in reversed(_sort_keys(body.get("sort"), context)):
        records.sort(key=lambda r: _sort_value(read(r)), reverse=descending)
    ids_only = ctx.bool_query("idsOnly") is True
    render = (lambda r: {"type": r.type, "id": r.id}) if ids_only else (lambda r: show(ctx, r))
    reply = page_reply(ctx, records, render, with_total=True, max_pages=MAX_PAGES)
    reply.body["meta"]["aggregations"] = {}
    return reply


@handles("kustomer_search_customers_search", "list_all_kustomer_search_conversations")
def search(ctx: Ctx) -> Reply:
    return run_search(ctx, archive=False)


@handles("kustomer_search_customers_search_archive_customers")
def archive_search(ctx: Ctx) -> Reply:
    return run_search(ctx, archive=True)
