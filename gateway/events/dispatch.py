"""Fan-out of stored events to the services that subscribe to them.

An event is stored with one delivery row per subscriber in the same transaction; the relay
(shared.outbox.OutboxRelay over ``EventDelivery``) posts it to the subscriber's
``/api/v1/<service>/events`` with the gateway's identity token, retrying until it answers 2xx.
Subscribers deduplicate by event id, so a redelivery after a crash is harmless.

A subscriber registered as local (the gateway's own "hotline") is a Python function called in
process instead of an HTTP POST, under the same relay: it raises to be retried, and it must be
idempotent per event id just like a remote subscriber.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from fnmatch import fnmatchcase
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.events.models import EventDelivery, InboundEvent
from gateway.upstream import Upstream
from shared.auth import IDENTITY_HEADER, Identity, issue_identity_token
from shared.outbox import DeliveryFailed
from shared.timeutil import now_utc

GATEWAY_IDENTITY = Identity("service:gateway", "网关", frozenset({"internal"}))
LocalHandler = Callable[[InboundEvent], Awaitable[None]]


def subscribers_for(event_type: str, subscriptions: Mapping[str, list[str]]) -> list[str]:
    return sorted(
        name for name, patterns in subscriptions.items() if any(fnmatchcase(event_type, p) for p in patterns)
    )


def add_deliveries(
    session: AsyncSession, event: InboundEvent, subscriptions: Mapping[str, list[str]]
) -> None:
    now = now_utc()
    for subscriber in subscribers_for(event.event_type, subscriptions):
        session.add(
            EventDelivery(
                event_id=event.id, subscriber=subscriber, created_at=now, available_at=now, attempts=0
            )
        )


def envelope(event: InboundEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.event_type,
        "source": event.source,
        "aggregate_id": event.aggregate_id,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.data,
    }


class SubscriberSender:
    def __init__(
        self,
        sessionmaker: Any,
        upstreams: Mapping[str, Upstream],
        secret: str,
        local: Mapping[str, LocalHandler] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.upstreams = upstreams
        self.secret = secret
        self.local = dict(local or {})

    async def __call__(self, delivery: EventDelivery) -> None:
        handler = self.local.get(delivery.subscriber)
        upstream = self.upstreams.get(delivery.subscriber)
        if handler is None and upstream is None:
            raise DeliveryFailed(f"no upstream named {delivery.subscriber}")
        async with self.sessionmaker() as session:
            event = await session.get(InboundEvent, delivery.event_id)
        assert event is not None
        if handler is not None:
            await handler(event)
            return
        assert upstream is not None
        token = issue_identity_token(GATEWAY_IDENTITY, self.secret, 60)
        url = f"{upstream.base_url}/api/v1/{delivery.subscriber}/events"
        try:
            async with upstream.session.post(
                url,
                json=envelope(event),
                headers={IDENTITY_HEADER: token},
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                if response.status >= 300:
                    raise DeliveryFailed(f"{delivery.subscriber} answered {response.status}")
        except aiohttp.ClientError as exc:
            raise DeliveryFailed(f"{delivery.subscriber} unreachable: {type(exc).__name__}") from exc
