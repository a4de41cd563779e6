"""inspections

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 04:00:00
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
        "inspections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("employer_name_norm", sa.String(length=200), nullable=False),
        sa.Column("employer_uscc", sa.String(length=18), nullable=True),
        sa.Column("employer_address", sa.String(length=300), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("industry_code", sa.String(length=8), nullable=True),
        sa.Column("inspectors", sa.JSON(), nullable=False),
        sa.Column("inspector_count", sa.Integer(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("orders_to_correct", sa.Integer(), nullable=False),
        sa.Column("contracts_signed", sa.Integer(), nullable=False),
        sa.Column("wages_ordered", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("wages_ordered_workers", sa.Integer(), nullable=False),
        sa.Column("compensation_ordered", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("social_insurance_registrations", sa.Integer(), nullable=False),
        sa.Column("social_insurance_ordered", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("social_insurance_ordered_workers", sa.Integer(), nullable=False),
        sa.Column("penalties", sa.Integer(), nullable=False),
        sa.Column("fines", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_campaign"), ["campaign"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_district_code"), ["district_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_employer_uscc"), ["employer_uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_industry_code"), ["industry_code"], unique=False)
        batch_op.create_index("ix_inspections_inspected_on_id", ["inspected_on", "id"], unique=False)
        batch_op.create_index("ix_inspections_kind_inspected_on", ["kind", "inspected_on"], unique=False)

    op.create_table(
        "inspection_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("issue", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("workers_affected", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_inspection_findings_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_findings_inspection_id_inspections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_findings")),
    )
    with op.batch_alter_table("inspection_findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_findings_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inspection_findings_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspection_findings_issue"), ["issue"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inspection_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_findings_issue"))
        batch_op.drop_index(batch_op.f("ix_inspection_findings_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_findings_case_id"))

    op.drop_table("inspection_findings")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_inspections_kind_inspected_on")
        batch_op.drop_index("ix_inspections_inspected_on_id")
        batch_op.drop_index(batch_op.f("ix_inspections_industry_code"))
        batch_op.drop_index(batch_op.f("ix_inspections_employer_uscc"))
        batch_op.drop_index(batch_op.f("ix_inspections_district_code"))
        batch_op.drop_index(batch_op.f("ix_inspections_campaign"))

    op.drop_table("inspections")
