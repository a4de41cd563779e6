"""Business rules of the listing procedure: proposing, acting on a decision, reading, the feed
and the public blacklist."""

from __future__ import annotations

from datetime import date
from typing import Any

import pydantic
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from credit.config import CreditSettings
from credit.listing import criteria, repository, views, workflow
from credit.listing.actions import ACTION_MODELS, ActionEnvelope
from credit.listing.handlers import HANDLERS, Context
from credit.listing.models import Listing, ListingChange, ListingDecision, ListingEvent
from credit.listing.schemas import (
    BlacklistBasis,
    FeedItem,
    FeedPage,
    ListingCreate,
    ListingDetail,
    ListingSummaryOut,
    PublicBlacklistEntry,
)
from credit.subject import repository as subjects
from credit.subject.models import Subject, SubjectName
from credit.subject.service import EmployerFacts, find_or_create_employer
from shared.auth import Identity
from shared.calendar import WorkingDayCalendar
from shared.errors import (
    Conflict,
    FieldError,
    NotFound,
    ValidationFailed,
    pydantic_errors_to_field_errors,
)
from shared.ids import new_uuid
from shared.pagination import Page, PageParams, encode_cursor, time_cursor
from shared.timeutil import china_today, now_utc

SOURCE = "listing"


def _basis(payload: ListingCreate, settings: CreditSettings, today: date) -> dict[str, Any]:
    if payload.list_type != workflow.BLACKLIST:
        # Watch and red lists have no verified criteria [M]: the basis is kept as given.
        return dict(payload.basis)
    try:
        basis = BlacklistBasis.model_validate(payload.basis)
    except pydantic.ValidationError as exc:
        errors = pydantic_errors_to_field_errors(exc.errors())
        raise ValidationFailed(
            [FieldError(f"basis.{e['loc']}", e["code"], e["message"]) for e in errors]
        ) from exc
    unmet = criteria.unmet(basis, settings.blacklist_thresholds, today)
    if unmet:
        raise ValidationFailed(
            unmet, detail="不符合《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条的列入条件"
        )
    return basis.model_dump(mode="json")


def _check_persons(payload: ListingCreate) -> None:
    seen: set[str] = set()
    errors: list[FieldError] = []
    for index, person in enumerate(payload.persons):
        if person.id_number in seen:
            errors.append(FieldError(f"persons[{index}].id_number", "duplicate", "同一人员不能重复列入"))
        seen.add(person.id_number)
    if errors:
        raise ValidationFailed(errors)


async def _person(session: AsyncSession, id_number: str, name: str) -> Subject:
    inserted = await subjects.insert_identified(session, subject_type="person", key=id_number, name=name)
    subject = await subjects.get_by_id_number(session, id_number)
    assert subject is not None
    if inserted:
        session.add(
            SubjectName(
                subject_id=subject.id, name=name, valid_from=None, source=SOURCE, recorded_at=now_utc()
            )
        )
    return subject


async def propose(
    session: AsyncSession,
    identity: Identity,
    payload: ListingCreate,
    *,
    settings: CreditSettings,
    calendar: WorkingDayCalendar,
) -> ListingDetail:
    """A candidate listing for the unit and each person, under one decision."""
    today = china_today()
    _check_persons(payload)
    basis = _basis(payload, settings, today)
    unit, _ = await find_or_create_employer(
        session,
        EmployerFacts(uscc=payload.unit.uscc, name=payload.unit.name, address=payload.unit.address),
        source=SOURCE,
    )
    if unit.address is None and payload.unit.address:
        unit.address = payload.unit.address
    existing = await repository.open_listing(session, unit.id, payload.list_type)
    if existing is not None:
        raise Conflict(
            f"该单位已有未结束的{workflow.LIST_LABELS[payload.list_type]}程序或记录",
            code="listing_open",
            extra={"listing_id": existing.id, "status": existing.status},
        )
    members: list[tuple[Subject, str]] = [(unit, views.UNIT_ROLE)]
    for person in payload.persons:
        members.append((await _person(session, person.id_number, person.name), person.role))

    now = now_utc()
    decision = ListingDecision(id=new_uuid(), list_type=payload.list_type, created_at=now)
    session.add(decision)
    # No relationship() links these tables, so the unit of work is told the order by flushes.
    await session.flush()
    created: list[Listing] = []
    for subject, role in members:
        listing = Listing(
            id=new_uuid(),
            list_type=payload.list_type,
            subject_id=subject.id,
            decision_id=decision.id,
            role=role,
            status=workflow.CANDIDATE,
            basis=basis,
            restrictions=[],
            created_at=now,
            updated_at=now,
        )
        session.add(listing)
        created.append(listing)
    await session.flush()
    for listing in created:
        session.add(
            ListingEvent(
                listing_id=listing.id,
                action="propose",
                from_status=None,
                to_status=workflow.CANDIDATE,
                actor_id=identity.client_id,
                actor_name=identity.client_name,
                at=now,
                reason=None,
                documents=[],
                data={"list_type": payload.list_type, "role": listing.role},
            )
        )
    await session.flush()
    return await _detail(session, created[0].id, settings=settings, calendar=calendar)


