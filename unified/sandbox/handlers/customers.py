"""Customers: CRUD, lookups, merges, sessions and events, unmasking windows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from unified.sandbox.handlers.common import (
    apply_update,
    body_object,
    children,
    get_many,
    handles,
    listing,
    live,
    lookup,
    require_ref,
    single,
    split_body,
)
from unified.sandbox.handlers.conversations import create_conversation
from unified.sandbox.http import Ctx, KustomerError, Reply, bad_request, not_found
from unified.sandbox.records import Record, iso, parse_iso

CUSTOMER_RELS = {"company": "company"}


def create_customer(ctx: Ctx, body: dict[str, Any], pointer: str = "") -> Record:
    state = ctx.state
    if body.get("company") is not None:
        require_ref(ctx, "company", body["company"], f"{pointer}/company")
    email = _first(body.get("emails"), "email")
    if email and _find_by_email(ctx, email):
        raise KustomerError(409, f"A customer with email {email} already exists", pointer=f"{pointer}/emails/0/email")
    ext = body.get("externalId")
    if ext and any(r.attributes.get("externalId") == ext for r in live(state.table("customer"))):
        raise KustomerError(409, f"A customer with externalId {ext} already exists", pointer=f"{pointer}/externalId")
    attrs, rels = split_body(body, CUSTOMER_RELS)
    attrs["custom"] = state.check_custom(body.get("custom"), "customer", f"{pointer}/custom")
    for key, default in (("emails", []), ("phones", []), ("socials", []), ("urls", []), ("locations", []),
                         ("tags", []), ("deleted", False), ("unmaskingWindow", None), ("rev", 1),
                         ("conversationCounts", {"all": 0, "open": 0, "snoozed": 0, "done": 0})):
        attrs.setdefault(key, default)
    attrs.setdefault("displayName", attrs.get("name"))
    record = state.add("customer", attrs, rels)
    record.relationships["messages"] = {"links_only": f"/v1/customers/{record.id}/messages"}
    return record


def _first(items: Any, key: str) -> str | None:
    if isinstance(items, list) and items and isinstance(items[0], dict):
        value = items[0].get(key)
        return value if isinstance(value, str) else None
    return None


def _find_by_email(ctx: Ctx, email: str) -> Record | None:
    wanted = email.lower()
    for record in live(ctx.state.table("customer")):
        for item in record.attributes.get("emails") or []:
            if isinstance(item, dict) and str(item.get("email", "")).lower() == wanted:
                return record
    return None


@handles("list_all_kustomer_customers")
def list_customers(ctx: Ctx) -> Reply:
    return listing(ctx, live(ctx.state.table("customer")), with_total=True)


@handles("get_single_kustomer_customer_by_id")
def get_customer(ctx: Ctx) -> Reply:
    return get_many(ctx, "customer", "customer")


@handles("create_a_kustomer_customer")
def post_customer(ctx: Ctx) -> Reply:
    return single(ctx, create_customer(ctx, body_object(ctx)))


@handles("update_a_kustomer_customer_by_id")
def put_customer(ctx: Ctx) -> Reply:
    record = ctx.state.require("customer", ctx.params["id"], "customer")
    apply_update(ctx, record, body_object(ctx), custom_resource="customer", relationships=CUSTOMER_RELS,
                 protected=("unmaskingWindow", "conversationCounts"))
    return single(ctx, record)


@handles("delete_a_kustomer_customer_by_id")
def delete_customer(ctx: Ctx) -> Reply:
    record = ctx.state.require("customer", ctx.params["id"], "customer")
    ctx.state.table("customer").remove(record.id)
    for kind in ("conversation", "message", "note"):
        table = ctx.state.table(kind)
        for child in list(table):
            if child.rel_id("customer") == record.id:
                table.remove(child.id)
    return Reply(204)


@handles("kustomer_customers_using_email")
def customer_by_email(ctx: Ctx) -> Reply:
    email = ctx.params["email"]
    found = _find_by_email(ctx, email)
    if found is None:
        raise KustomerError(404, f"No customer found for {email}")
    return single(ctx, found)


@handles("kustomer_customers_using_phone_number")
def customer_by_phone(ctx: Ctx) -> Reply:
    phone = ctx.params["phone"].replace(" ", "")
    return lookup(ctx, "customer", "customer",
                  lambda r: any(isinstance(p, dict) and p.get("phone") == phone for p in r.attributes.get("phones") or []),
                  phone)


@handles("kustomer_customers_using_external_id")
def customer_by_external_id(ctx: Ctx) -> Reply:
    value = ctx.params["externalId"]
    return lookup(ctx, "customer", "customer", lambda r: r.attributes.get("externalId") == value, value)


# ------------------------------------------------------------------ per-customer lists


def _customer(ctx: Ctx, param: str = "id") -> Record:
    return ctx.state.require("customer", ctx.params[param], "customer")


def _from_date(ctx: Ctx, records: list[Record]) -> list[Record]:
    raw = ctx.query.get("fromDate")
    if not raw:
        return records
    try:
        since = parse_iso(raw)
    except ValueError:
        raise bad_request("fromDate must be an ISO 8601 date-time", parameter="fromDate") from None
    return [r for r in records if parse_iso(r.attributes.get("updatedAt") or r.attributes["createdAt"]) >= since]


@handles("list_all_kustomer_customer_conversations")
def customer_conversations(ctx: Ctx) -> Reply:
    customer = _customer(ctx)
    return listing(ctx, _from_date(ctx, children(ctx, "conversation", "customer", customer.id)))


@handles("create_a_kustomer_customer_conversation")
def post_customer_conversation(ctx: Ctx) -> Reply:
    customer = _customer(ctx)
    body = body_object(ctx) if ctx.body is not None else {}
    return single(ctx, create_conversation(ctx, body, customer.id))


@handles("list_all_kustomer_customer_notes")
def customer_notes(ctx: Ctx) -> Reply:
    return listing(ctx, children(ctx, "note", "customer", _customer(ctx).id))


@handles("list_all_kustomer_customer_sessions")
def customer_sessions(ctx: Ctx) -> Reply:
    return listing(ctx, children(ctx, "session", "customer", _customer(ctx).id))


@handles("list_all_kustomer_customer_events")
def customer_session_events(ctx: Ctx) -> Reply:
    customer = _customer(ctx, "customerId")
    session = ctx.state.table("session").get(ctx.params["sessionId"])
    if session is None or session.rel_id("customer") != customer.id:
        raise not_found("session", ctx.params["sessionId"])
    return listing(ctx, children(ctx, "customer_event", "session", session.id))


@handles("get_single_kustomer_customer_event_by_id")
def customer_event(ctx: Ctx) -> Reply:
    customer = _customer(ctx, "customerId")
    event = ctx.state.table("customer_event").get(ctx.params["id"])
    if event is None or event.rel_id("customer") != customer.id:
        raise not_found("event", ctx.params["id"])
    return single(ctx, event)


# ---------------------------------------------------------------------------- merges


@handles("create_a_kustomer_customer_merge")
def merge_customers(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    source = ctx.state.require("customer", require_ref(ctx, "customer", body.get("source"), "/source"), "customer")
    target = ctx.state.require("customer", require_ref(ctx, "customer", body.get("target"), "/target"), "customer")
    if source.id == target.id:
        raise bad_request("source and target must be different customers", pointer="/target")
    for kind in ("conversation", "message", "note"):
        for child in ctx.state.table(kind):
            if child.rel_id("customer") == source.id:
                child.relationships["customer"] = {"type": "customer", "id": target.id}
                child.owner_customer = target.id
    source.attributes["deleted"] = True
    merge = ctx.state.add("customer_merge", {"status": "success"}, {
        "source": {"type": "customer", "id": source.id}, "target": {"type": "customer", "id": target.id}})
    return single(ctx, merge)


@handles("get_single_kustomer_customer_merge_by_id")
def get_merge(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("customer_merge", ctx.params["id"], "customer merge"))


@handles("list_all_kustomer_customer_merges")
def customer_merges(ctx: Ctx) -> Reply:
    ident = ctx.params["id"]
    if ctx.state.table("customer").get(ident) is None:
        raise not_found("customer", ident)
    merges = [m for m in ctx.state.table("customer_merge") if ident in (m.rel_id("source"), m.rel_id("target"))]
    return listing(ctx, merges)


# ----------------------------------------------------------------- unmasking windows


@handles("create_a_kustomer_customer_unmasking_window")
def open_unmasking_window(ctx: Ctx) -> Reply:
    customer = _customer(ctx)
    now = ctx.now
    end = now + timedelta(seconds=ctx.state.settings.unmasking_window_seconds)
    customer.attributes["unmaskingWindow"] = {
        "requestedBy": ctx.state.machine_user_id, "startDate": iso(now), "endDate": iso(end),
        "createdAt": iso(now), "updatedAt": iso(now),
    }
    return single(ctx, customer)


@handles("delete_a_kustomer_customer_unmasking_window_by_id")
def close_unmasking_window(ctx: Ctx) -> Reply:
    customer = _customer(ctx)
    customer.attributes["unmaskingWindow"] = None
    return Reply(204)
