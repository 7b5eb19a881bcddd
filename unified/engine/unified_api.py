"""Run a unified request through its mapping: pick a route, build the vendor call, map back.

Nothing here knows a vendor: the mapping says which catalogue operation serves the request
and how to translate both ways; the catalogue says how to call and page it."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from unified.catalogue.loader import Catalogue
from unified.engine.cursors import CursorCodec
from unified.engine.paging import fetch_page
from unified.errors import ApiError
from unified.mapping.expr import MappingError, MappingRejected
from unified.mapping.loader import CompiledLookup, CompiledMethod, CompiledRoute, ResourceMapping
from unified.vendor.client import Account, VendorClient
from unified.vendor.jsonpath import get_path

FILTER_OPS = ("eq", "gt", "gte", "lt", "lte", "in")
CONTROL_PARAMS = frozenset({"integrated_account_id", "limit", "next_cursor", "cursor", "sort_by", "sort_order",
                            "ignore_remote_data", "response_format"})


@dataclass
class UnifiedQuery:
    """What a caller asked for, parsed once from the query string."""

    filters: dict[str, dict[str, Any]] = field(default_factory=dict)
    sort_by: dict[str, str] | None = None
    remote_query: dict[str, str] = field(default_factory=dict)
    limit: int | None = None
    cursor: str | None = None
    remote_data: bool = True
    raw: bool = False

    def for_expressions(self) -> dict[str, Any]:
        query: dict[str, Any] = dict(self.filters)
        if self.sort_by:
            query["sort_by"] = self.sort_by
        if self.limit is not None:
            query["limit"] = self.limit
        return query


def parse_query(params: list[tuple[str, str]]) -> UnifiedQuery:
    parsed = UnifiedQuery()
    for key, value in params:
        if key in ("integrated_account_id",):
            continue
        if key == "limit":
            if not value.isdigit() or int(value) < 1:
                raise ApiError(400, "limit must be a positive integer", pointer="/limit")
            parsed.limit = int(value)
        elif key in ("next_cursor", "cursor"):
            parsed.cursor = value or None
        elif key == "sort_by":
            parsed.sort_by = {"field": value, "order": (parsed.sort_by or {}).get("order", "asc")}
        elif key == "sort_order":
            if value not in ("asc", "desc"):
                raise ApiError(400, "sort_order must be asc or desc", pointer="/sort_order")
            parsed.sort_by = {"field": (parsed.sort_by or {}).get("field", ""), "order": value}
        elif key == "ignore_remote_data":
            if value.lower() not in ("true", "1", "false", "0"):
                raise ApiError(400, "ignore_remote_data must be true or false", pointer="/ignore_remote_data")
            parsed.remote_data = value.lower() not in ("true", "1")
        elif key == "response_format":
            if value not in ("unified", "raw"):
                raise ApiError(400, "response_format must be unified or raw", pointer="/response_format")
            parsed.raw = value == "raw"
        elif key.startswith("remote_query[") and key.endswith("]"):
            parsed.remote_query[key[len("remote_query["):-1]] = value
        else:
            name, op = key, "eq"
            if key.endswith("]") and "[" in key:
                name, _, op = key[:-1].partition("[")
            if op not in FILTER_OPS:
                raise ApiError(400, f"unknown filter operator {op!r} (use {', '.join(FILTER_OPS)})", pointer=f"/{key}")
            parsed.filters.setdefault(name, {})[op] = value.split(",") if op == "in" else value
    if parsed.sort_by is not None and not parsed.sort_by["field"]:
        raise ApiError(400, "sort_order needs sort_by", pointer="/sort_by")
    return parsed


def check_query(method: CompiledMethod, query: UnifiedQuery, resource: str) -> None:
    """A clear 400 for filters or sorts the vendor mapping cannot serve, instead of ignoring them."""
    for name, ops in query.filters.items():
        allowed = method.filters.get(name)
        if allowed is None:
            known = ", ".join(sorted(method.filters)) or "none"
            raise ApiError(400, f"{resource} cannot be filtered by {name!r} here (filters: {known})", pointer=f"/{name}")
        for op in ops:
            if op not in allowed:
                raise ApiError(400, f"{name} supports {', '.join(allowed)}, not {op}", pointer=f"/{name}[{op}]")
    if query.sort_by and query.sort_by["field"] not in method.sort_by:
        known = ", ".join(method.sort_by) or "none"
        raise ApiError(400, f"{resource} cannot be sorted by {query.sort_by['field']!r} (sortable: {known})",
                       pointer="/sort_by")


class LookupCache:
    """Per-account lookup tables (e.g. tag id -> name), refreshed after their TTL."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], tuple[float, dict[str, Any]]] = {}

    async def get(self, lookup: CompiledLookup, account: Account, vendor: VendorClient,
                  codec: CursorCodec) -> dict[str, Any]:
        key = (account.id, lookup.scope, lookup.name)
        cached = self._entries.get(key)
        now = time.monotonic()
        if cached and now - cached[0] < lookup.ttl_seconds:
            return cached[1]
        table: dict[str, Any] = {}
        cursor = None
        for _ in range(lookup.max_pages):
            page = await fetch_page(vendor, codec, lookup.op, account, path_params={}, query={}, body=None,
                                    limit=lookup.op.pagination.max_size if lookup.op.pagination else None,
                                    cursor=cursor)
            for record in page.records:
                if lookup.collect:
                    keys = lookup.key(record)
                    value = lookup.value(record)
                    for item in keys if isinstance(keys, list) else [] if keys is None else [keys]:
                        table.setdefault(str(item), []).append(value)
                else:
                    table[str(lookup.key(record))] = lookup.value(record)
            cursor = page.next_cursor
            if not cursor:
                break
        self._entries[key] = (now, table)
        return table


