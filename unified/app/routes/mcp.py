"""``/mcp/{token}``: MCP over Streamable HTTP, one JSON-RPC POST at a time, JSON responses.

The token picks the server (its account, scope and expiry) on every request, so a deleted or
expired server stops working at once. No sessions and no server-to-client stream: GET and
DELETE get 405, as the transport spec says for servers that offer neither. Answers are
JSON-RPC even for HTTP-level refusals, so MCP clients show a readable message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar, Request, Response, route
from litestar.exceptions import HTTPException

from unified.app import observability
from unified.app.context import Engine, engine
from unified.app.limits import NestingTooDeep, check_json_depth
from unified.errors import ApiError
from unified.mcp import protocol
from unified.mcp.admin import public_url
from unified.mcp.context import CallContext
from unified.mcp.protocol import INTERNAL_ERROR, INVALID_REQUEST, SERVER_NOT_AVAILABLE, Message, RpcError
from unified.mcp.server import McpHandler
from unified.mcp.sweeper import Sweeper
from unified.mcp.toolset import ToolSet
from unified.store import McpServer

log = logging.getLogger("unified.mcp")
ALLOWED_ORIGINS_ENV = "UNIFIED_MCP_ALLOWED_ORIGINS"
_HEADERS = {"Cache-Control": "no-store"}


def _reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    content = b"" if body is None else protocol.encode(body)
    return Response(content, status_code=status, media_type="application/json", headers={**_HEADERS, **(headers or {})})


def _refuse(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return _reply(status, protocol.error(None, code, message), headers)


def origin_allowed(request: Request) -> bool:
    """Browsers send Origin; only our own origin or configured ones may drive the endpoint
    (the spec's defence against DNS rebinding). Clients that send no Origin are not browsers."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    allowed = {o.strip().rstrip("/") for o in os.environ.get(ALLOWED_ORIGINS_ENV, "").split(",") if o.strip()}
    if "*" in allowed or origin.rstrip("/") in allowed:
        return True
    parts, public = urlsplit(origin), urlsplit(public_url())
    return parts.netloc == request.headers.get("host") or (parts.scheme, parts.netloc) == (public.scheme, public.netloc)


@route("/mcp/{token:str}", http_method=["GET", "POST", "DELETE"], include_in_schema=False)
async def mcp_endpoint(request: Request, token: str) -> Response:
    try:
        return await _serve(request, token)
    except HTTPException:
        raise  # Litestar's own answers (413 body too large...), rendered as problem details
    except Exception:
        # Logged here, without the path: the generic handler would write the token to the log.
        log.exception("MCP request failed")
        return _refuse(500, INTERNAL_ERROR, "Internal error; the server log has details")


async def _serve(request: Request, token: str) -> Response:
    if request.method != "POST":
        return _refuse(405, INVALID_REQUEST, "This MCP endpoint has no SSE stream and no sessions: POST JSON-RPC "
                       "messages to it.", {"Allow": "POST"})
    if not origin_allowed(request):
        return _refuse(403, INVALID_REQUEST, f"Origin not allowed; add it to {ALLOWED_ORIGINS_ENV}")
    eng = engine(request)
    server = await _authorize(request, eng, token)
    if isinstance(server, Response):
        return server
    observability.note(tenant_id=server.tenant_id)
    parsed = await _parse(request)
    if isinstance(parsed, Response):
        return parsed
    batch, messages, version = parsed
    try:
        account, catalogue = await eng.account(server.tenant_id, server.integrated_account_id)
    except ApiError as exc:
        return _refuse(404 if exc.status == 404 else 409, SERVER_NOT_AVAILABLE, exc.detail)
    ctx = CallContext(eng.store, eng.vendor, eng.cursors, server, account, catalogue, version)
    handler = McpHandler(ctx, ToolSet.for_server(server, catalogue))
    replies = []
    for message in messages:
        reply = await handler.handle(message) if isinstance(message, Message) else message
        if reply is not None:
            replies.append(reply)
    if not replies:
        return _reply(202)  # only notifications (or responses): accepted, no body
    if batch:
        return _reply(200, replies)
    return _reply(200 if isinstance(messages[0], Message) else 400, replies[0])


async def _authorize(request: Request, eng: Engine, token: str) -> McpServer | Response:
    """The live server the token names, with the API key checked when it asks for one."""
    server = await eng.store.mcp_server_for_token(token)
    if server is None:
        return _refuse(404, SERVER_NOT_AVAILABLE, "Unknown or expired MCP server URL")
    if server.require_api_token_auth:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        auth = await eng.store.authenticate(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
        if auth is None or auth.tenant.id != server.tenant_id:
            return _refuse(401, SERVER_NOT_AVAILABLE, "This MCP server also needs the tenant's API key: send "
                           "Authorization: Bearer <api key>", {"WWW-Authenticate": "Bearer"})
    return server


async def _parse(request: Request) -> tuple[bool, list[Message | dict[str, Any]], str] | Response:
    """(is a batch, each message or its error reply, protocol version), or the 400 to send."""
    raw = await request.body()
    try:
        check_json_depth(raw)
        payload = protocol.decode(raw)
    except NestingTooDeep as exc:
        return _refuse(400, INVALID_REQUEST, f"Invalid Request: {exc}")
    except RpcError as exc:
        return _refuse(400, exc.code, exc.message)
    batch = isinstance(payload, list)
    items = payload if batch else [payload]
    if not items:
        return _refuse(400, INVALID_REQUEST, "Invalid Request: empty batch")
    messages: list[Message | dict[str, Any]] = []
    for item in items:
        try:
            messages.append(protocol.message(item))
        except RpcError as exc:
            messages.append(protocol.error(protocol.request_id(item), exc.code, exc.message))
    header = request.headers.get("mcp-protocol-version")
    if header is None or header in protocol.SUPPORTED_VERSIONS:
        return batch, messages, header or protocol.HEADERLESS_VERSION
    # Unknown methods (the 2026-07-28 probe server/discover) still get "method not found".
    if any(isinstance(m, Message) and m.method in McpHandler.METHODS and m.method != "initialize" for m in messages):
        return _reply(400, protocol.error(None, INVALID_REQUEST, f"Unsupported MCP-Protocol-Version: {header}",
                                          {"supported": list(protocol.SUPPORTED_VERSIONS), "requested": header}))
    return batch, messages, protocol.HEADERLESS_VERSION


@asynccontextmanager
async def sweeper_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Close unmasking windows left open, at start-up and then periodically (after the engine is up)."""
    eng = app.state.engine
    sweeper = Sweeper(eng.store, eng.vendor, eng.account)
    sweeper.start()
    try:
        yield
    finally:
        await sweeper.stop()
