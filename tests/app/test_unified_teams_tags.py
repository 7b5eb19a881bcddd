"""Unified teams <- Kustomer teams; unified tags <- Kustomer tags."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .unified_support import UnifiedApi, same


def expected_team(team: dict[str, Any]) -> dict[str, Any]:
    a = team["attributes"]
    return {"id": team["id"], "name": a["name"], "users": [{"id": u} for u in a.get("members", [])],
            "created_at": a["createdAt"], "updated_at": a["updatedAt"], "remote_data": team}


def expected_tag(tag: dict[str, Any]) -> dict[str, Any]:
    a = tag["attributes"]
    return {"id": tag["id"], "name": a["name"], "color": a.get("color"),
            "status": "inactive" if a.get("deleted") is True else "active",
            "created_at": a["createdAt"], "updated_at": a["updatedAt"], "remote_data": tag}


# ------------------------------------------------------------------------------------- teams


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_teams_walk_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    teams = await uapi.walk("teams", limit)
    vendor = await uapi.kustomer_all("/v1/teams")
    assert [t["id"] for t in teams] == [t["id"] for t in vendor]
    for team, record in zip(teams, vendor, strict=True):
        same(team, expected_team(record))


async def test_team_get_matches_the_proxy(uapi: UnifiedApi) -> None:
    team = (await uapi.kustomer("/v1/teams", pageSize=2))["data"][1]
    same(await uapi.unified("teams", team["id"]), expected_team((await uapi.proxy("teams", team["id"]))["data"]))


async def test_team_create_update_delete_read_back(uapi: UnifiedApi) -> None:
    users = [u["id"] for u in (await uapi.kustomer("/v1/users", pageSize=5))["data"][1:]]
    name = f"Escalations {uuid.uuid4().hex[:6]}"
    response = await uapi.post("/unified/ticketing/teams", {"name": name, "users": [{"id": users[0]}, {"id": users[1]}]})
    assert response.status_code == 201, response.text
    team = response.json()
    assert team["name"] == name and [u["id"] for u in team["users"]] == users[:2]
    assert await uapi.unified("teams", team["id"]) == team
    assert (await uapi.proxy("teams", team["id"]))["data"]["attributes"]["members"] == users[:2]
    assert team["id"] in [t["id"] for t in await uapi.walk("teams", 100)]

    # Kustomer's team update needs the name: a partial update keeps the current one
    response = await uapi.patch(f"/unified/ticketing/teams/{team['id']}", {"users": [{"id": users[2]}]})
    assert response.status_code == 200, response.text
    assert (response.json()["name"], [u["id"] for u in response.json()["users"]]) == (name, [users[2]])
    response = await uapi.patch(f"/unified/ticketing/teams/{team['id']}", {"name": name + " EU"})
    assert response.status_code == 200, response.text
    assert (response.json()["name"], [u["id"] for u in response.json()["users"]]) == (name + " EU", [users[2]])
    response = await uapi.patch(f"/unified/ticketing/teams/{team['id']}", {"users": []})
    assert (response.json()["name"], response.json()["users"]) == (name + " EU", [])
    proxied = (await uapi.proxy("teams", team["id"]))["data"]["attributes"]
    assert (proxied["name"], proxied["members"]) == (name + " EU", [])

    response = await uapi.delete(f"/unified/ticketing/teams/{team['id']}")
    assert response.status_code == 200 and response.json() == {"id": team["id"]}
    assert uapi.problem(await uapi.get(f"/unified/ticketing/teams/{team['id']}"), 404)["from_vendor"] is True
    assert team["id"] not in [t["id"] for t in await uapi.walk("teams", 100)]


async def test_team_bad_bodies(uapi: UnifiedApi) -> None:
    team = (await uapi.kustomer("/v1/teams", pageSize=1))["data"][0]["id"]
    for body, pointer in (({}, "/name"), ({"name": ""}, "/name"), ({"name": "X", "description": "d"}, "/description"),
                          ({"name": "X", "users": [{}]}, "/users/0/id"), ({"name": "X", "users": "u"}, "/users")):
        problem = uapi.problem(await uapi.post("/unified/ticketing/teams", body), 400)
        assert problem["pointer"] == pointer, (body, problem)
    assert uapi.problem(await uapi.patch(f"/unified/ticketing/teams/{team}", {"description": "d"}), 400)["pointer"] == \
        "/description"
    # a member Kustomer does not know: the vendor's 400
    problem = uapi.problem(await uapi.patch(f"/unified/ticketing/teams/{team}", {"users": [{"id": "0" * 24}]}), 400)
    assert problem["from_vendor"] is True
    assert uapi.problem(await uapi.get("/unified/ticketing/teams", name="Tier 1"), 400)["pointer"] == "/name"


# -------------------------------------------------------------------------------------- tags


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_tags_walk_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    tags = await uapi.walk("tags", limit)
    vendor = await uapi.kustomer_all("/v1/tags")
    assert [t["id"] for t in tags] == [t["id"] for t in vendor]
    for tag, record in zip(tags, vendor, strict=True):
        same(tag, expected_tag(record))


async def test_tag_get_and_status_filter(uapi: UnifiedApi) -> None:
    tag = (await uapi.kustomer("/v1/tags", pageSize=3))["data"][2]
    same(await uapi.unified("tags", tag["id"]), expected_tag((await uapi.proxy("tags", tag["id"]))["data"]))
    active = await uapi.walk("tags", 5, status="active")
    assert [t["id"] for t in active] == [t["id"] for t in await uapi.kustomer_all("/v1/tags", deleted="false")]
    inactive = await uapi.walk("tags", 5, status="inactive")
    assert [t["id"] for t in inactive] == [t["id"] for t in await uapi.kustomer_all("/v1/tags", deleted="true")]
    assert {t["status"] for t in active} == {"active"} and all(t["status"] == "inactive" for t in inactive)
    assert uapi.problem(await uapi.get("/unified/ticketing/tags", status="archived"), 400)
    assert uapi.problem(await uapi.get("/unified/ticketing/tags", **{"status[in]": "active"}), 400)["pointer"] == \
        "/status[in]"


async def test_tags_are_read_only(uapi: UnifiedApi) -> None:
    tag = (await uapi.kustomer("/v1/tags", pageSize=1))["data"][0]["id"]
    assert uapi.problem(await uapi.post("/unified/ticketing/tags", {"name": "x"}), 405)
    assert uapi.problem(await uapi.patch(f"/unified/ticketing/tags/{tag}", {"name": "x"}), 405)
    assert uapi.problem(await uapi.delete(f"/unified/ticketing/tags/{tag}"), 405)
    raw = await uapi.unified("tags", limit=3, response_format="raw")
    assert raw["result"] == await uapi.kustomer("/v1/tags", page=1, pageSize=3)
    assert (await uapi.unified("tags", tag, ignore_remote_data="true")).get("remote_data") is None
