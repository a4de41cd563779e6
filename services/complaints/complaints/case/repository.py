"""Queries of the case domain: no rules, no commit."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import insert as insert_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import TextClause

from complaints.case import workflow
from complaints.case.models import Case, CaseCounter, CaseEvent, CasePayment
from complaints.idempotency import IdempotencyRecord
from complaints.outbox.models import OutboxEvent
from shared.db import json_text
from shared.timeutil import now_utc

if TYPE_CHECKING:
    from complaints.case.views import Duplicate

_OPEN_STATES = sorted(workflow.OPEN_STATES)
# Our own constants, inlined: an expanding IN parameter re-renders the SQL on every execution.
_OPEN_STATES_SQL = [literal_column(f"'{state}'", String) for state in _OPEN_STATES]


_CASES: Table = Case.metadata.tables[Case.__tablename__]
_EVENTS: Table = CaseEvent.metadata.tables[CaseEvent.__tablename__]
_OUTBOX: Table = OutboxEvent.metadata.tables[OutboxEvent.__tablename__]
_COUNTERS: Table = CaseCounter.metadata.tables[CaseCounter.__tablename__]


def is_postgresql(session: AsyncSession) -> bool:
    """Whether the session's database is PostgreSQL (else SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


_YEAR = bindparam("counter_year", type_=Integer)
_COUNT = bindparam("count", type_=Integer)
_TAKE_NUMBERS = (
    update(_COUNTERS)
    .where(_COUNTERS.c.year == _YEAR)
    .values(last_value=_COUNTERS.c.last_value + _COUNT)
    .returning(_COUNTERS.c.last_value)
)


async def take_case_numbers(session: AsyncSession, year: int, count: int) -> list[str]:
    """Atomically take the next ``count`` numbers of ``year`` (safe with concurrent writers).

    The counter row stays locked until the transaction ends, so callers take the numbers as
    late as they can: concurrent filings queue on this row for as long as it is held.
    """
    params = {"counter_year": year, "count": count}
    last = (await (await session.connection()).execute(_TAKE_NUMBERS, params)).scalar_one_or_none()
    if last is None:
        # The year's first case: the upsert also settles a race between two first cases.
        insert = pg_insert if is_postgresql(session) else sqlite_insert
        upsert = insert(_COUNTERS).values(year=year, last_value=count)
        result = await session.execute(
            upsert.on_conflict_do_update(
                index_elements=[_COUNTERS.c.year], set_={"last_value": _COUNTERS.c.last_value + count}
            ).returning(_COUNTERS.c.last_value)
        )
        last = result.scalar_one()
    first = int(last) - count + 1
    return [case_number(year, n) for n in range(first, int(last) + 1)]


def case_number(year: int, number: int) -> str:
    return f"{year}-{number:06d}"


Binds = list[tuple[str, str, bool]]


def _unnest_source(table: Table, prefix: str, dialect: Dialect) -> tuple[list[str], str, Binds]:
    """The table's columns given as arrays (those not given, such as a serial id, are left to
    the database): their quoted names, the ``CAST(:p0 AS type[]), ...`` list for ``unnest``,
    and for each its parameter name, row key and whether it holds JSON."""
    columns = [c for c in table.columns if c.autoincrement is not True]
    names = [f'"{c.name}"' for c in columns]
    arrays = ", ".join(
        f"CAST(:{prefix}{i} AS {c.type.compile(dialect=dialect)}[])" for i, c in enumerate(columns)
    )
    binds = [(f"{prefix}{i}", c.key, isinstance(c.type, JSON)) for i, c in enumerate(columns)]
    return names, arrays, binds


def _insert_unnest(table: Table, prefix: str, dialect: Dialect) -> tuple[str, Binds]:
    """``INSERT ... SELECT * FROM unnest(:p0, :p1, ...)``, one array parameter per column."""
    names, arrays, binds = _unnest_source(table, prefix, dialect)
    return f'INSERT INTO "{table.name}" ({", ".join(names)}) SELECT * FROM unnest({arrays})', binds


