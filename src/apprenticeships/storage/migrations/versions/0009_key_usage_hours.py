"""Hourly request counts per key and status class, for the portal's usage pages

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_usage_hours",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_class", sa.String(length=3), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "status_class IN ('2xx', '3xx', '4xx', '429', '5xx')",
            name=op.f("ck_key_usage_hours_status_class"),
        ),
        sa.PrimaryKeyConstraint("key_id", "hour", "status_class", name=op.f("pk_key_usage_hours")),
    )
    op.create_index("ix_key_usage_hours_hour", "key_usage_hours", ["hour"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_key_usage_hours_hour", table_name="key_usage_hours")
    op.drop_table("key_usage_hours")
