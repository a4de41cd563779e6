"""case core

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 03:41:57
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
        "case_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_case_counters")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("client_id", "key", name=op.f("uq_idempotency_records_client_id_key")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_events_aggregate_id", ["aggregate_id"], unique=False)
        batch_op.create_index("ix_outbox_events_pending", ["delivered_at", "available_at"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_payments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("worker_name", sa.String(length=100), nullable=False),
        sa.Column("worker_id_number", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_payments_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_payments")),
    )
    with op.batch_alter_table("case_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_payments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_payments_worker_id_number"), ["worker_id_number"], unique=False
        )

    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_name", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_personal_data_access_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_access")),
    )
    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_data_access_case_id"), ["case_id"], unique=False)

    # Server defaults let the new NOT NULL columns arrive on a table that already has rows.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("external_system", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("person_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("person_id_number", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("person_phone", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("employer_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("employer_name_norm", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("employer_uscc", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("employer_address", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("employer_case_count", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("issues", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("workers_affected", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("amount_claimed", sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column("occurred_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("violation_ended_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("acceptance_checks", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("emergency", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("emergency_detail", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("assignee", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("accept_clock_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("accept_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("filed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("investigate_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extended", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("rectify_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("hearing_request_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("fine_due_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("fine_amount", sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(
            sa.Column("calendar_provisional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("next_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_deadline_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("escalated_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("escalation_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("disposition", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
        )
        batch_op.create_index(
            "ix_cases_employer_name_norm_status", ["employer_name_norm", "status"], unique=False
        )
        batch_op.create_index("ix_cases_employer_uscc_status", ["employer_uscc", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.create_index("ix_cases_next_deadline", ["next_deadline"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_merged_into_id_cases"), "cases", ["merged_into_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_merged_into_id_cases"), type_="foreignkey")
        batch_op.drop_index("ix_cases_next_deadline")
        batch_op.drop_index(batch_op.f("ix_cases_merged_into_id"))
        batch_op.drop_index("ix_cases_employer_uscc_status")
        batch_op.drop_index("ix_cases_employer_name_norm_status")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("disposition")
        batch_op.drop_column("escalation_count")
        batch_op.drop_column("escalated_deadline")
        batch_op.drop_column("next_deadline_kind")
        batch_op.drop_column("next_deadline")
        batch_op.drop_column("calendar_provisional")
        batch_op.drop_column("fine_amount")
        batch_op.drop_column("fine_due_by")
        batch_op.drop_column("hearing_request_by")
        batch_op.drop_column("rectify_by")
        batch_op.drop_column("extended")
        batch_op.drop_column("investigate_by")
        batch_op.drop_column("filed_on")
        batch_op.drop_column("accept_by")
        batch_op.drop_column("accept_clock_from")
        batch_op.drop_column("assignee")
        batch_op.drop_column("emergency_detail")
        batch_op.drop_column("emergency")
        batch_op.drop_column("acceptance_checks")
        batch_op.drop_column("description")
        batch_op.drop_column("violation_ended_on")
        batch_op.drop_column("occurred_on")
        batch_op.drop_column("amount_claimed")
        batch_op.drop_column("workers_affected")
        batch_op.drop_column("issues")
        batch_op.drop_column("employer_case_count")
        batch_op.drop_column("employer_address")
        batch_op.drop_column("employer_uscc")
        batch_op.drop_column("employer_name_norm")
        batch_op.drop_column("employer_name")
        batch_op.drop_column("person_phone")
        batch_op.drop_column("person_id_number")
        batch_op.drop_column("person_name")
        batch_op.drop_column("anonymous")
        batch_op.drop_column("external_id")
        batch_op.drop_column("external_system")
        batch_op.drop_column("received_on")

    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_access_case_id"))

    op.drop_table("personal_data_access")
    with op.batch_alter_table("case_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_payments_worker_id_number"))
        batch_op.drop_index(batch_op.f("ix_case_payments_case_id"))

    op.drop_table("case_payments")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_pending")
        batch_op.drop_index("ix_outbox_events_aggregate_id")

    op.drop_table("outbox_events")
    op.drop_table("idempotency_records")
    op.drop_table("case_counters")
