"""After 结案 the complainant is told the result (保障农民工工资支付条例 art. 10 ¶3), within the
[M] policy period of 5 working days: the notice is a running deadline, escalated when missed,
and recorded once; an anonymous reporter or a 12345 caller (told through the platform) is owed
none."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from complaints.case.models import Case, CaseEvent
from complaints.main import run_deadline_scan
from shared.db import Database
from tests.complaints.helpers import act, complaint, file, report


async def _closed(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], *, on: str
) -> dict[str, Any]:
    case = await file(client, headers, body)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("accept", {"on": "2026-11-16"}),
        ("start_investigation", {"inspectors": ["张监察", "赵监察"], "on": "2026-11-17"}),
        ("close", {"disposition": "no_violation", "reason": "经调查未发现违法行为", "on": on}),
    ]
    response = None
    for action, fields in steps:
        response = await act(client, headers, case["id"], action, **fields)
        assert response.status_code == 200, (action, response.text)
    assert response is not None
    closed: dict[str, Any] = response.json()
    return closed


async def _closed_at(url: str, case_id: str) -> object:
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            return await session.scalar(select(Case.closed_at).where(Case.id == case_id))
    finally:
        await database.dispose()


async def test_a_closed_complaint_owes_its_result_and_a_missed_notice_is_escalated(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str], db_urls: dict[str, str]
) -> None:
    # Closed Thu 2026-11-19: told by the 5th working day after, Thu 11-26; missed by today, 11-27.
    body = complaint(received_at="2026-11-16T09:00:00+08:00")
    case = await _closed(gateway_client, inspector, body, on="2026-11-19")
    assert case["status"] == "closed" and case["allowed_actions"] == ["notify_result"]
    assert case["deadlines"]["result_notice_by"] == "2026-11-26"
    assert case["deadlines"]["overdue"] == ["notify"]

    database = Database(db_urls["complaints"])
    try:
        assert await run_deadline_scan(database) == [case["id"]]
        async with database.sessionmaker() as session:
            escalation = await session.scalar(
                select(CaseEvent.data).where(CaseEvent.case_id == case["id"], CaseEvent.action == "escalate")
            )
    finally:
        await database.dispose()
    assert escalation is not None and escalation["deadline"] == "notify" and escalation["due"] == "2026-11-26"

    closed_at = await _closed_at(db_urls["complaints"], case["id"])
    told = await act(gateway_client, inspector, case["id"], "notify_result", method="letter")
    assert told.status_code == 200, told.text
    # Telling the result does not move the day the case was closed (the yearly report counts it).
    assert await _closed_at(db_urls["complaints"], case["id"]) == closed_at
    assert told.json()["status"] == "closed"
    deadlines = told.json()["deadlines"]
    assert (deadlines["result_notified_on"], deadlines["overdue"]) == ("2026-11-27", [])
    timeline = (
        await gateway_client.get(f"/api/v1/complaints/{case['id']}/timeline", headers=inspector)
    ).json()
    assert timeline["items"][-1]["data"] == {"method": "letter", "late": True, "on": "2026-11-27"}
    again = await act(gateway_client, inspector, case["id"], "notify_result", method="sms")
    assert again.status_code == 409 and again.json()["code"] == "result_already_notified"
    # The case stays closed: nothing else may be done to it.
    assert (await act(gateway_client, inspector, case["id"], "assign", assignee="张")).status_code == 409


async def test_nobody_to_tell_or_told_through_12345(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    anonymous = await _closed(
        gateway_client, inspector, report(received_at="2026-11-16T09:00:00+08:00"), on="2026-11-26"
    )
    hotline = await _closed(
        gateway_client,
        inspector,
        complaint(channel="hotline_12345", received_at="2026-11-16T09:00:00+08:00"),
        on="2026-11-26",
    )
    for case in (anonymous, hotline):
        assert case["deadlines"]["result_notice_by"] is None and case["deadlines"]["overdue"] == []
        response = await act(gateway_client, inspector, case["id"], "notify_result", method="phone")
        assert response.status_code == 409 and response.json()["code"] == "no_result_notice"
    # Told on time: not late.
    named = await _closed(
        gateway_client, inspector, complaint(received_at="2026-11-16T09:00:00+08:00"), on="2026-11-26"
    )
    told = await act(gateway_client, inspector, named["id"], "notify_result", method="in_person")
    timeline = (
        await gateway_client.get(f"/api/v1/complaints/{named['id']}/timeline", headers=inspector)
    ).json()
    assert told.status_code == 200 and timeline["items"][-1]["data"]["late"] is False
