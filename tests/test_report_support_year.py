"""A year of the bureau's work, entered through the public API at the gateway: inspections of
every kind, complaints and reports from every kind of channel with payments per worker and
penalties, 12345 tickets, blacklist decisions and 令29 publications, payroll ledgers and warnings.

(A support module of tests/test_report_annual.py; it holds no tests.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from gateway.clients import service as client_service
from shared.db import Database
from tests.conftest import issue_key
from tests.test_report_support import (
    BUILDER,
    EXPRESS_A,
    EXPRESS_B,
    FACTORY,
    RESTAURANT,
    SHOP,
    TOTAL_WORKERS_COVERED,
    WORKERS,
    YEAR,
    Case,
    Decision,
    Employer,
    Inspection,
    Line,
    World,
    bearer,
    in_year,
)


async def _inspections(world: World) -> None:
    two = ["张三", "李四"]
    await world.inspect(Inspection("routine_patrol", EXPRESS_A, date(YEAR, 2, 10), 40, two))
    await world.inspect(Inspection("routine_patrol", SHOP, date(YEAR, 3, 15), 25, two))
    # The same employer patrolled twice: one employer, its workers counted per visit (人次).
    await world.inspect(Inspection("routine_patrol", EXPRESS_A, date(YEAR, 9, 1), 42, two))
    await world.inspect(
        Inspection(
            "special_campaign",
            BUILDER,
            date(YEAR, 5, 20),
            120,
            ["王一", "王二", "王三", "王四"],
            campaign=f"{YEAR}年农民工工资支付专项检查",
            results={
                "orders_to_correct": 2,
                "contracts_signed": 15,
                "wages_ordered": "86000.00",
                "wages_ordered_workers": 30,
                "compensation_ordered": "12000.00",
                "social_insurance_registrations": 1,
                "social_insurance_ordered": "45000.00",
                "social_insurance_ordered_workers": 20,
                "penalties": 1,
                "fines": "20000.00",
            },
        )
    )
    await world.inspect(
        Inspection(
            "special_campaign",
            EXPRESS_B,
            date(YEAR, 6, 10),
            60,
            ["赵一", "赵二", "赵三"],
            campaign=f"{YEAR}年快递行业专项检查",
            results={"orders_to_correct": 1, "contracts_signed": 5},
        )
    )
    await world.inspect(Inspection("annual_review", EXPRESS_B, date(YEAR, 4, 2), 58, two))
    await world.inspect(Inspection("annual_review", RESTAURANT, date(YEAR, 4, 3), 12, two))
    # Outside the year: counted nowhere.
    await world.inspect(Inspection("routine_patrol", FACTORY, date(YEAR - 1, 12, 20), 10, two))


async def _cases(world: World, hotline_case_id: str) -> None:
    inv = {"inspectors": ["张三", "李四"]}
    c1 = await world.file("phone", "complaint", EXPRESS_A, date(YEAR, 3, 2), 6, 1)
    await world.act(c1, "accept", date(YEAR, 3, 3))
    await world.act(c1, "start_investigation", date(YEAR, 3, 4), **inv)
    await world.pay(c1, 1, "wages", "3000.00", date(YEAR, 4, 10))
    await world.pay(c1, 1, "wages", "500.50", date(YEAR, 5, 10))  # the same worker paid twice
    await world.pay(c1, 2, "wages", "2800.00", date(YEAR, 4, 10))
    await world.pay(c1, 1, "deposit_refund", "200.00", date(YEAR, 4, 12))
    await world.pay(c1, 2, "social_insurance", "1500.00", date(YEAR, 6, 1))
    await world.penalize(c1, "10000.00", date(YEAR, 6, 15))
    await world.act(c1, "close", date(YEAR, 6, 30))

    # The 12345 complaint became a case at the gateway; it carries no industry code.
    c2 = Case(
        hotline_case_id, "hotline_12345", "complaint", replace_industry(EXPRESS_B), date(YEAR, 7, 1), None
    )
    world.cases.append(c2)
    await world.act(c2, "accept", date(YEAR, 7, 2))
    await world.pay(c2, 3, "wages", "4100.00", date(YEAR, 7, 20))
    await world.pay(c2, 3, "social_insurance", "900.00", date(YEAR, 7, 25))

    c3 = await world.file("window", "complaint", BUILDER, date(YEAR, 5, 25), 30, 4)
    await world.act(c3, "accept", date(YEAR, 5, 26))
    await world.act(
        c3,
        "order_rectification",
        date(YEAR, 5, 28),
        rectify_by=date(YEAR, 6, 28).isoformat(),
        items=["支付拖欠工资"],
        facts={"issues": ["wage_arrears"], "workers": 30},
    )
    await world.pay(c3, 4, "wages", "8000.00", date(YEAR, 6, 20))
    await world.pay(c3, 5, "wages", "7600.00", date(YEAR, 6, 20))
    await world.pay(c3, 6, "compensation", "5000.00", date(YEAR, 6, 21))
    await world.pay(c3, 4, "deposit_refund", "300.00", date(YEAR, 6, 22))
    await world.pay(c3, 10, "deposit_refund", "122000.00", date(YEAR, 6, 22))
    await world.penalize(c3, "30000.00", date(YEAR, 7, 10))

    c4 = await world.file("web", "report", SHOP, date(YEAR, 8, 8), None, 0)
    await world.act(c4, "reject", date(YEAR, 8, 10), reason="经核查不属于劳动保障监察事项")

    c5 = await world.file("assigned", "report", FACTORY, date(YEAR, 2, 20), 100, 0)
    await world.act(c5, "accept", date(YEAR, 2, 21))
    c6 = await world.file("transferred", "report", EXPRESS_B, date(YEAR, 3, 20), 8, 0)
    await world.act(c6, "accept", date(YEAR, 3, 21))
    await world.pay(c6, 7, "wages", "2600.00", date(YEAR, 4, 15))
    # Not accepted yet: counted as a petition case, but no employer inspected on it.
    await world.file("petition", "report", RESTAURANT, date(YEAR, 9, 9), 5, 0)
    c7 = await world.file("petition", "report", FACTORY, date(YEAR, 9, 10), 5, 0)
    await world.act(c7, "accept", date(YEAR, 9, 11))
    # Merged into the transferred case: counted once, there.
    c8 = await world.file("mobile_app", "complaint", EXPRESS_A, date(YEAR, 10, 10), 3, 8)
    await world.act(c8, "merge", date(YEAR, 10, 11), into_case_id=c6.id)
    # Received last year: its case counts nowhere this year, a payment made this year does.
    c9 = await world.file("window", "complaint", EXPRESS_A, date(YEAR - 1, 12, 30), 4, 9)
    await world.act(c9, "accept", date(YEAR - 1, 12, 31))
    await world.pay(c9, 9, "wages", "700.00", date(YEAR - 1, 12, 31))
    await world.pay(c9, 9, "wages", "1000.00", date(YEAR, 1, 5))
    # From wage monitoring: an inspected employer, neither a complaint nor an assigned case.
    c10 = await world.file("monitoring", "report", BUILDER, date(YEAR, 6, 1), 10, 0)
    await world.act(c10, "accept", date(YEAR, 6, 2))


def replace_industry(employer: Employer) -> Employer:
    return Employer(employer.name, employer.uscc, employer.district, None)


async def _headcount_to_total(world: World) -> None:
    """An annual review whose headcount brings the workers covered to 1,006,400 (100.64万人（次）)."""
    so_far = sum(i.headcount for i in world.inspections if in_year(i.on))
    so_far += sum(c.workers or 0 for c in world.cases if in_year(c.received) and c.accepted and not c.merged)
    review = Inspection(
        "annual_review", FACTORY, date(YEAR, 4, 1), TOTAL_WORKERS_COVERED - so_far, ["张三", "李四"]
    )
    await world.inspect(review)


def _sign(secret: str, key: str, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return raw, {
        **bearer(key),
        "Content-Type": "application/json",
        "X-Signature-Timestamp": timestamp,
        "X-Signature": f"sha256={digest}",
    }


async def _hotline(world: World, gateway_url: str) -> str:
    """12345 tickets: two inquiries answered (one last year), one left open, one complaint (a case)."""
    database = Database(gateway_url)
    try:
        async with database.sessionmaker() as session, session.begin():
            issued = await client_service.create_client(
                session, name="hotline-12345", scopes=["hotline:12345"], with_secret=True
            )
    finally:
        await database.dispose()
    assert issued.signing_secret is not None

    async def send(number: int, category: str, received: date, **extra: Any) -> dict[str, Any]:
        body = {
            "ticket_no": f"KM12345-{received:%Y%m%d}-{number:06d}",
            "received_at": f"{received.isoformat()}T09:30:00+08:00",
            "category": category,
            "urgency": "normal",
            "content": "请问试用期可以不签劳动合同吗？",
            "region_code": "530102",
            **extra,
        }
        raw, headers = _sign(issued.signing_secret or "", issued.api_key, body)
        response = await world.client.post("/api/v1/hotline/12345/tickets", content=raw, headers=headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    for number, received, answer in (
        (1, date(YEAR, 4, 1), True),
        (2, date(YEAR, 5, 1), False),
        (3, date(YEAR - 1, 12, 15), True),
    ):
        inquiry = await send(number, "consultation", received)
        if answer:
            await world.post(
                f"/api/v1/hotline/inquiries/{inquiry['inquiry_id']}/reply",
                {"message": "试用期包含在劳动合同期限内，应当订立书面劳动合同。"},
                world.inspector,
                status=200,
            )
            world.inquiries_answered.append(received)
    complaint = await send(
        4,
        "complaint",
        date(YEAR, 7, 1),
        caller={"name": "王五", "phone": "13900001111", "id_number": WORKERS[3], "confidential": False},
        content="快递站点拖欠工资两个月。",
        respondent={"name": EXPRESS_B.name, "uscc": EXPRESS_B.uscc, "address": "昆明市盘龙区某路2号"},
        region_code=EXPRESS_B.district,
    )
    assert complaint["case_id"], complaint
    return str(complaint["case_id"])


async def _credit(world: World, manager: dict[str, str]) -> None:
    for employer in (EXPRESS_A, BUILDER, SHOP):
        body = {
            "uscc": employer.uscc,
            "name": employer.name,
            "district_code": employer.district,
            "industry_code": employer.industry,
        }
        await world.post("/api/v1/credit/subjects", body, manager)
    people = [
        {"id_number": WORKERS[11], "name": "张三丰", "role": "legal_representative"},
        {"id_number": WORKERS[10], "name": "李四", "role": "directly_responsible"},
    ]
    for employer, decided, published, persons in (
        (EXPRESS_A, date(YEAR, 9, 1), date(YEAR, 9, 2), people),
        (BUILDER, date(YEAR, 10, 10), None, people[:1]),
        (SHOP, date(YEAR - 1, 11, 3), date(YEAR, 1, 5), people[1:]),
    ):
        listing = await world.post(
            "/api/v1/credit/listings",
            {
                "list_type": "blacklist",
                "unit": {"uscc": employer.uscc, "name": employer.name},
                "persons": persons,
                "basis": {
                    "order_to_pay_deadline": (decided - timedelta(days=60)).isoformat(),
                    "unpaid_at_deadline": True,
                    "amount": "36000.00",
                    "workers": 12,
                },
            },
            manager,
        )
        path = f"/api/v1/credit/listings/{listing['id']}/actions"
        served = (decided - timedelta(days=30)).isoformat()
        await world.post(path, {"action": "notify", "served_on": served}, manager, status=200)
        decision_no = f"昆人社列〔{decided.year}〕{employer.uscc[-4:] if employer.uscc else ''}号"
        await world.post(
            path,
            {"action": "decide", "decision_no": decision_no, "decided_on": decided.isoformat()},
            manager,
            200,
        )
        if published is not None:
            await world.post(path, {"action": "publish", "published_on": published.isoformat()}, manager, 200)
        world.decisions.append(Decision(employer, decided, published, len(persons)))

    # 令29: the third quarter's major violations; child labour is published, a missing contract not.
    violation = {"stage": "administrative_penalty", "punished": True, "workers": 1}
    await world.post(
        "/api/v1/credit/violations",
        {**violation, "uscc": EXPRESS_A.uscc, "decided_on": f"{YEAR}-08-15", "issues": ["child_labor"]},
        manager,
    )
    await world.post(
        "/api/v1/credit/violations",
        {**violation, "uscc": BUILDER.uscc, "decided_on": f"{YEAR}-08-20", "issues": ["no_contract"]},
        manager,
    )
    batch = await world.post("/api/v1/credit/disclosures/batches", {"period": f"{YEAR}Q3"}, manager)
    published = await world.post(
        f"/api/v1/credit/disclosures/batches/{batch['id']}/publish", {}, manager, 200
    )
    assert [item["uscc"] for item in published["items"]] == [EXPRESS_A.uscc]
    world.disclosed = [EXPRESS_A]
    world.disclosed_on = date.fromisoformat(published["published_on"])


async def _wages(world: World, writer: dict[str, str], reader: dict[str, str]) -> None:
    for employer, project in ((EXPRESS_A, False), (BUILDER, True), (SHOP, False)):
        body: dict[str, Any] = {
            "uscc": employer.uscc,
            "name": employer.name,
            "kind": "project" if project else "employer",
            "district_code": employer.district,
            "industry_code": employer.industry,
            "pay_day": 10,
        }
        if project:
            body |= {
                "project_name": "西山区某安置房项目",
                "wage_account": {"bank": "某银行昆明西山支行", "account_no": "6222020000000001"},
                "deposit": {"kind": "deposit", "amount": "600000.00", "rate": "0.03"},
                "contract_price": "20000000.00",
                "monthly_labour_cost": "800000.00",
            }
        await world.post("/api/v1/wages/employers", body, writer)
        world.monitored.append((employer, project))

    async def submit(employer: Employer, period: str, lines: list[tuple[int, str, str]]) -> None:
        paid_on = f"{period}-28"
        rows = [
            {
                "id_number": WORKERS[n],
                "name": f"工人{n}",
                "payable": payable,
                "paid": paid,
                "paid_on": paid_on,
                "hours": "174",
            }
            for n, payable, paid in lines
        ]
        await world.post(
            "/api/v1/wages/payrolls", {"uscc": employer.uscc, "period": period, "lines": rows}, writer
        )
        # A resubmitted period replaces the earlier version.
        world.ledgers[(employer.key, period)] = [
            Line(employer, period, n, Decimal(payable), Decimal(paid)) for n, payable, paid in lines
        ]

    await submit(
        EXPRESS_A,
        f"{YEAR}-09",
        [(1, "5000.00", "5000.00"), (2, "5000.00", "4200.00"), (3, "4800.00", "4800.00")],
    )
    await submit(
        EXPRESS_A,
        f"{YEAR}-09",
        [(1, "5000.00", "5000.00"), (2, "5000.00", "4500.00"), (3, "4800.00", "4800.00")],
    )
    await submit(EXPRESS_A, f"{YEAR}-10", [(1, "5000.00", "5000.00"), (2, "5000.00", "5000.00")])
    await submit(BUILDER, f"{YEAR}-08", [(4, "9000.00", "6000.00"), (5, "9000.00", "9000.00")])
    await submit(SHOP, f"{YEAR - 1}-12", [(9, "3000.00", "3000.00")])
    for period in (f"{YEAR}-08", f"{YEAR}-09"):
        await world.post("/api/v1/wages/alerts/evaluations", {"period": period}, reader, status=200)
    listed = await world.client.get("/api/v1/wages/alerts?limit=500", headers=reader)
    assert listed.status_code == 200, listed.text
    world.alerts = listed.json()["items"]
    assert world.alerts, "the short payments raise warnings"


async def build_year(client: httpx.AsyncClient, gateway_url: str) -> World:
    world = World(
        client, bearer(await issue_key(gateway_url, "inspector", ["cases:manage", "cases:approve"]))
    )
    manager = bearer(await issue_key(gateway_url, "credit-officer", ["credit:manage"]))
    writer = bearer(await issue_key(gateway_url, "payroll", ["wages:write"]))
    reader = bearer(await issue_key(gateway_url, "monitor", ["wages:read"]))
    await _inspections(world)
    hotline_case = await _hotline(world, gateway_url)
    await _cases(world, hotline_case)
    await _headcount_to_total(world)
    await _credit(world, manager)
    await _wages(world, writer, reader)
    return world
