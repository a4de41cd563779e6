"""A penalty decision's fine on the legal clock (行政处罚法 arts. 67, 72): due 15 days after
service, then 3% of it a day, never more than the fine; its payment recorded once; an unpaid
fine is the case's running deadline, so the deadline scan escalates it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from complaints.case.models import CaseEvent
from complaints.main import run_deadline_scan
from shared.db import Database
from tests.complaints.helpers import act, complaint, file

FACTS = {"issues": ["wage_arrears"], "workers": 12, "amount": "36000.00"}


async def _penalized(client: httpx.AsyncClient, headers: dict[str, str], *, served_on: str, fine: str) -> str:
    case = await file(client, headers, complaint(received_at="2025-12-01T09:00:00+08:00"))
    steps: list[tuple[str, dict[str, Any]]] = [
        ("accept", {"on": "2025-12-01"}),
        ("start_investigation", {"inspectors": ["张监察", "赵监察"]}),
        (
            "penalize",
            {"decision_no": "昆人社监罚〔2026〕7号", "fine": fine, "served_on": served_on, "facts": FACTS},
        ),
    ]
    for action, body in steps:
        response = await act(client, headers, case["id"], action, **body)
        assert response.status_code == 200, (action, response.text)
    case_id: str = case["id"]
    return case_id


async def _deadlines(client: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/complaints/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    deadlines: dict[str, Any] = response.json()["deadlines"]
    return deadlines


async def test_an_unpaid_fine_runs_late_and_its_payment_stops_the_clock(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str], db_urls: dict[str, str]
) -> None:
    # Served Sun 2026-11-01: due Mon 11-16 (calendar days); on the suite's today, 2026-11-27,
    # eleven days late: 20,000 x 3% x 11 = 6,600.
    case_id = await _penalized(gateway_client, inspector, served_on="2026-11-01", fine="20000.00")
    late = await _deadlines(gateway_client, inspector, case_id)
    assert late["fine_due_by"] == "2026-11-16" and late["fine_paid_on"] is None
    assert late["overdue"] == ["fine"] and late["late_fine_surcharge"] == "6600.00"
    overdue = await gateway_client.get("/api/v1/complaints", params={"overdue": "true"}, headers=inspector)
    assert case_id in [c["id"] for c in overdue.json()["items"]]

    # The deadline scan escalates the unpaid fine like any other running deadline.
    database = Database(db_urls["complaints"])
    try:
        assert await run_deadline_scan(database) == [case_id]
        async with database.sessionmaker() as session:
            escalation = await session.scalar(
                select(CaseEvent.data).where(CaseEvent.case_id == case_id, CaseEvent.action == "escalate")
            )
    finally:
        await database.dispose()
    assert escalation == {"deadline": "fine", "due": "2026-11-16", "days_overdue": 11, "escalation": 1}

    # Paid Fri 11-20, recorded a week later: four days late, the surcharge fixed at 2,400.
    paid = await act(
        gateway_client, inspector, case_id, "record_fine_payment", paid_on="2026-11-20", receipt_no="YN-0001"
    )
    assert paid.status_code == 200, paid.text
    deadlines = paid.json()["deadlines"]
    assert deadlines["fine_paid_on"] == "2026-11-20" and deadlines["overdue"] == []
    assert deadlines["late_fine_surcharge"] == "2400.00"
    timeline = (await gateway_client.get(f"/api/v1/complaints/{case_id}/timeline", headers=inspector)).json()[
        "items"
    ]
    assert timeline[-1]["data"] == {
        "paid_on": "2026-11-20",
        "receipt_no": "YN-0001",
        "fine": "20000.00",
        "days_late": 4,
        "late_surcharge": "2400.00",
        "on": "2026-11-27",
    }
    again = await act(gateway_client, inspector, case_id, "record_fine_payment")
    assert again.status_code == 409 and again.json()["code"] == "fine_already_paid"


async def test_the_surcharge_never_exceeds_the_fine_and_a_payment_is_not_in_the_future(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    # Served 2026-01-01, due 01-16: 315 days late by 2026-11-27, 945% capped at 100%.
    case_id = await _penalized(gateway_client, inspector, served_on="2026-01-01", fine="5000.00")
    assert (await _deadlines(gateway_client, inspector, case_id))["late_fine_surcharge"] == "5000.00"
    future = await act(
        gateway_client, inspector, case_id, "record_fine_payment", on="2026-11-20", paid_on="2026-11-21"
    )
    assert future.status_code == 422 and [e["loc"] for e in future.json()["errors"]] == ["paid_on"]
    # Paid on time: no surcharge, nothing overdue.
    on_time = await _penalized(gateway_client, inspector, served_on="2026-11-20", fine="1000.00")
    assert (await _deadlines(gateway_client, inspector, on_time))["overdue"] == []
    paid = await act(gateway_client, inspector, on_time, "record_fine_payment")
    assert paid.json()["deadlines"]["late_fine_surcharge"] == "0.00"


async def test_a_penalty_without_a_fine_has_none_to_pay(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    case_id = await _penalized(gateway_client, inspector, served_on="2026-01-01", fine="0.00")
    deadlines = await _deadlines(gateway_client, inspector, case_id)
    assert (deadlines["fine_due_by"], deadlines["overdue"], deadlines["late_fine_surcharge"]) == (
        None,
        [],
        None,
    )
    response = await act(gateway_client, inspector, case_id, "record_fine_payment")
    assert response.status_code == 409 and response.json()["code"] == "no_fine"
