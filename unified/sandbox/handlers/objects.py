"""Companies, klasses, custom objects (KObjects) and custom-attribute metadata."""

from __future__ import annotations

import re
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
    lookup,
    require_ref,
    single,
    split_body,
)
from unified.sandbox.http import Ctx, KustomerError, Reply, bad_request, not_found
from unified.sandbox.records import Record, parse_iso

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
KLASS_NAME = re.compile(r"^[0-9a-zA-Z_-]+$")


# ---------------------------------------------------------------------------- companies


def create_company(ctx: Ctx, body: dict[str, Any], pointer: str = "") -> Record:
    name = body.get("name")
    if not isinstance(name, str) or not 3 <= len(name) <= 255:
        raise bad_request("name must be 3 to 255 characters", pointer=f"{pointer}/name")
    attrs, _ = split_body(body, {})
    attrs["custom"] = ctx.state.check_custom(body.get("custom"), "company", f"{pointer}/custom")
    for key, default in (("domains", []), ("emails", []), ("phones", []), ("socials", []), ("urls", []),
                         ("locations", []), ("tags", []), ("rev", 1), ("deleted", False)):
        attrs.setdefault(key, default)
    return ctx.state.add("company", attrs)


@handles("list_all_kustomer_companies")
def list_companies(ctx: Ctx) -> Reply:
    records = list(live(ctx.state.table("company")))
    ext, name = ctx.query.get("externalId"), ctx.query.get("filter")
    if ext and name:
        pass  # Kustomer ignores both filters when both are given
    elif ext:
        records = [r for r in records if r.attributes.get("externalId") == ext]
    elif name:
        records = [r for r in records if name.lower() in str(r.attributes.get("name", "")).lower()]
    return listing(ctx, records)


@handles("get_single_kustomer_company_by_id")
def get_company(ctx: Ctx) -> Reply:
    return get_many(ctx, "company", "company")


@handles("create_a_kustomer_company")
def post_company(ctx: Ctx) -> Reply:
    return single(ctx, create_company(ctx, body_object(ctx)))


@handles("update_a_kustomer_company_by_id")
def put_company(ctx: Ctx) -> Reply:
    record = ctx.state.require("company", ctx.params["id"], "company")
    body = body_object(ctx)
    if "name" in body and (not isinstance(body["name"], str) or not 3 <= len(body["name"]) <= 255):
        raise bad_request("name must be 3 to 255 characters", pointer="/name")
    apply_update(ctx, record, body, custom_resource="company")
    return single(ctx, record)


@handles("list_all_kustomer_company_klasses")
def company_kobjects(ctx: Ctx) -> Reply:
    company = ctx.state.require("company", ctx.params["id"], "company")
    klass = _klass_by_name(ctx, ctx.params["name"])
    return listing(ctx, children(ctx, f"kobject.{klass.attributes['name']}", "company", company.id))


# ------------------------------------------------------------------------------ klasses


def _klass_by_name(ctx: Ctx, name: str) -> Record:
    for record in live(ctx.state.table("klass")):
        if record.attributes.get("name") == name:
            return record
    raise not_found("klass", name)


def choose_klass_route(ops: list, params: dict[str, str], body: Any):
    """``/v1/klasses/{x}``: an ObjectId is a klass, anything else a klass name (its objects)."""
    segment = next(iter(params.values()))
    wanted = "klasses" if OBJECT_ID.match(segment) else "custom_objects"
    return next((op for op in ops if op.resource == wanted), None)


@handles("list_all_kustomer_klasses")
def list_klasses(ctx: Ctx) -> Reply:
    records = list(live(ctx.state.table("klass")))
    status = ctx.query.get("status")
    if status == "existing_only":
        records = [r for r in records if r.attributes.get("status") in ("enabled", "disabled")]
    elif status:
        records = [r for r in records if r.attributes.get("status") == status]
    return listing(ctx, records)


@handles("get_single_kustomer_klass_by_id")
def get_klass(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("klass", ctx.params["id"], "klass"))


