"""Queries of the check: a constant number per batch, whatever its size. No rules, no commit.

The daily quota of checked subjects is a counter, one ``check_quota_usage`` row per client and
China calendar day: a check raises it by its subject count unless that would take it over the
quota, and its audit row goes in only if it did. A refused check changes nothing; two checks of
one client wait for each other on that row, so together they can never overrun the quota; and
the cost of a check does not grow with the day's checks.

Two ways to run the same statements (the lookup, then the counter and the audit row):

- on PostgreSQL, :class:`PostgresChecks`: their SQL text run by asyncpg itself on a connection
  of the engine's pool, outside any explicit transaction. The counter and the audit row are
  one statement (a data-modifying ``WITH``: the upsert of the counter, then the audit
  ``INSERT ... SELECT ... WHERE EXISTS`` its returned row), so they are committed together by
  themselves (synchronous_commit applies as for any commit) before the answer is sent, and the
  lookup before it only reads: BEGIN and COMMIT would be two more round trips per check for
  nothing, and SQLAlchemy's session, execution context and rows cost more CPU than a
  one-subject check's SQL. The service writes the audit rows of concurrent checks together
  (``credit.check.service.CheckAudits``): :meth:`PostgresChecks.add_audits_within_quota`, the
  same counting for a batch in one statement, each client's counter raised once by its checks'
  sum when that fits, else its checks counted one by one as above;
- on SQLite (development and tests), the Core statements below on a session, in its
  transaction: SQLite has no data-modifying ``WITH``, so the counter's upsert returns the
  new count and the audit row is inserted only if it did; the upsert takes the database's
  write lock, which the transaction holds until it commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple, Protocol

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
    insert,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from credit.check.models import CheckAudit, CheckQuotaUsage
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


@cache
def _usage() -> Select[Any]:
    """The client's counter of a day, built once: bound parameters ``client_id`` and ``day``."""
    usage = CheckQuotaUsage.metadata.tables[CheckQuotaUsage.__tablename__]
    return select(usage.c.used).where(
        usage.c.client_id == bindparam("client_id", type_=usage.c.client_id.type),
        usage.c.day == bindparam("day", type_=Date),
    )


async def subjects_checked(session: AsyncSession, client_id: str, day: date) -> int:
    """Subjects this client checked on ``day`` (a China calendar day), as its counter says."""
    return int(await session.scalar(_usage(), {"client_id": client_id, "day": day}) or 0)


@cache
def _count_within_quota(postgresql: bool) -> ReturningInsert[Any]:
    """Built once with bound parameters ``client_id``, ``day``, ``count`` and ``quota``: the
    client's counter of the day created with ``count``, or raised by it, unless the result
    would be over ``quota``. It returns the new ``used``, or no row when nothing changed."""
    usage = CheckQuotaUsage.metadata.tables[CheckQuotaUsage.__tablename__]
    # As 64-bit integers: a quota may be set beyond 32 bits.
    count = bindparam("count", type_=BigInteger)
    quota = bindparam("quota", type_=BigInteger)
    first = select(
        bindparam("client_id", type_=usage.c.client_id.type), bindparam("day", type_=Date), count
    ).where(count <= quota)  # SQLite wants a WHERE before an ON CONFLICT (else read as a join's ON)
    upsert = (postgresql_insert if postgresql else sqlite_insert)(usage).from_select(
        ["client_id", "day", "used"], first
    )
    raised = usage.c.used + upsert.excluded.used
    return upsert.on_conflict_do_update(
        index_elements=[usage.c.client_id, usage.c.day], set_={"used": raised}, where=raised <= quota
    ).returning(usage.c.used)


# The audit row's columns, as the check gives them (``answers`` comes serialised, apart).
_AUDITED = ("client_id", "client_name", "purpose", "as_of", "subject_count", "restricted_count", "at")