@dataclass
class UnifiedEngine:
    vendor: VendorClient
    cursors: CursorCodec
    lookups: LookupCache = field(default_factory=LookupCache)

    # ------------------------------------------------------------------ helpers

    def _inputs(self, query: UnifiedQuery, body: Any, record_id: str | None, account: Account) -> dict[str, Any]:
        return {"query": query.for_expressions(), "body": body, "id": record_id, "context": dict(account.settings)}

    def _route(self, method: CompiledMethod, inputs: dict[str, Any]) -> CompiledRoute:
        for route in method.routes:
            if route.when is None or _truthy(_request_eval(route.when, inputs)):
                return route
        detail = "no vendor call can serve this combination of filters and fields"
        if method.description:
            detail = f"{detail}: {method.description.strip()}"
        raise ApiError(400, detail)

    def _vendor_args(self, route: CompiledRoute, inputs: dict[str, Any], query: UnifiedQuery,
                     bindings: dict[str, Any] | None = None) -> tuple[dict, dict, Any]:
        path = {name: _request_eval(expr, inputs, bindings) for name, expr in route.path.items()}
        for name, value in path.items():
            if value is None or value == "":
                raise ApiError(400, f"{route.op.tool_name} needs {name}", pointer=f"/{name}")
            path[name] = str(value)
        vendor_query = _request_eval(route.query, inputs, bindings) if route.query else {}
        if vendor_query is None:
            vendor_query = {}
        if not isinstance(vendor_query, dict):
            raise MappingError(f"{route.query.where}: the query mapping must produce an object")
        vendor_query = {k: v for k, v in vendor_query.items() if v is not None}
        vendor_query.update(query.remote_query)
        body = _request_eval(route.body, inputs, bindings) if route.body else None
        return path, vendor_query, body

    async def _bindings(self, method: CompiledMethod, account: Account, inputs: dict[str, Any]) -> dict[str, Any]:
        tables = {}
        for lookup in method.lookups:
            tables[lookup.name] = await self.lookups.get(lookup, account, self.vendor, self.cursors)
        return {"query": inputs["query"], "body": inputs["body"], "id": inputs["id"],
                "context": inputs["context"], "lookups": tables}

    def _single(self, catalogue: Catalogue, route: CompiledRoute, body: Any) -> Any:
        if route.records is not None:
            return _eval(route.records, body)
        path = catalogue.provider.record
        return get_path(body, path) if path else body

    # ------------------------------------------------------------------ methods

    async def list(self, mapping: ResourceMapping, catalogue: Catalogue, account: Account,
                   query: UnifiedQuery) -> tuple[dict[str, Any], dict[str, str]]:
        method = self._method(mapping, "list")
        scope = f"{mapping.api}/{mapping.resource}"
        if method.static is not None:
            return self._static(method, mapping, account, query, scope), {}
        if query.cursor:  # the cursor remembers the route and the unified query of the first page
            state = self.cursors.decode(query.cursor, scope={"a": account.id})
            extra = state.get("x") or {}
            if extra.get("u") != scope:
                raise ApiError(400, "this cursor belongs to another list", pointer="/next_cursor")
            query.filters, query.sort_by = extra.get("f", {}), extra.get("s")
            query.remote_data, query.raw = extra.get("r", True), extra.get("w", False)
            route = method.routes[extra["i"]]
            inputs = self._inputs(query, None, None, account)
            page = await fetch_page(self.vendor, self.cursors, route.op, account, path_params={}, query={},
                                    body=None, limit=None, cursor=query.cursor)
            envelope_bindings = None
        else:
            check_query(method, query, mapping.resource)
            inputs = self._inputs(query, None, None, account)
            route = self._route(method, inputs)
            bindings = await self._bindings(method, account, inputs)
            path, vendor_query, body = self._vendor_args(route, inputs, query, bindings)
            if route.op.pagination is None:  # a whole list (or a single-record lookup) in one response
                try:
                    response = await self.vendor.call(route.op, account, path, vendor_query, body)
                except ApiError as exc:
                    if exc.vendor_status != 404:
                        raise
                    # a lookup such as "the customer with this email" that finds nothing: an empty list
                    return {"result": [], "next_cursor": None, "prev_cursor": None, "result_count": 0}, {}
                records = _as_list(_eval(route.records, response.body))
                envelope = await self._envelope(mapping, method, route, records, None, None, account, inputs,
                                                query, raw=response.body, bindings=bindings)
                return envelope, response.rate_limit
            extra = {"u": scope, "i": method.routes.index(route), "f": query.filters, "s": query.sort_by,
                     "r": query.remote_data, "w": query.raw}
            page = await fetch_page(self.vendor, self.cursors, route.op, account, path_params=path,
                                    query=vendor_query, body=body, limit=query.limit, cursor=None, extra=extra)
            envelope_bindings = bindings
        records = page.records if route.records is None else _as_list(_eval(route.records, page.response.body))
        envelope = await self._envelope(mapping, method, route, records, page.next_cursor, page.prev_cursor,
                                        account, inputs, query, raw=page.response.body, bindings=envelope_bindings)
        return envelope, page.response.rate_limit

    async def get(self, mapping: ResourceMapping, catalogue: Catalogue, account: Account, record_id: str,
                  query: UnifiedQuery) -> tuple[Any, dict[str, str]]:
        return await self._single_call(mapping, catalogue, account, "get", record_id, None, query)

    async def create(self, mapping: ResourceMapping, catalogue: Catalogue, account: Account, body: Any,
                     query: UnifiedQuery) -> tuple[Any, dict[str, str]]:
        return await self._single_call(mapping, catalogue, account, "create", None, body, query)

    async def update(self, mapping: ResourceMapping, catalogue: Catalogue, account: Account, record_id: str,
                     body: Any, query: UnifiedQuery) -> tuple[Any, dict[str, str]]:
        return await self._single_call(mapping, catalogue, account, "update", record_id, body, query)

    async def delete(self, mapping: ResourceMapping, catalogue: Catalogue, account: Account, record_id: str,
                     query: UnifiedQuery) -> tuple[Any, dict[str, str]]:
        method = self._method(mapping, "delete")
        check_query(method, query, mapping.resource)
        inputs = self._inputs(query, None, record_id, account)
        route = self._route(method, inputs)
        bindings = await self._bindings(method, account, inputs)
        path, vendor_query, body = self._vendor_args(route, inputs, query, bindings)
        response = await self.vendor.call(route.op, account, path, vendor_query, body)
        if query.raw:
            return response.body, response.rate_limit
        return {"id": record_id}, response.rate_limit

    async def _single_call(self, mapping: ResourceMapping, catalogue: Catalogue, account: Account, name: str,
                           record_id: str | None, body: Any, query: UnifiedQuery) -> tuple[Any, dict[str, str]]:
        method = self._method(mapping, name)
        check_query(method, query, mapping.resource)
        if name in ("create", "update"):
            model = getattr(mapping.model, name)
            body = unified_body(model, body)
        inputs = self._inputs(query, body, record_id, account)
        route = self._route(method, inputs)
        bindings = await self._bindings(method, account, inputs)
        path, vendor_query, vendor_body = self._vendor_args(route, inputs, query, bindings)
        if isinstance(body, dict) and isinstance(body.get("remote_data"), dict) and isinstance(vendor_body, dict):
            vendor_body = {**vendor_body, **body["remote_data"]}
        response = await self.vendor.call(route.op, account, path, vendor_query, vendor_body)
        if query.raw:
            return response.body, response.rate_limit
        record = self._single(catalogue, route, response.body)
        if record is None:
            raise ApiError(502, f"{mapping.provider} answered without a record", code="vendor-malformed")
        mapped = map_record(mapping, method, route, record, bindings, query.remote_data)
        if mapped is None:
            raise ApiError(404, f"{mapping.resource} {record_id} not found")
        return mapped, response.rate_limit

    async def _envelope(self, mapping: ResourceMapping, method: CompiledMethod, route: CompiledRoute,
                        records: list[Any], next_cursor: str | None, prev_cursor: str | None, account: Account,
                        inputs: dict[str, Any], query: UnifiedQuery, *, raw: Any,
                        bindings: dict[str, Any] | None = None) -> dict[str, Any]:
        if query.raw:
            return {"result": raw, "next_cursor": next_cursor, "prev_cursor": prev_cursor,
                    "result_count": len(records)}
        if bindings is None:
            bindings = await self._bindings(method, account, inputs)
        mapped = [m for r in records
                  if (m := map_record(mapping, method, route, r, bindings, query.remote_data)) is not None]
        return {"result": mapped, "next_cursor": next_cursor, "prev_cursor": prev_cursor, "result_count": len(mapped)}

    def _static(self, method: CompiledMethod, mapping: ResourceMapping, account: Account, query: UnifiedQuery,
                scope: str) -> dict[str, Any]:
        if query.filters or query.sort_by:
            check_query(method, query, mapping.resource)
        offset = 0
        if query.cursor:  # the cursor remembers the offset and the remote_data opt-out of the first page
            state = self.cursors.decode(query.cursor, scope={"a": account.id, "u": scope})
            offset, query.remote_data = int(state.get("off", 0)), state.get("r", True)
        size = query.limit or 100
        items = method.static or []
        result = []
        for item in items[offset:offset + size]:
            record = dict(item)
            if query.remote_data:
                record.setdefault("remote_data", dict(item))
            result.append(msgspec.to_builtins(msgspec.convert(record, mapping.model.record, strict=False)))
        next_cursor = None
        if offset + size < len(items):
            next_cursor = self.cursors.encode({"a": account.id, "u": scope, "off": offset + size,
                                               "r": query.remote_data})
        return {"result": result, "next_cursor": next_cursor, "prev_cursor": None, "result_count": len(result)}

    def _method(self, mapping: ResourceMapping, name: str) -> CompiledMethod:
        method = mapping.methods.get(name)
        if method is None:
            allowed = sorted(mapping.methods)
            raise ApiError(405, f"{mapping.provider} does not support {name} on {mapping.api}/{mapping.resource} "
                                f"(supported: {', '.join(allowed)})")
        return method


