"""Unified comments <- Kustomer messages (public) and notes (private), per ticket."""

from __future__ import annotations

from typing import Any

import pytest

from .unified_support import UnifiedApi, same


def _rel(record: dict[str, Any], name: str) -> str | None:
    return ((record["relationships"].get(name) or {}).get("data") or {}).get("id")


def expected_comment(record: dict[str, Any]) -> dict[str, Any]:
    """What comments.yaml promises for one Kustomer message or note."""
    a = record["attributes"]
    note = record["type"] == "note"
    if note or a.get("direction") == "out":
        author = ({"id": _rel(record, "createdBy"), "type": "system" if a.get("auto") is True else "user"}
                  if _rel(record, "createdBy") else None)
    else:
        author = {"id": _rel(record, "customer"), "type": "contact"} if _rel(record, "customer") else None
    return {
        "id": record["id"],
        "ticket": {"id": _rel(record, "conversation")},
        "body": a["body"] if note else a.get("preview"),
        "author": author,
        "is_private": note,
        "is_internal": note,
        "attachments": [{"id": x if isinstance(x, str) else x.get("_id", x.get("id"))} for x in a.get("attachments", [])],
        "created_at": a["createdAt"],
        "updated_at": a["updatedAt"],
        "etag": str(a["rev"]),
        "custom_fields": None if note else a.get("custom"),
        "remote_data": record,
    }


async def busy_tickets(uapi: UnifiedApi) -> list[dict[str, Any]]:
    """Seeded conversations with several messages, and some with notes."""
    conversations = (await uapi.kustomer("/v1/conversations", pageSize=100))["data"]
    chatty = sorted(conversations, key=lambda c: -c["attributes"]["messageCount"])[:2]
    noted = [c for c in conversations if c["attributes"].get("noteCount")][:2]
    return chatty + noted


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_messages_and_notes_walk_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    for ticket in await busy_tickets(uapi):
        messages = await uapi.kustomer_all(f"/v1/conversations/{ticket['id']}/messages")
        notes = await uapi.kustomer_all(f"/v1/conversations/{ticket['id']}/notes")
        public = await uapi.walk("comments", limit, ticket_id=ticket["id"])
        explicit = await uapi.walk("comments", limit, ticket_id=ticket["id"], is_private="false")
        private = await uapi.walk("comments", limit, ticket_id=ticket["id"], is_private="true")
        assert public == explicit
        assert [c["id"] for c in public] == [m["id"] for m in messages]
        assert [c["id"] for c in private] == [n["id"] for n in notes]
        for comment, record in zip(public + private, messages + notes, strict=True):
            same(comment, expected_comment(record))
        assert all(c["ticket"]["id"] == ticket["id"] for c in public + private)


async def test_authors(uapi: UnifiedApi) -> None:
    ticket = (await busy_tickets(uapi))[0]
    comments = await uapi.walk("comments", None, ticket_id=ticket["id"])
    kinds = {c["remote_data"]["attributes"]["direction"]: c["author"] for c in comments}
    assert kinds["in"]["type"] == "contact"
    assert kinds["in"]["id"] == ticket["relationships"]["customer"]["data"]["id"]
    assert kinds["out"]["type"] in ("user", "system")


async def test_get_message_and_note(uapi: UnifiedApi) -> None:
    note = (await uapi.kustomer("/v1/notes", pageSize=1))["data"][0]
    message = (await uapi.kustomer("/v1/messages", pageSize=1))["data"][0]
    got = await uapi.unified("comments", message["id"])
    same(got, expected_comment((await uapi.proxy("messages", message["id"]))["data"]))
    assert got == await uapi.unified("comments", message["id"], is_private="false")
    got = await uapi.unified("comments", note["id"], is_private="true")
    same(got, expected_comment((await uapi.proxy("notes", note["id"]))["data"]))
    # a note id read as a message: Kustomer's 404, flagged as the vendor's
    assert uapi.problem(await uapi.get(f"/unified/ticketing/comments/{note['id']}"), 404)["from_vendor"] is True
    assert uapi.problem(await uapi.get(f"/unified/ticketing/comments/{note['id']}", is_private="maybe"), 400)
    assert uapi.problem(await uapi.get(f"/unified/ticketing/comments/{note['id']}", ticket_id="x"), 400)["pointer"] \
        == "/ticket_id"


async def test_list_needs_a_ticket_and_known_filters(uapi: UnifiedApi) -> None:
    problem = uapi.problem(await uapi.get("/unified/ticketing/comments"), 400)
    assert "ticket_id" in problem["detail"] and problem["from_vendor"] is False
    problem = uapi.problem(await uapi.get("/unified/ticketing/comments", is_private="true"), 400)
    assert "ticket_id" in problem["detail"]
    ticket = (await busy_tickets(uapi))[0]["id"]
    assert uapi.problem(await uapi.get("/unified/ticketing/comments", ticket_id=ticket, is_private="yes"), 400)
    for params, pointer in (({"created_at[gte]": "2025-01-01"}, "/created_at"), ({"ticket_id[in]": ticket}, "/ticket_id[in]"),
                            ({"sort_by": "created_at"}, "/sort_by")):
        problem = uapi.problem(await uapi.get("/unified/ticketing/comments", ticket_id=ticket, **params), 400)
        assert problem["pointer"] == pointer
    # an unknown ticket: Kustomer's 404
    assert uapi.problem(await uapi.get("/unified/ticketing/comments", ticket_id="0" * 24), 404)["from_vendor"] is True


