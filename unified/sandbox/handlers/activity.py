"""Audit logs and tracking (events and identities)."""

from __future__ import annotations

import re

from unified.sandbox.handlers.common import body_object, handles, show, single, split_body
from unified.sandbox.http import Ctx, Reply, bad_request
from unified.sandbox.paging import cursor_reply

EVENT_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-_.]+$")


@handles("list_all_kustomer_audit_logs")
def audit_logs(ctx: Ctx) -> Reply:
    records = list(ctx.state.table("audit_log"))
    for key, attr in (("filter[objectType]", "objectType"), ("filter[objectId]", "objectId"),
                      ("filter[userId]", "userId")):
        if ctx.query.get(key):
            records = [r for r in records if r.attributes.get(attr) == ctx.query[key]]
    if ctx.query.get("filter[objectId]") and not ctx.query.get("filter[objectType]"):
        raise bad_request("filter[objectId] requires filter[objectType]", parameter="filter[objectId]")
    if ctx.query.get("filter[start]"):
        records = [r for r in records if r.attributes["createdAt"] >= ctx.query["filter[start]"]]
    if ctx.query.get("filter[end]"):
        records = [r for r in records if r.attributes["createdAt"] <= ctx.query["filter[end]"]]
    return cursor_reply(ctx, records, key=lambda r: r.id, render=lambda r: show(ctx, r))


def _identity(ctx: Ctx, body: dict) -> dict:
    attrs, _ = split_body(body, {})
    return attrs


@handles("create_a_kustomer_tracking_event")
def tracking_event(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    name = body.get("name")
    if not isinstance(name, str) or not EVENT_NAME.match(name) or len(name) > 255:
        raise bad_request("name must start with a letter and use letters, digits, - _ or .", pointer="/name")
    ctx.state.add("tracking_event", _identity(ctx, body))
    return Reply(204)


@handles("create_a_kustomer_tracking_identity")
def tracking_identity(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    if body.get("gender") not in (None, "m", "f"):
        raise bad_request("gender must be m or f", pointer="/gender")
    if body.get("custom") is not None:
        ctx.state.check_custom(body["custom"], "customer")
    return single(ctx, ctx.state.add("identity", _identity(ctx, body)))


@handles("create_a_kustomer_identity_event")
def identity_event(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    if not isinstance(body.get("identity"), dict):
        raise bad_request("identity is required", pointer="/identity")
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("name"), str) or not EVENT_NAME.match(event["name"]):
        raise bad_request("event.name is required", pointer="/event/name")
    identity = ctx.state.add("identity", _identity(ctx, body["identity"]))
    ctx.state.add("tracking_event", {**event, "identity": identity.id})
    return single(ctx, identity)
