"""The OpenAPI 3.1 document: Litestar's description of the fixed routes, plus one path per
unified resource and method generated from the unified schemas and the mappings.

The unified routes are generic (`/unified/{api}/{resource}`), so Litestar cannot see their
schemas; we describe each resource here from the same msgspec Structs that validate bodies
and shape responses, with the filters and sorts its mappings declare."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin

from unified.app import openapi_fixed
from unified.catalogue.loader import PROJECT_ROOT, Catalogue
from unified.mapping.loader import ResourceMapping
from unified.models import REGISTRY

COMMITTED = PROJECT_ROOT / "openapi" / "openapi.json"
_REF = "#/components/schemas/{name}"


class Problem(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details, the one error shape."""

    type: str
    title: str
    status: int
    detail: str
    from_vendor: bool
    pointer: str | None = None
    errors: list[dict[str, Any]] | None = None
    vendor: dict[str, Any] | None = None
    request_id: str | None = None


def _param(name: str, description: str, schema: dict[str, Any], *, required: bool = False,
           where: str = "query", style: str | None = None) -> dict[str, Any]:
    param = {"name": name, "in": where, "required": required, "description": description, "schema": schema}
    if style:
        param.update({"style": style, "explode": True})
    return param


RAW = {"description": "With response_format=raw: the vendor's response, untouched (any JSON)."}


def _or_raw(schema: dict[str, Any]) -> dict[str, Any]:
    """`response_format=raw` swaps the unified shape for the vendor's own, which we cannot describe."""
    return {"anyOf": [schema, {"$ref": _REF.format(name="RawVendorResponse")}]}


def _responses(ok: str, schema: dict[str, Any] | None, errors: tuple[str, ...] = openapi_fixed.VENDOR) -> dict[str, Any]:
    out: dict[str, Any] = {ok: {"description": "OK"}}
    if schema is not None:
        out[ok]["content"] = {"application/json": {"schema": schema}}
    out.update(openapi_fixed.problems(sorted(errors)))
    return out


