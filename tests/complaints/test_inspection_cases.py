"""A finding on inspection opens a case, through the gateway, once."""

from __future__ import annotations

from typing import Any

import httpx

from tests.complaints.test_inspections import employer, inspection


async def test_a_finding_opens_one_linked_case(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    body = inspection(
        employer_body=employer("昆明某快递有限公司", industry_code="6020"),
        findings=[
            {
                "issue": "illegal_deposit",
                "description": "收取风险抵押金",
                "workers_affected": 5,
                "amount": "2500.00",
            }
        ],
    )
    created = await gateway_client.post("/api/v1/inspections", json=body, headers=inspector)
    assert created.status_code == 201, created.text
    record = created.json()
    finding = record["findings"][0]
    url = f"/api/v1/inspections/{record['id']}/findings/{finding['id']}/case"

    opened = await gateway_client.post(url, headers=inspector)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["channel"] == "inspection"
    assert case["kind"] == "report"
    assert case["issues"] == ["illegal_deposit"]
    assert case["workers_affected"] == 5
    assert case["amount_claimed"] == "2500.00"
    assert case["external_ref"] == {"system": "inspection", "id": record["id"]}
    assert case["employer"]["industry_code"] == "6020"

    again = await gateway_client.post(url, headers=inspector)
    assert again.status_code == 409
    assert again.json()["case_id"] == case["id"]
    linked = (await gateway_client.get(f"/api/v1/inspections/{record['id']}", headers=inspector)).json()
    assert linked["findings"][0]["case_id"] == case["id"]
    missing = await gateway_client.post(
        f"/api/v1/inspections/{record['id']}/findings/999999/case", headers=inspector
    )
    assert missing.status_code == 404 and missing.json()["code"] == "finding_not_found"


async def test_a_keyed_retry_gets_the_case_opened_first(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    findings: list[dict[str, Any]] = [
        {"issue": "illegal_deposit", "workers_affected": 2},
        {"issue": "working_hours"},
    ]
    created = await gateway_client.post(
        "/api/v1/inspections", json=inspection(findings=findings), headers=inspector
    )
    assert created.status_code == 201, created.text
    record = created.json()
    first_url, second_url = (
        f"/api/v1/inspections/{record['id']}/findings/{finding['id']}/case" for finding in record["findings"]
    )
    keyed = {**inspector, "Idempotency-Key": "open-deposit-case"}
    opened = await gateway_client.post(first_url, headers=keyed)
    retried = await gateway_client.post(first_url, headers=keyed)
    # The answer lost on the way is given again, where a retry without the key is 409.
    assert opened.status_code == retried.status_code == 201, retried.text
    assert retried.json() == opened.json()
    assert (await gateway_client.post(first_url, headers=inspector)).status_code == 409
    # The key for another finding is refused and opens nothing.
    reused = await gateway_client.post(second_url, headers=keyed)
    assert reused.status_code == 422 and reused.json()["errors"][0]["code"] == "idempotency_key_reused"
    linked = (await gateway_client.get(f"/api/v1/inspections/{record['id']}", headers=inspector)).json()
    assert [finding["case_id"] for finding in linked["findings"]] == [opened.json()["id"], None]
