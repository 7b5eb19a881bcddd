"""Users, teams, roles, "me", and the org's settings objects (brands, schedules, SLAs,
spam senders, satisfaction forms, shortcuts, outbound accounts, tags)."""

from __future__ import annotations

from typing import Any

from unified.sandbox.handlers.common import (
    apply_update,
    body_object,
    children,
    delete,
    get_many,
    handles,
    listing,
    live,
    require_ref,
    show,
    single,
    split_body,
)
from unified.sandbox.http import Ctx, KustomerError, Reply, bad_request, not_found
from unified.sandbox.paging import page_reply
from unified.sandbox.records import render

USER_TYPES = ("user", "machine", "limited", "hourly")

# ------------------------------------------------------------------------------ users


@handles("list_all_kustomer_users")
def list_users(ctx: Ctx) -> Reply:
    records = list(ctx.state.table("user"))
    filters = [k for k in ("pending", "deleted", "userType", "email") if k in ctx.query]
    if len(filters) > 1:
        raise bad_request("filter users by one of pending, deleted, userType or email at a time",
                          parameter=filters[1])
    deleted = ctx.bool_query("deleted") is True
    records = [r for r in records if bool(r.attributes.get("deleted")) == deleted]
    if ctx.bool_query("pending"):
        records = [r for r in records if r.attributes.get("pending")]
    if "userType" in ctx.query:
        records = [r for r in records if r.attributes.get("userType") == ctx.query["userType"]]
    if "email" in ctx.query:
        records = [r for r in records if str(r.attributes.get("email") or "").lower() == ctx.query["email"].lower()]
    return listing(ctx, records)


@handles("get_single_kustomer_user_by_id")
def get_user(ctx: Ctx) -> Reply:
    return get_many(ctx, "user", "user")


@handles("list_all_kustomer_me")
def me(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("user", ctx.state.machine_user_id, "user"))


