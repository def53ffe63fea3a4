"""A covering index for building the search index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 15:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
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
        batch_op.drop_index("ix_vacancies_environment_status_closing")
        batch_op.create_index("ix_vacancies_search", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancies_search")
        batch_op.create_index(
            "ix_vacancies_environment_status_closing",
            ["environment", "status", "closing_date"],
            unique=False,
        )
