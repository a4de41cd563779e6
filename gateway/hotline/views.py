"""Rows as the API shows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gateway.config import GatewaySettings
from gateway.hotline import clock
from gateway.hotline.models import (
    PARKED,
    CaseFiling,
    DeliveryAttempt,
    HotlineCallback,
    HotlineTicket,
    PoliceReferral,
)
from gateway.hotline.schemas import (
    CASE_CATEGORIES,
    AttemptOut,
    Caller,
    CallerOut,
    DeliveryOut,
    InquiryOut,
    ReferralOut,
    TicketOut,
)


def _state(settings: GatewaySettings, ticket: HotlineTicket, now: datetime) -> clock.DueState:
    settled = ticket.answered_at is not None or ticket.returned_at is not None
    return clock.due_state(settings, due_at=ticket.reply_due_at, settled=settled, now=now)


def ticket_out(
    settings: GatewaySettings, ticket: HotlineTicket, filing: CaseFiling | None, now: datetime
) -> TicketOut:
    state = _state(settings, ticket, now)
    inquiry = ticket.category not in CASE_CATEGORIES
    filed = filing is not None and filing.case_id is not None
    return TicketOut(
        ticket_no=ticket.ticket_no,
        category=ticket.category,
        urgency=ticket.urgency,
        status=ticket.status,
        received_at=ticket.received_at,
        signed_at=ticket.signed_at,
        case_id=filing.case_id if filing else None,
        case_no=filing.case_no if filing else None,
        filing="inquiry" if inquiry else "filed" if filed else "queued",
        inquiry_id=ticket.id if inquiry else None,
        reply_due_at=ticket.reply_due_at,
        due_source="platform" if ticket.due_source == "platform" else "policy",
        due_basis=clock.due_basis(
            settings, source=ticket.due_source, category=ticket.category, urgency=ticket.urgency
        ),
        due_provisional=ticket.due_provisional,
        answered_at=ticket.answered_at,
        overdue=state.overdue,
        due_soon=state.due_soon,
        returned_at=ticket.returned_at,
        return_reason=ticket.return_reason,
    )


def inquiry_out(settings: GatewaySettings, ticket: HotlineTicket, now: datetime) -> InquiryOut:
    state = _state(settings, ticket, now)
    raw = ticket.payload.get("caller")
    caller = Caller.model_validate(raw) if isinstance(raw, dict) else None
    return InquiryOut(
        id=ticket.id,
        ticket_no=ticket.ticket_no,
        category=ticket.category,
        urgency=ticket.urgency,
        content=str(ticket.payload.get("content", "")),
        # Staff (cases:manage) answer the caller, so they see how to reach them.
        caller=CallerOut(name=caller.name, phone=caller.phone, confidential=caller.confidential)
        if caller
        else None,
        region_code=ticket.payload.get("region_code"),
        received_at=ticket.received_at,
        reply_due_at=ticket.reply_due_at,
        overdue=state.overdue,
        due_soon=state.due_soon,
        reply=ticket.reply,
        replied_at=ticket.answered_at if ticket.reply is not None else None,
        replied_by=ticket.replied_by,
    )


def attempts_out(rows: Sequence[DeliveryAttempt]) -> list[AttemptOut]:
    return [AttemptOut(attempt=r.attempt, at=r.at, status_code=r.status_code, error=r.error) for r in rows]


def delivery_out(callback: HotlineCallback, tries: Sequence[DeliveryAttempt]) -> DeliveryOut:
    parked = callback.available_at >= PARKED
    if callback.delivered_at is not None:
        status = "delivered"
    elif parked:
        status = "waiting"
    elif callback.attempts:
        status = "failing"
    else:
        status = "pending"
    return DeliveryOut(
        id=callback.id,
        ticket_no=callback.ticket_no,
        seq=callback.seq,
        event=callback.event,
        at=callback.at,
        case_no=callback.case_no,
        message=callback.message,
        status=status,
        attempts=callback.attempts,
        last_error=callback.last_error,
        next_attempt_at=None if callback.delivered_at or parked else callback.available_at,
        delivered_at=callback.delivered_at,
        alert=callback.alerted_at is not None,
        alerted_at=callback.alerted_at,
        tries=attempts_out(tries),
    )


def referral_out(referral: PoliceReferral, tries: Sequence[DeliveryAttempt]) -> ReferralOut:
    if referral.acknowledged_at is not None:
        status = "acknowledged"
    else:
        status = "failing" if referral.attempts else "pending"
    return ReferralOut(
        referral_id=referral.id,
        case_id=referral.case_id,
        case_no=referral.case_no,
        created_at=referral.created_at,
        status=status,
        incident_no=referral.incident_no,
        acknowledged_at=referral.acknowledged_at,
        noted_at=referral.noted_at,
        note_error=referral.note_error,
        attempts=referral.attempts,
        last_error=referral.last_error,
        alert=referral.alerted_at is not None,
        tries=attempts_out(tries),
    )
