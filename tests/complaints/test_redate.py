"""Deadlines counted on weekdays alone are counted again when their year's schedule arrives
(complaints.case.redate): through the real app and its migrations, then the counting rules
one by one."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from complaints.case.deadlines import Clock
from complaints.case.models import Case, CaseEvent
from complaints.case.redate import recorded, recount, redate_provisional
from complaints.config import ComplaintsSettings
from complaints.main import create_app
from shared.calendar import WorkingDayCalendar
from shared.db import Database
from shared.testing.plugin import app_client, identity_headers
from tests.complaints.helpers import act, complaint, file
from tests.conftest import complaints_settings

# An assumed 2027 schedule, for the test only: New Year's Day, a Spring Festival week
# (Mon 8 - Fri 12 February) and one make-up Saturday (20 February).
HOLIDAYS = ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"]
SCHEDULE = {"year": 2027, "source": "测试用假定安排", "holidays": HOLIDAYS, "workdays": ["2027-02-20"]}
MANAGE = identity_headers("cases:manage", "cases:approve", client_id="inspection-system")


def _with_2027(tmp_path: Path) -> Path:
    (tmp_path / "2027.json").write_text(json.dumps(SCHEDULE), encoding="utf-8")
    return tmp_path


async def _case(client: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/complaints/{case_id}", headers=MANAGE)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _redates(client: httpx.AsyncClient, case_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/complaints/{case_id}/timeline", headers=MANAGE)
    assert response.status_code == 200, response.text
    return [entry for entry in response.json()["items"] if entry["action"] == "redate"]


async def _accepted(client: httpx.AsyncClient, *, then: tuple[str, ...] = ()) -> str:
    case = await file(client, MANAGE, complaint())
    assert (await act(client, MANAGE, case["id"], "accept", on="2026-11-27")).status_code == 200
    bodies: dict[str, dict[str, Any]] = {
        "extend": {"reason": "案情复杂", "approved_by": "局长"},
        "start_investigation": {"inspectors": ["张监察", "赵监察"]},
        "close": {"disposition": "no_violation", "reason": "经调查未发现违法行为"},
    }
    for action in then:
        response = await act(client, MANAGE, case["id"], action, **bodies[action])
        assert response.status_code == 200, response.text
    case_id: str = case["id"]
    return case_id


async def test_provisional_deadlines_take_the_published_schedule_once(
    db_urls: dict[str, str], tmp_path: Path
) -> None:
    url = db_urls["complaints"]
    async with app_client(create_app(complaints_settings(url), configure_logs=False)) as client:
        plain = await _accepted(client)
        extended = await _accepted(client, then=("extend",))
        closed = await _accepted(client, then=("start_investigation", "close"))
        # On weekdays alone: the 60th and 90th working days after Fri 2026-11-27.
        before = (await _case(client, plain))["deadlines"]
        assert (before["investigate_by"], before["calendar_provisional"]) == ("2027-02-19", True)
        assert (await _case(client, extended))["deadlines"]["investigate_by"] == "2027-04-02"

    settings = complaints_settings(url, calendar_data_dir=str(_with_2027(tmp_path)))
    app = create_app(settings, configure_logs=False)
    async with app_client(app) as client:
        assert await redate_provisional(app.state.db.sessionmaker, app.state.clock) == 2
        # Six holidays and one make-up Saturday before each: five working days later.
        after = (await _case(client, plain))["deadlines"]
        assert (after["investigate_by"], after["calendar_provisional"]) == ("2027-02-26", False)
        assert (await _case(client, extended))["deadlines"]["investigate_by"] == "2027-04-09"
        [entry] = await _redates(client, plain)
        assert entry["data"] == {
            "deadlines": {"investigate_by": {"from": "2027-02-19", "to": "2027-02-26"}},
            "calendar_provisional": False,
        }
        assert entry["actor"] == "工作日历" and entry["from_status"] == entry["to_status"] == "filed"
        # A closed case keeps the dates it was closed with.
        assert await _redates(client, closed) == []
        # Counting again changes nothing and writes nothing.
        assert await redate_provisional(app.state.db.sessionmaker, app.state.clock, batch=1) == 0

    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            rows = await session.execute(select(Case.id, Case.next_deadline, Case.calendar_provisional))
            state = {case_id: (deadline, provisional) for case_id, deadline, provisional in rows}
            entries = await session.scalar(
                select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "redate")
            )
    finally:
        await database.dispose()
    # The overdue scan runs against the new date.
    assert state[plain] == (date(2027, 2, 26), False)
    assert state[closed][1] is True
    assert entries == 2


async def test_the_service_counts_again_when_it_starts(db_urls: dict[str, str], tmp_path: Path) -> None:
    url = db_urls["complaints"]
    async with app_client(create_app(complaints_settings(url), configure_logs=False)) as client:
        case_id = await _accepted(client)
    settings = complaints_settings(
        url,
        calendar_data_dir=str(_with_2027(tmp_path)),
        background_tasks=True,
        outbox_relay_seconds=3600,
        overdue_scan_seconds=3600,
    )
    async with app_client(create_app(settings, configure_logs=False)) as client:
        for _ in range(200):
            deadlines = (await _case(client, case_id))["deadlines"]
            if not deadlines["calendar_provisional"]:
                break
            await asyncio.sleep(0.05)
        assert (deadlines["investigate_by"], deadlines["calendar_provisional"]) == ("2027-02-26", False)


# --- the counting rules -----------------------------------------------------------------


def _clock(*, with_2027: bool, **settings: Any) -> Clock:
    calendar = WorkingDayCalendar()
    if with_2027:
        calendar.load_year(
            2027,
            [date.fromisoformat(day) for day in HOLIDAYS],
            [date(2027, 2, 20)],
            "测试用假定安排",
        )
    return Clock(calendar, ComplaintsSettings(database_url="sqlite+aiosqlite://", **settings))


def _received(on: date, accept_by: date) -> Case:
    return Case(accept_clock_from=on, accept_by=accept_by, extended=False)


def _supplement(requested: str, received: str, *, restarted: bool) -> list[tuple[str, dict[str, Any], date]]:
    # Recorded a day after each was done: the day done counts.
    return [
        ("request_supplement", {"on": requested, "requested_on": requested}, date(2027, 1, 20)),
        ("supplement_received", {"on": received, "clock_restarted": restarted}, date(2027, 1, 20)),
    ]


def test_an_acceptance_clock_into_the_new_year() -> None:
    weekdays, official = _clock(with_2027=False), _clock(with_2027=True)
    case = _received(date(2026, 12, 28), date(2027, 1, 4))
    # Tue 29, Wed 30, Thu 31 December, then Mon 4 (weekdays) or Tue 5 January (1 January a holiday).
    assert recount(case, recorded([]), weekdays) == ({"accept_by": date(2027, 1, 4)}, True)
    assert recount(case, recorded([]), official) == ({"accept_by": date(2027, 1, 5)}, False)


def test_a_supplement_restarts_or_resumes_the_clock_as_recorded() -> None:
    clock = _clock(with_2027=True)
    case = _received(date(2026, 12, 21), date(2026, 12, 28))
    # Restarted: five working days from the day the supplement came, Thu 31 December.
    restarted = recorded(_supplement("2026-12-23", "2026-12-31", restarted=True))
    assert recount(case, restarted, clock) == ({"accept_by": date(2027, 1, 8)}, False)
    # Resumed: two days were used (Tue 22, Wed 23 December), three are left after Thu 31.
    resumed = recorded(_supplement("2026-12-23", "2026-12-31", restarted=False))
    assert recount(case, resumed, clock) == ({"accept_by": date(2027, 1, 6)}, False)


def test_the_hearing_request_period_counts_from_the_notice() -> None:
    clock = _clock(with_2027=True)
    case = Case(filed_on=date(2026, 11, 27), investigate_by=date(2027, 2, 19), extended=False)
    case.hearing_request_by = date(2027, 1, 1)
    facts = recorded([("notify_penalty", {"on": "2026-12-28"}, date(2026, 12, 29))])
    # An entry without its day counts from the day it was recorded.
    assert recorded([("notify_penalty", {}, date(2026, 12, 28))]) == facts
    dates, provisional = recount(case, facts, clock)
    assert dates == {"investigate_by": date(2027, 2, 26), "hearing_request_by": date(2027, 1, 5)}
    assert provisional is False
