"""Each early-warning rule firing and not firing at its boundary (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime

import httpx
import pytest
from sqlalchemy import update

from shared.db import Database
from shared.timeutil import CHINA_TZ
from tests.wages.test_alerts_support import (
    Line,
    add_ledger,
    add_transfer,
    alerts,
    alerts_app,
    by_employer,
    evaluate,
    full,
    id_number,
    put_roster,
    register,
    uscc,
    writer,
)
from wages.employer.models import MonitoredEmployer


@pytest.fixture
async def client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with alerts_app(db_urls["wages"]) as (_, client):
        yield client


async def test_unpaid_or_short_levels_at_their_thresholds_once_the_pay_date_has_passed(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    ledgers: dict[int, list[Line]] = {
        1: [("30000.00", "0.00", "174")],  # short exactly red_amount (30000): red
        2: [("30000.00", "0.01", "174")],  # one fen less: orange (>= 10000)
        3: [("10000.00", "0.01", "174")],  # one fen under orange_amount: yellow
        4: [("5000.00", "4999.99", "174")] * 10,  # 10 workers (red_workers): red
        5: [("5000.00", "4999.99", "174")] * 9,  # 9 workers: orange (>= 5)
        6: [full("5000.00")] * 3,  # paid in full: nothing
    }
    for n, lines in ledgers.items():
        employer = await register(client, n, pay_day=10)  # 2026-10 is due on 2026-11-10
        await add_ledger(url, employer["id"], "2026-10", lines)

    on_pay_date = await evaluate(client, "2026-10", as_of="2026-11-10", rules=["unpaid_or_short"])
    assert on_pay_date["findings"] == {"unpaid_or_short": 0}

    result = await evaluate(client, "2026-10", as_of="2026-11-11", rules=["unpaid_or_short"])
    assert result["findings"] == {"unpaid_or_short": 5}
    found = by_employer(await alerts(client), "unpaid_or_short")
    assert {u: a["level"] for u, a in found.items()} == {
        uscc(1): "red",
        uscc(2): "orange",
        uscc(3): "yellow",
        uscc(4): "red",
        uscc(5): "orange",
    }
    evidence = found[uscc(2)]["evidence"]
    assert evidence["amount_short"] == "29999.99"
    assert evidence["workers"] == 1 and evidence["lines_unpaid"] == 0
    assert evidence["pay_date"] == "2026-11-10"
    assert found[uscc(1)]["evidence"]["lines_unpaid"] == 1
    assert found[uscc(4)]["evidence"] | {"amount_short": "0.10", "workers": 10} == found[uscc(4)]["evidence"]
    assert found[uscc(2)]["period"] == "2026-10" and found[uscc(2)]["status"] == "open"


async def test_below_minimum_wage_monthly_and_hourly_floors_and_the_september_rise(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    # 五华区 (530102) is class I: 2170.00 / 21.00 from 2025-10-01, 2270.00 / 22.00 from 2026-09-01.
    boundary = await register(client, 1, district_code="530102")
    await add_ledger(
        url,
        boundary["id"],
        "2026-09",
        [
            full("2270.00", "174"),  # at full_time_hours, floor exactly met
            full("2269.99", "174"),  # one fen below the monthly floor
            full("2200.00", "100"),  # part time: 22.00 x 100 h exactly met
            full("2199.99", "100"),  # one fen below the hourly floor
            full("2200.00", "173.99"),  # under full_time_hours: hourly floor 3827.78, far below
            full("2300.00", None),  # no hours recorded: tested on the monthly floor, met
        ],
    )
    august = await register(client, 2, district_code="530102")
    await add_ledger(url, august["id"], "2026-08", [full("2170.00"), full("2100.00", "100")])
    september = await register(client, 3, district_code="530102")
    await add_ledger(url, september["id"], "2026-09", [full("2170.00"), full("2100.00", "100")])
    # 东川区 (530113) is class II: 2120.00 from 2026-09-01.
    class_two = await register(client, 4, district_code="530113")
    await add_ledger(url, class_two["id"], "2026-09", [full("2120.00")])

    await evaluate(client, "2026-08", as_of="2026-11-01", rules=["below_minimum_wage"])
    result = await evaluate(client, "2026-09", as_of="2026-11-01", rules=["below_minimum_wage"])
    assert result["findings"] == {"below_minimum_wage": 2}
    found = by_employer(await alerts(client), "below_minimum_wage")
    assert set(found) == {uscc(1), uscc(3)}  # August's 2170.00 met August's floor

    evidence = found[uscc(1)]["evidence"]
    assert evidence["workers"] == 3
    assert evidence["lines_full_time"] == 1 and evidence["lines_part_time"] == 2
    assert evidence["amount_short"] == "1627.80"  # 0.01 + 0.01 + (3827.78 - 2200.00)
    assert (
        evidence["floor"] | {"monthly": "2270.00", "hourly": "22.00", "effective_from": "2026-09-01"}
        == (evidence["floor"])
    )
    assert evidence["floor"]["status"] == "3P" and evidence["floor"]["verified"] is False
    assert "实发工资" in evidence["method"] and evidence["full_time_hours"] == "174"

    rise = found[uscc(3)]["evidence"]
    assert rise["amount_short"] == "200.00"  # 2270 - 2170 and 2200 - 2100
    assert rise["workers"] == 2


async def test_no_ledger_counts_grace_days_from_a_pay_date_moved_before_national_day(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    # Pay day 5 for 2026-09 is 2026-10-05, inside the National Day holiday (Oct 1-7): paid before
    # it, on Wednesday 2026-09-30. Three working days of grace: Oct 8, Oct 9 and Saturday Oct 10
    # (a make-up working day), so the ledger is late from 2026-10-11.
    silent = await register(client, 1, pay_day=5)
    await put_roster(
        client,
        silent["uscc"],
        [{"id_number": id_number(i), "name": f"工人{i}", "active_from": "2026-01-01"} for i in range(3)],
    )
    reporting = await register(client, 2, pay_day=5)
    await add_ledger(db_urls["wages"], reporting["id"], "2026-09", [full("5000.00")])

    last_grace_day = await evaluate(client, "2026-09", as_of="2026-10-10", rules=["no_ledger"])
    assert last_grace_day["findings"] == {"no_ledger": 0}

    late = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["no_ledger"])
    assert late["findings"] == {"no_ledger": 1}
    (alert,) = await alerts(client, rule="no_ledger")
    assert alert["employer"]["uscc"] == silent["uscc"]
    assert (
        alert["evidence"]
        | {
            "pay_date": "2026-09-30",
            "pay_date_moved_from": "2026-10-05",
            "ledger_due_by": "2026-10-10",
            "grace_working_days": 3,
            "roster_workers": 3,
            "calendar_provisional": False,
        }
        == alert["evidence"]
    )
    assert alert["level"] == "yellow"


async def test_consecutive_arrears_needs_n_periods_in_a_row(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    short: list[Line] = [("5000.00", "4000.00", "174")]
    paid: list[Line] = [full("5000.00")]
    plans: dict[int, dict[str, list[Line]]] = {
        1: {"2026-08": short, "2026-09": short},  # 2 in a row (consecutive_periods): orange
        2: {"2026-08": paid, "2026-09": short},  # only 1: nothing
        3: {"2026-07": short, "2026-08": short, "2026-09": short},  # 3 (red_periods): red
        4: {"2026-07": short, "2026-09": short},  # no 2026-08 ledger breaks the run
    }
    for n, plan in plans.items():
        employer = await register(client, n, pay_day=10)
        for period, lines in plan.items():
            await add_ledger(url, employer["id"], period, lines)

    # 2026-09 is due on 2026-10-10 (a make-up Saturday): not yet in arrears on that day.
    early = await evaluate(client, "2026-09", as_of="2026-10-10", rules=["consecutive_arrears"])
    assert early["findings"] == {"consecutive_arrears": 0}

    await evaluate(client, "2026-09", as_of="2026-10-11", rules=["consecutive_arrears"])
    found = by_employer(await alerts(client), "consecutive_arrears")
    assert {u: a["level"] for u, a in found.items()} == {uscc(1): "orange", uscc(3): "red"}
    evidence = found[uscc(3)]["evidence"]
    assert evidence["periods"] == 3 and evidence["first_period"] == "2026-07"
    assert evidence["amount_short"] == "3000.00"
    assert [r["period"] for r in evidence["run"]] == ["2026-07", "2026-08", "2026-09"]


async def test_roster_missing_counts_workers_active_in_the_period_without_a_line(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    employer = await register(client, 1)
    roster = [
        {"id_number": id_number(0), "name": "工人0", "active_from": "2026-01-01"},
        {"id_number": id_number(1), "name": "工人1", "active_from": "2026-01-01"},
        # Left the day before the period: not expected in it.
        {"id_number": id_number(2), "name": "工人2", "active_from": "2026-01-01", "active_to": "2026-08-31"},
        # Worked its first day only: expected.
        {"id_number": id_number(3), "name": "工人3", "active_from": "2026-01-01", "active_to": "2026-09-01"},
        # Starts the day after the period: not expected.
        {"id_number": id_number(4), "name": "工人4", "active_from": "2026-10-01"},
    ]
    await put_roster(client, employer["uscc"], roster)
    await add_ledger(url, employer["id"], "2026-09", [full("5000.00")], first_worker=0)
    complete = await register(client, 2)
    await put_roster(
        client,
        complete["uscc"],
        [{"id_number": id_number(10), "name": "工人10", "active_from": "2026-01-01"}],
    )
    await add_ledger(url, complete["id"], "2026-09", [full("5000.00")], first_worker=10)

    result = await evaluate(client, "2026-09", as_of="2026-10-11", rules=["roster_missing"])
    assert result["findings"] == {"roster_missing": 1}
    (alert,) = await alerts(client, rule="roster_missing")
    assert alert["employer"]["uscc"] == employer["uscc"]
    assert alert["evidence"]["workers_missing"] == 2
    assert alert["evidence"]["roster_workers"] == 3
    assert alert["evidence"]["ledger_lines"] == 1


async def test_labour_cost_missing_by_the_end_of_the_following_month(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    in_full = await register(client, 1, kind="project", monthly_labour_cost="100000.00")
    await add_transfer(url, in_full["id"], "2026-09", "100000.00", date(2026, 10, 31))
    one_fen_short = await register(client, 2, kind="project", monthly_labour_cost="100000.00")
    await add_transfer(url, one_fen_short["id"], "2026-09", "99999.99", date(2026, 10, 31))
    late = await register(client, 3, kind="project", monthly_labour_cost="100000.00")
    await add_transfer(url, late["id"], "2026-09", "100000.00", date(2026, 11, 1))
    await register(client, 4, kind="project", monthly_labour_cost="100000.00")  # nothing at all
    await register(client, 5)  # not a construction project

    on_due_day = await evaluate(client, "2026-09", as_of="2026-10-31", rules=["labour_cost_missing"])
    assert on_due_day["findings"] == {"labour_cost_missing": 0}

    await evaluate(client, "2026-09", as_of="2026-11-01", rules=["labour_cost_missing"])
    found = by_employer(await alerts(client), "labour_cost_missing")
    assert set(found) == {uscc(2), uscc(3), uscc(4)}
    assert found[uscc(2)]["evidence"]["amount_short"] == "0.01"
    assert found[uscc(2)]["level"] == "yellow"
    assert (
        found[uscc(3)]["evidence"] | {"transferred_late": "100000.00", "transferred_on_time": "0.00"}
        == (found[uscc(3)]["evidence"])
    )
    assert found[uscc(3)]["level"] == "red"  # 100000.00 short >= red_amount
    assert found[uscc(4)]["evidence"]["due_by"] == "2026-10-31"


async def test_no_deposit_once_twenty_working_days_have_passed_since_registration(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    url = db_urls["wages"]
    await register(client, 1, kind="project")
    guaranteed = await register(client, 2, kind="project")
    body = {
        "uscc": uscc(2),
        "name": guaranteed["name"],
        "kind": "project",
        "district_code": "530102",
        "industry_code": "4890",
        "pay_day": 10,
        "project_name": "测试工程2",
        "wage_account": {"bank": "某银行昆明分行", "account_no": f"62220{2:010d}"},
        "deposit": {"kind": "guarantee", "amount": "1500000.00", "rate": "0.03"},
        "contract_price": "50000000.00",
        "monthly_labour_cost": "100000.00",
    }
    updated = await client.post("/api/v1/wages/employers", json=body, headers=writer())
    assert updated.status_code == 200, updated.text
    await register(client, 3)  # not a construction project
    # Registered Fri 2026-10-09: the 20th working day after is Thu 11-05 (Sat 10-10 a make-up day).
    database = Database(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            registered = datetime(2026, 10, 9, 10, 0, tzinfo=CHINA_TZ)
            await session.execute(update(MonitoredEmployer).values(created_at=registered))
    finally:
        await database.dispose()

    on_due_day = await evaluate(client, "2026-10", as_of="2026-11-05", rules=["no_deposit"])
    assert on_due_day["findings"] == {"no_deposit": 0}
    await evaluate(client, "2026-10", as_of="2026-11-06", rules=["no_deposit"])
    found = by_employer(await alerts(client), "no_deposit")
    assert set(found) == {uscc(1)}
    assert found[uscc(1)]["level"] == "yellow"
    assert found[uscc(1)]["evidence"] == {
        "registered_on": "2026-10-09",
        "due_by": "2026-11-05",
        "due_working_days": 20,
        "calendar_provisional": False,
        "roster_workers": 0,
    }
