"""cases: the result notice owed to the complainant once a case is closed (保障农民工工资支付条例
art. 10 ¶3), its due day and the day it was given

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_notice_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("result_notified_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("result_notified_on")
        batch_op.drop_column("result_notice_by")
