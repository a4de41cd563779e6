"""Events from other services, delivered by the gateway (at least once): deduplicated by event id
in ``processed_events``, then applied.

``case.received`` and ``employer.repeated_complaints`` against a monitored employer (matched by
USCC) count as a complaint for that employer in the month the event occurred (Asia/Shanghai);
what the ``complaints`` rule counts is kept in ``ProcessedEvent.data`` (``employer_id``,
``month``, ``case_id``, ``count``) and counted there in SQL. The rule is then evaluated for that
employer and month at once. Cases this service opened itself (external reference
``wages_alert``) are not counted: a red alert must not feed its own complaint count. Every other
event type is acknowledged and ignored.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from shared.timeutil import china_date, china_today
from wages.alert import repository
from wages.alert.rules import COMPLAINT_EVENTS
from wages.alert.schemas import EventAck, EventEnvelope
from wages.alert.service import CASE_SYSTEM, Evaluator, evaluate

ACCEPTED: Final = 202
DUPLICATE: Final = 200


async def _complaint_data(session: AsyncSession, event: EventEnvelope) -> dict[str, Any]:
    data = event.data
    employer = data.get("employer") if isinstance(data.get("employer"), dict) else {}
    uscc = employer.get("uscc") if isinstance(employer, dict) else None
    external = data.get("external_ref")
    if isinstance(external, dict) and external.get("system") == CASE_SYSTEM:
        return {"ignored": "own_alert_case", "case_id": data.get("case_id")}
    if not isinstance(uscc, str) or not uscc:
        return {"ignored": "no_uscc", "case_id": data.get("case_id")}
    monitored = await repository.employer_by_uscc(session, uscc.strip().upper())
    if monitored is None:
        return {"ignored": "not_monitored", "uscc": uscc, "case_id": data.get("case_id")}
    stored: dict[str, Any] = {
        "employer_id": monitored.id,
        "uscc": monitored.uscc,
        "case_id": str(data.get("case_id") or event.aggregate_id),
        "case_no": data.get("case_no"),
        "kind": data.get("kind"),
        "channel": data.get("channel"),
        "month": china_date(event.occurred_at).strftime("%Y-%m"),
    }
    count = data.get("count")
    if event.type == "employer.repeated_complaints" and isinstance(count, int):
        stored["count"] = count
    return stored


async def receive(session: AsyncSession, evaluator: Evaluator, event: EventEnvelope) -> tuple[int, EventAck]:
    if event.type in COMPLAINT_EVENTS:
        data = await _complaint_data(session, event)
    else:
        data = {"ignored": "event_type"}
    if not await repository.insert_processed_event(
        session, event_id=event.id, event_type=event.type, data=data
    ):
        return DUPLICATE, EventAck(id=event.id, status="duplicate")
    if "employer_id" in data:
        await evaluate(
            session,
            evaluator,
            data["month"],
            as_of=china_today(),
            employer_ids=[data["employer_id"]],
            rules=["complaints"],
        )
    return ACCEPTED, EventAck(id=event.id, status="accepted")
