"""credit registry

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 04:06:40
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
        "check_audits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_name", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("subject_count", sa.Integer(), nullable=False),
        sa.Column("restricted_count", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_audits")),
    )
    with op.batch_alter_table("check_audits", schema=None) as batch_op:
        batch_op.create_index("ix_check_audits_client_id_at", ["client_id", "at"], unique=False)

    op.create_table(
        "disclosure_batches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_batches")),
        sa.UniqueConstraint("period", name=op.f("uq_disclosure_batches_period")),
    )
    op.create_table(
        "listing_decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("list_type", sa.String(length=16), nullable=False),
        sa.Column("decision_no", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_decisions")),
        sa.UniqueConstraint("decision_no", name=op.f("uq_listing_decisions_decision_no")),
    )
    op.create_table(
        "processed_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "grades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("computed_grade", sa.String(length=1), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_grades_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grades")),
    )
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.create_index("ix_grades_subject_id_year", ["subject_id", "year"], unique=False)

    op.create_table(
        "listings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("list_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("statement_due", sa.Date(), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("corrected_on", sa.Date(), nullable=True),
        sa.Column("restrictions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["listing_decisions.id"], name=op.f("fk_listings_decision_id_listing_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_listings_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listings_decision_id"), ["decision_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_expires_on"), ["expires_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_status"), ["status"], unique=False)
        batch_op.create_index("ix_listings_subject_id_list_type", ["subject_id", "list_type"], unique=False)

    op.create_table(
        "subject_names",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_names_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_names")),
    )
    with op.batch_alter_table("subject_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_names_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "subject_roles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("employer_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["subjects.id"], name=op.f("fk_subject_roles_employer_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["subjects.id"], name=op.f("fk_subject_roles_person_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_roles")),
    )
    with op.batch_alter_table("subject_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_roles_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_roles_person_id"), ["person_id"], unique=False)

    op.create_table(
        "violations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("case_no", sa.String(length=32), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("punished", sa.Boolean(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("supersedes_id", sa.String(length=36), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_violations_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["violations.id"], name=op.f("fk_violations_supersedes_id_violations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
        sa.UniqueConstraint("source_event_id", name=op.f("uq_violations_source_event_id")),
    )
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_violations_subject_id_decided_on", ["subject_id", "decided_on"], unique=False
        )

    op.create_table(
        "disclosures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("violation_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("legal_representative", sa.String(length=100), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["disclosure_batches.id"], name=op.f("fk_disclosures_batch_id_disclosure_batches")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_disclosures_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["violation_id"], ["violations.id"], name=op.f("fk_disclosures_violation_id_violations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosures_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosures_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "listing_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.String(length=36), nullable=False),
        sa.Column("change", sa.String(length=32), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_changes_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_listing_changes")),
    )
    with op.batch_alter_table("listing_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_changes_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "listing_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_events_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_events")),
    )
    with op.batch_alter_table("listing_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_events_listing_id"), ["listing_id"], unique=False)

    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("district_code", sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column("industry_code", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
        )
        batch_op.create_index(batch_op.f("ix_subjects_district_code"), ["district_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subjects_district_code"))
        batch_op.drop_column("updated_at")
        batch_op.drop_column("industry_code")
        batch_op.drop_column("district_code")
        batch_op.drop_column("address")

    with op.batch_alter_table("listing_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_events_listing_id"))

    op.drop_table("listing_events")
    with op.batch_alter_table("listing_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_changes_listing_id"))

    op.drop_table("listing_changes")
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosures_subject_id"))
        batch_op.drop_index(batch_op.f("ix_disclosures_batch_id"))

    op.drop_table("disclosures")
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.drop_index("ix_violations_subject_id_decided_on")
        batch_op.drop_index(batch_op.f("ix_violations_case_id"))

    op.drop_table("violations")
    with op.batch_alter_table("subject_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_roles_person_id"))
        batch_op.drop_index(batch_op.f("ix_subject_roles_employer_id"))

    op.drop_table("subject_roles")
    with op.batch_alter_table("subject_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_names_subject_id"))

    op.drop_table("subject_names")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index("ix_listings_subject_id_list_type")
        batch_op.drop_index(batch_op.f("ix_listings_status"))
        batch_op.drop_index(batch_op.f("ix_listings_expires_on"))
        batch_op.drop_index(batch_op.f("ix_listings_decision_id"))

    op.drop_table("listings")
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.drop_index("ix_grades_subject_id_year")

    op.drop_table("grades")
    op.drop_table("processed_events")
    op.drop_table("listing_decisions")
    op.drop_table("disclosure_batches")
    with op.batch_alter_table("check_audits", schema=None) as batch_op:
        batch_op.drop_index("ix_check_audits_client_id_at")

    op.drop_table("check_audits")
