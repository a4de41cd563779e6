"""Builders shared by the complaints tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from complaints.case.models import Case
from shared.identifiers import make_id_number, make_uscc

COURIER_USCC = make_uscc("91530102MA6K0001A")
WORKER_ID = make_id_number("53010219900101123")
WORKER2_ID = make_id_number("53011119921212456")


def complaint(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "complaint",
        "channel": "mobile_app",
        "received_at": "2026-11-27T09:30:00+08:00",
        "complainant": {"name": "李四", "id_number": WORKER_ID, "phone": "13800005678"},
        "employer": {
            "name": "某某快递有限公司",
            "uscc": COURIER_USCC,
            "address": "昆明市五华区某路1号",
            "district_code": "530102",
            "industry_code": "6020",
        },
        "issues": ["wage_arrears"],
        "workers_affected": 12,
        "amount_claimed": "36000.00",
        "occurred_on": "2026-10-31",
        "description": "拖欠10月工资",
    }
    body.update(overrides)
    return body


def report(**overrides: Any) -> dict[str, Any]:
    body = complaint(kind="report", channel="web", complainant=None, anonymous=True)
    body.update(overrides)
    return body


async def file(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/v1/complaints", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def act(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, action: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/complaints/{case_id}/actions", json={"action": action, **fields}, headers=headers
    )


def bare_case(case_id: str, case_no: str) -> Case:
    """A case row with only its required columns, for tests of the plumbing under it."""
    return Case(
        id=case_id,
        case_no=case_no,
        kind="complaint",
        channel="window",
        status="received",
        received_at=datetime(2026, 11, 27, 1, 30, tzinfo=UTC),
        filed_by_client="test",
    )
