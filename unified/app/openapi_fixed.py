"""The fixed routes' part of the OpenAPI document: what Litestar cannot see for itself.

The admin handlers read raw bodies and query strings (to keep their own error messages and
pointers), and the proxy and passthrough take a free path, so Litestar's description of them
has no request bodies, no query parameters, no success shapes and a 400 shape we never send.
Here each is described from the same Structs that validate the bodies, with every problem
response a route can give (RFC 9457, ``application/problem+json``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import msgspec

from unified.app.routes.admin import AccountCreate, AccountUpdate, KeyCreate
from unified.app.routes.mcp_admin import MAX_PAGE, ServerCreate, ServerUpdate
from unified.catalogue.loader import Catalogue

REF = "#/components/schemas/{name}"
PROBLEM = {"$ref": REF.format(name="Problem")}
BEARER = [{"bearer": []}]
ERRORS = {
    "400": "Bad input (with a pointer to the field)", "401": "Missing or invalid API key",
    "404": "Unknown account, resource or record", "405": "Method not supported here (see Allow)",
    "409": "Conflict with the current state (or the same Idempotency-Key still in flight)",
    "413": "Request body too large", "422": "The Idempotency-Key was used for a different request",
    "429": "Vendor rate limit; see Retry-After", "502": "Vendor failure", "504": "Vendor timeout",
    "4XX": "Another vendor 4xx, passed on with the vendor's status and body under `vendor`",
}
# every route can meet these before its own code runs (auth, body size, unknown verb)
COMMON = ("400", "401", "405", "413")
VENDOR = (*COMMON, "404", "409", "429", "502", "504", "4XX")
WRITE = (*VENDOR, "422")  # creates that take an Idempotency-Key


class AccountView(msgspec.Struct, kw_only=True):
    """An integrated account as the admin API shows it (credential values never appear)."""

    id: str
    provider: str
    name: str | None
    settings: dict[str, Any]
    credential_names: list[str]
    created_at: datetime
    updated_at: datetime


class KeyView(msgspec.Struct, kw_only=True):
    """An API key; ``api_key`` (the secret) only in the answer to its creation."""

    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    api_key: str = ""


class McpServerView(msgspec.Struct, kw_only=True):
    """An MCP server; ``token`` and ``url`` only in the answer to its creation."""

    id: str
    name: str
    integrated_account_id: str
    methods: list[str] | None
    tags: list[str] | None
    tool_exposure: str
    require_api_token_auth: bool
    expires_at: datetime | None
    expired: bool
    token_prefix: str
    created_at: datetime
    updated_at: datetime
    tool_count: int = 0
    token: str = ""
    url: str = ""


class Deleted(msgspec.Struct):
    id: str


class StoreHealth(msgspec.Struct):
    ok: bool
    backend: str
    schema_current: bool | None
    error: str | None


class Health(msgspec.Struct):
    status: str
    store: StoreHealth


STRUCTS = (AccountCreate, AccountUpdate, KeyCreate, ServerCreate, ServerUpdate, AccountView, KeyView,
           McpServerView, Deleted, Health)


def ref(kind: type) -> dict[str, str]:
    return {"$ref": REF.format(name=kind.__name__)}


def problems(codes: Iterable[str]) -> dict[str, Any]:
    """References to the shared problem responses (``components/responses``)."""
    return {code: {"$ref": f"#/components/responses/Problem{code}"} for code in codes}


def problem_responses() -> dict[str, Any]:
    return {f"Problem{code}": {"description": text, "content": {"application/problem+json": {"schema": PROBLEM}}}
            for code, text in ERRORS.items()}


def ok(status: str, schema: dict[str, Any] | None, description: str = "OK",
       media: str = "application/json") -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = {media: {"schema": schema}}
    return {status: answer}


def page(item: dict[str, Any]) -> dict[str, Any]:
    """Our list envelope around ``item``."""
    return {"type": "object", "required": ["result", "next_cursor", "prev_cursor", "result_count"],
            "properties": {"result": {"type": "array", "items": item}, "next_cursor": {"type": ["string", "null"]},
                           "prev_cursor": {"type": ["string", "null"]}, "result_count": {"type": "integer"}}}


def param(name: str, schema: dict[str, Any], description: str, *, where: str = "query",
          required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "description": description,
            "schema": schema}


def json_body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def operation(op_id: str, tag: str, summary: str, responses: dict[str, Any], *, params: list[dict[str, Any]] = (),
              body: dict[str, Any] | None = None, errors: Iterable[str] = COMMON, secure: bool = True) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": op_id, "tags": [tag], "summary": summary, "parameters": list(params),
                          "responses": {**responses, **problems(sorted(set(errors)))}}
    if body is not None:
        op["requestBody"] = body
    if secure:
        op["security"] = BEARER
    return op


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": ("Makes a create safe to retry: the first answer (2xx) is stored per tenant for 24 h and "
                    "replayed with Idempotent-Replayed: true; 409 while the first is in flight, 422 if the "
                    "key comes with a different request."),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-+\\--~]([ -+\\--~]*[!-+\\--~])?$"},
}


def _limit(maximum: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": 1}
    if maximum:
        schema["maximum"] = maximum
    return param("limit", schema, "Page size.")


CURSOR = param("next_cursor", {"type": "string"}, "The `next_cursor` of the previous page, unchanged.")
ACCOUNT = param("integrated_account_id", {"type": "string"}, "The integrated account to call.", required=True)


def admin_paths() -> dict[str, dict[str, Any]]:
    acc_id = param("account_id", {"type": "string"}, "The integrated account's id.", where="path")
    key_id = param("key_id", {"type": "string"}, "The API key's id.", where="path")
    srv_id = param("server_id", {"type": "string"}, "The MCP server's id.", where="path")
    mine = (*COMMON, "404")
    return {
        "/admin/accounts": {
            "post": operation("create_account", "admin", "Connect an integrated account", ok("201", ref(AccountView)),
                              body=json_body(ref(AccountCreate)), errors=(*COMMON, "409")),
            "get": operation("list_accounts", "admin", "List integrated accounts, newest first",
                             ok("200", page(ref(AccountView))), params=[_limit(200), CURSOR]),
        },
        "/admin/accounts/{account_id}": {
            "get": operation("get_account", "admin", "Get an integrated account", ok("200", ref(AccountView)),
                             params=[acc_id], errors=mine),
            "patch": operation("update_account", "admin", "Update an integrated account", ok("200", ref(AccountView)),
                               params=[acc_id], body=json_body(ref(AccountUpdate)), errors=(*mine, "409")),
            "delete": operation("delete_account", "admin", "Disconnect an integrated account", ok("200", ref(Deleted)),
                                params=[acc_id], errors=mine),
        },
        "/admin/api-keys": {
            "post": operation("create_api_key", "admin", "Create an API key (shown once)", ok("201", ref(KeyView)),
                              body=json_body(ref(KeyCreate), required=False)),
            "get": operation("list_api_keys", "admin", "List API keys (never the keys themselves)",
                             ok("200", page(ref(KeyView)))),
        },
        "/admin/api-keys/{key_id}": {
            "delete": operation("revoke_api_key", "admin", "Revoke an API key", ok("200", ref(KeyView)),
                                params=[key_id], errors=mine),
        },
        "/admin/mcp-servers": {
            "post": operation("create_mcp_server", "mcp",
                              "Create an MCP server for an integrated account (its URL is shown once)",
                              ok("201", ref(McpServerView)), body=json_body(ref(ServerCreate)),
                              errors=(*mine, "409")),
            "get": operation("list_mcp_servers", "mcp", "List MCP servers, newest first",
                             ok("200", page(ref(McpServerView))),
                             params=[_limit(MAX_PAGE), CURSOR,
                                     param("integrated_account_id", {"type": "string"}, "Only this account's.")]),
        },
        "/admin/mcp-servers/{server_id}": {
            "get": operation("get_mcp_server", "mcp", "Get an MCP server", ok("200", ref(McpServerView)),
                             params=[srv_id], errors=(*mine, "409")),
            "patch": operation("update_mcp_server", "mcp", "Update an MCP server (its URL stays)",
                               ok("200", ref(McpServerView)), params=[srv_id], body=json_body(ref(ServerUpdate)),
                               errors=(*mine, "409")),
            "delete": operation("delete_mcp_server", "mcp", "Delete an MCP server; its URL stops working at once",
                                ok("200", ref(Deleted)), params=[srv_id], errors=mine),
        },
    }


def proxy_paths(catalogues: Mapping[str, Catalogue]) -> dict[str, dict[str, Any]]:
    """``/proxy/{resource}[/{id}][:{method}]`` with the catalogues' resources and custom methods as enums."""
    resources = sorted({r for c in catalogues.values() for r in c.resources()})
    customs = sorted({m for c in catalogues.values() for ops in c.resources().values()
                      for m, o in ops.items() if o.is_custom})
    resource = param("resource", {"type": "string", "enum": resources or ["none"]}, "A catalogue resource.",
                     where="path")
    method = param("method", {"type": "string", "enum": customs or ["none"]}, "A custom method of the resource.",
                   where="path")
    item = param("id", {"type": "string", "minLength": 1}, "The record id (the operation's last path placeholder).",
                 where="path")
    params = [ACCOUNT, _limit(), CURSOR]
    anything: dict[str, Any] = {}
    answers = {**ok("200", anything, "The vendor's answer, or our list envelope for lists"),
               **ok("201", anything, "Created"), **ok("202", anything, "Accepted"),
               "204": {"description": "No content"}}
    body = json_body({"type": "object"}, required=False)

    def op(verb: str, where: str, path_params: list[dict[str, Any]]) -> dict[str, Any]:
        keyed = [IDEMPOTENCY_KEY] if verb == "post" else []  # creates and writing custom methods
        return operation(f"proxy_{verb}_{where}", "proxy", f"{verb.upper()} a catalogue {where.replace('_', ' ')}",
                         answers, params=[*path_params, *params, *keyed], errors=WRITE if keyed else VENDOR,
                         body=body if verb in ("post", "put", "patch") else None)

    return {
        "/proxy/{resource}": {v: op(v, "collection", [resource]) for v in ("get", "post", "put", "patch", "delete")},
        "/proxy/{resource}/{id}": {v: op(v, "item", [resource, item]) for v in ("get", "put", "patch", "delete")},
        "/proxy/{resource}:{method}": {v: op(v, "custom_method", [resource, method]) for v in ("get", "post")},
        "/proxy/{resource}/{id}:{method}": {v: op(v, "item_custom_method", [resource, item, method])
                                            for v in ("get", "post")},
    }


