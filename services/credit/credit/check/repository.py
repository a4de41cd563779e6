"""Queries of the check: a constant number per batch, whatever its size. No rules, no commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from credit.check.models import CheckAudit
from credit.listing import repository as listings
from credit.listing import workflow
from credit.listing.models import Listing, ListingDecision
from credit.subject.models import Subject

_MAX_BIGINT = 2**63 - 1


def _one_of(session: AsyncSession, column: ColumnElement[Any], values: Sequence[str]) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter: the same statement text for 1 or 1000 values (asyncpg keeps it
        # prepared), where IN would make SQLAlchemy render and bind one placeholder per value.
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    return column.in_(values)


async def subjects_with_listings(
    session: AsyncSession, usccs: Sequence[str], id_numbers: Sequence[str], as_of: date
) -> Sequence[Any]:
    """The subjects known by these identifiers, each with the blacklist listings in force on
    ``as_of`` (watch and red lists are not sanctions and never restrict), in one read.

    One row per listing (oldest first), or one row with null listing columns for a subject
    without any: ``id, uscc, id_number, listing_id, list_type, role, listed_on, expires_on,
    restrictions, decision_no``, with ``restrictions`` as its JSON text, cast in SQL so that
    no driver decodes it (a batch's listings mostly share one list: the caller decodes each
    distinct text once).

    A Core statement over the tables: the rows are read as they come, with no ORM loading.
    """
    if not usccs and not id_numbers:
        return []
    subject, listing, decision = Subject.__table__.c, Listing.__table__.c, ListingDecision.__table__.c
    known = []
    if usccs:
        known.append(_one_of(session, subject.uscc, usccs))
    if id_numbers:
        known.append(_one_of(session, subject.id_number, id_numbers))
    query = (
        select(
            subject.id,
            subject.uscc,
            subject.id_number,
            listing.id.label("listing_id"),
            listing.list_type,
            listing.role,
            listing.listed_on,
            listing.expires_on,
            cast(listing.restrictions, Text).label("restrictions"),
            decision.decision_no,
        )
        .select_from(
            Subject.__table__.outerjoin(
                Listing.__table__,
                and_(
                    listing.subject_id == subject.id,
                    listing.list_type == workflow.BLACKLIST,
                    *listings.in_force(as_of),
                ),
            )
            # A listing always has its decision (foreign key): outer only to keep listing-less rows.
            .outerjoin(ListingDecision.__table__, decision.id == listing.decision_id)
        )
        .where(or_(*known))
        .order_by(listing.listed_on, listing.id)
    )
    return (await session.execute(query)).all()


def _checked(client_id: str, start: datetime, end: datetime) -> Select[int]:
    """Subjects this client checked in [start, end), read through ``ix_check_audits_client_id_at``."""
    return select(func.coalesce(func.sum(CheckAudit.subject_count), 0)).where(
        CheckAudit.client_id == client_id, CheckAudit.at >= start, CheckAudit.at < end
    )


async def subjects_checked(session: AsyncSession, client_id: str, start: datetime, end: datetime) -> int:
    return int(await session.scalar(_checked(client_id, start, end)) or 0)


async def add_audit_within_quota(
    session: AsyncSession,
    *,
    quota: int,
    start: datetime,
    end: datetime,
    answers_json: str,
    **values: Any,
) -> int | None:
    """Insert the audit row of a check unless its ``subject_count`` would take the subjects
    its client checked in [start, end) over ``quota``: the new row's id, or None (nothing
    inserted). Reading the day's total and inserting are one statement, ``INSERT ... SELECT
    ... WHERE``: one round trip fewer per check.

    ``answers_json`` is the ``answers`` column already serialised (by orjson: the JSON type's
    encoder would run the standard library's over a thousand answers).
    """
    table = CheckAudit.__table__
    row: dict[str, ColumnElement[Any]] = {
        name: literal(value, table.c[name].type) for name, value in values.items()
    }
    answers: ColumnElement[Any] = literal(answers_json, Text)
    # SQLite keeps JSON as its text; a CAST there would apply the column's numeric affinity.
    row["answers"] = cast(answers, JSON) if session.get_bind().dialect.name == "postgresql" else answers
    used = _checked(values["client_id"], start, end).scalar_subquery()
    # As 64-bit integers: the sum is one, and a quota may be set beyond 32 bits.
    within = select(*row.values()).where(
        used + literal(values["subject_count"], BigInteger) <= literal(min(quota, _MAX_BIGINT), BigInteger)
    )
    statement = insert(CheckAudit).from_select(list(row), within).returning(CheckAudit.id)
    audit_id = await session.scalar(statement)
    return None if audit_id is None else int(audit_id)
