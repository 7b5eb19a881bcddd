"""Render every failure as RFC 9457 problem details; stack traces stay in the server log."""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from unified.errors import ApiError

log = logging.getLogger("unified")
PROBLEM_JSON = "application/problem+json"


def problem_response(error: ApiError) -> Response:
    return Response(error.problem(), status_code=error.status, headers=error.headers, media_type=PROBLEM_JSON)


def handle_api_error(_: Request, exc: ApiError) -> Response:
    return problem_response(exc)


def handle_http_exception(_: Request, exc: HTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    errors = None
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        errors = [e for e in exc.extra if isinstance(e, dict)]
    return problem_response(ApiError(exc.status_code, detail, errors=errors, headers=dict(exc.headers or {})))


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(ApiError(500, "internal error; the server log has the details"))


EXCEPTION_HANDLERS = {ApiError: handle_api_error, HTTPException: handle_http_exception, Exception: handle_unexpected}
