"""Messages and notes, org-wide and per conversation or customer, plus redaction."""

from __future__ import annotations

from typing import Any

from unified.sandbox.handlers.common import (
    apply_update,
    body_object,
    children,
    delete,
    handles,
    listing,
    live,
    lookup,
    require_ref,
    single,
    split_body,
)
from unified.sandbox.handlers.conversations import attachment_view, create_conversation
from unified.sandbox.http import Ctx, Reply, bad_request, not_found
from unified.sandbox.records import Record

MESSAGE_RELS = {"conversation": "conversation", "customer": "customer"}


def create_message(ctx: Ctx, body: dict[str, Any], *, conversation: str | None = None,
                   customer: str | None = None, pointer: str = "") -> Record:
    state = ctx.state
    conversation = conversation or body.get("conversation")
    customer = customer or body.get("customer")
    if conversation is not None:
        convo = state.require("conversation", require_ref(ctx, "conversation", conversation, f"{pointer}/conversation"))
        customer = convo.rel_id("customer")
    elif customer is not None:
        require_ref(ctx, "customer", customer, f"{pointer}/customer")
        # Kustomer opens a conversation for a message sent to a bare customer
        convo = create_conversation(ctx, {"channels": [body.get("channel")]}, customer, rate_limited=False)
    else:
        raise bad_request("a message needs a conversation or a customer", pointer=f"{pointer}/conversation")
    if "importedAt" not in body:
        state.limiter.customer_create(customer, "messages")
    for field in ("channel", "app"):
        if not body.get(field):
            raise bad_request(f"{field} is required", pointer=f"{pointer}/{field}")
    attrs, _ = split_body(body, MESSAGE_RELS)
    attrs["custom"] = state.check_custom(body.get("custom"), "message", f"{pointer}/custom")
    attrs.setdefault("direction", "in")
    attrs.setdefault("status", "received" if attrs["direction"] == "in" else "sent")
    attrs.setdefault("redacted", False)
    attrs.setdefault("rev", 1)
    attrs.setdefault("sentAt", None)
    record = state.add("message", attrs, {
        "conversation": {"type": "conversation", "id": convo.id},
        "customer": {"type": "customer", "id": customer},
    }, owner_customer=customer)
    if record.attributes["sentAt"] is None:
        record.attributes["sentAt"] = record.attributes["createdAt"]
    convo.attributes["messageCount"] = convo.attributes.get("messageCount", 0) + 1
    channel = attrs["channel"]
    if channel not in convo.attributes.setdefault("channels", []):
        convo.attributes["channels"].append(channel)
    state.touch(convo)
    return record


def create_note(ctx: Ctx, body: dict[str, Any], *, conversation: str | None = None, pointer: str = "") -> Record:
    state = ctx.state
    conversation = conversation or body.get("conversation")
    if conversation is None:
        raise bad_request("a note needs a conversation", pointer=f"{pointer}/conversation")
    convo = state.require("conversation", require_ref(ctx, "conversation", conversation, f"{pointer}/conversation"))
    customer = convo.rel_id("customer")
    state.limiter.customer_create(customer, "notes")
    mentions = []
    for i, mention in enumerate(body.get("userMentions") or []):
        if isinstance(mention, dict) and mention.get("user"):
            mentions.append({"type": "user", "id": require_ref(ctx, "user", mention["user"], f"{pointer}/userMentions/{i}/user")})
        elif isinstance(mention, dict) and mention.get("team"):
            mentions.append({"type": "team", "id": require_ref(ctx, "team", mention["team"], f"{pointer}/userMentions/{i}/team")})
    attrs, _ = split_body({k: v for k, v in body.items() if k != "userMentions"}, {"conversation": "conversation"})
    attrs.setdefault("deleted", False)
    attrs.setdefault("rev", 1)
    record = state.add("note", attrs, {
        "conversation": {"type": "conversation", "id": convo.id},
        "customer": {"type": "customer", "id": customer},
        "userMentions": mentions,
    }, owner_customer=customer)
    convo.attributes["noteCount"] = convo.attributes.get("noteCount", 0) + 1
    return record


def _sorted(ctx: Ctx, records: list[Record]) -> list[Record]:
    return list(reversed(records)) if ctx.query.get("sort") == "desc" else records


# ---------------------------------------------------------------------------- messages


@handles("list_all_kustomer_messages")
def list_messages(ctx: Ctx) -> Reply:
    return listing(ctx, _sorted(ctx, list(live(ctx.state.table("message")))))


@handles("get_single_kustomer_message_by_id")
def get_message(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("message", ctx.params["id"], "message"))


@handles("create_a_kustomer_message")
def post_message(ctx: Ctx) -> Reply:
    return single(ctx, create_message(ctx, body_object(ctx)))


