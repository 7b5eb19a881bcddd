"""Cursors are tamper-proof and bound to the account and operation that made them."""

from __future__ import annotations

import base64
import json

import pytest
from litestar.testing import AsyncTestClient

from unified.app.factory import create_app
from unified.sandbox.process import SandboxProcess
from unified.store import StoreConfig, generate_key

from .helpers import Account, Harness, problem


def flip(text: str, index: int) -> str:
    """Change one character of a base64url string to another of the alphabet."""
    char = text[index]
    return text[:index] + ("B" if char != "B" else "C") + text[index + 1:]


async def next_cursor(account: Account, resource: str, **params: str) -> str:
    resp = await account.proxy("GET", resource, {"limit": 2, **params})
    assert resp.status_code == 200, resp.text
    cursor = resp.json()["next_cursor"]
    assert cursor
    return cursor


async def refused(account: Account, resource: str, cursor: str, param: str = "next_cursor") -> dict:
    body = problem(await account.proxy("GET", resource, {param: cursor}), 400)
    assert body["pointer"] == "/next_cursor"
    assert body["from_vendor"] is False
    return body


async def test_a_good_cursor_works_under_both_names(connected: Account):
    cursor = await next_cursor(connected, "conversations")
    a = await connected.proxy("GET", "conversations", {"next_cursor": cursor})
    b = await connected.proxy("GET", "conversations", {"cursor": cursor})
    assert a.status_code == b.status_code == 200 and a.json() == b.json()


async def test_flipped_characters_are_refused(connected: Account):
    cursor = await next_cursor(connected, "conversations")
    payload, signature = cursor.split(".")
    await refused(connected, "conversations", f"{flip(payload, len(payload) // 2)}.{signature}")
    await refused(connected, "conversations", f"{flip(payload, 0)}.{signature}")
    await refused(connected, "conversations", f"{payload}.{flip(signature, len(signature) // 2)}")
    await refused(connected, "conversations", f"{payload}.{flip(signature, 0)}")
    await refused(connected, "conversations", cursor[:-3])
    await refused(connected, "conversations", cursor + "A")


async def test_swapped_and_forged_payloads_are_refused(connected: Account):
    first = await next_cursor(connected, "conversations")
    other = await next_cursor(connected, "customers")
    await refused(connected, "conversations", f"{other.split('.')[0]}.{first.split('.')[1]}")
    # a forged state asking for page 3 with a copied signature
    state = json.loads(base64.urlsafe_b64decode(first.split(".")[0] + "=="))
    state["p"] = 3
    forged = base64.urlsafe_b64encode(json.dumps(state).encode()).rstrip(b"=").decode()
    await refused(connected, "conversations", f"{forged}.{first.split('.')[1]}")


@pytest.mark.parametrize("garbage", ["abc", "a.b.c", "..", ".", "é.é", "%%%.%%%", "x" * 5000, "A.A", "e30.AAAA"])
async def test_garbage_is_refused(connected: Account, garbage: str):
    await refused(connected, "conversations", garbage)


async def test_cursor_of_another_resource_is_refused(connected: Account):
    customers = await next_cursor(connected, "customers")
    body = await refused(connected, "conversations", customers)
    assert "another list" in body["detail"]
    conversation = (await connected.proxy("GET", "conversations", {"limit": 1})).json()["result"][0]["id"]
    messages = await next_cursor(connected, "conversation_messages", id=conversation, limit="1")
    await refused(connected, "conversation_notes", messages)
    await refused(connected, "customers", messages)


async def test_cursor_of_another_account_is_refused(harness: Harness, connected: Account,
                                                    roomy_sandbox: SandboxProcess):
    sibling = await connected.caller.connect(roomy_sandbox, name="second org")  # same tenant
    stranger = await (await harness.tenant()).connect(roomy_sandbox)           # another tenant
    mine = await next_cursor(connected, "conversations")
    await refused(sibling, "conversations", mine)
    await refused(stranger, "conversations", mine)
    await refused(connected, "conversations", await next_cursor(stranger, "conversations"))
    # and the cursor still works for its own account
    assert (await connected.proxy("GET", "conversations", {"next_cursor": mine})).status_code == 200


async def test_a_cursor_does_not_outlive_a_key_change(harness: Harness, connected: Account):
    """Another deployment (different keys, hence a different cursor secret) refuses our cursors."""
    cursor = await next_cursor(connected, "conversations")
    config = StoreConfig(harness.config.database_url, encryption_keys=(generate_key(), *harness.config.encryption_keys),
                         key_file=harness.config.key_file)
    async with AsyncTestClient(create_app(config)) as other:
        await refused(connected.on(other), "conversations", cursor)