def unified_paths(mappings: dict[tuple[str, str, str], ResourceMapping]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(paths, component schemas) for every unified resource some mapping serves."""
    served: dict[tuple[str, str], dict[str, Any]] = {}
    for (_, api, resource), mapping in sorted(mappings.items()):
        entry = served.setdefault((api, resource), {"methods": {}, "providers": []})
        entry["providers"].append(mapping.provider)
        for name, method in mapping.methods.items():
            merged = entry["methods"].setdefault(name, {"filters": {}, "sort_by": set()})
            for field, ops in method.filters.items():
                merged["filters"].setdefault(field, set()).update(ops)
            merged["sort_by"].update(method.sort_by)
    types: list[type] = [Problem]
    paths: dict[str, Any] = {}
    account = _param("integrated_account_id", "The integrated account to call.", {"type": "string"}, required=True)
    common = [account,
              _param("ignore_remote_data", "Leave out `remote_data`.", {"type": "boolean", "default": False}),
              _param("response_format", "`raw` returns the vendor response untouched.",
                     {"type": "string", "enum": ["unified", "raw"], "default": "unified"}),
              _param("remote_query", "Vendor query parameters passed as they are, e.g. remote_query[foo]=bar.",
                     {"type": "object", "additionalProperties": {"type": "string"}}, style="deepObject")]
    for (api, resource), entry in served.items():
        model = REGISTRY[(api, resource)]
        record = model.record.__name__
        types.append(model.record)
        tag = f"unified {api}"
        methods = entry["methods"]
        collection: dict[str, Any] = {}
        item: dict[str, Any] = {}
        note = f" Served for: {', '.join(entry['providers'])}."
        if "list" in methods:
            spec = methods["list"]
            params = list(common) + [
                _param("limit", "Page size (clamped to the vendor's maximum).", {"type": "integer", "minimum": 1}),
                _param("next_cursor", "The `next_cursor` of the previous page, unchanged.", {"type": "string"})]
            for field, ops in sorted(spec["filters"].items()):
                for op in sorted(ops):
                    name = field if op == "eq" else f"{field}[{op}]"
                    value = {"type": "string"} if op != "in" else {"type": "string", "description": "comma-separated"}
                    params.append(_param(name, f"Filter: {field} {op}.", value))
            if spec["sort_by"]:
                params.append(_param("sort_by", "Sort field.", {"type": "string", "enum": sorted(spec["sort_by"])}))
                params.append(_param("sort_order", "Sort order.", {"type": "string", "enum": ["asc", "desc"]}))
            envelope = {"type": "object", "required": ["result", "next_cursor", "prev_cursor", "result_count"],
                        "properties": {"result": _or_raw({"type": "array",
                                                                  "items": {"$ref": _REF.format(name=record)}}),
                                       "next_cursor": {"type": ["string", "null"]},
                                       "prev_cursor": {"type": ["string", "null"]},
                                       "result_count": {"type": "integer"}}}
            collection["get"] = {"tags": [tag], "summary": f"List {resource}", "operationId": f"list_{api}_{resource}",
                                 "description": model.description + note, "parameters": params,
                                 "responses": _responses("200", envelope)}
        if "create" in methods and model.create is not None:
            types.append(model.create)
            collection["post"] = {"tags": [tag], "summary": f"Create {resource}",
                                  "operationId": f"create_{api}_{resource}",
                                  "parameters": [*common, openapi_fixed.IDEMPOTENCY_KEY],
                                  "requestBody": {"required": True, "content": {"application/json": {
                                      "schema": {"$ref": _REF.format(name=model.create.__name__)}}}},
                                  "responses": _responses("201", _or_raw({"$ref": _REF.format(name=record)}),
                                                          openapi_fixed.WRITE)}
        id_param = _param("id", "The record id.", {"type": "string"}, required=True, where="path")

        def filter_params(name: str, methods: dict[str, Any] = methods) -> list[dict[str, Any]]:
            spec = methods.get(name, {"filters": {}})
            return [_param(field if op == "eq" else f"{field}[{op}]", f"Filter: {field} {op}.", {"type": "string"})
                    for field, ops in sorted(spec["filters"].items()) for op in sorted(ops)]
        if "get" in methods:
            item["get"] = {"tags": [tag], "summary": f"Get one of {resource}", "operationId": f"get_{api}_{resource}",
                           "parameters": [id_param, *common, *filter_params("get")],
                           "responses": _responses("200", _or_raw({"$ref": _REF.format(name=record)}))}
        if "update" in methods and model.update is not None:
            types.append(model.update)
            item["patch"] = {"tags": [tag], "summary": f"Update one of {resource}",
                             "operationId": f"update_{api}_{resource}", "parameters": [id_param, *common],
                             "requestBody": {"required": True, "content": {"application/json": {
                                 "schema": {"$ref": _REF.format(name=model.update.__name__)}}}},
                             "responses": _responses("200", _or_raw({"$ref": _REF.format(name=record)}))}
        if "delete" in methods:
            item["delete"] = {"tags": [tag], "summary": f"Delete one of {resource}",
                              "operationId": f"delete_{api}_{resource}", "parameters": [id_param, account],
                              "responses": _responses("200", {"type": "object", "properties": {
                                  "id": {"type": "string"}}})}
        for op in (*collection.values(), *item.values()):
            op["security"] = openapi_fixed.BEARER
        if collection:
            paths[f"/unified/{api}/{resource}"] = collection
        if item:
            paths[f"/unified/{api}/{resource}/{{id}}"] = item
    _, components = msgspec.json.schema_components(list(dict.fromkeys(types)), ref_template=_REF)
    components["RawVendorResponse"] = RAW
    return paths, components


def install(app: Litestar, mappings: dict[tuple[str, str, str], ResourceMapping],
            catalogues: Mapping[str, Catalogue] | None = None) -> None:
    """Serve Litestar's document extended with the unified paths at /schema/openapi.json.

    The fixed routes (admin, proxy, passthrough, health) are described by `openapi_fixed`.

    Litestar caches the rendered document in the plugin; we build it once here and put the
    extended version in that cache (there is no public hook for extra paths)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    document = json.loads(json.dumps(plugin.provide_openapi_schema(), default=str))
    if catalogues is None:
        from unified.catalogue.loader import load_all

        catalogues = load_all()
    fixed = openapi_fixed.describe(document, catalogues)
    paths, components = unified_paths(mappings)
    document.setdefault("paths", {}).update(paths)
    document["paths"] = dict(sorted(document["paths"].items()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(fixed)
    schemas.update(components)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    plugin._openapi_schema = document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def committed() -> Path:
    return COMMITTED
