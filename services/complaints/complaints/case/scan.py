"""The periodic deadline scan: marks overdue cases, escalates (督办) and emits an event.

One UPDATE claims the cases whose running deadline passed and that were not yet escalated for
that deadline; on PostgreSQL a second replica running the same UPDATE re-checks each row after
the first commits and skips it, so no case is escalated twice.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case import events
from complaints.case.models import Case, CaseEvent
from shared.timeutil import now_utc

SYSTEM_ACTOR = ("system:deadline-scan", "时限监控")


async def escalate_overdue(session: AsyncSession, today: date) -> list[str]:
    claimed = await session.execute(
        update(Case)
        .where(
            Case.next_deadline < today,
            or_(Case.escalated_deadline.is_(None), Case.escalated_deadline != Case.next_deadline),
        )
        .values(escalated_deadline=Case.next_deadline, escalation_count=Case.escalation_count + 1)
        .returning(Case.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(claimed.scalars().all())
    if not ids:
        return ids
    for case in (await session.scalars(select(Case).where(Case.id.in_(ids)))).all():
        assert case.next_deadline is not None
        data = {
            "deadline": case.next_deadline_kind,
            "due": case.next_deadline.isoformat(),
            "days_overdue": (today - case.next_deadline).days,
            "escalation": case.escalation_count,
        }
        session.add(
            CaseEvent(
                case_id=case.id,
                action="escalate",
                from_status=case.status,
                to_status=case.status,
                actor_id=SYSTEM_ACTOR[0],
                actor_name=SYSTEM_ACTOR[1],
                at=now_utc(),
                reason="超过法定办理时限，已督办",
                data=data,
            )
        )
        events.emit(session, "case.escalated", case, **data)
    return ids
