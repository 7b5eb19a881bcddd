"""Integrated accounts: a tenant's connected helpdesk orgs, with encrypted credentials.

Every query filters on the tenant as well as the id, so an id from another tenant
behaves exactly like an id that does not exist: reads return None, writes raise NotFound.

The ciphertext binds the credentials to their account id (Fernet has no associated data,
so the id goes inside): a ciphertext copied onto another row fails to decrypt instead of
lending one account's credentials to another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from sqlalchemy import RowMapping, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from . import ids, validate
from .errors import Conflict, DecryptionError, NotFound
from .records import Credentials, IntegratedAccount, KeyUsage, Page
from .repository import Repository
from .schema import integrated_accounts as accounts
from .schema import tenants
from .types import utcnow

ROTATION_BATCH_SIZE = 200

_PUBLIC_COLUMNS = tuple(column for column in accounts.c if column.name != "credentials_encrypted")


class _Sealed(msgspec.Struct, frozen=True):
    """The encrypted payload: credentials plus the id of the account they belong to."""

    account_id: str
    credentials: dict[str, Any]


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(_Sealed).decode


def account_from_row(m: RowMapping) -> IntegratedAccount:
    return IntegratedAccount(
        id=m["id"],
        tenant_id=m["tenant_id"],
        provider=m["provider"],
        name=m["name"],
        settings=dict(m["settings"]),
        credential_names=tuple(m["credential_names"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


class AccountRepository(Repository):
    async def create_account(
        self,
        tenant_id: str,
        provider: str,
        *,
        name: str | None = None,
        settings: Mapping[str, Any] | None = None,
        credentials: Mapping[str, Any] | None = None,
    ) -> IntegratedAccount:
        """Connect an account. ``name`` defaults to the provider; settings and credentials to ``{}``."""
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        provider = validate.provider(provider)
        name = validate.name(provider if name is None else name)
        settings = validate.json_object({} if settings is None else settings, "settings")
        secrets = validate.json_object({} if credentials is None else credentials, "credentials")
        account_id = ids.new_id(ids.ACCOUNT)
        now = utcnow()
        values = {
            "id": account_id,
            "tenant_id": tenant_id,
            "provider": provider,
            "name": name,
            "settings": settings,
            "credential_names": sorted(secrets),
            "credentials_encrypted": self._seal(account_id, secrets),
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self._db.write() as conn:
                if (
                    await conn.execute(select(tenants.c.id).where(tenants.c.id == tenant_id))
                ).first() is None:
                    raise NotFound(f"tenant {tenant_id} not found")
                row = (await conn.execute(insert(accounts).values(values).returning(*_PUBLIC_COLUMNS))).one()
        except IntegrityError:
            # e.g. the tenant was deleted between the check and the insert (PostgreSQL).
            raise Conflict(f"could not create the account for tenant {tenant_id}; retry") from None
        return account_from_row(row._mapping)

    async def get_account(self, tenant_id: str, account_id: str) -> IntegratedAccount | None:
        async with self._db.read() as conn:
            row = (
                await conn.execute(select(*_PUBLIC_COLUMNS).where(*self._owned(tenant_id, account_id)))
            ).first()
        return None if row is None else account_from_row(row._mapping)

    async def list_accounts(
        self, tenant_id: str, *, limit: int = 50, after: str | None = None, provider: str | None = None
    ) -> Page[IntegratedAccount]:
        """The tenant's accounts, newest first. ``after`` is the ``next_after`` of the previous page.

        Ids sort by creation time, so the cursor is an id and stays valid if that account
        is deleted meanwhile; walking the pages returns every account exactly once.
        """
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        limit = validate.page_size(limit)
        query = select(*_PUBLIC_COLUMNS).where(accounts.c.tenant_id == tenant_id)
        if after is not None:
            query = query.where(accounts.c.id < validate.record_id(after, "after"))
        if provider is not None:
            query = query.where(accounts.c.provider == provider)
        async with self._db.read() as conn:
            rows = (await conn.execute(query.order_by(accounts.c.id.desc()).limit(limit + 1))).all()
        items = [account_from_row(row._mapping) for row in rows[:limit]]
        return Page(items=items, next_after=items[-1].id if len(rows) > limit else None)

    async def update_account(
        self,
        tenant_id: str,
        account_id: str,
        *,
        name: str | msgspec.UnsetType = msgspec.UNSET,
        settings: Mapping[str, Any] | msgspec.UnsetType = msgspec.UNSET,
        credentials: Mapping[str, Any] | msgspec.UnsetType = msgspec.UNSET,
    ) -> IntegratedAccount:
        """Replace the given fields (settings and credentials are replaced whole, not merged)."""
        where = self._owned(tenant_id, account_id)
        values: dict[str, Any] = {"updated_at": utcnow()}
        if name is not msgspec.UNSET:
            values["name"] = validate.name(name)
        if settings is not msgspec.UNSET:
            values["settings"] = validate.json_object(settings, "settings")
        if credentials is not msgspec.UNSET:
            secrets = validate.json_object(credentials, "credentials")
            values["credential_names"] = sorted(secrets)
            values["credentials_encrypted"] = self._seal(account_id, secrets)
        async with self._db.write() as conn:
            row = (
                await conn.execute(update(accounts).where(*where).values(values).returning(*_PUBLIC_COLUMNS))
            ).first()
        if row is None:
            raise NotFound(f"integrated account {account_id} not found")
        return account_from_row(row._mapping)

    async def delete_account(self, tenant_id: str, account_id: str) -> None:
        """Delete the account, its credentials and (by cascade) its MCP servers."""
        async with self._db.write() as conn:
            result = await conn.execute(delete(accounts).where(*self._owned(tenant_id, account_id)))
        if result.rowcount == 0:
            raise NotFound(f"integrated account {account_id} not found")

    async def get_account_with_credentials(
        self, tenant_id: str, account_id: str
    ) -> tuple[IntegratedAccount, Credentials] | None:
        """The account and its decrypted credentials in one query (every proxied request needs both)."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(*_PUBLIC_COLUMNS, accounts.c.credentials_encrypted)
                    .where(*self._owned(tenant_id, account_id))
                )
            ).first()
        if row is None:
            return None
        return account_from_row(row._mapping), self._unseal(account_id, row.credentials_encrypted)

    async def get_account_credentials(self, tenant_id: str, account_id: str) -> Credentials | None:
        """The decrypted credentials, or None if the tenant has no such account."""
        async with self._db.read() as conn:
            token = (
                await conn.execute(
                    select(accounts.c.credentials_encrypted).where(*self._owned(tenant_id, account_id))
                )
            ).scalar_one_or_none()
        return None if token is None else self._unseal(account_id, token)

    async def rotate_credentials(self, *, batch_size: int = ROTATION_BATCH_SIZE) -> int:
        """Re-encrypt every account's credentials with the current (first) key; returns the count.

        Batches commit one by one; every row is decryptable by the configured keys at every
        moment, so an interruption loses nothing and running it again finishes the job. A row
        changed concurrently is skipped: its new ciphertext already uses the current key.
        """
        rotated = 0
        last_id = ""
        while True:
            async with self._db.write() as conn:
                rows = (
                    await conn.execute(
                        select(accounts.c.id, accounts.c.credentials_encrypted)
                        .where(accounts.c.id > last_id)
                        .order_by(accounts.c.id)
                        .limit(batch_size)
                    )
                ).all()
                for account_id, token in rows:
                    try:
                        new_token = self._cipher.rotate(token)
                    except DecryptionError:
                        raise DecryptionError(
                            f"credentials of integrated account {account_id} cannot be decrypted with the "
                            "configured keys; keep the old key configured until rotation succeeds"
                        ) from None
                    result = await conn.execute(
                        update(accounts)
                        .where(accounts.c.id == account_id, accounts.c.credentials_encrypted == token)
                        .values(credentials_encrypted=new_token)
                    )
                    rotated += result.rowcount
            if len(rows) < batch_size:
                return rotated
            last_id = rows[-1].id

    async def credential_key_usage(self, *, batch_size: int = ROTATION_BATCH_SIZE) -> KeyUsage:
        """Count the accounts each configured key decrypts, reading in batches; changes nothing."""
        per_key = [0] * self._cipher.key_count
        unreadable: list[str] = []
        last_id = ""
        while True:
            async with self._db.read() as conn:
                rows = (
                    await conn.execute(
                        select(accounts.c.id, accounts.c.credentials_encrypted)
                        .where(accounts.c.id > last_id)
                        .order_by(accounts.c.id)
                        .limit(batch_size)
                    )
                ).all()
            for account_id, token in rows:
                position = self._cipher.key_position(token)
                if position is None:
                    unreadable.append(account_id)
                else:
                    per_key[position] += 1
            if len(rows) < batch_size:
                total = sum(per_key) + len(unreadable)
                return KeyUsage(accounts=total, per_key=tuple(per_key), unreadable=tuple(unreadable))
            last_id = rows[-1].id

    @staticmethod
    def _owned(tenant_id: str, account_id: str) -> tuple[Any, Any]:
        """The WHERE clause that keeps every lookup inside one tenant."""
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        account_id = validate.record_id(account_id, "account_id")
        return accounts.c.tenant_id == tenant_id, accounts.c.id == account_id

    def _seal(self, account_id: str, credentials: dict[str, Any]) -> str:
        return self._cipher.encrypt(_encode(_Sealed(account_id, credentials)))

    def _unseal(self, account_id: str, token: str) -> Credentials:
        try:
            sealed = _decode(self._cipher.decrypt(token))
        except DecryptionError:
            raise DecryptionError(
                f"credentials of integrated account {account_id} cannot be decrypted with the configured keys"
            ) from None
        except msgspec.ValidationError:
            sealed = None
        if sealed is None or sealed.account_id != account_id:
            raise DecryptionError(
                f"credentials stored for integrated account {account_id} belong to another account"
            )
        return Credentials(sealed.credentials)
