"""The wage-monitoring part of the yearly report, straight on the service: the current version
of each ledger only, pay periods of the report period, couriers broken out, and the records
behind each figure."""

from __future__ import annotations

from typing import Any

import httpx

from shared.testing.plugin import identity_headers
from tests.wages.test_employers_support import employer_body, ledger, line, register, submit, worker_id

ANNUAL = "/api/v1/wages/reports/annual"
READER = identity_headers("reports:read")


async def _records(client: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        url = f"{path}&limit=1" + (f"&cursor={cursor}" if cursor else "")
        response = await client.get(url, headers=READER)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


async def test_ledgers_of_the_period_count_once_each_in_their_current_version(
    wages_client: httpx.AsyncClient,
) -> None:
    courier = await register(wages_client, employer_body(1))
    shop = await register(wages_client, employer_body(2, industry_code="5211", district_code="530111"))
    await submit(
        wages_client,
        ledger(
            courier["uscc"],
            "2026-09",
            [line(1, paid="4000.00", paid_on="2026-10-10"), line(2, paid_on="2026-10-10")],
        ),
    )
    # Resubmitted: the second version replaces the first.
    await submit(
        wages_client,
        ledger(
            courier["uscc"],
            "2026-09",
            [line(1, paid="4100.10", paid_on="2026-10-10"), line(2, paid_on="2026-10-10")],
        ),
    )
    await submit(
        wages_client,
        ledger(shop["uscc"], "2026-10", [line(2, paid_on="2026-11-10"), line(3, paid_on="2026-11-10")]),
    )
    await submit(wages_client, ledger(shop["uscc"], "2025-12", [line(4, paid_on="2026-01-10")]))

    response = await wages_client.get(f"{ANNUAL}?from=2026-01-01&to=2026-12-31&explain=true", headers=READER)
    assert response.status_code == 200, response.text
    figures = response.json()["figures"]
    payroll = figures["payroll"]
    assert (payroll["ledgers"], payroll["employers"], payroll["workers"], payroll["lines"]) == (2, 2, 3, 4)
    assert payroll["payable"] == "16800.00" and payroll["paid"] == "16700.10"
    assert payroll["shortfall"] == "99.90" and payroll["workers_underpaid"] == 1
    assert payroll["courier"] == {"employers": 1, "workers": 2, "paid": "8300.10", "shortfall": "99.90"}
    assert figures["monitored_employers"]["employers"] == 2
    assert figures["monitored_employers"]["courier"] == {"employers": 1}

    ledgers = await _records(wages_client, payroll["explain"]["records"])
    assert [(r["period"], r["version"], r["line_count"]) for r in ledgers] == [
        ("2026-09", 2, 2),
        ("2026-10", 1, 2),
    ]
    assert sum(r["line_count"] for r in ledgers) == payroll["lines"]
    employers = await _records(wages_client, figures["monitored_employers"]["explain"]["courier_records"])
    assert [e["uscc"] for e in employers] == [courier["uscc"]]
    assert worker_id(1) not in str(ledgers)

    county = (await wages_client.get(f"{ANNUAL}?district_code=530111&from=2026-01-01", headers=READER)).json()
    assert (
        county["figures"]["payroll"]["ledgers"] == 1
        and county["figures"]["monitored_employers"]["employers"] == 1
    )
    last_year = (await wages_client.get(f"{ANNUAL}?from=2025-01-01&to=2025-12-31", headers=READER)).json()
    assert last_year["figures"]["payroll"]["lines"] == 1


async def test_only_report_readers_and_the_gateway_may_read_it(wages_client: httpx.AsyncClient) -> None:
    assert (await wages_client.get(ANNUAL)).status_code == 401
    assert (await wages_client.get(ANNUAL, headers=identity_headers("wages:read"))).status_code == 403
    assert (await wages_client.get(ANNUAL, headers=identity_headers("internal"))).status_code == 200
    records = await wages_client.get("/api/v1/wages/reports/records?figure=alerts", headers=READER)
    assert records.status_code == 200 and records.json() == {"items": [], "next_cursor": None}
