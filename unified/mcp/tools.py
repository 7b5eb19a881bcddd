"""MCP tool definitions, generated from catalogue operations (never listed by hand).

Agents see one flat ``inputSchema`` per tool: path parameters, query parameters and the
body's top-level properties side by side, as MCP clients expect. ``Tool.arguments`` remembers
where each argument goes, so a call can be split back apart. A body that is not an object
(Kustomer's bare tag arrays) sits under one ``body`` argument; a body property whose name is
already taken by a path or query parameter becomes ``body_<name>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from unified.catalogue.loader import Catalogue, CatalogueOperation
from unified.mcp import protocol

Location = Literal["path", "query", "body", "body_root"]
PAGING_ARGUMENTS = ("limit", "next_cursor")
CURSOR_INSTRUCTION = (
    "Cursor for the next page: pass the next_cursor value of the previous result back exactly as received, "
    "unchanged (it is opaque and signed). Omit it for the first page. With a cursor, the other arguments "
    "may be repeated or left out: the cursor carries them."
)
_DESTRUCTIVE_METHODS = ("delete", "bulk_delete", "redact")


@dataclass(frozen=True)
class Argument:
    """Where one flat argument goes in the vendor call, and under which name."""

    location: Location
    name: str


@dataclass(frozen=True)
class Tool:
    """A tool as MCP clients see it, plus what the server needs to run it."""

    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    annotations: dict[str, bool]
    tags: tuple[str, ...] = ()
    op: CatalogueOperation | None = None
    arguments: Mapping[str, Argument] = field(default_factory=dict)
    open_body: bool = False  # unknown arguments go into the (object) body

    def definition(self, version: str) -> dict[str, Any]:
        """The ``tools/list`` entry, with only the fields the negotiated version defines."""
        out: dict[str, Any] = {"name": self.name, "description": self.description, "inputSchema": self.input_schema}
        if protocol.at_least(version, "2025-06-18"):
            out["title"] = self.title
        if protocol.at_least(version, "2025-03-26"):
            out["annotations"] = {"title": self.title, **self.annotations}
        return out


def title_of(name: str, catalogue: Catalogue) -> str:
    """``list_all_kustomer_conversations`` -> ``List all Kustomer conversations``."""
    words = [catalogue.provider.display_name if w == catalogue.name else w for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def annotations(op: CatalogueOperation) -> dict[str, bool]:
    """Hints for clients: reads are read-only; deletes are destructive; PUT/DELETE/upserts idempotent."""
    if op.access == "read":
        return {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": True}
    destructive = op.http == "DELETE" or op.method in _DESTRUCTIVE_METHODS
    idempotent = op.http in ("PUT", "DELETE") or op.method == "upsert"
    return {"readOnlyHint": False, "destructiveHint": destructive, "idempotentHint": idempotent,
            "openWorldHint": True}


def object_body(schema: Mapping[str, Any]) -> tuple[dict[str, Any], set[str], bool] | None:
    """(properties, required, open) of an object body, merging ``oneOf``/``anyOf`` alternatives;
    None for a body that is not an object with declared properties."""
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if schema.get("type") == "object" and not alternatives:
        alternatives = [schema]
    if not alternatives or not all(isinstance(a, dict) and a.get("type") == "object" for a in alternatives):
        return None
    properties: dict[str, Any] = {}
    required: set[str] | None = None
    closed = True
    for alternative in alternatives:
        for name, prop in (alternative.get("properties") or {}).items():
            properties.setdefault(name, prop)
        needed = set(alternative.get("required") or ())
        required = needed if required is None else required & needed
        closed = closed and alternative.get("additionalProperties") is False
    if not properties:
        return None
    return properties, required or set(), not closed


def paging_properties(op: CatalogueOperation) -> dict[str, Any]:
    assert op.pagination is not None
    return {
        "limit": {"type": "integer", "minimum": 1, "maximum": op.pagination.max_size,
                  "description": f"Records per page, 1 to {op.pagination.max_size} "
                                 f"(default {op.pagination.default_size})."},
        "next_cursor": {"type": "string", "description": CURSOR_INSTRUCTION},
    }


def description_of(op: CatalogueOperation) -> str:
    text = op.description
    if op.is_list:
        text += (" Returns one page as {result, next_cursor, result_count}; next_cursor null means the last page. "
                 "For the next page, call again with next_cursor passed back exactly as received.")
    if op.external_url:
        text += " Only links on the account's own vendor host can be fetched; the file comes back as content."
    return text


def operation_tool(op: CatalogueOperation, catalogue: Catalogue) -> Tool:
    properties: dict[str, Any] = {}
    arguments: dict[str, Argument] = {}
    required: list[str] = []
    for name, schema in op.path_params.items():
        properties[name] = schema
        arguments[name] = Argument("path", name)
        required.append(name)
    for name, schema in op.query.items():
        properties[name] = schema
        arguments[name] = Argument("query", name)
        if name in op.query_required:
            required.append(name)
    open_body = False
    if op.body is not None:
        shape = object_body(op.body)
        if shape is None:
            properties["body"] = {**op.body, "description": _join(op.body.get("description"),
                                                                   "Sent as the whole request body.")}
            arguments["body"] = Argument("body_root", "body")
            if op.body_required:
                required.append("body")
        else:
            body_properties, body_required, open_body = shape
            for name, schema in body_properties.items():
                flat = name if name not in properties and name not in PAGING_ARGUMENTS else f"body_{name}"
                if flat != name:
                    schema = {**schema, "description": _join(schema.get("description"),
                                                             f"Sent as the body field {name!r}.")}
                properties[flat] = schema
                arguments[flat] = Argument("body", name)
                if op.body_required and name in body_required:
                    required.append(flat)
    if op.is_list:
        properties.update(paging_properties(op))
    input_schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        input_schema["required"] = required
    input_schema["additionalProperties"] = open_body
    return Tool(name=op.tool_name, title=title_of(op.tool_name, catalogue), description=description_of(op),
                input_schema=input_schema, annotations=annotations(op), tags=op.tags, op=op,
                arguments=arguments, open_body=open_body)


def _join(first: str | None, second: str) -> str:
    return f"{first.rstrip('.')}. {second}" if first else second


_cache: dict[int, tuple[Catalogue, dict[str, Tool]]] = {}


def operation_tools(catalogue: Catalogue) -> dict[str, Tool]:
    """Every operation's tool, by name, sorted by name; built once per loaded catalogue."""
    cached = _cache.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        tools = {op.tool_name: operation_tool(op, catalogue) for op in _sorted(catalogue.operations.values())}
        cached = _cache[id(catalogue)] = (catalogue, tools)
    return cached[1]


def _sorted(ops: Iterable[CatalogueOperation]) -> list[CatalogueOperation]:
    return sorted(ops, key=lambda op: op.tool_name)
