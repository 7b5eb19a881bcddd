"""Tenants: created, read back identically, listed; bad names refused before any write."""

from __future__ import annotations

from datetime import UTC

import pytest

from unified.store import InvalidInput, Store

from .conftest import RawRows


async def test_create_get_list(store: Store) -> None:
    first = await store.create_tenant("  production ")
    second = await store.create_tenant("staging")
    assert first.name == "production"
    assert first.id.startswith("ten_") and first.id != second.id
    assert first.created_at.tzinfo is UTC
    assert await store.get_tenant(first.id) == first
    assert await store.list_tenants() == [first, second]


async def test_unknown_tenant_is_none(store: Store) -> None:
    assert await store.get_tenant("ten_00000000000000000000000000") is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "tab\there", 42, None])
async def test_bad_names_write_nothing(store: Store, raw_rows: RawRows, name: object) -> None:
    with pytest.raises(InvalidInput, match="name"):
        await store.create_tenant(name)  # type: ignore[arg-type]
    assert await raw_rows("tenants") == []
