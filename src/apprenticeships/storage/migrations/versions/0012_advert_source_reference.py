"""Imported adverts keep their feed's id, unique per data source

``vacancies import`` finds an advert it loaded before by its data source and the feed's
own id, so importing a file again updates adverts rather than adding them. Adverts made
here have none (NULLs never clash in a unique constraint, on SQLite or PostgreSQL).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-11 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_reference", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            "data_source_reference", ["data_source", "source_reference"]
        )


def downgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_constraint("data_source_reference", type_="unique")
        batch_op.drop_column("source_reference")
