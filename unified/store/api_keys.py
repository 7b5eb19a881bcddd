"""API keys: created once in plaintext, stored as a SHA-256 hash, looked up by hash.

``authenticate`` answers None for an unknown key and for a revoked one alike, through
the same query: a caller probing keys learns nothing about which ones once existed.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec
from sqlalchemy import RowMapping, insert, or_, select, update

from . import ids, tokens, validate
from .errors import NotFound
from .records import ApiKey, Authentication, Tenant
from .repository import Repository
from .schema import api_keys, tenants
from .types import utcnow

# Recording every use would make each request a write; once a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_KEY_COLUMNS = (
    api_keys.c.id,
    api_keys.c.tenant_id,
    api_keys.c.name,
    api_keys.c.prefix,
    api_keys.c.created_at,
    api_keys.c.last_used_at,
    api_keys.c.revoked_at,
)


def api_key_from_row(m: RowMapping) -> ApiKey:
    return ApiKey(
        id=m["id"],
        tenant_id=m["tenant_id"],
        name=m["name"],
        prefix=m["prefix"],
        created_at=m["created_at"],
        last_used_at=m["last_used_at"],
        revoked_at=m["revoked_at"],
    )


class ApiKeyRepository(Repository):
    async def create_api_key(self, tenant_id: str, name: str) -> tuple[ApiKey, str]:
        """A new key for the tenant: the record, and the plaintext key to show exactly once."""
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        name = validate.name(name)
        plaintext = tokens.generate_token()
        record = ApiKey(
            id=ids.new_id(ids.API_KEY),
            tenant_id=tenant_id,
            name=name,
            prefix=tokens.display_prefix(plaintext),
            created_at=utcnow(),
        )
        async with self._db.write() as conn:
            if (await conn.execute(select(tenants.c.id).where(tenants.c.id == tenant_id))).first() is None:
                raise NotFound(f"tenant {tenant_id} not found")
            await conn.execute(
                insert(api_keys).values(
                    id=record.id,
                    tenant_id=tenant_id,
                    name=name,
                    prefix=record.prefix,
                    key_hash=tokens.token_hash(plaintext),
                    created_at=record.created_at,
                )
            )
        return record, plaintext

    async def get_api_key(self, tenant_id: str, key_id: str) -> ApiKey | None:
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        key_id = validate.record_id(key_id, "key_id")
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(*_KEY_COLUMNS).where(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id)
                )
            ).first()
        return None if row is None else api_key_from_row(row._mapping)

    async def list_api_keys(self, tenant_id: str) -> list[ApiKey]:
        """The tenant's keys, revoked ones included (marked), oldest first."""
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        async with self._db.read() as conn:
            rows = (
                await conn.execute(
                    select(*_KEY_COLUMNS).where(api_keys.c.tenant_id == tenant_id).order_by(api_keys.c.id)
                )
            ).all()
        return [api_key_from_row(row._mapping) for row in rows]

    async def revoke_api_key(self, tenant_id: str, key_id: str) -> ApiKey:
        """Revoke now; later ``authenticate`` calls fail. Revoking twice keeps the first time."""
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        key_id = validate.record_id(key_id, "key_id")
        owned = (api_keys.c.tenant_id == tenant_id) & (api_keys.c.id == key_id)
        async with self._db.write() as conn:
            await conn.execute(
                update(api_keys).where(owned, api_keys.c.revoked_at.is_(None)).values(revoked_at=utcnow())
            )
            row = (await conn.execute(select(*_KEY_COLUMNS).where(owned))).first()
        if row is None:
            raise NotFound(f"API key {key_id} not found")
        return api_key_from_row(row._mapping)

    async def authenticate(self, plaintext: str) -> Authentication | None:
        """The tenant and key for a presented key, or None if it is unknown, revoked or malformed."""
        if not isinstance(plaintext, str):
            return None
        digest = tokens.token_hash(plaintext)
        query = (
            select(
                *_KEY_COLUMNS,
                api_keys.c.key_hash,
                tenants.c.name.label("tenant_name"),
                tenants.c.created_at.label("tenant_created_at"),
            )
            .join(tenants, tenants.c.id == api_keys.c.tenant_id)
            .where(api_keys.c.key_hash == digest, api_keys.c.revoked_at.is_(None))
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        if row is None or not tokens.hashes_match(row.key_hash, digest):
            return None
        key = api_key_from_row(row._mapping)
        key = await self._touch(key)
        tenant = Tenant(id=key.tenant_id, name=row.tenant_name, created_at=row.tenant_created_at)
        return Authentication(tenant=tenant, api_key=key)

    async def _touch(self, key: ApiKey) -> ApiKey:
        """Record use, at most once per ``LAST_USED_RESOLUTION`` per key."""
        now = utcnow()
        if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
            return key
        async with self._db.write() as conn:
            await conn.execute(
                update(api_keys)
                .where(
                    api_keys.c.id == key.id,
                    or_(
                        api_keys.c.last_used_at.is_(None),
                        api_keys.c.last_used_at < now - LAST_USED_RESOLUTION,
                    ),
                )
                .values(last_used_at=now)
            )
        return msgspec.structs.replace(key, last_used_at=now)
