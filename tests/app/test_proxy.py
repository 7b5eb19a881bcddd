"""The proxy face: every catalogue resource reachable by its name, addressing rules, and
vendor answers passed through (bare bodies, statuses, 4xx with the vendor's body)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from unified.catalogue.loader import CatalogueOperation, load_all
from unified.sandbox.process import SandboxProcess, start_sandbox

from .helpers import Account, Harness, problem

CATALOGUE = load_all()["kustomer"]
RESOURCES = CATALOGUE.resources()
MISSING_ID = "0" * 24

Seeds = dict[str, str]


@pytest.fixture(scope="module")
def catalogue_sandbox() -> Iterator[SandboxProcess]:
    """A private org: the coverage test creates and deletes records."""
    with start_sandbox("--rate-limit", "100000", "--search-rate-limit", "100000", seed=2) as proc:
        yield proc


def address(op: CatalogueOperation, values: dict[str, str]) -> tuple[str, str, dict[str, str]]:
    """The proxy request for ``op``, derived from the catalogue: verb, path and query."""
    placeholders = list(op.path.params)
    query = {p: values[p] for p in placeholders}
    path = op.resource
    if op.is_custom:
        return op.http, f"{path}:{op.method}", query
    if op.method in ("get", "update", "delete") and placeholders:
        path += "/" + query.pop(placeholders[-1])
    verb = {"list": "GET" if op.http == "GET" else op.http, "create": "POST", "get": "GET",
            "update": op.http, "delete": "DELETE"}[op.method]
    return verb, path, query


def draft(channel: str, **extra: Any) -> Callable[[Seeds], tuple[dict[str, str], Any]]:
    return lambda s: ({"id": s["customer"]}, {"channel": channel, "body": "Hello there", **extra})


# resource -> (method, seeds -> (placeholder values and query, JSON body))
CALLS: dict[str, tuple[str, Callable[[Seeds], tuple[dict[str, str], Any]]]] = {
    "attachments": ("get", lambda s: ({"id": s["attachment"]}, None)),
    "audit_logs": ("list", lambda s: ({}, None)),
    "auth_roles": ("list", lambda s: ({}, None)),
    "brands": ("list", lambda s: ({}, None)),
    "bulk_operation_batches": ("list", lambda s: ({"id": s["bulk"]}, None)),
    "bulk_operations": ("get", lambda s: ({"id": s["bulk"]}, None)),
    "companies": ("list", lambda s: ({}, None)),
    "company_klasses": ("list", lambda s: ({"id": s["company"], "name": "order"}, None)),
    "conversation_attachments": ("list", lambda s: ({"id": s["conversation"]}, None)),
    "conversation_events": ("list", lambda s: ({"id": s["conversation"]}, None)),
    "conversation_forwards": ("list", lambda s: ({"id": s["conversation"]}, None)),
    "conversation_messages": ("list", lambda s: ({"id": s["conversation"]}, None)),
    "conversation_notes": ("list", lambda s: ({"id": s["conversation"]}, None)),
    "conversation_tags": ("create", lambda s: ({"id": s["conversation"]}, ["vip", "proxy-coverage"])),
    "conversation_times": ("get", lambda s: ({"ids": s["conversation_time"]}, None)),
    "conversations": ("list", lambda s: ({}, None)),
    "custom_attributes": ("list", lambda s: ({"resource": "customer"}, None)),
    "custom_objects": ("list", lambda s: ({"name": "order"}, None)),
    "customer_chat_drafts": ("create", draft("chat")),
    "customer_conversations": ("list", lambda s: ({"id": s["customer"]}, None)),
    "customer_drafts": ("list", lambda s: ({"id": s["customer"]}, None)),
    "customer_events": ("get", lambda s: ({"customerId": s["customer"], "id": s["customer_event"]}, None)),
    "customer_facebook_drafts": ("create", draft("facebook")),
    "customer_instagram_drafts": ("create", draft("instagram")),
    "customer_klasses": ("list", lambda s: ({"id": s["customer"], "name": "order"}, None)),
    "customer_merges": ("list", lambda s: ({"id": s["customer"]}, None)),
    "customer_messages": ("list", lambda s: ({"id": s["customer"]}, None)),
    "customer_note_drafts": ("create", draft("note")),
    "customer_notes": ("list", lambda s: ({"id": s["customer"]}, None)),
    "customer_sessions": ("list", lambda s: ({"id": s["customer"]}, None)),
    "customer_sms_drafts": ("create", draft("sms")),
    "customer_twitter_dm_drafts": ("create", draft("twitter-dm")),
    "customer_twitter_tweet_drafts": ("create", draft("twitter-tweet")),
    "customer_unmasking_windows": ("create", lambda s: ({"id": s["customer"]}, None)),
    "customer_whatsapp_basic_drafts": ("create", draft("whatsapp", app="twilio_whatsapp")),
    "customer_whatsapp_interactive_drafts": ("create", lambda s: ({"id": s["customer"]}, {
        "channel": "whatsapp", "app": "whatsapp", "meta": {"interactive": {
            "type": "button", "body": {"text": "Pick"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "1", "title": "Yes"}}]}}}})),
    "customers": ("list", lambda s: ({}, None)),
    "default_schedules": ("list", lambda s: ({}, None)),
    "draft_attachments": ("list", lambda s: ({"id": s["draft"]}, None)),
    "draft_forwards": ("get", lambda s: ({"id": s["forward"]}, None)),
    "drafts": ("delete", lambda s: ({"id": s["spare_draft"]}, None)),
    "email_drafts": ("create", draft("email", app="postmark")),
    "forward_attachments": ("list", lambda s: ({"id": s["forward"]}, None)),
    "identity_events": ("create", lambda s: ({}, {"identity": {"email": "visitor@example.test"},
                                                 "event": {"name": "signed.up"}})),
    "klasses": ("list", lambda s: ({}, None)),
    "me": ("list", lambda s: ({}, None)),
    "media": ("create", lambda s: ({}, {"name": "logo.png", "contentType": "image/png", "contentLength": 512})),
    "message_attachments": ("get", lambda s: ({"message_id": s["attachment_message"], "id": s["attachment"]}, None)),
    "messages": ("get", lambda s: ({"id": s["message"]}, None)),
    "notes": ("list", lambda s: ({}, None)),
    "outbound_accounts": ("list", lambda s: ({}, None)),
    "satisfactions": ("list", lambda s: ({}, None)),
    "schedules": ("list", lambda s: ({}, None)),
    "search_conversations": ("list", lambda s: ({}, {"queryContext": "conversation",
                                                 "and": [{"conversation_status": {"equals": "open"}}]})),
    "search_customers": ("search", lambda s: ({}, {"queryContext": "customer",
                                                   "and": [{"customer_name": {"contains": "a"}}]})),
    "shortcuts": ("list", lambda s: ({}, None)),
    "slas": ("get", lambda s: ({"id": s["sla"]}, None)),
    "spam_senders": ("list", lambda s: ({}, None)),
    "tags": ("list", lambda s: ({}, None)),
    "teams": ("list", lambda s: ({}, None)),
    "tracking_events": ("create", lambda s: ({}, {"name": "page.view"})),
    "tracking_identities": ("create", lambda s: ({}, {"email": "tracked@example.test"})),
    "users": ("list", lambda s: ({}, None)),
}


def test_the_call_table_names_every_catalogue_resource():
    assert set(CALLS) == set(RESOURCES)
    for resource, (method, _) in CALLS.items():
        assert method in RESOURCES[resource], (resource, method)


async def first(account: Account, path: str, **params: str) -> dict[str, Any]:
    resp = await account.proxy("GET", path, params)
    assert resp.status_code == 200, resp.text
    return resp.json()["result"][0]


async def seed_ids(account: Account) -> Seeds:
    """Ids of seeded records, found with proxy list calls; a few records made for the test."""
    s: Seeds = {}
    conversations = (await account.proxy("GET", "conversations", {"limit": 100})).json()["result"]
    s["conversation"] = conversations[0]["id"]  # the seed gives the first one an attachment and a note
    s["customer"] = conversations[0]["relationships"]["customer"]["data"]["id"]
    done = next(c["id"] for c in conversations if c["attributes"]["status"] == "done")
    s["conversation_time"] = (await first(account, "conversation_times", id=done))["id"]
    s["message"] = (await first(account, "conversation_messages", id=s["conversation"]))["id"]
    attachment = await first(account, "conversation_attachments", id=s["conversation"])
    s["attachment"] = attachment["id"]
    s["attachment_message"] = attachment["relationships"]["message"]["data"]["id"]
    s["company"] = (await first(account, "companies"))["id"]
    session = await first(account, "customer_sessions", id=s["customer"])
    s["customer_event"] = (await first(account, "customer_events", customerId=s["customer"],
                                       sessionId=session["id"]))["id"]
    schedules = (await account.proxy("GET", "schedules")).json()["result"]
    # slas have no list: the seed creates the SLA two ids after the last schedule (a holiday between)
    last = schedules[-1]["id"]
    n = int(last[8:], 16) + 2
    s["sla"] = f"{(int(last[:8], 16) + 2) & 0xFFFFFFFF:08x}{n:016x}"

    bulk = await account.proxy("POST", "companies:bulk_create", json=[{"name": "Bulk Co 1"}, {"name": "Bulk Co 2"}])
    assert bulk.status_code == 201, bulk.text
    s["bulk"] = bulk.json()["data"]["id"]
    forward = await account.proxy("POST", "conversation_forwards", {"id": s["conversation"]},
                                  json={"channel": "email", "to": [{"email": "someone@example.test"}],
                                        "sendAt": "2030-01-01T00:00:00.000Z"})
    assert forward.status_code == 200, forward.text
    s["forward"] = forward.json()["data"]["id"]
    for name in ("draft", "spare_draft"):
        made = await account.proxy("POST", "email_drafts", {"id": s["customer"]},
                                   json={"channel": "email", "app": "postmark", "body": "Draft"})
        assert made.status_code == 200, made.text
        s[name] = made.json()["data"]["id"]
    return s


async def test_every_catalogue_resource_is_reachable(harness: Harness, catalogue_sandbox: SandboxProcess):
    account = await (await harness.tenant()).connect(catalogue_sandbox)
    seeds = await seed_ids(account)
    failures = []
    for resource, (method, values) in sorted(CALLS.items()):
        op = RESOURCES[resource][method]
        params, body = values(seeds)
        verb, path, query = address(op, params)
        resp = await account.proxy(verb, path, query, **({"json": body} if body is not None else {}))
        if resp.status_code != op.status or "ratelimit-limit" not in resp.headers:
            failures.append((op.tool_name, verb, path, resp.status_code, resp.text[:300]))
            continue
        if op.status == 204:
            assert resp.content == b""
        elif op.pagination is not None:
            page = resp.json()
            assert set(page) == {"result", "next_cursor", "prev_cursor", "result_count"}
            assert isinstance(page["result"], list)
        else:
            assert "data" in resp.json(), (op.tool_name, resp.text[:300])  # the vendor's body, untouched
    assert not failures, failures


async def test_get_create_update_delete_return_vendor_bodies_and_statuses(connected: Account):
    created = await connected.proxy("POST", "customers", json={"name": "Proxy Person",
                                                                "emails": [{"email": "proxy.person@example.test"}]})
    assert created.status_code == 201
    customer = created.json()["data"]
    assert customer["type"] == "customer" and customer["attributes"]["name"] == "Proxy Person"

    got = await connected.proxy("GET", f"customers/{customer['id']}")
    assert got.status_code == 200 and got.json()["data"]["id"] == customer["id"]

    updated = await connected.proxy("PUT", f"customers/{customer['id']}", json={"name": "Proxy Persona"})
    assert updated.status_code == 200 and updated.json()["data"]["attributes"]["name"] == "Proxy Persona"

    found = await connected.proxy("GET", "customers:using_email", {"email": "proxy.person@example.test"})
    assert found.status_code == 200 and found.json()["data"]["id"] == customer["id"]

    deleted = await connected.proxy("DELETE", f"customers/{customer['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    gone = problem(await connected.proxy("GET", f"customers/{customer['id']}"), 404)
    assert gone["from_vendor"] is True and gone["vendor"]["status"] == 404


async def test_custom_method_on_an_item_and_query_placeholders(connected: Account):
    convo = (await connected.proxy("GET", "conversations", {"limit": 1})).json()["result"][0]["id"]
    message = (await connected.proxy("POST", "conversation_messages", {"id": convo},
                                     json={"channel": "email", "app": "postmark", "direction": "out",
                                           "preview": "secret order number 42"})).json()["data"]
    redacted = await connected.proxy("POST", f"messages/{message['id']}:redact", json={"preview": "[redacted]"})
    assert redacted.status_code == 201, redacted.text
    after = (await connected.proxy("GET", f"messages/{message['id']}")).json()["data"]["attributes"]
    assert after["redacted"] is True and after["preview"] == "[redacted]"

    order = (await connected.proxy("GET", "custom_objects", {"name": "order", "limit": 1})).json()["result"][0]
    got = await connected.proxy("GET", f"custom_objects/{order['id']}", {"name": "order"})
    assert got.status_code == 200 and got.json()["data"]["id"] == order["id"]


async def test_vendor_4xx_passes_through_with_its_body(connected: Account):
    missing = problem(await connected.proxy("GET", f"conversations/{MISSING_ID}"), 404)
    assert missing["from_vendor"] is True
    assert missing["vendor"]["status"] == 404
    assert missing["vendor"]["body"]["errors"][0]["status"] == 404
    assert "Kustomer answered 404" in missing["detail"]

    invalid = problem(await connected.proxy("POST", "customers", json={"name": "x", "custom": {"noSuffix": 1}}), 400)
    assert invalid["from_vendor"] is True and invalid["vendor"]["status"] == 400
    assert invalid["vendor"]["body"]["errors"][0]["source"]["pointer"].startswith("/custom")

    lookup = problem(await connected.proxy("GET", "customers:using_email", {"email": "nobody@nowhere.test"}), 404)
    assert lookup["from_vendor"] is True


@pytest.mark.parametrize("verb,path,params,status,pointer", [
    ("GET", "planets", {}, 404, None),
    ("GET", "conversations/a/b", {}, 404, None),
    ("GET", "customers:teleport", {}, 404, None),
    ("PATCH", "tags", {}, 405, None),
    ("PATCH", "conversations", {}, 400, "/id"),  # a collection PATCH is an update naming its id in the query
    ("POST", "tags/abc", {}, 405, None),
    ("GET", "conversation_messages", {}, 400, "/id"),
    ("GET", "custom_objects", {}, 400, "/name"),
    ("DELETE", "customers:bulk_delete", {}, 400, "/ids"),
    ("GET", "conversation_attachments:download", {"url": "https://example.test/x"}, 400, None),
])
async def test_addressing_mistakes(connected: Account, verb: str, path: str, params: dict[str, str], status: int,
                                   pointer: str | None):
    body = problem(await connected.proxy(verb, path, params), status)
    assert body["from_vendor"] is False
    if pointer:
        assert body["pointer"] == pointer


async def test_405_names_the_allowed_verbs(connected: Account):
    def allowed(resp) -> set[str]:
        problem(resp, 405)
        return set(resp.headers["allow"].replace(" ", "").split(","))

    assert allowed(await connected.proxy("POST", "tags")) == {"GET"}
    assert allowed(await connected.proxy("PATCH", "tags/abc")) == {"GET"}
    # a search list is POSTed with its body; its next pages can be fetched with GET too
    assert allowed(await connected.proxy("DELETE", "search_conversations")) == {"GET", "POST"}
    assert allowed(await connected.proxy("GET", "messages/abc:redact")) == {"POST"}


async def test_bodies_must_be_json(connected: Account):
    problem(await connected.proxy("POST", "customers", content=b"{broken", headers={"content-type": "application/json"}),
            400)
    assert problem(await connected.proxy("POST", "customers"), 400)["detail"] == "a JSON request body is required"


async def test_bodies_over_a_megabyte_are_413(connected: Account):
    body = problem(await connected.proxy("POST", "customers", content=b'{"name": "' + b"x" * (1024 * 1024) + b'"}',
                                         headers={"content-type": "application/json"}), 413)
    assert body["from_vendor"] is False
