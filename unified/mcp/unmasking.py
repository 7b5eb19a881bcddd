"""The safe PII unmasking tool: open the window, read, always close it, in one call.

Done by hand an agent needs three tools and must not forget the third; an agent that dies
in between leaves a customer's data unmasked for a day. Here the window is written to the
store *before* it is opened and forgotten only once it is closed: the close runs in a
``finally``, in a task the HTTP request cannot cancel (a client disconnect does not stop
it), and whatever still escapes (a killed process, a vendor outage during the close) is
closed by the sweeper once the row's ``close_after`` passes.

The provider declares the flow in ``provider.yaml`` (``pii_unmasking``); nothing here names
a vendor.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from unified.catalogue.loader import Catalogue, CatalogueOperation
from unified.catalogue.model import PiiUnmasking
from unified.engine.paging import fetch_page
from unified.errors import ApiError
from unified.mcp import results
from unified.mcp.arguments import validator
from unified.mcp.context import CallContext, detached
from unified.mcp.scope import Scope
from unified.mcp.tools import Tool, title_of
from unified.store.types import utcnow

log = logging.getLogger("unified.mcp")
LEASE_MARGIN_SECONDS = 30.0


def _op(catalogue: Catalogue, ref: str) -> CatalogueOperation:
    resource, _, method = ref.partition(".")
    op = catalogue.operation(resource, method)
    assert op is not None, ref  # the loader checked every reference
    return op


def unmasking_tool(catalogue: Catalogue, scope: Scope) -> Tool | None:
    """The tool, if the provider has an unmasking flow and ``scope`` allows opening, closing and
    at least one read: it gives an agent nothing it could not do with those tools by hand."""
    spec = catalogue.provider.pii_unmasking
    if spec is None:
        return None
    if not (scope.allows(_op(catalogue, spec.open)) and scope.allows(_op(catalogue, spec.close))):
        return None
    reads = tuple(name for name, ref in spec.read.items() if scope.allows(_op(catalogue, ref)))
    if not reads:
        return None
    key = (id(catalogue), reads)
    cached = _tools.get(key)
    if cached is None or cached[0] is not catalogue:  # one Tool per variant: validators are cached by schema
        cached = _tools[key] = (catalogue, _build(catalogue, spec, reads))
    return cached[1]


_tools: dict[tuple[int, tuple[str, ...]], tuple[Catalogue, Tool]] = {}


def _build(catalogue: Catalogue, spec: PiiUnmasking, names: tuple[str, ...]) -> Tool:
    reads = {name: _op(catalogue, spec.read[name]) for name in names}
    subject_schema = dict(_op(catalogue, spec.open).path_params.get(spec.subject) or {"type": "string"})
    properties: dict[str, Any] = {
        spec.subject: subject_schema,
        "include": {"type": "array", "items": {"type": "string", "enum": list(reads)}, "minItems": 1,
                    "uniqueItems": True, "description": f"What to read unmasked (default: all of {', '.join(reads)})."},
    }
    if any(op.is_list for op in reads.values()):
        properties["limit"] = {"type": "integer", "minimum": 1, "maximum": 100,
                               "description": "Records to read from each list (first page only)."}
    schema = {"type": "object", "properties": properties, "required": [spec.subject], "additionalProperties": False}
    tags = tuple(dict.fromkeys(tag for op in reads.values() for tag in op.tags))
    return Tool(name=spec.tool, title=title_of(spec.tool, catalogue), description=spec.description.strip(),
                input_schema=schema, tags=tags,
                annotations={"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True,
                             "openWorldHint": True})


def _lease(ctx: CallContext, calls: int) -> timedelta:
    """How long the call may take at most; after that the sweeper may close the window."""
    return timedelta(seconds=calls * float(ctx.vendor.timeout.read or 30.0) + LEASE_MARGIN_SECONDS)


async def read_unmasked(ctx: CallContext, tool: Tool, arguments: dict[str, Any] | None) -> dict[str, Any]:
    spec = ctx.catalogue.provider.pii_unmasking
    assert spec is not None
    arguments = dict(arguments or {})
    problems = [f"{e.json_path.removeprefix('$.') or 'arguments'}: {e.message}"
                for e in validator(tool.input_schema).iter_errors(arguments)]
    subject = arguments.get(spec.subject)
    if not problems and not str(subject).strip():
        problems.append(f"{spec.subject}: must not be empty")
    if problems:
        return results.argument_failure(problems, ctx.version)
    include = list(arguments.get("include") or tool.input_schema["properties"]["include"]["items"]["enum"])
    return await detached.run(_open_read_close(ctx, spec, str(subject), include, arguments.get("limit")))


async def _open_read_close(ctx: CallContext, spec: PiiUnmasking, subject: str, include: list[str],
                           limit: int | None) -> dict[str, Any]:
    path = {spec.subject: subject}
    pending = await ctx.store.record_unmasking_window(
        ctx.server.tenant_id, ctx.account.id, subject, mcp_server_id=ctx.server.id,
        close_after=utcnow() + _lease(ctx, len(include) + 2))
    window: dict[str, Any] = {"opened": False, "closed": False}
    read: dict[str, Any] = {}
    failure: tuple[str, ApiError] | None = None
    try:
        step = "opening the unmasking window"
        await ctx.vendor.call(_op(ctx.catalogue, spec.open), ctx.account, path)
        window["opened"] = True
        for name in include:
            step = f"reading {name}"
            op = _op(ctx.catalogue, spec.read[name])
            if op.pagination is not None:
                page = await fetch_page(ctx.vendor, ctx.cursors, op, ctx.account, path_params=path, query={},
                                        body=None, limit=limit, cursor=None)
                read[name] = {"result": page.records, "result_count": len(page.records),
                              "truncated": page.next_cursor is not None}
            else:
                read[name] = (await ctx.vendor.call(op, ctx.account, path)).body
    except ApiError as exc:
        failure = (step, exc)
    finally:
        window["closed"] = await _close(ctx, spec, subject, pending.id)
    if not window["closed"]:
        window["note"] = "closing failed; the service will close the window as soon as the vendor lets it"
    if failure is not None:
        step, exc = failure
        state = "was closed again" if window["closed"] else "could not be closed yet; the service will close it"
        return results.api_failure(exc, ctx.version, prefix=f"Failed while {step}: ",
                                   suffix=f" The unmasking window {state}.", extra={"unmasking_window": window})
    return results.success({**read, "unmasking_window": window}, ctx.version)


async def _close(ctx: CallContext, spec: PiiUnmasking, subject: str, pending_id: str) -> bool:
    """Close the window; True once it is closed (or there is nothing to close)."""
    try:
        await ctx.vendor.call(_op(ctx.catalogue, spec.close), ctx.account, {spec.subject: subject})
    except ApiError as exc:
        if exc.vendor_status != 404:
            log.warning("could not close an unmasking window (HTTP %s); the sweeper will retry", exc.status)
            return False
    await ctx.store.forget_unmasking_window(pending_id)
    return True

