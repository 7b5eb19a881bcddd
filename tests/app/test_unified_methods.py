"""Across every unified resource: the methods Kustomer cannot serve are a clear 405, undeclared
filters a 400, and the mapped methods are exactly the ones the Kustomer mappings promise."""

from __future__ import annotations

import pytest

from unified.catalogue.loader import load_all
from unified.mapping.loader import load_mappings
from unified.models import REGISTRY

from .unified_support import UnifiedApi

MAPPINGS = load_mappings(load_all())
METHODS = ("list", "get", "create", "update", "delete")
SUPPORTED = {
    ("ticketing", "tickets"): {"list", "get", "create", "update", "delete"},
    ("ticketing", "comments"): {"list", "get", "create"},
    ("ticketing", "contacts"): {"list", "get", "create", "update", "delete"},
    ("ticketing", "accounts"): {"list", "get", "create", "update"},
    ("ticketing", "users"): {"list", "get", "create", "update"},
    ("ticketing", "teams"): {"list", "get", "create", "update", "delete"},
    ("ticketing", "tags"): {"list", "get"},
    ("ticketing", "attachments"): {"list", "get"},
    ("ticketing", "fields"): {"list"},
    ("ticketing", "ticket_priorities"): {"list"},
    ("ticketing", "ticket_status"): {"list"},
    ("user-directory", "users"): {"list", "get", "create", "update"},
    ("user-directory", "roles"): {"list"},
    ("user-directory", "me"): {"list"},
}


def test_every_unified_resource_has_a_kustomer_mapping_with_the_promised_methods() -> None:
    assert set(SUPPORTED) == set(REGISTRY)
    for (api, resource), methods in SUPPORTED.items():
        assert set(MAPPINGS["kustomer", api, resource].methods) == methods, (api, resource)


@pytest.mark.parametrize("api,resource,method", [
    (api, resource, method) for (api, resource), methods in sorted(SUPPORTED.items())
    for method in METHODS if method not in methods])
async def test_unsupported_methods_are_405(uapi: UnifiedApi, api: str, resource: str, method: str) -> None:
    base = f"/unified/{api}/{resource}"
    record = "0" * 24
    response = {
        "list": lambda: uapi.get(base),
        "get": lambda: uapi.get(f"{base}/{record}"),
        "create": lambda: uapi.post(base, {"name": "x"}),
        "update": lambda: uapi.patch(f"{base}/{record}", {"name": "x"}),
        "delete": lambda: uapi.delete(f"{base}/{record}"),
    }[method]
    problem = uapi.problem(await response(), 405)
    assert method in problem["detail"] and "supported:" in problem["detail"]


@pytest.mark.parametrize("api,resource", sorted(k for k, v in SUPPORTED.items() if "list" in v))
async def test_undeclared_filters_are_400(uapi: UnifiedApi, api: str, resource: str) -> None:
    problem = uapi.problem(await uapi.get(f"/unified/{api}/{resource}", zzz="1"), 400)
    assert problem["pointer"] == "/zzz" and problem["from_vendor"] is False
    problem = uapi.problem(await uapi.get(f"/unified/{api}/{resource}", **{"id[like]": "1"}), 400)
    assert problem["pointer"] == "/id[like]"


async def test_unknown_resources_are_404(uapi: UnifiedApi) -> None:
    assert uapi.problem(await uapi.get("/unified/ticketing/collections"), 404)
    assert uapi.problem(await uapi.get("/unified/crm/contacts"), 404)
