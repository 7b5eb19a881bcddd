"""Tenants (environments): the unit of isolation for keys and accounts."""

from __future__ import annotations

from sqlalchemy import RowMapping, insert, select

from . import ids, validate
from .records import Tenant
from .repository import Repository
from .schema import tenants
from .types import utcnow


def tenant_from_row(m: RowMapping) -> Tenant:
    return Tenant(id=m["id"], name=m["name"], created_at=m["created_at"])


class TenantRepository(Repository):
    async def create_tenant(self, name: str) -> Tenant:
        tenant = Tenant(id=ids.new_id(ids.TENANT), name=validate.name(name), created_at=utcnow())
        async with self._db.write() as conn:
            await conn.execute(
                insert(tenants).values(id=tenant.id, name=tenant.name, created_at=tenant.created_at)
            )
        return tenant

    async def get_tenant(self, tenant_id: str) -> Tenant | None:
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        async with self._db.read() as conn:
            row = (await conn.execute(select(tenants).where(tenants.c.id == tenant_id))).first()
        return None if row is None else tenant_from_row(row._mapping)

    async def list_tenants(self) -> list[Tenant]:
        """All tenants, oldest first (there are few; an admin lists them)."""
        async with self._db.read() as conn:
            rows = (await conn.execute(select(tenants).order_by(tenants.c.id))).all()
        return [tenant_from_row(row._mapping) for row in rows]
