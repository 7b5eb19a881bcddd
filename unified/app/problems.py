"""Render every failure as RFC 9457 problem details; stack traces stay in the server log."""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from unified.app import observability
from unified.errors import ApiError
from unified.store import DecryptionError
from unified.store.tokens import redact

log = logging.getLogger("unified")
PROBLEM_JSON = "application/problem+json"


def problem_response(error: ApiError) -> Response:
    body = redact(error.problem())  # a token pasted where an id belongs is not echoed back
    observability.note(vendor_status=error.vendor_status)
    request_id = observability.current_request_id()
    if request_id:
        body["request_id"] = request_id  # the same id as the X-Request-Id header and the log lines
    return Response(body, status_code=error.status, headers=error.headers, media_type=PROBLEM_JSON)


def handle_api_error(_: Request, exc: ApiError) -> Response:
    return problem_response(exc)


def handle_http_exception(_: Request, exc: HTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    errors = None
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        errors = [e for e in exc.extra if isinstance(e, dict)]
    return problem_response(ApiError(exc.status_code, detail, errors=errors, headers=dict(exc.headers or {})))


def handle_undecryptable(_: Request, exc: DecryptionError) -> Response:
    """Keys were changed without rotating: say so plainly (the message names an account, never a key)."""
    log.error("%s", exc)
    return problem_response(ApiError(500, f"{exc}; check this instance's encryption keys (UNIFIED_ENCRYPTION_KEYS "
                                          "or the key file)", code="credentials-undecryptable"))


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(ApiError(500, "internal error; the server log has the details"))


EXCEPTION_HANDLERS = {ApiError: handle_api_error, HTTPException: handle_http_exception,
                      DecryptionError: handle_undecryptable, Exception: handle_unexpected}
