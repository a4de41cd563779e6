"""Delivers case requests (red alerts) to the complaints service through the gateway.

An :class:`~shared.outbox.OutboxRelay` over ``case_requests``: each row is POSTed to
``{gateway_url}/api/v1/complaints`` with a token this service signs itself (``service:wages``,
scope ``internal`` only, as the gateway requires of services) and ``Idempotency-Key:
wages-alert-<alert id>``. The complaints service answers a repeat of the key with the first case,
so a relay that crashed after sending, or two relays, still open one case. Any failure (gateway
or complaints down, 5xx, a refusal) is kept with the row and retried with back-off, never dropped.
On success the case's id and number are stored on the alert, with a ``case_opened`` event, in the
relay's own transaction.
"""

from __future__ import annotations

from typing import Any, Final

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_object_session, async_sessionmaker

from shared.auth import Identity, issue_identity_token
from shared.outbox import DeliveryFailed, OutboxRelay
from shared.timeutil import now_utc
from wages.alert.models import Alert, AlertEvent, CaseRequest
from wages.config import WagesSettings

SERVICE_IDENTITY: Final = Identity("service:wages", "工资监控", frozenset({"internal"}))
RELAY_ACTOR: Final = ("system:case-request-relay", "工资支付监控预警")


def idempotency_key(alert_id: str) -> str:
    return f"wages-alert-{alert_id}"


class CaseRequestSender:
    def __init__(self, client: httpx.AsyncClient, settings: WagesSettings) -> None:
        self.client = client
        self.settings = settings
        self.url = settings.gateway_url.rstrip("/") + "/api/v1/complaints"

    async def __call__(self, row: CaseRequest) -> None:
        token = issue_identity_token(
            SERVICE_IDENTITY, self.settings.internal_token_secret, self.settings.internal_token_ttl_seconds
        )
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key(row.id)}
        try:
            response = await self.client.post(self.url, json=row.payload, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"gateway unreachable: {type(exc).__name__}") from exc
        if response.status_code not in (200, 201):
            raise DeliveryFailed(f"gateway answered {response.status_code}: {_problem_code(response)}")
        body = response.json()
        case_id, case_no = str(body["id"]), str(body["case_no"])
        session = async_object_session(row)
        assert session is not None  # the relay's session, which commits with delivered_at
        await _record_case(session, row.id, case_id, case_no)


def _problem_code(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return "-"
    return str(body.get("code", "-")) if isinstance(body, dict) else "-"


async def _record_case(session: AsyncSession, alert_id: str, case_id: str, case_no: str) -> None:
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.case_id == case_id:
        return  # a replay of a delivery already recorded
    alert.case_id, alert.case_no, alert.updated_at = case_id, case_no, now_utc()
    session.add(
        AlertEvent(
            alert_id=alert.id,
            action="case_opened",
            from_status=alert.status,
            to_status=alert.status,
            actor_id=RELAY_ACTOR[0],
            actor_name=RELAY_ACTOR[1],
            at=now_utc(),
            reason=f"已在投诉举报服务登记案件 {case_no}",
            data={"case_id": case_id, "case_no": case_no},
        )
    )


def case_request_relay(
    sessionmaker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, settings: WagesSettings
) -> OutboxRelay:
    return OutboxRelay(
        sessionmaker,
        CaseRequest,
        CaseRequestSender(client, settings),
        batch_size=20,
        interval_seconds=settings.case_request_relay_seconds,
        base_backoff_seconds=settings.case_request_retry_base_seconds,
        max_backoff_seconds=settings.case_request_retry_max_seconds,
    )
