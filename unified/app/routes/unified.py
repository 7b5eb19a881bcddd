"""The unified face: `/unified/{api}/{resource}[/{id}]`, served by the mappings."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, Response, delete, get, patch, post

from unified.app.context import Engine, engine, json_body
from unified.app.idempotency import run_once
from unified.engine.unified_api import UnifiedEngine, parse_query
from unified.errors import ApiError
from unified.mapping.expr import MappingError
from unified.mapping.loader import ResourceMapping


@dataclass
class UnifiedState:
    mappings: dict[tuple[str, str, str], ResourceMapping]
    engine: UnifiedEngine


async def _context(request: Request, api: str, resource: str):
    eng: Engine = engine(request)
    auth = await eng.authenticate(request)
    account, catalogue = await eng.account(auth.tenant.id, request.query_params.get("integrated_account_id"))
    state: UnifiedState = request.app.state.unified
    mapping = state.mappings.get((account.provider, api, resource))
    if mapping is None:
        known = sorted(r for p, a, r in state.mappings if p == account.provider and a == api)
        if not known:
            raise ApiError(404, f"unknown unified API {api!r} for {account.provider}")
        raise ApiError(404, f"unknown resource {api}/{resource} (known: {', '.join(known)})")
    return (state.engine, mapping, catalogue, account, parse_query(list(request.query_params.multi_items())),
            auth.tenant.id)


def _mapping_failure(exc: MappingError) -> ApiError:
    return ApiError(500, f"mapping error: {exc}", code="mapping-error")


@get("/unified/{api:str}/{resource:str}", include_in_schema=False, summary="List unified records")
async def list_records(request: Request, api: str, resource: str) -> Response:
    unified, mapping, catalogue, account, query, _ = await _context(request, api, resource)
    try:
        body, headers = await unified.list(mapping, catalogue, account, query)
    except MappingError as exc:
        raise _mapping_failure(exc) from None
    return Response(body, status_code=200, headers=headers)


@get("/unified/{api:str}/{resource:str}/{record_id:str}", include_in_schema=False, summary="Get a unified record")
async def get_record(request: Request, api: str, resource: str, record_id: str) -> Response:
    unified, mapping, catalogue, account, query, _ = await _context(request, api, resource)
    try:
        body, headers = await unified.get(mapping, catalogue, account, record_id, query)
    except MappingError as exc:
        raise _mapping_failure(exc) from None
    return Response(body, status_code=200, headers=headers)


@post("/unified/{api:str}/{resource:str}", include_in_schema=False, summary="Create a unified record", status_code=201)
async def create_record(request: Request, api: str, resource: str) -> Response:
    unified, mapping, catalogue, account, query, tenant_id = await _context(request, api, resource)
    data = await json_body(request, required=True)

    async def create() -> Response:
        try:
            body, headers = await unified.create(mapping, catalogue, account, data, query)
        except MappingError as exc:
            raise _mapping_failure(exc) from None
        return Response(body, status_code=201, headers=headers)

    scope = f"unified:{api}/{resource}:create:{account.id}"
    return await run_once(request, engine(request).store, tenant_id, scope, create)


@patch("/unified/{api:str}/{resource:str}/{record_id:str}", include_in_schema=False, summary="Update a unified record")
async def update_record(request: Request, api: str, resource: str, record_id: str) -> Response:
    unified, mapping, catalogue, account, query, _ = await _context(request, api, resource)
    data = await json_body(request, required=True)
    try:
        body, headers = await unified.update(mapping, catalogue, account, record_id, data, query)
    except MappingError as exc:
        raise _mapping_failure(exc) from None
    return Response(body, status_code=200, headers=headers)


@delete("/unified/{api:str}/{resource:str}/{record_id:str}", include_in_schema=False, summary="Delete a unified record",
        status_code=200)
async def delete_record(request: Request, api: str, resource: str, record_id: str) -> Response:
    unified, mapping, catalogue, account, query, _ = await _context(request, api, resource)
    try:
        body, headers = await unified.delete(mapping, catalogue, account, record_id, query)
    except MappingError as exc:
        raise _mapping_failure(exc) from None
    return Response(body, status_code=200, headers=headers)


ROUTES = [list_records, get_record, create_record, update_record, delete_record]
