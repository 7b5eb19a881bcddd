"""Build the Litestar app: load and check every YAML file, open the store, wire the faces.

Everything expensive happens here, once: catalogues are parsed and validated, the store is
migrated, vendor connection pools are created lazily and reused."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.openapi import OpenAPIConfig

from unified.app import openapi
from unified.app.context import Engine
from unified.app.idempotency import IdempotencyPolicy
from unified.app.observability import RequestContext
from unified.app.problems import EXCEPTION_HANDLERS
from unified.app.routes import admin, health, mcp, mcp_admin, passthrough, proxy, unified
from unified.catalogue.loader import load_all
from unified.engine.cursors import CursorCodec, derive_secret
from unified.engine.unified_api import UnifiedEngine
from unified.mapping.loader import load_mappings
from unified.store import Store, StoreConfig
from unified.vendor.client import VendorClient

MAX_BODY_BYTES = 1024 * 1024


def cursor_secret(config: StoreConfig) -> bytes:
    """Shared by every instance with the same configuration, so any instance reads any cursor."""
    explicit = os.environ.get("UNIFIED_CURSOR_SECRET")
    if explicit:
        return derive_secret(explicit.encode(), "cursors")
    from unified.store.keyfile import load_or_create_key_file

    keys = config.encryption_keys or load_or_create_key_file(config.key_file)
    return derive_secret(str(keys[0]).encode(), "cursors")


def create_served_app() -> Litestar:
    """The app as ``unified serve`` runs it in each worker process (see ``freeze_gc``)."""
    return create_app(freeze_gc=True)


def create_app(config: StoreConfig | None = None, *, vendor_timeout: float | None = None,
               freeze_gc: bool = False) -> Litestar:
    config = config or StoreConfig.from_env()
    catalogues = load_all()
    mappings = load_mappings(catalogues)
    timeout = vendor_timeout or float(os.environ.get("UNIFIED_VENDOR_TIMEOUT", "30"))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        store = await Store.open(config)
        vendor = VendorClient(catalogues, timeout=timeout)
        cursors = CursorCodec(cursor_secret(config))
        app.state.engine = Engine(store, catalogues, vendor, cursors)
        app.state.unified = unified.UnifiedState(mappings, UnifiedEngine(vendor, cursors))
        if freeze_gc:
            # Everything loaded so far (catalogues, compiled mappings: ~150k objects) lives as long
            # as the worker: keep it out of the cyclic GC, whose full passes over it cost ~75 ms
            # each and land on whichever request allocates at that moment. Only for a process that
            # runs one app: objects frozen here are never collected by the cyclic GC.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await vendor.aclose()
            await store.close()

    app = Litestar(
        route_handlers=[health.health, *admin.ROUTES, proxy.proxy, passthrough.passthrough, *unified.ROUTES,
                        *mcp_admin.ROUTES, mcp.mcp_endpoint],
        lifespan=[lifespan, mcp.sweeper_lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,  # logging is the process's to configure (`unified serve` logs JSON lines)
        openapi_config=OpenAPIConfig(title="unified", version="0.1.0",
                                     description="Unified helpdesk API: admin, proxy and passthrough faces."),
        debug=False,
    )
    openapi.install(app, mappings, catalogues)
    app.state.idempotency = IdempotencyPolicy.from_env()
    app.asgi_handler = RequestContext(app.asgi_handler)  # outermost: request ids on every response
    return app
