"""12345 tickets: signed intake, stored before anything else, filed as cases or kept as inquiries;
returns (退单) and the staff's answers to inquiries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.hotline import callbacks, clock, filings, intake, mapping, repository, signing, views
from gateway.hotline.intake import Outcome
from gateway.hotline.links import HotlineLinks
from gateway.hotline.models import CaseFiling, HotlineTicket
from gateway.hotline.schemas import CASE_CATEGORIES, InquiryOut, Queued, TicketIn, TicketOut
from shared.auth import Identity
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.idempotency import request_hash
from shared.ids import new_uuid
from shared.pagination import Page, PageParams, encode_cursor, time_cursor
from shared.timeutil import CHINA_TZ, now_utc

SOURCE = "12345"


def _ticket_body(links: HotlineLinks, ticket: HotlineTicket, filing: CaseFiling | None) -> dict[str, Any]:
    return views.ticket_out(links.settings, ticket, filing, now_utc()).model_dump(mode="json")


def _queued(ticket_no: str) -> dict[str, Any]:
    return Queued(ticket_no=ticket_no).model_dump(mode="json", exclude_none=True)


async def receive(
    links: HotlineLinks, identity: Identity, raw: bytes, *, timestamp: str | None, signature: str | None
) -> Outcome:
    async with links.sessionmaker() as session:
        secret = await signing.secret_of_client(session, identity.client_id)
    signing.verify(
        secret, timestamp, signature, raw, max_age_seconds=links.settings.hotline_signature_max_age_seconds
    )
    document, ticket_in = intake.parse(raw, TicketIn)
    intake.check_matter(
        received_at=ticket_in.received_at,
        respondent=ticket_in.respondent,
        needs_respondent=ticket_in.category in CASE_CATEGORIES,
    )
    digest = request_hash(document)
    stored = await _store(links, identity, ticket_in, document, digest)
    if stored is None:
        return await _replay(links, ticket_in.ticket_no, digest)
    ticket, filing = stored
    if filing is not None and await filings.forward_now(links, filing) is None:
        return Outcome(202, _queued(ticket.ticket_no))
    return Outcome(201, _ticket_body(links, ticket, filing))


async def _store(
    links: HotlineLinks, identity: Identity, ticket_in: TicketIn, document: dict[str, Any], digest: str
) -> tuple[HotlineTicket, CaseFiling | None] | None:
    """Commit the ticket, its 签收 callback and its filing; None if the ticket is already here."""
    try:
        async with links.sessionmaker() as session, session.begin():
            if await repository.ticket_by_no(session, ticket_in.ticket_no) is not None:
                return None
            ticket = _new_ticket(links, identity, ticket_in, document, digest)
            session.add(ticket)
            await session.flush()
            due_local = ticket.reply_due_at.astimezone(CHINA_TZ)
            await callbacks.enqueue(
                session,
                ticket,
                "signed",
                at=ticket.signed_at,
                case_no=None,
                message=f"已签收，将于 {due_local:%Y-%m-%d %H:%M} 前答复",
            )
            filing = None
            if ticket_in.category in CASE_CATEGORIES:
                filing = filings.add(
                    session, links, source=SOURCE, source_id=ticket.ticket_no, payload=_case_body(ticket_in)
                )
                await session.flush()
    except IntegrityError:
        return None  # a twin of this request committed first
    return ticket, filing


def _new_ticket(
    links: HotlineLinks, identity: Identity, ticket_in: TicketIn, document: dict[str, Any], digest: str
) -> HotlineTicket:
    now = now_utc()
    due = clock.reply_due(
        links.settings,
        links.calendar,
        category=ticket_in.category,
        urgency=ticket_in.urgency,
        received_at=ticket_in.received_at,
        platform_due_at=ticket_in.due_at,
    )
    return HotlineTicket(
        id=new_uuid(),
        ticket_no=ticket_in.ticket_no,
        client_id=identity.client_id,
        request_hash=digest,
        category=ticket_in.category,
        urgency=ticket_in.urgency,
        received_at=ticket_in.received_at,
        payload=document,
        signed_at=now,
        reply_due_at=due.at,
        due_source=due.source,
        due_provisional=due.provisional,
        status="signed",
        callback_seq=0,
        created_at=now,
    )


def _case_body(ticket_in: TicketIn) -> dict[str, Any]:
    return mapping.case_body(
        category=ticket_in.category,
        channel="hotline_12345",
        received_at=ticket_in.received_at,
        caller=ticket_in.caller,
        respondent=ticket_in.respondent,
        region_code=ticket_in.region_code,
        content=ticket_in.content,
        urgency=ticket_in.urgency,
        external_ref={"system": SOURCE, "id": ticket_in.ticket_no},
        header=f"12345工单 {ticket_in.ticket_no}",
    )


async def _replay(links: HotlineLinks, ticket_no: str, digest: str) -> Outcome:
    """The ticket number is its own idempotency key (contract.md)."""
    async with links.sessionmaker() as session:
        ticket = await repository.ticket_by_no(session, ticket_no)
        filing = await repository.filing_of(session, SOURCE, ticket_no)
    assert ticket is not None
    if ticket.request_hash != digest:
        raise ValidationFailed(
            [FieldError("ticket_no", "ticket_no_reused", "该工单号已接收过内容不同的工单")]
        )
    if filing is not None and filing.case_id is None:
        return Outcome(202, _queued(ticket_no))
    return Outcome(200, _ticket_body(links, ticket, filing))


async def _load(session: AsyncSession, ticket_no: str) -> HotlineTicket:
    ticket = await repository.ticket_by_no(session, ticket_no)
    if ticket is None:
        raise NotFound(f"工单不存在：{ticket_no}", code="ticket_not_found")
    return ticket


async def get_ticket(session: AsyncSession, links: HotlineLinks, ticket_no: str) -> TicketOut:
    ticket = await _load(session, ticket_no)
    filing = await repository.filing_of(session, SOURCE, ticket_no)
    return views.ticket_out(links.settings, ticket, filing, now_utc())


async def return_ticket(
    session: AsyncSession, links: HotlineLinks, identity: Identity, ticket_no: str, reason: str
) -> TicketOut:
    """退单 (Weifang art. 22): once only; the platform hears it as ``rejected``."""
    ticket = await _load(session, ticket_no)
    now = now_utc()
    claimed = await repository.claim_ticket(
        session,
        ticket.id,
        (HotlineTicket.returned_at.is_(None)) & (HotlineTicket.status != "closed"),
        {"returned_at": now, "return_reason": reason, "returned_by": identity.client_name},
    )
    if not claimed:
        if ticket.returned_at is not None:
            raise Conflict("该工单已退回过一次，不能再次退单", code="ticket_already_returned")
        raise Conflict("该工单已办结，不能退单", code="ticket_closed")
    filing = await repository.filing_of(session, SOURCE, ticket_no)
    await callbacks.enqueue(
        session,
        ticket,
        "rejected",
        at=now,
        case_no=filing.case_no if filing else None,
        message=f"退单：{reason}",
    )
    return views.ticket_out(links.settings, ticket, filing, now)


async def reply_inquiry(
    session: AsyncSession, links: HotlineLinks, identity: Identity, inquiry_id: str, message: str
) -> InquiryOut:
    ticket = await session.get(HotlineTicket, inquiry_id)
    if ticket is None or ticket.category in CASE_CATEGORIES:
        raise NotFound(f"咨询、求助或建议记录不存在：{inquiry_id}", code="inquiry_not_found")
    now = now_utc()
    claimed = await repository.claim_ticket(
        session,
        ticket.id,
        HotlineTicket.reply.is_(None) & HotlineTicket.returned_at.is_(None),
        {"reply": message, "replied_by": identity.client_name},
    )
    if not claimed:
        if ticket.returned_at is not None:
            raise Conflict("该工单已退单，不能再答复", code="ticket_already_returned")
        raise Conflict("该记录已答复", code="inquiry_already_replied")
    await callbacks.enqueue(session, ticket, "replied", at=now, case_no=None, message=message)
    return views.inquiry_out(links.settings, ticket, now)


async def list_tickets(
    session: AsyncSession,
    links: HotlineLinks,
    page: PageParams,
    *,
    category: str | None,
    overdue: bool,
    due_soon: bool,
) -> Page[TicketOut]:
    now = now_utc()
    due_before, due_after = _due_window(links, now, overdue=overdue, due_soon=due_soon)
    rows = await repository.tickets(
        session,
        inquiries=None,
        category=category,
        unanswered=overdue or due_soon,
        answered=False,
        due_before=due_before,
        due_after=due_after,
        limit=page.limit + 1,
        after=time_cursor(page.after),
    )
    found = await repository.filings_of(session, SOURCE, [t.ticket_no for t in rows[: page.limit]])
    items = [views.ticket_out(links.settings, t, found.get(t.ticket_no), now) for t in rows[: page.limit]]
    return Page[TicketOut](items=items, next_cursor=_next(rows, page.limit))


async def list_inquiries(
    session: AsyncSession, links: HotlineLinks, page: PageParams, *, status: str | None
) -> Page[InquiryOut]:
    now = now_utc()
    rows = await repository.tickets(
        session,
        inquiries=True,
        category=None,
        unanswered=status == "open",
        answered=status == "answered",
        due_before=None,
        due_after=None,
        limit=page.limit + 1,
        after=time_cursor(page.after),
    )
    items = [views.inquiry_out(links.settings, t, now) for t in rows[: page.limit]]
    return Page[InquiryOut](items=items, next_cursor=_next(rows, page.limit))


def _due_window(
    links: HotlineLinks, now: datetime, *, overdue: bool, due_soon: bool
) -> tuple[datetime | None, datetime | None]:
    """Reply-due bounds: overdue is before now; due soon is from now to the warning horizon."""
    soon = now + timedelta(hours=links.settings.hotline_due_soon_hours)
    if overdue and due_soon:
        return soon, None
    if overdue:
        return now, None
    if due_soon:
        return soon, now
    return None, None


def _next(rows: Any, limit: int) -> str | None:
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor([last.received_at.isoformat(), last.id])
