"""Unmasking windows opened by the MCP face, so none stays open after a crash.

Revision ID: 0002
Revises: 0001
Create Date: 2026-07-30

Types are spelled out, as in 0001, so this migration keeps building the same table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[str]:
    return sa.String(40).with_variant(sa.String(40, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "unmasking_windows",
        sa.Column("id", _id(), nullable=False),
        sa.Column("tenant_id", _id(), nullable=False),
        sa.Column("integrated_account_id", _id(), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("mcp_server_id", _id(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("close_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unmasking_windows"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "integrated_account_id"],
            ["integrated_accounts.tenant_id", "integrated_accounts.id"],
            name="fk_unmasking_windows_tenant_id_integrated_accounts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_unmasking_windows_close_after", "unmasking_windows", ["close_after"])


def downgrade() -> None:
    op.drop_table("unmasking_windows")