@cache
def _insert_audit(postgresql: bool) -> ReturningInsert[Any]:
    """Built once with bound parameters: the columns of ``_AUDITED`` and ``answers`` (JSON text)."""
    table = CheckAudit.metadata.tables[CheckAudit.__tablename__]
    row: dict[str, ColumnElement[Any]] = {
        name: bindparam(name, type_=table.c[name].type) for name in _AUDITED
    }
    answers = bindparam("answers", type_=Text)
    # SQLite keeps JSON as its text; a CAST there would apply the column's numeric affinity.
    row["answers"] = cast(answers, JSON) if postgresql else answers
    # On the table, not the mapped class: parameters given to an ORM insert mean a bulk insert.
    return insert(table).values(row).returning(table.c.id)


async def add_audit_within_quota(
    session: AsyncSession,
    *,
    quota: int,
    day: date,
    answers_json: str,
    **values: Any,
) -> int | None:
    """Count the check's ``subject_count`` in its client's counter of ``day`` (the China
    calendar day of the check), then insert its audit row: the new row's id; or, when the
    count would take the counter over ``quota``, None, with nothing changed or inserted.

    Two statements in the session's transaction (the caller commits both or neither): the
    counter's upsert, which returns a row only when it counted, and the audit row only then.

    ``answers_json`` is the ``answers`` column already serialised (by orjson: the JSON type's
    encoder would run the standard library's over a thousand answers).
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    counted = await session.scalar(
        _count_within_quota(postgresql),
        {
            "client_id": values["client_id"],
            "day": day,
            "count": values["subject_count"],
            "quota": min(quota, _MAX_BIGINT),
        },
    )
    if counted is None:
        return None
    audit_id = await session.scalar(_insert_audit(postgresql), {**values, "answers": answers_json})
    return int(audit_id)


# --- the check's store: the statements above on a session, or their SQL on asyncpg ----------


class CheckStore(Protocol):
    async def subjects_with_listings(
        self, usccs: Sequence[str], id_numbers: Sequence[str], as_of: date
    ) -> Sequence[Any]: ...

    async def add_audit_within_quota(
        self, *, quota: int, day: date, answers_json: str, **values: Any
    ) -> int | None: ...

    async def subjects_checked(self, client_id: str, day: date) -> int: ...


class SessionChecks:
    """The Core statements on a session (SQLite; the caller owns the transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def subjects_with_listings(
        self, usccs: Sequence[str], id_numbers: Sequence[str], as_of: date
    ) -> Sequence[Any]:
        return await subjects_with_listings(self.session, usccs, id_numbers, as_of)

    async def add_audit_within_quota(
        self, *, quota: int, day: date, answers_json: str, **values: Any
    ) -> int | None:
        return await add_audit_within_quota(
            self.session, quota=quota, day=day, answers_json=answers_json, **values
        )

    async def subjects_checked(self, client_id: str, day: date) -> int:
        return await subjects_checked(self.session, client_id, day)


# The same lookup as _lookup(True, ...): blacklist listings in force on the day (in_force()),
# the restrictions as JSON text. The identifiers come first ($1, and $2 when both kinds are
# looked up), then the day, the list type and the statuses, bound as the Core statement binds them.
# The identifiers are sent as the text of an array ('{A,B,...}', read by PostgreSQL's array_in):
# asyncpg's array encoder tests every element against three collections.abc classes, 3000
# isinstance() calls in Python for a batch. Normalised identifiers are letters and digits only,
# so they need no quoting in that text.
_PG_LISTINGS = """
SELECT s.id, s.uscc, s.id_number, l.id, l.list_type, l.role, l.listed_on, l.expires_on,
       l.restrictions::text, d.decision_no
FROM subjects s
LEFT OUTER JOIN listings l
  ON l.subject_id = s.id AND l.list_type = ${t}::varchar AND l.status = ANY(${s}::text[])
 AND l.listed_on IS NOT NULL AND l.listed_on <= ${d}::date
 AND (l.ended_on IS NULL OR l.ended_on > ${d}::date) AND (l.expires_on IS NULL OR l.expires_on > ${d}::date)
LEFT OUTER JOIN listing_decisions d ON d.id = l.decision_id
WHERE {known}
ORDER BY l.listed_on, l.id
"""
_PG_LOOKUP = {
    (True, False): _PG_LISTINGS.format(known="s.uscc = ANY($1::text::text[])", d=2, t=3, s=4),
    (False, True): _PG_LISTINGS.format(known="s.id_number = ANY($1::text::text[])", d=2, t=3, s=4),
    (True, True): _PG_LISTINGS.format(
        known="s.uscc = ANY($1::text::text[]) OR s.id_number = ANY($2::text::text[])", d=3, t=4, s=5
    ),
}
_PG_DECIDED = sorted(workflow.DECIDED)

# As _usage(): the client's counter of the day.
_PG_USED = "SELECT used FROM check_quota_usage WHERE client_id = $1::varchar AND day = $2::date"

# As _count_within_quota(True) then _insert_audit(True), in one statement: the audit row goes
# in only if the counter's upsert returned a row. The audit columns come first ($1 to $8),
# then the day, the count (bigint, apart from $5: a parameter takes one type) and the quota.
# Concurrent checks of a client wait on its counter row (the upsert's row lock): each sees
# the count the one before left, and none can take it over the quota.
_PG_INSERT_WITHIN_QUOTA = """
WITH usage AS (
  INSERT INTO check_quota_usage (client_id, day, used)
  SELECT $1::varchar, $9::date, $10::bigint WHERE $10::bigint <= $11::bigint
  ON CONFLICT (client_id, day) DO UPDATE SET used = check_quota_usage.used + EXCLUDED.used
  WHERE check_quota_usage.used + EXCLUDED.used <= $11::bigint
  RETURNING used
)
INSERT INTO check_audits
  (client_id, client_name, purpose, as_of, subject_count, restricted_count, at, answers)
SELECT $1::varchar, $2::varchar, $3::varchar, $4::date, $5::integer, $6::integer,
       $7::timestamptz, $8::text::json
WHERE EXISTS (SELECT 1 FROM usage)
RETURNING id
"""


class AuditRow(NamedTuple):
    """One check's audit row as the writers take it: the columns of ``_AUDITED`` in order, the
    answers already serialised (JSON text) and the China calendar day its count goes to."""

    client_id: str
    client_name: str
    purpose: str
    as_of: date
    subject_count: int
    restricted_count: int
    at: datetime
    answers_json: str
    day: date

    def audited(self) -> dict[str, Any]:
        """The columns of ``_AUDITED`` by name."""
        return {name: getattr(self, name) for name in _AUDITED}


# _PG_INSERT_WITHIN_QUOTA for a batch of checks, in one statement (so one commit, and each
# client's counter row taken once): the batch's columns as arrays ($1 to $9, in AuditRow's
# order), the quota $10. The checks of each client and day are counted together, in one upsert
# that raises the counter by their sum or, if that would take it over the quota, leaves it (and
# them) alone; the counters are taken in one order, so two batches cannot deadlock on them. The
# audit rows get their ids before they go in, so the answer is (ordinality, id or null) per
# check, in the batch's order, whatever order the rows went in.
_PG_AUDITS_WITHIN_QUOTA = """
WITH batch AS MATERIALIZED (
  SELECT b.*, nextval(pg_get_serial_sequence('check_audits', 'id'))::integer AS id
  FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::date[], $5::integer[],
              $6::integer[], $7::timestamptz[], $8::text[], $9::date[])
       WITH ORDINALITY AS b(client_id, client_name, purpose, as_of, subject_count,
                            restricted_count, at, answers, day, ord)
), counted AS (
  INSERT INTO check_quota_usage AS u (client_id, day, used)
  SELECT client_id, day, sum(subject_count)::bigint FROM batch
  GROUP BY client_id, day HAVING sum(subject_count) <= $10::bigint
  ORDER BY client_id, day
  ON CONFLICT (client_id, day) DO UPDATE SET used = u.used + EXCLUDED.used
  WHERE u.used + EXCLUDED.used <= $10::bigint
  RETURNING client_id, day
), audited AS (
  INSERT INTO check_audits
    (id, client_id, client_name, purpose, as_of, subject_count, restricted_count, at, answers)
  SELECT b.id, b.client_id, b.client_name, b.purpose, b.as_of, b.subject_count,
         b.restricted_count, b.at, b.answers::json
  FROM batch b JOIN counted c ON c.client_id = b.client_id AND c.day = b.day
  RETURNING id
)
SELECT b.ord, a.id FROM batch b LEFT OUTER JOIN audited a ON a.id = b.id ORDER BY b.ord
"""


class PostgresChecks:
    """The statements' SQL on the asyncpg connection of a pooled connection, no transaction."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def subjects_with_listings(
        self, usccs: Sequence[str], id_numbers: Sequence[str], as_of: date
    ) -> Sequence[Any]:
        if not usccs and not id_numbers:
            return []
        # Each record unpacks as the Core rows do (asyncpg's Record is a tuple-like sequence).
        known = ["{" + ",".join(values) + "}" for values in (usccs, id_numbers) if values]
        rows: Sequence[Any] = await self.connection.fetch(
            _PG_LOOKUP[bool(usccs), bool(id_numbers)], *known, as_of, workflow.BLACKLIST, _PG_DECIDED
        )
        return rows

    async def add_audit_within_quota(
        self, *, quota: int, day: date, answers_json: str, **values: Any
    ) -> int | None:
        audit_id = await self.connection.fetchval(
            _PG_INSERT_WITHIN_QUOTA,
            *(values[name] for name in _AUDITED),
            answers_json,
            day,
            values["subject_count"],
            min(quota, _MAX_BIGINT),
        )
        return None if audit_id is None else int(audit_id)

    async def add_audits_within_quota(self, quota: int, rows: Sequence[AuditRow]) -> list[int | None]:
        """Each row's audit id, or None where its count would take its client's counter of
        its day over ``quota`` (nothing then changed for it), as if the rows had been added
        one by one in order: a client and day whose checks together do not fit are counted
        again one check at a time (near the quota only), each on its own statement."""
        if len(rows) <= 1:
            # Alone (an idle service's every check): the one-check statement, which costs
            # PostgreSQL less than the batch's arrays, grouping and joins.
            return [
                await self.add_audit_within_quota(
                    quota=quota, day=row.day, answers_json=row.answers_json, **row.audited()
                )
                for row in rows
            ]
        columns = list(zip(*rows, strict=True))
        records = await self.connection.fetch(_PG_AUDITS_WITHIN_QUOTA, *columns, min(quota, _MAX_BIGINT))
        ids: list[int | None] = [None if record[1] is None else int(record[1]) for record in records]
        for index, row in enumerate(rows):
            if ids[index] is None:
                ids[index] = await self.add_audit_within_quota(
                    quota=quota, day=row.day, answers_json=row.answers_json, **row.audited()
                )
        return ids

    async def subjects_checked(self, client_id: str, day: date) -> int:
        return int(await self.connection.fetchval(_PG_USED, client_id, day) or 0)


async def add_audits_within_quota(
    engine: AsyncEngine, quota: int, rows: Sequence[AuditRow]
) -> list[int | None]:
    """:meth:`PostgresChecks.add_audits_within_quota` on a connection of ``engine``'s pool:
    the credit service's group write (``shared.batching.GroupWrite``) on PostgreSQL."""
    async with postgres_checks(engine) as checks:
        return await checks.add_audits_within_quota(quota, rows)


@asynccontextmanager
async def postgres_checks(engine: AsyncEngine) -> AsyncIterator[PostgresChecks]:
    """A connection of ``engine``'s pool, used through asyncpg directly and given back after.

    A connection found closed after an error (a restarted server) is handled as SQLAlchemy
    handles a disconnect: the pool is invalidated (every connection older than now is replaced
    on its next checkout) and the error is a ``DBAPIError`` marked ``connection_invalidated``,
    which the error handlers answer with 503 ``database_unavailable``.
    """
    proxied = await engine.raw_connection()
    try:
        yield PostgresChecks(proxied.driver_connection)
    except Exception as error:
        if proxied.driver_connection is not None and proxied.driver_connection.is_closed():
            engine.sync_engine.pool._invalidate(proxied, error)
            raise DBAPIError(None, None, error, connection_invalidated=True) from error
        raise
    finally:
        # No transaction was begun on it: giving it back is no round trip (its reset is a no-op).
        proxied.close()
