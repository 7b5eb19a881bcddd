"""Initial schema: tenants, API keys, integrated accounts, MCP servers.

Revision ID: 0001
Revises:
Create Date: 2025-11-21

Types are spelled out here rather than imported from ``schema.py``: a migration must keep
creating the same tables after the live schema has moved on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[str]:
    return sa.String(40).with_variant(sa.String(40, collation="C"), "postgresql")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", _id(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", _id(), nullable=False),
        sa.Column("tenant_id", _id(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        _time("created_at"),
        _time("last_used_at", nullable=True),
        _time("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_api_keys_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_tenant_id", "api_keys", ["tenant_id"])
    op.create_table(
        "integrated_accounts",
        sa.Column("id", _id(), nullable=False),
        sa.Column("tenant_id", _id(), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("settings", _json(), nullable=False),
        sa.Column("credential_names", _json(), nullable=False),
        sa.Column("credentials_encrypted", sa.Text(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_integrated_accounts"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_integrated_accounts_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("tenant_id", "id", name="uq_integrated_accounts_tenant_id_id"),
    )
    op.create_table(
        "mcp_servers",
        sa.Column("id", _id(), nullable=False),
        sa.Column("tenant_id", _id(), nullable=False),
        sa.Column("integrated_account_id", _id(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("token_prefix", sa.String(16), nullable=False),
        sa.Column("methods", _json(), nullable=True),
        sa.Column("tags", _json(), nullable=True),
        sa.Column("tool_exposure", sa.String(32), nullable=True),
        sa.Column("require_api_token_auth", sa.Boolean(), server_default=sa.false(), nullable=False),
        _time("expires_at", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_mcp_servers"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "integrated_account_id"],
            ["integrated_accounts.tenant_id", "integrated_accounts.id"],
            name="fk_mcp_servers_tenant_id_integrated_accounts",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name="uq_mcp_servers_token_hash"),
    )
    op.create_index(
        "ix_mcp_servers_tenant_id_integrated_account_id",
        "mcp_servers",
        ["tenant_id", "integrated_account_id"],
    )


def downgrade() -> None:
    op.drop_table("mcp_servers")
    op.drop_table("integrated_accounts")
    op.drop_table("api_keys")
    op.drop_table("tenants")