@handles("create_a_kustomer_user")
def post_user(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    email = body.get("email")
    if any(str(r.attributes.get("email") or "").lower() == str(email).lower() for r in ctx.state.table("user")):
        raise KustomerError(409, f"a user with email {email} already exists", pointer="/email")
    if body.get("userType", "user") not in USER_TYPES:
        raise bad_request(f"userType must be one of {USER_TYPES}", pointer="/userType")
    attrs, _ = split_body(body, {})
    attrs.setdefault("userType", "user")
    attrs.setdefault("roles", ["org.admin", "org.user"])
    attrs.setdefault("roleGroups", [])
    attrs.setdefault("displayName", attrs.get("name"))
    attrs["pending"] = True  # invited until they accept
    return single(ctx, ctx.state.add("user", attrs))


@handles("update_a_kustomer_user_by_id")
def put_user(ctx: Ctx) -> Reply:
    record = ctx.state.require("user", ctx.params["id"], "user")
    body = body_object(ctx)
    if "userType" in body and body["userType"] not in USER_TYPES:
        raise bad_request(f"userType must be one of {USER_TYPES}", pointer="/userType")
    apply_update(ctx, record, {k: v for k, v in body.items() if k not in ("password", "currentPassword")})
    return single(ctx, record)


@handles("list_all_kustomer_auth_roles")
def auth_roles(ctx: Ctx) -> Reply:
    return page_reply(ctx, list(ctx.state.table("auth_role")), lambda r: {"type": "auth_role", "id": r.id})


# ------------------------------------------------------------------------------ teams


def _check_members(ctx: Ctx, body: dict[str, Any]) -> None:
    for i, member in enumerate(body.get("members") or []):
        require_ref(ctx, "user", member, f"/members/{i}")


@handles("list_all_kustomer_teams")
def list_teams(ctx: Ctx) -> Reply:
    return listing(ctx, live(ctx.state.table("team")))


@handles("get_single_kustomer_team_by_id")
def get_team(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("team", ctx.params["id"], "team"))


@handles("create_a_kustomer_team")
def post_team(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    _check_members(ctx, body)
    if any(r.attributes.get("name") == body.get("name") for r in live(ctx.state.table("team"))):
        raise KustomerError(409, f"a team named {body.get('name')} already exists", pointer="/name")
    attrs, _ = split_body(body, {})
    attrs.setdefault("members", [])
    attrs.setdefault("deleted", False)
    return single(ctx, ctx.state.add("team", attrs))


@handles("update_a_kustomer_team_by_id")
def put_team(ctx: Ctx) -> Reply:
    record = ctx.state.require("team", ctx.params["id"], "team")
    body = body_object(ctx)
    _check_members(ctx, body)
    apply_update(ctx, record, body)
    return single(ctx, record)


@handles("delete_a_kustomer_team_by_id")
def delete_team(ctx: Ctx) -> Reply:
    return delete(ctx, "team", "team")


# ------------------------------------------------------------------------------- tags


@handles("list_all_kustomer_tags")
def list_tags(ctx: Ctx) -> Reply:
    deleted = ctx.bool_query("deleted")
    records = [r for r in ctx.state.table("tag") if deleted is None or bool(r.attributes.get("deleted")) == deleted]
    return listing(ctx, records)


@handles("get_single_kustomer_tag_by_id")
def get_tag(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("tag", ctx.params["id"], "tag"))


# ------------------------------------------------------------------------ settings


def _crud(kind: str, label: str, *, list_name: str | None = None, get: str | None = None,
          create: str | None = None, update: str | None = None, remove: str | None = None,
          required: tuple[str, ...] = ()) -> None:
    if list_name:
        handles(list_name)(lambda ctx: listing(ctx, live(ctx.state.table(kind))))
    if get:
        handles(get)(lambda ctx: single(ctx, ctx.state.require(kind, ctx.params["id"], label)))
    if create:
        def _create(ctx: Ctx) -> Reply:
            body = body_object(ctx)
            for field in required:
                if body.get(field) in (None, ""):
                    raise bad_request(f"{field} is required", pointer=f"/{field}")
            attrs, _ = split_body(body, {})
            return single(ctx, ctx.state.add(kind, attrs))
        handles(create)(_create)
    if update:
        def _update(ctx: Ctx) -> Reply:
            record = ctx.state.require(kind, ctx.params["id"], label)
            apply_update(ctx, record, body_object(ctx))
            return single(ctx, record)
        handles(update)(_update)
    if remove:
        handles(remove)(lambda ctx: delete(ctx, kind, label))


_crud("brand", "brand", list_name="list_all_kustomer_brands", get="get_single_kustomer_brand_by_id",
      create="create_a_kustomer_brand", update="update_a_kustomer_brand_by_id", required=("name", "iconUrl"))
_crud("shortcut", "shortcut", list_name=None, get="get_single_kustomer_shortcut_by_id",
      create="create_a_kustomer_shortcut", update="update_a_kustomer_shortcut_by_id",
      remove="delete_a_kustomer_shortcut_by_id", required=("name",))
_crud("satisfaction", "satisfaction form", list_name="list_all_kustomer_satisfactions")
_crud("outbound_account", "outbound account", list_name="list_all_kustomer_outbound_accounts")


@handles("list_all_kustomer_shortcuts")
def list_shortcuts(ctx: Ctx) -> Reply:
    records = list(live(ctx.state.table("shortcut")))
    prefix = ctx.query.get("name")
    if prefix:
        records = [r for r in records if str(r.attributes.get("name", "")).startswith(prefix)]
    return listing(ctx, records)


@handles("kustomer_brands_default")
def default_brand(ctx: Ctx) -> Reply:
    for record in ctx.state.table("brand"):
        if record.attributes.get("default"):
            return single(ctx, record)
    raise not_found("brand", "default")


def _check_schedule(body: dict[str, Any]) -> None:
    hours = body.get("hours")
    if hours is None:
        return
    if not isinstance(hours, dict):
        raise bad_request("hours maps weekday 0-6 to [[startMinute, endMinute], ...]", pointer="/hours")
    for day, ranges in hours.items():
        if day not in {str(d) for d in range(7)}:
            raise bad_request("hours keys are weekdays 0 (Sunday) to 6", pointer=f"/hours/{day}")
        for i, span in enumerate(ranges or []):
            if (not isinstance(span, list) or len(span) != 2 or not all(isinstance(m, int) for m in span)
                    or not 0 <= span[0] < span[1] <= 1440):
                raise bad_request("each range is [startMinute, endMinute] within 0..1440", pointer=f"/hours/{day}/{i}")


def _schedule_reply(ctx: Ctx, record) -> Reply:
    reply = single(ctx, record)
    if ctx.query.get("include") == "holidays":
        reply.body["included"] = [render(h) for h in children(ctx, "holiday", "schedule", record.id)]
    return reply


@handles("list_all_kustomer_schedules")
def list_schedules(ctx: Ctx) -> Reply:
    return listing(ctx, live(ctx.state.table("schedule")))


@handles("get_single_kustomer_schedule_by_id")
def get_schedule(ctx: Ctx) -> Reply:
    return _schedule_reply(ctx, ctx.state.require("schedule", ctx.params["id"], "schedule"))


@handles("list_all_kustomer_default_schedules")
def default_schedule(ctx: Ctx) -> Reply:
    for record in ctx.state.table("schedule"):
        if record.attributes.get("default"):
            return _schedule_reply(ctx, record)
    raise not_found("schedule", "default")


@handles("create_a_kustomer_schedule")
def post_schedule(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    for field in ("name", "hours", "timezone", "default"):
        if field not in body:
            raise bad_request(f"{field} is required", pointer=f"/{field}")
    _check_schedule(body)
    if body.get("default"):
        for record in ctx.state.table("schedule"):
            record.attributes["default"] = False
    attrs, _ = split_body(body, {})
    return single(ctx, ctx.state.add("schedule", attrs))


@handles("update_a_kustomer_schedule_by_id")
def put_schedule(ctx: Ctx) -> Reply:
    record = ctx.state.require("schedule", ctx.params["id"], "schedule")
    body = body_object(ctx)
    _check_schedule(body)
    if body.get("default"):
        for other in ctx.state.table("schedule"):
            other.attributes["default"] = False
    apply_update(ctx, record, body)
    return single(ctx, record)


@handles("delete_a_kustomer_schedule_by_id")
def delete_schedule(ctx: Ctx) -> Reply:
    record = ctx.state.require("schedule", ctx.params["id"], "schedule")
    if record.attributes.get("default"):
        raise KustomerError(409, "the default schedule cannot be deleted")
    ctx.state.table("schedule").remove(record.id)
    return Reply(200, {"data": show(ctx, record)})


@handles("get_single_kustomer_sla_by_id")
def get_sla(ctx: Ctx) -> Reply:
    record = ctx.state.require("sla", ctx.params["id"], "sla")
    reply = single(ctx, record)
    versions = ctx.query.get("versions")
    if versions in ("all", "active"):
        found = children(ctx, "sla_version", "sla", record.id)
        if versions == "active":
            found = [v for v in found if v.attributes.get("version") == record.attributes.get("currentVersion")]
        reply.body["included"] = [render(v) for v in found]
    return reply


@handles("list_all_kustomer_spam_senders")
def list_spam(ctx: Ctx) -> Reply:
    return listing(ctx, ctx.state.table("sender"))


@handles("kustomer_spam_senders_upsert")
def upsert_spam(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    if body.get("list") not in ("whitelist", "blacklist"):
        raise bad_request("list must be whitelist or blacklist", pointer="/list")
    if not body.get("sender"):
        raise bad_request("sender is required", pointer="/sender")
    for record in ctx.state.table("sender"):
        if record.attributes.get("sender") == body["sender"] and record.attributes.get("channel") == body.get("channel", "email"):
            record.attributes["list"] = body["list"]
            ctx.state.touch(record)
            return single(ctx, record)
    return single(ctx, ctx.state.add("sender", {"channel": body.get("channel", "email"), "sender": body["sender"],
                                                "list": body["list"]}))


@handles("delete_a_kustomer_spam_sender_by_id")
def delete_spam(ctx: Ctx) -> Reply:
    return delete(ctx, "sender", "spam sender")
