"""The MCP face: every catalogue operation as an MCP tool, per scoped, expiring server URL.

``protocol`` frames JSON-RPC and negotiates versions; ``tools`` turns catalogue operations
into tool definitions; ``scope`` decides which of them a server exposes; ``arguments``
checks and splits a call's arguments; ``calls``, ``discovery`` and ``unmasking`` run tools;
``results`` shapes what they return; ``server`` answers MCP methods; ``sweeper`` closes
unmasking windows left open; ``admin`` holds the rules shared by the admin API and the CLI.
The HTTP endpoint itself is ``unified.app.routes.mcp``.
"""
