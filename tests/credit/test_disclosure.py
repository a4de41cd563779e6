"""令29 quarterly disclosure (domain.md §4.4): which violations qualify, exactly the fields the
rule allows, the 法定代表人's name but never a 身份证号, publishing once, the public page."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import inspect

from credit.disclosure.models import Disclosure
from credit.subject.models import Subject, SubjectRole, Violation
from shared.db import Database
from shared.identifiers import make_id_number
from tests.credit.test_listing import BOSS, checker, locs, manager, problem, public, uscc

BATCHES = "/api/v1/credit/disclosures/batches"
FORMER = make_id_number("11010519491231002")
PUBLIC_FIELDS = {
    "period",
    "published_on",
    "category",
    "category_label",
    "unit_name",
    "uscc",
    "address",
    "legal_representative",
    "facts",
    "outcome",
}


def violation(subject_id: str, decided_on: str, issues: list[str], **fields: Any) -> Violation:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "subject_id": subject_id,
        "source": "officer",
        "decided_on": date.fromisoformat(decided_on),
        "stage": "administrative_penalty",
        "punished": True,
        "issues": issues,
        "workers": 0,
        "amount": None,
        "flags": [],
        "description": f"工人王小明（身份证号 {BOSS}）反映被拖欠工资",
        "superseded": False,
        "recorded_by": "officer-1",
        **fields,
    }
    return Violation(**values)


async def seed(url: str) -> dict[str, str]:
    """Two employers and their violations around 2026Q3; the expected category per violation."""
    expected: dict[str, str] = {}
    database = Database(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            a = Subject(
                id="emp-a",
                subject_type="employer",
                uscc=uscc(1),
                name="甲建筑劳务有限公司",
                address="昆明市五华区某路1号",
            )
            b = Subject(id="emp-b", subject_type="employer", uscc=uscc(2), name="乙快递服务有限公司")
            old = Subject(id="per-old", subject_type="person", id_number=FORMER, name="王五")
            rep = Subject(id="per-rep", subject_type="person", id_number=BOSS, name="张三丰")
            session.add_all([a, b, old, rep])
            await session.flush()
            session.add_all(
                [
                    SubjectRole(
                        employer_id="emp-a",
                        person_id="per-old",
                        role="legal_representative",
                        valid_from=date(2015, 1, 1),
                        valid_to=date(2020, 1, 1),
                    ),
                    SubjectRole(
                        employer_id="emp-a",
                        person_id="per-rep",
                        role="legal_representative",
                        valid_from=date(2020, 1, 1),
                        valid_to=None,
                    ),
                    SubjectRole(
                        employer_id="emp-a",
                        person_id="per-old",
                        role="principal",
                        valid_from=date(2020, 1, 1),
                        valid_to=None,
                    ),
                ]
            )

            def add(v: Violation, category: str | None) -> Violation:
                session.add(v)
                if category:
                    expected[v.id] = category
                return v

            add(
                violation("emp-a", "2026-08-10", ["wage_arrears"], amount=Decimal("36000"), workers=12),
                "wage_arrears",
            )
            add(violation("emp-a", "2026-08-11", ["wage_deduction"], amount=Decimal("29999.99")), None)
            add(
                violation("emp-a", "2026-07-01", ["social_insurance"], flags=["serious_impact"]),
                "social_insurance",
            )
            add(violation("emp-a", "2026-09-30", ["working_hours"], amount=Decimal("60000")), "working_hours")
            add(violation("emp-a", "2026-09-01", ["working_hours"], amount=Decimal("1000")), None)
            add(violation("emp-b", "2026-07-15", ["child_labor"], stage="order_to_correct"), "child_labour")
            add(
                violation("emp-b", "2026-07-16", ["female_juvenile_protection"], flags=["serious_impact"]),
                "female_juvenile",
            )
            add(
                violation("emp-b", "2026-07-17", ["other"], flags=["group_incident"]), "serious_social_impact"
            )
            add(
                violation(
                    "emp-b",
                    "2026-07-18",
                    ["wage_arrears"],
                    amount=Decimal("5000"),
                    flags=["criminal_liability"],
                    stage="judicial_transfer",
                ),
                "criminal_transfer",
            )
            add(violation("emp-b", "2026-07-19", ["child_labor"], punished=False), None)
            wrong = add(violation("emp-b", "2026-07-20", ["child_labor"], superseded=True), None)
            await session.flush()
            add(violation("emp-b", "2026-07-20", ["child_labor"], supersedes_id=wrong.id), "child_labour")
            add(violation("emp-b", "2026-10-01", ["child_labor"]), None)  # 2026Q4
            add(violation("emp-b", "2026-06-30", ["child_labor"]), None)  # 2026Q2
    finally:
        await database.dispose()
    return expected


async def create(client: httpx.AsyncClient, period: str = "2026Q3") -> dict[str, Any]:
    response = await client.post(BATCHES, json={"period": period}, headers=manager())
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_batch_holds_the_quarters_major_violations_with_only_the_allowed_fields(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    expected = await seed(db_urls["credit"])
    batch = await create(credit_client)
    assert batch["status"] == "draft" and batch["published_on"] is None and batch["period"] == "2026Q3"
    assert {i["violation_id"]: i["category"] for i in batch["items"]} == expected
    assert set(batch["unverified_rules"]) == {"disclosure_wage_amount", "disclosure_serious_amount"}
    by_category = {i["category"]: i for i in batch["items"]}
    wages = by_category["wage_arrears"]
    assert wages["unit_name"] == "甲建筑劳务有限公司" and wages["uscc"] == uscc(1)
    assert wages["address"] == "昆明市五华区某路1号"
    assert wages["legal_representative"] == "张三丰"  # in office on the decision day, not 王五
    assert wages["facts"] == "2026年8月10日查实：拖欠劳动报酬，涉及劳动者12人，涉及金额36000.00元。"
    assert wages["outcome"] == "已作出行政处罚决定。"
    assert by_category["criminal_transfer"]["outcome"] == "已移送司法机关依法追究刑事责任。"
    assert by_category["serious_social_impact"]["legal_representative"] is None  # none recorded
    # Free text may name workers: it is never published.
    text = str(batch)
    assert BOSS not in text and "王小明" not in text and FORMER not in text

    # The stored row has exactly the fields 令29 lets the bureau publish (plus its keys).
    columns = {c.key for c in inspect(Disclosure).columns}
    assert columns == {
        "id",
        "batch_id",
        "subject_id",
        "violation_id",
        "category",
        "unit_name",
        "uscc",
        "address",
        "legal_representative",
        "facts",
        "outcome",
    }

    same = await credit_client.get(f"{BATCHES}/{batch['id']}", headers=manager())
    assert same.json() == batch


async def test_publishing_once_and_the_public_page(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    expected = await seed(db_urls["credit"])
    batch = await create(credit_client)
    empty = (await credit_client.get("/api/v1/public/disclosures", headers=public())).json()
    assert empty == {"items": [], "next_cursor": None}  # a draft is not public

    response = await credit_client.post(f"{BATCHES}/{batch['id']}/publish", headers=manager())
    assert response.status_code == 200, response.text
    published = response.json()
    assert published["status"] == "published" and published["published_on"] == "2026-11-27"
    again = await credit_client.post(f"{BATCHES}/{batch['id']}/publish", headers=manager())
    problem(again, 409, "batch_published")

    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = await credit_client.get("/api/v1/public/disclosures", params=params, headers=public())
        assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=60"
        assert BOSS not in response.text and "王小明" not in response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(items) == len(expected)
    for item in items:
        assert set(item) == PUBLIC_FIELDS
        assert item["period"] == "2026Q3" and item["published_on"] == "2026-11-27"
    first = await credit_client.get("/api/v1/public/disclosures", headers=public())
    cached = await credit_client.get(
        "/api/v1/public/disclosures", headers={**public(), "If-None-Match": first.headers["etag"]}
    )
    assert cached.status_code == 304 and cached.content == b""


async def test_batch_refusals(credit_client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    await seed(db_urls["credit"])
    first = await create(credit_client)
    body = problem(
        await credit_client.post(BATCHES, json={"period": "2026q3"}, headers=manager()), 409, "batch_exists"
    )
    assert body["batch_id"] == first["id"]
    response = await credit_client.post(BATCHES, json={"period": "2026Q4"}, headers=manager())
    assert locs(response) == ["period"] and response.json()["errors"][0]["code"] == "period_not_ended"
    for bad in ("2026Q5", "2026-3", ""):
        response = await credit_client.post(BATCHES, json={"period": bad}, headers=manager())
        assert locs(response) == ["period"], bad
    problem(
        await credit_client.post(BATCHES, json={"period": "2026Q2"}, headers=checker()),
        403,
        "insufficient_scope",
    )
    problem(await credit_client.get(f"{BATCHES}/nope", headers=manager()), 404, "batch_not_found")
    problem(await credit_client.post(f"{BATCHES}/nope/publish", headers=manager()), 404, "batch_not_found")
    # A quarter with nothing to publish still gets its (empty) batch.
    empty = await create(credit_client, "2025Q1")
    assert empty["items"] == []
