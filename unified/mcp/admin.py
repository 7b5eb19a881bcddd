"""Rules shared by the admin API and the CLI: a server must expose at least one tool, may
expire no sooner than a minute from now, and is shown with its URL (the token only once)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from unified.catalogue.loader import Catalogue
from unified.errors import ApiError
from unified.mcp import scope
from unified.mcp.toolset import ToolSet
from unified.store import McpServer
from unified.store.types import utcnow

PUBLIC_URL_ENV = "UNIFIED_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
MIN_LIFETIME = timedelta(seconds=60)


def public_url() -> str:
    return os.environ.get(PUBLIC_URL_ENV, DEFAULT_PUBLIC_URL).rstrip("/")


def server_url(token: str) -> str:
    return f"{public_url()}/mcp/{token}"


def check_filters(catalogue: Catalogue, methods: Sequence[str] | None, tags: Sequence[str] | None) -> None:
    problems = scope.problems(catalogue, methods, tags)
    if problems:
        raise ApiError(400, "; ".join(problems), pointer="/methods" if problems[0].startswith("methods") else "/tags")


def check_expiry(expires_at: datetime | None, now: datetime | None = None) -> None:
    if expires_at is None:
        return
    if expires_at.tzinfo is None:
        raise ApiError(400, "expires_at needs a time zone, e.g. 2026-12-31T23:59:59Z", pointer="/expires_at")
    if expires_at < (now or utcnow()) + MIN_LIFETIME:
        raise ApiError(400, "expires_at must be at least 60 seconds in the future", pointer="/expires_at")


def server_view(server: McpServer, catalogue: Catalogue | None = None, *, token: str | None = None,
                now: datetime | None = None) -> dict[str, Any]:
    """The server as the API and CLI show it; ``token`` and ``url`` appear only at creation."""
    now = now or utcnow()
    view: dict[str, Any] = {
        "id": server.id, "name": server.name, "integrated_account_id": server.integrated_account_id,
        "methods": list(server.methods) if server.methods is not None else None,
        "tags": list(server.tags) if server.tags is not None else None,
        "tool_exposure": server.tool_exposure, "require_api_token_auth": server.require_api_token_auth,
        "expires_at": server.expires_at, "expired": server.expires_at is not None and server.expires_at <= now,
        "token_prefix": server.token_prefix, "created_at": server.created_at, "updated_at": server.updated_at,
    }
    if catalogue is not None:
        view["tool_count"] = len(ToolSet.for_server(server, catalogue).callable)
    if token is not None:
        view["token"] = token
        view["url"] = server_url(token)
    return view