@handles("update_a_kustomer_message_by_id")
def put_message(ctx: Ctx) -> Reply:
    record = ctx.state.require("message", ctx.params["id"], "message")
    apply_update(ctx, record, body_object(ctx), custom_resource="message", protected=("redacted",))
    return single(ctx, record)


@handles("kustomer_messages_message_using_external_id")
def message_by_external_id(ctx: Ctx) -> Reply:
    value = ctx.params["externalId"]
    return lookup(ctx, "message", "message", lambda r: r.attributes.get("externalId") == value, value)


@handles("kustomer_messages_redact")
def redact_message(ctx: Ctx) -> Reply:
    record = ctx.state.require("message", ctx.params["id"], "message")
    body = body_object(ctx)
    if not any(k in body for k in ("preview", "attachments", "meta")):
        raise bad_request("name at least one of preview, attachments or meta to redact", pointer="")
    if "preview" in body:
        record.attributes["preview"] = body["preview"]
    if "meta" in body:
        record.attributes["meta"] = body["meta"]
    for i, ident in enumerate(body.get("attachments") or []):
        attachment = ctx.state.table("attachment").get(ident)
        if attachment is None or attachment.rel_id("message") != record.id:
            raise bad_request(f"attachment {ident} is not on this message", pointer=f"/attachments/{i}")
        attachment.attributes["redacted"] = True
    record.attributes["redacted"] = True
    ctx.state.touch(record)
    return single(ctx, record)


@handles("get_single_kustomer_message_attachment_by_id")
def message_attachment(ctx: Ctx) -> Reply:
    message = ctx.state.require("message", ctx.params["message_id"], "message")
    attachment = ctx.state.table("attachment").get(ctx.params["id"])
    if attachment is None or attachment.rel_id("message") != message.id:
        raise not_found("attachment", ctx.params["id"])
    return Reply(200, {"data": attachment_view(ctx, attachment)})


@handles("list_all_kustomer_conversation_messages")
def conversation_messages(ctx: Ctx) -> Reply:
    convo = ctx.state.require("conversation", ctx.params["id"], "conversation")
    return listing(ctx, children(ctx, "message", "conversation", convo.id))


@handles("create_a_kustomer_conversation_message")
def post_conversation_message(ctx: Ctx) -> Reply:
    ctx.state.require("conversation", ctx.params["id"], "conversation")
    return single(ctx, create_message(ctx, body_object(ctx), conversation=ctx.params["id"]))


@handles("list_all_kustomer_customer_messages")
def customer_messages(ctx: Ctx) -> Reply:
    customer = ctx.state.require("customer", ctx.params["id"], "customer")
    return listing(ctx, children(ctx, "message", "customer", customer.id))


@handles("create_a_kustomer_customer_message")
def post_customer_message(ctx: Ctx) -> Reply:
    customer = ctx.state.require("customer", ctx.params["id"], "customer")
    body = body_object(ctx)
    if body.get("conversation"):
        convo = ctx.state.require("conversation", require_ref(ctx, "conversation", body["conversation"], "/conversation"))
        if convo.rel_id("customer") != customer.id:
            raise bad_request("the conversation belongs to another customer", pointer="/conversation")
        return single(ctx, create_message(ctx, body, conversation=convo.id))
    return single(ctx, create_message(ctx, body, customer=customer.id))


# ------------------------------------------------------------------------------- notes


@handles("list_all_kustomer_notes")
def list_notes(ctx: Ctx) -> Reply:
    return listing(ctx, _sorted(ctx, list(live(ctx.state.table("note")))))


@handles("get_single_kustomer_note_by_id")
def get_note(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("note", ctx.params["id"], "note"))


@handles("create_a_kustomer_note")
def post_note(ctx: Ctx) -> Reply:
    return single(ctx, create_note(ctx, body_object(ctx)))


@handles("update_a_kustomer_note_by_id", "kustomer_notes_update_note_attributes")
def put_note(ctx: Ctx) -> Reply:
    record = ctx.state.require("note", ctx.params["id"], "note")
    body = body_object(ctx)
    if body.get("conversation") and body["conversation"] != record.rel_id("conversation"):
        raise bad_request("a note cannot move to another conversation", pointer="/conversation")
    apply_update(ctx, record, {k: v for k, v in body.items() if k not in ("conversation", "userMentions")})
    return single(ctx, record)


@handles("delete_a_kustomer_note_by_id")
def delete_note(ctx: Ctx) -> Reply:
    return delete(ctx, "note", "note")


@handles("list_all_kustomer_conversation_notes")
def conversation_notes(ctx: Ctx) -> Reply:
    convo = ctx.state.require("conversation", ctx.params["id"], "conversation")
    return listing(ctx, children(ctx, "note", "conversation", convo.id))


@handles("create_a_kustomer_conversation_note")
def post_conversation_note(ctx: Ctx) -> Reply:
    ctx.state.require("conversation", ctx.params["id"], "conversation")
    return single(ctx, create_note(ctx, body_object(ctx), conversation=ctx.params["id"]))
