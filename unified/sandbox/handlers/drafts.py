"""Drafts per channel, their attachments, and draft forwards.

Every channel's draft tool posts to the same ``/v1/customers/{id}/drafts``; the ``channel``
field picks the rules (body length, required app or meta) Kustomer applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unified.sandbox.handlers.common import (
    apply_update,
    body_object,
    children,
    handles,
    listing,
    require_ref,
    single,
    split_body,
)
from unified.sandbox.http import Ctx, KustomerError, Reply, bad_request, not_found
from unified.sandbox.records import Record


@dataclass(frozen=True)
class ChannelRule:
    max_body: int
    apps: tuple[str, ...] = ()
    app_required: bool = False
    body_required: bool = False


DRAFT_RULES = {
    "email": ChannelRule(10240, ("gmail", "postmark")),
    "sms": ChannelRule(1600, ("twilio", "zipwhip")),
    "whatsapp": ChannelRule(1600, ("twilio_whatsapp", "messagebird", "whatsapp"), app_required=True),
    "chat": ChannelRule(1024),
    "facebook": ChannelRule(2000),
    "twitter-tweet": ChannelRule(280),
    "twitter-dm": ChannelRule(10000),
    "note": ChannelRule(10240),
    "instagram": ChannelRule(1000),
}


def check_draft(body: dict[str, Any], channel: str) -> None:
    rule = DRAFT_RULES.get(channel)
    if rule is None:
        raise bad_request(f"unsupported draft channel {channel!r}; use one of {sorted(DRAFT_RULES)}",
                          pointer="/channel")
    text = body.get("body")
    if text is not None and (not isinstance(text, str) or len(text) > rule.max_body):
        raise bad_request(f"{channel} draft body must be a string of at most {rule.max_body} characters",
                          pointer="/body")
    app = body.get("app")
    if rule.app_required and not app:
        raise bad_request(f"{channel} drafts need an app ({', '.join(rule.apps)})", pointer="/app")
    if app is not None and rule.apps and app not in rule.apps:
        raise bad_request(f"app must be one of {list(rule.apps)} for {channel} drafts", pointer="/app")
    if channel == "whatsapp":
        interactive = isinstance(body.get("meta"), dict) and (
            "interactive" in body["meta"] or "template" in body["meta"])
        if interactive and app != "whatsapp":
            raise bad_request("interactive and template WhatsApp drafts use app 'whatsapp'", pointer="/app")
        if not interactive and not text:
            raise bad_request("a basic WhatsApp draft needs a body", pointer="/body")


@handles(
    "create_a_kustomer_email_draft", "create_a_kustomer_customer_chat_draft",
    "create_a_kustomer_customer_facebook_draft", "create_a_kustomer_customer_instagram_draft",
    "create_a_kustomer_customer_note_draft", "create_a_kustomer_customer_sms_draft",
    "create_a_kustomer_customer_twitter_dm_draft", "create_a_kustomer_customer_twitter_tweet_draft",
    "create_a_kustomer_customer_whatsapp_basic_draft", "create_a_kustomer_customer_whatsapp_interactive_draft",
)
def create_draft(ctx: Ctx) -> Reply:
    state = ctx.state
    customer = state.require("customer", ctx.params["id"], "customer")
    body = body_object(ctx)
    channel = body.get("channel")
    check_draft(body, channel)
    conversation = body.get("conversation")
    if conversation is not None:
        convo = state.require("conversation", require_ref(ctx, "conversation", conversation, "/conversation"))
        if convo.rel_id("customer") != customer.id:
            raise bad_request("the conversation belongs to another customer", pointer="/conversation")
        if channel == "note" and any(d.attributes.get("channel") == "note" and d.rel_id("conversation") == convo.id
                                     for d in state.table("draft")):
            raise KustomerError(409, "this conversation already has a note draft", pointer="/conversation")
    state.limiter.customer_create(customer.id, "drafts")
    attrs, rels = split_body(body, {"conversation": "conversation"})
    attrs["status"] = "scheduled" if body.get("sendAt") else "draft"
    attrs.setdefault("attachments", [])
    rels["customer"] = {"type": "customer", "id": customer.id}
    return single(ctx, state.add("draft", attrs, rels, owner_customer=customer.id))


@handles(
    "update_a_kustomer_email_draft_by_id", "update_a_kustomer_customer_chat_draft_by_id",
    "update_a_kustomer_customer_facebook_draft_by_id", "update_a_kustomer_customer_instagram_draft_by_id",
    "update_a_kustomer_customer_note_draft_by_id", "update_a_kustomer_customer_sms_draft_by_id",
    "update_a_kustomer_customer_twitter_dm_draft_by_id", "update_a_kustomer_customer_twitter_tweet_draft_by_id",
    "update_a_kustomer_customer_whatsapp_basic_draft_by_id",
)
def update_draft(ctx: Ctx) -> Reply:
    record = ctx.state.require("draft", ctx.params["id"], "draft")
    body = body_object(ctx)
    channel = body.get("channel", record.attributes.get("channel"))
    if channel != record.attributes.get("channel"):
        raise bad_request("a draft's channel cannot change", pointer="/channel")
    merged = {**record.attributes, **body}
    check_draft(merged, channel)
    if "sendAt" in body:  # set: schedule; empty: unschedule; absent: leave the status alone
        record.attributes["status"] = "scheduled" if body["sendAt"] else "draft"
    apply_update(ctx, record, {k: v for k, v in body.items() if k not in ("status", "conversation")})
    return single(ctx, record)


@handles("delete_a_kustomer_draft_by_id")
def delete_draft(ctx: Ctx) -> Reply:
    record = ctx.state.table("draft").remove(ctx.params["id"])
    if record is None:
        raise not_found("draft", ctx.params["id"])
    return Reply(204)


@handles("list_all_kustomer_customer_drafts")
def customer_drafts(ctx: Ctx) -> Reply:
    customer = ctx.state.require("customer", ctx.params["id"], "customer")
    return listing(ctx, children(ctx, "draft", "customer", customer.id))


# ------------------------------------------------------------------- file attachments


def _parent(ctx: Ctx, kind: str) -> Record:
    return ctx.state.require(kind, ctx.params["id"], kind)


def _attachments_of(ctx: Ctx, kind: str, parent: Record) -> list[Record]:
    return children(ctx, "attachment", kind, parent.id)


def _add_attachment(ctx: Ctx, kind: str) -> Reply:
    parent = _parent(ctx, kind)
    body = body_object(ctx)
    attrs, _ = split_body(body, {})
    attrs.update({"redacted": False, "uploaded": False})
    record = ctx.state.add("attachment", attrs, {kind: {"type": kind, "id": parent.id}},
                           owner_customer=parent.owner_customer)
    parent.attributes.setdefault("attachments", []).append(record.id)
    reply = single(ctx, record)
    reply.body["meta"] = {"upload": {"url": f"{ctx.origin}/files/uploads/{record.id}",
                                     "fields": {"key": f"attachments/{record.id}", "Content-Type": attrs.get("contentType")}}}
    return reply


def _get_attachment(ctx: Ctx, kind: str) -> Reply:
    parent = _parent(ctx, kind)
    record = ctx.state.table("attachment").get(ctx.params["attachmentId"])
    if record is None or record.rel_id(kind) != parent.id:
        raise not_found("attachment", ctx.params["attachmentId"])
    return single(ctx, record)


def _delete_attachment(ctx: Ctx, kind: str) -> Reply:
    parent = _parent(ctx, kind)
    record = ctx.state.table("attachment").get(ctx.params["attachmentId"])
    if record is None or record.rel_id(kind) != parent.id:
        raise not_found("attachment", ctx.params["attachmentId"])
    ctx.state.table("attachment").remove(record.id)
    parent.attributes["attachments"] = [a for a in parent.attributes.get("attachments", []) if a != record.id]
    return Reply(204)


@handles("list_all_kustomer_draft_attachments")
def draft_attachments(ctx: Ctx) -> Reply:
    return listing(ctx, _attachments_of(ctx, "draft", _parent(ctx, "draft")))


@handles("create_a_kustomer_draft_attachment")
def add_draft_attachment(ctx: Ctx) -> Reply:
    return _add_attachment(ctx, "draft")


@handles("get_single_kustomer_draft_attachment_by_id")
def get_draft_attachment(ctx: Ctx) -> Reply:
    return _get_attachment(ctx, "draft")


@handles("delete_a_kustomer_draft_attachment_by_id")
def delete_draft_attachment(ctx: Ctx) -> Reply:
    return _delete_attachment(ctx, "draft")


@handles("list_all_kustomer_forward_attachments")
def forward_attachments(ctx: Ctx) -> Reply:
    return listing(ctx, _attachments_of(ctx, "forward", _parent(ctx, "forward")))


@handles("create_a_kustomer_forward_attachment")
def add_forward_attachment(ctx: Ctx) -> Reply:
    return _add_attachment(ctx, "forward")


@handles("get_single_kustomer_forward_attachment_by_id")
def get_forward_attachment(ctx: Ctx) -> Reply:
    return _get_attachment(ctx, "forward")


@handles("delete_a_kustomer_forward_attachment_by_id")
def delete_forward_attachment(ctx: Ctx) -> Reply:
    return _delete_attachment(ctx, "forward")


# ------------------------------------------------------------------------ forwards


@handles("get_single_kustomer_draft_forward_by_id")
def get_forward(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("forward", ctx.params["id"], "forward"))


@handles("update_a_kustomer_draft_forward_by_id")
def update_forward(ctx: Ctx) -> Reply:
    record = ctx.state.require("forward", ctx.params["id"], "forward")
    if record.attributes.get("status") == "sent":
        raise KustomerError(409, "a sent forward can no longer be changed")
    apply_update(ctx, record, body_object(ctx))
    return single(ctx, record)


