"""Builders shared by the employer, ledger, payment and minimum-wage tests (no tests here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import httpx

from shared.identifiers import make_id_number, make_uscc
from shared.testing.plugin import identity_headers

W = "/api/v1/wages"
EMPLOYERS = f"{W}/employers"
PAYROLLS = f"{W}/payrolls"
PAYMENTS = f"{W}/payments"


def writer() -> dict[str, str]:
    return identity_headers("wages:write", "wages:read", client_id="payroll-system", client_name="工资系统")


def reader() -> dict[str, str]:
    return identity_headers("wages:read", client_id="monitor", client_name="监控平台")


def employer_uscc(n: int) -> str:
    return make_uscc(f"91530102MA7L{n:04d}B")


def worker_id(n: int) -> str:
    born = date(1975, 1, 1) + timedelta(days=n // 900)
    return make_id_number(f"530102{born:%Y%m%d}{n % 900 + 100:03d}")


def account_no(n: int) -> str:
    return f"6222{n:012d}"


def employer_body(n: int = 1, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uscc": employer_uscc(n),
        "name": f"某某快递有限公司{n}",
        "kind": "employer",
        "district_code": "530102",
        "industry_code": "6020",
        "pay_day": 10,
    }
    body.update(overrides)
    return body


def project_body(n: int = 1, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uscc": employer_uscc(n),
        "name": f"某某建设工程有限公司{n}",
        "kind": "project",
        "district_code": "530112",
        "industry_code": "4700",
        "pay_day": 15,
        "project_name": f"西山区某安置房项目{n}期",
        "wage_account": {"bank": "某银行昆明西山支行", "account_no": account_no(n)},
        "deposit": {"kind": "deposit", "amount": "600000.00", "rate": "0.03"},
        "contract_price": "20000000.00",
        "monthly_labour_cost": "800000.00",
    }
    body.update(overrides)
    return body


async def register(client: httpx.AsyncClient, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = await client.post(EMPLOYERS, json=body, headers=writer())
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def line(
    n: int,
    *,
    payable: Any = "4200.00",
    paid: Any = "4200.00",
    paid_on: Any = "2026-11-10",
    hours: Any = "176",
    **extra: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id_number": worker_id(n),
        "name": f"工人{n}",
        "payable": payable,
        "paid": paid,
        "paid_on": paid_on,
        "hours": hours,
    }
    row.update(extra)
    return row


def ledger(uscc: str, period: str, lines: Sequence[Any]) -> dict[str, Any]:
    return {"uscc": uscc, "period": period, "lines": list(lines)}


def to_csv(lines: Sequence[dict[str, Any]], *, bom: bool = False, newline: str = "\n") -> bytes:
    columns = ("id_number", "name", "payable", "paid", "paid_on", "hours")
    rows = [",".join(columns)]
    rows += [",".join("" if r.get(c) is None else str(r[c]) for c in columns) for r in lines]
    text = newline.join(rows) + newline
    return ("\ufeff" if bom else "").encode() + text.encode()


async def submit(client: httpx.AsyncClient, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = await client.post(PAYROLLS, json=body, headers=writer())
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


async def submit_csv(
    client: httpx.AsyncClient, uscc: str, period: str, content: bytes, status: int = 201
) -> dict[str, Any]:
    response = await client.post(
        PAYROLLS,
        params={"uscc": uscc, "period": period},
        content=content,
        headers={**writer(), "Content-Type": "text/csv; charset=utf-8"},
    )
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def locs(problem: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["loc"], e["code"]) for e in problem["errors"]]
