"""Creating POSTs of the credit service honour Idempotency-Key (contract conventions)."""

from __future__ import annotations

import httpx

from tests.credit.test_file_and_grades import USCC_A, manager, register, violation_body
from tests.credit.test_listing import blacklist_body
from tests.credit.test_listing import manager as listing_manager


async def test_listing_proposal_replays_and_refuses_another_body(credit_client: httpx.AsyncClient) -> None:
    headers = {**listing_manager(), "Idempotency-Key": "propose-1"}
    first = await credit_client.post("/api/v1/credit/listings", json=blacklist_body(), headers=headers)
    again = await credit_client.post("/api/v1/credit/listings", json=blacklist_body(), headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]
    other = await credit_client.post(
        "/api/v1/credit/listings", json=blacklist_body(amount="40000.00"), headers=headers
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"


async def test_violation_retry_records_one_violation(credit_client: httpx.AsyncClient) -> None:
    await register(credit_client, USCC_A)
    headers = {**manager(), "Idempotency-Key": "violation-1"}
    first = await credit_client.post("/api/v1/credit/violations", json=violation_body(), headers=headers)
    again = await credit_client.post("/api/v1/credit/violations", json=violation_body(), headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]
    uscc = violation_body()["uscc"]
    file = (await credit_client.get(f"/api/v1/credit/subjects/{uscc}", headers=manager())).json()
    assert len(file["violations"]) == 1
