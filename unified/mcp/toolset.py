"""The tools one MCP server exposes, and how a call reaches the right runner.

``callable`` is everything in the server's scope (catalogue tools plus the unmasking tool);
``listed`` is what ``tools/list`` shows: the same, or only the meta-tools in discovery mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unified.catalogue.loader import Catalogue
from unified.mcp import discovery, results
from unified.mcp.calls import call_operation
from unified.mcp.context import CallContext
from unified.mcp.scope import Scope
from unified.mcp.tools import Tool, operation_tools
from unified.mcp.unmasking import read_unmasked, unmasking_tool
from unified.store import McpServer


@dataclass(frozen=True)
class ToolSet:
    callable: dict[str, Tool]
    listed: list[Tool]
    discovery: bool

    @classmethod
    def for_server(cls, server: McpServer, catalogue: Catalogue) -> ToolSet:
        scope = Scope(server.methods, server.tags)
        tools = {name: tool for name, tool in operation_tools(catalogue).items() if scope.allows(tool.op)}
        unmask = unmasking_tool(catalogue, scope)
        if unmask is not None:
            tools[unmask.name] = unmask
        tools = dict(sorted(tools.items()))
        if server.tool_exposure == "discovery":
            return cls(tools, list(discovery.meta_tools(catalogue.provider.display_name)), True)
        return cls(tools, list(tools.values()), False)

    def knows(self, name: str) -> bool:
        """Whether ``tools/call`` may name this tool (anything else is an unknown tool)."""
        return name in self.callable or any(t.name == name for t in self.listed)

    async def call(self, ctx: CallContext, name: str, arguments: dict[str, Any] | None) -> dict[str, Any]:
        if self.discovery:
            meta = {t.name: t for t in self.listed}
            if name not in meta:
                return results.failure(
                    f"This server exposes its tools through discovery: call {discovery.CALL_TOOL} with "
                    f"tool_name={name!r} (find tools with {discovery.SEARCH_TOOLS}).", {"status": 400}, ctx.version)
            return await discovery.run_meta(name, arguments, self.callable, ctx.version, meta,
                                            lambda tool, args: self._run(ctx, tool, args))
        return await self._run(ctx, self.callable[name], arguments)

    @staticmethod
    async def _run(ctx: CallContext, tool: Tool, arguments: dict[str, Any] | None) -> dict[str, Any]:
        if tool.op is None:
            return await read_unmasked(ctx, tool, arguments)
        return await call_operation(ctx, tool, arguments)
