"""Queries of the check: a constant number per batch, whatever its size. No rules, no commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Date,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from credit.check.models import CheckAudit
from credit.listing import repository as listings
from credit.listing import workflow
from credit.listing.models import Listing, ListingDecision
from credit.subject.models import Subject

_MAX_BIGINT = 2**63 - 1


def _one_of(postgresql: bool, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    if postgresql:
        # One array parameter: the same statement text for 1 or 1000 values (asyncpg keeps it
        # prepared), where IN would make SQLAlchemy render and bind one placeholder per value.
        return column == any_(bindparam(name, type_=ARRAY(String)))
    return column.in_(bindparam(name, expanding=True))


@cache
def _lookup(postgresql: bool, by_uscc: bool, by_id_number: bool) -> Select[Any]:
    """Built once per variant with bound parameters (``usccs``, ``id_numbers``, ``as_of``):
    SQLAlchemy then neither rebuilds it nor recomputes its cache key per check."""
    subject, listing, decision = Subject.__table__.c, Listing.__table__.c, ListingDecision.__table__.c
    known = []
    if by_uscc:
        known.append(_one_of(postgresql, subject.uscc, "usccs"))
    if by_id_number:
        known.append(_one_of(postgresql, subject.id_number, "id_numbers"))
    return (
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
                    *listings.in_force(bindparam("as_of", type_=Date)),
                ),
            )
            # A listing always has its decision (foreign key): outer only to keep listing-less rows.
            .outerjoin(ListingDecision.__table__, decision.id == listing.decision_id)
        )
        .where(or_(*known))
        .order_by(listing.listed_on, listing.id)
    )


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
    query = _lookup(session.get_bind().dialect.name == "postgresql", bool(usccs), bool(id_numbers))
    params: dict[str, Any] = {"as_of": as_of}
    if usccs:
        params["usccs"] = list(usccs)
    if id_numbers:
        params["id_numbers"] = list(id_numbers)
    rows: Sequence[Any] = (await session.execute(query, params)).all()
    return rows


def _checked(client_id: Any, start: Any, end: Any) -> Select[int]:
    """Subjects this client checked in [start, end), read through ``ix_check_audits_client_id_at``."""
    return select(func.coalesce(func.sum(CheckAudit.subject_count), 0)).where(
        CheckAudit.client_id == client_id, CheckAudit.at >= start, CheckAudit.at < end
    )


async def subjects_checked(session: AsyncSession, client_id: str, start: datetime, end: datetime) -> int:
    return int(await session.scalar(_checked(client_id, start, end)) or 0)


# The audit row's columns, as the check gives them (``answers`` comes serialised, apart).
_AUDITED = ("client_id", "client_name", "purpose", "as_of", "subject_count", "restricted_count", "at")


@cache
def _insert_within_quota(postgresql: bool) -> ReturningInsert[int]:
    """Built once with bound parameters: the columns of ``_AUDITED``, ``answers`` (JSON
    text), ``start``, ``end``, ``count`` and ``quota``."""
    table = CheckAudit.metadata.tables[CheckAudit.__tablename__]
    row: dict[str, ColumnElement[Any]] = {
        name: bindparam(name, type_=table.c[name].type) for name in _AUDITED
    }
    answers = bindparam("answers", type_=Text)
    # SQLite keeps JSON as its text; a CAST there would apply the column's numeric affinity.
    row["answers"] = cast(answers, JSON) if postgresql else answers
    at = table.c.at.type
    used = _checked(
        row["client_id"], bindparam("start", type_=at), bindparam("end", type_=at)
    ).scalar_subquery()
    # As 64-bit integers: the sum is one, and a quota may be set beyond 32 bits.
    within = select(*row.values()).where(
        used + bindparam("count", type_=BigInteger) <= bindparam("quota", type_=BigInteger)
    )
    # On the table, not the mapped class: parameters given to an ORM insert mean a bulk insert.
    return insert(table).from_select(list(row), within).returning(table.c.id)


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
    statement = _insert_within_quota(session.get_bind().dialect.name == "postgresql")
    params = {
        **values,
        "answers": answers_json,
        "start": start,
        "end": end,
        "count": values["subject_count"],
        "quota": min(quota, _MAX_BIGINT),
    }
    audit_id = await session.scalar(statement, params)
    return None if audit_id is None else int(audit_id)
