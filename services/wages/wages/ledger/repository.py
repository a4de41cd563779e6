"""Queries of ledgers, lines, bank payments and transfers: no rules, no commit."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from wages.employer.models import MonitoredEmployer
from wages.ledger.models import BankPayment, LabourCostTransfer, PayrollLedger, PayrollLine

# Order of the tuples written by COPY (and zipped into dicts on SQLite).
LINE_COLUMNS = ("ledger_id", "line_no", "id_number", "name", "payable", "paid", "paid_on", "hours")


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _driver(session: AsyncSession) -> Any:
    """The asyncpg connection under the session's, inside the request's transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    return driver


async def latest_version(session: AsyncSession, employer_id: str, period: str) -> int:
    query = select(func.max(PayrollLedger.version)).where(
        PayrollLedger.employer_id == employer_id, PayrollLedger.period == period
    )
    return int(await session.scalar(query) or 0)


async def retire_versions(session: AsyncSession, employer_id: str, period: str) -> None:
    await session.execute(
        update(PayrollLedger)
        .where(
            PayrollLedger.employer_id == employer_id,
            PayrollLedger.period == period,
            PayrollLedger.current.is_(True),
        )
        .values(current=False)
        .execution_options(synchronize_session=False)
    )


async def write_lines(
    session: AsyncSession, records: Sequence[tuple[Any, ...]], *, sqlite_chunk: int
) -> None:
    """Bulk-write ledger lines: COPY on PostgreSQL, multi-row INSERTs in chunks on SQLite.

    Runs on the session's connection, inside the request's transaction.
    """
    if not records:
        return
    if is_postgres(session):
        driver = await _driver(session)
        await driver.copy_records_to_table("payroll_lines", records=records, columns=LINE_COLUMNS)
        return
    for start in range(0, len(records), sqlite_chunk):
        chunk = [dict(zip(LINE_COLUMNS, r, strict=True)) for r in records[start : start + sqlite_chunk]]
        await session.execute(insert(PayrollLine), chunk)


async def copy_lines_text(session: AsyncSession, chunks: AsyncIterable[bytes]) -> None:
    """PostgreSQL only: COPY ledger lines from chunks of COPY text (columns :data:`LINE_COLUMNS`)
    as they come, inside the request's transaction. An exception raised by ``chunks`` aborts
    the COPY and is raised here."""
    driver = await _driver(session)
    await driver.copy_to_table("payroll_lines", source=chunks, columns=LINE_COLUMNS, format="text")


async def rematch_payments(session: AsyncSession, *, employer_id: str, period: str, ledger_id: str) -> None:
    """Point the period's bank payments at the lines of the new current ledger (or at nothing)."""
    line_id = (
        select(func.min(PayrollLine.id))
        .where(PayrollLine.ledger_id == ledger_id, PayrollLine.id_number == BankPayment.id_number)
        .scalar_subquery()
    )
    await session.execute(
        update(BankPayment)
        .where(BankPayment.employer_id == employer_id, BankPayment.period == period)
        .values(matched_line_id=line_id)
        .execution_options(synchronize_session=False)
    )


async def get_ledger(session: AsyncSession, ledger_id: str) -> tuple[PayrollLedger, str] | None:
    query = (
        select(PayrollLedger, MonitoredEmployer.uscc)
        .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
        .where(PayrollLedger.id == ledger_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row is not None else None


async def list_ledgers(
    session: AsyncSession,
    *,
    uscc: str | None,
    period: str | None,
    current_only: bool,
    limit: int,
    after: tuple[datetime, str] | None,
) -> Sequence[tuple[PayrollLedger, str]]:
    """Newest first, keyset-paginated on (submitted_at, id)."""
    query = (
        select(PayrollLedger, MonitoredEmployer.uscc)
        .join(MonitoredEmployer, MonitoredEmployer.id == PayrollLedger.employer_id)
        .order_by(PayrollLedger.submitted_at.desc(), PayrollLedger.id.desc())
        .limit(limit)
    )
    if uscc is not None:
        query = query.where(MonitoredEmployer.uscc == uscc)
    if period is not None:
        query = query.where(PayrollLedger.period == period)
    if current_only:
        query = query.where(PayrollLedger.current.is_(True))
    if after is not None:
        at, ledger_id = after
        query = query.where(
            or_(
                PayrollLedger.submitted_at < at,
                and_(PayrollLedger.submitted_at == at, PayrollLedger.id < ledger_id),
            )
        )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def list_lines(
    session: AsyncSession, ledger_id: str, *, limit: int, after_line_no: int | None
) -> Sequence[PayrollLine]:
    query = (
        select(PayrollLine)
        .where(PayrollLine.ledger_id == ledger_id)
        .order_by(PayrollLine.line_no)
        .limit(limit)
    )
    if after_line_no is not None:
        query = query.where(PayrollLine.line_no > after_line_no)
    return (await session.scalars(query)).all()


async def current_ledgers(session: AsyncSession, employer_id: str, periods: Iterable[str]) -> dict[str, str]:
    """period -> id of the current ledger, for the periods that have one."""
    query = select(PayrollLedger.period, PayrollLedger.id).where(
        PayrollLedger.employer_id == employer_id,
        PayrollLedger.current.is_(True),
        PayrollLedger.period.in_(sorted(set(periods))),
    )
    return {period: ledger_id for period, ledger_id in (await session.execute(query)).all()}


async def line_ids(session: AsyncSession, ledger_id: str, id_numbers: Sequence[str]) -> dict[str, int]:
    """id_number -> line id in ``ledger_id`` (the first line when a worker appears twice)."""
    found: dict[str, int] = {}
    for start in range(0, len(id_numbers), 500):
        chunk = id_numbers[start : start + 500]
        query = (
            select(PayrollLine.id_number, func.min(PayrollLine.id))
            .where(PayrollLine.ledger_id == ledger_id, PayrollLine.id_number.in_(chunk))
            .group_by(PayrollLine.id_number)
        )
        found.update({id_number: int(line_id) for id_number, line_id in (await session.execute(query)).all()})
    return found


def _insert_for(session: AsyncSession) -> Any:
    return pg_insert if is_postgres(session) else sqlite_insert


async def insert_payments(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Insert the payments whose bank_ref is new; returns the bank_refs actually inserted.

    ON CONFLICT DO NOTHING: a bank_ref received meanwhile by a concurrent request is a duplicate,
    not an error.
    """
    inserted: set[str] = set()
    insert_ = _insert_for(session)
    for start in range(0, len(rows), 500):
        chunk = list(rows[start : start + 500])
        statement = (
            insert_(BankPayment)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["bank_ref"])
            .returning(BankPayment.bank_ref)
        )
        inserted.update((await session.execute(statement)).scalars().all())
    return inserted


async def insert_transfer(session: AsyncSession, values: Mapping[str, Any]) -> int | None:
    """The new transfer's id, or None when its bank_ref was already received."""
    statement = (
        _insert_for(session)(LabourCostTransfer)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["bank_ref"])
        .returning(LabourCostTransfer.id)
    )
    new_id = (await session.execute(statement)).scalar_one_or_none()
    return int(new_id) if new_id is not None else None


async def transfer_by_ref(session: AsyncSession, bank_ref: str) -> LabourCostTransfer | None:
    return await session.scalar(select(LabourCostTransfer).where(LabourCostTransfer.bank_ref == bank_ref))
