"""Oversized bodies get a 413 before they are read whole (with or without Content-Length), and
JSON nested deeper than the limit gets a clear 400 on the unified, proxy and MCP faces
instead of a recursion error."""

from __future__ import annotations

from typing import Any

import pytest

from unified.app.factory import MAX_BODY_BYTES
from unified.app.limits import MAX_JSON_DEPTH, NestingTooDeep, check_json_depth, json_depth

from .helpers import Account, Harness, problem

CHUNK = 64 * 1024


def nested(depth: int) -> bytes:
    """An object whose ``name`` holds ``depth - 1`` nested arrays: ``depth`` levels in all."""
    return b'{"name": ' + b"[" * (depth - 1) + b"1" + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize(("raw", "depth"), [
    (b"1", 0), (b'"[[[["', 0), (b"{}", 1), (b'[{"a": [1, {"b": []}]}]', 5),
    (b'["]]]]", [[1]]]', 3), (b'{"a": "say \\"[[[\\" twice", "b": [[]]}', 3), (nested(70), 70),
])
def test_json_depth_ignores_brackets_in_strings(raw: bytes, depth: int) -> None:
    assert json_depth(raw) == depth


def test_check_json_depth_limit_is_inclusive() -> None:
    check_json_depth(nested(MAX_JSON_DEPTH))
    check_json_depth(b"[" + b"1," * 10_000 + b"1]")  # many brackets are fine when flat
    check_json_depth(b"[" + b"[1]," * 10_000 + b"[1]]")
    with pytest.raises(NestingTooDeep, match=f"more than {MAX_JSON_DEPTH} levels"):
        check_json_depth(nested(MAX_JSON_DEPTH + 1))


async def test_declared_oversized_body_is_413(connected: Account) -> None:
    body = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    for path in ("/proxy/customers", "/unified/ticketing/tickets"):
        resp = await connected.call("POST", path, content=body, headers={"Content-Type": "application/json"})
        assert "too large" in problem(resp, 413)["detail"].lower()
        assert resp.headers["x-request-id"]


async def asgi_post(harness: Harness, path: str, query: str, headers: dict[str, str],
                    chunks: int) -> tuple[int, dict[str, Any], int]:
    """POST ``chunks`` chunks of 64 KiB without Content-Length, straight to the ASGI app (as
    uvicorn hands over a chunked body); returns status, JSON body and how many chunks the app read."""
    import httpx

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in
                         {**headers, "transfer-encoding": "chunked", "content-type": "application/json"}.items()],
             "client": ("127.0.0.1", 50000), "server": ("testserver.local", 80), "state": {}}
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > chunks:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": b"[" if pulled == 1 else b" " * CHUNK, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with harness.client.portal() as portal:
        portal.call(harness.app, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers_out = dict(start["headers"])
    assert headers_out[b"x-request-id"]
    return start["status"], httpx.Response(start["status"], content=body).json(), pulled


async def test_chunked_oversized_body_is_cut_off_early(harness: Harness, connected: Account) -> None:
    offered = 1000  # 62.5 MiB offered; the app must stop after about 1 MiB
    auth = {"authorization": f"Bearer {connected.caller.api_key}"}
    status, body, pulled = await asgi_post(harness, "/proxy/customers", f"integrated_account_id={connected.id}",
                                           auth, offered)
    assert status == 413 and body["status"] == 413 and "too large" in body["detail"].lower()
    assert pulled <= MAX_BODY_BYTES // CHUNK + 2, pulled
    # under the limit, the same chunked upload is read to the end (and then refused as bad JSON)
    status, body, pulled = await asgi_post(harness, "/proxy/customers", f"integrated_account_id={connected.id}",
                                           auth, 4)
    assert (status, pulled) == (400, 4) and "not valid JSON" in body["detail"]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000, 200_000])
async def test_deep_json_is_400_on_unified_and_proxy(connected: Account, depth: int) -> None:
    for path in ("/proxy/customers", "/unified/ticketing/tickets", "/unified/ticketing/contacts"):
        resp = await connected.call("POST", path, content=nested(depth), headers={"Content-Type": "application/json"})
        body = problem(resp, 400)
        assert body["detail"] == f"the JSON body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep"
        assert body["pointer"] == "" and body["type"].endswith("json-too-deep")


async def test_depth_at_the_limit_and_brackets_in_strings_pass(connected: Account) -> None:
    resp = await connected.proxy("POST", "customers", json={"name": "[" * 70 + "{" * 70})
    assert resp.status_code == 201, resp.text
    resp = await connected.call("POST", "/proxy/customers", content=nested(MAX_JSON_DEPTH),
                                headers={"Content-Type": "application/json"})
    # not refused for its depth: it reaches the vendor, which refuses a name that is not a string
    assert "levels deep" not in resp.text and resp.status_code == 400 and resp.json()["from_vendor"] is True


async def test_deep_json_is_a_json_rpc_error_on_mcp(connected: Account) -> None:
    created = await connected.caller.post("/admin/mcp-servers", json={"integrated_account_id": connected.id})
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    deep = b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": ' + nested(20_000) + b"}"
    resp = await connected.caller.client.post(f"/mcp/{token}", content=deep,
                                              headers={"Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error["code"] == -32600 and f"more than {MAX_JSON_DEPTH} levels" in error["message"]
    ok = await connected.caller.client.post(f"/mcp/{token}", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert ok.status_code == 200 and ok.json()["result"] == {}
