"""The deadline scan at scale and the event it writes, on each database's own path."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import String, cast, func, insert, literal, select

from complaints.case.events import case_ref
from complaints.case.models import Case, CaseEvent
from complaints.case.scan import escalation_data
from complaints.main import run_deadline_scan
from complaints.outbox.models import OutboxEvent
from shared.db import Database
from shared.timeutil import china_today
from tests.complaints.helpers import complaint, file

# More overdue cases than a statement may carry bind parameters (32,767 for asyncpg, 32,766
# for SQLite): a scan after a long scheduler outage must not fail where it is needed most.
MANY = 33_000


async def _clone(database: Database, template_id: str, count: int) -> None:
    """``count`` copies of one case row, made in SQL (the API would take minutes for this)."""
    table = Case.metadata.tables[Case.__tablename__]
    numbers = select(literal(1).label("i")).cte("numbers", recursive=True)
    numbers = numbers.union_all(select(numbers.c.i + 1).where(numbers.c.i < count))
    suffix = cast(numbers.c.i, String)
    columns = [column for column in table.columns]
    values: list[Any] = []
    for column in columns:
        if column.name == "id":
            values.append(literal("clone-") + suffix)
        elif column.name == "case_no":
            values.append(column + literal("-") + suffix)
        else:
            values.append(column)
    source = select(*values).select_from(table).join(numbers, literal(True)).where(table.c.id == template_id)
    async with database.sessionmaker() as session, session.begin():
        await session.execute(insert(table).from_select([c.name for c in columns], source))


async def _count(database: Database, model: Any, *criteria: Any) -> int:
    async with database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*criteria)) or 0)


async def test_scan_escalates_more_overdue_cases_than_one_statement_has_parameters(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str], db_urls: dict[str, str]
) -> None:
    late = await file(gateway_client, inspector, complaint(received_at="2026-01-05T10:00:00+08:00"))
    database = Database(db_urls["complaints"])
    try:
        await _clone(database, late["id"], MANY)
        escalated = await run_deadline_scan(database)
        assert len(escalated) == len(set(escalated)) == MANY + 1
        assert late["id"] in escalated
        assert await _count(database, CaseEvent, CaseEvent.action == "escalate") == MANY + 1
        assert await _count(database, OutboxEvent, OutboxEvent.event_type == "case.escalated") == MANY + 1
        assert await run_deadline_scan(database) == []
    finally:
        await database.dispose()


async def test_escalation_event_and_timeline_say_what_the_case_says(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str], db_urls: dict[str, str]
) -> None:
    body = complaint(
        received_at="2026-01-05T10:00:00+08:00",
        external_ref={"system": "hotline_12345", "id": "KM2026010500017"},
    )
    with_ref = await file(gateway_client, inspector, body)
    plain = await file(gateway_client, inspector, complaint(received_at="2026-02-02T10:00:00+08:00"))
    database = Database(db_urls["complaints"])
    try:
        refs = {with_ref["id"]: body["external_ref"], plain["id"]: None}
        today = china_today()
        assert sorted(await run_deadline_scan(database)) == sorted([with_ref["id"], plain["id"]])
        async with database.sessionmaker() as session:
            for case_id in (with_ref["id"], plain["id"]):
                case = await session.get(Case, case_id)
                assert case is not None and case.next_deadline is not None
                assert case.escalated_deadline == case.next_deadline and case.escalation_count == 1
                data = escalation_data(case.next_deadline_kind, case.next_deadline, today, 1)
                assert data["deadline"] == "accept" and data["days_overdue"] > 0
                event = await session.scalar(
                    select(OutboxEvent).where(
                        OutboxEvent.aggregate_id == case_id, OutboxEvent.event_type == "case.escalated"
                    )
                )
                assert event is not None and event.delivered_at is None and event.attempts == 0
                assert event.payload == {**case_ref(case), **data}
                assert event.payload["external_ref"] == refs[case_id]
                entry = await session.scalar(
                    select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "escalate")
                )
                assert entry is not None
                assert (entry.from_status, entry.to_status) == (case.status, case.status)
                assert (entry.actor_id, entry.reason) == ("system:deadline-scan", "超过法定办理时限，已督办")
                assert entry.data == data
                assert entry.at.tzinfo is not None
    finally:
        await database.dispose()
