"""Guessing API keys and MCP tokens gets an attacker nothing.

* Stored hashed: the rows hold a SHA-256 digest and a short display prefix, never the secret.
* Looked up by hash: the plaintext never reaches the database (not even its query log), and the
  one direct comparison of digests is ``hmac.compare_digest``.
* One answer for every failure: unknown key, right prefix with a wrong rest, revoked, malformed
  or missing all give byte-identical status, body and headers; the same for MCP URLs.
* No timing signal: the median time of "unknown" and "known prefix, wrong rest" differ by far
  less than a generous bound (figures printed).
* No lock-out: a flood of wrong guesses neither blocks nor slows the real key.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from app.helpers import Caller, Harness
from sqlalchemy import event, text

from unified.sandbox.process import SandboxProcess
from unified.store import tokens

from .support import mcp_post, rpc, stable

TIMING_SAMPLES = 300
TIMING_BOUND_SECONDS = 0.005  # generous: a hash lookup either way; real leaks are per-byte microseconds
FLOOD = 400


def _other_secret_with_prefix(secret: str) -> str:
    """The same display prefix and length as ``secret``, a different rest."""
    prefix = tokens.display_prefix(secret)
    while True:
        candidate = prefix + secrets.token_urlsafe(64)[: len(secret) - len(prefix)]
        if candidate != secret:
            return candidate


async def _rows(harness: Harness, table: str) -> list[dict[str, Any]]:
    async with harness.store._db.read() as conn:
        return [dict(r._mapping) for r in await conn.execute(text(f"SELECT * FROM {table}"))]


def _windows(secret: str, size: int = 8) -> Iterator[str]:
    for start in range(len(secret) - size + 1):
        yield secret[start:start + size]


def _assert_not_stored(rows: list[dict[str, Any]], secret: str, prefix: str) -> None:
    """No column holds the secret or any 8-character piece of its non-prefix part."""
    stored = " ".join(str(v) for row in rows for v in row.values())
    assert secret not in stored
    assert not [w for w in _windows(secret[len(prefix):]) if w in stored]


async def test_api_keys_and_mcp_tokens_are_stored_as_hashes(harness: Harness, caller: Caller,
                                                             roomy_sandbox: SandboxProcess) -> None:
    created = (await caller.post("/admin/api-keys", json={"name": "hashed"})).json()
    account = await caller.connect(roomy_sandbox)
    server = (await caller.post("/admin/mcp-servers", json={"integrated_account_id": account.id})).json()
    for table, id_, secret, hash_column, prefix_column in (
        ("api_keys", created["id"], created["api_key"], "key_hash", "prefix"),
        ("mcp_servers", server["id"], server["token"], "token_hash", "token_prefix"),
    ):
        rows = await _rows(harness, table)
        [row] = [r for r in rows if r["id"] == id_]
        assert row[hash_column] == hashlib.sha256(secret.encode()).hexdigest()
        assert row[prefix_column] == secret[: tokens.DISPLAY_LENGTH]
        assert len(secret) >= 40  # 256 random bits behind the prefix: the digest cannot be inverted
        _assert_not_stored(rows, secret, row[prefix_column])
    listed = (await caller.get("/admin/api-keys")).json()["result"]
    assert created["api_key"] not in str(listed)
    assert server["token"] not in (await caller.get(f"/admin/mcp-servers/{server['id']}")).text


@contextmanager
def _statements(harness: Harness) -> Iterator[list[str]]:
    """Every SQL statement and its parameters, as sent to the database driver."""
    seen: list[str] = []
    engine = harness.store._db.engine.sync_engine

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append(f"{statement} {parameters!r}")

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_lookup_is_by_hash_and_the_compare_is_constant_time(harness: Harness, caller: Caller,
                                                                   roomy_sandbox: SandboxProcess,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    account = await caller.connect(roomy_sandbox)
    server = (await caller.post("/admin/mcp-servers", json={"integrated_account_id": account.id})).json()
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    with _statements(harness) as sql:
        assert (await caller.get("/admin/api-keys")).status_code == 200
        assert (await mcp_post(harness.client, server["token"], rpc("tools/list"))).status_code == 200
    monkeypatch.undo()
    joined = "\n".join(sql)
    for secret in (caller.api_key, server["token"]):
        assert secret not in joined
        assert hashlib.sha256(secret.encode()).hexdigest() in joined  # found by its digest
    digests = {hashlib.sha256(s.encode()).hexdigest().encode() for s in (caller.api_key, server["token"])}
    assert {a for a, _ in compared} >= digests and all(a == b for a, b in compared)


def _api_key_attempts(real: str, revoked: str) -> dict[str, dict[str, str]]:
    """Authorization headers of every kind of wrong key (each must be refused the same way)."""
    return {
        "no such key": {"Authorization": f"Bearer {tokens.generate_token()}"},
        "known prefix, wrong rest": {"Authorization": f"Bearer {_other_secret_with_prefix(real)}"},
        "last character changed": {"Authorization": f"Bearer {real[:-1]}{'A' if real[-1] != 'A' else 'B'}"},
        "real key plus a character": {"Authorization": f"Bearer {real}x"},
        "real key truncated": {"Authorization": f"Bearer {real[:-5]}"},
        "display prefix only": {"Authorization": f"Bearer {tokens.display_prefix(real)}"},
        "revoked key": {"Authorization": f"Bearer {revoked}"},
        "malformed": {"Authorization": "Bearer not a key at all"},
        "very long": {"Authorization": "Bearer " + "uk_" + "A" * 8000},
        "wrong scheme": {"Authorization": f"Basic {real}"},
        "no scheme": {"Authorization": real},
        "empty bearer": {"Authorization": "Bearer "},
        "no header": {},
    }


async def test_every_wrong_api_key_gets_the_identical_answer(harness: Harness, caller: Caller) -> None:
    spare = (await caller.post("/admin/api-keys", json={"name": "to revoke"})).json()
    assert (await caller.delete(f"/admin/api-keys/{spare['id']}")).status_code == 200
    for url in ("/admin/accounts", "/proxy/brands?integrated_account_id=acc_00000000000000000000000000",
                "/unified/ticketing/tickets"):
        answers = {}
        for kind, headers in _api_key_attempts(caller.api_key, spare["api_key"]).items():
            resp = await harness.client.get(url, headers=headers)
            answers[kind] = stable(resp)
            assert resp.status_code == 401 and resp.headers["www-authenticate"] == "Bearer"
            assert caller.api_key not in resp.text and spare["api_key"] not in resp.text
        distinct = {answer for answer in answers.values()}
        assert len(distinct) == 1, {kind: answer[:2] for kind, answer in answers.items()}


async def test_every_wrong_mcp_url_gets_the_identical_answer(harness: Harness, caller: Caller,
                                                             roomy_sandbox: SandboxProcess) -> None:
    account = await caller.connect(roomy_sandbox)
    made = [(await caller.post("/admin/mcp-servers", json={"integrated_account_id": account.id})).json()
            for _ in range(3)]
    live, deleted, expiring = made
    assert (await caller.delete(f"/admin/mcp-servers/{deleted['id']}")).status_code == 200
    await harness.store.update_mcp_server(caller.tenant_id, expiring["id"], expires_at=_past())
    real = live["token"]
    attempts = {
        "no such token": tokens.generate_token("mcp_"),
        "known prefix, wrong rest": _other_secret_with_prefix(real),
        "last character changed": real[:-1] + ("A" if real[-1] != "A" else "B"),
        "real token plus a character": real + "x",
        "display prefix only": live["token_prefix"],
        "server id": live["id"],
        "deleted server": deleted["token"],
        "expired server": expiring["token"],
        "an API key": caller.api_key,
        "malformed": "not-a-token",
        "very long": "mcp_" + "A" * 4000,
    }
    answers = {}
    for kind, token in attempts.items():
        resp = await mcp_post(harness.client, token, rpc("tools/list"))
        answers[kind] = stable(resp)
        assert resp.status_code == 404, (kind, resp.text)
        assert real not in resp.text and token not in resp.text
    assert len(set(answers.values())) == 1, {kind: answer[:2] for kind, answer in answers.items()}
    assert (await mcp_post(harness.client, real, rpc("tools/list"))).status_code == 200


def _past() -> Any:
    from datetime import timedelta

    from unified.store.types import utcnow

    return utcnow() - timedelta(seconds=1)


async def _timed(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    resp = await client.get(url, headers=headers)
    elapsed = time.perf_counter() - start
    assert resp.status_code == 401
    return elapsed


async def test_no_timing_difference_between_unknown_and_known_prefix(harness: Harness, caller: Caller) -> None:
    client = harness.client
    unknown: list[float] = []
    near: list[float] = []
    for _ in range(20):  # warm-up: connection pools, caches
        await _timed(client, "/admin/accounts", {"Authorization": f"Bearer {tokens.generate_token()}"})
    for i in range(TIMING_SAMPLES):  # interleaved, so drift in machine load hits both alike
        pair = [(unknown, tokens.generate_token()), (near, _other_secret_with_prefix(caller.api_key))]
        for samples, key in pair if i % 2 else reversed(pair):
            samples.append(await _timed(client, "/admin/accounts", {"Authorization": f"Bearer {key}"}))
    median_unknown, median_near = statistics.median(unknown), statistics.median(near)
    difference = abs(median_unknown - median_near)
    print(f"\n[{harness.backend}] API key refusal, median of {TIMING_SAMPLES}: unknown key "
          f"{median_unknown * 1000:.3f} ms, known prefix + wrong rest {median_near * 1000:.3f} ms, "
          f"difference {difference * 1000:.3f} ms (bound {TIMING_BOUND_SECONDS * 1000:.0f} ms)")
    assert difference < TIMING_BOUND_SECONDS


async def test_a_flood_of_wrong_keys_does_not_lock_out_or_slow_the_real_one(harness: Harness,
                                                                            caller: Caller) -> None:
    client = harness.client

    async def real_request() -> float:
        start = time.perf_counter()
        resp = await caller.get("/admin/api-keys")
        assert resp.status_code == 200 and "retry-after" not in resp.headers
        return time.perf_counter() - start

    before = statistics.median([await real_request() for _ in range(30)])
    for i in range(FLOOD):
        wrong = _other_secret_with_prefix(caller.api_key) if i % 2 else tokens.generate_token()
        resp = await client.get("/admin/api-keys", headers={"Authorization": f"Bearer {wrong}"})
        assert resp.status_code == 401 and "retry-after" not in resp.headers
        assert caller.api_key not in resp.text
    after = statistics.median([await real_request() for _ in range(30)])
    print(f"\n[{harness.backend}] real key, median of 30: {before * 1000:.3f} ms before and "
          f"{after * 1000:.3f} ms after {FLOOD} wrong guesses")
    listed = (await caller.get("/admin/api-keys")).json()["result"]
    assert all(key["revoked_at"] is None for key in listed)  # nothing was revoked or disabled
