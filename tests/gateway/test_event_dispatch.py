"""Events stored at the gateway reach their subscribers, once, even when sent twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from gateway.config import GatewaySettings
from gateway.events.dispatch import subscribers_for
from gateway.events.models import EventDelivery
from gateway.main import create_app
from shared.auth import Identity, issue_identity_token
from shared.db import Database
from shared.identifiers import make_uscc
from shared.testing.plugin import TEST_SECRET, app_client
from tests.conftest import issue_key

USCC = make_uscc("91530102MA6K0009X")


def violation_event(event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "case.violation_established",
        "source": "complaints",
        "aggregate_id": "case-1",
        "occurred_at": "2026-11-20T10:00:00+08:00",
        "data": {
            "case_id": "case-1",
            "case_no": "2026-000001",
            "kind": "complaint",
            "channel": "mobile_app",
            "status": "penalized",
            "external_ref": None,
            "employer": {
                "name": "某某快递有限公司",
                "uscc": USCC,
                "district_code": "530102",
                "industry_code": "6020",
            },
            "stage": "administrative_penalty",
            "decision_no": "昆人社监罚〔2026〕9号",
            "fine": "20000.00",
            "facts": {"issues": ["wage_arrears"], "workers": 12, "amount": "36000.00"},
        },
    }


def service_token(name: str) -> dict[str, str]:
    identity = Identity(f"service:{name}", name, frozenset({"internal"}))
    return {"Authorization": f"Bearer {issue_identity_token(identity, TEST_SECRET)}"}


def test_subscriptions_match_by_pattern() -> None:
    subscriptions = {"credit": ["case.violation_*"], "wages": ["case.*", "employer.*"]}
    assert subscribers_for("case.violation_established", subscriptions) == ["credit", "wages"]
    assert subscribers_for("employer.repeated_complaints", subscriptions) == ["wages"]
    assert subscribers_for("alert.red", subscriptions) == []


async def test_violation_reaches_credit_once_even_when_redelivered(
    gateway_settings: GatewaySettings, db_urls: dict[str, str]
) -> None:
    admin = {"Authorization": f"Bearer {await issue_key(db_urls['gateway'], 'ops', ['admin'])}"}
    app = create_app(gateway_settings, configure_logs=False)
    async with app_client(app) as client:
        posted = await client.post(
            "/api/v1/events", json=violation_event("ev-1"), headers=service_token("complaints")
        )
        assert posted.status_code == 202, posted.text
        again = await client.post(
            "/api/v1/events", json=violation_event("ev-1"), headers=service_token("complaints")
        )
        assert again.json()["status"] == "duplicate"
        spoofed = await client.post(
            "/api/v1/events", json=violation_event("ev-2"), headers=service_token("wages")
        )
        assert spoofed.status_code == 403  # a service publishes only under its own name

        relay = app.state.event_relay
        assert await relay.run_once() == 1
        assert await relay.run_once() == 0
        file = (await client.get(f"/api/v1/credit/subjects/{USCC}", headers=admin)).json()
        assert len(file["violations"]) == 1
        assert file["violations"][0]["case_no"] == "2026-000001"

        # A relay that crashed after sending, before recording, sends again: credit ignores it.
        database = Database(db_urls["gateway"])
        async with database.sessionmaker() as session, session.begin():
            await session.execute(update(EventDelivery).values(delivered_at=None))
        await database.dispose()
        assert await relay.run_once() == 1
        file = (await client.get(f"/api/v1/credit/subjects/{USCC}", headers=admin)).json()
        assert len(file["violations"]) == 1