async def _detail(
    session: AsyncSession, listing_id: str, *, settings: CreditSettings, calendar: WorkingDayCalendar
) -> ListingDetail:
    listing = await repository.get(session, listing_id)
    if listing is None:
        raise NotFound(f"名单记录不存在：{listing_id}", code="listing_not_found")
    rows = await repository.decision_rows(session, listing.decision_id)
    row = next(r for r in rows if r[0].id == listing.id)
    events = await repository.events(session, listing.id)
    return views.detail(row, rows, events, settings=settings, calendar=calendar)


async def get_listing(
    session: AsyncSession, listing_id: str, *, settings: CreditSettings, calendar: WorkingDayCalendar
) -> ListingDetail:
    return await _detail(session, listing_id, settings=settings, calendar=calendar)


def _parse_action(envelope: ActionEnvelope) -> Any:
    model = ACTION_MODELS[envelope.action]
    try:
        return model.model_validate(envelope.model_dump())
    except pydantic.ValidationError as exc:
        raise ValidationFailed(pydantic_errors_to_field_errors(exc.errors())) from exc


async def act(
    session: AsyncSession,
    identity: Identity,
    listing_id: str,
    envelope: ActionEnvelope,
    *,
    settings: CreditSettings,
    calendar: WorkingDayCalendar,
) -> ListingDetail:
    """Apply one action to every listing of the decision ``listing_id`` belongs to."""
    action = _parse_action(envelope)
    listing = await repository.get(session, listing_id)
    if listing is None:
        raise NotFound(f"名单记录不存在：{listing_id}", code="listing_not_found")
    rows = await repository.decision_rows(session, listing.decision_id, for_update=True)
    unit = rows[0][0]
    from_status = unit.status
    to_status = workflow.next_state(
        unit.list_type, from_status, action.action, published=unit.published_on is not None
    )
    ctx = Context(session, rows, identity, settings, calendar, china_today(), from_status)
    changes = await HANDLERS[action.action](ctx, action)
    now = now_utc()
    shared = to_status in workflow.DECIDED
    if shared:
        await repository.lock_feed(session)
    documents = [d.model_dump() for d in action.documents]
    for member, subject, decision in rows:
        member.status = to_status
        member.updated_at = now
        session.add(
            ListingEvent(
                listing_id=member.id,
                action=action.action,
                from_status=from_status,
                to_status=to_status,
                actor_id=identity.client_id,
                actor_name=identity.client_name,
                at=now,
                reason=action.reason,
                documents=documents,
                data=changes,
            )
        )
        if shared:
            # The feed carries decided listings only: a candidate is not a credit record.
            session.add(
                ListingChange(
                    listing_id=member.id,
                    change=action.action,
                    snapshot=views.snapshot(member, subject, decision),
                    at=now,
                )
            )
    try:
        await session.flush()
    except IntegrityError as exc:
        # Two decisions given one number at the same moment: the unique index decides.
        raise Conflict("决定书文号已被使用", code="decision_no_taken") from exc
    return await _detail(session, listing_id, settings=settings, calendar=calendar)


async def list_listings(
    session: AsyncSession, page: PageParams, where: repository.ListingFilter
) -> Page[ListingSummaryOut]:
    rows = await repository.list_rows(session, where, limit=page.limit + 1, after=time_cursor(page.after))
    items = [views.summary(*row) for row in rows[: page.limit]]
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1][0]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return Page[ListingSummaryOut](items=items, next_cursor=next_cursor)


async def read_feed(session: AsyncSession, since: int, limit: int) -> FeedPage:
    changes = await repository.feed(session, since, limit)
    return FeedPage(
        items=[
            FeedItem(seq=c.seq, listing_id=c.listing_id, change=c.change, snapshot=dict(c.snapshot), at=c.at)
            for c in changes
        ],
        next_since=changes[-1].seq if changes else since,
    )


def _public_cursor(after: list[Any] | None) -> tuple[date, str] | None:
    if after is None:
        return None
    try:
        listed_on, decision_id = after
        return date.fromisoformat(str(listed_on)), str(decision_id)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")]) from exc


async def public_blacklist(session: AsyncSession, page: PageParams) -> Page[PublicBlacklistEntry]:
    """Published blacklist decisions in force today: the unit and its persons, masked."""
    today = china_today()
    units = await repository.public_units(
        session, today, limit=page.limit + 1, after=_public_cursor(page.after)
    )
    shown = units[: page.limit]
    persons: dict[str, list[tuple[Listing, Subject]]] = {}
    if shown:
        for listing, subject in await repository.persons_of_decisions(
            session, [u[0].decision_id for u in shown], today
        ):
            persons.setdefault(listing.decision_id, []).append((listing, subject))
    items = [views.public_entry(u, s, d, persons.get(d.id, [])) for u, s, d in shown]
    next_cursor = None
    if len(units) > page.limit:
        last = shown[-1][0]
        assert last.listed_on is not None
        next_cursor = encode_cursor([last.listed_on.isoformat(), last.decision_id])
    return Page[PublicBlacklistEntry](items=items, next_cursor=next_cursor)