def map_record(mapping: ResourceMapping, method: CompiledMethod, route: CompiledRoute | None,
               record: Any, bindings: dict[str, Any], remote_data: bool) -> Any:
    """One vendor record -> one unified record (a msgspec Struct of the resource's unified
    schema; None drops it). Responses encode it as JSON; ``msgspec.to_builtins`` makes a dict."""
    expr = (route.response if route and route.response else None) or method.response
    if expr is None:
        raise MappingError(f"{mapping.file}: {method.name} has no response mapping")
    mapped = _eval(expr, record, bindings)
    if mapped is None:
        return None  # a mapping may drop a record by returning null
    if not isinstance(mapped, dict):
        raise MappingError(f"{expr.where}: the response mapping must produce an object")
    mapped.pop("remote_data", None)  # the vendor record is added after the check: it is large and already JSON
    try:
        # the checked Struct itself is the result: msgspec encodes it faster than the equivalent dict
        unified = msgspec.convert(mapped, mapping.model.record, strict=False)
    except msgspec.ValidationError as exc:
        raise MappingError(f"{expr.where}: the mapped record does not fit the unified schema: {exc}") from None
    if remote_data:
        unified.remote_data = record
    return unified


def _eval(expr: Any, data: Any, bindings: dict[str, Any] | None = None) -> Any:
    return expr(data, bindings)