@functools.cache
def _filed_statement(dialect: Dialect) -> tuple[TextClause, list[Binds]]:
    """PostgreSQL: the three tables in one statement, each column's values as one array. Three
    executemany calls cost a round trip each, SQLAlchemy's processing of every parameter of
    every row (a case has 50 columns) and an execution per row in the database; here asyncpg
    encodes the arrays in one go and the database inserts from them in one execution (make
    bench, intake). Built once per dialect (its type names); the binds of cases, timeline
    entries and outbox rows, in that order."""
    cases, case_binds = _insert_unnest(_CASES, "c", dialect)
    events, event_binds = _insert_unnest(_EVENTS, "e", dialect)
    outbox, outbox_binds = _insert_unnest(_OUTBOX, "o", dialect)
    statement = text(f"WITH cases_in AS ({cases}), events_in AS ({events}) {outbox}")
    return statement, [case_binds, event_binds, outbox_binds]


# Every case number of a filing's events, empty until the number is taken (intake.prepare), is
# filled in by the statement that takes the numbers (orjson's compact JSON: no space after
# the colon; a quote inside a string value is escaped, so only a key can match).
_CASE_NO_UNSET = '"case_no":""'


@functools.cache
def _numbered_statement(dialect: Dialect) -> tuple[TextClause, list[Binds]]:
    """PostgreSQL: ``_filed_statement`` that also takes the cases' numbers, for a connection in
    autocommit: one statement, which commits by itself, instead of BEGIN, the counter's UPDATE,
    the insert and COMMIT (four round trips, and each one wakes the server). It raises the year's
    counter (``:n_year``) by the count (``:n_count``); the i-th case (from 1) gets number
    ``last_value - count + i``, formatted as :func:`case_number` does, in its ``case_no``
    column (the array given for it is not read) and in place of every ``"case_no":""`` of its
    events' payloads. Without a counter row for the year, nothing is written and no row
    is returned. The binds of cases, timeline entries and outbox rows, in that order."""
    case_names, case_arrays, case_binds = _unnest_source(_CASES, "c", dialect)
    event_names, event_arrays, event_binds = _unnest_source(_EVENTS, "e", dialect)
    outbox_names, outbox_arrays, outbox_binds = _unnest_source(_OUTBOX, "o", dialect)
    case_values = ", ".join("c.numbered" if name == '"case_no"' else f"c.{name}" for name in case_names)
    # text() reads ":name" as a bind parameter, even in a string literal: the colons escaped.
    unset = _CASE_NO_UNSET.replace(":", "\\:")
    numbered = "'\"case_no\"\\:' || CAST(to_json(c.numbered) AS text)"
    payload = f"CAST(replace(CAST(o.\"payload\" AS text), '{unset}', {numbered}) AS json)"
    outbox_values = ", ".join(payload if name == '"payload"' else f"o.{name}" for name in outbox_names)
    count = "CAST(:n_count AS INTEGER)"
    statement = text(
        f"""WITH n AS (
  UPDATE "{_COUNTERS.name}" SET last_value = last_value + {count}
  WHERE year = CAST(:n_year AS INTEGER) RETURNING last_value
), c AS (
  SELECT u.*, CAST(:n_year AS text) || '-' || CASE WHEN u.num < 1000000
         THEN lpad(CAST(u.num AS text), 6, '0') ELSE CAST(u.num AS text) END AS numbered
  FROM (SELECT v.*, n.last_value - {count} + v.ord AS num
        FROM n, unnest({case_arrays}) WITH ORDINALITY AS v({", ".join(case_names)}, ord)) AS u
), cases_in AS (
  INSERT INTO "{_CASES.name}" ({", ".join(case_names)}) SELECT {case_values} FROM c
), events_in AS (
  INSERT INTO "{_EVENTS.name}" ({", ".join(event_names)})
  SELECT * FROM unnest({event_arrays}) WHERE EXISTS (SELECT FROM n)
), outbox_in AS (
  INSERT INTO "{_OUTBOX.name}" ({", ".join(outbox_names)})
  SELECT {outbox_values}
  FROM unnest({outbox_arrays}) AS o({", ".join(outbox_names)}) JOIN c ON c."id" = o."aggregate_id"
)
SELECT last_value FROM n"""
    )
    return statement, [case_binds, event_binds, outbox_binds]


