"""Queries of the case domain: no rules, no commit."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Row,
    Select,
    String,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import insert as insert_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case import workflow
from complaints.case.models import Case, CaseCounter, CaseEvent, CasePayment
from complaints.outbox.models import OutboxEvent

_OPEN_STATES = sorted(workflow.OPEN_STATES)
# Our own constants, inlined: an expanding IN parameter re-renders the SQL on every execution.
_OPEN_STATES_SQL = [literal_column(f"'{state}'", String) for state in _OPEN_STATES]


_CASES: Table = Case.metadata.tables[Case.__tablename__]
_EVENTS: Table = CaseEvent.metadata.tables[CaseEvent.__tablename__]
_OUTBOX: Table = OutboxEvent.metadata.tables[OutboxEvent.__tablename__]
_COUNTERS: Table = CaseCounter.metadata.tables[CaseCounter.__tablename__]


def _is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_TAKE_NUMBER = (
    update(_COUNTERS)
    .where(_COUNTERS.c.year == bindparam("counter_year", type_=Integer))
    .values(last_value=_COUNTERS.c.last_value + 1)
    .returning(_COUNTERS.c.last_value)
)


async def next_case_number(session: AsyncSession, year: int) -> int:
    """Atomically take the next number of ``year`` (safe with concurrent writers).

    The counter row stays locked until the transaction ends, so callers take the number as
    late as they can: concurrent filings queue on this row for as long as it is held.
    """
    number = (await session.execute(_TAKE_NUMBER, {"counter_year": year})).scalar_one_or_none()
    if number is None:
        # The year's first case: the upsert also settles a race between two first cases.
        insert = pg_insert if _is_postgresql(session) else sqlite_insert
        upsert = insert(_COUNTERS).values(year=year, last_value=1)
        result = await session.execute(
            upsert.on_conflict_do_update(
                index_elements=[_COUNTERS.c.year], set_={"last_value": _COUNTERS.c.last_value + 1}
            ).returning(_COUNTERS.c.last_value)
        )
        number = result.scalar_one()
    return int(number)


def _binds(table: Table, prefix: str) -> dict[str, ColumnElement[Any]]:
    # Every column but an autoincrement key, each bound under a name unique in the statement.
    return {
        c.key: bindparam(prefix + c.key, type_=c.type)
        for c in table.columns
        if not (c.primary_key and c.autoincrement is True)
    }


def case_number(year: int, number: int) -> str:
    return f"{year}-{number:06d}"


@functools.cache
def _pg_file_case(outbox_rows: int) -> Select[Any]:
    """The whole write of a filing in one statement: take the year's number, insert the case
    numbered with it, its first timeline entry and its outbox rows, return the number.

    The counter row is locked from this statement to the commit, so nothing but the commit
    follows it: concurrent filings queue on that row for one statement and one commit, not
    for a round trip per row. The outbox payloads come as JSON text in which the JSON string
    ``:token`` (the caller's placeholder, quoted) stands for the number. Built once per number
    of outbox rows, each its own single-row INSERT (a multi-row VALUES is not cacheable and
    would be compiled on every filing). No counter row yet: no row inserted, none returned."""
    number = _TAKE_NUMBER.cte("number")
    digits = cast(number.c.last_value, Text)
    # case_number() in SQL: at least six digits, never cut.
    case_no = bindparam("year_prefix", type_=Text) + func.lpad(
        digits, func.greatest(6, func.length(digits)), "0"
    )
    case_binds = _binds(_CASES, "c_")
    case_binds["case_no"] = case_no
    new_case = (
        insert_(_CASES)
        .from_select(list(case_binds), select(*case_binds.values()).select_from(number))
        .returning(_CASES.c.id, _CASES.c.case_no)
        .cte("new_case")
    )
    event_binds = _binds(_EVENTS, "e_")
    new_event = (
        insert_(_EVENTS)
        .from_select(list(event_binds), select(*event_binds.values()).select_from(new_case))
        .returning(_EVENTS.c.id)
        .cte("new_event")
    )
    statement = select(new_case.c.case_no).add_cte(new_event)
    token = bindparam("token", type_=Text)
    for i in range(outbox_rows):
        binds = _binds(_OUTBOX, f"o{i}_")
        quoted = literal('"', Text) + new_case.c.case_no + literal('"', Text)
        payload = func.replace(bindparam(f"o{i}_payload_text", type_=Text), token, quoted)
        binds["payload"] = cast(payload, JSON)
        row = (
            insert_(_OUTBOX)
            .from_select(list(binds), select(*binds.values()).select_from(new_case))
            .returning(_OUTBOX.c.id)
        )
        statement = statement.add_cte(row.cte(f"new_outbox_{i}"))
    return statement


async def insert_numbered_case(
    session: AsyncSession,
    year: int,
    case: dict[str, Any],
    event: dict[str, Any],
    outbox: Sequence[dict[str, Any]],
    *,
    token: str,
) -> str:
    """Number and insert a filed case with its first timeline entry and outbox rows (plain
    rows, no ORM); returns the case number. Wherever ``token`` appears as a JSON string in an
    outbox payload, the number takes its place."""
    quoted = orjson.dumps(token).decode()
    if _is_postgresql(session):
        params: dict[str, Any] = {"counter_year": year, "year_prefix": f"{year}-", "token": quoted}
        params.update({f"c_{k}": v for k, v in case.items() if k != "case_no"})
        params.update({f"e_{k}": v for k, v in event.items()})
        for i, row in enumerate(outbox):
            params.update({f"o{i}_{k}": v for k, v in row.items() if k != "payload"})
            params[f"o{i}_payload_text"] = orjson.dumps(row["payload"]).decode()
        statement = _pg_file_case(len(outbox))
        case_no = (await session.execute(statement, params)).scalar_one_or_none()
        if case_no is None:
            # The year's first case: its counter row is made (or a concurrent first case's
            # awaited), then the statement finds it.
            await session.execute(
                pg_insert(_COUNTERS).values(year=year, last_value=0).on_conflict_do_nothing()
            )
            case_no = (await session.execute(statement, params)).scalar_one()
        return str(case_no)
    # SQLite: one writer at a time anyway; the number is still taken just before the inserts.
    case_no = case_number(year, await next_case_number(session, year))
    rows = [
        {
            **row,
            "payload": orjson.loads(orjson.dumps(row["payload"]).decode().replace(quoted, f'"{case_no}"')),
        }
        for row in outbox
    ]
    await session.execute(insert_(_CASES), {**case, "case_no": case_no})
    await session.execute(insert_(_EVENTS), event)
    await session.execute(insert_(_OUTBOX), rows)
    return case_no


async def get(session: AsyncSession, case_id: str, *, for_update: bool = False) -> Case | None:
    query = select(Case).where(Case.id == case_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


def _employer_history_query(by_uscc: bool, limit: int) -> Select[Any]:
    # The same employer: by USCC when given, else by normalised name among cases without one.
    if by_uscc:
        same = Case.employer_uscc == bindparam("uscc", type_=String)
    else:
        same = and_(
            Case.employer_uscc.is_(None), Case.employer_name_norm == bindparam("name_norm", type_=String)
        )
    total = select(func.count()).select_from(Case).where(same).scalar_subquery()
    open_cases = (
        select(Case.id, Case.case_no, Case.status, Case.received_at)
        .where(same, Case.status.in_(_OPEN_STATES_SQL))
        .order_by(Case.received_at.desc())
        .limit(limit)
        .subquery()
    )
    # One row even when nothing is open: the count rides on a LEFT JOIN from a constant row.
    one = select(literal(1).label("one")).subquery()
    return (
        select(total.label("total"), *open_cases.c)
        .select_from(one.outerjoin(open_cases, true()))
        .order_by(open_cases.c.received_at.desc())
    )


# Built once (a filing's hot path): building a statement per call costs its cache key each time.
_HISTORY_BY_USCC = _employer_history_query(True, 20)
_HISTORY_BY_NAME = _employer_history_query(False, 20)


async def employer_history(
    session: AsyncSession, *, uscc: str | None, name_norm: str | None
) -> tuple[int, list[Row[Any]]]:
    """How many cases the employer has had, and its (at most 20) open ones, newest first, in
    one query."""
    if uscc:
        result = await session.execute(_HISTORY_BY_USCC, {"uscc": uscc})
    elif name_norm:
        result = await session.execute(_HISTORY_BY_NAME, {"name_norm": name_norm})
    else:
        return 0, []
    rows = result.all()
    count = int(rows[0].total or 0) if rows else 0
    return count, [row for row in rows if row.id is not None]


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


async def timeline(session: AsyncSession, case_ids: Sequence[str]) -> Sequence[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).order_by(CaseEvent.at, CaseEvent.id)
    return (await session.scalars(query)).all()


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
