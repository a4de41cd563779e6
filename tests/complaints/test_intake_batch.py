"""The group commit's write (intake.store_batch): on PostgreSQL a batch of one year's filings
without an Idempotency-Key takes its numbers and writes its rows in one self-committing
statement; on SQLite, and for any other batch, ``store`` in a transaction. Either way the same
rows: numbers gapless and in order (formatted as ``case_number`` beyond six digits), every
event carrying its case's number, nothing written and no number taken when the write fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError

from complaints.case import intake
from complaints.case.deadlines import Clock
from complaints.case.models import Case, CaseCounter, CaseEvent
from complaints.case.repository import case_number
from complaints.case.schemas import CaseCreate
from complaints.config import ComplaintsSettings
from complaints.outbox.models import OutboxEvent
from shared.auth import Identity
from shared.calendar import default_calendar
from shared.db import Database
from tests.complaints.helpers import complaint, report

FILER = Identity("filer", "批量测试", frozenset({"complaints:write"}))
CLOCK = Clock(default_calendar(), ComplaintsSettings())
YEAR = 2026  # the helpers' filings are received on 2026-11-27
EMERGENCY = {"indicators": ["group_gathering"], "people": 20, "location": "工地门口"}


@pytest.fixture
async def database(db_urls: dict[str, str]) -> AsyncIterator[Database]:
    database = Database(db_urls["complaints"])
    try:
        yield database
    finally:
        await database.dispose()


def _filings(*bodies: dict[str, Any]) -> list[intake.Filing]:
    return [intake.prepare(FILER, CaseCreate.model_validate(body), clock=CLOCK) for body in bodies]


async def _store(database: Database, filings: list[intake.Filing]) -> tuple[list[Any], list[str]]:
    """store_batch in a group commit's session; its results and the statements it ran."""
    statements: list[str] = []

    def log(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", log)
    try:
        async with database.sessionmaker() as session, session.begin():
            results = await intake.store_batch(session, filings)
    finally:
        event.remove(engine, "before_cursor_execute", log)
    return list(results), statements


async def _stored(database: Database) -> tuple[dict[str, str], dict[int, int], list[Any], list[Any]]:
    async with database.sessionmaker() as session:
        cases = {row.id: row.case_no for row in await session.execute(select(Case.id, Case.case_no))}
        counters = {r.year: r.last_value for r in await session.scalars(select(CaseCounter))}
        timeline = (await session.scalars(select(CaseEvent))).all()
        outbox = (await session.scalars(select(OutboxEvent))).all()
    return cases, counters, list(timeline), list(outbox)


def _numbered(statements: list[str]) -> bool:
    return any(s.lstrip().startswith("WITH n AS") for s in statements)


async def test_a_batch_numbers_its_cases_and_every_event_it_queues(database: Database, backend: str) -> None:
    first = _filings(complaint())
    assert (await _store(database, first))[0] == [case_number(YEAR, 1)]
    # An emergency (its 110 referral names the case), the same employer again (a repeated
    # complaints event), a report without the employer's code, another employer.
    batch = _filings(
        complaint(emergency=EMERGENCY),
        complaint(),
        report(employer={"name": "某劳务公司"}),
        complaint(employer={"name": "另一家公司", "uscc": None}),
    )
    results, statements = await _store(database, batch)
    assert results == [case_number(YEAR, n) for n in range(2, 6)]
    assert [f.case.case_no for f in batch] == results
    # PostgreSQL: no transaction, the numbers taken as the rows go in (the year's first case
    # made the counter in a transaction); SQLite: store's statements.
    assert _numbered(statements) is (backend == "postgresql")

    cases, counters, timeline, outbox = await _stored(database)
    assert cases == {f.case.id: f.case.case_no for f in first + batch}
    assert counters == {YEAR: 5}
    assert sorted(e.case_id for e in timeline) == sorted(cases)
    assert {(e.aggregate_id, e.event_type) for e in outbox} == {
        *((case_id, "case.received") for case_id in cases),
        (batch[0].case.id, "case.emergency"),
        (batch[0].case.id, "employer.repeated_complaints"),
        (batch[1].case.id, "employer.repeated_complaints"),
    }
    for row in outbox:
        assert row.payload["case_no"] == cases[row.aggregate_id], row.event_type
    referral = next(e.payload["referral"] for e in outbox if e.event_type == "case.emergency")
    assert referral["case_no"] == batch[0].case.case_no
    counts = {
        e.aggregate_id: e.payload["count"] for e in outbox if e.event_type == "employer.repeated_complaints"
    }
    assert counts == {batch[0].case.id: 2, batch[1].case.id: 3}
    # The answers, built after the commit, show the numbers and the employer's earlier cases.
    answer = batch[1].answer()
    assert answer["case_no"] == case_number(YEAR, 3)
    assert [d["case_no"] for d in answer["possible_duplicates"]] == [
        case_number(YEAR, 2),
        case_number(YEAR, 1),
    ]


async def test_numbers_beyond_six_digits_are_written_as_case_number_writes_them(database: Database) -> None:
    await _store(database, _filings(complaint()))
    async with database.sessionmaker() as session, session.begin():
        await session.execute(update(CaseCounter).values(last_value=999_998))
    batch = _filings(complaint(emergency=EMERGENCY), complaint(), complaint())
    results, _ = await _store(database, batch)
    assert results == ["2026-999999", "2026-1000000", "2026-1000001"]
    cases, counters, _, outbox = await _stored(database)
    assert {cases[f.case.id] for f in batch} == set(results)
    assert counters == {YEAR: 1_000_001}
    for row in outbox:
        assert row.payload["case_no"] == cases[row.aggregate_id]
        if row.event_type == "case.emergency":
            assert row.payload["referral"]["case_no"] == "2026-999999"


async def test_a_write_that_fails_writes_nothing_and_takes_no_number(database: Database) -> None:
    await _store(database, _filings(complaint(), complaint()))
    before = await _stored(database)
    # The counter set back: the batch's first number is taken already (case_no is unique).
    async with database.sessionmaker() as session, session.begin():
        await session.execute(update(CaseCounter).values(last_value=1))
    with pytest.raises(IntegrityError):
        await _store(database, _filings(complaint(), complaint(emergency=EMERGENCY)))
    cases, counters, timeline, outbox = await _stored(database)
    assert cases == before[0] and counters == {YEAR: 1}
    assert {e.id for e in timeline} == {e.id for e in before[2]}
    assert {e.id for e in outbox} == {e.id for e in before[3]}


async def test_a_keyed_batch_and_a_batch_across_years_are_stored_in_a_transaction(
    database: Database, backend: str
) -> None:
    await _store(database, _filings(complaint()))
    keyed = _filings(complaint(), complaint())
    keyed[0].claim = ("filer", "key-1", "digest")
    results, statements = await _store(database, keyed)
    assert results == [case_number(YEAR, 2), case_number(YEAR, 3)]
    assert not _numbered(statements)
    assert keyed[0].body is not None and keyed[0].body["case_no"] == case_number(YEAR, 2)
    across = _filings(complaint(), complaint(received_at="2025-12-31T23:30:00+08:00"))
    results, statements = await _store(database, across)
    assert results == [case_number(YEAR, 4), case_number(2025, 1)]
    assert not _numbered(statements)
    cases, counters, _, outbox = await _stored(database)
    assert counters == {YEAR: 4, 2025: 1}
    assert all(row.payload["case_no"] == cases[row.aggregate_id] for row in outbox)
