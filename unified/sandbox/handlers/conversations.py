"""Conversations and their sub-resources: tags, events, times, forwards, attachments."""

from __future__ import annotations

from typing import Any

from unified.sandbox.handlers.common import (
    apply_update,
    body_array,
    body_object,
    children,
    delete,
    get_many,
    handles,
    listing,
    live,
    lookup,
    require_ref,
    show,
    single,
    split_body,
)
from unified.sandbox.http import Ctx, Reply, bad_request
from unified.sandbox.paging import page_reply
from unified.sandbox.records import Record

CONVERSATION_RELS = {"customer": "customer", "brand": "brand", "subStatus": "sub_status"}


def check_conversation_refs(ctx: Ctx, body: dict[str, Any]) -> None:
    for field, kind in (("assignedUsers", "user"), ("assignedTeams", "team"), ("tags", "tag")):
        for i, ident in enumerate(body.get(field) or []):
            require_ref(ctx, kind, ident, f"/{field}/{i}")


def create_conversation(ctx: Ctx, body: dict[str, Any], customer_id: str, *, pointer: str = "/customer",
                        rate_limited: bool = True) -> Record:
    state = ctx.state
    customer = require_ref(ctx, "customer", customer_id, pointer)
    check_conversation_refs(ctx, body)
    if rate_limited and "importedAt" not in body:
        ctx.state.limiter.customer_create(customer, "conversations")
    attrs, rels = split_body({k: v for k, v in body.items() if k != "customer"}, {"brand": "brand"})
    attrs["custom"] = state.check_custom(body.get("custom"), "conversation")
    attrs.setdefault("status", "open")
    attrs.setdefault("priority", 3)  # Kustomer's default is undocumented; its examples use 3
    attrs.setdefault("direction", "in")
    for key, default in (("name", ""), ("channels", []), ("tags", []), ("assignedUsers", []),
                         ("assignedTeams", []), ("messageCount", 0), ("noteCount", 0),
                         ("outboundMessageCount", 0), ("deleted", False), ("ended", False), ("rev", 1)):
        attrs.setdefault(key, default)
    rels["customer"] = {"type": "customer", "id": customer}
    record = state.add("conversation", attrs, rels, owner_customer=customer)
    record.relationships["messages"] = {"links_only": f"/v1/conversations/{record.id}/messages"}
    counts = state.table("customer").get(customer).attributes.setdefault("conversationCounts", {})
    counts["all"] = counts.get("all", 0) + 1
    counts[attrs["status"]] = counts.get(attrs["status"], 0) + 1
    return record


@handles("list_all_kustomer_conversations")
def list_conversations(ctx: Ctx) -> Reply:
    return listing(ctx, live(ctx.state.table("conversation")), reverse=ctx.query.get("sort") == "desc")


@handles("get_single_kustomer_conversation_by_id")
def get_conversation(ctx: Ctx) -> Reply:
    return get_many(ctx, "conversation", "conversation")


