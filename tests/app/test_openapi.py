"""The served OpenAPI document is complete for the unified API and equals the committed copy."""

import json

from litestar._openapi.plugin import OpenAPIPlugin
from litestar.testing import TestClient

from unified.app.factory import create_app
from unified.app.openapi import committed, render
from unified.catalogue.loader import load_all
from unified.mapping.loader import load_mappings


def served_document() -> dict:
    return create_app().plugins.get(OpenAPIPlugin).provide_openapi_schema()


def test_committed_document_is_current():
    assert committed().read_text() == render(served_document()), "run `unified openapi --write`"


def test_every_mapped_resource_and_method_is_described():
    document = served_document()
    assert document["openapi"].startswith("3.1")
    for (_, api, resource), mapping in load_mappings(load_all()).items():
        for method in mapping.methods:
            path = f"/unified/{api}/{resource}" + ("/{id}" if method in ("get", "update", "delete") else "")
            verb = {"list": "get", "get": "get", "create": "post", "update": "patch", "delete": "delete"}[method]
            operation = document["paths"][path][verb]
            answer = operation["responses"]["400"]  # a shared response of components/responses
            answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
            assert answer["content"]["application/problem+json"]
            if method in ("list", "get"):
                names = {p["name"] for p in operation["parameters"]}
                for field, ops in mapping.methods[method].filters.items():
                    for op in ops:
                        assert (field if op == "eq" else f"{field}[{op}]") in names


def test_schemas_referenced_by_paths_exist():
    document = served_document()
    text = json.dumps(document["paths"])
    for name in {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}:
        assert name in document["components"]["schemas"], name


def test_document_is_served(tmp_path, monkeypatch):
    monkeypatch.setenv("UNIFIED_DATABASE_URL", f"sqlite:///{tmp_path / 'u.db'}")
    monkeypatch.setenv("UNIFIED_ENCRYPTION_KEYS", "dGhpc2lzYWZha2VrZXl0aGlzaXNhZmFrZWtleTAxMjM=")
    with TestClient(create_app()) as client:
        served = client.get("/schema/openapi.json").json()
    assert "/unified/ticketing/tickets" in served["paths"]
