"""What running a tool needs: the store, the vendor client, cursors, the server and its account."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from unified.catalogue.loader import Catalogue
from unified.engine.cursors import CursorCodec
from unified.store import McpServer, Store
from unified.vendor.client import Account, VendorClient

T = TypeVar("T")


@dataclass
class CallContext:
    store: Store
    vendor: VendorClient
    cursors: CursorCodec
    server: McpServer
    account: Account
    catalogue: Catalogue
    version: str


@dataclass
class Detached:
    """Tasks that must finish even when the request that started them is cancelled."""

    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` in its own task and wait for it; cancelling the caller does not cancel it."""
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return await asyncio.shield(task)


detached = Detached()
