"""Unmasking windows the MCP face opened: written before opening, deleted after closing.

A row that is still there after its ``close_after`` means the closing never happened (the
process died, the vendor was down); the sweeper claims such rows and closes their windows.
Claiming moves ``close_after`` forward in one conditional UPDATE, so two instances sweeping
at once do not both work on the same row, and a failed close is simply retried later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import RowMapping, delete, insert, select, update

from . import ids, validate
from .records import PendingUnmaskingWindow
from .repository import Repository
from .schema import unmasking_windows as windows
from .types import utcnow

MAX_SUBJECT_LENGTH = 200


def pending_window_from_row(m: RowMapping) -> PendingUnmaskingWindow:
    return PendingUnmaskingWindow(
        id=m["id"],
        tenant_id=m["tenant_id"],
        integrated_account_id=m["integrated_account_id"],
        subject_id=m["subject_id"],
        mcp_server_id=m["mcp_server_id"],
        opened_at=m["opened_at"],
        close_after=m["close_after"],
        attempts=m["attempts"],
    )


class UnmaskingWindowRepository(Repository):
    async def record_unmasking_window(
        self, tenant_id: str, account_id: str, subject_id: str, *, close_after: datetime,
        mcp_server_id: str | None = None,
    ) -> PendingUnmaskingWindow:
        """Note a window about to be opened; call this *before* opening it."""
        subject_id = validate.name(subject_id, "subject_id")[:MAX_SUBJECT_LENGTH]
        now = utcnow()
        record = PendingUnmaskingWindow(
            id=ids.new_id(ids.UNMASKING_WINDOW),
            tenant_id=validate.record_id(tenant_id, "tenant_id"),
            integrated_account_id=validate.record_id(account_id, "account_id"),
            subject_id=subject_id,
            mcp_server_id=mcp_server_id,
            opened_at=now,
            close_after=close_after,
        )
        async with self._db.write() as conn:
            await conn.execute(insert(windows).values(
                id=record.id, tenant_id=record.tenant_id, integrated_account_id=record.integrated_account_id,
                subject_id=record.subject_id, mcp_server_id=record.mcp_server_id, opened_at=record.opened_at,
                close_after=record.close_after, attempts=0,
            ))
        return record

    async def forget_unmasking_window(self, window_id: str) -> None:
        """The window is closed: nothing left to sweep."""
        async with self._db.write() as conn:
            await conn.execute(delete(windows).where(windows.c.id == window_id))

    async def list_pending_unmasking_windows(self) -> list[PendingUnmaskingWindow]:
        """Every window not yet seen closed, oldest first (for operators and tests)."""
        async with self._db.read() as conn:
            rows = (await conn.execute(select(windows).order_by(windows.c.id))).all()
        return [pending_window_from_row(row._mapping) for row in rows]

    async def claim_due_unmasking_windows(
        self, *, retry_in: timedelta, limit: int = 50, now: datetime | None = None
    ) -> list[PendingUnmaskingWindow]:
        """Windows whose ``close_after`` has passed, each claimed by pushing it ``retry_in`` ahead."""
        now = now or utcnow()
        claimed: list[PendingUnmaskingWindow] = []
        async with self._db.write() as conn:
            rows = (await conn.execute(
                select(windows).where(windows.c.close_after <= now).order_by(windows.c.close_after).limit(limit)
            )).all()
            for row in rows:
                result = await conn.execute(
                    update(windows)
                    .where(windows.c.id == row.id, windows.c.close_after == row.close_after)
                    .values(close_after=now + retry_in, attempts=windows.c.attempts + 1)
                )
                if result.rowcount == 1:
                    claimed.append(pending_window_from_row(row._mapping))
        return claimed
