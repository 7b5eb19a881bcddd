"""Bulk jobs: array bodies applied item by item, reported as a ``bulk`` resource.

Kustomer runs bulk jobs asynchronously; the sandbox finishes them before answering, so a
job is already ``complete`` when created. Items fail one by one (the job records which)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from unified.sandbox.handlers.common import apply_update, body_array, handles, single
from unified.sandbox.handlers.conversations import create_conversation
from unified.sandbox.handlers.customers import create_customer
from unified.sandbox.handlers.messages import create_message, create_note
from unified.sandbox.handlers.objects import _klass_by_name, create_company, create_kobject
from unified.sandbox.http import Ctx, KustomerError, Reply, bad_request, not_found
from unified.sandbox.paging import page_reply
from unified.sandbox.records import Record

MAX_ITEMS = 100
BATCH_SIZE = 25


def _job(ctx: Ctx, kind: str, verb: str, items: list[Any], apply: Callable[[int, Any], Record | None]) -> Reply:
    if len(items) > MAX_ITEMS:
        raise bad_request(f"a bulk request takes at most {MAX_ITEMS} items", pointer="")
    if not items:
        raise bad_request("a bulk request needs at least one item", pointer="")
    ids, errors = [], []
    for i, item in enumerate(items):
        try:
            record = apply(i, item)
        except KustomerError as exc:
            errors.append({"index": i, "status": exc.status, "detail": exc.detail, "pointer": exc.pointer})
            continue
        if record is not None:
            ids.append(record.id)
    batches = []
    for start in range(0, len(items), BATCH_SIZE):
        failed = sum(1 for e in errors if start <= e["index"] < start + BATCH_SIZE)
        batches.append({"index": start // BATCH_SIZE, "count": min(BATCH_SIZE, len(items) - start),
                        "succeeded": min(BATCH_SIZE, len(items) - start) - failed, "failed": failed,
                        "status": "complete"})
    job = ctx.state.add("bulk", {
        "ids": ids, "context": f"api.sobjects.{kind}.bulk-{verb}", "status": "complete", "v2": True,
        "completed": True, "errors": errors, "batches": batches,
        "payload": {"api": {"path": ctx.path, "method": ctx.op.http, "count": len(items)}},
    })
    return single(ctx, job)


def _bulk_create(kind: str, create: Callable[[Ctx, dict[str, Any], int], Record]) -> Callable[[Ctx], Reply]:
    def handler(ctx: Ctx) -> Reply:
        def apply(i: int, item: Any) -> Record:
            if not isinstance(item, dict):
                raise bad_request("each item must be an object", pointer=f"/{i}")
            return create(ctx, item, i)
        return _job(ctx, kind, "create", body_array(ctx), apply)
    return handler


def _bulk_update(kind: str, table: Callable[[Ctx], str], custom: bool = True) -> Callable[[Ctx], Reply]:
    def handler(ctx: Ctx) -> Reply:
        ids = [i for i in ctx.query.get("ids", "").split(",") if i]
        body = ctx.body
        if ids:
            if not isinstance(body, dict) and not (isinstance(body, list) and len(body) == 1):
                raise bad_request("with ?ids=, send one object to apply to every id", pointer="")
            template = body if isinstance(body, dict) else body[0]
            items = [{**template, "id": i} for i in ids]
        else:
            items = body_array(ctx)
        name = table(ctx)

        def apply(i: int, item: Any) -> Record:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise bad_request("each item needs an id", pointer=f"/{i}/id")
            record = ctx.state.require(name, item["id"], kind)
            changes = {k: v for k, v in item.items() if k != "id"}
            return apply_update(ctx, record, changes, custom_resource=name if custom else None)
        return _job(ctx, kind, "update", items, apply)
    return handler


def _kobject_table(ctx: Ctx) -> str:
    return f"kobject.{_klass_by_name(ctx, ctx.params['name']).attributes['name']}"


def _create_convo(ctx: Ctx, item: dict[str, Any], i: int) -> Record:
    return create_conversation(ctx, item, item.get("customer"), pointer=f"/{i}/customer")


handles("kustomer_customers_bulk_create")(_bulk_create("customers", lambda c, item, i: create_customer(c, item, f"/{i}")))
handles("kustomer_companies_bulk_create")(_bulk_create("companies", lambda c, item, i: create_company(c, item, f"/{i}")))
handles("kustomer_conversations_bulk_create")(_bulk_create("conversations", _create_convo))
handles("kustomer_messages_bulk_create")(_bulk_create("messages", lambda c, item, i: create_message(c, item, pointer=f"/{i}")))
handles("kustomer_notes_bulk_create")(_bulk_create("notes", lambda c, item, i: create_note(c, item, pointer=f"/{i}")))
handles("kustomer_custom_objects_bulk_create")(_bulk_create(
    "kobjects", lambda c, item, i: create_kobject(c, _klass_by_name(c, c.params["name"]), item, pointer=f"/{i}")))

handles("kustomer_customers_bulk_update")(_bulk_update("customer", lambda c: "customer"))
handles("kustomer_companies_bulk_update")(_bulk_update("company", lambda c: "company"))
handles("kustomer_conversations_bulk_update")(_bulk_update("conversation", lambda c: "conversation"))
handles("kustomer_messages_bulk_update")(_bulk_update("message", lambda c: "message"))
handles("kustomer_notes_bulk_update")(_bulk_update("note", lambda c: "note", custom=False))
handles("kustomer_custom_objects_bulk_update")(_bulk_update("kobject", _kobject_table))


def _bulk_delete(kind: str, table: Callable[[Ctx], str]) -> Callable[[Ctx], Reply]:
    def handler(ctx: Ctx) -> Reply:
        ids = [i for i in ctx.query.get("ids", "").split(",") if i]
        name = table(ctx)

        def apply(i: int, ident: str) -> Record:
            record = ctx.state.table(name).remove(ident)
            if record is None:
                raise not_found(kind, ident)
            return record
        return _job(ctx, kind, "delete", ids, apply)
    return handler


handles("kustomer_customers_bulk_delete")(_bulk_delete("customer", lambda c: "customer"))
handles("kustomer_custom_objects_bulk_delete")(_bulk_delete("kobject", _kobject_table))


@handles("get_single_kustomer_bulk_operation_by_id")
def get_bulk(ctx: Ctx) -> Reply:
    return single(ctx, ctx.state.require("bulk", ctx.params["id"], "bulk operation"))


@handles("list_all_kustomer_bulk_operation_batches")
def bulk_batches(ctx: Ctx) -> Reply:
    job = ctx.state.require("bulk", ctx.params["id"], "bulk operation")
    batches = job.attributes.get("batches", [])
    return page_reply(ctx, batches, lambda b: {"type": "bulk_batch", "id": f"{job.id}-{b['index']}",
                                                "attributes": b, "links": {"self": f"/v1/bulk/{job.id}/batches"}})


