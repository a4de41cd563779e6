"""Creating POSTs of the wages service honour Idempotency-Key (contract conventions): a retry
with the key gets the first status and body and writes nothing more; the key with another
request is 422 and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx

from shared.testing.plugin import identity_headers
from tests.wages.test_employers_support import (
    EMPLOYERS,
    PAYMENTS,
    PAYROLLS,
    account_no,
    employer_body,
    employer_uscc,
    ledger,
    line,
    project_body,
    reader,
    register,
    to_csv,
    worker_id,
    writer,
)
from tests.wages.test_ledgers import line_count


def _keyed(key: str) -> dict[str, str]:
    return {**writer(), "Idempotency-Key": key}


def _reused(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    assert [(e["loc"], e["code"]) for e in response.json()["errors"]] == [
        ("header.Idempotency-Key", "idempotency_key_reused")
    ]


async def _versions(client: httpx.AsyncClient, uscc: str, period: str) -> list[int]:
    page = await client.get(PAYROLLS, params={"uscc": uscc, "period": period}, headers=reader())
    assert page.status_code == 200, page.text
    return [item["version"] for item in page.json()["items"]]


async def test_a_retried_json_ledger_is_one_version(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    body = ledger(uscc, "2026-10", [line(1), line(2)])
    first = await wages_client.post(PAYROLLS, json=body, headers=_keyed("ledger-10"))
    again = await wages_client.post(PAYROLLS, json=body, headers=_keyed("ledger-10"))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert await _versions(wages_client, uscc, "2026-10") == [1]
    # The key with another ledger is refused; without a key a resubmission is a new version.
    _reused(await wages_client.post(PAYROLLS, json={**body, "lines": [line(1)]}, headers=_keyed("ledger-10")))
    assert await _versions(wages_client, uscc, "2026-10") == [1]
    other_key = await wages_client.post(PAYROLLS, json=body, headers=_keyed("ledger-10b"))
    assert other_key.status_code == 201 and other_key.json()["version"] == 2


async def test_a_keyed_csv_ledger_is_told_by_its_query_too(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    content = to_csv([line(1, paid_on="2026-10-09")])
    headers = {**_keyed("csv-1"), "Content-Type": "text/csv; charset=utf-8"}

    async def post(period: str) -> httpx.Response:
        return await wages_client.post(
            PAYROLLS, params={"uscc": uscc, "period": period}, content=content, headers=headers
        )

    first, again = await post("2026-10"), await post("2026-10")
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]
    # The same file for another month is another request.
    _reused(await post("2026-09"))
    assert await _versions(wages_client, uscc, "2026-09") == []


async def test_a_refused_ledger_leaves_its_key_free(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    bad = ledger(uscc, "2026-10", [line(1, payable="-1")])
    refused = await wages_client.post(PAYROLLS, json=bad, headers=_keyed("fix-and-retry"))
    assert refused.status_code == 422
    fixed = await wages_client.post(
        PAYROLLS, json=ledger(uscc, "2026-10", [line(1)]), headers=_keyed("fix-and-retry")
    )
    assert fixed.status_code == 201, fixed.text


async def test_a_retried_registration_answers_as_the_first_did(wages_client: httpx.AsyncClient) -> None:
    body = employer_body(1)
    first = await wages_client.post(EMPLOYERS, json=body, headers=_keyed("register-1"))
    again = await wages_client.post(EMPLOYERS, json=body, headers=_keyed("register-1"))
    # Without the key the second would be an update (200).
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    _reused(await wages_client.post(EMPLOYERS, json=employer_body(2), headers=_keyed("register-1")))
    missing = await wages_client.get(f"{EMPLOYERS}/{employer_uscc(2)}", headers=reader())
    assert missing.status_code == 404


async def test_retried_payments_and_transfers_answer_as_the_first_did(
    wages_client: httpx.AsyncClient,
) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, project_body(1))
    await wages_client.post(PAYROLLS, json=ledger(uscc, "2026-10", [line(1)]), headers=writer())
    payment: dict[str, Any] = {
        "bank_ref": "B0001",
        "id_number": worker_id(1),
        "amount": "4200.00",
        "paid_on": "2026-11-10",
        "period": "2026-10",
    }
    batch = {"account_no": account_no(1), "payments": [payment]}
    first = await wages_client.post(PAYMENTS, json=batch, headers=_keyed("pay-1"))
    again = await wages_client.post(PAYMENTS, json=batch, headers=_keyed("pay-1"))
    # Without the key the second would be 200, every payment a duplicate.
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    other = {**batch, "payments": [{**payment, "bank_ref": "B0002"}]}
    _reused(await wages_client.post(PAYMENTS, json=other, headers=_keyed("pay-1")))

    url = f"{EMPLOYERS}/{uscc}/labour-cost-transfers"
    transfer = {
        "period": "2026-10",
        "amount": "800000.00",
        "transferred_on": "2026-10-28",
        "bank_ref": "LC-1",
    }
    first = await wages_client.post(url, json=transfer, headers=_keyed("transfer-1"))
    again = await wages_client.post(url, json=transfer, headers=_keyed("transfer-1"))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json() and again.json()["duplicate"] is False
    # The same body for another project is another request.
    other_url = f"{EMPLOYERS}/{employer_uscc(2)}/labour-cost-transfers"
    _reused(await wages_client.post(other_url, json=transfer, headers=_keyed("transfer-1")))


async def test_keys_are_per_client_and_checked(wages_client: httpx.AsyncClient) -> None:
    too_long = await wages_client.post(EMPLOYERS, json=employer_body(1), headers=_keyed("k" * 129))
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["code"] == "idempotency_key_invalid"
    assert (await wages_client.get(f"{EMPLOYERS}/{employer_uscc(1)}", headers=reader())).status_code == 404
    # Another client's key of the same name is its own.
    mine = await wages_client.post(EMPLOYERS, json=employer_body(1), headers=_keyed("same"))
    theirs = await wages_client.post(
        EMPLOYERS,
        json=employer_body(2),
        headers={**identity_headers("wages:write", client_id="project-platform"), "Idempotency-Key": "same"},
    )
    assert mine.status_code == theirs.status_code == 201, theirs.text
    assert theirs.json()["uscc"] == employer_uscc(2)


async def test_a_large_keyed_ledger_is_stored_once(
    wages_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    # Over a megabyte: hashed in a worker thread, and on PostgreSQL COPYed in the transaction
    # that holds the key's claim.
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    body = ledger(uscc, "2026-10", [line(n, payable="3000.01", paid="3000.01") for n in range(12_000)])
    first = await wages_client.post(PAYROLLS, json=body, headers=_keyed("big"))
    again = await wages_client.post(PAYROLLS, json=body, headers=_keyed("big"))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json() and first.json()["line_count"] == 12_000
    assert await line_count(db_urls["wages"]) == 12_000
    assert await _versions(wages_client, uscc, "2026-10") == [1]
