"""Events leave through the outbox: kept while the gateway is down, delivered once it is back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from complaints.main import create_app as create_complaints_app
from complaints.outbox.models import OutboxEvent
from gateway.events.models import InboundEvent
from gateway.main import create_app as create_gateway_app
from shared.db import Database
from shared.testing.plugin import ServerThread, app_client, free_port, identity_headers
from tests.complaints.helpers import complaint
from tests.conftest import complaints_settings


async def _rows(url: str, model: Any) -> list[Any]:
    database = Database(url)
    async with database.sessionmaker() as session:
        rows = list((await session.scalars(select(model))).all())
    await database.dispose()
    return rows


async def test_outbox_delivers_after_the_gateway_comes_back_exactly_once(
    db_urls: dict[str, str], gateway_settings: Any
) -> None:
    port = free_port()
    settings = complaints_settings(
        db_urls["complaints"], gateway_url=f"http://127.0.0.1:{port}", outbox_retry_base_seconds=0.0
    )
    gateway = ServerThread(create_gateway_app(gateway_settings, configure_logs=False), port)
    app = create_complaints_app(settings, configure_logs=False)
    async with app_client(app) as client:
        filed = await client.post(
            "/api/v1/complaints",
            json=complaint(emergency={"indicators": ["self_harm_threat"], "people": 1, "location": "塔吊"}),
            headers=identity_headers("complaints:write"),
        )
        assert filed.status_code == 201  # the user's request never waits on the peer
        relay = app.state.outbox_relay

        assert await relay.run_once() == 0  # gateway down: nothing delivered, nothing lost
        pending = await _rows(db_urls["complaints"], OutboxEvent)
        assert pending and all(e.delivered_at is None and e.attempts == 1 for e in pending)
        assert all("ConnectError" in (e.last_error or "") for e in pending)

        gateway.start()
        try:
            assert await relay.run_once() == len(pending)
            assert await relay.run_once() == 0
            received = await _rows(db_urls["gateway"], InboundEvent)
            assert sorted(e.id for e in received) == sorted(e.id for e in pending)
            assert {e.event_type for e in received} >= {"case.received", "case.emergency"}

            # A relay that crashed after sending but before recording sends again: no double.
            database = Database(db_urls["complaints"])
            async with database.sessionmaker() as session, session.begin():
                await session.execute(update(OutboxEvent).values(delivered_at=None))
            await database.dispose()
            assert await relay.run_once() == len(pending)
            gateway_db = Database(db_urls["gateway"])
            async with gateway_db.sessionmaker() as session:
                count = await session.scalar(select(func.count()).select_from(InboundEvent))
            await gateway_db.dispose()
            assert count == len(pending)
        finally:
            gateway.stop()


async def test_events_endpoint_refuses_outside_clients(
    gateway_client: Any, admin_key: str, db_urls: dict[str, str]
) -> None:
    from tests.conftest import issue_key

    key = await issue_key(db_urls["gateway"], "app", ["complaints:write"])
    event = {
        "id": "e1",
        "type": "case.received",
        "source": "complaints",
        "aggregate_id": "c1",
        "occurred_at": "2026-11-27T09:30:00+08:00",
        "data": {},
    }
    response = await gateway_client.post(
        "/api/v1/events", json=event, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403
    listed = await gateway_client.get("/api/v1/events", headers={"Authorization": f"Bearer {admin_key}"})
    assert listed.status_code == 200 and listed.json()["items"] == []
