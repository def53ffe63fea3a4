"""The search index's covering index holds the title and employer name option too

The title is a sort tie-breaker; anonymous employers' addresses are indexed at their
published, approximate location.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = [
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
    "data_source",
]
AFTER = [*BEFORE, "title", "employer_name_option"]


def upgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancies_search")
        batch_op.create_index("ix_vacancies_search", AFTER, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancies_search")
        batch_op.create_index("ix_vacancies_search", BEFORE, unique=False)
