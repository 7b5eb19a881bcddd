"""The sandbox as a plain ASGI application.

Plain ASGI rather than a framework because the sandbox must misbehave on purpose: drop
connections mid-body, hang, and send broken JSON, which frameworks rightly make hard."""

from __future__ import annotations

import asyncio
import hmac
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from unified.catalogue.loader import Catalogue, CatalogueOperation
from unified.sandbox.faults import Faults
from unified.sandbox.handlers import CHOOSERS, FILE_ROUTE, HANDLERS
from unified.sandbox.http import Ctx, KustomerError, Reply, bad_request
from unified.sandbox.router import Router
from unified.sandbox.state import SandboxState

CONTROL_PREFIX = "/__sandbox"
_encoder = msgspec.json.Encoder()


class DroppedConnection(Exception):
    """Raised after a partial response so the server closes the socket mid-body."""


class SandboxApp:
    def __init__(self, state: SandboxState, catalogue: Catalogue, faults: Faults | None = None) -> None:
        self.state = state
        self.catalogue = catalogue
        self.router = Router(catalogue, CHOOSERS)
        self.limits = state.limiter
        self.faults = faults or Faults()
        missing = [name for name, op in catalogue.operations.items()
                   if name not in HANDLERS]
        if missing:
            raise RuntimeError(f"sandbox has no handler for: {', '.join(sorted(missing))}")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        reply = await self.handle(scope, headers, body)
        if reply is None:  # a dropped connection
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
            await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
            raise DroppedConnection("fault injection: connection dropped")
        await _send(send, reply)

    async def handle(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> Reply | None:
        path: str = scope["path"]
        method: str = scope["method"].upper()
        rate_headers: dict[str, str] = {}
        try:
            self._authenticate(headers)
            if path.startswith(CONTROL_PREFIX):
                from unified.sandbox.control import control

                return control(self, method, path[len(CONTROL_PREFIX):], _parse_json(body))
            rate_headers = self.limits.org()
            fault = self.faults.draw(path)
            delay = self.faults.latency()
            if delay:
                await asyncio.sleep(delay)
            if fault is not None:
                if fault.kind == "drop":
                    return None
                if fault.kind == "timeout":
                    await asyncio.sleep(self.faults.config.timeout_seconds)
                elif fault.kind == "malformed":
                    return Reply(200, raw=b'{"data": {"type": "conversation", "id": ', headers=rate_headers)
                elif fault.kind == "error":
                    raise KustomerError(fault.status, "Injected fault: the sandbox was told to fail this request")
            reply = self._dispatch(scope, headers, method, path, body)
        except KustomerError as exc:
            reply = Reply(exc.status, exc.body(), headers=dict(exc.headers))
        reply.headers = {**(rate_headers or self.limits.peek()), **reply.headers}
        return reply

    def _authenticate(self, headers: dict[str, str]) -> None:
        auth = headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise KustomerError(401, "Missing bearer token: send Authorization: Bearer <API key>")
        if not hmac.compare_digest(token.strip().encode(), self.state.api_key.encode()):
            raise KustomerError(401, "Invalid API key")

    def _dispatch(self, scope: dict[str, Any], headers: dict[str, str], method: str, path: str,
                  raw_body: bytes) -> Reply:
        if len(raw_body) > self.state.settings.max_body_bytes:
            raise KustomerError(413, f"Request body exceeds {self.state.settings.max_body_bytes // 1024}kb")
        if path.startswith(FILE_ROUTE.prefix) and method == "GET":
            return FILE_ROUTE.serve(self.state, path, _query(scope))
        body = _parse_json(raw_body) if raw_body.strip() else None
        match = self.router.match(method, path, body)
        if match is None:
            raise KustomerError(404, f"No route for {method} {path}")
        op = match.op
        query = _query(scope)
        _check_query(op, query)
        if op.body is not None:
            if body is None:
                if op.body_required:
                    raise bad_request("A JSON request body is required", pointer="")
            else:
                _check_body(self.router, op, body)
        host = headers.get("host", "127.0.0.1")
        ctx = Ctx(self.state, op, match.params, query, body, path, f"http://{host}", self.state.now())
        with self.state.lock:
            reply = HANDLERS[op.tool_name](ctx)
        if reply.status == 200:  # handlers answer 200; the catalogue knows Kustomer's 201/204
            reply.status = op.status
        return reply


def _query(scope: dict[str, Any]) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))


def _parse_json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise bad_request(f"Request body is not valid JSON: {exc}") from None


def _check_query(op: CatalogueOperation, query: dict[str, str]) -> None:
    for name in op.query_required:
        if not query.get(name):
            raise bad_request(f"query parameter {name} is required", parameter=name)
    for name, value in query.items():
        schema = op.query.get(name)
        if not schema:
            continue
        kind = schema.get("type")
        if kind == "integer":
            try:
                int(value)
            except ValueError:
                raise bad_request(f"{name} must be an integer", parameter=name) from None
        elif kind == "boolean" and value.lower() not in ("true", "false"):
            raise bad_request(f"{name} must be true or false", parameter=name)
        if "enum" in schema and value not in [str(v) for v in schema["enum"]]:
            raise bad_request(f"{name} must be one of {schema['enum']}", parameter=name)


def _check_body(router: Router, op: CatalogueOperation, body: Any) -> None:
    validator = router.validators[op.tool_name]
    error = next(iter(sorted(validator.iter_errors(body), key=lambda e: len(list(e.path)))), None)
    if error is not None:
        pointer = "".join(f"/{p}" for p in error.absolute_path)
        raise bad_request(f"Invalid request body: {error.message}", pointer=pointer)


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _send(send: Any, reply: Reply) -> None:
    if reply.raw is not None:
        payload = reply.raw
    elif reply.body is None or reply.status == 204:
        payload = b""
    else:
        payload = _encoder.encode(reply.body)
    headers = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in reply.headers.items()]
    if reply.status != 204:
        headers.append((b"content-type", reply.content_type.encode("latin-1")))
        headers.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload if reply.status != 204 else b""})