def _request_eval(expr: Any, data: Any, bindings: dict[str, Any] | None = None) -> Any:
    """A request-side expression: ``$error(...)`` there rejects the caller's input with a 400."""
    try:
        return expr(data, bindings)
    except MappingRejected as exc:
        raise ApiError(400, exc.message, pointer=exc.pointer) from None


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != [] and value != ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def unified_body(model: type, data: Any) -> dict[str, Any]:
    """Validate a request body against its unified schema, with field-level errors."""
    if not isinstance(data, Mapping):
        raise ApiError(400, "the request body must be a JSON object", pointer="")
    try:
        value = msgspec.convert(data, model, strict=False)
    except msgspec.ValidationError as exc:
        text, _, where = str(exc).partition(" - at `$")
        pointer = where.rstrip("`").replace(".", "/").replace("[", "/").replace("]", "")
        field = re.match(r"Object (?:missing required|contains unknown) field `([^`]+)`", text)
        if field:  # point at the missing or unknown field itself, not at the object around it
            pointer = f"{pointer}/{field.group(1)}"
        raise ApiError(400, f"invalid request body: {text}", pointer=pointer or "",
                       errors=[{"pointer": pointer or "", "detail": text}]) from None
    return msgspec.to_builtins(value)


def map_sample(mapping: ResourceMapping, method_name: str, data: Any, *, lookups: dict[str, Any] | None = None
               ) -> Any:
    """Map a sample vendor record (or a list of them) offline, exactly as a request would."""
    method = mapping.methods[method_name]
    route = method.routes[-1] if method.routes else None
    bindings = {"query": {}, "body": None, "id": None, "context": {}, "lookups": lookups or {}}
    records = data if isinstance(data, list) else [data]
    out = [msgspec.to_builtins(map_record(mapping, method, route, record, bindings, remote_data=False))
           for record in records]
    return out if isinstance(data, list) else out[0]
