"""Unified tickets <- Kustomer conversations, and the static ticket_status / ticket_priorities."""

from __future__ import annotations

from typing import Any

import pytest

from .unified_support import UnifiedApi, same

STATUS = {"open": "open", "snoozed": "pending", "done": "closed"}
PRIORITY = {"1": "lowest", "2": "low", "3": "medium", "4": "high", "5": "urgent"}


def _rel(record: dict[str, Any], name: str) -> str | None:
    return ((record["relationships"].get(name) or {}).get("data") or {}).get("id")


def expected_ticket(conversation: dict[str, Any], tag_names: dict[str, str]) -> dict[str, Any]:
    """What tickets.yaml promises for one Kustomer conversation."""
    a = conversation["attributes"]
    priority = str(a["priority"]) if "priority" in a else None
    return {
        "id": conversation["id"],
        "name": a.get("name"),
        "description": a.get("preview"),
        "status": {"id": a["status"], "name": STATUS.get(a["status"])},
        "priority": {"id": priority, "name": PRIORITY.get(priority)} if priority else None,
        "assignees": [{"id": u} for u in a.get("assignedUsers", [])],
        "team": {"id": a["assignedTeams"][0]} if a.get("assignedTeams") else None,
        "contact": {"id": _rel(conversation, "customer")} if _rel(conversation, "customer") else None,
        "created_by": {"id": _rel(conversation, "createdBy"), "type": "user"} if _rel(conversation, "createdBy") else None,
        "tags": [{"id": t, "name": tag_names.get(t)} for t in a.get("tags", [])],
        "completed_at": a["updatedAt"] if a["status"] == "done" else None,
        "created_at": a["createdAt"],
        "updated_at": a["updatedAt"],
        "etag": str(a["rev"]),
        "custom_fields": a.get("custom"),
        "remote_data": conversation,
    }


async def tag_names(uapi: UnifiedApi) -> dict[str, str]:
    return {t["id"]: t["attributes"]["name"] for t in await uapi.kustomer_all("/v1/tags")}


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_walk_returns_every_conversation_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    tickets = await uapi.walk("tickets", limit)
    conversations = await uapi.kustomer_all("/v1/conversations")
    names = await tag_names(uapi)
    assert [t["id"] for t in tickets] == [c["id"] for c in conversations]
    for ticket, conversation in zip(tickets, conversations, strict=True):
        same(ticket, expected_ticket(conversation, names))


async def test_get_matches_the_proxy_record(uapi: UnifiedApi) -> None:
    conversation = next(c for c in (await uapi.kustomer("/v1/conversations", pageSize=20))["data"]
                        if c["attributes"]["tags"] and c["attributes"]["assignedTeams"])
    ticket = await uapi.unified("tickets", conversation["id"])
    same(ticket, expected_ticket((await uapi.proxy("conversations", conversation["id"]))["data"], await tag_names(uapi)))
    assert all(t["name"] for t in ticket["tags"])


