"""Events from the complaints service, delivered through the gateway at least once.

Each event id is recorded in ``processed_events`` before anything else, in the same transaction
as its effect: a redelivery finds it and changes nothing. Events carry no personal data (the
complaints service keeps complainants and reporters to itself), and nothing personal is stored.

``case.violation_established`` comes at two stages, ``order_to_correct`` (限期整改指令书 /
责令改正) and ``administrative_penalty`` (行政处罚决定书). Both are recorded as 查处
(``punished``): the 办法 grades on being 查处 for a violation, and an order to correct is the
inspection body's handling decision on an established violation, not a mere complaint. The
grade counts a case once whatever its stages (see ``grade.repository.tallies``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import pydantic
from sqlalchemy.ext.asyncio import AsyncSession

from credit.subject import repository
from credit.subject.models import SubjectName, Violation
from credit.subject.schemas import EventAck, EventIn, RepeatedComplaints, ViolationEstablished
from credit.subject.service import EmployerFacts, find_or_create_employer
from credit.subject.violations import derived_flags
from shared.auth import Identity
from shared.errors import ValidationFailed, pydantic_errors_to_field_errors
from shared.ids import new_uuid
from shared.money import format_money
from shared.timeutil import china_date, now_utc

PUNISHING_STAGES: Final = frozenset({"order_to_correct", "administrative_penalty"})
_STAGE_TEXT: Final = {"order_to_correct": "责令限期改正", "administrative_penalty": "行政处罚"}

Result = dict[str, Any]
Handler = Callable[[AsyncSession, EventIn], Awaitable[Result]]


M = TypeVar("M", bound=pydantic.BaseModel)
# A case may name the employer by USCC alone; the file needs a name until an officer registers it.
UNKNOWN_NAME: Final = "（名称不详）"


def _parse(model: type[M], event: EventIn) -> M:
    try:
        return model.model_validate(event.data)
    except pydantic.ValidationError as exc:
        errors = pydantic_errors_to_field_errors(exc.errors())
        # Refused whole, not recorded: the sender keeps it and its error shows in the outbox.
        raise ValidationFailed([{**e, "loc": f"data.{e['loc']}"} for e in errors]) from exc


def _description(data: ViolationEstablished) -> str:
    parts = [_STAGE_TEXT.get(data.stage, data.stage)]
    if data.case_no:
        parts.append(f"案件编号 {data.case_no}")
    if data.decision_no:
        parts.append(f"处罚决定书文号 {data.decision_no}")
    if data.fine is not None:
        parts.append(f"罚款 {format_money(data.fine)} 元")
    return "；".join(parts)


async def _violation_established(session: AsyncSession, event: EventIn) -> Result:
    data = _parse(ViolationEstablished, event)
    employer = data.employer
    if not employer.uscc and not employer.name:
        return {"outcome": "ignored", "reason": "employer_unidentified"}
    facts = EmployerFacts(
        uscc=employer.uscc,
        name=employer.name or UNKNOWN_NAME,
        district_code=employer.district_code,
        industry_code=employer.industry_code,
    )
    subject, created = await find_or_create_employer(session, facts, source="event")
    if not created:
        # A name seen in a case joins the history; the registered current name stays.
        if employer.name and not await repository.has_name(session, subject.id, employer.name):
            session.add(
                SubjectName(
                    subject_id=subject.id,
                    name=employer.name,
                    valid_from=None,
                    source="event",
                    recorded_at=now_utc(),
                )
            )
        if employer.name and subject.name == UNKNOWN_NAME:
            subject.name = employer.name
        subject.district_code = subject.district_code or employer.district_code
        subject.industry_code = subject.industry_code or employer.industry_code
    issues = list(dict.fromkeys(data.facts.issues))
    violation = Violation(
        id=new_uuid(),
        subject_id=subject.id,
        source="event",
        source_event_id=event.id,
        case_id=data.case_id,
        case_no=data.case_no,
        decided_on=china_date(event.occurred_at),
        stage=data.stage,
        punished=data.stage in PUNISHING_STAGES,
        issues=issues,
        workers=data.facts.workers or 0,
        amount=data.facts.amount,
        flags=derived_flags(issues),
        description=_description(data),
        supersedes_id=None,
        superseded=False,
        recorded_by=f"event:{event.source}"[:64],
        recorded_at=now_utc(),
    )
    session.add(violation)
    await session.flush()
    return {"outcome": "violation_recorded", "violation_id": violation.id, "subject_id": subject.id}


async def _repeated_complaints(session: AsyncSession, event: EventIn) -> Result:
    # Complaints are not 查处: they do not enter the file or the grade; the signal is kept here.
    data = _parse(RepeatedComplaints, event)
    return {"outcome": "noted", "uscc": data.employer.uscc, "count": data.count, "case_id": data.case_id}


HANDLERS: Final[dict[str, Handler]] = {
    "case.violation_established": _violation_established,
    "employer.repeated_complaints": _repeated_complaints,
}


async def receive(session: AsyncSession, identity: Identity, event: EventIn) -> tuple[int, EventAck]:
    if not await repository.claim_event(session, event.id, event.type):
        return 200, EventAck(id=event.id, status="duplicate")
    handler = HANDLERS.get(event.type)
    result = await handler(session, event) if handler else {"outcome": "ignored", "reason": "unknown_type"}
    await repository.set_event_result(
        session, event.id, {**result, "source": event.source, "delivered_by": identity.client_id}
    )
    return 202, EventAck(id=event.id, status="accepted")
