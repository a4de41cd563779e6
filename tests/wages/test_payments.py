"""Bank confirmations of payments from a dedicated wage account, and labour-cost transfers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shared.db import Database
from tests.wages.test_employers_support import (
    EMPLOYERS,
    PAYMENTS,
    account_no,
    employer_body,
    employer_uscc,
    ledger,
    line,
    locs,
    project_body,
    reader,
    register,
    submit,
    worker_id,
    writer,
)
from wages.ledger.models import BankPayment, PayrollLine


def _payment(
    ref: str, n: int, *, period: str = "2026-10", amount: Any = "4200.00", **extra: Any
) -> dict[str, Any]:
    body = {
        "bank_ref": ref,
        "id_number": worker_id(n),
        "amount": amount,
        "paid_on": "2026-11-10",
        "period": period,
    }
    body.update(extra)
    return body


async def _post(client: httpx.AsyncClient, body: dict[str, Any], status: int) -> dict[str, Any]:
    response = await client.post(PAYMENTS, json=body, headers=writer())
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


async def _matches(url: str) -> dict[str, tuple[str, int | None]]:
    """bank_ref -> (ledger id, line_no) of the line each payment is matched to."""
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            rows = await session.execute(
                select(BankPayment.bank_ref, PayrollLine.ledger_id, PayrollLine.line_no).outerjoin(
                    PayrollLine, PayrollLine.id == BankPayment.matched_line_id
                )
            )
            return {ref: (ledger_id, line_no) for ref, ledger_id, line_no in rows.all()}
    finally:
        await database.dispose()


async def test_confirmations_matched_unmatched_and_duplicate(
    wages_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, project_body(1))
    october = await submit(wages_client, ledger(uscc, "2026-10", [line(1), line(2)]))
    batch = {
        "account_no": account_no(1),
        "payments": [
            _payment("B0001", 1),
            _payment("B0002", 2, amount="4000.00"),
            _payment("B0003", 3),  # not in the October ledger
            _payment("B0004", 1, period="2026-09"),  # no September ledger
            _payment("B0001", 1),  # repeated inside the batch
        ],
    }
    first = await _post(wages_client, batch, 201)
    assert first["uscc"] == uscc
    assert (first["received"], first["matched"]) == (4, 2)
    assert first["duplicates"] == ["B0001"]
    assert [(u["bank_ref"], u["reason"]) for u in first["unmatched"]] == [
        ("B0003", "not_in_ledger"),
        ("B0004", "no_ledger"),
    ]
    assert first["unmatched"][0]["id_number"] == worker_id(3)[:4] + "**********" + worker_id(3)[-4:]

    # The same batch again (a bank's retry): nothing new, every bank_ref a duplicate, not an error.
    again = await _post(wages_client, batch, 200)
    assert (again["received"], again["matched"], again["unmatched"]) == (0, 0, [])
    assert again["duplicates"] == ["B0001", "B0001", "B0002", "B0003", "B0004"]

    matches = await _matches(db_urls["wages"])
    assert matches == {
        "B0001": (october["id"], 1),
        "B0002": (october["id"], 2),
        "B0003": (None, None),
        "B0004": (None, None),
    }

    # A new version of October (now with worker 3) and a first September ledger: the payments
    # already received follow the current lines.
    v2 = await submit(wages_client, ledger(uscc, "2026-10", [line(3), line(1)]))
    september = await submit(wages_client, ledger(uscc, "2026-09", [line(1, paid_on="2026-10-09")]))
    matches = await _matches(db_urls["wages"])
    assert matches == {
        "B0001": (v2["id"], 2),
        "B0002": (None, None),
        "B0003": (v2["id"], 1),
        "B0004": (september["id"], 1),
    }


async def test_confirmation_errors(wages_client: httpx.AsyncClient) -> None:
    await register(wages_client, project_body(1))
    unknown = await wages_client.post(
        PAYMENTS, json={"account_no": account_no(9), "payments": [_payment("X1", 1)]}, headers=writer()
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "wage_account_not_registered"
    bad = await wages_client.post(
        PAYMENTS,
        json={
            "account_no": account_no(1),
            "payments": [
                _payment("X1", 1, amount=4200.0),
                _payment("X2", 1, id_number="530102"),
                _payment("X3", 1, period="2026-13"),
            ],
        },
        headers=writer(),
    )
    assert bad.status_code == 422
    assert locs(bad.json()) == [
        ("payments[0].amount", "money_float_not_allowed"),
        ("payments[1].id_number", "id_number_invalid_length"),
        ("payments[2].period", "string_pattern_mismatch"),
    ]
    semantic = await wages_client.post(
        PAYMENTS,
        json={
            "account_no": account_no(1),
            "payments": [
                _payment("Y1", 1, period="2099-01"),
                _payment("Y2", 1, amount="0.00", paid_on="2099-01-01"),
            ],
        },
        headers=writer(),
    )
    assert locs(semantic.json()) == [
        ("payments[0].period", "period_in_future"),
        ("payments[1].paid_on", "in_future"),
        ("payments[1].amount", "amount_not_positive"),
    ]
    forbidden = await wages_client.post(
        PAYMENTS, json={"account_no": account_no(1), "payments": [_payment("Z1", 1)]}, headers=reader()
    )
    assert forbidden.status_code == 403


# -- labour-cost transfers ----------------------------------------------------------------------


def _transfer(**overrides: Any) -> dict[str, Any]:
    body = {
        "period": "2026-10",
        "amount": "800000.00",
        "transferred_on": "2026-10-28",
        "bank_ref": "LC-2026-10-01",
    }
    body.update(overrides)
    return body


async def test_labour_cost_transfers(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, project_body(1))
    url = f"{EMPLOYERS}/{uscc}/labour-cost-transfers"
    created = await wages_client.post(url, json=_transfer(), headers=writer())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body | {"id": None, "received_at": None} == {
        "id": None,
        "uscc": uscc,
        "period": "2026-10",
        "amount": "800000.00",
        "transferred_on": "2026-10-28",
        "bank_ref": "LC-2026-10-01",
        "received_at": None,
        "duplicate": False,
    }
    # The bank's retry: the same record, flagged as a duplicate.
    retry = await wages_client.post(url, json=_transfer(), headers=writer())
    assert retry.status_code == 200
    assert retry.json()["id"] == body["id"] and retry.json()["duplicate"] is True
    # The same reference with other content is a conflict, not a silent overwrite.
    clash = await wages_client.post(url, json=_transfer(amount="1.00"), headers=writer())
    assert clash.status_code == 409 and clash.json()["code"] == "bank_ref_conflict"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"transferred_on": "2099-01-01"}, [("transferred_on", "in_future")]),
        ({"period": "2099-01"}, [("period", "period_in_future")]),
        ({"amount": "0"}, [("amount", "amount_not_positive")]),
        ({"amount": 10.5}, [("amount", "money_float_not_allowed")]),
        ({"bank_ref": ""}, [("bank_ref", "string_too_short")]),
    ],
)
async def test_labour_cost_transfer_errors(
    wages_client: httpx.AsyncClient, change: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    await register(wages_client, project_body(1))
    response = await wages_client.post(
        f"{EMPLOYERS}/{employer_uscc(1)}/labour-cost-transfers", json=_transfer(**change), headers=writer()
    )
    assert response.status_code == 422, response.text
    assert locs(response.json()) == expected


async def test_labour_cost_transfers_are_for_projects(wages_client: httpx.AsyncClient) -> None:
    await register(wages_client, employer_body(2))
    plain = await wages_client.post(
        f"{EMPLOYERS}/{employer_uscc(2)}/labour-cost-transfers", json=_transfer(), headers=writer()
    )
    assert plain.status_code == 409 and plain.json()["code"] == "not_a_project"
    unknown = await wages_client.post(
        f"{EMPLOYERS}/{employer_uscc(3)}/labour-cost-transfers", json=_transfer(), headers=writer()
    )
    assert unknown.status_code == 404
    assert (await wages_client.get(f"{EMPLOYERS}/{employer_uscc(2)}", headers=reader())).status_code == 200
