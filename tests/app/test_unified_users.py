"""Users (ticketing and user directory), roles and me <- Kustomer users, auth roles, current user."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .unified_support import UnifiedApi, same


def teams_of(user_id: str, teams: list[dict[str, Any]]) -> list[str]:
    return [t["id"] for t in teams if user_id in t["attributes"].get("members", [])]


def expected_user(user: dict[str, Any], teams: list[dict[str, Any]]) -> dict[str, Any]:
    a = user["attributes"]
    return {
        "id": user["id"],
        "name": a.get("name"),
        "username": a.get("displayName"),
        "emails": [{"email": a["email"]}] if isinstance(a.get("email"), str) else [],
        "is_active": a.get("deleted") is not True,
        "team_ids": teams_of(user["id"], teams),
        "avatar": a.get("avatarUrl"),
        "roles": [{"id": r, "name": r} for r in a.get("roles", [])],
        "created_at": a["createdAt"],
        "updated_at": a["updatedAt"],
        "remote_data": user,
    }


def status_of(user: dict[str, Any]) -> str:
    a = user["attributes"]
    return "inactive" if a.get("deleted") is True else "invited" if a.get("pending") is True else "active"


def expected_directory_user(user: dict[str, Any], teams: list[dict[str, Any]]) -> dict[str, Any]:
    a = user["attributes"]
    return {
        "id": user["id"],
        "name": a.get("name"),
        "username": a.get("displayName"),
        "emails": [{"email": a["email"], "is_primary": True}] if isinstance(a.get("email"), str) else [],
        "phones": [{"number": a["mobile"], "type": "mobile"}] if isinstance(a.get("mobile"), str) else [],
        "status": status_of(user),
        "is_email_verified": isinstance(a.get("emailVerifiedAt"), str),
        "roles": [{"id": r, "name": r} for r in a.get("roles", [])],
        "groups": [{"id": t} for t in teams_of(user["id"], teams)],
        "created_at": a["createdAt"],
        "updated_at": a["updatedAt"],
        "remote_data": user,
    }


def new_email() -> str:
    return f"agent-{uuid.uuid4().hex[:10]}@sandbox-helpdesk.test"


# ------------------------------------------------------------------------------- ticketing users


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_ticketing_users_walk_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    users = await uapi.walk("users", limit)
    vendor = await uapi.kustomer_all("/v1/users")
    teams = await uapi.kustomer_all("/v1/teams")
    assert [u["id"] for u in users] == [u["id"] for u in vendor]
    for user, record in zip(users, vendor, strict=True):
        same(user, expected_user(record, teams))
    assert any(u["team_ids"] for u in users)


async def test_ticketing_user_get_and_filters(uapi: UnifiedApi) -> None:
    record = (await uapi.kustomer("/v1/users", pageSize=3))["data"][2]
    teams = await uapi.kustomer_all("/v1/teams")
    same(await uapi.unified("users", record["id"]), expected_user((await uapi.proxy("users", record["id"]))["data"], teams))
    page = await uapi.unified("users", email=record["attributes"]["email"].upper())
    assert [u["id"] for u in page["result"]] == [record["id"]]
    assert (await uapi.unified("users", email="nobody@sandbox-helpdesk.test"))["result"] == []
    active = await uapi.walk("users", 5, is_active="true")
    assert [u["id"] for u in active] == [u["id"] for u in await uapi.kustomer_all("/v1/users")]
    inactive = await uapi.walk("users", 5, is_active="false")
    assert [u["id"] for u in inactive] == [u["id"] for u in await uapi.kustomer_all("/v1/users", deleted="true")]
    assert all(u["is_active"] is False for u in inactive)
    problem = uapi.problem(await uapi.get("/unified/ticketing/users", email="a@b.test", is_active="true"), 400)
    assert "one at a time" in problem["detail"]
    assert uapi.problem(await uapi.get("/unified/ticketing/users", is_active="perhaps"), 400)
    assert uapi.problem(await uapi.get("/unified/ticketing/users", name="x"), 400)["pointer"] == "/name"


async def test_ticketing_user_create_update_read_back(uapi: UnifiedApi) -> None:
    email = new_email()
    response = await uapi.post("/unified/ticketing/users",
                              {"name": "Grace Hopper", "emails": [{"email": email}], "username": "Grace"})
    assert response.status_code == 201, response.text
    user = response.json()
    assert (user["name"], user["username"], user["emails"]) == ("Grace Hopper", "Grace", [{"email": email, "type": None}])
    assert user["is_active"] is True and user["team_ids"] == []
    assert await uapi.unified("users", user["id"]) == user
    proxied = (await uapi.proxy("users", user["id"]))["data"]["attributes"]
    assert (proxied["name"], proxied["email"], proxied["displayName"]) == ("Grace Hopper", email, "Grace")

    other = new_email()
    response = await uapi.patch(f"/unified/ticketing/users/{user['id']}", {"emails": [{"email": other}]})
    assert response.status_code == 200, response.text
    assert response.json()["emails"] == [{"email": other, "type": None}]
    assert response.json()["name"] == "Grace Hopper"
    assert (await uapi.proxy("users", user["id"]))["data"]["attributes"]["email"] == other
    assert [u["id"] for u in (await uapi.unified("users", email=other))["result"]] == [user["id"]]


async def test_ticketing_user_bad_bodies_and_unsupported(uapi: UnifiedApi) -> None:
    for body, pointer in (({"emails": [{"email": new_email()}]}, "/name"), ({"name": "X"}, "/emails"),
                          ({"name": "X", "emails": []}, "/emails"),
                          ({"name": "X", "emails": [{"email": new_email()}, {"email": new_email()}]}, "/emails"),
                          ({"name": "X", "emails": [{"email": "nope"}]}, "/emails/0/email")):
        assert uapi.problem(await uapi.post("/unified/ticketing/users", body), 400)["pointer"] == pointer, body
    user = (await uapi.kustomer("/v1/users", pageSize=2))["data"][1]["id"]
    assert uapi.problem(await uapi.patch(f"/unified/ticketing/users/{user}", {"emails": []}), 400)["pointer"] == "/emails"
    assert uapi.problem(await uapi.delete(f"/unified/ticketing/users/{user}"), 405)
    # a duplicate email: Kustomer's 409, passed back as the vendor's
    taken = (await uapi.kustomer("/v1/users", pageSize=2))["data"][1]["attributes"]["email"]
    problem = uapi.problem(await uapi.post("/unified/ticketing/users", {"name": "Dup", "emails": [{"email": taken}]}), 409)
    assert problem["from_vendor"] is True


# ------------------------------------------------------------------------------ directory users


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_directory_users_walk_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    users = await uapi.walk("users", limit, api="user-directory")
    vendor = await uapi.kustomer_all("/v1/users")
    teams = await uapi.kustomer_all("/v1/teams")
    assert [u["id"] for u in users] == [u["id"] for u in vendor]
    for user, record in zip(users, vendor, strict=True):
        same(user, expected_directory_user(record, teams))


async def test_directory_status_lifecycle(uapi: UnifiedApi) -> None:
    email = new_email()
    response = await uapi.post("/unified/user-directory/users", {
        "name": "Katherine Johnson", "emails": [{"email": email}], "roles": ["org.user", {"id": "org.admin"}]})
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["status"] == "invited"  # Kustomer users are pending until they accept the invitation
    assert [r["id"] for r in user["roles"]] == ["org.user", "org.admin"]
    assert await uapi.unified("users", user["id"], api="user-directory") == user
    invited = await uapi.walk("users", 3, api="user-directory", status="invited")
    assert user["id"] in [u["id"] for u in invited] and {u["status"] for u in invited} == {"invited"}
    active = await uapi.walk("users", 3, api="user-directory", status="active")
    assert user["id"] not in [u["id"] for u in active] and {u["status"] for u in active} == {"active"}
    everyone = await uapi.walk("users", 100, api="user-directory")
    assert sorted(u["id"] for u in everyone) == sorted(u["id"] for u in active + invited)

    response = await uapi.patch(f"/unified/user-directory/users/{user['id']}", {"status": "inactive"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "inactive"
    assert (await uapi.proxy("users", user["id"]))["data"]["attributes"]["deleted"] is True
    assert (await uapi.unified("users", user["id"]))["is_active"] is False
    inactive = await uapi.walk("users", 2, api="user-directory", status="inactive")
    assert user["id"] in [u["id"] for u in inactive] and {u["status"] for u in inactive} == {"inactive"}
    assert user["id"] in [u["id"] for u in await uapi.walk("users", 2, is_active="false")]

    response = await uapi.patch(f"/unified/user-directory/users/{user['id']}", {"status": "active", "username": "KJ"})
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["username"]) == ("invited", "KJ")  # restored, still pending
    assert (await uapi.proxy("users", user["id"]))["data"]["attributes"]["deleted"] is False


async def test_directory_filters_and_bad_input(uapi: UnifiedApi) -> None:
    record = (await uapi.kustomer("/v1/users", pageSize=4))["data"][3]
    page = await uapi.unified("users", api="user-directory", email=record["attributes"]["email"])
    assert [u["id"] for u in page["result"]] == [record["id"]]
    assert uapi.problem(await uapi.get("/unified/user-directory/users", status="gone"), 400)
    assert uapi.problem(await uapi.get("/unified/user-directory/users", status="active", email="a@b.test"), 400)
    for body, pointer in (({"name": "X", "emails": [{"email": new_email()}], "status": "active"}, "/status"),
                          ({"name": "", "emails": [{"email": new_email()}]}, "/name")):
        assert uapi.problem(await uapi.post("/unified/user-directory/users", body), 400)["pointer"] == pointer
    assert uapi.problem(await uapi.patch(f"/unified/user-directory/users/{record['id']}", {"status": "deleted"}),
                       400)["pointer"] == "/status"
    assert uapi.problem(await uapi.delete(f"/unified/user-directory/users/{record['id']}"), 405)


# ------------------------------------------------------------------------------------ roles, me


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_roles_walk_once(uapi: UnifiedApi, limit: int) -> None:
    roles = await uapi.walk("roles", limit, api="user-directory")
    vendor = await uapi.kustomer_all("/v1/auth/roles")
    assert [r["id"] for r in roles] == [r["id"] for r in vendor]
    for role, record in zip(roles, vendor, strict=True):
        same(role, {"id": record["id"], "name": record["id"],
                    "type": "permission" if ".permission." in record["id"] else "role", "remote_data": record})


async def test_roles_and_me_are_read_only(uapi: UnifiedApi) -> None:
    assert uapi.problem(await uapi.get("/unified/user-directory/roles/org.admin"), 405)
    assert uapi.problem(await uapi.post("/unified/user-directory/roles", {"name": "x"}), 405)
    assert uapi.problem(await uapi.get("/unified/user-directory/roles", name="org.admin"), 400)
    assert uapi.problem(await uapi.post("/unified/user-directory/me", {"name": "x"}), 405)


async def test_me_is_the_key_user(uapi: UnifiedApi) -> None:
    page = await uapi.unified("me", api="user-directory")
    current = (await uapi.kustomer("/v1/users/current"))["data"]
    assert page["next_cursor"] is None and page["result_count"] == 1
    (me,) = page["result"]
    same(me, {"id": current["id"], "name": current["attributes"]["name"], "username": current["attributes"]["displayName"],
              "emails": [], "status": "active", "roles": [{"id": r, "name": r} for r in current["attributes"]["roles"]],
              "created_at": current["attributes"]["createdAt"], "updated_at": current["attributes"]["updatedAt"],
              "groups": [], "phones": [], "is_email_verified": False, "remote_data": current})
    raw = await uapi.unified("me", api="user-directory", response_format="raw")
    assert raw["result"] == await uapi.kustomer("/v1/users/current")
    assert (await uapi.unified("me", api="user-directory", ignore_remote_data="true"))["result"][0].get("remote_data") \
        is None
