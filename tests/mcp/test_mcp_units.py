"""Pieces of the MCP face that HTTP tests cannot pin down on their own."""

from __future__ import annotations

import asyncio

import pytest

from unified.catalogue.loader import load_all
from unified.errors import ApiError
from unified.mcp import results
from unified.mcp.arguments import ArgumentError, split
from unified.mcp.context import Detached
from unified.mcp.scope import problems
from unified.mcp.tools import object_body, operation_tools

CATALOGUE = load_all()["kustomer"]
TOOLS = operation_tools(CATALOGUE)


async def test_detached_work_finishes_when_its_caller_is_cancelled() -> None:
    # what keeps an unmasking window's close running when a request is torn down
    finished = asyncio.Event()

    async def work() -> int:
        await asyncio.sleep(0.2)
        finished.set()
        return 1

    caller = asyncio.create_task(Detached().run(work()))
    await asyncio.sleep(0.05)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await asyncio.wait_for(finished.wait(), timeout=2)


def test_one_of_bodies_merge_properties_and_keep_only_shared_required_fields() -> None:
    body = {"oneOf": [
        {"type": "object", "properties": {"a": {}, "b": {}}, "required": ["a"], "additionalProperties": False},
        {"type": "object", "properties": {"b": {}, "c": {}}, "required": ["b"], "additionalProperties": False},
    ]}
    assert object_body(body) == ({"a": {}, "b": {}, "c": {}}, set(), False)
    assert object_body({"type": "array", "items": {}}) is None
    assert object_body({"type": "object"}) is None  # free-form: stays under `body`


def test_split_routes_arguments_and_validates_the_body_as_one_document() -> None:
    call = split(TOOLS["update_a_kustomer_conversation_by_id"], {"id": "c1", "replace": True, "status": "done"})
    assert (call.path, call.query, call.body) == ({"id": "c1"}, {"replace": True}, {"status": "done"})
    renamed = split(TOOLS["create_a_kustomer_conversation_note"], {"id": "conv", "body_id": "n1", "body": "hi"})
    assert renamed.path == {"id": "conv"} and renamed.body == {"id": "n1", "body": "hi"}
    with pytest.raises(ArgumentError) as caught:
        split(TOOLS["update_a_kustomer_conversation_by_id"], {"id": "c1", "customer": "x" * 24, "status": "done"})
    assert caught.value.problems  # both oneOf branches fail: reported, not sent
    following = split(TOOLS["list_all_kustomer_customer_conversations"], {"next_cursor": "abc"})
    assert following.cursor == "abc" and following.path == {}  # the cursor carries the id


def test_filters_report_typos_and_empty_scopes() -> None:
    assert problems(CATALOGUE, ["read"], ["conversations"]) == []
    assert "'lsit'" in problems(CATALOGUE, ["lsit"], None)[0]
    assert "match no tool" in problems(CATALOGUE, ["custom"], ["drafts"])[0]
    assert "no Kustomer tool has the tag" in problems(CATALOGUE, None, ["brands"])[0]


def test_retry_after_prefers_the_vendor_header_then_the_reset() -> None:
    assert results.retry_after_seconds(ApiError(429, "x", headers={"Retry-After": "7", "ratelimit-reset": "9"})) == 7
    assert results.retry_after_seconds(ApiError(429, "x", headers={"ratelimit-reset": "9"})) == 9
    assert results.retry_after_seconds(ApiError(429, "x")) == results.DEFAULT_RETRY_SECONDS


def test_tool_sets_reuse_their_tools_so_nothing_grows_per_request() -> None:
    from datetime import UTC, datetime

    from unified.mcp.toolset import ToolSet
    from unified.store import McpServer

    now = datetime.now(UTC)
    server = McpServer(id="mcp_1", tenant_id="ten_1", integrated_account_id="acc_1", name="s", token_prefix="mcp_",
                       created_at=now, updated_at=now)
    discovery = McpServer(**{**{f: getattr(server, f) for f in server.__struct_fields__}, "tool_exposure": "discovery"})
    first, second = ToolSet.for_server(server, CATALOGUE), ToolSet.for_server(server, CATALOGUE)
    assert first.callable["read_unmasked_kustomer_customer"] is second.callable["read_unmasked_kustomer_customer"]
    assert first.callable["list_all_kustomer_brands"] is TOOLS["list_all_kustomer_brands"]
    assert ToolSet.for_server(discovery, CATALOGUE).listed[0] is ToolSet.for_server(discovery, CATALOGUE).listed[0]



@pytest.mark.parametrize("ref, message", [
    ("customers.fetch", "no catalogue operation 'customers.fetch'"),
    ("customers.create", "customers.create does not take 'id' in its path"),
    ("customer_unmasking_windows.delete", "is not a plain GET operation"),
])
def test_a_wrong_unmasking_reference_is_a_load_error_on_its_line(tmp_path, ref: str, message: str) -> None:
    import shutil

    from unified.catalogue.loader import PROJECT_ROOT, CatalogueError, load_catalogue

    provider = tmp_path / "kustomer"
    shutil.copytree(PROJECT_ROOT / "providers" / "kustomer", provider)
    text = (provider / "provider.yaml").read_text()
    (provider / "provider.yaml").write_text(text.replace("customer: customers.get", f"customer: {ref}"))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "customer: customers.get" in row)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(provider)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{provider / 'provider.yaml'}:{line}:") and message in str(problem)
