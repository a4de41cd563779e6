"""payroll lines: partial index of short-paid lines

The arrears rules look for lines paid less than payable in the period's current ledgers; with
this index a ledger paid in full is an empty index probe instead of a scan of its lines.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payroll_lines_short",
            ["ledger_id"],
            unique=False,
            postgresql_where=sa.text("paid < payable"),
            sqlite_where=sa.text("paid < payable"),
        )


def downgrade() -> None:
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_payroll_lines_short")
