"""Answer MCP methods for one server: ``initialize``, ``ping``, ``tools/list``, ``tools/call``.

Stateless: nothing is remembered between requests, so ``initialize`` only negotiates the
version and describes the server, and any instance can answer the next request.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from unified.errors import ApiError
from unified.mcp import protocol, results
from unified.mcp.context import CallContext
from unified.mcp.protocol import INVALID_PARAMS, METHOD_NOT_FOUND, Message, RpcError
from unified.mcp.toolset import ToolSet

log = logging.getLogger("unified.mcp")
SERVER_NAME = "unified"
SERVER_VERSION = "0.1.0"
TOOLS_PAGE_SIZE = 50


class McpHandler:
    METHODS = frozenset({"initialize", "ping", "tools/list", "tools/call"})

    def __init__(self, ctx: CallContext, toolset: ToolSet) -> None:
        self.ctx = ctx
        self.toolset = toolset
        self._methods: dict[str, Callable[[Any], Awaitable[dict[str, Any]]]] = {
            "initialize": self.initialize,
            "ping": self.ping,
            "tools/list": self.list_tools,
            "tools/call": self.call_tool,
        }

    async def handle(self, message: Message) -> dict[str, Any] | None:
        """The JSON-RPC response to ``message``; None for notifications and responses."""
        if message.is_response or message.is_notification:
            return None  # notifications/initialized, cancelled...: nothing to do without sessions
        method = self._methods.get(message.method or "")
        try:
            if method is None:
                raise RpcError(METHOD_NOT_FOUND, f"Method not found: {message.method}")
            if message.params is not None and not isinstance(message.params, dict):
                raise RpcError(INVALID_PARAMS, "params must be an object")
            return protocol.result(message.id, await method(message.params or {}))
        except RpcError as exc:
            return protocol.error(message.id, exc.code, exc.message, exc.data)
        except Exception:
            log.exception("MCP %s failed", message.method)
            return protocol.error(message.id, protocol.INTERNAL_ERROR, "Internal error; the server log has details")

    async def initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            raise RpcError(INVALID_PARAMS, "initialize needs params.protocolVersion (a string)",
                           {"supported": list(protocol.SUPPORTED_VERSIONS)})
        version = protocol.negotiate(requested)
        info: dict[str, Any] = {"name": SERVER_NAME, "version": SERVER_VERSION}
        if protocol.at_least(version, "2025-06-18"):
            info["title"] = f"{self.ctx.catalogue.provider.display_name} via unified ({self.ctx.server.name})"
        return {"protocolVersion": version, "capabilities": {"tools": {"listChanged": False}},
                "serverInfo": info, "instructions": self.instructions()}

    def instructions(self) -> str:
        vendor = self.ctx.catalogue.provider.display_name
        count = len(self.toolset.callable)
        lines = [f"Tools that call {vendor} for one connected account ({count} tools in this server's scope)."]
        if self.toolset.discovery:
            lines.append("Find tools with search_tools, read their arguments with get_tool_schema, run them with "
                         "call_tool.")
        lines.append("List tools return one page; to continue, pass next_cursor back exactly as received.")
        lines.append("Failures come back as results with isError; a rate limit (429) says how many seconds to wait. "
                     "Nothing is retried for you.")
        spec = self.ctx.catalogue.provider.pii_unmasking
        if spec is not None and spec.tool in self.toolset.callable:
            lines.append(f"To read masked personal data, use {spec.tool}: it closes the unmasking window itself.")
        return " ".join(lines)

    async def ping(self, params: dict[str, Any]) -> dict[str, Any]:
        return {}

    async def list_tools(self, params: dict[str, Any]) -> dict[str, Any]:
        cursor = params.get("cursor")
        scope = {"k": "tools", "s": self.ctx.server.id}
        offset = 0
        if cursor is not None:
            try:
                if not isinstance(cursor, str):
                    raise ApiError(400, "invalid cursor")
                offset = int(self.ctx.cursors.decode(cursor, scope=scope)["n"])
            except (ApiError, KeyError, ValueError, TypeError):
                raise RpcError(INVALID_PARAMS, "Invalid cursor: pass nextCursor back as received") from None
        page = self.toolset.listed[offset:offset + TOOLS_PAGE_SIZE]
        out: dict[str, Any] = {"tools": [tool.definition(self.ctx.version) for tool in page]}
        if offset + TOOLS_PAGE_SIZE < len(self.toolset.listed):
            out["nextCursor"] = self.ctx.cursors.encode({**scope, "n": offset + TOOLS_PAGE_SIZE})
        return out

    async def call_tool(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("name")
        arguments = params.get("arguments")
        if not isinstance(name, str) or not name:
            raise RpcError(INVALID_PARAMS, "tools/call needs params.name (a tool name)")
        if arguments is not None and not isinstance(arguments, dict):
            raise RpcError(INVALID_PARAMS, "params.arguments must be an object")
        if not self.toolset.knows(name):
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
        try:
            return await self.toolset.call(self.ctx, name, arguments)
        except Exception:
            log.exception("MCP tool %s failed", name)
            return results.failure("The tool failed inside the service (not at the vendor); the server log has "
                                   "details.", {"status": 500}, self.ctx.version)
