"""wage monitoring

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 04:09:11
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("employer_id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=True),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("case_no", sa.String(length=32), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["monitored_employers.id"],
            name=op.f("fk_alerts_employer_id_monitored_employers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_dedupe_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_rule"), ["rule"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_status"), ["status"], unique=False)

    op.create_table(
        "labour_cost_transfers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("employer_id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("transferred_on", sa.Date(), nullable=False),
        sa.Column("bank_ref", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["monitored_employers.id"],
            name=op.f("fk_labour_cost_transfers_employer_id_monitored_employers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_cost_transfers")),
        sa.UniqueConstraint("bank_ref", name=op.f("uq_labour_cost_transfers_bank_ref")),
    )
    with op.batch_alter_table("labour_cost_transfers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_cost_transfers_employer_id"), ["employer_id"], unique=False
        )

    op.create_table(
        "payroll_ledgers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("employer_id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total_payable", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("total_paid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("source_format", sa.String(length=8), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["monitored_employers.id"],
            name=op.f("fk_payroll_ledgers_employer_id_monitored_employers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payroll_ledgers")),
        sa.UniqueConstraint(
            "employer_id", "period", "version", name=op.f("uq_payroll_ledgers_employer_id_period_version")
        ),
    )
    with op.batch_alter_table("payroll_ledgers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payroll_ledgers_employer_id"), ["employer_id"], unique=False)

    op.create_table(
        "roster_workers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("employer_id", sa.String(length=36), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active_from", sa.Date(), nullable=False),
        sa.Column("active_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["monitored_employers.id"],
            name=op.f("fk_roster_workers_employer_id_monitored_employers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_workers")),
    )
    with op.batch_alter_table("roster_workers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_roster_workers_employer_id_id_number", ["employer_id", "id_number"], unique=False
        )

    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_alert_events_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
    )
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_events_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "case_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["id"], ["alerts.id"], name=op.f("fk_case_requests_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_requests")),
    )
    op.create_table(
        "payroll_lines",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("ledger_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("payable", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("hours", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["ledger_id"], ["payroll_ledgers.id"], name=op.f("fk_payroll_lines_ledger_id_payroll_ledgers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payroll_lines")),
    )
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payroll_lines_ledger_id_id_number", ["ledger_id", "id_number"], unique=False
        )

    op.create_table(
        "bank_payments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("employer_id", sa.String(length=36), nullable=False),
        sa.Column("bank_ref", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("matched_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["monitored_employers.id"],
            name=op.f("fk_bank_payments_employer_id_monitored_employers"),
        ),
        sa.ForeignKeyConstraint(
            ["matched_line_id"],
            ["payroll_lines.id"],
            name=op.f("fk_bank_payments_matched_line_id_payroll_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_payments")),
        sa.UniqueConstraint("bank_ref", name=op.f("uq_bank_payments_bank_ref")),
    )
    with op.batch_alter_table("bank_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_payments_employer_id"), ["employer_id"], unique=False)

    with op.batch_alter_table("monitored_employers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pay_cycle", sa.String(length=16), nullable=False, server_default="monthly")
        )
        batch_op.add_column(sa.Column("project_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("wage_account_bank", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("wage_account_no", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("deposit_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("deposit_amount", sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column("deposit_rate", sa.Numeric(precision=6, scale=4), nullable=True))
        batch_op.add_column(sa.Column("contract_price", sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(
            sa.Column("monthly_labour_cost", sa.Numeric(precision=14, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column("registered_by", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
        )
        batch_op.create_index(
            batch_op.f("ix_monitored_employers_wage_account_no"), ["wage_account_no"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("monitored_employers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitored_employers_wage_account_no"))
        batch_op.drop_column("updated_at")
        batch_op.drop_column("registered_by")
        batch_op.drop_column("monthly_labour_cost")
        batch_op.drop_column("contract_price")
        batch_op.drop_column("deposit_rate")
        batch_op.drop_column("deposit_amount")
        batch_op.drop_column("deposit_kind")
        batch_op.drop_column("wage_account_no")
        batch_op.drop_column("wage_account_bank")
        batch_op.drop_column("project_name")
        batch_op.drop_column("pay_cycle")

    with op.batch_alter_table("bank_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_payments_employer_id"))

    op.drop_table("bank_payments")
    with op.batch_alter_table("payroll_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_payroll_lines_ledger_id_id_number")

    op.drop_table("payroll_lines")
    op.drop_table("case_requests")
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_events_alert_id"))

    op.drop_table("alert_events")
    with op.batch_alter_table("roster_workers", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_workers_employer_id_id_number")

    op.drop_table("roster_workers")
    with op.batch_alter_table("payroll_ledgers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payroll_ledgers_employer_id"))

    op.drop_table("payroll_ledgers")
    with op.batch_alter_table("labour_cost_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_cost_transfers_employer_id"))

    op.drop_table("labour_cost_transfers")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_status"))
        batch_op.drop_index(batch_op.f("ix_alerts_rule"))
        batch_op.drop_index(batch_op.f("ix_alerts_level"))
        batch_op.drop_index(batch_op.f("ix_alerts_employer_id"))

    op.drop_table("alerts")
    op.drop_table("processed_events")
