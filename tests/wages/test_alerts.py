"""Alerts: one per rule, employer and period however often (or however concurrently) the rules
run; levels only rise by themselves; the life of an alert; the after-ledger evaluation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from shared.auth import IDENTITY_HEADER, Identity, issue_identity_token
from shared.db import Database
from shared.testing.plugin import TEST_SECRET, identity_headers
from shared.timeutil import china_today
from tests.wages.test_alerts_support import (
    ALERTS,
    add_ledger,
    alerts,
    alerts_app,
    alerts_settings,
    evaluate,
    id_number,
    inspector,
    reader,
    register,
    rows,
    uscc,
    writer,
)
from wages.alert.background import run_scheduled_evaluation
from wages.alert.models import Alert, AlertEvent, CaseRequest
from wages.alert.rules import shift_period
from wages.alert.service import Evaluator
from wages.alert.service import evaluate as evaluate_in_session


@pytest.fixture
async def client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with alerts_app(db_urls["wages"]) as (_, client):
        yield client


async def _act(client: httpx.AsyncClient, alert_id: str, action: str, **fields: Any) -> httpx.Response:
    return await client.post(
        f"{ALERTS}/{alert_id}/actions", json={"action": action, **fields}, headers=inspector()
    )


async def test_the_life_of_an_alert_and_a_refused_action(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    employer = await register(client, 1)
    await add_ledger(db_urls["wages"], employer["id"], "2026-09", [("5000.00", "4000.00", "174")])
    await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
    (alert,) = await alerts(client)
    assert alert["status"] == "open" and alert["allowed_actions"] == ["acknowledge", "escalate"]

    refused = await _act(client, alert["id"], "resolve", reason="已补发", evidence={"bank_ref": "B1"})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "invalid_transition"
    assert problem["allowed_actions"] == ["acknowledge", "escalate"] and problem["state"] == "open"

    acknowledged = await _act(client, alert["id"], "acknowledge", reason="已电话联系单位核实")
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["status"] == "acknowledged"

    no_evidence = await _act(client, alert["id"], "resolve", reason="单位称已补发")
    assert no_evidence.status_code == 422
    assert no_evidence.json()["errors"][0]["loc"] == "evidence"
    no_reason = await _act(client, alert["id"], "resolve", reason="  ", evidence={"bank_ref": "B1"})
    assert no_reason.status_code == 422

    resolved = await _act(
        client,
        alert["id"],
        "resolve",
        reason="已足额补发",
        evidence={"bank_refs": ["B1"], "paid_on": "2026-10-20"},
    )
    assert resolved.status_code == 200
    detail = resolved.json()
    assert detail["status"] == "resolved" and detail["allowed_actions"] == []
    assert [(e["action"], e["from_status"], e["to_status"]) for e in detail["events"]] == [
        ("open", None, "open"),
        ("acknowledge", "open", "acknowledged"),
        ("resolve", "acknowledged", "resolved"),
    ]
    assert detail["events"][2]["actor"] == "张监察" and detail["events"][2]["actor_id"] == "inspector-1"
    assert detail["events"][2]["reason"] == "已足额补发"
    assert detail["events"][2]["data"]["evidence"]["bank_refs"] == ["B1"]
    assert detail["case_request"] is None  # a yellow alert opens no case

    final = await _act(client, alert["id"], "escalate", reason="再上报")
    assert final.status_code == 409 and final.json()["allowed_actions"] == []

    read = await client.get(f"{ALERTS}/{alert['id']}", headers=reader())
    assert read.status_code == 200 and read.json()["events"] == detail["events"]
    missing = await client.get(f"{ALERTS}/no-such-alert", headers=reader())
    assert missing.status_code == 404 and missing.json()["code"] == "alert_not_found"


async def test_scopes(client: httpx.AsyncClient) -> None:
    assert (await client.get(ALERTS, headers=identity_headers("complaints:write"))).status_code == 403
    assert (await client.get(ALERTS, headers=inspector())).status_code == 200
    assert (await client.get(ALERTS)).status_code == 401
    acting = await client.post(
        f"{ALERTS}/x/actions", json={"action": "acknowledge", "reason": "r"}, headers=reader()
    )
    assert acting.status_code == 403
    evaluating = await client.post(
        f"{ALERTS}/evaluations", json={"period": "2026-10"}, headers=identity_headers("wages:write")
    )
    assert evaluating.status_code == 403


async def test_evaluation_input_is_checked(client: httpx.AsyncClient) -> None:
    bad = await client.post(f"{ALERTS}/evaluations", json={"period": "2026-13"}, headers=reader())
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == "period"
    future = await client.post(f"{ALERTS}/evaluations", json={"period": "2099-01"}, headers=reader())
    assert future.status_code == 422 and future.json()["errors"][0]["code"] == "period_in_future"
    later = await client.post(
        f"{ALERTS}/evaluations", json={"period": "2026-01", "as_of": "2099-01-01"}, headers=reader()
    )
    assert later.status_code == 422 and later.json()["errors"][0]["loc"] == "as_of"
    unknown = await client.post(
        f"{ALERTS}/evaluations", json={"period": "2026-01", "uscc": uscc(77)}, headers=reader()
    )
    assert unknown.status_code == 404


async def test_list_filters_and_pages(client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    url = db_urls["wages"]
    for n in range(1, 4):
        employer = await register(client, n)
        paid = "10000.00" if n == 3 else "49900.00"  # 40000.00 short (red) or 100.00
        await add_ledger(url, employer["id"], "2026-09", [("50000.00", paid, "174")])
        await add_ledger(url, employer["id"], "2026-08", [("5000.00", "4000.00", "174")])
    await evaluate(client, "2026-08", as_of="2026-11-01", rules=["unpaid_or_short"])
    await evaluate(client, "2026-09", as_of="2026-11-01", rules=["unpaid_or_short", "consecutive_arrears"])

    everything = await alerts(client)
    assert len(everything) == 9
    assert {a["employer"]["uscc"] for a in await alerts(client, level="red")} == {uscc(3)}
    assert len(await alerts(client, rule="consecutive_arrears")) == 3
    assert len(await alerts(client, period="2026-08")) == 3
    assert len(await alerts(client, uscc=uscc(2))) == 3
    assert len(await alerts(client, status="resolved")) == 0
    bad = await client.get(ALERTS, params={"level": "purple"}, headers=reader())
    assert bad.status_code == 422

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(ALERTS, params=params, headers=reader())).json()
        seen.extend(a["id"] for a in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(a["id"] for a in everything) and len(seen) == len(set(seen))

    # An inspector restricted to another district (东川区) sees none of them, nor any one alone.
    restricted = Identity("inspector-2", "李监察", frozenset({"cases:manage"}), ("530113",))
    elsewhere = {IDENTITY_HEADER: issue_identity_token(restricted, TEST_SECRET)}
    listed = await client.get(ALERTS, headers=elsewhere)
    assert listed.status_code == 200 and listed.json()["items"] == []
    one = await client.get(f"{ALERTS}/{everything[0]['id']}", headers=elsewhere)
    assert one.status_code == 404


async def test_levels_rise_and_are_never_lowered_silently(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    employer = await register(client, 1)
    await add_ledger(url, employer["id"], "2026-09", [("20000.00", "5000.00", "174")])  # 15000 short
    first = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
    assert first["created"] == 1 and first["case_requests"] == 0
    (alert,) = await alerts(client)
    assert alert["level"] == "orange"

    unchanged = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
    assert unchanged["unchanged"] == 1 and unchanged["created"] == 0

    await add_ledger(url, employer["id"], "2026-09", [("40000.00", "5000.00", "174")])  # version 2
    raised = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
    assert raised["raised"] == 1 and raised["case_requests"] == 1
    detail = (await client.get(f"{ALERTS}/{alert['id']}", headers=reader())).json()
    assert detail["level"] == "red" and detail["evidence"]["amount_short"] == "35000.00"
    assert detail["events"][-1]["action"] == "raise"
    assert (
        detail["events"][-1]["data"] | {"from_level": "orange", "to_level": "red", "case_requested": True}
        == (detail["events"][-1]["data"])
    )
    assert detail["case_request"]["attempts"] == 0 and detail["case_request"]["delivered_at"] is None

    await add_ledger(url, employer["id"], "2026-09", [("40000.00", "39000.00", "174")])  # version 3
    lowered = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
    assert lowered["updated"] == 1 and lowered["raised"] == 0
    detail = (await client.get(f"{ALERTS}/{alert['id']}", headers=reader())).json()
    assert detail["level"] == "red"  # kept
    assert detail["evidence"]["amount_short"] == "1000.00"
    last = detail["events"][-1]
    assert last["action"] == "reevaluate"
    assert last["data"]["computed_level"] == "yellow" and last["data"]["level"] == "red"
    assert "保持红色" in last["reason"]
    (request,) = await rows(url, CaseRequest)
    assert request.id == alert["id"]


async def test_a_red_alert_asks_for_one_case_with_the_complaint_payload(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    employer = await register(client, 1, name="某某建筑劳务有限公司")
    await add_ledger(url, employer["id"], "2026-09", [("5000.00", "0.00", "174")] * 12)
    result = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
    assert result["case_requests"] == 1
    (alert,) = await alerts(client)
    assert alert["level"] == "red"
    (request,) = await rows(url, CaseRequest)
    assert request.id == alert["id"]
    payload = request.payload
    assert (
        payload
        | {
            "kind": "report",
            "channel": "monitoring",
            "anonymous": True,
            "issues": ["wage_arrears"],
            "workers_affected": 12,
            "amount_claimed": "60000.00",
            "occurred_on": "2026-10-10",
            "external_ref": {"system": "wages_alert", "id": alert["id"]},
            "employer": {
                "name": "某某建筑劳务有限公司",
                "uscc": employer["uscc"],
                "district_code": "530102",
                "industry_code": "6020",
            },
        }
        == payload
    )
    assert "红色预警" in payload["description"] and "60000.00" in payload["description"]
    assert "complainant" not in payload


async def test_escalating_asks_for_a_case_once(client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    employer = await register(client, 1)
    await add_ledger(db_urls["wages"], employer["id"], "2026-09", [("5000.00", "4000.00", "174")])
    await evaluate(client, "2026-09", as_of="2026-10-11", rules=["unpaid_or_short"])
    (alert,) = await alerts(client)
    escalated = await _act(client, alert["id"], "escalate", reason="单位拒不整改")
    assert escalated.status_code == 200
    assert escalated.json()["status"] == "escalated"
    assert escalated.json()["events"][-1]["data"]["case_requested"] is True
    (request,) = await rows(db_urls["wages"], CaseRequest)
    assert "经 张监察 上报：单位拒不整改" in request.payload["description"]
    assert request.payload["issues"] == ["wage_arrears"]


async def test_evaluating_twice_and_twice_at_once_makes_one_alert_and_one_case_request(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    employers = [await register(client, n) for n in range(1, 4)]
    for employer in employers:
        await add_ledger(url, employer["id"], "2026-09", [("50000.00", "0.00", "174")])
    rules = ["unpaid_or_short", "consecutive_arrears"]
    first = await evaluate(client, "2026-09", as_of="2026-10-11", rules=rules)
    second = await evaluate(client, "2026-09", as_of="2026-10-11", rules=rules)
    assert first["created"] == second["unchanged"] == 3
    assert second["created"] == 0 and second["case_requests"] == 0

    # A fresh period, evaluated by two "replicas" at once on separate sessions.
    for employer in employers:
        await add_ledger(url, employer["id"], "2026-08", [("50000.00", "0.00", "174")])
    evaluator = Evaluator.for_settings(alerts_settings(url))
    database = Database(url)

    async def replica() -> Any:
        async with database.sessionmaker() as session, session.begin():
            return await evaluate_in_session(
                session, evaluator, "2026-08", as_of=date(2026, 10, 11), rules=rules
            )

    try:
        results = await asyncio.gather(replica(), replica())
    finally:
        await database.dispose()
    assert sorted(r.count("created") for r in results) == [0, 3]
    assert sorted(r.count("unchanged") for r in results) == [0, 3]
    assert sum(r.case_requests for r in results) == 3

    all_alerts = await rows(url, Alert)
    keys = [a.dedupe_key for a in all_alerts]
    assert len(keys) == len(set(keys))
    august = [a for a in all_alerts if a.period == "2026-08"]
    assert len(august) == 3  # consecutive_arrears would need 2026-07 too
    requests = await rows(url, CaseRequest)
    assert {r.id for r in requests} == {a.id for a in all_alerts if a.level == "red"}
    opened = [e for e in await rows(url, AlertEvent) if e.action == "open"]
    assert len(opened) == len(all_alerts)


async def test_a_ledger_submission_evaluates_its_employer_and_period(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    employer = await register(client, 1, pay_day=10)  # 2026-10 was due on 2026-11-10
    other = await register(client, 2, pay_day=10)
    await add_ledger(db_urls["wages"], other["id"], "2026-10", [("5000.00", "0.00", "174")])
    lines = [
        {
            "id_number": id_number(i),
            "name": f"工人{i}",
            "payable": "6000.00",
            "paid": "3000.00",
            "paid_on": "2026-11-10",
            "hours": "174",
        }
        for i in range(12)
    ]
    response = await client.post(
        "/api/v1/wages/payrolls",
        json={"uscc": employer["uscc"], "period": "2026-10", "lines": lines},
        headers=writer(),
    )
    assert response.status_code == 201, response.text
    found = await alerts(client)
    assert [(a["rule"], a["employer"]["uscc"], a["level"]) for a in found] == [
        ("unpaid_or_short", employer["uscc"], "red")
    ]  # the other employer was not evaluated
    (request,) = await rows(db_urls["wages"], CaseRequest)
    assert request.id == found[0]["id"]
    assert request.payload["amount_claimed"] == "36000.00"


async def test_the_scheduled_run_evaluates_the_recent_periods(db_urls: dict[str, str]) -> None:
    url = db_urls["wages"]
    current = f"{china_today():%Y-%m}"
    in_window, before_window = shift_period(current, -2), shift_period(current, -3)
    async with alerts_app(url, alert_rules=["unpaid_or_short"]) as (app, client):
        employer = await register(client, 1, pay_day=1)  # paid in the month after: long due
        for period in (in_window, before_window):
            await add_ledger(url, employer["id"], period, [("5000.00", "4000.00", "174")])
        done = await run_scheduled_evaluation(app.state.db, app.state.alert_evaluator)
        assert [e.period for e in done] == [current, shift_period(current, -1), in_window]
        assert [(a["rule"], a["period"]) for a in await alerts(client)] == [("unpaid_or_short", in_window)]


async def test_background_tasks_evaluate_at_start(db_urls: dict[str, str]) -> None:
    url = db_urls["wages"]
    period = shift_period(f"{china_today():%Y-%m}", -2)
    async with alerts_app(url) as (_, client):
        employer = await register(client, 1, pay_day=1)
        await add_ledger(url, employer["id"], period, [("5000.00", "4000.00", "174")])
    async with alerts_app(url, background_tasks=True, alert_rules=["unpaid_or_short"]) as (app, client):
        assert app.state.case_request_relay is not None
        for _ in range(600):  # the first pass runs as the app starts; wait for it, up to 30 s
            if await alerts(client):
                break
            await asyncio.sleep(0.05)
        assert [a["period"] for a in await alerts(client)] == [period]
