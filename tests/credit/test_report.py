"""The credit part of the yearly report, straight on the service: blacklist decisions counted
by the day they were taken and by the day they were published, one per decision whatever the
number of persons on it, and the records behind them."""

from __future__ import annotations

import httpx

from shared.testing.plugin import identity_headers
from tests.credit.test_listing import listed, manager, uscc

ANNUAL = "/api/v1/credit/reports/annual"
READER = identity_headers("reports:read")


async def test_decisions_and_publications_of_the_period(credit_client: httpx.AsyncClient) -> None:
    courier = {"uscc": uscc(1), "name": "甲快递有限公司", "district_code": "530102", "industry_code": "6020"}
    response = await credit_client.post("/api/v1/credit/subjects", json=courier, headers=manager())
    assert response.status_code == 201, response.text
    await listed(credit_client, "2026-03-01", unit=uscc(1), name="甲快递有限公司")  # two persons
    await listed(credit_client, "2026-04-01", unit=uscc(2), publish=False, people=())
    await listed(credit_client, "2025-06-01", unit=uscc(3), people=())  # decided and published in 2025

    response = await credit_client.get(f"{ANNUAL}?from=2026-01-01&to=2026-12-31&explain=true", headers=READER)
    assert response.status_code == 200, response.text
    blacklist = response.json()["figures"]["blacklist"]
    assert (blacklist["decisions"], blacklist["published"], blacklist["units"], blacklist["persons"]) == (
        2,
        1,
        2,
        2,
    )
    assert blacklist["courier"] == {"decisions": 1, "published": 1}
    assert "列入决定日期" in blacklist["explain"]["counted_as"]
    records = await credit_client.get(blacklist["explain"]["records"], headers=READER)
    assert {r["uscc"] for r in records.json()["items"]} == {uscc(1), uscc(2)}
    courier_records = await credit_client.get(blacklist["explain"]["courier_records"], headers=READER)
    assert [r["uscc"] for r in courier_records.json()["items"]] == [uscc(1)]

    wuhua = await credit_client.get(f"{ANNUAL}?district_code=530102&from=2026-01-01", headers=READER)
    assert wuhua.json()["figures"]["blacklist"]["decisions"] == 1  # the others have no district on file
    previous = await credit_client.get(f"{ANNUAL}?from=2025-01-01&to=2025-12-31", headers=READER)
    assert previous.json()["figures"]["blacklist"]["decisions"] == 1


async def test_scopes(credit_client: httpx.AsyncClient) -> None:
    assert (await credit_client.get(ANNUAL, headers=identity_headers("credit:check"))).status_code == 403
    assert (await credit_client.get(ANNUAL, headers=identity_headers("internal"))).status_code == 200
    bad = await credit_client.get(f"{ANNUAL[:-6]}records?figure=blacklist&cursor=WzFd", headers=READER)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == "query.cursor"
