"""cases: the day the fine was paid (行政处罚法 arts. 67, 72: due in 15 days, then 3% a day)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fine_paid_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("fine_paid_on")
