"""The one error shape of every face: RFC 9457 problem details.

``ApiError`` is raised anywhere in the engine and rendered once, at the edge. Vendor errors
keep the vendor's status and body under ``vendor`` and set ``from_vendor``; stack traces and
secrets never get in."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        pointer: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        vendor_status: int | None = None,
        vendor_body: Any = None,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _title(status)
        self.pointer = pointer
        self.errors = errors
        self.vendor_status = vendor_status
        self.vendor_body = vendor_body
        self.headers = headers or {}
        self.code = code

    @property
    def from_vendor(self) -> bool:
        return self.vendor_status is not None

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:unified:problem:{self.code or _slug(self.status)}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "from_vendor": self.from_vendor,
        }
        if self.pointer is not None:
            body["pointer"] = self.pointer
        if self.errors:
            body["errors"] = self.errors
        if self.from_vendor:
            body["vendor"] = {"status": self.vendor_status, "body": self.vendor_body}
        return body


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _slug(status: int) -> str:
    return _title(status).lower().replace(" ", "-").replace("'", "")


def bad_request(detail: str, pointer: str | None = None) -> ApiError:
    return ApiError(400, detail, pointer=pointer)


def not_found(detail: str) -> ApiError:
    return ApiError(404, detail)
