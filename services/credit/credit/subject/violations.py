"""Violations recorded by credit officers, and corrections.

Nothing is deleted or edited in place: a correction is a new row pointing back at the row it
replaces (``supersedes_id``), and the old row is marked ``superseded``. Only the latest row of a
chain can be corrected, so a chain never forks.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from credit.subject import repository, views
from credit.subject.models import Subject, Violation
from credit.subject.schemas import ViolationCorrection, ViolationIn, ViolationOut
from shared.auth import Identity
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.ids import new_uuid
from shared.timeutil import china_today, now_utc

# The model has no column for a correction's reason; it is kept in the description, marked.
CORRECTION_MARK = "【更正原因】"


def derived_flags(issues: Iterable[str], flags: Iterable[str] = ()) -> list[str]:
    """Flags as stored: a child-labour issue is the child_labor flag (art. 7 C item 3)."""
    result = set(flags)
    if "child_labor" in issues:
        result.add("child_labor")
    return sorted(result)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


async def _subject(session: AsyncSession, uscc: str) -> Subject:
    subject = await repository.get_by_uscc(session, uscc)
    if subject is None:
        raise NotFound(
            f"信用档案中没有统一社会信用代码为 {uscc} 的单位，请先登记该单位", code="subject_not_found"
        )
    return subject


def _new_row(subject: Subject, payload: ViolationIn, identity: Identity, description: str) -> Violation:
    if payload.decided_on > china_today():
        raise ValidationFailed([FieldError("decided_on", "in_future", "查处日期不能晚于今天")])
    issues = _unique(payload.issues)
    return Violation(
        id=new_uuid(),
        subject_id=subject.id,
        source="officer",
        source_event_id=None,
        case_id=None,
        case_no=payload.case_no,
        decided_on=payload.decided_on,
        stage=payload.stage,
        punished=payload.punished,
        issues=issues,
        workers=payload.workers,
        amount=payload.amount,
        flags=derived_flags(issues, payload.flags),
        description=description,
        supersedes_id=None,
        superseded=False,
        recorded_by=identity.client_id,
        recorded_at=now_utc(),
    )


async def record(session: AsyncSession, identity: Identity, payload: ViolationIn) -> ViolationOut:
    subject = await _subject(session, payload.uscc)
    row = _new_row(subject, payload, identity, payload.description)
    session.add(row)
    await session.flush()
    return views.violation_out(row)


async def correct(
    session: AsyncSession, identity: Identity, violation_id: str, payload: ViolationCorrection
) -> ViolationOut:
    old = await repository.get_violation(session, violation_id, for_update=True)
    if old is None:
        raise NotFound(f"违法记录不存在：{violation_id}", code="violation_not_found")
    if old.superseded:
        newer = await repository.superseding(session, [old.id])
        raise Conflict(
            "该违法记录已被更正，只能更正最新的记录",
            code="violation_superseded",
            extra={"superseded_by": newer.get(old.id)},
        )
    subject = await _subject(session, payload.uscc)
    description = f"{payload.description}\n{CORRECTION_MARK}{payload.reason}".lstrip("\n")
    row = _new_row(subject, payload, identity, description)
    # The case link is not the officer's to change; the event id stays with the original row.
    row.case_id = old.case_id
    row.case_no = payload.case_no or old.case_no
    row.supersedes_id = old.id
    old.superseded = True
    session.add(row)
    await session.flush()
    return views.violation_out(row)
