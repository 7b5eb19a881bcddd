"""Run an operation tool: validate, call the vendor through the proxy's client, shape the result.

List tools page exactly like the proxy (``fetch_page`` with our signed cursors), so a cursor
from one call continues the same list on any instance.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

from unified.engine.paging import fetch_page
from unified.engine.proxy import list_envelope
from unified.errors import ApiError
from unified.mcp import results
from unified.mcp.arguments import ArgumentError, split
from unified.mcp.context import CallContext
from unified.mcp.tools import Tool
from unified.vendor.client import resolve_base_url

MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024


async def call_operation(ctx: CallContext, tool: Tool, arguments: dict[str, Any] | None) -> dict[str, Any]:
    op = tool.op
    assert op is not None
    try:
        call = split(tool, arguments)
    except ArgumentError as exc:
        return results.argument_failure(exc.problems, ctx.version)
    try:
        if op.external_url:
            return await _download(ctx, str(call.path.get("url", "")))
        if op.pagination is not None:
            page = await fetch_page(ctx.vendor, ctx.cursors, op, ctx.account, path_params=call.path,
                                    query=call.query, body=call.body, limit=call.limit, cursor=call.cursor)
            return results.success(list_envelope(page.records, page.next_cursor, page.prev_cursor), ctx.version)
        response = await ctx.vendor.call(op, ctx.account, call.path, call.query, call.body)
    except ApiError as exc:
        return results.api_failure(exc, ctx.version)
    if response.body is None:
        return results.success({"status": response.status, "result": None}, ctx.version)
    return results.success(response.body, ctx.version)


async def _download(ctx: CallContext, url: str) -> dict[str, Any]:
    """Fetch a vendor file link, but only on the account's own vendor origin: the link comes from
    the agent, and following it anywhere else would let an agent make us fetch arbitrary URLs."""
    base = urlsplit(resolve_base_url(ctx.vendor.provider(ctx.account.provider), ctx.account.settings))
    target = urlsplit(url)
    if (target.scheme, target.hostname, target.port) != (base.scheme, base.hostname, base.port) or "@" in target.netloc:
        return results.failure(
            f"Only links on {base.scheme}://{base.netloc} can be downloaded through this tool; "
            "this link points elsewhere.", {"status": 400}, ctx.version)
    response = await ctx.vendor.request(ctx.account, "GET", url, raw=True)
    data = response.body if isinstance(response.body, bytes) else b""
    if len(data) > MAX_DOWNLOAD_BYTES:
        return results.failure(f"The file is larger than {MAX_DOWNLOAD_BYTES} bytes; fetch it directly.",
                               {"status": 413, "size": len(data)}, ctx.version)
    mime = response.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
    resource: dict[str, Any] = {"uri": url, "mimeType": mime}
    if mime.startswith("text/") or mime in ("application/json", "application/xml"):
        resource["text"] = data.decode("utf-8", errors="replace")
    else:
        resource["blob"] = base64.b64encode(data).decode()
    summary = {"mime_type": mime, "size": len(data)}
    out = results.success(summary, ctx.version)
    out["content"].append({"type": "resource", "resource": resource})
    return out
