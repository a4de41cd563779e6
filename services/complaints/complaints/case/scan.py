"""The periodic deadline scan: marks overdue cases, escalates (督办) and emits an event.

One UPDATE claims the cases whose running deadline passed and that were not yet escalated for
that deadline; on PostgreSQL a second replica running the same UPDATE re-checks each row after
the first commits and skips it, so no case is escalated twice.

The pass is set-based, whatever the number of overdue cases (hundreds of thousands after an
outage of the scheduler). On PostgreSQL it is one statement: the claiming ``UPDATE ... RETURNING``
feeds the timeline entries and the outbox events through data-modifying CTEs, with the event
payload built in SQL (the same keys as :func:`complaints.case.events.case_ref`, which a test
compares). SQLite has no data-modifying CTEs: there the claimed rows come back from the
``UPDATE ... RETURNING`` and are inserted in bulk (executemany), never reloaded by id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Update,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case import events
from complaints.case.models import Case, CaseEvent
from complaints.outbox.models import OutboxEvent
from shared.db import UTCDateTime
from shared.outbox import new_event
from shared.timeutil import now_utc

SYSTEM_ACTOR = ("system:deadline-scan", "时限监控")
REASON = "超过法定办理时限，已督办"
EVENT_TYPE = "case.escalated"

TIMELINE_COLUMNS = (
    "case_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_name",
    "at",
    "reason",
    "data",
)

# What the claiming UPDATE returns: everything the timeline entry and the event need.
CLAIMED_COLUMNS = (
    Case.id,
    Case.case_no,
    Case.kind,
    Case.channel,
    Case.status,
    Case.external_system,
    Case.external_id,
    Case.employer_name,
    Case.employer_uscc,
    Case.district_code,
    Case.industry_code,
    Case.next_deadline,
    Case.next_deadline_kind,
    Case.escalation_count,
)


def _claim(today: date) -> Update:
    return (
        update(Case)
        .where(
            Case.next_deadline < today,
            or_(Case.escalated_deadline.is_(None), Case.escalated_deadline != Case.next_deadline),
        )
        .values(escalated_deadline=Case.next_deadline, escalation_count=Case.escalation_count + 1)
        .returning(*CLAIMED_COLUMNS)
        .execution_options(synchronize_session=False)
    )


async def escalate_overdue(session: AsyncSession, today: date) -> list[str]:
    """Escalate every case past its running deadline once; the ids of the cases escalated."""
    if session.get_bind().dialect.name == "postgresql":
        return await _escalate_in_one_statement(session, today)
    return await _escalate_in_bulk(session, today)


def escalation_data(kind: str | None, due: date, today: date, escalation: int) -> dict[str, Any]:
    return {
        "deadline": kind,
        "due": due.isoformat(),
        "days_overdue": (today - due).days,
        "escalation": escalation,
    }


async def _escalate_in_bulk(session: AsyncSession, today: date) -> list[str]:
    claimed = (await session.execute(_claim(today))).all()
    if not claimed:
        return []
    at = now_utc()
    timeline: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    for row in claimed:
        data = escalation_data(row.next_deadline_kind, row.next_deadline, today, row.escalation_count)
        timeline.append(
            {
                "case_id": row.id,
                "action": "escalate",
                "from_status": row.status,
                "to_status": row.status,
                "actor_id": SYSTEM_ACTOR[0],
                "actor_name": SYSTEM_ACTOR[1],
                "at": at,
                "reason": REASON,
                "data": data,
            }
        )
        event = new_event(OutboxEvent, EVENT_TYPE, row.id, {**events.case_ref(row), **data})
        outbox.append(
            {
                "id": event.id,
                "event_type": event.event_type,
                "aggregate_id": event.aggregate_id,
                "payload": event.payload,
                "created_at": event.created_at,
                "available_at": event.available_at,
                "attempts": 0,
            }
        )
    await session.execute(insert(CaseEvent), timeline)
    await session.execute(insert(OutboxEvent), outbox)
    return [row.id for row in claimed]


async def _escalate_in_one_statement(session: AsyncSession, today: date) -> list[str]:
    claimed = _claim(today).cte("claimed")
    c = claimed.c
    at = literal(now_utc(), UTCDateTime())
    data = _data_json(c, today)
    timeline = (
        insert(CaseEvent)
        .from_select(
            [*TIMELINE_COLUMNS],
            select(
                c.id,
                literal("escalate"),
                c.status,
                c.status,
                literal(SYSTEM_ACTOR[0]),
                literal(SYSTEM_ACTOR[1]),
                at,
                literal(REASON),
                data,
            ),
        )
        .cte("timeline")
    )
    statement = (
        insert(OutboxEvent)
        .from_select(
            ["id", "event_type", "aggregate_id", "payload", "created_at", "available_at", "attempts"],
            select(
                cast(func.gen_random_uuid(), String),
                literal(EVENT_TYPE),
                c.id,
                _payload_json(c, today),
                at,
                at,
                literal(0),
            ),
        )
        .returning(OutboxEvent.aggregate_id)
        .add_cte(timeline)
    )
    return list((await session.scalars(statement)).all())


def _data_pairs(c: Any, today: date) -> list[Any]:
    days_overdue = cast(literal(today) - c.next_deadline, Integer)
    return [
        "deadline",
        c.next_deadline_kind,
        "due",
        c.next_deadline,
        "days_overdue",
        days_overdue,
        "escalation",
        c.escalation_count,
    ]


def _data_json(c: Any, today: date) -> ColumnElement[Any]:
    return func.json_build_object(*_json_args(_data_pairs(c, today)))


def _payload_json(c: Any, today: date) -> ColumnElement[Any]:
    """``{**case_ref(case), **escalation_data(...)}``, built by PostgreSQL."""
    external_ref = case(
        (
            c.external_system.is_not(None),
            func.json_build_object(*_json_args(["system", c.external_system, "id", c.external_id])),
        ),
        else_=None,
    )
    employer = func.json_build_object(
        *_json_args(
            [
                "name",
                c.employer_name,
                "uscc",
                c.employer_uscc,
                "district_code",
                c.district_code,
                "industry_code",
                c.industry_code,
            ]
        )
    )
    pairs = [
        "case_id",
        c.id,
        "case_no",
        c.case_no,
        "kind",
        c.kind,
        "channel",
        c.channel,
        "status",
        c.status,
        "external_ref",
        external_ref,
        "employer",
        employer,
        *_data_pairs(c, today),
    ]
    return func.json_build_object(*_json_args(pairs))


def _json_args(pairs: list[Any]) -> list[Any]:
    # Keys as typed literals: json_build_object cannot infer the type of an untyped parameter.
    return [literal(item, String) if isinstance(item, str) else item for item in pairs]
