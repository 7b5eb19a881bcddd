"""Request ids and one structured log line per request.

Every request gets an id: the caller's ``X-Request-Id`` when it is a sane token (so a
client's or a load balancer's id carries through), otherwise a fresh one. It is returned as
``X-Request-Id`` on every response, errors and unknown routes included, is added to
problem bodies as ``request_id``, and is attached to every log line written while the
request runs, so one grep finds everything about one request.

The access line says what happened without saying anything secret: method, the path
without its query string (an MCP path's token replaced), status, duration, tenant and the
vendor's status when the handlers noted them. Headers, query strings and bodies are never
logged: they are where API keys, tokens and personal data travel.

This is a plain ASGI wrapper around the whole app rather than a Litestar middleware, because
Litestar only runs middleware for matched routes, and 404s and 405s need the id too.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import secrets
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from unified.store.tokens import redact

REQUEST_ID_HEADER = "X-Request-Id"
_HEADER_BYTES = REQUEST_ID_HEADER.lower().encode()
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")
_MCP_PATH = re.compile(r"^/mcp/[^/]+")
MAX_LOGGED_PATH = 300

access_log = logging.getLogger("unified.access")


@dataclass
class RequestInfo:
    """What is known about the request being served; handlers fill in what they learn."""

    request_id: str
    tenant_id: str | None = None
    vendor_status: int | None = None


_current: ContextVar[RequestInfo | None] = ContextVar("unified_request", default=None)


def current_request_id() -> str | None:
    info = _current.get()
    return info.request_id if info else None


def note(*, tenant_id: str | None = None, vendor_status: int | None = None) -> None:
    """Record what a handler learnt about the request, for its log line (no-op outside a request)."""
    info = _current.get()
    if info is None:
        return
    if tenant_id is not None:
        info.tenant_id = tenant_id
    if vendor_status is not None:
        info.vendor_status = vendor_status


def request_id_from(scope: Scope) -> str:
    """The caller's id when it is a plain token of at most 128 characters, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == _HEADER_BYTES:
            text = value.decode("latin-1").strip()
            if _SANE_ID.fullmatch(text):
                return text
            break
    return secrets.token_hex(16)


def loggable_path(path: str) -> str:
    """The path as logged: an MCP URL's token is a credential, so it is replaced."""
    path = redact(_MCP_PATH.sub("/mcp/{token}", path))  # also a key or token pasted where an id belongs
    return path if len(path) <= MAX_LOGGED_PATH else path[:MAX_LOGGED_PATH] + "..."


class RequestContext:
    """ASGI wrapper: assigns the request id, returns it, logs one line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = RequestInfo(request_id_from(scope))
        token = _current.set(info)
        status: int | None = None
        started = time.perf_counter()
        header = (_HEADER_BYTES, info.request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0].lower() != _HEADER_BYTES]
                message = {**message, "headers": [*headers, header]}  # type: ignore[typeddict-item]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info("request", extra={"fields": {
                "request_id": info.request_id, "method": scope.get("method"), "path": loggable_path(scope.get("path", "")),
                "status": status if status is not None else 500,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "tenant_id": info.tenant_id, "vendor_status": info.vendor_status,
            }})
            _current.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id when inside a
    request, any ``extra={"fields": {...}}``, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if v is not None})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def json_log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` that writes every record to stderr as JSON lines.

    Given to uvicorn as ``log_config``, so each worker process configures itself the same way."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {name: {"level": "WARNING"} for name in ("httpx", "httpcore")},
    }


def configure_json_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for this process (``unified serve`` before it starts workers)."""
    logging.config.dictConfig(json_log_config(level))
