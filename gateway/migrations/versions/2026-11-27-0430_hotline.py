"""hotline

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotline_case_filings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("case_no", sa.String(length=32), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_case_filings")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_hotline_case_filings_idempotency_key")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_hotline_case_filings_source_source_id")),
    )
    with op.batch_alter_table("hotline_case_filings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hotline_case_filings_pending", ["delivered_at", "available_at"], unique=False
        )

    op.create_table(
        "hotline_delivery_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_delivery_attempts")),
    )
    with op.batch_alter_table("hotline_delivery_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_hotline_delivery_attempts_target", ["target", "delivery_id"], unique=False)

    op.create_table(
        "hotline_tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_no", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_source", sa.String(length=16), nullable=False),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_by", sa.String(length=100), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("returned_by", sa.String(length=100), nullable=True),
        sa.Column("callback_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_tickets")),
        sa.UniqueConstraint("ticket_no", name=op.f("uq_hotline_tickets_ticket_no")),
    )
    with op.batch_alter_table("hotline_tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hotline_tickets_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_hotline_tickets_reply_due_at"), ["reply_due_at"], unique=False)

    op.create_table(
        "open311_idempotency_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_idempotency_records")),
        sa.UniqueConstraint("client_id", "key", name=op.f("uq_open311_idempotency_records_client_id_key")),
    )
    op.create_table(
        "open311_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("address_id", sa.String(length=64), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("long", sa.Float(), nullable=True),
        sa.Column("media_url", sa.String(length=500), nullable=True),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_status", sa.String(length=32), nullable=True),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_requests")),
        sa.UniqueConstraint("token", name=op.f("uq_open311_requests_token")),
    )
    with op.batch_alter_table("open311_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_open311_requests_client_requested", ["client_id", "requested_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_open311_requests_requested_at"), ["requested_at"], unique=False)

    op.create_table(
        "police_referrals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("case_no", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("incident_no", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("noted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note_error", sa.Text(), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_referrals")),
    )
    with op.batch_alter_table("police_referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_police_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_police_referrals_pending", ["delivered_at", "available_at"], unique=False)

    op.create_table(
        "police_transfers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_transfers")),
        sa.UniqueConstraint("transfer_id", name=op.f("uq_police_transfers_transfer_id")),
    )
    op.create_table(
        "hotline_callbacks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_no", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_no", sa.String(length=32), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_no"],
            ["hotline_tickets.ticket_no"],
            name=op.f("fk_hotline_callbacks_ticket_no_hotline_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_callbacks")),
        sa.UniqueConstraint("source_event_id", name=op.f("uq_hotline_callbacks_source_event_id")),
        sa.UniqueConstraint("ticket_no", "seq", name=op.f("uq_hotline_callbacks_ticket_no_seq")),
    )
    with op.batch_alter_table("hotline_callbacks", schema=None) as batch_op:
        batch_op.create_index("ix_hotline_callbacks_pending", ["delivered_at", "available_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hotline_callbacks", schema=None) as batch_op:
        batch_op.drop_index("ix_hotline_callbacks_pending")

    op.drop_table("hotline_callbacks")
    op.drop_table("police_transfers")
    with op.batch_alter_table("police_referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_police_referrals_pending")
        batch_op.drop_index(batch_op.f("ix_police_referrals_case_id"))

    op.drop_table("police_referrals")
    with op.batch_alter_table("open311_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open311_requests_requested_at"))
        batch_op.drop_index("ix_open311_requests_client_requested")

    op.drop_table("open311_requests")
    op.drop_table("open311_idempotency_records")
    with op.batch_alter_table("hotline_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotline_tickets_reply_due_at"))
        batch_op.drop_index(batch_op.f("ix_hotline_tickets_received_at"))

    op.drop_table("hotline_tickets")
    with op.batch_alter_table("hotline_delivery_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_hotline_delivery_attempts_target")

    op.drop_table("hotline_delivery_attempts")
    with op.batch_alter_table("hotline_case_filings", schema=None) as batch_op:
        batch_op.drop_index("ix_hotline_case_filings_pending")

    op.drop_table("hotline_case_filings")
