"""The raw passthrough: any method and path under the account's base URL, credentials injected.

The path can only ever name a path under the vendor's base URL: absolute URLs, `//`,
`..`, backslashes and their percent-encoded forms are refused before anything is sent."""

from __future__ import annotations

import re
from urllib.parse import unquote

from litestar import Request, Response, route

from unified.app.context import engine
from unified.errors import ApiError

PREFIX = "/passthrough"
_FORWARDED_HEADERS = ("content-type", "accept")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@%-]*$")
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c|2e)", re.IGNORECASE)


def safe_vendor_path(raw_path: str) -> str:
    """The vendor path of a raw request path, or a 400 when it could leave the base URL."""
    if not raw_path.startswith(PREFIX + "/"):
        raise ApiError(400, "passthrough paths look like /passthrough/<vendor path>")
    path = raw_path[len(PREFIX):]
    layers = [path]
    for _ in range(3):  # catch double and triple encoding too
        layers.append(unquote(layers[-1]))
    decoded = layers[-1]
    lowered = decoded.lower()
    if ("//" in decoded or "\\" in decoded or "://" in lowered or "\x00" in decoded
            or any(seg in (".", "..") for seg in decoded.split("/")[1:])):
        raise ApiError(400, "the passthrough path must stay under the vendor base URL", pointer="/path")
    # at any decoding depth: a vendor or a proxy in front of it may decode more than once
    if any(_ENCODED_SEPARATOR.search(layer) for layer in layers):
        raise ApiError(400, "encoded slashes and dots are not allowed in passthrough paths", pointer="/path")
    if not all(_SAFE_SEGMENT.match(seg) for seg in path.split("/")[1:]):
        raise ApiError(400, "the passthrough path contains characters that are not allowed", pointer="/path")
    return path


@route(PREFIX + "/{rest:path}", http_method=["GET", "POST", "PUT", "PATCH", "DELETE"], tags=["passthrough"],
       summary="Forward any request to the vendor, with the account's credentials")
async def passthrough(request: Request, rest: str) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    path = safe_vendor_path(raw_path.split("?", 1)[0])
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "integrated_account_id"]
    account, _ = await eng.account(auth.tenant.id, request.query_params.get("integrated_account_id"))
    body = await request.body()
    headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED_HEADERS}
    result = await eng.vendor.request(account, request.method, path, query=query, content=body or None,
                                      headers=headers, raw=True)
    content_type = result.headers.get("content-type", "application/octet-stream")
    return Response(result.body, status_code=result.status, headers=result.rate_limit, media_type=content_type)
