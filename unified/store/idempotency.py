"""Idempotency keys: a retried create answers with the first attempt's response.

A row per (tenant, operation scope, key). Inserting it is the claim: the primary key makes
two concurrent requests with one key see one winner, across processes and on both
databases (``INSERT ... ON CONFLICT DO NOTHING``). The winner runs the request and either
completes the row with the response (then it is replayed until ``expires_at``) or releases
it (the request failed in a way worth retrying). Every later claim compares the request's
fingerprint, so one key cannot be reused for a different request.

A claim whose process died stays ``in_progress`` until ``lease`` has passed; then the next
claim with the same fingerprint takes it over. ``claim_token`` makes sure only the current
holder can complete or release a row.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec
from sqlalchemy import and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from .errors import InvalidInput
from .repository import Repository
from .schema import idempotency_keys as keys
from .types import utcnow

IN_PROGRESS = "in_progress"
DONE = "done"
MAX_KEY_LENGTH = 255
MAX_SCOPE_LENGTH = 200
PURGE_EVERY = timedelta(seconds=60)
_CLAIM_ATTEMPTS = 5

Outcome = Literal["claimed", "replay", "in_progress", "mismatch"]


class StoredResponse(msgspec.Struct, frozen=True, kw_only=True):
    """The answer a finished request gave, as replayed: status, selected headers, body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


class IdempotencyClaim(msgspec.Struct, frozen=True, kw_only=True):
    """What a claim found: ``claimed`` (run the request; ``token`` completes or releases it),
    ``replay`` (``response`` is the first answer), ``in_progress`` (another request holds the
    key) or ``mismatch`` (the key was used for a different request)."""

    outcome: Outcome
    token: str | None = None
    response: StoredResponse | None = None


def _check(tenant_id: str, scope: str, key: str, fingerprint: str) -> None:
    if not tenant_id or not scope or len(scope) > MAX_SCOPE_LENGTH:
        raise InvalidInput(f"the idempotency scope must be 1 to {MAX_SCOPE_LENGTH} characters")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"the idempotency key must be 1 to {MAX_KEY_LENGTH} characters")
    if not fingerprint or len(fingerprint) > 64:
        raise InvalidInput("the request fingerprint must be 1 to 64 characters")


class IdempotencyRepository(Repository):
    _idempotency_purged_at: datetime | None = None

    def _insert_ignoring_duplicates(self, values: dict[str, Any]) -> Any:
        dialect = postgresql if self._db.backend == "postgresql" else sqlite
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT
        return dialect.insert(keys).values(**values).on_conflict_do_nothing().returning(keys.c.claim_token)

    async def claim_idempotency_key(
        self, tenant_id: str, scope: str, key: str, fingerprint: str, *,
        ttl: timedelta, lease: timedelta, now: datetime | None = None,
    ) -> IdempotencyClaim:
        """Claim ``key`` for a request, or say why not. Expired rows count as absent."""
        _check(tenant_id, scope, key, fingerprint)
        now = now or utcnow()
        await self._purge_now_and_then(now)
        token = secrets.token_hex(16)
        fresh = {"fingerprint": fingerprint, "claim_token": token, "state": IN_PROGRESS, "status_code": None,
                 "response_headers": None, "response_body": None, "created_at": now, "expires_at": now + ttl}
        where = and_(keys.c.tenant_id == tenant_id, keys.c.scope == scope, keys.c.key == key)
        async with self._db.write() as conn:
            for _ in range(_CLAIM_ATTEMPTS):
                inserted = await conn.execute(self._insert_ignoring_duplicates(
                    {"tenant_id": tenant_id, "scope": scope, "key": key, **fresh}))
                if inserted.first() is not None:
                    return IdempotencyClaim(outcome="claimed", token=token)
                row = (await conn.execute(select(keys).where(where))).first()
                if row is None:
                    continue  # released between our insert and our read: try the insert again
                found = row._mapping
                takeover = found["expires_at"] <= now or (
                    found["fingerprint"] == fingerprint and found["state"] == IN_PROGRESS
                    and found["created_at"] <= now - lease)
                if takeover:
                    if await self._take_over(conn, where, found["claim_token"], fresh):
                        return IdempotencyClaim(outcome="claimed", token=token)
                    continue
                if found["fingerprint"] != fingerprint:
                    return IdempotencyClaim(outcome="mismatch")
                if found["state"] == DONE:
                    return IdempotencyClaim(outcome="replay", response=StoredResponse(
                        status=found["status_code"], headers=dict(found["response_headers"] or {}),
                        body=bytes(found["response_body"] or b"")))
                return IdempotencyClaim(outcome="in_progress")
        return IdempotencyClaim(outcome="in_progress")  # the key kept changing hands: call it busy

    @staticmethod
    async def _take_over(conn: AsyncConnection, where: Any, old_token: str, fresh: dict[str, Any]) -> bool:
        """Replace an expired or abandoned row, unless someone else replaced it first."""
        result = await conn.execute(update(keys).where(where, keys.c.claim_token == old_token).values(**fresh))
        return result.rowcount == 1

    async def complete_idempotency_key(
        self, tenant_id: str, scope: str, key: str, token: str, response: StoredResponse
    ) -> bool:
        """Store the answer for replay; False when the claim was lost (taken over after its lease)."""
        async with self._db.write() as conn:
            result = await conn.execute(
                update(keys)
                .where(keys.c.tenant_id == tenant_id, keys.c.scope == scope, keys.c.key == key,
                       keys.c.claim_token == token, keys.c.state == IN_PROGRESS)
                .values(state=DONE, status_code=response.status, response_headers=dict(response.headers),
                        response_body=response.body)
            )
        return result.rowcount == 1

    async def release_idempotency_key(self, tenant_id: str, scope: str, key: str, token: str) -> bool:
        """Forget an unfinished claim, so the client may retry with the same key."""
        async with self._db.write() as conn:
            result = await conn.execute(
                delete(keys).where(keys.c.tenant_id == tenant_id, keys.c.scope == scope, keys.c.key == key,
                                   keys.c.claim_token == token, keys.c.state == IN_PROGRESS)
            )
        return result.rowcount == 1

    async def purge_expired_idempotency_keys(self, now: datetime | None = None) -> int:
        """Delete every expired row; returns how many."""
        async with self._db.write() as conn:
            result = await conn.execute(delete(keys).where(keys.c.expires_at <= (now or utcnow())))
        return int(result.rowcount or 0)

    async def _purge_now_and_then(self, now: datetime) -> None:
        """Expired rows are ignored by claims anyway; purging at most once a minute keeps
        the table small without a delete on every create."""
        last = self._idempotency_purged_at
        if last is not None and now - last < PURGE_EVERY:
            return
        self._idempotency_purged_at = now
        await self.purge_expired_idempotency_keys(now)
