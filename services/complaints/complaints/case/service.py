"""Business rules of the case domain: filing, reading under access rules, acting."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pydantic
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case import deadlines, intake, repository, views, workflow
from complaints.case.actions import ACTION_MODELS, ActionEnvelope
from complaints.case.deadlines import Clock
from complaints.case.dependencies import Intake
from complaints.case.handlers import HANDLERS
from complaints.case.models import Case, CaseEvent, PersonalDataAccess
from complaints.case.schemas import (
    CaseCreate,
    CaseOut,
    CaseSummary,
    Payments,
    PaymentTotals,
    TimelineEntry,
)
from complaints.idempotency import IdempotencyRecord
from shared import idempotency
from shared.auth import Identity
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed, pydantic_errors_to_field_errors
from shared.pagination import Page, PageParams, encode_cursor, time_cursor, time_serial_cursor
from shared.timeutil import china_today, now_utc


def _visible(case: Case, identity: Identity) -> bool:
    # `internal`: the gateway notes a 110 incident number on any emergency case.
    if identity.has_any("cases:manage", "internal"):
        return not identity.districts or any(
            (case.district_code or "").startswith(d) for d in identity.districts
        )
    # Filing clients (mobile backends, windows) see only what they filed.
    return case.filed_by_client == identity.client_id


async def load_case(
    session: AsyncSession, identity: Identity, case_id: str, *, for_update: bool = False
) -> Case:
    case = await repository.get(session, case_id, for_update=for_update)
    if case is None or not _visible(case, identity):
        # Someone else's case is indistinguishable from a missing one.
        raise NotFound(f"案件不存在：{case_id}", code="case_not_found")
    return case


def _audit_personal_data(
    session: AsyncSession, case: Case, identity: Identity, purpose: str, *, has_data: bool
) -> None:
    if views.sees_personal_data(identity) and has_data:
        session.add(
            PersonalDataAccess(
                case_id=case.id,
                client_id=identity.client_id,
                client_name=identity.client_name,
                purpose=purpose,
            )
        )


async def file_case(
    setup: Intake, identity: Identity, payload: CaseCreate, *, idempotency_key: str | None
) -> tuple[int, dict[str, Any]]:
    """Checks here; reads and writes in a group commit (``intake.store_batch``) with the
    concurrent filings: the request holds no connection of its own. The answer is built once
    the case is committed (``Filing.answer``)."""
    filing = intake.prepare(identity, payload, clock=setup.clock)
    if idempotency_key is not None:
        idempotency.check_key(idempotency_key)
        digest = idempotency.request_hash(payload.model_dump(mode="json"))
        filing.claim = (identity.client_id, idempotency_key, digest)
    if not isinstance(await setup.filings.submit(filing), intake.KeyTaken):
        return 201, filing.answer()
    # The key was claimed before (a retry) or by a concurrent twin: its stored answer.
    assert filing.claim is not None
    client_id, key, digest = filing.claim
    async with setup.database.sessionmaker() as session:
        replay = await idempotency.stored_answer(
            session, IdempotencyRecord, client_id=client_id, key=key, digest=digest
        )
    if replay is None:
        raise Conflict("相同幂等键的请求正在处理中，请稍后重试", code="idempotency_in_progress")
    return replay


async def get_case(session: AsyncSession, identity: Identity, case_id: str) -> CaseOut:
    case = await load_case(session, identity, case_id)
    has_data = bool(case.person_name or case.person_id_number)
    _audit_personal_data(session, case, identity, "read_case", has_data=has_data)
    return views.case_out(case, identity, china_today())


async def list_cases(
    session: AsyncSession,
    identity: Identity,
    page: PageParams,
    where: repository.CaseFilter,
    *,
    overdue: bool,
) -> Page[CaseSummary]:
    today = china_today()
    manager = identity.has_scope("cases:manage")
    where = dataclasses.replace(
        where,
        filed_by_client=None if manager else identity.client_id,
        districts=identity.districts if manager else (),
        overdue_before=today if overdue else None,
    )
    rows = await repository.list_cases(session, where, limit=page.limit + 1, after=time_cursor(page.after))
    items = [views.case_summary(row, today) for row in rows[: page.limit]]
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1]
        next_cursor = encode_cursor([last.received_at.isoformat(), last.id])
    return Page[CaseSummary](items=items, next_cursor=next_cursor)


async def timeline(
    session: AsyncSession, identity: Identity, case_id: str, page: PageParams
) -> Page[TimelineEntry]:
    case = await load_case(session, identity, case_id)
    # A merged case's history stays visible from the case it joined.
    ids = await repository.merged_case_ids(session, case.id)
    after = time_serial_cursor(page.after)
    rows = await repository.timeline(session, ids, limit=page.limit + 1, after=after)
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1]
        next_cursor = encode_cursor([last.at.isoformat(), last.id])
    return Page[TimelineEntry](
        items=[views.timeline_entry(e) for e in rows[: page.limit]], next_cursor=next_cursor
    )


async def payments(session: AsyncSession, identity: Identity, case_id: str) -> Payments:
    case = await load_case(session, identity, case_id)
    ids = await repository.merged_case_ids(session, case.id)
    rows = await repository.payments(session, ids)
    _audit_personal_data(session, case, identity, "read_payments", has_data=bool(rows))
    totals: dict[str, tuple[Decimal, set[str], int]] = {}
    for row in rows:
        amount, workers, count = totals.get(row.kind, (Decimal("0"), set(), 0))
        totals[row.kind] = (amount + row.amount, workers | {row.worker_id_number}, count + 1)
    return Payments(
        items=[views.payment_out(r, identity) for r in rows],
        totals=[
            PaymentTotals(kind=k, amount=v[0], workers=len(v[1]), payments=v[2])
            for k, v in sorted(totals.items())
        ],
        total_amount=sum((r.amount for r in rows), Decimal("0")),
        total_workers=len({r.worker_id_number for r in rows}),
    )


def parse_action(envelope: ActionEnvelope) -> Any:
    model = ACTION_MODELS[envelope.action]
    try:
        return model.model_validate(envelope.model_dump())
    except pydantic.ValidationError as exc:
        raise ValidationFailed(pydantic_errors_to_field_errors(exc.errors())) from exc


async def act(
    session: AsyncSession, identity: Identity, case_id: str, envelope: ActionEnvelope, *, clock: Clock
) -> CaseOut:
    action = parse_action(envelope)
    case = await load_case(session, identity, case_id, for_update=True)
    from_status = case.status
    to_status = workflow.next_state(from_status, action.action)
    on: date = action.on or china_today()
    if on > china_today():
        raise ValidationFailed([FieldError("on", "in_future", "办理日期不能晚于今天")])
    changes = await HANDLERS[action.action](session, case, action, identity, clock, on)
    case.status = to_status
    if to_status == workflow.CLOSED and from_status != workflow.CLOSED:
        case.closed_at = now_utc()
    deadlines.refresh_running_deadline(case)
    session.add(
        CaseEvent(
            case_id=case.id,
            action=action.action,
            from_status=from_status,
            to_status=to_status,
            actor_id=identity.client_id,
            actor_name=identity.client_name,
            at=now_utc(),
            reason=action.reason,
            data={**changes, "on": on.isoformat()},
        )
    )
    await session.flush()
    return views.case_out(case, identity, china_today())
