"""End to end: a red alert opens exactly one case in the real complaints service, through the
real gateway, even when the complaints service is down at first."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from complaints.main import create_app as create_complaints_app
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway_app
from shared.db import Database
from shared.testing.plugin import ServerThread, free_port
from tests.conftest import complaints_settings, issue_key
from tests.wages.test_alerts_support import (
    ALERTS,
    add_ledger,
    alerts,
    alerts_app,
    evaluate,
    reader,
    register,
    rows,
)
from wages.alert.models import CaseRequest


def _gateway_settings(db_urls: dict[str, str], complaints_port: int) -> GatewaySettings:
    # Built here rather than from the `gateway_settings` fixture: its complaints upstream must be a
    # port where nothing listens yet.
    return GatewaySettings(
        database_url=db_urls["gateway"],
        environment="test",
        complaints_url=f"http://127.0.0.1:{complaints_port}",
        wages_url=f"http://127.0.0.1:{free_port()}",
        credit_url=f"http://127.0.0.1:{free_port()}",
        circuit_open_seconds=1,
        auth_cache_seconds=0,
        background_tasks=False,
    )


async def _make_due(url: str) -> None:
    """Skip what is left of the (tiny) back-off, as the clock would."""
    database = Database(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                update(CaseRequest)
                .where(CaseRequest.delivered_at.is_(None))
                .values(available_at=CaseRequest.created_at)
            )
    finally:
        await database.dispose()


async def test_a_red_alert_opens_one_case_once_the_complaints_service_is_up(db_urls: dict[str, str]) -> None:
    complaints_port = free_port()
    gateway = ServerThread(
        create_gateway_app(_gateway_settings(db_urls, complaints_port), configure_logs=False)
    )
    gateway.start()
    complaints = ServerThread(
        create_complaints_app(complaints_settings(db_urls["complaints"]), configure_logs=False),
        complaints_port,
    )
    admin = {"Authorization": f"Bearer {await issue_key(db_urls['gateway'], 'admin', ['admin'])}"}
    wages_url = db_urls["wages"]
    try:
        async with alerts_app(
            wages_url,
            gateway_url=gateway.url,
            case_request_retry_base_seconds=0.0,
            case_request_retry_max_seconds=0.0,
        ) as (app, client):
            employer = await register(client, 1, name="某某建筑劳务有限公司")
            await add_ledger(wages_url, employer["id"], "2026-09", [("6000.00", "0.00", "174")] * 12)
            result = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
            assert result["case_requests"] == 1
            (alert,) = await alerts(client)
            relay = app.state.case_request_relay

            # The gateway is up, the complaints service is not: kept, retried, never lost.
            assert await relay.run_once() == 0
            (pending,) = await rows(wages_url, CaseRequest)
            assert pending.attempts == 1 and pending.delivered_at is None
            assert "gateway answered 50" in (pending.last_error or "")

            complaints.start()
            await _make_due(wages_url)
            assert await relay.run_once() == 1
            detail = (await client.get(f"{ALERTS}/{alert['id']}", headers=reader())).json()
            assert detail["case_id"] and detail["case_no"]
            assert detail["events"][-1]["action"] == "case_opened"
            assert detail["events"][-1]["data"] == {
                "case_id": detail["case_id"],
                "case_no": detail["case_no"],
            }
            assert detail["case_request"]["attempts"] == 1 and detail["case_request"]["delivered_at"]

            async with httpx.AsyncClient(base_url=gateway.url) as peer:
                listed = await peer.get("/api/v1/complaints", headers=admin)
                assert listed.status_code == 200, listed.text
                (case,) = listed.json()["items"]
                assert case["case_no"] == detail["case_no"] and case["channel"] == "monitoring"
                opened: dict[str, Any] = (
                    await peer.get(f"/api/v1/complaints/{case['id']}", headers=admin)
                ).json()
            assert opened["external_ref"] == {"system": "wages_alert", "id": alert["id"]}
            assert opened["kind"] == "report" and opened["anonymous"] is True
            assert opened["issues"] == ["wage_arrears"]
            assert opened["workers_affected"] == 12 and opened["amount_claimed"] == "72000.00"
            assert opened["employer"]["uscc"] == employer["uscc"]
            assert "某某建筑劳务有限公司" in opened["description"]

            # Nothing more to send; and a relay that lost its record of sending sends again and
            # gets the same case back (Idempotency-Key), not a second one.
            assert await relay.run_once() == 0
            database = Database(wages_url)
            async with database.sessionmaker() as session, session.begin():
                await session.execute(update(CaseRequest).values(delivered_at=None))
            await database.dispose()
            assert await relay.run_once() == 1
            async with httpx.AsyncClient(base_url=gateway.url) as peer:
                again = (await peer.get("/api/v1/complaints", headers=admin)).json()["items"]
            assert [c["id"] for c in again] == [case["id"]]
            detail = (await client.get(f"{ALERTS}/{alert['id']}", headers=reader())).json()
            assert detail["case_no"] == case["case_no"]
            assert [e["action"] for e in detail["events"]].count("case_opened") == 1

            # Evaluating again asks for nothing new.
            again_result = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
            assert again_result["case_requests"] == 0 and again_result["unchanged"] == 1
    finally:
        complaints.stop()
        gateway.stop()
