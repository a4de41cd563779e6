"""What every outgoing hotline delivery shares: tries recorded, alerts raised, nothing dropped."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Final, Protocol

import aiohttp
from sqlalchemy.ext.asyncio import async_object_session

from gateway.hotline.models import DeliveryAttempt
from shared.db import utcnow
from shared.outbox import DeliveryFailed

log = logging.getLogger("gateway.hotline")
# Outside endpoints (12345, 110) get this long per try; the relay retries anyway.
DELIVERY_TIMEOUT_SECONDS: Final = 10.0


class Alertable(Protocol):
    attempts: int
    last_error: str | None
    alerted_at: datetime | None


def alert_if_due(row: Alertable, threshold: int, what: str, error: str, **context: Any) -> None:
    """After more than ``threshold`` failed tries, flag the row once and log an error.

    The relay keeps retrying: an alert calls a person, it never gives up on the delivery.
    """
    failures = row.attempts + 1  # the relay counts this failure after we return
    if row.alerted_at is None and failures > threshold:
        row.alerted_at = utcnow()
        log.error("%s still failing after %d attempts", what, failures, extra={"error": error, **context})


def record_attempt(
    row: object, target: str, delivery_id: str, attempt: int, status: int | None, error: str | None
) -> None:
    """Kept in the relay's own transaction, so a try and its outcome are committed together."""
    session = async_object_session(row)
    assert session is not None
    session.add(
        DeliveryAttempt(
            target=target,
            delivery_id=delivery_id,
            attempt=attempt,
            at=utcnow(),
            status_code=status,
            error=error[:500] if error else None,
        )
    )


class AnsweredFailure(DeliveryFailed):
    """The endpoint answered, but not with 2xx."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


async def post_json(
    http: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str], what: str
) -> tuple[int, bytes]:
    """POST to an outside endpoint; a transport failure or a non-2xx answer is DeliveryFailed."""
    try:
        async with http.post(
            url,
            data=body,
            headers={"Content-Type": "application/json", **headers},
            timeout=aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT_SECONDS),
        ) as response:
            raw = await response.read()
            status = response.status
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise DeliveryFailed(f"{what} unreachable: {type(exc).__name__}") from exc
    if not 200 <= status < 300:
        raise AnsweredFailure(status, f"{what} answered {status}")
    return status, raw
