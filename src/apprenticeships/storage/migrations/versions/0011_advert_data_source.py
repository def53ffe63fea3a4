"""Where each advert comes from: this service, NHS Jobs or Civil Service Jobs

Every existing advert is this service's own (``Raa``). The search index's covering index
gains the column, so building the index still never reads the wide advert rows.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_COLUMNS = [
    "environment",
    "status",
    "closing_date",
    "id",
    "reference",
    "posted_at",
    "start_date",
    "lars_code",
    "provider_id",
    "employer_id",
    "legal_entity_id",
    "is_national",
    "employer_name",
]


def upgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("data_source", sa.String(length=8), server_default="Raa", nullable=False)
        )
        batch_op.create_check_constraint("data_source", "data_source IN ('Raa', 'Nhs', 'Csj')")
        batch_op.drop_index("ix_vacancies_search")
        batch_op.create_index("ix_vacancies_search", [*SEARCH_COLUMNS, "data_source"])


def downgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancies_search")
        batch_op.create_index("ix_vacancies_search", SEARCH_COLUMNS)
        batch_op.drop_constraint(batch_op.f("ck_vacancies_data_source"), type_="check")
        batch_op.drop_column("data_source")
