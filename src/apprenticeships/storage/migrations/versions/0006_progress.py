"""Track progress: KSBs, apprenticeship records, progress submissions, standard options

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("standards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("options", sa.JSON(), nullable=True))
    op.execute(sa.text("UPDATE standards SET options = '[]'"))
    with op.batch_alter_table("standards", schema=None) as batch_op:
        batch_op.alter_column("options", existing_type=sa.JSON(), nullable=False)
    op.create_table(
        "ksbs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lars_code", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('Knowledge', 'Skill', 'Behaviour')", name=op.f("ck_ksbs_kind")
        ),
        sa.ForeignKeyConstraint(
            ["lars_code"], ["standards.lars_code"], name=op.f("fk_ksbs_lars_code_standards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ksbs")),
    )
    op.create_index(op.f("ix_ksbs_lars_code"), "ksbs", ["lars_code"], unique=False)
    op.create_table(
        "apprenticeships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uln", sa.BigInteger(), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("lars_code", sa.Integer(), nullable=False),
        sa.Column("option", sa.String(length=255), nullable=True),
        sa.Column("delivery_model", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("stop_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "delivery_model IN ('Regular', 'PortableFlexiJob', 'FlexiJobAgency')",
            name=op.f("ck_apprenticeships_delivery_model"),
        ),
        sa.CheckConstraint(
            "status IN ('WaitingToStart', 'Live', 'Paused', 'Stopped', 'Completed')",
            name=op.f("ck_apprenticeships_status"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["organisations.id"],
            name=op.f("fk_apprenticeships_employer_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["lars_code"],
            ["standards.lars_code"],
            name=op.f("fk_apprenticeships_lars_code_standards"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_apprenticeships_provider_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apprenticeships")),
    )
    op.create_index(
        op.f("ix_apprenticeships_employer_id"), "apprenticeships", ["employer_id"], unique=False
    )
    op.create_index(
        "ix_apprenticeships_lookup",
        "apprenticeships",
        ["provider_id", "uln", "planned_start"],
        unique=False,
    )
    op.create_table(
        "progress_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprenticeship_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["apprenticeship_id"],
            ["apprenticeships.id"],
            name=op.f("fk_progress_submissions_apprenticeship_id_apprenticeships"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_progress_submissions_provider_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_submissions")),
    )
    op.create_index(
        op.f("ix_progress_submissions_apprenticeship_id"),
        "progress_submissions",
        ["apprenticeship_id"],
        unique=False,
    )
    op.create_table(
        "progress_values",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ksb_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ksb_id"], ["ksbs.id"], name=op.f("fk_progress_values_ksb_id_ksbs")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["progress_submissions.id"],
            name=op.f("fk_progress_values_submission_id_progress_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", "position", name=op.f("pk_progress_values")),
    )


def downgrade() -> None:
    op.drop_table("progress_values")
    op.drop_index(
        op.f("ix_progress_submissions_apprenticeship_id"), table_name="progress_submissions"
    )
    op.drop_table("progress_submissions")
    op.drop_index("ix_apprenticeships_lookup", table_name="apprenticeships")
    op.drop_index(op.f("ix_apprenticeships_employer_id"), table_name="apprenticeships")
    op.drop_table("apprenticeships")
    op.drop_index(op.f("ix_ksbs_lars_code"), table_name="ksbs")
    op.drop_table("ksbs")
    with op.batch_alter_table("standards", schema=None) as batch_op:
        batch_op.drop_column("options")
