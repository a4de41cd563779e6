"""Events from the complaints service, as the gateway delivers them: deduplicated by id, counted
per monitored employer and month, and turned into a ``complaints`` alert."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.wages.test_alerts_support import EVENTS, alerts, alerts_app, internal, reader, register, rows, uscc
from wages.alert.models import ProcessedEvent


@pytest.fixture
async def client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with alerts_app(db_urls["wages"]) as (_, client):
        yield client


def event(
    event_type: str,
    employer_uscc: str | None,
    *,
    case_id: str | None = None,
    occurred_at: str = "2026-10-31T23:30:00+08:00",
    **data: Any,
) -> dict[str, Any]:
    case_id = case_id or str(uuid.uuid4())
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "source": "complaints",
        "aggregate_id": case_id,
        "occurred_at": occurred_at,
        "data": {
            "case_id": case_id,
            "case_no": "2026-000001",
            "kind": "complaint",
            "channel": "mobile_app",
            "status": "received",
            "external_ref": None,
            "employer": {
                "name": "某某快递有限公司",
                "uscc": employer_uscc,
                "district_code": "530102",
                "industry_code": "6020",
            },
            **data,
        },
    }


async def _post(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post(EVENTS, json=body, headers=internal())


async def test_an_event_is_applied_once(client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    employer = await register(client, 1)
    body = event("case.received", employer["uscc"])
    first = await _post(client, body)
    assert first.status_code == 202 and first.json() == {"id": body["id"], "status": "accepted"}
    again = await _post(client, body)
    assert again.status_code == 200 and again.json() == {"id": body["id"], "status": "duplicate"}
    (stored,) = await rows(db_urls["wages"], ProcessedEvent)
    assert stored.event_type == "case.received"
    # 23:30 in Kunming on Oct 31 is still October there (15:30 UTC).
    assert stored.data | {
        "employer_id": employer["id"],
        "month": "2026-10",
        "case_id": body["aggregate_id"],
    } == (stored.data)


async def test_complaints_against_an_employer_raise_an_alert_by_count(client: httpx.AsyncClient) -> None:
    employer = await register(client, 1)
    await register(client, 2)
    first = event("case.received", employer["uscc"])
    assert (await _post(client, first)).status_code == 202
    assert await alerts(client, rule="complaints") == []  # one complaint: under complaints_threshold (2)

    # The same case again under another event id (employer.repeated_complaints) is not a second one.
    repeated = event("employer.repeated_complaints", employer["uscc"], case_id=first["aggregate_id"], count=4)
    assert (await _post(client, repeated)).status_code == 202
    assert await alerts(client, rule="complaints") == []

    assert (await _post(client, event("case.received", employer["uscc"]))).status_code == 202
    (alert,) = await alerts(client, rule="complaints")
    assert alert["level"] == "yellow" and alert["period"] == "2026-10"
    assert alert["evidence"] == {"complaints": 2, "threshold": 2, "employer_case_count": 4}

    assert (await _post(client, event("case.received", employer["uscc"]))).status_code == 202
    (alert,) = await alerts(client, rule="complaints")
    assert alert["level"] == "orange"  # orange_complaints (3)
    detail = (await client.get(f"/api/v1/wages/alerts/{alert['id']}", headers=reader())).json()
    assert [e["action"] for e in detail["events"]] == ["open", "raise"]

    # Another month is another alert's business.
    november = event("case.received", employer["uscc"], occurred_at="2026-11-01T00:10:00+08:00")
    assert (await _post(client, november)).status_code == 202
    assert [a["period"] for a in await alerts(client, rule="complaints")] == ["2026-10"]


async def test_what_is_not_counted(client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    employer = await register(client, 1)
    own = {"system": "wages_alert", "id": str(uuid.uuid4())}
    bodies = [
        event("case.received", uscc(99)),  # not a monitored employer
        event("case.received", None),  # no USCC given
        event("case.received", employer["uscc"], external_ref=own),  # a case a red alert opened
        event("case.received", employer["uscc"], external_ref=own),
        event("case.closed", employer["uscc"]),  # another type: acknowledged, ignored
        event("case.escalated", employer["uscc"]),
    ]
    for body in bodies:
        response = await _post(client, body)
        assert response.status_code == 202 and response.json()["status"] == "accepted"
    assert await alerts(client) == []
    reasons = sorted(str(e.data.get("ignored")) for e in await rows(db_urls["wages"], ProcessedEvent))
    assert reasons == [
        "event_type",
        "event_type",
        "no_uscc",
        "not_monitored",
        "own_alert_case",
        "own_alert_case",
    ]


async def test_only_services_deliver_events(client: httpx.AsyncClient) -> None:
    body = event("case.received", uscc(1))
    assert (await client.post(EVENTS, json=body, headers=reader())).status_code == 403
    bad = await client.post(EVENTS, json={**body, "occurred_at": "2026-10-31T10:00:00"}, headers=internal())
    assert bad.status_code == 422