async def insert_numbered_cases(
    connection: AsyncConnection,
    year: int,
    cases: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    outbox: Sequence[dict[str, Any]],
) -> list[str] | None:
    """PostgreSQL, on a connection in autocommit: take the next ``len(cases)`` numbers of
    ``year`` and insert the cases (numbered in order), their timeline entries and outbox rows
    (``"case_no":""`` in a payload becomes its case's number) in one statement, committed
    as it returns (``_numbered_statement``). The numbers; or None, with nothing written, when
    the year has no counter yet (its first case: ``take_case_numbers`` makes it)."""
    statement, tables = _numbered_statement(connection.dialect)
    parameters: dict[str, Any] = {"n_year": year, "n_count": len(cases)}
    for binds, rows in zip(tables, (cases, events, outbox), strict=True):
        parameters.update(_columns_of(binds, rows))
    last = (await connection.execute(statement, parameters)).scalar_one_or_none()
    if last is None:
        return None
    first = int(last) - len(cases) + 1
    return [case_number(year, n) for n in range(first, int(last) + 1)]


def _columns_of(binds: Binds, rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    arrays: dict[str, list[Any]] = {}
    for name, key, is_json in binds:
        values = [row[key] for row in rows]
        # JSON as its text (as the engine's serializer writes it); None is SQL NULL.
        arrays[name] = [None if v is None else json_text(v) for v in values] if is_json else values
    return arrays


async def insert_filed_cases(
    session: AsyncSession,
    cases: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    outbox: Sequence[dict[str, Any]],
) -> None:
    """Filed cases with their first timeline entries and outbox rows: plain rows, no ORM. On
    PostgreSQL one statement for the three tables, elsewhere one executemany per table."""
    if is_postgresql(session):
        statement, tables = _filed_statement(session.get_bind().dialect)
        parameters: dict[str, list[Any]] = {}
        for binds, rows in zip(tables, (cases, events, outbox), strict=True):
            parameters.update(_columns_of(binds, rows))
        await (await session.connection()).execute(statement, parameters)
        return
    connection = await session.connection()
    await connection.execute(insert_(_CASES), list(cases))
    await connection.execute(insert_(_EVENTS), list(events))
    await connection.execute(insert_(_OUTBOX), list(outbox))


_IDEMPOTENCY: Table = IdempotencyRecord.metadata.tables[IdempotencyRecord.__tablename__]


async def claim_idempotency_key(session: AsyncSession, client_id: str, key: str, request_hash: str) -> bool:
    """Claim (client, key) for a filing of this transaction; False if a concurrent request
    holds it (then committed before this returns: the insert waits for it)."""
    insert = pg_insert if is_postgresql(session) else sqlite_insert
    claim = (
        insert(_IDEMPOTENCY)
        .values(client_id=client_id, key=key, request_hash=request_hash, created_at=now_utc())
        .on_conflict_do_nothing(index_elements=[_IDEMPOTENCY.c.client_id, _IDEMPOTENCY.c.key])
        .returning(_IDEMPOTENCY.c.id)
    )
    return (await (await session.connection()).execute(claim)).scalar_one_or_none() is not None


_STORE_ANSWER = (
    update(_IDEMPOTENCY)
    .where(
        _IDEMPOTENCY.c.client_id == bindparam("b_client_id", type_=String),
        _IDEMPOTENCY.c.key == bindparam("b_key", type_=String),
    )
    .values(status_code=201, response_body=bindparam("b_body", type_=JSON))
)


async def store_answers(session: AsyncSession, answers: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
    """The answers of claimed filings, for their retries (status 201)."""
    await (await session.connection()).execute(
        _STORE_ANSWER, [{"b_client_id": c, "b_key": k, "b_body": body} for c, k, body in answers]
    )


async def get(session: AsyncSession, case_id: str, *, for_update: bool = False) -> Case | None:
    query = select(Case).where(Case.id == case_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


# The most open cases of an employer a filing lists as possible duplicates.
HISTORY_LIMIT = 20


def _employer_histories_query(by_uscc: bool) -> Select[Any]:
    # The same employer: by USCC when given, else by normalised name among cases without one.
    keys = bindparam("keys", type_=String, expanding=True)
    employer = Case.employer_uscc if by_uscc else Case.employer_name_norm
    same = employer.in_(keys) if by_uscc else and_(Case.employer_uscc.is_(None), employer.in_(keys))
    is_open = Case.status.in_(_OPEN_STATES_SQL)
    rows = (
        select(
            employer.label("employer"),
            func.count().over(partition_by=employer).label("total"),
            func.row_number()
            .over(partition_by=(employer, is_open), order_by=(Case.received_at.desc(), Case.case_no.desc()))
            .label("rank"),
            is_open.label("is_open"),
            Case.id,
            Case.case_no,
            Case.status,
            Case.received_at,
        )
        .where(same)
        .subquery()
    )
    # Each employer's newest open cases, and one row at least (its newest) for its count.
    return select(rows).where(or_(and_(rows.c.is_open, rows.c.rank <= HISTORY_LIMIT), rows.c.rank == 1))


# Built once (a filing's hot path): building a statement per call costs its cache key each time.
_HISTORIES_BY_USCC = _employer_histories_query(True)
_HISTORIES_BY_NAME = _employer_histories_query(False)


@dataclass(slots=True)
class EmployerHistory:
    count: int = 0
    # Newest first (then by number), at most HISTORY_LIMIT.
    open_cases: list[Duplicate] = field(default_factory=list)


async def employer_histories(
    connection: AsyncConnection, *, usccs: Collection[str], names: Collection[str]
) -> tuple[dict[str, EmployerHistory], dict[str, EmployerHistory]]:
    """How many cases each employer has had, and its open ones: by USCC, and by normalised
    name among cases without a USCC. One query per kind of key, whatever their number."""
    found: list[dict[str, EmployerHistory]] = []
    for statement, keys in ((_HISTORIES_BY_USCC, usccs), (_HISTORIES_BY_NAME, names)):
        histories: dict[str, EmployerHistory] = {}
        if keys:
            ranked = (await connection.execute(statement, {"keys": list(keys)})).all()
            for row in sorted(ranked, key=lambda r: r.rank):
                history = histories.setdefault(row.employer, EmployerHistory(int(row.total)))
                if row.is_open:
                    history.open_cases.append(row)
        found.append(histories)
    return found[0], found[1]


@dataclass(frozen=True, slots=True)
class CaseFilter:
    filed_by_client: str | None = None
    districts: tuple[str, ...] = ()
    status: str | None = None
    channel: str | None = None
    kind: str | None = None
    district_code: str | None = None
    industry_code: str | None = None
    overdue_before: date | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    q: str | None = None


async def list_cases(
    session: AsyncSession, where: CaseFilter, *, limit: int, after: tuple[datetime, str] | None
) -> Sequence[Case]:
    """Newest first, keyset-paginated on (received_at, id)."""
    query = select(Case).order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)
    if after is not None:
        received_at, case_id = after
        query = query.where(
            or_(Case.received_at < received_at, and_(Case.received_at == received_at, Case.id < case_id))
        )
    if where.filed_by_client is not None:
        query = query.where(Case.filed_by_client == where.filed_by_client)
    if where.districts:
        query = query.where(or_(*(Case.district_code.startswith(d) for d in where.districts)))
    for column, value in (
        (Case.status, where.status),
        (Case.channel, where.channel),
        (Case.kind, where.kind),
        (Case.district_code, where.district_code),
        (Case.industry_code, where.industry_code),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.overdue_before is not None:
        # Served by ix_cases_next_deadline: only cases whose running deadline has passed.
        query = query.where(Case.next_deadline < where.overdue_before)
    if where.received_from is not None:
        query = query.where(Case.received_at >= where.received_from)
    if where.received_to is not None:
        query = query.where(Case.received_at < where.received_to)
    if where.q:
        pattern = f"%{where.q}%"
        query = query.where(
            or_(Case.case_no.like(pattern), Case.employer_name.like(pattern), Case.description.like(pattern))
        )
    return (await session.scalars(query)).all()


async def timeline(
    session: AsyncSession, case_ids: Sequence[str], *, limit: int, after: tuple[datetime, int] | None
) -> Sequence[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id.in_(case_ids))
    if after is not None:
        query = query.where(
            or_(CaseEvent.at > after[0], and_(CaseEvent.at == after[0], CaseEvent.id > after[1]))
        )
    return (await session.scalars(query.order_by(CaseEvent.at, CaseEvent.id).limit(limit))).all()


async def merged_case_ids(session: AsyncSession, case_id: str) -> list[str]:
    """``case_id`` and every case merged into it, transitively."""
    found = [case_id]
    frontier = [case_id]
    while frontier:
        rows = await session.scalars(select(Case.id).where(Case.merged_into_id.in_(frontier)))
        frontier = [r for r in rows.all() if r not in found]
        found.extend(frontier)
    return found


async def payments(session: AsyncSession, case_ids: Sequence[str]) -> Sequence[CasePayment]:
    query = select(CasePayment).where(CasePayment.case_id.in_(case_ids)).order_by(CasePayment.id)
    return (await session.scalars(query)).all()
