"""Walk a vendor's paged list with our cursors.

One of our pages is one vendor page: ``limit`` becomes the vendor's page size (clamped to
its maximum), so walking with any limit returns each record exactly once. Page-number
styles remember the page; cursor-link styles remember the cursor parameters of the
vendor's next link."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from unified.catalogue.loader import CatalogueOperation, Pagination
from unified.engine.cursors import CursorCodec
from unified.errors import ApiError
from unified.vendor.client import Account, VendorClient, VendorResponse
from unified.vendor.jsonpath import get_path


@dataclass
class ListPage:
    records: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    response: VendorResponse
    state: dict[str, Any]


def page_size(pagination: Pagination, limit: int | None) -> int:
    if limit is None:
        return pagination.default_size
    if limit < 1:
        raise ApiError(400, "limit must be at least 1", pointer="/limit")
    return min(limit, pagination.max_size)


def _link_params(link: Any) -> dict[str, str]:
    if not isinstance(link, str) or not link:
        return {}
    return dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))


async def fetch_page(client: VendorClient, codec: CursorCodec, op: CatalogueOperation, account: Account, *,
                     path_params: Mapping[str, Any], query: Mapping[str, Any], body: Any,
                     limit: int | None, cursor: str | None, extra: Mapping[str, Any] | None = None) -> ListPage:
    """One page. ``extra`` is kept in the cursor (the unified layer keeps its query there)."""
    pagination = op.pagination
    if pagination is None:
        raise ApiError(500, f"{op.tool_name} is not a paged list")
    scope = {"o": op.tool_name, "a": account.id}
    if cursor:
        state = codec.decode(cursor, scope=scope)
        path_params, query, body = state["pp"], state["q"], state["b"]
    else:
        wanted = page_size(pagination, limit)
        state = {**scope, "pp": dict(path_params), "q": dict(query), "b": body,
                 "s": wanted, "p": pagination.first_page, "c": {}, "x": dict(extra or {})}
        if pagination.max_pages is not None and pagination.style == "page_number" and wanted < pagination.max_size:
            # The vendor serves only max_pages pages: small pages would hide everything past
            # max_pages * limit records. Fetch full pages and hand them out in slices ("w" = offset).
            state.update({"s": pagination.max_size, "l": wanted, "w": 0})
    size = state["s"]
    vendor_query = dict(query)
    vendor_query[pagination.size_param] = size
    if pagination.style == "page_number":
        vendor_query[pagination.page_param] = state["p"]
    else:
        vendor_query.update(state["c"])
    response = await client.call(op, account, path_params, vendor_query, body)
    records = get_path(response.body, pagination.records)
    if records is None:
        records = []
    if not isinstance(records, list):
        raise ApiError(502, f"{op.tool_name}: the vendor's list is not an array at {pagination.records!r}",
                       code="vendor-malformed")
    next_link = get_path(response.body, pagination.next_link)
    prev_link = get_path(response.body, pagination.next_link.replace("next", "prev"))
    next_cursor = prev_cursor = None
    if pagination.style == "page_number":
        page = state["p"]
        at_cap = pagination.max_pages is not None and page >= pagination.max_pages
        sliced = state.get("l")
        window = state.get("w", 0)
        full = records
        if sliced:
            records = full[window:window + sliced]
        if sliced and window + sliced < len(full):
            next_cursor = codec.encode({**state, "w": window + sliced})
        elif next_link and full and not at_cap:
            next_page = int(_link_params(next_link).get(pagination.page_param, page + 1))
            if next_page > page:  # never loop back, whatever the vendor links to
                next_cursor = codec.encode({**state, "p": next_page, "w": 0})
        if sliced and window > 0:
            prev_cursor = codec.encode({**state, "w": max(0, window - sliced)})
        elif page > pagination.first_page:
            last_window = max(0, state["s"] - sliced) if sliced else 0
            prev_cursor = codec.encode({**state, "p": page - 1, "w": last_window})
    else:
        wanted = set(pagination.cursor_params)
        if next_link and records:
            params = {k: v for k, v in _link_params(next_link).items() if k in wanted}
            if params and params != state["c"]:
                next_cursor = codec.encode({**state, "c": params})
        if prev_link:
            params = {k: v for k, v in _link_params(prev_link).items() if k in wanted}
            if params:
                prev_cursor = codec.encode({**state, "c": params})
    return ListPage(records, next_cursor, prev_cursor, response, state)