def passthrough_paths() -> dict[str, dict[str, Any]]:
    path = param("path", {"type": "string", "minLength": 1}, "A path under the account's vendor base URL.",
                 where="path")
    answers = {"2XX": {"description": "The vendor's answer as it is", "content": {"*/*": {"schema": {}}}}}
    return {"/passthrough/{path}": {
        verb: operation(f"passthrough_{verb}", "passthrough", "Forward a request to the vendor with the account's "
                        "credentials", answers, params=[path, ACCOUNT], errors=VENDOR,
                        body={"required": False, "content": {"*/*": {"schema": {}}}} if verb in ("post", "put", "patch")
                        else None)
        for verb in ("get", "post", "put", "patch", "delete")}}


def health_paths() -> dict[str, dict[str, Any]]:
    answers = {**ok("200", ref(Health)), **ok("503", ref(Health), "The store does not answer")}
    return {"/health": {"get": operation("health", "health", "Service and store health", answers, secure=False)}}


def describe(document: dict[str, Any], catalogues: Mapping[str, Catalogue]) -> dict[str, Any]:
    """Replace Litestar's description of the fixed routes in ``document``; return the new component schemas."""
    paths = document.setdefault("paths", {})
    for stale in [p for p in paths if p.startswith(("/proxy/", "/passthrough/", "/admin/", "/health"))]:
        del paths[stale]
    paths.update({**admin_paths(), **proxy_paths(catalogues), **passthrough_paths(), **health_paths()})
    document.setdefault("components", {})["responses"] = problem_responses()
    document["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "A tenant's API key."}}
    _, schemas = msgspec.json.schema_components(STRUCTS, ref_template=REF)
    providers = sorted(catalogues)
    if providers:
        schemas["AccountCreate"]["properties"]["provider"]["enum"] = providers
    return schemas
