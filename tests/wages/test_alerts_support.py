"""Builders shared by the early-warning tests (this module holds no tests).

Employers and rosters go through the service's own endpoints. Ledgers are written with the ORM
in bulk, as the ledger service stores them: a rule test controls the day it evaluates as of, and
the after-ledger hook (evaluating as of today) is tested on its own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, insert, select, update

from shared.db import Database
from shared.identifiers import make_id_number, make_uscc
from shared.testing.plugin import app_client, identity_headers
from wages.config import WagesSettings
from wages.ledger.models import LabourCostTransfer, PayrollLedger, PayrollLine
from wages.main import create_app

EVALUATIONS = "/api/v1/wages/alerts/evaluations"
ALERTS = "/api/v1/wages/alerts"
EVENTS = "/api/v1/wages/events"


def writer() -> dict[str, str]:
    return identity_headers("wages:write", client_id="payroll-app", client_name="工资台账系统")


def reader() -> dict[str, str]:
    return identity_headers("wages:read", client_id="monitor", client_name="监控大屏")


def inspector() -> dict[str, str]:
    return identity_headers("cases:manage", client_id="inspector-1", client_name="张监察")


def internal() -> dict[str, str]:
    return identity_headers("internal", client_id="service:gateway", client_name="网关")


def uscc(n: int) -> str:
    return make_uscc(f"91530102MA6K{n:04d}A")


def id_number(n: int) -> str:
    born = date(1980, 1, 1) + timedelta(days=n)
    return make_id_number(f"530102{born:%Y%m%d}{n % 1000:03d}")


def alerts_settings(url: str, **overrides: Any) -> WagesSettings:
    # Background loops off: a test runs the evaluation and the relay itself, when it wants.
    values: dict[str, Any] = {"database_url": url, "environment": "test", "background_tasks": False}
    return WagesSettings(**{**values, **overrides})


@asynccontextmanager
async def alerts_app(url: str, **overrides: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(alerts_settings(url, **overrides), configure_logs=False)
    async with app_client(app) as client:
        yield app, client


async def register(
    client: httpx.AsyncClient,
    n: int,
    *,
    pay_day: int = 10,
    district_code: str = "530102",
    kind: str = "employer",
    monthly_labour_cost: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uscc": uscc(n),
        "name": name or f"测试单位{n}有限公司",
        "kind": kind,
        "district_code": district_code,
        "industry_code": "4890" if kind == "project" else "6020",
        "pay_day": pay_day,
    }
    if kind == "project":
        body.update(
            project_name=f"测试工程{n}",
            wage_account={"bank": "某银行昆明分行", "account_no": f"62220{n:010d}"},
            contract_price="50000000.00",
            monthly_labour_cost=monthly_labour_cost or "100000.00",
        )
    response = await client.post("/api/v1/wages/employers", json=body, headers=writer())
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def put_roster(client: httpx.AsyncClient, employer_uscc: str, rows: Sequence[dict[str, Any]]) -> None:
    response = await client.put(
        f"/api/v1/wages/employers/{employer_uscc}/roster", json=list(rows), headers=writer()
    )
    assert response.status_code == 200, response.text


Line = tuple[str, str, str | None]  # payable, paid, hours


async def add_ledger(
    url: str, employer_id: str, period: str, lines: Sequence[Line], *, first_worker: int = 0
) -> str:
    """Store a ledger version (the previous one stops being current) with its lines in bulk."""
    database = Database(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            version = await session.scalar(
                select(func.coalesce(func.max(PayrollLedger.version), 0)).where(
                    PayrollLedger.employer_id == employer_id, PayrollLedger.period == period
                )
            )
            await session.execute(
                update(PayrollLedger)
                .where(PayrollLedger.employer_id == employer_id, PayrollLedger.period == period)
                .values(current=False)
            )
            ledger_id = str(uuid.uuid4())
            session.add(
                PayrollLedger(
                    id=ledger_id,
                    employer_id=employer_id,
                    period=period,
                    version=int(version or 0) + 1,
                    current=True,
                    line_count=len(lines),
                    total_payable=sum((Decimal(p) for p, _, _ in lines), Decimal("0.00")),
                    total_paid=sum((Decimal(p) for _, p, _ in lines), Decimal("0.00")),
                    source_format="json",
                    submitted_by="payroll-app",
                )
            )
            await session.flush()
            if lines:
                await session.execute(
                    insert(PayrollLine),
                    [
                        {
                            "ledger_id": ledger_id,
                            "line_no": i + 1,
                            "id_number": id_number(first_worker + i),
                            "name": f"工人{first_worker + i}",
                            "payable": Decimal(payable),
                            "paid": Decimal(paid),
                            "paid_on": None,
                            "hours": None if hours is None else Decimal(hours),
                        }
                        for i, (payable, paid, hours) in enumerate(lines)
                    ],
                )
        return ledger_id
    finally:
        await database.dispose()


async def add_transfer(url: str, employer_id: str, period: str, amount: str, on: date) -> None:
    database = Database(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            session.add(
                LabourCostTransfer(
                    employer_id=employer_id,
                    period=period,
                    amount=Decimal(amount),
                    transferred_on=on,
                    bank_ref=f"LC{uuid.uuid4().hex[:20]}",
                )
            )
    finally:
        await database.dispose()


async def evaluate(
    client: httpx.AsyncClient, period: str, *, as_of: str | None = None, **fields: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"period": period, **fields}
    if as_of is not None:
        body["as_of"] = as_of
    response = await client.post(EVALUATIONS, json=body, headers=reader())
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def alerts(client: httpx.AsyncClient, **query: Any) -> list[dict[str, Any]]:
    response = await client.get(ALERTS, params={"limit": 500, **query}, headers=reader())
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def by_employer(items: Sequence[dict[str, Any]], rule: str) -> dict[str, dict[str, Any]]:
    return {a["employer"]["uscc"]: a for a in items if a["rule"] == rule}


async def rows(url: str, model: Any) -> list[Any]:
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            return list((await session.scalars(select(model))).all())
    finally:
        await database.dispose()


def full(payable: str, hours: str | None = "174") -> Line:
    """A line paid in full."""
    return (payable, payable, hours)