@handles("create_a_kustomer_klass")
def post_klass(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    name = body.get("name")
    if not isinstance(name, str) or not KLASS_NAME.match(name):
        raise bad_request("name must match ^[0-9a-zA-Z_-]+$", pointer="/name")
    if any(r.attributes.get("name") == name for r in live(ctx.state.table("klass"))):
        raise KustomerError(409, f"klass {name} already exists", pointer="/name")
    attrs, _ = split_body(body, {})
    attrs.setdefault("status", "enabled")
    attrs.setdefault("mixins", [])
    record = ctx.state.add("klass", attrs)
    ctx.state.add("metadata", {"properties": {}, "standardProperties": {}, "relationships": {}, "validations": {}},
                  ident=f"kobject.{name}")
    return single(ctx, record)


@handles("update_a_kustomer_klass_by_id")
def put_klass(ctx: Ctx) -> Reply:
    record = ctx.state.require("klass", ctx.params["id"], "klass")
    body = body_object(ctx)
    if "name" in body and body["name"] != record.attributes["name"]:
        raise bad_request("a klass cannot be renamed", pointer="/name")
    apply_update(ctx, record, body)
    return single(ctx, record)


@handles("delete_a_kustomer_klass_by_id")
def delete_klass(ctx: Ctx) -> Reply:
    return delete(ctx, "klass", "klass")


# ---------------------------------------------------------------------------- kobjects


def create_kobject(ctx: Ctx, klass: Record, body: dict[str, Any], *, customer: str | None = None,
                   pointer: str = "") -> Record:
    if not isinstance(body.get("title"), str) or not body["title"]:
        raise bad_request("title is required", pointer=f"{pointer}/title")
    if klass.attributes.get("status") == "disabled":
        raise bad_request(f"klass {klass.attributes['name']} is disabled", pointer=f"{pointer}/title")
    kind = f"kobject.{klass.attributes['name']}"
    customer = customer or body.get("customer")
    if customer is not None:
        require_ref(ctx, "customer", customer, f"{pointer}/customer")
    if body.get("company") is not None:
        require_ref(ctx, "company", body["company"], f"{pointer}/company")
    attrs, rels = split_body({k: v for k, v in body.items() if k != "customer"}, {"company": "company"})
    attrs["custom"] = ctx.state.check_custom(body.get("custom"), kind, f"{pointer}/custom")
    attrs.setdefault("rev", 1)
    attrs.setdefault("tags", [])
    rels["klass"] = {"type": "klass", "id": klass.id}
    if customer:
        rels["customer"] = {"type": "customer", "id": customer}
    return ctx.state.add(kind, attrs, rels, owner_customer=customer)


@handles("list_all_kustomer_custom_objects")
def list_kobjects(ctx: Ctx) -> Reply:
    klass = _klass_by_name(ctx, ctx.params["name"])
    records = list(live(ctx.state.table(f"kobject.{klass.attributes['name']}")))
    if ctx.query.get("fromDate"):
        try:
            since = parse_iso(ctx.query["fromDate"])
        except ValueError:
            raise bad_request("fromDate must be an ISO 8601 date-time", parameter="fromDate") from None
        records = [r for r in records if parse_iso(r.attributes["updatedAt"]) >= since]
    return listing(ctx, records)


def _kobject(ctx: Ctx) -> Record:
    klass = _klass_by_name(ctx, ctx.params["name"])
    return ctx.state.require(f"kobject.{klass.attributes['name']}", ctx.params["id"], "kobject")


@handles("get_single_kustomer_custom_object_by_id")
def get_kobject(ctx: Ctx) -> Reply:
    return single(ctx, _kobject(ctx))


@handles("create_a_kustomer_custom_object")
def post_kobject(ctx: Ctx) -> Reply:
    return single(ctx, create_kobject(ctx, _klass_by_name(ctx, ctx.params["name"]), body_object(ctx)))


@handles("update_a_kustomer_custom_object_by_id")
def put_kobject(ctx: Ctx) -> Reply:
    record = _kobject(ctx)
    apply_update(ctx, record, body_object(ctx), custom_resource=record.type, relationships={"company": "company"})
    return single(ctx, record)


@handles("delete_a_kustomer_custom_object_by_id")
def delete_kobject(ctx: Ctx) -> Reply:
    record = _kobject(ctx)
    ctx.state.table(record.type).remove(record.id)
    return Reply(204)


@handles("kustomer_custom_objects_using_external_id")
def kobject_by_external_id(ctx: Ctx) -> Reply:
    klass = _klass_by_name(ctx, ctx.params["name"])
    value = ctx.params["externalId"]
    return lookup(ctx, f"kobject.{klass.attributes['name']}", "kobject",
                  lambda r: r.attributes.get("externalId") == value, value)


@handles("list_all_kustomer_customer_klasses")
def customer_kobjects(ctx: Ctx) -> Reply:
    customer = ctx.state.require("customer", ctx.params["id"], "customer")
    klass = _klass_by_name(ctx, ctx.params["name"])
    return listing(ctx, children(ctx, f"kobject.{klass.attributes['name']}", "customer", customer.id))


@handles("create_a_kustomer_customer_klass")
def post_customer_kobject(ctx: Ctx) -> Reply:
    customer = ctx.state.require("customer", ctx.params["id"], "customer")
    klass = _klass_by_name(ctx, ctx.params["name"])
    return single(ctx, create_kobject(ctx, klass, body_object(ctx), customer=customer.id))


# ------------------------------------------------------------------------ metadata


METADATA_RESOURCES = re.compile(r"^(company|conversation|customer|message|kobject\.[0-9a-zA-Z_-]+)$")


def _metadata(ctx: Ctx) -> Record:
    resource = ctx.params["resource"]
    if not METADATA_RESOURCES.match(resource):
        raise bad_request("resource must be company, conversation, customer, message or kobject.<klass>",
                          parameter="resource")
    return ctx.state.require("metadata", resource, "metadata")


@handles("list_all_kustomer_custom_attributes")
def get_metadata(ctx: Ctx) -> Reply:
    return single(ctx, _metadata(ctx))


@handles("update_a_kustomer_custom_attribute_by_id")
def put_metadata(ctx: Ctx) -> Reply:
    record = _metadata(ctx)
    body = body_object(ctx)
    for section in ("properties", "standardProperties", "relationships", "validations"):
        value = body.get(section)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise bad_request(f"{section} must be an object", pointer=f"/{section}")
        if section == "properties":
            ctx.state.check_custom({k: None for k in value if not k.endswith("Id")}, record.id, "/properties")
        merged = dict(record.attributes.get(section) or {})
        for key, spec in value.items():
            merged[key] = {**merged.get(key, {}), **spec} if isinstance(spec, dict) else spec
        record.attributes[section] = merged
    ctx.state.touch(record)
    return single(ctx, record)
