"""Penalty guide over HTTP: POST /api/v1/complaints/penalty-guide and the violation catalogue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest

from complaints.config import ComplaintsSettings, CrimeThresholds
from complaints.main import create_app
from complaints.penalty.rules import Violation
from shared.testing.plugin import app_client, identity_headers

GUIDE = "/api/v1/complaints/penalty-guide"
VIOLATIONS = "/api/v1/complaints/penalty-guide/violations"

SAMPLE: dict[str, Any] = {
    "violation": "wage_arrears",
    "facts": {
        "workers": 12,
        "amount": "36000.00",
        "days": 30,
        "months_unpaid": 4,
        "order_served": True,
        "deadline_passed": True,
        "unpaid": True,
        "evasion_means": False,
        "able_to_pay": True,
    },
}


@asynccontextmanager
async def penalty_app(database_url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        ComplaintsSettings(database_url=database_url, environment="test", **settings), configure_logs=False
    )
    async with app_client(app) as client:
        yield client


@pytest.fixture
async def client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with penalty_app(db_urls["complaints"]) as c:
        yield c


def manage() -> dict[str, str]:
    # Issued per request: the identity token lives 60 seconds, a module constant would expire.
    return identity_headers("cases:manage")


async def test_guide_for_wage_arrears_with_crime_check(client: httpx.AsyncClient) -> None:
    response = await client.post(GUIDE, json=SAMPLE, headers=manage())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["violation"] == "wage_arrears"
    assert body["citation"]["text"] == "劳动保障监察条例 第二十六条第（一）项"
    assert body["citation"]["law"] == "labor_inspection_regulation"
    assert body["citation"]["article"] == "26"
    [compensation] = [c for c in body["consequences"] if c["kind"] == "compensation"]
    assert compensation["amount"]["min"] == "18000.00"
    assert compensation["amount"]["max"] == "36000.00"
    assert compensation["amount"]["basis"] == "percent_of_amount_due"
    assert compensation["applies"] is True
    crime = body["crime_check"]
    assert crime["status"] == "met"
    assert crime["suggest_action"] == "transfer_police"
    assert crime["thresholds"]["group_amount"] == "30000.00"
    assert body["missing_facts"] == []


async def test_per_worker_fine_amounts_are_decimal_strings(client: httpx.AsyncClient) -> None:
    response = await client.post(
        GUIDE, json={"violation": "female_protection", "facts": {"workers": 3}}, headers=manage()
    )
    assert response.status_code == 200
    [fine] = [c for c in response.json()["consequences"] if c["kind"] == "fine"]
    assert fine["amount"]["min"] == "3000.00"
    assert fine["amount"]["max"] == "15000.00"
    assert fine["amount"]["per_unit_min"] == "1000.00"
    assert fine["citation"]["text"] == "劳动保障监察条例 第二十三条第（一）项至第（六）项"


async def test_missing_facts_listed_with_per_unit_range(client: httpx.AsyncClient) -> None:
    response = await client.post(GUIDE, json={"violation": "illegal_deposit"}, headers=manage())
    assert response.status_code == 200
    body = response.json()
    [fine] = [c for c in body["consequences"] if c["kind"] == "fine"]
    assert fine["amount"]["min"] is None
    assert (fine["amount"]["per_unit_min"], fine["amount"]["per_unit_max"]) == ("500.00", "2000.00")
    assert body["missing_facts"] == ["workers"]


async def test_fraud_names_the_prevailing_law(client: httpx.AsyncClient) -> None:
    response = await client.post(
        GUIDE, json={"violation": "social_insurance_fraud", "facts": {"amount": "1000.00"}}, headers=manage()
    )
    body = response.json()
    [fine] = [c for c in body["consequences"] if c["kind"] == "fine"]
    assert fine["citation"]["text"] == "社会保险法 第八十八条"
    assert (fine["amount"]["min"], fine["amount"]["max"]) == ("2000.00", "5000.00")
    [old] = body["superseded"]
    assert old["citation"]["text"] == "劳动保障监察条例 第二十七条第二款"
    assert old["superseded_by"]["article"] == "88"


async def test_crime_thresholds_come_from_settings(db_urls: dict[str, str]) -> None:
    strict = CrimeThresholds(group_workers=20, group_amount=Decimal("100000"))
    async with penalty_app(db_urls["complaints"], crime_thresholds=strict) as c:
        response = await c.post(GUIDE, json=SAMPLE, headers=manage())
    crime = response.json()["crime_check"]
    assert crime["status"] != "met"
    assert crime["suggest_action"] is None
    assert crime["thresholds"]["group_workers"] == 20


async def test_largest_facts_stay_within_money_range(client: httpx.AsyncClient) -> None:
    body = {"violation": "social_insurance_arrears", "facts": {"amount": "10000000000.00", "days": 36500}}
    response = await client.post(GUIDE, json=body, headers=manage())
    assert response.status_code == 200
    [late] = [c for c in response.json()["consequences"] if c["kind"] == "late_fee"]
    assert late["amount"]["max"] == "182500000000.00"


async def test_catalogue_lists_every_violation_with_its_citation(client: httpx.AsyncClient) -> None:
    response = await client.get(VIOLATIONS, headers=manage())
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["violation"] for i in items] == [v.value for v in Violation]
    by_code = {i["violation"]: i for i in items}
    assert by_code["retaliation"]["citation"]["text"] == "劳动保障监察条例 第三十条第一款第（四）项"
    assert by_code["retaliation"]["kinds"] == ["order_to_correct"]
    assert by_code["wage_arrears"]["crime_check"] is True
    assert {"law": "labor_inspection_regulation", "article": "26"}.items() <= by_code["no_severance"][
        "citation"
    ].items()


async def test_requires_gateway_token(client: httpx.AsyncClient) -> None:
    response = await client.post(GUIDE, json=SAMPLE)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), [("POST", GUIDE), ("GET", VIOLATIONS)])
async def test_requires_cases_manage_scope(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(
        method, path, json=SAMPLE if method == "POST" else None, headers=identity_headers("complaints:read")
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "insufficient_scope"
    assert body["required_scopes"] == ["cases:manage"]


async def test_unknown_violation_names_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post(GUIDE, json={"violation": "jaywalking", "facts": {}}, headers=manage())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == "violation"


@pytest.mark.parametrize(
    ("facts", "loc", "code"),
    [
        ({"amount": 36000.5}, "facts.amount", "money_float_not_allowed"),
        ({"workers": 0}, "facts.workers", "greater_than_equal"),
        ({"amount": "20000000000.00"}, "facts.amount", "value_error"),
        ({"headcount": 3}, "facts.headcount", "extra_forbidden"),
    ],
)
async def test_bad_facts_name_the_field(
    client: httpx.AsyncClient, facts: dict[str, Any], loc: str, code: str
) -> None:
    response = await client.post(GUIDE, json={"violation": "wage_arrears", "facts": facts}, headers=manage())
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["loc"], error["code"]) == (loc, code)
