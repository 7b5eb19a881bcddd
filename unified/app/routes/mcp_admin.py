"""Admin API for MCP servers, always within the caller's tenant (another tenant's id is a 404).

The token and URL are returned once, by the create call; afterwards only ``token_prefix``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, patch, post

from unified.app.context import Engine, engine, json_body
from unified.catalogue.loader import Catalogue
from unified.errors import ApiError
from unified.mcp.admin import check_expiry, check_filters, server_view
from unified.store import Conflict, InvalidInput, McpServer, NotFound
from unified.yamlfile import parse_msgspec_path

MAX_PAGE = 200


class ServerCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    integrated_account_id: str
    name: str = "MCP server"
    methods: list[str] | None = None
    tags: list[str] | None = None
    tool_exposure: str = "all"
    require_api_token_auth: bool = False
    expires_at: datetime | None = None


class ServerUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str | msgspec.UnsetType = msgspec.UNSET
    methods: list[str] | None | msgspec.UnsetType = msgspec.UNSET
    tags: list[str] | None | msgspec.UnsetType = msgspec.UNSET
    tool_exposure: str | msgspec.UnsetType = msgspec.UNSET
    require_api_token_auth: bool | msgspec.UnsetType = msgspec.UNSET
    expires_at: datetime | None | msgspec.UnsetType = msgspec.UNSET


def _convert(data: object, kind: type) -> Any:
    try:
        return msgspec.convert(data if data is not None else {}, kind)
    except msgspec.ValidationError as exc:
        text, path = parse_msgspec_path(str(exc))
        pointer = "".join(f"/{part}" for part in path)
        raise ApiError(400, f"invalid request body: {text}", pointer=pointer) from None


def _store_error(exc: Exception) -> ApiError:
    if isinstance(exc, NotFound):
        return ApiError(404, str(exc))
    if isinstance(exc, Conflict):
        return ApiError(409, str(exc))
    return ApiError(400, str(exc))


async def _catalogue(eng: Engine, tenant_id: str, account_id: str) -> Catalogue:
    try:
        account = await eng.store.get_account(tenant_id, account_id)
    except InvalidInput:
        account = None
    if account is None:
        raise ApiError(404, f"integrated account {account_id} not found", pointer="/integrated_account_id")
    catalogue = eng.catalogues.get(account.provider)
    if catalogue is None:
        raise ApiError(409, f"no catalogue is loaded for provider {account.provider!r}")
    return catalogue


async def _owned(request: Request, server_id: str) -> tuple[Engine, str, McpServer]:
    eng = engine(request)
    auth = await eng.authenticate(request)
    try:
        server = await eng.store.get_mcp_server(auth.tenant.id, server_id)
    except InvalidInput:
        server = None
    if server is None:
        raise ApiError(404, f"MCP server {server_id} not found")
    return eng, auth.tenant.id, server


@post("/admin/mcp-servers", tags=["mcp"], status_code=201,
      summary="Create an MCP server for an integrated account (its URL is shown once)")
async def create_mcp_server(request: Request) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    data: ServerCreate = _convert(await json_body(request, required=True), ServerCreate)
    catalogue = await _catalogue(eng, auth.tenant.id, data.integrated_account_id)
    check_filters(catalogue, data.methods, data.tags)
    check_expiry(data.expires_at)
    try:
        server, token = await eng.store.create_mcp_server(
            auth.tenant.id, data.integrated_account_id, name=data.name, methods=data.methods, tags=data.tags,
            tool_exposure=data.tool_exposure, require_api_token_auth=data.require_api_token_auth,
            expires_at=data.expires_at)
    except (InvalidInput, NotFound, Conflict) as exc:
        raise _store_error(exc) from None
    return Response(server_view(server, catalogue, token=token), status_code=201)


@get("/admin/mcp-servers", tags=["mcp"], summary="List MCP servers, newest first")
async def list_mcp_servers(request: Request) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    limit = request.query_params.get("limit", "50")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
        raise ApiError(400, f"limit must be 1..{MAX_PAGE}", pointer="/limit")
    try:
        page = await eng.store.list_mcp_servers(
            auth.tenant.id, account_id=request.query_params.get("integrated_account_id") or None,
            limit=int(limit), after=request.query_params.get("next_cursor") or None)
    except InvalidInput as exc:
        raise _store_error(exc) from None
    items = [server_view(s) for s in page.items]
    return Response({"result": items, "next_cursor": page.next_after, "prev_cursor": None,
                     "result_count": len(items)})


@get("/admin/mcp-servers/{server_id:str}", tags=["mcp"], summary="Get an MCP server")
async def get_mcp_server(request: Request, server_id: str) -> Response:
    eng, tenant_id, server = await _owned(request, server_id)
    catalogue = await _catalogue(eng, tenant_id, server.integrated_account_id)
    return Response(server_view(server, catalogue))


@patch("/admin/mcp-servers/{server_id:str}", tags=["mcp"], summary="Update an MCP server (its URL stays)")
async def update_mcp_server(request: Request, server_id: str) -> Response:
    eng, tenant_id, server = await _owned(request, server_id)
    data: ServerUpdate = _convert(await json_body(request, required=True), ServerUpdate)
    catalogue = await _catalogue(eng, tenant_id, server.integrated_account_id)
    methods = server.methods if data.methods is msgspec.UNSET else data.methods
    tags = server.tags if data.tags is msgspec.UNSET else data.tags
    check_filters(catalogue, methods, tags)
    if data.expires_at is not msgspec.UNSET:
        check_expiry(data.expires_at)
    try:
        updated = await eng.store.update_mcp_server(
            tenant_id, server_id, name=data.name, methods=data.methods, tags=data.tags,
            tool_exposure=data.tool_exposure, require_api_token_auth=data.require_api_token_auth,
            expires_at=data.expires_at)
    except (InvalidInput, NotFound, Conflict) as exc:
        raise _store_error(exc) from None
    return Response(server_view(updated, catalogue))


@delete("/admin/mcp-servers/{server_id:str}", tags=["mcp"], status_code=200,
        summary="Delete an MCP server; its URL stops working at once")
async def delete_mcp_server(request: Request, server_id: str) -> Response:
    eng, tenant_id, _ = await _owned(request, server_id)
    try:
        await eng.store.delete_mcp_server(tenant_id, server_id)
    except NotFound as exc:
        raise _store_error(exc) from None
    return Response({"id": server_id})


ROUTES = [create_mcp_server, list_mcp_servers, get_mcp_server, update_mcp_server, delete_mcp_server]
