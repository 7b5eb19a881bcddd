"""Request ids and structured logs: every response carries X-Request-Id (errors and unknown
routes too), problems repeat it as ``request_id``, and each request writes one JSON access
line with that id, the tenant and the vendor's status, and nothing secret; `unified serve`
logs that way."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from unified.app.observability import JsonFormatter, RequestContext, loggable_path
from unified.store import generate_key

from .helpers import Account, Caller, Harness, problem


class Lines(logging.Handler):
    """The access lines written while it is installed, as the JSON formatter renders them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self.texts.append(text)
        self.lines.append(json.loads(text))


@contextmanager
def access_lines() -> Iterator[Lines]:
    logger = logging.getLogger("unified.access")
    handler, level = Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def line_for(lines: Lines, response: httpx.Response) -> dict[str, Any]:
    request_id = response.headers["x-request-id"]
    [line] = [entry for entry in lines.lines if entry.get("request_id") == request_id]
    return line


async def test_every_response_has_a_request_id(harness: Harness, caller: Caller) -> None:
    responses = [
        await harness.client.get("/health"),
        await harness.client.get("/admin/accounts"),  # 401
        await harness.client.get("/no/such/route"),  # 404 from the router
        await harness.client.put("/health"),  # 405 from the router
        await caller.get("/admin/accounts/acc_missing"),  # 404 from a handler
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert len(set(ids)) == len(ids) and all(len(i) == 32 for i in ids)
    assert [r.status_code for r in responses] == [200, 401, 404, 405, 404]
    for resp in responses[1:]:
        assert problem(resp, resp.status_code)["request_id"] == resp.headers["x-request-id"]


@pytest.mark.parametrize(("sent", "kept"), [
    ("lb-7f3a:2024/06/01+x=", True), ("a" * 128, True), ("a" * 129, False), ("two words", False),
    ("-leading-dash", False), ("<script>", False), ("", False),
])
async def test_incoming_request_id_is_kept_when_sane(harness: Harness, sent: str, kept: bool) -> None:
    resp = await harness.client.get("/health", headers={"X-Request-Id": sent})
    assert (resp.headers["x-request-id"] == sent) is kept
    assert len(resp.headers.get_list("x-request-id")) == 1


async def test_one_access_line_per_request(connected: Account) -> None:
    with access_lines() as lines:
        ok = await connected.proxy("GET", "brands", {"limit": 1})
        missing = await connected.proxy("GET", "conversations/" + "0" * 24)
        unknown = await connected.caller.client.get("/nowhere", params={"token": "s3cr3t-query"})
    assert (ok.status_code, missing.status_code, unknown.status_code) == (200, 404, 404)
    assert len(lines.lines) == 3
    first = line_for(lines, ok)
    assert first["logger"] == "unified.access" and first["level"] == "info" and first["message"] == "request"
    assert (first["method"], first["path"], first["status"]) == ("GET", "/proxy/brands", 200)
    assert first["tenant_id"] == connected.caller.tenant_id and first["vendor_status"] == 200
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] > 0
    second = line_for(lines, missing)
    assert (second["status"], second["vendor_status"]) == (404, 404)
    third = line_for(lines, unknown)
    assert third["path"] == "/nowhere" and "tenant_id" not in third and "vendor_status" not in third
    everything = "\n".join(lines.texts)
    for secret in (connected.caller.api_key, "s3cr3t-query", "integrated_account_id", "Bearer"):
        assert secret not in everything


async def test_log_lines_inside_a_request_carry_its_id() -> None:
    """Any record written while a request runs gets its id, not only the access line."""
    texts: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            texts.append(JsonFormatter().format(record))

    async def app(scope: Any, receive: Any, send: Any) -> None:
        logging.getLogger("unified.somewhere").warning("inside %s", "the handler")
        await send({"type": "http.response.start", "status": 204, "headers": [(b"x-request-id", b"forged")]})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    handler, logger = Keep(), logging.getLogger("unified")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        scope = {"type": "http", "method": "GET", "path": "/x", "headers": [(b"x-request-id", b"trace-me-42")]}
        await RequestContext(app)(scope, None, send)
        logging.getLogger("unified.elsewhere").warning("outside any request")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    parsed = [json.loads(t) for t in texts]
    inside = next(p for p in parsed if p["message"] == "inside the handler")
    assert inside["request_id"] == "trace-me-42" and inside["logger"] == "unified.somewhere"
    access = next(p for p in parsed if p["logger"] == "unified.access")
    assert (access["request_id"], access["status"], access["path"]) == ("trace-me-42", 204, "/x")
    outside = next(p for p in parsed if p["message"] == "outside any request")
    assert "request_id" not in outside and outside["level"] == "warning"
    # the app's own X-Request-Id header is replaced by ours, not doubled
    assert [v for k, v in sent[0]["headers"] if k == b"x-request-id"] == [b"trace-me-42"]


def test_mcp_tokens_are_not_logged_in_paths() -> None:
    assert loggable_path("/mcp/mcp_abc123secret") == "/mcp/{token}"
    assert loggable_path("/mcp/mcp_abc123secret/extra") == "/mcp/{token}/extra"
    assert loggable_path("/proxy/customers") == "/proxy/customers"
    assert len(loggable_path("/x" * 1000)) == 303


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_writes_json_lines_with_request_ids(tmp_path: Path) -> None:
    """`unified serve` for real: its stderr is JSON lines, the access line has the response's id."""
    port = _free_port()
    env = {**os.environ, "UNIFIED_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
           "UNIFIED_ENCRYPTION_KEYS": generate_key(), "UNIFIED_KEY_FILE": str(tmp_path / "unused.key")}
    log_file = tmp_path / "stderr.log"
    with log_file.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "unified", "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            resp = None
            for _ in range(300):
                try:
                    resp = httpx.get(f"http://127.0.0.1:{port}/health?secret=q", headers={"X-Request-Id": "serve-1"})
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert resp is not None and resp.status_code == 200 and resp.headers["x-request-id"] == "serve-1"
            time.sleep(0.3)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]
    access = [entry for entry in lines if entry.get("logger") == "unified.access"]
    assert [(a["request_id"], a["path"], a["status"]) for a in access] == [("serve-1", "/health", 200)]
    assert "secret=q" not in log_file.read_text()
