"""Creating POSTs of the credit service honour Idempotency-Key (contract conventions)."""

from __future__ import annotations

import httpx

from tests.credit.test_file_and_grades import USCC_A, get_file, manager, record, register, violation_body
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


def _reused(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"


async def test_a_retried_registration_answers_201_as_the_first_did(credit_client: httpx.AsyncClient) -> None:
    body = {"uscc": USCC_A, "name": "某某快递有限公司", "district_code": "530102", "industry_code": "6020"}
    headers = {**manager(), "Idempotency-Key": "register-1"}
    first = await credit_client.post("/api/v1/credit/subjects", json=body, headers=headers)
    again = await credit_client.post("/api/v1/credit/subjects", json=body, headers=headers)
    # Without the key the second would be an update (200).
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    _reused(
        await credit_client.post(
            "/api/v1/credit/subjects", json={**body, "name": "另一家公司"}, headers=headers
        )
    )
    file = await get_file(credit_client)
    assert file["subject"]["name"] == "某某快递有限公司"


async def test_a_retried_correction_corrects_once(credit_client: httpx.AsyncClient) -> None:
    await register(credit_client, USCC_A)
    original = await record(credit_client)
    url = f"/api/v1/credit/violations/{original['id']}/corrections"
    body = violation_body(workers=5, reason="核实后受害人数为5人")
    headers = {**manager(), "Idempotency-Key": "correct-1"}
    first = await credit_client.post(url, json=body, headers=headers)
    again = await credit_client.post(url, json=body, headers=headers)
    # Without the key the second would be 409: the original is superseded.
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    file = await get_file(credit_client, include_superseded="true")
    assert len(file["violations"]) == 2


async def test_a_retried_disclosure_batch_and_override_answer_as_the_first_did(
    credit_client: httpx.AsyncClient,
) -> None:
    batches = "/api/v1/credit/disclosures/batches"
    headers = {**listing_manager(), "Idempotency-Key": "batch-2026Q3"}
    first = await credit_client.post(batches, json={"period": "2026Q3"}, headers=headers)
    again = await credit_client.post(batches, json={"period": "2026Q3"}, headers=headers)
    # Without the key the second would be 409 batch_exists.
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    _reused(await credit_client.post(batches, json={"period": "2026Q2"}, headers=headers))
    assert (
        await credit_client.post(batches, json={"period": "2026Q2"}, headers=listing_manager())
    ).status_code == 201

    await register(credit_client, USCC_A)
    await record(credit_client)
    url = f"/api/v1/credit/subjects/{USCC_A}/grades/2026/override"
    body = {"grade": "A", "reason": "经复核，系劳务派遣单位责任"}
    headers = {**manager(), "Idempotency-Key": "override-1"}
    first = await credit_client.post(url, json=body, headers=headers)
    again = await credit_client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    # The same body for another year is another request.
    _reused(await credit_client.post(url.replace("/2026/", "/2025/"), json=body, headers=headers))