async def test_contact_filter_uses_the_customer_list(uapi: UnifiedApi) -> None:
    customer = (await uapi.kustomer("/v1/customers", pageSize=1))["data"][0]["id"]
    tickets = await uapi.walk("tickets", 1, contact_id=customer)
    vendor = await uapi.kustomer_all(f"/v1/customers/{customer}/conversations")
    assert [t["id"] for t in tickets] == [c["id"] for c in vendor] and tickets
    assert {t["contact"]["id"] for t in tickets} == {customer}


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_status_priority_and_dates_through_search(uapi: UnifiedApi, limit: int) -> None:
    conversations = await uapi.kustomer_all("/v1/conversations")
    stamps = sorted(c["attributes"]["updatedAt"] for c in conversations)
    low = stamps[len(stamps) * 2 // 3]  # few enough matches for Kustomer's 100-page search cap at limit 1
    tickets = await uapi.walk("tickets", limit, sort_by="updated_at", sort_order="desc",
                              **{"status[in]": "pending,closed", "priority[gte]": "3", "updated_at[gte]": low})
    searched = await uapi.kustomer_search({"queryContext": "conversation", "and": [
        {"or": [{"conversation_status": {"equals": "snoozed"}}, {"conversation_status": {"equals": "done"}}]},
        {"conversation_priority": {"gte": 3}}, {"conversation_updated_at": {"gte": low}}],
        "sort": [{"conversation_updated_at": "desc"}]})
    assert 0 < len(searched) < 100
    assert [t["id"] for t in tickets] == [c["id"] for c in searched]
    assert all(t["status"]["name"] in ("pending", "closed") and int(t["priority"]["id"]) >= 3
               and t["updated_at"] >= low for t in tickets)
    updated = [t["updated_at"] for t in tickets]
    assert updated == sorted(updated, reverse=True)


async def test_search_walk_with_a_small_limit_sees_past_100_pages(uapi: UnifiedApi) -> None:
    """Kustomer search serves at most 100 pages; 450 tickets in pages of 3 need 150 of ours."""
    tickets = await uapi.walk("tickets", 3, sort_by="created_at")
    assert len(tickets) == len({t["id"] for t in tickets})
    assert len(tickets) == len(await uapi.kustomer_search({"queryContext": "conversation"}))


async def test_status_eq_and_created_at_window(uapi: UnifiedApi) -> None:
    conversations = await uapi.kustomer_all("/v1/conversations")
    stamps = sorted(c["attributes"]["createdAt"] for c in conversations)
    low, high = stamps[100], stamps[200]
    tickets = await uapi.walk("tickets", 25, status="open",
                              **{"created_at[gt]": low, "created_at[lte]": high})
    expected = [c["id"] for c in conversations if c["attributes"]["status"] == "open"
                and low < c["attributes"]["createdAt"] <= high]
    assert sorted(t["id"] for t in tickets) == sorted(expected)
    created = [t["created_at"] for t in tickets]
    assert created == sorted(created)  # search's default order


async def test_undeclared_filters_and_sorts_are_400(uapi: UnifiedApi) -> None:
    for params, pointer in (({"tag": "x"}, "/tag"), ({"status[gt]": "open"}, "/status[gt]"),
                            ({"sort_by": "priority"}, "/sort_by"), ({"contact_id[in]": "a,b"}, "/contact_id[in]"),
                            ({"sort_order": "up", "sort_by": "created_at"}, "/sort_order"), ({"limit": "0"}, "/limit")):
        assert uapi.problem(await uapi.get("/unified/ticketing/tickets", **params), 400)["pointer"] == pointer


async def test_create_update_delete_read_back(uapi: UnifiedApi) -> None:
    customer = (await uapi.kustomer("/v1/customers", pageSize=2))["data"][1]["id"]
    user = (await uapi.kustomer("/v1/users", pageSize=3))["data"][2]["id"]
    team = (await uapi.kustomer("/v1/teams", pageSize=1))["data"][0]["id"]
    body = {"name": "Printer on fire", "contact": {"id": customer}, "priority": {"id": "5"},
            "assignees": [{"id": user}], "team": {"id": team}, "tags": ["billing"],
            "custom_fields": {"orderNumberStr": "ORD-1"}}
    response = await uapi.post("/unified/ticketing/tickets", body)
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["priority"] == {"id": "5", "name": "urgent"} and ticket["status"]["name"] == "open"
    assert [t["name"] for t in ticket["tags"]] == ["billing"]
    assert await uapi.unified("tickets", ticket["id"]) == ticket
    proxied = (await uapi.proxy("conversations", ticket["id"]))["data"]
    assert (proxied["attributes"]["name"], proxied["attributes"]["priority"]) == ("Printer on fire", 5)
    assert proxied["attributes"]["assignedUsers"] == [user] and proxied["attributes"]["assignedTeams"] == [team]
    assert ticket["id"] in [t["id"] for t in await uapi.walk("tickets", 100, contact_id=customer)]

    response = await uapi.patch(f"/unified/ticketing/tickets/{ticket['id']}",
                                {"status": {"id": "closed"}, "tags": ["billing", "refund"], "priority": {"id": "2"}})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["status"] == {"id": "done", "name": "closed"} and updated["completed_at"] == updated["updated_at"]
    assert [t["name"] for t in updated["tags"]] == ["billing", "refund"]
    assert updated["name"] == "Printer on fire" and updated["priority"]["id"] == "2"
    assert await uapi.unified("tickets", ticket["id"]) == updated
    proxied = (await uapi.proxy("conversations", ticket["id"]))["data"]
    assert (proxied["attributes"]["status"], proxied["attributes"]["priority"]) == ("done", 2)

    response = await uapi.delete(f"/unified/ticketing/tickets/{ticket['id']}")
    assert response.status_code == 200 and response.json() == {"id": ticket["id"]}
    assert uapi.problem(await uapi.get(f"/unified/ticketing/tickets/{ticket['id']}"), 404)["from_vendor"] is True
    assert (await uapi.get(f"/proxy/conversations/{ticket['id']}")).status_code == 404


async def test_bad_bodies_are_400_with_a_pointer(uapi: UnifiedApi) -> None:
    customer = (await uapi.kustomer("/v1/customers", pageSize=1))["data"][0]["id"]
    cases = [
        ({"name": "x"}, "/contact"),
        ({"contact": {"id": customer}, "name": 3}, "/name"),
        ({"contact": {"id": customer}, "priority": {"id": "9"}}, "/priority/id"),
        ({"contact": {"id": customer}, "priority": "high"}, "/priority"),
        ({"contact": {"id": customer}, "status": {"id": "pending"}}, "/status/id"),
        ({"contact": {"id": customer}, "description": "words"}, "/description"),
        ({"contact": {"id": customer}, "tags": ["no such tag anywhere"]}, "/tags"),
        ({"contact": {"id": customer}, "tags": [""]}, "/tags/0"),
        ({"contact": {"id": customer}, "assignees": [{"name": "x"}]}, "/assignees/0/name"),
        ({"contact": {"id": customer}, "urgency": 1}, "/urgency"),
    ]
    for body, pointer in cases:
        problem = uapi.problem(await uapi.post("/unified/ticketing/tickets", body), 400)
        assert problem["pointer"] == pointer, (body, problem)
        assert problem["from_vendor"] is False
    # references Kustomer does not know come back as the vendor's 400
    problem = uapi.problem(await uapi.post("/unified/ticketing/tickets",
                                           {"contact": {"id": customer}, "team": {"id": "0" * 24}}), 400)
    assert problem["from_vendor"] is True


async def test_remote_data_opt_out_and_raw(uapi: UnifiedApi) -> None:
    page = await uapi.unified("tickets", limit=5, ignore_remote_data="true")
    assert all(t.get("remote_data") is None for t in page["result"])
    following = await uapi.unified("tickets", next_cursor=page["next_cursor"])
    assert all(t.get("remote_data") is None for t in following["result"])  # the cursor remembers the opt-out
    raw = await uapi.unified("tickets", limit=5, response_format="raw")
    assert raw["result"] == await uapi.kustomer("/v1/conversations", page=1, pageSize=5)
    record = raw["result"]["data"][0]["id"]
    assert await uapi.unified("tickets", record, response_format="raw") == await uapi.kustomer(f"/v1/conversations/{record}")
    assert uapi.problem(await uapi.get("/unified/ticketing/tickets", response_format="xml"), 400)["pointer"] == \
        "/response_format"


# ------------------------------------------------------------------------ static lists


@pytest.mark.parametrize("limit", [1, 2, 100])
async def test_ticket_status_and_priorities(uapi: UnifiedApi, limit: int) -> None:
    statuses = await uapi.walk("ticket_status", limit)
    assert [(s["id"], s["name"]) for s in statuses] == [("open", "open"), ("snoozed", "pending"), ("done", "closed")]
    priorities = await uapi.walk("ticket_priorities", limit, ignore_remote_data="true")
    assert [(p["id"], p["name"]) for p in priorities] == sorted(PRIORITY.items())
    assert all(p.get("remote_data") is None for p in priorities)
    for resource in ("ticket_status", "ticket_priorities"):
        assert uapi.problem(await uapi.get(f"/unified/ticketing/{resource}/open"), 405)
        assert uapi.problem(await uapi.post(f"/unified/ticketing/{resource}", {"id": "x"}), 405)
        assert uapi.problem(await uapi.get(f"/unified/ticketing/{resource}", name="open"), 400)
