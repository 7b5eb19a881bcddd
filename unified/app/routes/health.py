"""GET /health: 200 when the store answers, 503 otherwise."""

from __future__ import annotations

from litestar import Request, Response, get

from unified.app.context import engine


@get("/health", tags=["health"], summary="Service and store health")
async def health(request: Request) -> Response:
    report = await engine(request).store.health()
    body = {"status": "ok" if report.ok else "unavailable", "store": {
        "ok": report.ok, "backend": report.backend, "schema_current": report.schema_current, "error": report.error}}
    return Response(body, status_code=200 if report.ok else 503)
