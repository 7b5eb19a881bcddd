"""The shape of mapping files (`mappings/<vendor>/<api>/<resource>.yaml`), as msgspec Structs.

Every expression field is a JSONata string. What each expression reads:

- ``when``, ``path.*``, ``query``, ``body``: an object ``{query, body, id, context}``:
  ``query`` the unified query (filters as ``{field: {op: value}}``, ``sort_by``, ``limit``),
  ``body`` the validated unified request body, ``id`` the record id of get/update/delete,
  ``context`` the integrated account's (non-secret) settings.
  ``path``, ``query`` and ``body`` may also use the variables ``$query``, ``$body``, ``$id``,
  ``$context`` and ``$lookups`` (the method's lookup tables, fetched before the vendor call).
  Calling ``$error("message")`` in any of these rejects the request with a 400 and that message
  (start it with a JSON pointer, ``"/field: message"``, to point at the offending field).
- ``records``: the vendor response body; returns the vendor record(s). A list route whose call
  is not paged (e.g. a lookup by email) answers an empty list when the vendor says 404.
- ``response``: one vendor record; ``$query``, ``$body``, ``$id``, ``$context`` and ``$lookups``
  are bound as variables. Returning null drops the record from a list.

A method's ``description`` is shown to callers when no route's ``when`` holds (a 400), so say
there which filters the method needs. Filters declared on get/update/delete are accepted there
too (e.g. ``?is_private=true`` to pick the vendor call); any other filter is a 400.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

Expression = Annotated[str, Meta(min_length=1, description="A JSONata expression.")]
FilterOp = Literal["eq", "gt", "gte", "lt", "lte", "in"]
MethodName = Literal["list", "get", "create", "update", "delete"]


class _Strict(Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    pass


class Route(_Strict, kw_only=True):
    """One vendor call that can serve the method; the first route whose ``when`` holds wins."""

    call: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$",
                              description="Catalogue `resource.method` to call.",
                              examples=["conversations.list"])]
    when: Annotated[Expression | None, Meta(description="Condition over {query, body, id, context}.")] = None
    path: Annotated[dict[str, Expression], Meta(
        description="Each path placeholder of the call, as an expression over {query, body, id, context}.")] = {}
    query: Annotated[Expression | None, Meta(
        description="Vendor query parameters (an object) from {query, body, id, context}.")] = None
    body: Annotated[Expression | None, Meta(
        description="Vendor request body from {query, body, id, context}; `$error(msg)` rejects the request (400).")] = None
    records: Annotated[Expression | None, Meta(
        description="Where the record(s) are in the vendor response body (default: the provider's record path).")] = None
    response: Annotated[Expression | None, Meta(description="Overrides the method's response mapping.")] = None


class Lookup(_Strict, kw_only=True):
    """A vendor list fetched before mapping (e.g. tag id -> name), cached per account briefly."""

    call: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]
    key: Annotated[Expression, Meta(description="Key of each vendor record, e.g. `id`.")]
    value: Annotated[Expression, Meta(description="Value kept for each key, e.g. `attributes.name`.")]
    collect: Annotated[bool, Meta(description=(
        "Index a relation from its other side: `key` may give several keys (e.g. a team's "
        "`attributes.members`) and each key maps to the list of `value`s of every record naming it "
        "(user id -> team ids), in record order. Lets a response read `$lookup(...)` once instead of "
        "filtering every record of the table."))] = False
    max_pages: Annotated[int, Meta(ge=1, le=50)] = 10
    ttl_seconds: Annotated[float, Meta(ge=0)] = 60.0


class Method(_Strict, kw_only=True):
    description: Annotated[str, Meta(
        description="What the method does and which filters it needs; shown in the 400 when no route applies.")] = ""
    routes: Annotated[list[Route], Meta(min_length=1)] | None = None
    static: Annotated[list[dict[str, Any]] | None, Meta(description="Fixed records (no vendor call).")] = None
    response: Expression | None = None
    filters: Annotated[dict[str, list[FilterOp]], Meta(
        description="Unified filters this method can serve, with their operators.")] = {}
    sort_by: Annotated[list[str], Meta(description="Fields the list can be sorted by.")] = []
    lookups: Annotated[list[str], Meta(
        description="Names of file lookups the method uses (as `$lookups.<name>` in path, query, body and response).")] = []


class MappingFile(_Strict, kw_only=True):
    description: str = ""
    response: Annotated[Expression | None, Meta(description="Default response mapping for every method.")] = None
    lookups: dict[str, Lookup] = {}
    methods: dict[MethodName, Method]
