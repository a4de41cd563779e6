"""payroll lines without a foreign key

A ledger's lines are written by COPY right after the ledger in the same transaction, a million at
a time, and ledgers are never deleted; the foreign key's per-row check was a third of the COPY's
time in the database. The (ledger_id, id_number) index stays.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_payroll_lines_ledger_id_payroll_ledgers"), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_payroll_lines_ledger_id_payroll_ledgers"), "payroll_ledgers", ["ledger_id"], ["id"]
        )