async def test_create_public_and_private_read_back(uapi: UnifiedApi) -> None:
    ticket = (await busy_tickets(uapi))[1]["id"]
    response = await uapi.post("/unified/ticketing/comments", {"ticket": {"id": ticket}, "body": "We are on it."})
    assert response.status_code == 201, response.text
    public = response.json()
    assert (public["body"], public["is_private"], public["ticket"]["id"]) == ("We are on it.", False, ticket)
    assert public["author"]["type"] == "user"
    message = (await uapi.proxy("messages", public["id"]))["data"]
    assert message["attributes"]["preview"] == "We are on it."
    assert (message["attributes"]["channel"], message["attributes"]["app"], message["attributes"]["direction"]) == \
        ("email", "unified", "out")
    assert await uapi.unified("comments", public["id"]) == public
    listed = await uapi.walk("comments", 100, ticket_id=ticket)
    assert listed[-1] == public

    response = await uapi.post("/unified/ticketing/comments",
                              {"ticket": {"id": ticket}, "body": "Refund approved internally.", "is_private": True})
    assert response.status_code == 201, response.text
    private = response.json()
    assert (private["body"], private["is_private"], private["is_internal"]) == ("Refund approved internally.", True, True)
    note = (await uapi.proxy("notes", private["id"]))["data"]
    assert note["attributes"]["body"] == "Refund approved internally."
    assert note["relationships"]["conversation"]["data"]["id"] == ticket
    assert await uapi.unified("comments", private["id"], is_private="true") == private
    assert (await uapi.walk("comments", 7, ticket_id=ticket, is_private="true"))[-1] == private
    assert public["id"] not in [c["id"] for c in await uapi.walk("comments", 7, ticket_id=ticket, is_private="true")]


async def test_remote_data_overrides_the_message_defaults(uapi: UnifiedApi) -> None:
    ticket = (await busy_tickets(uapi))[2]["id"]
    response = await uapi.post("/unified/ticketing/comments", {
        "ticket": {"id": ticket}, "body": "Hi from chat", "remote_data": {"channel": "chat", "app": "acme-inbox",
                                                                         "subject": "Chat reply"}})
    assert response.status_code == 201, response.text
    attributes = response.json()["remote_data"]["attributes"]
    assert (attributes["channel"], attributes["app"], attributes["subject"]) == ("chat", "acme-inbox", "Chat reply")


async def test_bad_bodies_and_unsupported_methods(uapi: UnifiedApi) -> None:
    ticket = (await busy_tickets(uapi))[0]["id"]
    for body, pointer in (({"body": "x"}, "/ticket"), ({"ticket": {"id": ticket}}, "/body"),
                          ({"ticket": {"id": ticket}, "body": ""}, "/body"),
                          ({"ticket": {"id": ticket}, "body": "x" * 10241}, "/body"),
                          ({"ticket": {"id": ticket}, "body": "x", "is_private": "yes"}, "/is_private"),
                          ({"ticket": {"id": ticket}, "body": "x", "html": "<b>x</b>"}, "/html")):
        problem = uapi.problem(await uapi.post("/unified/ticketing/comments", body), 400)
        assert problem["pointer"] == pointer, (body, problem)
    # Kustomer's own validation of a message body field comes back flagged as the vendor's
    problem = uapi.problem(await uapi.post("/unified/ticketing/comments", {
        "ticket": {"id": ticket}, "body": "x", "remote_data": {"channel": "pigeon"}}), 400)
    assert problem["from_vendor"] is True
    comment = (await uapi.walk("comments", 1, ticket_id=ticket))[0]["id"]
    assert uapi.problem(await uapi.patch(f"/unified/ticketing/comments/{comment}", {"body": "y"}), 405)
    assert uapi.problem(await uapi.delete(f"/unified/ticketing/comments/{comment}"), 405)


async def test_remote_data_opt_out_and_raw(uapi: UnifiedApi) -> None:
    ticket = (await busy_tickets(uapi))[0]["id"]
    page = await uapi.unified("comments", ticket_id=ticket, ignore_remote_data="true")
    assert page["result"] and all(c.get("remote_data") is None for c in page["result"])
    raw = await uapi.unified("comments", ticket_id=ticket, is_private="true", response_format="raw", limit=50)
    assert raw["result"] == await uapi.kustomer(f"/v1/conversations/{ticket}/notes", page=1, pageSize=50)
