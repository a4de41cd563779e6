"""Transactional outbox: an event row commits with the change that caused it; a relay
delivers it to the gateway later, with retries, so a peer that is down delays work but
never loses it. Receivers deduplicate on the event id (delivery is at least once).

Several replicas may run the relay: on PostgreSQL each batch is claimed with
``FOR UPDATE SKIP LOCKED``, so no event is sent by two relays at once; SQLite has a single
writer, which serialises the relays by itself.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from sqlalchemy import JSON, Index, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.auth import Identity, issue_identity_token
from shared.db import UTCDateTime, utcnow
from shared.ids import new_uuid

log = logging.getLogger("shared.outbox")


class DeliveryMixin:
    """Columns of anything a relay delivers with retries: due time, attempts, outcome."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxEventMixin(DeliveryMixin):
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        table = str(getattr(cls, "__tablename__", "outbox_events"))
        return (
            Index(f"ix_{table}_pending", "delivered_at", "available_at"),
            Index(f"ix_{table}_aggregate_id", "aggregate_id"),
        )


EventT = TypeVar("EventT", bound=OutboxEventMixin)


def new_event(model: type[EventT], event_type: str, aggregate_id: str, payload: Mapping[str, Any]) -> EventT:
    """An outbox row to ``session.add`` in the same transaction as the business change."""
    return model(**new_event_row(event_type, aggregate_id, payload))


def new_event_row(event_type: str, aggregate_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The same row as plain column values, for bulk inserts (every column given)."""
    now = utcnow()
    return {
        "id": new_uuid(),
        "event_type": event_type,
        "aggregate_id": aggregate_id,
        "payload": dict(payload),
        "created_at": now,
        "available_at": now,
        "attempts": 0,
        "last_error": None,
        "delivered_at": None,
    }


class DeliveryFailed(Exception):
    pass


Deliver = Callable[[Any], Awaitable[None]]


def backoff_seconds(attempts: int, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Exponential back-off with full jitter: spreads retries after an outage."""
    ceiling: float = min(cap, base * float(2 ** min(attempts, 20)))
    return random.uniform(0.5, 1.0) * ceiling


class OutboxRelay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        model: type[DeliveryMixin],
        deliver: Deliver,
        *,
        batch_size: int = 100,
        interval_seconds: float = 1.0,
        base_backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 300.0,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.model = model
        self.deliver = deliver
        self.batch_size = batch_size
        self.interval_seconds = interval_seconds
        self.base_backoff_seconds = base_backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds

    async def run_once(self) -> int:
        """Deliver what is due; returns how many events were delivered."""
        model = self.model
        delivered = 0
        async with self.sessionmaker() as session, session.begin():
            now = utcnow()
            query = (
                select(model)
                .where(model.delivered_at.is_(None), model.available_at <= now)
                .order_by(model.created_at)
                .limit(self.batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for event in (await session.scalars(query)).all():
                try:
                    await self.deliver(event)
                except Exception as exc:  # every failure is retried later, never dropped
                    event.attempts += 1
                    event.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    delay = backoff_seconds(
                        event.attempts, base=self.base_backoff_seconds, cap=self.max_backoff_seconds
                    )
                    event.available_at = utcnow() + timedelta(seconds=delay)
                    log.warning(
                        "delivery failed",
                        extra={
                            "row_id": getattr(event, "id", None),
                            "attempts": event.attempts,
                            "error": event.last_error,
                        },
                    )
                else:
                    event.delivered_at = utcnow()
                    delivered += 1
        return delivered

    async def run_forever(self) -> None:
        while True:
            try:
                while await self.run_once() == self.batch_size:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not kill the relay
                log.exception("outbox relay pass failed")
            await asyncio.sleep(self.interval_seconds)


class GatewayEventSender:
    """Delivers events to the gateway's ``POST /api/v1/events`` with the service's own token."""

    def __init__(self, client: httpx.AsyncClient, *, source: str, secret: str, gateway_url: str) -> None:
        self.client = client
        self.source = source
        self.secret = secret
        self.url = gateway_url.rstrip("/") + "/api/v1/events"
        self.identity = Identity(f"service:{source}", source, frozenset({"internal"}))

    async def __call__(self, event: OutboxEventMixin) -> None:
        token = issue_identity_token(self.identity, self.secret, 60)
        body = {
            "id": event.id,
            "type": event.event_type,
            "source": self.source,
            "aggregate_id": event.aggregate_id,
            "occurred_at": event.created_at.isoformat(),
            "data": event.payload,
        }
        response = await self.client.post(self.url, json=body, headers={"Authorization": f"Bearer {token}"})
        if response.status_code >= 300:
            raise DeliveryFailed(f"gateway answered {response.status_code}")
