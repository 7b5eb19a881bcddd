"""Unified attachments <- Kustomer conversation attachments; unified fields <- custom attribute metadata."""

from __future__ import annotations

from typing import Any

import pytest

from .unified_support import UnifiedApi, same

ENTITIES = {"ticket": "conversation", "contact": "customer", "account": "company", "comment": "message"}
SUFFIX_TYPES = [("Num", "number"), ("At", "datetime"), ("Str", "string"), ("Txt", "text"), ("Bool", "boolean"),
                ("Url", "string")]


def _rel(record: dict[str, Any], name: str) -> str | None:
    return ((record["relationships"].get(name) or {}).get("data") or {}).get("id")


def expected_attachment(record: dict[str, Any]) -> dict[str, Any]:
    a = record["attributes"]
    return {
        "id": record["id"],
        "file_name": a.get("name"),
        "ticket_id": _rel(record, "conversation"),
        "comment_id": _rel(record, "message"),
        "size": a.get("contentLength"),
        "file_url": record["links"].get("related"),
        "content_type": a.get("contentType"),
        "uploaded_by": _rel(record, "createdBy"),
        "uploaded_by_type": "user" if _rel(record, "createdBy") else None,
        "created_at": a["createdAt"],
        "updated_at": a["updatedAt"],
        "remote_data": record,
    }


def expected_field(name: str, prop: dict[str, Any], entity: str) -> dict[str, Any]:
    kind = next((t for s, t in SUFFIX_TYPES if name.endswith(s) and len(name) > len(s)), prop.get("type"))
    return {
        "id": name, "name": name, "label": prop.get("displayName"), "type": kind,
        "format": "url" if name.endswith("Url") and len(name) > 3 else None,
        "options": [{"label": str(v), "value": v} for v in prop["enumeration"]] if "enumeration" in prop else None,
        "is_user_defined": True, "entity_type": entity,
        "created_at": prop.get("createdAt"), "updated_at": prop.get("updatedAt"),
        "remote_data": {**prop, "name": name},
    }


async def tickets_with_attachments(uapi: UnifiedApi) -> list[str]:
    found = []
    for message in await uapi.kustomer_all("/v1/messages"):
        if message["attributes"].get("attachments"):
            found.append(message["relationships"]["conversation"]["data"]["id"])
    return sorted(set(found))


# ------------------------------------------------------------------------------- attachments


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_attachments_per_ticket_walk_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    tickets = (await tickets_with_attachments(uapi))[:6]
    assert tickets
    for ticket in tickets:
        attachments = await uapi.walk("attachments", limit, ticket_id=ticket)
        vendor = await uapi.kustomer_all(f"/v1/conversations/{ticket}/attachments")
        assert [a["id"] for a in attachments] == [v["id"] for v in vendor] and attachments
        for attachment, record in zip(attachments, vendor, strict=True):
            same(attachment, expected_attachment(record))
            assert attachment["ticket_id"] == ticket and attachment["file_url"].startswith(uapi.sandbox.base_url)


async def test_attachment_get_and_download(uapi: UnifiedApi) -> None:
    ticket = (await tickets_with_attachments(uapi))[0]
    listed = (await uapi.walk("attachments", None, ticket_id=ticket))[0]
    got = await uapi.unified("attachments", listed["id"])
    same(got, expected_attachment((await uapi.proxy("attachments", listed["id"]))["data"]))
    assert {k: v for k, v in got.items() if k not in ("file_url", "remote_data")} == \
        {k: v for k, v in listed.items() if k not in ("file_url", "remote_data")}
    # the sandbox wants its key even on the pre-signed link (real S3 links carry their signature)
    download = await uapi.vendor.get(listed["file_url"])
    assert download.status_code == 200 and len(download.content) == listed["size"]


