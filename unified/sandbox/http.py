"""Request context, replies and Kustomer's error bodies for the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from unified.catalogue.loader import CatalogueOperation
    from unified.sandbox.state import SandboxState

STATUS_TITLES = {
    400: ("bad_request", "Bad Request"),
    401: ("unauthorized", "Unauthorized"),
    404: ("not_found", "Not Found"),
    405: ("method_not_allowed", "Method Not Allowed"),
    409: ("conflict", "Conflict"),
    413: ("request_entity_too_large", "Request Entity Too Large"),
    415: ("unsupported_media_type", "Unsupported Media Type"),
    429: ("rate_limit_exceeded", "Too Many Requests"),
    500: ("internal_server_error", "Internal Server Error"),
    502: ("bad_gateway", "Bad Gateway"),
    503: ("service_unavailable", "Service Unavailable"),
}


class KustomerError(Exception):
    """An error Kustomer would answer with.

    Kustomer uses two bodies and clients must accept both: JSON:API error objects
    (``status, code, title, detail, source``) for most failures, and the simpler
    ``{code, message, meta}`` entries (we use it for rate limits)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        code: str | None = None,
        simple: bool = False,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.headers = headers or {}
        self.status = status
        self.detail = detail
        self.pointer = pointer
        self.parameter = parameter
        default_code, self.title = STATUS_TITLES.get(status, ("error", "Error"))
        self.code = code or default_code
        self.simple = simple
        self.meta = meta or {}

    def body(self) -> dict[str, Any]:
        if self.simple:
            return {"errors": [{"code": self.code, "message": self.detail, "meta": self.meta}]}
        entry: dict[str, Any] = {
            "status": self.status,
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
        }
        if self.pointer is not None:
            entry["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            entry["source"] = {"parameter": self.parameter}
        if self.meta:
            entry["meta"] = self.meta
        return {"errors": [entry]}


def not_found(kind: str, ident: str) -> KustomerError:
    return KustomerError(404, f"{kind} {ident} not found")


def bad_request(detail: str, pointer: str | None = None, parameter: str | None = None) -> KustomerError:
    return KustomerError(400, detail, pointer=pointer, parameter=parameter)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Ctx:
    """Everything a handler may read about one request."""

    state: SandboxState
    op: CatalogueOperation
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    path: str
    origin: str  # scheme://host:port, for absolute file URLs
    now: datetime

    def int_query(self, name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"{name} must be an integer", parameter=name) from None
        if value < minimum:
            raise bad_request(f"{name} must be at least {minimum}", parameter=name)
        if maximum is not None and value > maximum:
            value = maximum  # Kustomer's behaviour past the maximum is undocumented; we clamp
        return value

    def bool_query(self, name: str) -> bool | None:
        raw = self.query.get(name)
        if raw is None:
            return None
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise bad_request(f"{name} must be true or false", parameter=name)

    def link(self, path: str, **params: Any) -> str:
        """Relative link keeping the request's other query parameters, paging last."""
        kept = {k: v for k, v in self.query.items() if k not in params}
        kept.update({k: v for k, v in params.items() if v is not None})
        return f"{path}?{urlencode(kept)}" if kept else path
