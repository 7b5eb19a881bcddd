"""Close unmasking windows this service opened and did not see closed.

Runs once at start-up (a window left by a crash before the restart) and then periodically.
It only touches rows whose ``close_after`` has passed, so a window another instance is
still reading through is left alone; every instance may sweep, claims keep them apart.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta

from unified.catalogue.loader import Catalogue
from unified.errors import ApiError
from unified.store import Store
from unified.vendor.client import Account, VendorClient

log = logging.getLogger("unified.mcp")
SWEEP_INTERVAL_ENV = "UNIFIED_MCP_SWEEP_SECONDS"
DEFAULT_INTERVAL_SECONDS = 60.0
RETRY_IN = timedelta(minutes=2)

AccountLoader = Callable[[str, str], Awaitable[tuple[Account, Catalogue]]]


async def sweep_once(store: Store, vendor: VendorClient, load_account: AccountLoader) -> int:
    """Close every due window; returns how many were closed (or found to need no closing)."""
    done = 0
    for window in await store.claim_due_unmasking_windows(retry_in=RETRY_IN):
        try:
            account, catalogue = await load_account(window.tenant_id, window.integrated_account_id)
        except ApiError:
            await store.forget_unmasking_window(window.id)  # the account is gone: nothing can be closed
            done += 1
            continue
        spec = catalogue.provider.pii_unmasking
        if spec is None:
            await store.forget_unmasking_window(window.id)
            done += 1
            continue
        resource, _, method = spec.close.partition(".")
        op = catalogue.operation(resource, method)
        assert op is not None
        try:
            await vendor.call(op, account, {spec.subject: window.subject_id})
        except ApiError as exc:
            if exc.vendor_status != 404:
                log.warning("sweeper: closing unmasking window %s failed (HTTP %s); retrying later",
                            window.id, exc.status)
                continue
        await store.forget_unmasking_window(window.id)
        done += 1
    return done


def interval_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get(SWEEP_INTERVAL_ENV, DEFAULT_INTERVAL_SECONDS)))
    except ValueError:
        return DEFAULT_INTERVAL_SECONDS


class Sweeper:
    """A background task: sweep now, then every ``interval`` seconds, until stopped."""

    def __init__(self, store: Store, vendor: VendorClient, load_account: AccountLoader,
                 interval: float | None = None) -> None:
        self.store, self.vendor, self.load_account = store, vendor, load_account
        self.interval = interval or interval_seconds()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="unmasking-window-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                closed = await sweep_once(self.store, self.vendor, self.load_account)
                if closed:
                    log.info("sweeper: closed %d unmasking window(s) left open", closed)
            except Exception:  # the loop must survive a database hiccup
                log.exception("sweeper: sweep failed")
            await asyncio.sleep(self.interval)
