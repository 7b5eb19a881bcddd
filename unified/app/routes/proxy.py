"""The proxy face: every catalogue operation, 1:1, with our list envelope and cursors."""

from __future__ import annotations

from litestar import Request, Response, route

from unified.app import observability
from unified.app.context import engine, json_body
from unified.app.idempotency import run_once
from unified.catalogue.loader import CatalogueOperation
from unified.engine.paging import fetch_page
from unified.engine.proxy import list_envelope, parse_limit, resolve
from unified.errors import ApiError

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@route("/proxy/{rest:path}", http_method=METHODS, tags=["proxy"],
       summary="Call a vendor operation by catalogue resource and method")
async def proxy(request: Request, rest: str) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    query = dict(request.query_params)
    account, catalogue = await eng.account(auth.tenant.id, query.get("integrated_account_id"))
    call = resolve(catalogue, request.method, rest, query)
    op = call.op
    limit = parse_limit(query)  # checked on every operation: a bad limit is a 400 even where it does nothing
    cursor = query.get("next_cursor") or query.get("cursor")
    # following a cursor needs no body: the cursor carries the first page's body
    body = await json_body(request, required=op.body is not None and op.body_required and not cursor)
    if op.external_url:
        raise ApiError(400, f"{op.tool_name} downloads a file link; use the passthrough route")
    if op.pagination is not None:
        page = await fetch_page(eng.vendor, eng.cursors, op, account, path_params=call.path_params,
                                query=call.query, body=body, limit=limit,
                                cursor=cursor)
        observability.note(vendor_status=page.response.status)
        return Response(list_envelope(page.records, page.next_cursor, page.prev_cursor), status_code=200,
                        headers=page.response.rate_limit)

    async def send() -> Response:
        result = await eng.vendor.call(op, account, call.path_params, call.query, body)
        observability.note(vendor_status=result.status)
        if result.status == 204 or result.body is None:
            return Response(None, status_code=204, headers=result.rate_limit)
        return Response(result.body, status_code=result.status, headers=result.rate_limit)

    if not creates_something(op):
        return await send()
    return await run_once(request, eng.store, auth.tenant.id, f"proxy:{op.tool_name}:{account.id}", send)


def creates_something(op: CatalogueOperation) -> bool:
    """Creates and custom POST methods that write (merges, sends, redactions...) take an
    Idempotency-Key; reads, lists, updates and deletes ignore it (repeating them is harmless
    or already idempotent)."""
    return op.pagination is None and (op.method == "create" or (op.is_custom and op.http == "POST"
                                                                and op.access != "read"))
