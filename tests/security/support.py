"""Helpers of the security tests: JSON-RPC to ``/mcp/{token}``, the CLI as a process, leak checks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from unified.catalogue.loader import PROJECT_ROOT

MCP_VERSION = "2025-06-18"  # a revision with structuredContent, so results need no text parsing
# Headers that differ between any two responses by nature, not by what the request carried.
VOLATILE_HEADERS = {"date", "x-request-id", "request-id", "x-correlation-id"}


def rpc(method: str, params: dict[str, Any] | None = None, request_id: int = 1) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


async def mcp_post(client: AsyncTestClient, token: str, message: dict[str, Any],
                   headers: Mapping[str, str] | None = None) -> httpx.Response:
    return await client.post(f"/mcp/{token}", json=message,
                             headers={"mcp-protocol-version": MCP_VERSION, **(headers or {})})


async def call_tool(client: AsyncTestClient, token: str, name: str, arguments: dict[str, Any],
                    headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``result`` of a tools/call that the endpoint accepted (HTTP 200)."""
    resp = await mcp_post(client, token, rpc("tools/call", {"name": name, "arguments": arguments}), headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["result"]


def stable(resp: httpx.Response) -> tuple[int, bytes, tuple[tuple[str, str], ...]]:
    """Status, body bytes and headers, minus what every response varies in: the date and the
    request id (a header, and a ``request_id`` member of problem bodies, blanked in place so the
    rest of the body is still compared byte for byte)."""
    headers = tuple(sorted((k.lower(), v) for k, v in resp.headers.items() if k.lower() not in VOLATILE_HEADERS))
    body = re.sub(rb'"request_id":"[^"]*"', b'"request_id":""', resp.content)
    return resp.status_code, body, headers


def leaks(text: str, secrets: Mapping[str, str]) -> list[str]:
    """Names of the secrets found in ``text``."""
    return [name for name, value in secrets.items() if value and value in text]


def run_unified(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m unified ARGS`` with only the given UNIFIED_* variables (none inherited)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("UNIFIED_")}
    result = subprocess.run([sys.executable, "-m", "unified", *args], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, env={**clean, **env}, timeout=120, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    return result
