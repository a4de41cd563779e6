"""Registration of employers and construction projects, the real-name roster, pay dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from shared.calendar import WorkingDayCalendar, default_calendar
from shared.timeutil import china_today
from tests.wages.test_employers_support import (
    EMPLOYERS,
    account_no,
    employer_body,
    employer_uscc,
    locs,
    project_body,
    reader,
    register,
    worker_id,
    writer,
)
from wages.config import WagesSettings
from wages.employer.payday import pay_date
from wages.employer.period import PeriodError


async def test_register_read_list_and_update_an_employer(wages_client: httpx.AsyncClient) -> None:
    created = await register(wages_client, employer_body(1))
    assert created["uscc"] == employer_uscc(1)
    assert created["kind"] == "employer"
    assert created["pay_cycle"] == "monthly"
    assert created["wage_account"] is None and created["deposit"] is None
    assert created["registered_by"] == "payroll-system"

    response = await wages_client.get(f"{EMPLOYERS}/{employer_uscc(1)}", headers=reader())
    assert response.status_code == 200
    assert response.json()["name"] == "某某快递有限公司1"

    # The same USCC again (lower case and with a full-width space around it): updated, not duplicated.
    again = employer_body(
        1, uscc=f"\u3000{employer_uscc(1).lower()} ", name="某某快递有限公司（更名）", pay_day=5
    )
    updated = await register(wages_client, again, status=200)
    assert updated["id"] == created["id"]
    assert updated["name"] == "某某快递有限公司（更名）"
    assert updated["pay_day"] == 5

    listing = await wages_client.get(EMPLOYERS, headers=reader())
    assert [e["uscc"] for e in listing.json()["items"]] == [employer_uscc(1)]
    other_district = await wages_client.get(EMPLOYERS, params={"district_code": "530113"}, headers=reader())
    assert other_district.json()["items"] == []


async def test_register_a_project_with_account_and_deposit(wages_client: httpx.AsyncClient) -> None:
    created = await register(wages_client, project_body(2))
    assert created["kind"] == "project"
    assert created["wage_account"] == {"bank": "某银行昆明西山支行", "account_no": account_no(2)}
    assert created["deposit"]["kind"] == "deposit"
    assert created["deposit"]["amount"] == "600000.00"
    assert created["deposit"]["rate"] in ("0.03", "0.0300")
    assert created["contract_price"] == "20000000.00"
    assert created["monthly_labour_cost"] == "800000.00"

    # A guarantee at the 0.5% floor, and an exemption without amount or rate, are accepted.
    guarantee = {"kind": "guarantee", "amount": "100000.00", "rate": "0.005"}
    await register(wages_client, project_body(3, deposit=guarantee))
    exempt = await register(wages_client, project_body(4, deposit={"kind": "exempt"}))
    assert exempt["deposit"] == {"kind": "exempt", "amount": None, "rate": None}
    # No deposit at all is registered (its absence is an early-warning signal, not an input error).
    without = await register(wages_client, project_body(5, deposit=None))
    assert without["deposit"] is None

    # Turning a project into a plain employer clears the project data.
    plain = await register(wages_client, employer_body(5), status=200)
    assert plain["kind"] == "employer" and plain["wage_account"] is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            project_body(9, monthly_labour_cost=None),
            [("monthly_labour_cost", "missing")],
        ),
        (
            project_body(
                9, project_name=None, wage_account=None, contract_price=None, monthly_labour_cost=None
            ),
            [
                ("project_name", "missing"),
                ("wage_account", "missing"),
                ("contract_price", "missing"),
                ("monthly_labour_cost", "missing"),
            ],
        ),
        (
            project_body(9, deposit={"kind": "deposit", "amount": "800000.00", "rate": "0.04"}),
            [("deposit.rate", "deposit_rate_out_of_range")],
        ),
        (
            project_body(9, deposit={"kind": "deposit", "amount": "800000.00", "rate": "0.004"}),
            [("deposit.rate", "deposit_rate_out_of_range")],
        ),
        (
            project_body(9, deposit={"kind": "guarantee"}),
            [("deposit.amount", "missing"), ("deposit.rate", "missing")],
        ),
        (
            project_body(9, deposit={"kind": "exempt", "amount": "1000.00"}),
            [("deposit.amount", "deposit_exempt_with_amount")],
        ),
        (
            employer_body(9, project_name="某项目", monthly_labour_cost="100.00"),
            [("project_name", "project_only"), ("monthly_labour_cost", "project_only")],
        ),
        (employer_body(9, pay_cycle="weekly"), [("pay_cycle", "literal_error")]),
        (employer_body(9, pay_day=32), [("pay_day", "less_than_equal")]),
        (employer_body(9, pay_day=0), [("pay_day", "greater_than_equal")]),
        (employer_body(9, kind="branch"), [("kind", "literal_error")]),
        (employer_body(9, uscc=employer_uscc(9)[:-1] + "0"), [("uscc", "uscc_invalid_checksum")]),
        (employer_body(9, district_code="5301"), [("district_code", "district_code_invalid")]),
        (project_body(9, contract_price=20000000.5), [("contract_price", "money_float_not_allowed")]),
        (
            project_body(9, wage_account={"bank": "某银行", "account_no": "12ab"}),
            [("wage_account.account_no", "account_no_invalid")],
        ),
    ],
)
async def test_registration_is_validated(
    wages_client: httpx.AsyncClient, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    response = await wages_client.post(EMPLOYERS, json=body, headers=writer())
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert locs(problem) == expected
    assert (await wages_client.get(EMPLOYERS, headers=reader())).json()["items"] == []


async def test_a_wage_account_names_one_project(wages_client: httpx.AsyncClient) -> None:
    await register(wages_client, project_body(1))
    taken = project_body(2, wage_account={"bank": "某银行", "account_no": account_no(1)})
    response = await wages_client.post(EMPLOYERS, json=taken, headers=writer())
    assert response.status_code == 409
    assert response.json()["code"] == "wage_account_in_use"


async def test_scopes_and_unknown_employer(wages_client: httpx.AsyncClient) -> None:
    response = await wages_client.post(EMPLOYERS, json=employer_body(1), headers=reader())
    assert response.status_code == 403
    missing = await wages_client.get(f"{EMPLOYERS}/{employer_uscc(7)}", headers=reader())
    assert missing.status_code == 404
    assert missing.json()["code"] == "employer_not_registered"
    bad = await wages_client.get(f"{EMPLOYERS}/123", headers=reader())
    assert bad.status_code == 422
    assert locs(bad.json()) == [("path.uscc", "uscc_invalid_length")]


# -- roster -------------------------------------------------------------------------------------


def _worker(n: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"id_number": worker_id(n), "name": f"工人{n}", "active_from": "2026-03-01"}
    row.update(overrides)
    return row


async def _roster(client: httpx.AsyncClient, uscc: str, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(f"{EMPLOYERS}/{uscc}/roster", params=params, headers=reader())
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_roster_is_replaced_ending_removed_workers_today(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, project_body(1))
    url = f"{EMPLOYERS}/{uscc}/roster"
    first = await wages_client.put(url, json=[_worker(1), _worker(2), _worker(3)], headers=writer())
    assert first.status_code == 200, first.text
    assert first.json() | {"on": None} == {
        "uscc": uscc, "on": None, "added": 3, "updated": 0, "unchanged": 0, "ended": 0, "active": 3,
    }  # fmt: skip

    listed = await _roster(wages_client, uscc)
    assert [w["name"] for w in listed] == ["工人1", "工人2", "工人3"]
    # 身份证号 masked in the list: first 4 and last 4 kept.
    assert listed[0]["id_number"] == worker_id(1)[:4] + "*" * 10 + worker_id(1)[-4:]
    assert all(w["active"] for w in listed)

    # Worker 1 unchanged, worker 2 renamed, worker 3 gone, worker 4 new.
    second = await wages_client.put(
        url,
        json=[_worker(1), _worker(2, name="工人二"), _worker(4, active_from="2026-11-01")],
        headers=writer(),
    )
    assert second.status_code == 200, second.text
    today = china_today()
    expected = {"added": 1, "updated": 1, "unchanged": 1, "ended": 1, "active": 4}
    assert second.json() == {"uscc": uscc, "on": today.isoformat(), **expected}
    everyone = {w["name"]: w for w in await _roster(wages_client, uscc)}
    assert set(everyone) == {"工人1", "工人二", "工人3", "工人4"}
    assert everyone["工人3"]["active_to"] == today.isoformat()
    # Ended today: today was still worked.
    assert everyone["工人3"]["active"] is True
    active = await _roster(wages_client, uscc, active="true")
    assert len(active) == 4

    # Emptying the roster ends everybody still on it.
    third = await wages_client.put(url, json=[], headers=writer())
    assert third.json()["ended"] == 3
    assert {w["active_to"] for w in await _roster(wages_client, uscc)} == {today.isoformat()}


async def test_roster_is_validated_whole(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    url = f"{EMPLOYERS}/{uscc}/roster"
    assert (await wages_client.put(url, json=[_worker(1)], headers=writer())).status_code == 200
    rows = [
        _worker(2, id_number=worker_id(2)[:-1] + ("0" if worker_id(2)[-1] != "0" else "1")),
        _worker(3),
        _worker(4, name=" "),
        _worker(5, active_from="2026-05-01", active_to="2026-04-30"),
        _worker(3, name="重复的工人"),
        {"id_number": worker_id(6), "name": "工人6"},
        "not an object",
    ]
    response = await wages_client.put(url, json=rows, headers=writer())
    assert response.status_code == 422, response.text
    assert locs(response.json()) == [
        ("[0].id_number", "id_number_invalid_checksum"),
        ("[2].name", "string_too_short"),
        ("[3].active_to", "active_to_before_active_from"),
        ("[4].id_number", "duplicate_id_number"),
        ("[5].active_from", "missing"),
        ("[6]", "model_type"),
    ]
    # Nothing changed.
    assert [w["name"] for w in await _roster(wages_client, uscc)] == ["工人1"]
    assert (await wages_client.put(url, json={"rows": []}, headers=writer())).status_code == 422
    unknown = await wages_client.put(f"{EMPLOYERS}/{employer_uscc(2)}/roster", json=[], headers=writer())
    assert unknown.status_code == 404


# -- pay dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pay_day", "period", "due_on", "moved_from", "provisional"),
    [
        # 2026-10-01 is National Day: paid before it, on Wednesday 2026-09-30.
        (1, "2026-09", "2026-09-30", "2026-10-01", False),
        # 2026-10-05 is inside the Oct 1-7 holidays; Sept 30 is the last working day before them.
        (5, "2026-09", "2026-09-30", "2026-10-05", False),
        # Saturday 2026-08-01 -> Friday 2026-07-31.
        (1, "2026-07", "2026-07-31", "2026-08-01", False),
        # Sunday 2026-11-15 -> Friday 2026-11-13.
        (15, "2026-10", "2026-11-13", "2026-11-15", False),
        # Saturday 2026-10-10 is a make-up working day (调休): not moved.
        (10, "2026-09", "2026-10-10", None, False),
        # Pay day 31 in February: the 28th, a make-up working Saturday in 2026.
        (31, "2026-01", "2026-02-28", None, False),
        # 2027 has no published schedule: weekdays only, flagged provisional (Jan 1 is a Friday).
        (1, "2026-12", "2027-01-01", None, True),
        # Sunday 2027-03-07 -> Friday 2027-03-05, provisional.
        (7, "2027-02", "2027-03-05", "2027-03-07", True),
    ],
)
async def test_pay_date_endpoint(
    wages_client: httpx.AsyncClient,
    pay_day: int,
    period: str,
    due_on: str,
    moved_from: str | None,
    provisional: bool,
) -> None:
    uscc = employer_uscc(pay_day)
    await register(wages_client, employer_body(pay_day, pay_day=pay_day))
    response = await wages_client.get(
        f"{EMPLOYERS}/{uscc}/pay-dates", params={"period": period}, headers=reader()
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "uscc": uscc,
        "pay_day": pay_day,
        "period": period,
        "due_on": due_on,
        "moved_from": moved_from,
        "calendar_provisional": provisional,
    }


async def test_pay_date_endpoint_errors(wages_client: httpx.AsyncClient) -> None:
    await register(wages_client, employer_body(1))
    url = f"{EMPLOYERS}/{employer_uscc(1)}/pay-dates"
    bad = await wages_client.get(url, params={"period": "2026-13"}, headers=reader())
    assert bad.status_code == 422
    assert locs(bad.json()) == [("query.period", "string_pattern_mismatch")]
    unknown = await wages_client.get(
        f"{EMPLOYERS}/{employer_uscc(2)}/pay-dates", params={"period": "2026-10"}, headers=reader()
    )
    assert unknown.status_code == 404


def test_pay_date_in_the_period_itself_when_so_agreed() -> None:
    same_month = WagesSettings(pay_day_in_next_month=False)
    next_month = WagesSettings()
    calendar = default_calendar()
    assert pay_date(25, "2026-10", calendar, same_month).due_on == date(2026, 10, 23)  # Sun 25 -> Fri 23
    assert pay_date(25, "2026-10", calendar, next_month).due_on == date(2026, 11, 25)
    # A loaded schedule for 2027 makes the answer final: 2027-01-01 declared a holiday.
    loaded = WorkingDayCalendar()
    loaded.load_year(2027, [date(2027, 1, 1)], [], "测试用节假日安排")
    result = pay_date(1, "2026-12", loaded, next_month)
    assert (result.due_on, result.moved_from, result.calendar_provisional) == (
        date(2026, 12, 31),
        date(2027, 1, 1),
        False,
    )
    with pytest.raises(PeriodError):
        pay_date(1, "2026-1", calendar, next_month)
    with pytest.raises(ValueError):
        pay_date(0, "2026-10", calendar, next_month)
