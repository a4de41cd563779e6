"""Status back to the 12345 platform: signed POSTs, retried until acknowledged, in order per ticket.

A callback is stored parked (due at the end of time). Before each relay pass, the callbacks whose
predecessors of the same ticket are all acknowledged become due, so event n+1 of a ticket never
leaves before event n has been answered with 2xx, while other tickets do not wait for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import orjson
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from gateway.hotline import repository, signing
from gateway.hotline.delivery import AnsweredFailure, alert_if_due, post_json, record_attempt
from gateway.hotline.links import HotlineLinks
from gateway.hotline.models import PARKED, HotlineCallback, HotlineTicket
from shared.db import utcnow
from shared.outbox import DeliveryFailed, OutboxRelay
from shared.timeutil import CHINA_TZ

# Events that answer the caller: they stop the ticket's reply clock.
ANSWERS: Final = frozenset({"accepted", "rejected", "replied", "closed"})
TARGET: Final = "12345"


async def enqueue(
    session: AsyncSession,
    ticket: HotlineTicket,
    event: str,
    *,
    at: datetime,
    case_no: str | None,
    message: str,
    source_event_id: str | None = None,
) -> HotlineCallback:
    values: dict[str, Any] = {"status": event}
    if event in ANSWERS:
        values["answered_at"] = func.coalesce(HotlineTicket.answered_at, at)
    seq, status, answered_at = await repository.next_callback_seq(session, ticket.ticket_no, values)
    # The statement wrote these; the loaded ticket shows them without another query.
    set_committed_value(ticket, "callback_seq", seq)
    set_committed_value(ticket, "status", status)
    set_committed_value(ticket, "answered_at", answered_at)
    now = utcnow()
    callback = HotlineCallback(
        ticket_no=ticket.ticket_no,
        seq=seq,
        event=event,
        at=at,
        case_no=case_no,
        message=message,
        source_event_id=source_event_id,
        created_at=now,
        available_at=PARKED,
        attempts=0,
    )
    session.add(callback)
    await session.flush()
    return callback


def body_of(callback: HotlineCallback) -> bytes:
    return orjson.dumps(
        {
            "ticket_no": callback.ticket_no,
            "event": callback.event,
            "at": callback.at.astimezone(CHINA_TZ).isoformat(),
            "case_no": callback.case_no,
            "message": callback.message,
            # Beyond the contract: lets the platform discard a repeat after a relay crash.
            "seq": callback.seq,
        }
    )


class CallbackSender:
    def __init__(self, links: HotlineLinks) -> None:
        self.links = links

    async def _secret(self) -> str | None:
        async with self.links.sessionmaker() as session:
            return await signing.secret_by_name(session, self.links.settings.hotline_12345_client)

    async def __call__(self, callback: HotlineCallback) -> None:
        settings = self.links.settings
        status: int | None = None
        error: str | None = None
        try:
            url = settings.hotline_12345_callback_url
            if not url:
                raise DeliveryFailed("no 12345 callback URL configured (GATEWAY_HOTLINE_12345_CALLBACK_URL)")
            secret = await self._secret()
            if secret is None:
                raise DeliveryFailed(f"API client {settings.hotline_12345_client} has no signing secret")
            body = body_of(callback)
            status, _ = await post_json(
                self.links.http, url, body, signing.signed_headers(secret, body), "12345"
            )
        except Exception as exc:  # every failure is recorded, retried and, if it lasts, alerted
            status = exc.status if isinstance(exc, AnsweredFailure) else None
            error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, DeliveryFailed) else str(exc)
            alert_if_due(
                callback,
                settings.hotline_alert_after_attempts,
                "12345 callback",
                error,
                ticket_no=callback.ticket_no,
                seq=callback.seq,
            )
            raise
        finally:
            record_attempt(callback, TARGET, str(callback.id), callback.attempts + 1, status, error)


class OrderedCallbackRelay(OutboxRelay):
    """The outbox relay, with the next callback of each ticket released before every pass."""

    async def run_once(self) -> int:
        async with self.sessionmaker() as session, session.begin():
            await repository.release_next_callbacks(session)
        return await super().run_once()


def callback_relay(links: HotlineLinks) -> OrderedCallbackRelay:
    settings = links.settings
    return OrderedCallbackRelay(
        links.sessionmaker,
        HotlineCallback,
        CallbackSender(links),
        interval_seconds=settings.hotline_relay_seconds,
        base_backoff_seconds=settings.hotline_retry_base_seconds,
        max_backoff_seconds=settings.hotline_retry_max_seconds,
    )
