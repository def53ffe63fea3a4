"""postcode centroids loaded by `geo import`

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:05:41.270114
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "postcode_centroids",
        sa.Column("key", sa.String(length=8), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("country", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "country IN ('England', 'Wales', 'Scotland', 'Northern Ireland', "
            "'Channel Islands', 'Isle of Man')",
            name=op.f("ck_postcode_centroids_country"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_postcode_centroids")),
    )


def downgrade() -> None:
    op.drop_table("postcode_centroids")
