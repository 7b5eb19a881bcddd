"""Building blocks shared by the sandbox's resource handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from unified.sandbox.http import Ctx, KustomerError, Reply, bad_request, not_found
from unified.sandbox.paging import page_reply
from unified.sandbox.records import Record, render

Handler = Callable[[Ctx], Reply]
HANDLERS: dict[str, Handler] = {}


def handles(*tool_names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in tool_names:
            if name in HANDLERS:
                raise RuntimeError(f"two sandbox handlers for {name}")
            HANDLERS[name] = fn
        return fn
    return register


def show(ctx: Ctx, record: Record) -> dict[str, Any]:
    """Render with masking applied as of this request."""
    return render(record, ctx.state.masked_attributes(record, ctx.now))


def single(ctx: Ctx, record: Record, status: int = 200) -> Reply:
    return Reply(status, {"data": show(ctx, record)})


def listing(ctx: Ctx, records: Iterable[Record], *, with_total: bool = False,
            reverse: bool = False) -> Reply:
    items = list(records)
    if reverse:
        items.reverse()
    return page_reply(ctx, items, lambda r: show(ctx, r), with_total=with_total)


def live(records: Iterable[Record]) -> Iterable[Record]:
    return (r for r in records if r.attributes.get("deleted") is not True)


def get_many(ctx: Ctx, kind: str, label: str, param: str = "id") -> Reply:
    """Kustomer's multi-get: ``/v1/<things>/a,b,c`` answers a list, one id a single."""
    raw = ctx.params[param]
    ids = [i for i in raw.split(",") if i]
    if len(ids) <= 1:
        return single(ctx, ctx.state.require(kind, raw, label))
    records = [ctx.state.require(kind, i, label) for i in ids]
    return Reply(200, {"data": [show(ctx, r) for r in records]})


def body_object(ctx: Ctx) -> dict[str, Any]:
    if not isinstance(ctx.body, dict):
        raise bad_request("Request body must be a JSON object", pointer="")
    return ctx.body


def body_array(ctx: Ctx) -> list[Any]:
    if not isinstance(ctx.body, list):
        raise bad_request("Request body must be a JSON array", pointer="")
    return ctx.body


def require_ref(ctx: Ctx, kind: str, ident: Any, pointer: str) -> str:
    """A relationship id in a body must name an existing record."""
    if not isinstance(ident, str) or ctx.state.table(kind).get(ident) is None:
        raise bad_request(f"{pointer.strip('/')} must be the id of an existing {kind}", pointer=pointer)
    return ident


def split_body(body: dict[str, Any], relationships: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Flat Kustomer body -> (attributes, relationships named in ``relationships``)."""
    attrs = {k: v for k, v in body.items() if k not in relationships and k not in ("id", "rev")}
    rels = {name: {"type": kind, "id": body[name]} for name, kind in relationships.items()
            if isinstance(body.get(name), str)}
    return attrs, rels


def apply_update(ctx: Ctx, record: Record, body: dict[str, Any], *, custom_resource: str | None = None,
                 relationships: dict[str, str] | None = None, protected: Iterable[str] = ()) -> Record:
    """PATCH-like merge (PUT without ?replace=true behaves the same in Kustomer)."""
    ctx.state.check_rev(record, body)
    relationships = relationships or {}
    for ref, kind in relationships.items():
        if ref in body and body[ref] is not None:
            require_ref(ctx, kind, body[ref], f"/{ref}")
    attrs, rels = split_body(body, relationships)
    for key in protected:
        attrs.pop(key, None)
    if custom_resource and "custom" in attrs:
        checked = ctx.state.check_custom(attrs["custom"], custom_resource)
        if ctx.query.get("replace") == "true":
            attrs["custom"] = checked
        else:
            attrs["custom"] = {**(record.attributes.get("custom") or {}), **checked}
    if ctx.query.get("replace") == "true":
        keep = {k: record.attributes[k] for k in ("createdAt", "rev") if k in record.attributes}
        record.attributes = {**keep, **attrs}
    else:
        record.attributes.update(attrs)
    record.relationships.update(rels)
    ctx.state.touch(record)
    return record


def delete(ctx: Ctx, kind: str, label: str, param: str = "id") -> Reply:
    record = ctx.state.table(kind).remove(ctx.params[param])
    if record is None:
        raise not_found(label, ctx.params[param])
    return Reply(204)


def lookup(ctx: Ctx, kind: str, label: str, match: Callable[[Record], bool], value: str) -> Reply:
    for record in live(ctx.state.table(kind)):
        if match(record):
            return single(ctx, record)
    raise KustomerError(404, f"No {label} found for {value}")


def children(ctx: Ctx, kind: str, rel_name: str, parent_id: str) -> list[Record]:
    return [r for r in live(ctx.state.table(kind)) if r.rel_id(rel_name) == parent_id]
