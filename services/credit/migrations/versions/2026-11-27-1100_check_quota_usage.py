"""check quota usage

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:00:00

The daily quota of checked subjects is counted in one row per client and day instead of a sum
over the day's audit rows. The rows of the last two days are filled from the audits so that a
client's usage of today carries over the upgrade (only today's row matters to the quota).
"""

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The bureau's calendar day (shared.timeutil.CHINA_TZ), kept here so that this revision does
# not change with the application's code.
_CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def upgrade() -> None:
    usage = op.create_table(
        "check_quota_usage",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "day", name=op.f("pk_check_quota_usage")),
    )

    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    audits = sa.table(
        "check_audits",
        sa.column("client_id", sa.String()),
        sa.column("subject_count", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    since = datetime.now(UTC) - timedelta(days=2)
    # SQLite keeps the timestamps as naive UTC text (shared.db.UTCDateTime): compared as such.
    recent = sa.select(audits.c.client_id, audits.c.subject_count, audits.c.at).where(
        audits.c.at >= (since.replace(tzinfo=None) if sqlite else since)
    )
    used: Counter[tuple[str, object]] = Counter()
    for client_id, subject_count, at in bind.execute(recent):
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        used[client_id, at.astimezone(_CHINA_TZ).date()] += subject_count
    if used:
        op.bulk_insert(
            usage,
            [{"client_id": client_id, "day": day, "used": n} for (client_id, day), n in sorted(used.items())],
        )


def downgrade() -> None:
    op.drop_table("check_quota_usage")