@handles("create_a_kustomer_conversation")
def post_conversation(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    return single(ctx, create_conversation(ctx, body, body.get("customer")))


@handles("update_a_kustomer_conversation_by_id")
def put_conversation(ctx: Ctx) -> Reply:
    record = ctx.state.require("conversation", ctx.params["id"], "conversation")
    body = body_object(ctx)
    check_conversation_refs(ctx, body)
    if body.get("status") == "snoozed" and not (body.get("snooze") or record.attributes.get("snooze")):
        raise bad_request("a snoozed conversation needs a snooze object with a time", pointer="/snooze")
    apply_update(ctx, record, body, custom_resource="conversation", relationships=CONVERSATION_RELS)
    if body.get("status") == "done":
        record.attributes["ended"] = True
    return single(ctx, record)


@handles("delete_a_kustomer_conversation_by_id")
def delete_conversation(ctx: Ctx) -> Reply:
    return delete(ctx, "conversation", "conversation")


@handles("kustomer_conversations_using_external_id")
def conversation_by_external_id(ctx: Ctx) -> Reply:
    value = ctx.params["externalId"]
    return lookup(ctx, "conversation", "conversation", lambda r: r.attributes.get("externalId") == value, value)


# ------------------------------------------------------------------------------------- tags


def _tag_ids(ctx: Ctx, names: list[Any], *, create: bool) -> list[str]:
    state = ctx.state
    ids = []
    by_name = {r.attributes["name"]: r for r in live(state.table("tag"))}
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise bad_request("tag names must be non-empty strings", pointer=f"/{i}")
        found = by_name.get(name)
        if found is None and create:
            found = by_name[name] = state.add("tag", {"name": name, "color": None, "deleted": False})
        if found is not None:
            ids.append(found.id)
    return ids


@handles("create_a_kustomer_conversation_tag")
def append_tags(ctx: Ctx) -> Reply:
    record = ctx.state.require("conversation", ctx.params["id"], "conversation")
    ids = _tag_ids(ctx, body_array(ctx), create=True)
    tags = record.attributes.setdefault("tags", [])
    tags.extend(i for i in ids if i not in tags)
    ctx.state.touch(record)
    return single(ctx, record)


@handles("delete_a_kustomer_conversation_tag_by_id")
def remove_tags(ctx: Ctx) -> Reply:
    record = ctx.state.require("conversation", ctx.params["id"], "conversation")
    ids = set(_tag_ids(ctx, body_array(ctx), create=False))
    record.attributes["tags"] = [t for t in record.attributes.get("tags", []) if t not in ids]
    ctx.state.touch(record)
    return single(ctx, record)


# ----------------------------------------------------------------------- sub-resources


@handles("list_all_kustomer_conversation_events")
def conversation_events(ctx: Ctx) -> Reply:
    convo = ctx.state.require("conversation", ctx.params["id"], "conversation")
    events = children(ctx, "customer_event", "conversation", convo.id)
    if ctx.query.get("name"):
        events = [e for e in events if e.attributes.get("name") == ctx.query["name"]]
    return listing(ctx, events, reverse=ctx.query.get("sort") == "desc")


@handles("list_all_kustomer_conversation_times")
def conversation_times(ctx: Ctx) -> Reply:
    convo = ctx.state.require("conversation", ctx.params["id"], "conversation")
    return listing(ctx, children(ctx, "conversation_time", "conversation", convo.id))


@handles("get_single_kustomer_conversation_time_by_id")
def conversation_time(ctx: Ctx) -> Reply:
    return get_many(ctx, "conversation_time", "conversation time", param="ids")


@handles("list_all_kustomer_conversation_attachments")
def conversation_attachments(ctx: Ctx) -> Reply:
    convo = ctx.state.require("conversation", ctx.params["id"], "conversation")
    items = children(ctx, "attachment", "conversation", convo.id)
    return page_reply(ctx, items, lambda r: attachment_view(ctx, r))


def attachment_view(ctx: Ctx, record: Record) -> dict[str, Any]:
    """Attachments carry a pre-signed absolute download link, valid for 600 s."""
    out = show(ctx, record)
    out["links"]["related"] = f"{ctx.origin}/files/attachments/{record.id}?X-Amz-Expires=600&X-Amz-Signature=sandbox"
    return out


@handles("kustomer_conversation_attachments_download")
def download_marker(ctx: Ctx) -> Reply:  # pragma: no cover - served by FILE_ROUTE, never routed here
    raise bad_request("download attachments from their links.related URL")


@handles("list_all_kustomer_conversation_forwards")
def conversation_forwards(ctx: Ctx) -> Reply:
    convo = ctx.state.require("conversation", ctx.params["id"], "conversation")
    return listing(ctx, children(ctx, "forward", "conversation", convo.id))


@handles("create_a_kustomer_conversation_forward")
def create_forward(ctx: Ctx) -> Reply:
    convo = ctx.state.require("conversation", ctx.params["id"], "conversation")
    body = body_object(ctx)
    attrs, _ = split_body(body, {})
    attrs.setdefault("status", "sent" if not body.get("sendAt") else "draft")
    attrs.setdefault("attachments", [])
    record = ctx.state.add("forward", attrs, {
        "conversation": {"type": "conversation", "id": convo.id},
        "customer": convo.relationships.get("customer"),
    }, owner_customer=convo.owner_customer)
    return single(ctx, record)
