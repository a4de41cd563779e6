"""The complaints service's part of the yearly report, straight on the service: who may read it,
the period and district it covers, and the records behind each figure adding up to it.

Every figure against independently computed data is proven end to end, through the gateway,
in tests/test_report_annual.py; here the service's own edges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from complaints.main import create_app
from shared.identifiers import make_id_number, make_uscc
from shared.testing.plugin import app_client, identity_headers
from tests.complaints.helpers import act, complaint, file, report
from tests.conftest import complaints_settings

ANNUAL = "/api/v1/complaints/reports/annual"
RECORDS = "/api/v1/complaints/reports/records"
MANAGE = identity_headers("cases:manage", "cases:approve")
READER = identity_headers("reports:read")
COURIER = make_uscc("91530102MA6R0001A")
SHOP = make_uscc("91530111MA6R0002A")
WORKERS = [make_id_number(f"530102199{n}0101123") for n in range(4)]


@pytest.fixture
async def client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(complaints_settings(db_urls["complaints"]), configure_logs=False)
    async with app_client(app) as http:
        yield http


def employer(uscc: str, district: str, industry: str) -> dict[str, Any]:
    return {
        "name": f"单位{uscc[-4:]}",
        "uscc": uscc,
        "address": "昆明市某路1号",
        "district_code": district,
        "industry_code": industry,
    }


async def ok(client: httpx.AsyncClient, case_id: str, action: str, **fields: Any) -> None:
    response = await act(client, MANAGE, case_id, action, **fields)
    assert response.status_code == 200, response.text


async def _year(client: httpx.AsyncClient) -> None:
    """A courier complaint with three wage payments to two workers (one paid twice) and a fine;
    a report in another district; one case from 2025; one routine patrol."""
    courier = await file(
        client,
        MANAGE,
        complaint(
            channel="phone",
            received_at="2026-03-02T10:00:00+08:00",
            employer=employer(COURIER, "530102", "6020"),
            workers_affected=3,
            occurred_on="2026-02-01",
        ),
    )
    await ok(client, courier["id"], "accept", on="2026-03-03")
    await ok(client, courier["id"], "start_investigation", inspectors=["张三", "李四"], on="2026-03-04")
    for worker, amount, day in (
        (0, "1000.10", "2026-04-01"),
        (0, "200.20", "2026-05-01"),
        (1, "0.29", "2026-05-02"),
    ):
        await ok(
            client,
            courier["id"],
            "record_payment",
            worker={"name": "王五", "id_number": WORKERS[worker]},
            kind="wages",
            amount=amount,
            paid_on=day,
        )
    facts = {"issues": ["wage_arrears"], "workers": 2}
    await ok(
        client,
        courier["id"],
        "penalize",
        decision_no="昆人社罚〔2026〕1号",
        fine="5000.00",
        served_on="2026-06-01",
        facts=facts,
        on="2026-06-01",
    )
    shop = await file(
        client,
        MANAGE,
        report(
            received_at="2026-07-01T10:00:00+08:00",
            employer=employer(SHOP, "530111", "5211"),
            occurred_on="2026-06-01",
        ),
    )
    await ok(client, shop["id"], "accept", on="2026-07-02")
    await file(client, MANAGE, report(received_at="2025-12-31T23:59:00+08:00", occurred_on="2025-12-01"))
    patrol = {
        "kind": "routine_patrol",
        "employer": employer(COURIER, "530102", "6020"),
        "inspected_on": "2026-02-10",
        "inspectors": ["张三", "李四"],
        "headcount": 40,
    }
    response = await client.post("/api/v1/inspections", json=patrol, headers=MANAGE)
    assert response.status_code == 201, response.text


async def _all(client: httpx.AsyncClient, path: str, limit: int = 1) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        url = f"{path}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = await client.get(url, headers=READER)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_figures_of_the_period_and_the_records_behind_them(client: httpx.AsyncClient) -> None:
    await _year(client)
    response = await client.get(f"{ANNUAL}?from=2026-01-01&to=2026-12-31&explain=true", headers=READER)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        body["from"] == "2026-01-01"
        and body["to"] == "2026-12-31"
        and body["courier_industry_code"] == "6020"
    )
    figures = body["figures"]
    inspected = figures["employers_inspected"]
    assert (inspected["employers"], inspected["courier"]["employers"]) == (2, 1)
    assert inspected["by_source"] == {
        "routine_patrol": 1,
        "special_campaign": 0,
        "annual_review": 0,
        "case": 2,
    }
    covered = figures["workers_covered"]
    assert (covered["workers"], covered["from_inspections"], covered["from_cases"]) == (55, 40, 15)
    wages = figures["wages_recovered"]
    assert (wages["workers"], wages["payments"], wages["amount"]) == (2, 3, "1200.59")
    assert wages["courier"] == {"workers": 2, "amount": "1200.59"}
    assert figures["penalties"]["fines"] == "5000.00" and figures["penalties"]["employers"] == 1
    assert figures["hotline_calls"]["by_channel"] == {"phone": 1, "hotline_12345": 0}
    assert figures["complaints_and_reports"]["cases"] == 2  # the 2025 report is outside the period

    # Each figure says how it is counted and lists its records; they add up to the figure.
    explain = wages["explain"]
    assert "身份证号去重" in explain["counted_as"]
    assert explain["records"].startswith(f"{RECORDS}?figure=wages_recovered&from=2026-01-01&to=2026-12-31")
    payments = await _all(client, explain["records"])
    assert [p["amount"] for p in payments] == ["1000.10", "200.20", "0.29"]
    assert len({p["worker_id_number"] for p in payments}) == wages["workers"]
    assert payments[0]["worker_id_number"] == WORKERS[0][:4] + "*" * 10 + WORKERS[0][-4:]
    assert payments[0]["case_no"] == "2026-000001"
    employers = await _all(client, inspected["explain"]["records"])
    assert len(employers) == inspected["employers"]
    assert {e["uscc"]: (e["inspections"], e["cases"]) for e in employers} == {COURIER: (1, 1), SHOP: (0, 1)}
    courier_employers = await _all(client, inspected["explain"]["courier_records"])
    assert [e["uscc"] for e in courier_employers] == [COURIER]
    sources = await _all(client, covered["explain"]["records"])
    assert sum(s["workers"] for s in sources) == covered["workers"]
    cases = await _all(client, figures["complaints_and_reports"]["explain"]["records"])
    assert [c["case_no"] for c in cases] == ["2026-000001", "2026-000002"]
    assert "person_id_number" not in cases[0] and "complainant" not in cases[0]
    penalties = await _all(client, figures["penalties"]["explain"]["records"])
    assert [(p["source"], p["on"], p["fines"]) for p in penalties] == [("case", "2026-06-01", "5000.00")]

    # Without explain the figures stand alone.
    plain = (await client.get(f"{ANNUAL}?from=2026-01-01&to=2026-12-31", headers=READER)).json()
    assert "explain" not in plain["figures"]["wages_recovered"]


async def test_district_and_period_narrow_every_figure(client: httpx.AsyncClient) -> None:
    await _year(client)
    city = (
        await client.get(f"{ANNUAL}?from=2026-01-01&to=2026-12-31&district_code=530100", headers=READER)
    ).json()
    assert city["figures"]["employers_inspected"]["employers"] == 2
    county = (await client.get(f"{ANNUAL}?from=2026-01-01&district_code=530111", headers=READER)).json()
    assert county["to"] == "2026-12-31"
    assert county["figures"]["employers_inspected"]["employers"] == 1
    assert county["figures"]["wages_recovered"]["amount"] == "0.00"
    spring = (await client.get(f"{ANNUAL}?from=2026-04-01&to=2026-04-30", headers=READER)).json()
    assert spring["figures"]["wages_recovered"]["amount"] == "1000.10"
    assert spring["figures"]["complaints_and_reports"]["cases"] == 0


async def test_scopes_dates_and_districts_are_checked(client: httpx.AsyncClient) -> None:
    assert (await client.get(ANNUAL)).status_code == 401
    refused = await client.get(ANNUAL, headers=identity_headers("complaints:read"))
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    assert (await client.get(ANNUAL, headers=identity_headers("internal"))).status_code == 200
    backwards = await client.get(f"{ANNUAL}?from=2026-05-01&to=2026-04-01", headers=READER)
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["loc"] == "query.to"
    bad_figure = await client.get(f"{RECORDS}?figure=everything", headers=READER)
    assert bad_figure.status_code == 422 and bad_figure.json()["errors"][0]["loc"] == "query.figure"
    bad_cursor = await client.get(f"{RECORDS}?figure=wages_recovered&cursor=WyJ4Il0", headers=READER)
    assert bad_cursor.status_code == 422 and bad_cursor.json()["errors"][0]["loc"] == "query.cursor"


async def test_a_district_client_reports_on_its_district_only(client: httpx.AsyncClient) -> None:
    from shared.auth import IDENTITY_HEADER, Identity, issue_identity_token
    from shared.testing.plugin import TEST_SECRET

    token = issue_identity_token(
        Identity("wuhua", "五华区", frozenset({"reports:read"}), ("530102",)), TEST_SECRET, 600
    )
    headers = {IDENTITY_HEADER: token}
    own = await client.get(ANNUAL, headers=headers)
    assert own.status_code == 200 and own.json()["district_code"] == "530102"
    other = await client.get(f"{ANNUAL}?district_code=530111", headers=headers)
    assert other.status_code == 403 and other.json()["code"] == "district_not_allowed"
    whole_city = await client.get(f"{RECORDS}?figure=penalties&district_code=530100", headers=headers)
    assert whole_city.status_code == 403
