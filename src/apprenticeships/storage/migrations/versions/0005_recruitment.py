"""Recruitment API: who submitted an advert, its review, provider courses, counters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_REFERENCE = 1_000_000_000


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "provider_courses",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("lars_code", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["lars_code"],
            ["standards.lars_code"],
            name=op.f("fk_provider_courses_lars_code_standards"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_provider_courses_provider_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("provider_id", "lars_code", name=op.f("pk_provider_courses")),
    )
    with op.batch_alter_table("standards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_date_starts", sa.Date(), nullable=True))
    utc = sa.DateTime(timezone=True)
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("additional_question_1", sa.String(length=250), nullable=True)
        )
        batch_op.add_column(
            sa.Column("additional_question_2", sa.String(length=250), nullable=True)
        )
        batch_op.add_column(sa.Column("owner_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("submitter_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("submitter_email", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("submitter_phone", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", utc, nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", utc, nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
    # Advert references carry on from the highest one already handed out.
    op.execute(
        sa.text(
            "INSERT INTO counters (name, value) "
            "SELECT 'vacancy_reference', COALESCE(MAX(reference), :first) FROM vacancies"
        ).bindparams(first=FIRST_REFERENCE)
    )


def downgrade() -> None:
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        for column in (
            "rejection_reason",
            "reviewed_by",
            "reviewed_at",
            "submitted_at",
            "submitter_phone",
            "submitter_email",
            "submitter_name",
            "owner_kind",
            "additional_question_2",
            "additional_question_1",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("standards", schema=None) as batch_op:
        batch_op.drop_column("last_date_starts")
    op.drop_table("provider_courses")
    op.drop_table("counters")
