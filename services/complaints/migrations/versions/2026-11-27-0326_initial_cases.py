"""initial cases

Revision ID: 0001
Revises:
Create Date: 2026-11-27 03:26:07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_no", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("industry_code", sa.String(length=8), nullable=True),
        sa.Column("filed_by_client", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_no", name=op.f("uq_cases_case_no")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_channel"), ["channel"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_district_code"), ["district_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_filed_by_client"), ["filed_by_client"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_industry_code"), ["industry_code"], unique=False)
        batch_op.create_index("ix_cases_received_at_id", ["received_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index("ix_cases_received_at_id")
        batch_op.drop_index(batch_op.f("ix_cases_industry_code"))
        batch_op.drop_index(batch_op.f("ix_cases_filed_by_client"))
        batch_op.drop_index(batch_op.f("ix_cases_district_code"))
        batch_op.drop_index(batch_op.f("ix_cases_channel"))

    op.drop_table("cases")
