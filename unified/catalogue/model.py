"""The shape of provider catalogue files, as msgspec Structs.

These Structs are the one source of truth for the YAML format: the loader validates files
with them (unknown keys rejected), and ``schemas/*.schema.json`` is generated from them so
editors can complete and check the files.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

JsonSchema = Annotated[
    dict[str, Any],
    Meta(description="A JSON Schema (draft 2020-12) object.", examples=[{"type": "string"}]),
]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Identifier = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*$", description="snake_case name")]


class _Strict(Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    pass


# --------------------------------------------------------------------------- provider file


class BaseUrlOption(_Strict, kw_only=True):
    """One way an integrated account can choose its vendor base URL."""

    template: Annotated[
        str,
        Meta(
            description="URL template; `{setting}` placeholders are filled from the account's settings.",
            examples=["https://{org_subdomain}.api.example.com"],
        ),
    ]
    settings: Annotated[
        dict[str, JsonSchema],
        Meta(description="Schema of each account setting the template reads."),
    ] = {}
    description: str = ""


class BaseUrl(_Strict, kw_only=True):
    default: Annotated[str, Meta(description="Base URL used when the account sets nothing.")]
    options: Annotated[
        dict[str, BaseUrlOption],
        Meta(description="Named alternatives, chosen by which settings an account provides."),
    ] = {}
    allow_override: Annotated[
        bool,
        Meta(description="Whether an account may set `base_url` directly (a sandbox, a proxy)."),
    ] = True


class Auth(_Strict, kw_only=True):
    type: Annotated[Literal["bearer", "header", "basic"], Meta(description="How credentials are sent.")]
    credential: Annotated[
        str, Meta(description="Name of the account credential that holds the secret.", examples=["api_key"])
    ] = "api_key"
    header: Annotated[str, Meta(description="Header name (type `header`).")] = "Authorization"
    prefix: Annotated[str, Meta(description="Text before the secret (type `header`).")] = ""


class PaginationStyle(_Strict, kw_only=True):
    """How a vendor pages a list. ``page_number``: page + size params; ``cursor_link``: size
    param + a cursor taken from the next link. Either way the next page is the link at
    ``next_link`` in the response, and records are at ``records``."""

    style: Literal["page_number", "cursor_link"]
    size_param: Annotated[str, Meta(description="Query parameter carrying the page size.")]
    page_param: Annotated[str, Meta(description="Query parameter carrying the page number.")] = ""
    cursor_params: Annotated[
        list[str], Meta(description="Query parameters copied from the next link (cursor_link style).")
    ] = []
    first_page: int = 1
    default_size: Annotated[int, Meta(ge=1)]
    max_size: Annotated[int, Meta(ge=1)]
    records: Annotated[str, Meta(description="Dotted path of the record array.", examples=["data"])]
    next_link: Annotated[str, Meta(description="Dotted path of the next-page link; null at the end.")]
    max_pages: Annotated[int | None, Meta(description="Hard cap on pages the vendor serves.")] = None


class RateLimitHeaders(_Strict, kw_only=True):
    limit: str
    remaining: str
    reset: str
    reset_format: Annotated[
        Literal["epoch_seconds", "seconds", "epoch_milliseconds"],
        Meta(description="What the reset header counts."),
    ]


class ErrorShape(_Strict, kw_only=True):
    """Where a vendor error body keeps its message and code (dotted paths, first hit wins)."""

    message: list[str]
    code: list[str] = []


OperationRef = Annotated[
    str,
    Meta(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", description="`resource.method` of a catalogue operation.",
         examples=["customer_unmasking_windows.create"]),
]


class PiiUnmasking(_Strict, kw_only=True):
    """A vendor's "show masked data for a while" flow, offered to AI agents as one MCP tool that
    opens the window, reads, and always closes the window again, so an agent that fails or
    disconnects halfway never leaves sensitive data unmasked."""

    tool: Annotated[Identifier, Meta(description="Name of the MCP tool.", examples=["read_unmasked_acme_customer"])]
    description: Annotated[str, Meta(min_length=10, description="What the tool does, for agents.")]
    subject: Annotated[
        str, Meta(description="Path parameter naming the record to unmask; every operation below takes it.")
    ] = "id"
    open: Annotated[OperationRef, Meta(description="Operation that opens the window (takes no body).")]
    close: Annotated[OperationRef, Meta(description="Operation that closes the window again.")]
    read: Annotated[
        dict[Identifier, OperationRef],
        Meta(description="What the tool can read while the window is open: result name to GET operation.",
             examples=[{"customer": "customers.get"}]),
    ]


class Provider(_Strict, kw_only=True):
    """`providers/<vendor>/provider.yaml`."""

    name: Identifier
    display_name: str
    description: str = ""
    base_url: BaseUrl
    auth: Auth
    pagination: Annotated[
        dict[str, PaginationStyle], Meta(description="Named pagination styles operations refer to.")
    ]
    default_pagination: Annotated[str, Meta(description="Style used by list operations by default.")]
    rate_limit: RateLimitHeaders | None = None
    errors: ErrorShape
    id_pattern: Annotated[str | None, Meta(description="Regex a record id matches.")] = None
    pii_unmasking: Annotated[
        PiiUnmasking | None, Meta(description="The vendor's unmasking flow, if it masks sensitive data.")
    ] = None
    record: Annotated[
        str | None, Meta(description="Dotted path of the record in single-record responses.", examples=["data"])
    ] = None


# --------------------------------------------------------------------------- resource files


class PaginationOverride(_Strict, kw_only=True):
    style: Annotated[str, Meta(description="Name of a provider pagination style.")]
    default_size: int | None = None
    max_size: int | None = None


class Operation(_Strict, kw_only=True):
    """One vendor endpoint."""

    http: HttpMethod
    path: Annotated[
        str,
        Meta(
            description="Vendor path with `{param}` placeholders, relative to the base URL.",
            examples=["/v1/conversations/{id}"],
        ),
    ]
    description: Annotated[str, Meta(min_length=10, description="What the operation does, for people and agents.")]
    path_params: Annotated[
        dict[str, JsonSchema],
        Meta(description="Schema of each `{placeholder}`; unlisted ones are plain strings."),
    ] = {}
    query: Annotated[dict[str, JsonSchema], Meta(description="Query parameters, name to schema.")] = {}
    query_required: list[str] = []
    body: Annotated[JsonSchema | None, Meta(description="JSON Schema of the request body.")] = None
    body_required: bool = True
    pagination: Annotated[
        str | PaginationOverride | None,
        Meta(description="Pagination style name, an override, or `none`. Lists default to the provider's."),
    ] = None
    access: Annotated[
        Literal["read", "write"] | None,
        Meta(description="Defaults to read for GET and write otherwise."),
    ] = None
    status: Annotated[int, Meta(description="Vendor's success status.")] = 200
    tags: list[str] = []
    external_url: Annotated[
        bool, Meta(description="The path is an absolute URL handed out by the vendor (a file link).")
    ] = False


class Resource(_Strict, kw_only=True):
    singular: Identifier
    description: str = ""
    tags: list[str] = []
    methods: dict[Identifier, Operation]


class ResourceFile(_Strict, kw_only=True):
    """`providers/<vendor>/resources/<domain>.yaml`."""

    domain: Annotated[Identifier, Meta(description="Resource domain; added to every operation's tags.")]
    description: str = ""
    resources: dict[Identifier, Resource]


def json_schema(kind: type) -> dict[str, Any]:
    """JSON Schema of a file kind, for editors."""
    return msgspec.json.schema(kind)
