"""initial monitored employers

Revision ID: 0001
Revises:
Create Date: 2026-11-27 03:26:45
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
        "monitored_employers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=8), nullable=False),
        sa.Column("pay_day", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitored_employers")),
        sa.UniqueConstraint("uscc", name=op.f("uq_monitored_employers_uscc")),
    )
    with op.batch_alter_table("monitored_employers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitored_employers_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitored_employers_industry_code"), ["industry_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("monitored_employers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitored_employers_industry_code"))
        batch_op.drop_index(batch_op.f("ix_monitored_employers_district_code"))

    op.drop_table("monitored_employers")
