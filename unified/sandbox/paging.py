"""Kustomer's list envelopes: page/pageSize with links, and the audit-log cursor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from unified.sandbox.http import Ctx, Reply, bad_request

T = TypeVar("T")


def page_reply(
    ctx: Ctx,
    items: Sequence[T],
    render: Callable[[T], dict[str, Any]],
    *,
    with_total: bool = False,
    max_pages: int | None = None,
    included: list[dict[str, Any]] | None = None,
) -> Reply:
    """One page of ``items`` in Kustomer's envelope; ``links.next`` is null on the last page."""
    pagination = ctx.op.pagination
    default_size = pagination.default_size if pagination else 100
    max_size = pagination.max_size if pagination else 100
    page = ctx.int_query("page", 1)
    size = ctx.int_query("pageSize", default_size, maximum=max_size)
    if max_pages is not None and page > max_pages:
        raise bad_request(f"page cannot exceed {max_pages}", parameter="page")
    start = (page - 1) * size
    chunk = items[start : start + size]
    total = len(items)
    total_pages = max(1, -(-total // size))
    last_page = min(total_pages, max_pages) if max_pages else total_pages
    meta: dict[str, Any] = {"pageSize": size, "page": page}
    if with_total:
        meta["total"] = total
        meta["totalPages"] = total_pages
    path = ctx.path
    links: dict[str, Any] = {
        "self": ctx.link(path, page=page, pageSize=size),
        "first": ctx.link(path, page=1, pageSize=size),
        "prev": ctx.link(path, page=page - 1, pageSize=size) if page > 1 else None,
        "next": ctx.link(path, page=page + 1, pageSize=size) if page < last_page else None,
    }
    if with_total:
        links["last"] = ctx.link(path, page=last_page, pageSize=size)
    body: dict[str, Any] = {"meta": meta, "data": [render(item) for item in chunk], "links": links}
    if included is not None:
        body["included"] = included
    return Reply(200, body)


def cursor_reply(
    ctx: Ctx,
    items: Sequence[T],
    key: Callable[[T], str],
    render: Callable[[T], dict[str, Any]],
) -> Reply:
    """Audit-log paging: newest first, ``count`` per page, ``before``/``after`` record ids."""
    pagination = ctx.op.pagination
    count = ctx.int_query("count", pagination.default_size if pagination else 100,
                          maximum=pagination.max_size if pagination else 1000)
    before = ctx.query.get("before")
    after = ctx.query.get("after")
    ordered = sorted(items, key=key, reverse=True)
    if before:
        window = [i for i in ordered if key(i) < before][:count]
    elif after:
        window = [i for i in ordered if key(i) > after][-count:]
    else:
        window = ordered[:count]
    path = ctx.path
    older = bool(window) and any(key(i) < key(window[-1]) for i in ordered)
    newer = bool(window) and any(key(i) > key(window[0]) for i in ordered)
    base = {k: v for k, v in ctx.query.items() if k not in ("before", "after", "count")}
    def link(**extra: Any) -> str:
        return ctx.link(path, **{**base, "count": count, "before": None, "after": None, **extra})
    links = {
        "self": link(before=before, after=after),
        "first": link(),
        "prev": link(after=key(window[0])) if newer else None,
        "next": link(before=key(window[-1])) if older else None,
    }
    meta = {"count": len(window), "total": len(ordered), "cursorCount": len(ordered)}
    return Reply(200, {"meta": meta, "data": [render(i) for i in window], "links": links})
