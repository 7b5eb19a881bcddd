"""The tables, as SQLAlchemy Core metadata.

This is the schema the code expects; the migrations in ``migrations/versions`` are how
a database gets there. A test compares the two, so they cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from .types import UTCDateTime, id_type, json_type

# Deterministic constraint names, so later migrations can refer to them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

tenants = Table(
    "tenants",
    metadata,
    Column("id", id_type(), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", id_type(), primary_key=True),
    Column("tenant_id", id_type(), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

integrated_accounts = Table(
    "integrated_accounts",
    metadata,
    Column("id", id_type(), primary_key=True),
    Column("tenant_id", id_type(), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("settings", json_type(), nullable=False),
    # Names only, so listings never need to decrypt; the values live in the ciphertext.
    Column("credential_names", json_type(), nullable=False),
    Column("credentials_encrypted", Text(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Serves "this tenant's accounts, newest first" and is the target of the MCP servers' key.
    UniqueConstraint("tenant_id", "id"),
)

mcp_servers = Table(
    "mcp_servers",
    metadata,
    Column("id", id_type(), primary_key=True),
    Column("tenant_id", id_type(), nullable=False),
    Column("integrated_account_id", id_type(), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_prefix", String(16), nullable=False),
    Column("methods", json_type(), nullable=True),
    Column("tags", json_type(), nullable=True),
    Column("tool_exposure", String(32), nullable=True),
    Column("require_api_token_auth", Boolean(), nullable=False, server_default=false()),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Both columns in one key: a server can only point at an account of its own tenant.
    ForeignKeyConstraint(
        ["tenant_id", "integrated_account_id"],
        ["integrated_accounts.tenant_id", "integrated_accounts.id"],
        ondelete="CASCADE",
    ),
    Index(None, "tenant_id", "integrated_account_id"),
)

# Unmasking windows the MCP face opened and has not yet seen closed. The row is written
# before the window is opened and deleted once it is closed, so a crash in between leaves
# a row the sweeper finds (``close_after`` passed) and closes.
unmasking_windows = Table(
    "unmasking_windows",
    metadata,
    Column("id", id_type(), primary_key=True),
    Column("tenant_id", id_type(), nullable=False),
    Column("integrated_account_id", id_type(), nullable=False),
    Column("subject_id", String(200), nullable=False),
    # No foreign key: deleting the MCP server must not forget a window still open.
    Column("mcp_server_id", id_type(), nullable=True),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("close_after", UTCDateTime(), nullable=False, index=True),
    Column("attempts", Integer(), nullable=False, server_default="0"),
    ForeignKeyConstraint(
        ["tenant_id", "integrated_account_id"],
        ["integrated_accounts.tenant_id", "integrated_accounts.id"],
        ondelete="CASCADE",
    ),
)

# Idempotency keys of creates: one row per (tenant, operation, key). The insert is the
# claim (the primary key makes it atomic across processes); the finished response is
# stored for replay until ``expires_at``. See idempotency.py.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("tenant_id", id_type(), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("scope", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("claim_token", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("status_code", Integer(), nullable=True),
    Column("response_headers", json_type(), nullable=True),
    Column("response_body", LargeBinary(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
)
