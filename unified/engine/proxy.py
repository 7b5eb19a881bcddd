"""The proxy face: catalogue operations addressed as ``/proxy/{resource}[/{id}][:{method}]``.

The HTTP verb picks the standard method (GET collection = list, POST = create, GET item =
get, PATCH/PUT = update, DELETE = delete; a list the vendor serves by POST, such as a
search, is reached by POST on the collection); ``:method`` names a custom one. The item id
fills the operation's last path placeholder (the record's own id); other placeholders
(klass ``name``, ``customerId``, a parent ``id``...) come from query parameters of the same
name. Following a list's ``next_cursor`` needs none of them: the cursor carries them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from unified.catalogue.loader import Catalogue, CatalogueOperation
from unified.errors import ApiError

RESERVED_QUERY = frozenset({"integrated_account_id", "limit", "next_cursor", "cursor"})
_ITEM_METHODS = {"GET": "get", "PATCH": "update", "PUT": "update", "DELETE": "delete"}
_COLLECTION_METHODS = {"GET": "list", "POST": "create", "DELETE": "delete", "PUT": "update", "PATCH": "update"}


@dataclass
class ProxyCall:
    op: CatalogueOperation
    path_params: dict[str, str]
    query: dict[str, str]


def resolve(catalogue: Catalogue, http: str, rest: str, query: Mapping[str, str]) -> ProxyCall:
    rest = rest.strip("/")
    custom = None
    if ":" in rest.rsplit("/", 1)[-1]:
        rest, custom = rest.rsplit(":", 1)
    parts = rest.split("/") if rest else []
    if not parts or len(parts) > 2 or not all(parts):
        raise ApiError(404, "use /proxy/{resource}, /proxy/{resource}/{id} or add :{method} for a custom method")
    resource = parts[0]
    item_id = parts[1] if len(parts) == 2 else None
    methods = catalogue.resources().get(resource)
    if methods is None:
        raise ApiError(404, f"unknown resource {resource!r} for {catalogue.provider.display_name}")
    if custom is not None:
        method = custom
        op = methods.get(method)
        if op is None or not op.is_custom:
            known = sorted(m for m, o in methods.items() if o.is_custom)
            raise ApiError(404, f"{resource} has no custom method {custom!r}" + (f" (has: {', '.join(known)})" if known else ""))
        if http not in (op.http, "POST"):
            raise ApiError(405, f"{resource}:{method} takes {op.http} (or POST)", headers={"Allow": f"{op.http}, POST"})
    else:
        table = _ITEM_METHODS if item_id is not None else _COLLECTION_METHODS
        method = table.get(http)
        op = methods.get(method) if method else None
        listed = methods.get("list")
        if op is None and item_id is None and listed is not None and listed.http == http:
            method, op = "list", listed  # a list the vendor serves by POST (searches), with a JSON body
        if op is None:
            allowed = {h for h, m in table.items() if m in methods}
            if item_id is None and listed is not None:
                allowed.add(listed.http)
            raise ApiError(405, f"{resource} does not support {http} here",
                           headers={"Allow": ", ".join(sorted(allowed))})
    params: dict[str, str] = {}
    placeholders = list(op.path.params)
    if item_id is not None:
        if not placeholders:
            raise ApiError(404, f"{resource} {method} does not take an id")
        params[placeholders[-1]] = item_id
    for name in placeholders:
        if name not in params and query.get(name):
            params[name] = query[name]
    following = op.pagination is not None and bool(query.get("next_cursor") or query.get("cursor"))
    missing = [p for p in placeholders if p not in params]
    if missing and not following:  # a cursor carries the first page's parameters
        raise ApiError(400, f"{op.tool_name} needs {', '.join(missing)} (as a query parameter)",
                       pointer=f"/{missing[0]}")
    passthrough = {k: v for k, v in query.items() if k not in RESERVED_QUERY and k not in op.path.params}
    for name in op.query_required:
        if name not in passthrough and not following:
            raise ApiError(400, f"query parameter {name} is required", pointer=f"/{name}")
    return ProxyCall(op, params, passthrough)


def parse_limit(query: Mapping[str, str]) -> int | None:
    raw = query.get("limit")
    if raw is None:
        return None
    try:  # an empty limit is refused, as on the unified API, rather than read as "the default"
        value = int(raw)
    except ValueError:
        raise ApiError(400, "limit must be an integer", pointer="/limit") from None
    if value < 1:
        raise ApiError(400, "limit must be at least 1", pointer="/limit")
    return value


def list_envelope(records: list[Any], next_cursor: str | None, prev_cursor: str | None) -> dict[str, Any]:
    return {"result": records, "next_cursor": next_cursor, "prev_cursor": prev_cursor,
            "result_count": len(records)}
