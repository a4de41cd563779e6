"""Cases to open in the complaints service, kept durably first and delivered exactly once.

The request that stores a filing tries it at once (briefly, failing fast while the circuit is
open); the relay retries whatever is left. Every try sends the same body with the same
``Idempotency-Key``, so the complaints service opens one case however often it is sent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.hotline.complaints import FiledCase
from gateway.hotline.delivery import alert_if_due
from gateway.hotline.links import HotlineLinks
from gateway.hotline.models import CaseFiling
from shared.db import utcnow
from shared.outbox import DeliveryFailed, OutboxRelay, backoff_seconds


def add(
    session: AsyncSession, links: HotlineLinks, *, source: str, source_id: str, payload: dict[str, Any]
) -> CaseFiling:
    now = utcnow()
    # The storing request tries first; the relay takes over only if that request never finishes.
    claim = timedelta(seconds=links.settings.hotline_forward_timeout_seconds + 5)
    filing = CaseFiling(
        source=source,
        source_id=source_id,
        idempotency_key=f"{source}-{source_id}",
        payload=payload,
        created_at=now,
        available_at=now + claim,
        attempts=0,
    )
    session.add(filing)
    return filing


async def forward_now(links: HotlineLinks, filing: CaseFiling) -> FiledCase | None:
    """Try once from the request; None means queued for the relay."""
    settings = links.settings
    filed: FiledCase | None = None
    try:
        filed = await links.complaints.file_case(
            filing.payload,
            idempotency_key=filing.idempotency_key,
            timeout_seconds=settings.hotline_forward_timeout_seconds,
            fail_fast=True,
        )
    except DeliveryFailed as exc:
        delay = backoff_seconds(
            filing.attempts + 1,
            base=settings.hotline_retry_base_seconds,
            cap=settings.hotline_retry_max_seconds,
        )
        values: dict[str, Any] = {
            "last_error": str(exc)[:500],
            "available_at": utcnow() + timedelta(seconds=delay),
        }
    else:
        values = {
            "last_error": None,
            "case_id": filed.case_id,
            "case_no": filed.case_no,
            "delivered_at": utcnow(),
        }
    async with links.sessionmaker() as session, session.begin():
        await session.execute(
            update(CaseFiling)
            .where(CaseFiling.id == filing.id, CaseFiling.delivered_at.is_(None))
            .values(attempts=CaseFiling.attempts + 1, **values)
        )
    if filed is not None:
        filing.case_id, filing.case_no = filed.case_id, filed.case_no
    return filed


class FilingSender:
    def __init__(self, links: HotlineLinks) -> None:
        self.links = links

    async def __call__(self, filing: CaseFiling) -> None:
        settings = self.links.settings
        try:
            filed = await self.links.complaints.file_case(
                filing.payload,
                idempotency_key=filing.idempotency_key,
                timeout_seconds=settings.upstream_timeout_seconds,
            )
        except DeliveryFailed as exc:
            alert_if_due(
                filing,
                settings.hotline_alert_after_attempts,
                "case filing",
                str(exc),
                source=filing.source,
                source_id=filing.source_id,
            )
            raise
        filing.case_id, filing.case_no = filed.case_id, filed.case_no


def filing_relay(links: HotlineLinks) -> OutboxRelay:
    settings = links.settings
    return OutboxRelay(
        links.sessionmaker,
        CaseFiling,
        FilingSender(links),
        interval_seconds=settings.hotline_relay_seconds,
        base_backoff_seconds=settings.hotline_retry_base_seconds,
        max_backoff_seconds=settings.hotline_retry_max_seconds,
    )
