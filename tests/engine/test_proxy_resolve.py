"""Proxy addressing: resource, id and :method to a catalogue operation and its parameters."""

from __future__ import annotations

import pytest

from unified.catalogue.loader import load_all
from unified.engine.paging import page_size
from unified.engine.proxy import list_envelope, parse_limit, resolve
from unified.errors import ApiError

CATALOGUE = load_all()["kustomer"]


def tool(http: str, rest: str, **query: str) -> str:
    return resolve(CATALOGUE, http, rest, query).op.tool_name


def test_verbs_pick_the_standard_methods():
    assert tool("GET", "conversations") == "list_all_kustomer_conversations"
    assert tool("POST", "conversations") == "create_a_kustomer_conversation"
    assert tool("GET", "conversations/abc") == "get_single_kustomer_conversation_by_id"
    assert tool("PUT", "conversations/abc") == "update_a_kustomer_conversation_by_id"
    assert tool("PATCH", "notes/abc") == "update_a_kustomer_note_by_id"
    assert tool("DELETE", "conversations/abc") == "delete_a_kustomer_conversation_by_id"


def test_a_post_list_is_reached_by_post_on_the_collection():
    assert tool("POST", "search_conversations") == "list_all_kustomer_search_conversations"


def test_custom_methods():
    assert tool("GET", "customers:using_email", email="a@b.test") == "kustomer_customers_using_email"
    call = resolve(CATALOGUE, "POST", "messages/m1:redact", {})
    assert call.op.tool_name == "kustomer_messages_redact" and call.path_params == {"id": "m1"}
    assert tool("POST", "customers:using_email", email="x") == "kustomer_customers_using_email"  # POST allowed too


def test_item_id_fills_the_last_placeholder_and_query_the_others():
    call = resolve(CATALOGUE, "GET", "custom_objects/o1", {"name": "order", "integrated_account_id": "acc",
                                                          "limit": "3", "extra": "kept"})
    assert call.path_params == {"name": "order", "id": "o1"}
    assert call.query == {"extra": "kept"}  # reserved and path names are not forwarded
    call = resolve(CATALOGUE, "GET", "conversation_messages", {"id": "c1"})
    assert call.path_params == {"id": "c1"} and call.query == {}


def test_following_a_cursor_needs_no_placeholders():
    call = resolve(CATALOGUE, "GET", "conversation_messages", {"next_cursor": "x"})
    assert call.op.tool_name == "list_all_kustomer_conversation_messages"
    with pytest.raises(ApiError) as error:  # but only lists follow cursors
        resolve(CATALOGUE, "GET", "customers:using_email", {"next_cursor": "x"})
    assert error.value.status == 400


@pytest.mark.parametrize("http,rest,query,status,pointer", [
    ("GET", "", {}, 404, None),
    ("GET", "nope", {}, 404, None),
    ("GET", "a/b/c", {}, 404, None),
    ("GET", "conversations//x", {}, 404, None),
    ("GET", "customers:nope", {}, 404, None),
    ("POST", "tags", {}, 405, None),
    ("GET", "me/abc", {}, 405, None),
    ("GET", "custom_objects", {}, 400, "/name"),
    ("DELETE", "customers:bulk_delete", {}, 400, "/ids"),
])
def test_mistakes(http, rest, query, status, pointer):
    with pytest.raises(ApiError) as error:
        resolve(CATALOGUE, http, rest, query)
    assert error.value.status == status
    if pointer:
        assert error.value.pointer == pointer


@pytest.mark.parametrize("raw,expected", [(None, None), ("1", 1), ("250", 250)])
def test_limits(raw, expected):
    assert parse_limit({} if raw is None else {"limit": raw}) == expected


@pytest.mark.parametrize("raw", ["0", "-5", "x", "2.5", ""])
def test_bad_limits(raw):
    with pytest.raises(ApiError) as error:
        parse_limit({"limit": raw})
    assert error.value.status == 400 and error.value.pointer == "/limit"


def test_page_size_is_clamped_to_the_vendor_maximum():
    pagination = CATALOGUE.operations["list_all_kustomer_conversations"].pagination
    assert page_size(pagination, None) == 100
    assert page_size(pagination, 7) == 7
    assert page_size(pagination, 10_000) == 100
    assert page_size(CATALOGUE.operations["list_all_kustomer_audit_logs"].pagination, 10_000) == 1000


def test_envelope():
    assert list_envelope([1, 2], "n", None) == {"result": [1, 2], "next_cursor": "n", "prev_cursor": None,
                                                "result_count": 2}