async def test_attachments_need_a_ticket_and_are_read_only(uapi: UnifiedApi) -> None:
    problem = uapi.problem(await uapi.get("/unified/ticketing/attachments"), 400)
    assert "ticket_id" in problem["detail"]
    assert uapi.problem(await uapi.get("/unified/ticketing/attachments", comment_id="x"), 400)["pointer"] == \
        "/comment_id"
    assert uapi.problem(await uapi.get("/unified/ticketing/attachments", ticket_id="0" * 24), 404)["from_vendor"]
    assert uapi.problem(await uapi.post("/unified/ticketing/attachments", {"file_name": "a.txt"}), 405)
    assert uapi.problem(await uapi.delete(f"/unified/ticketing/attachments/{'0' * 24}"), 405)
    ticket = (await tickets_with_attachments(uapi))[0]
    raw = await uapi.unified("attachments", ticket_id=ticket, response_format="raw")
    assert raw["result"] == await uapi.kustomer(f"/v1/conversations/{ticket}/attachments", page=1, pageSize=100)


# ------------------------------------------------------------------------------------ fields


@pytest.mark.parametrize("entity", sorted(ENTITIES))
async def test_fields_per_entity_match_the_metadata(uapi: UnifiedApi, entity: str) -> None:
    metadata = (await uapi.kustomer(f"/v1/metadata/{ENTITIES[entity]}"))["data"]["attributes"]["properties"]
    for limit in (1, 7, None):  # Kustomer answers metadata whole: one page whatever the limit
        page = await uapi.unified("fields", entity_type=entity, **({"limit": limit} if limit else {}))
        assert page["next_cursor"] is None
        assert [f["id"] for f in page["result"]] == list(metadata)
    for field in page["result"]:
        same(field, expected_field(field["id"], metadata[field["id"]], entity))


async def test_field_types_follow_the_suffix(uapi: UnifiedApi) -> None:
    fields = {f["id"]: f for f in (await uapi.unified("fields", entity_type="contact"))["result"]}
    assert fields["lifetimeValueNum"]["type"] == "number" and fields["vipBool"]["type"] == "boolean"
    assert fields["loyaltyTierStr"]["type"] == "string"
    assert [o["value"] for o in fields["loyaltyTierStr"]["options"]] == ["bronze", "silver", "gold"]
    assert fields["loyaltyTierStr"]["label"] == "Loyalty Tier"
    # every suffix, through Kustomer's own metadata update (the proxy), then read back
    properties = {f"probe{suffix}": {"type": kind, "displayName": f"Probe {suffix}"} for suffix, kind in
                  (("Num", "number"), ("At", "date"), ("Str", "string"), ("Txt", "string"), ("Bool", "boolean"),
                   ("Url", "string"))}
    response = await uapi.client.put("/proxy/custom_attributes/message", headers=uapi.headers,
                                     params={"integrated_account_id": uapi.account_id},
                                     json={"properties": properties})
    assert response.status_code == 200, response.text
    fields = {f["id"]: f for f in (await uapi.unified("fields", entity_type="comment"))["result"]}
    assert {name: (f["type"], f["format"]) for name, f in fields.items() if name.startswith("probe")} == {
        "probeNum": ("number", None), "probeAt": ("datetime", None), "probeStr": ("string", None),
        "probeTxt": ("text", None), "probeBool": ("boolean", None), "probeUrl": ("string", "url")}


async def test_fields_need_a_known_entity(uapi: UnifiedApi) -> None:
    for params in ({}, {"entity_type": "collection"}):
        problem = uapi.problem(await uapi.get("/unified/ticketing/fields", **params), 400)
        assert "entity_type" in problem["detail"]
    assert uapi.problem(await uapi.get("/unified/ticketing/fields", entity="ticket"), 400)["pointer"] == "/entity"
    assert uapi.problem(await uapi.get("/unified/ticketing/fields/orderNumberStr"), 405)
    assert uapi.problem(await uapi.post("/unified/ticketing/fields", {"name": "x"}), 405)
    raw = await uapi.unified("fields", entity_type="ticket", response_format="raw")
    assert raw["result"] == await uapi.kustomer("/v1/metadata/conversation")
    page = await uapi.unified("fields", entity_type="ticket", ignore_remote_data="true")
    assert page["result"] and all(f.get("remote_data") is None for f in page["result"])
