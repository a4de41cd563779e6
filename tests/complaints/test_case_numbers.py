"""Case numbers under concurrent filing: unique, gapless and in order per year, never duplicated,
including the race for a year's first number (the counter row does not exist yet)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select

from complaints.case.models import Case, CaseCounter, CaseEvent
from complaints.outbox.models import OutboxEvent
from shared.db import Database
from shared.identifiers import make_uscc
from shared.testing.plugin import identity_headers
from tests.complaints.helpers import complaint

FILER = identity_headers("complaints:write", client_id="filer", client_name="并发测试")
CONCURRENT = 24


async def _file_all(client: httpx.AsyncClient, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    responses = await asyncio.gather(
        *(client.post("/api/v1/complaints", json=body, headers=FILER) for body in bodies)
    )
    assert [r.status_code for r in responses] == [201] * len(bodies), [r.text for r in responses]
    return [r.json() for r in responses]


async def test_concurrent_filings_get_unique_consecutive_numbers_per_year(
    complaints_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    # Different employers, and the same one several times (its duplicate lookup and count).
    bodies = [
        complaint(employer={"name": f"并发测试公司{k % 7}", "uscc": make_uscc(f"91530102MA6K{k % 7:04d}A")})
        for k in range(CONCURRENT)
    ]
    earlier = [complaint(received_at="2025-12-31T23:30:00+08:00") for _ in range(5)]
    cases = await _file_all(complaints_client, bodies + earlier)

    numbers_2026 = sorted(c["case_no"] for c in cases[:CONCURRENT])
    assert numbers_2026 == [f"2026-{n:06d}" for n in range(1, CONCURRENT + 1)]
    numbers_2025 = sorted(c["case_no"] for c in cases[CONCURRENT:])
    assert numbers_2025 == [f"2025-{n:06d}" for n in range(1, 6)]

    database = Database(db_urls["complaints"])
    try:
        async with database.sessionmaker() as session:
            stored = {row.id: row.case_no for row in await session.execute(select(Case.id, Case.case_no))}
            counters = {r.year: r.last_value for r in await session.scalars(select(CaseCounter))}
            timeline = (await session.scalars(select(CaseEvent))).all()
            outbox = (await session.scalars(select(OutboxEvent))).all()
    finally:
        await database.dispose()
    # What the API answered is what was committed, and the counters are where the numbers end.
    assert stored == {c["id"]: c["case_no"] for c in cases}
    assert counters == {2025: 5, 2026: CONCURRENT}
    assert sorted(e.case_id for e in timeline if e.action == "receive") == sorted(stored)
    received = {e.aggregate_id: e.payload["case_no"] for e in outbox if e.event_type == "case.received"}
    assert received == stored


async def test_numbers_continue_after_a_refused_filing(
    complaints_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    first = (await _file_all(complaints_client, [complaint()]))[0]
    refused = await complaints_client.post(
        "/api/v1/complaints", json=complaint(anonymous=True), headers=FILER
    )
    assert refused.status_code == 422
    second = (await _file_all(complaints_client, [complaint()]))[0]
    assert (first["case_no"], second["case_no"]) == ("2026-000001", "2026-000002")


async def _case_numbers(url: str) -> list[str]:
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            return sorted((await session.scalars(select(Case.case_no))).all())
    finally:
        await database.dispose()


async def test_concurrent_twins_with_one_idempotency_key_make_one_case(
    complaints_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    # Retries racing each other (and filings without a key alongside): one case and one number
    # for the key, every twin answered with it, and no number lost.
    keyed = {**FILER, "Idempotency-Key": "ticket-12345-0001"}
    body = complaint(workers_affected=4)
    twins = [complaints_client.post("/api/v1/complaints", json=body, headers=keyed) for _ in range(6)]
    others = [complaints_client.post("/api/v1/complaints", json=complaint(), headers=FILER) for _ in range(4)]
    responses = await asyncio.gather(*twins, *others)
    assert [r.status_code for r in responses] == [201] * 10, [r.text for r in responses]
    assert len({(r.json()["id"], r.json()["case_no"]) for r in responses[:6]}) == 1
    assert await _case_numbers(db_urls["complaints"]) == [f"2026-{n:06d}" for n in range(1, 6)]


async def test_concurrent_different_bodies_under_one_key_store_one_case(
    complaints_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    keyed = {**FILER, "Idempotency-Key": "ticket-12345-0002"}
    responses = await asyncio.gather(
        *(
            complaints_client.post("/api/v1/complaints", json=complaint(workers_affected=n), headers=keyed)
            for n in range(1, 5)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 422, 422, 422], [r.text for r in responses]
    assert {r.json()["errors"][0]["code"] for r in responses if r.status_code == 422} == {
        "idempotency_key_reused"
    }
    assert await _case_numbers(db_urls["complaints"]) == ["2026-000001"]


async def test_concurrent_filings_against_one_employer_each_see_the_ones_before(
    complaints_client: httpx.AsyncClient,
) -> None:
    # Filed together (so several share a transaction), each still counts and lists the
    # employer's cases stored before it, whether by an earlier transaction or earlier in its own.
    uscc = make_uscc("91530102MA6K7777A")
    by_uscc = [complaint(employer={"name": "同一被投诉公司", "uscc": uscc}) for _ in range(8)]
    by_name = [complaint(employer={"name": f"无代码公司 {'·' * (k % 2)}甲"}) for k in range(4)]
    cases = await _file_all(complaints_client, by_uscc + by_name)
    for group in (cases[:8], cases[8:]):
        ordered = sorted(group, key=lambda c: c["employer_case_count"])
        assert [c["employer_case_count"] for c in ordered] == list(range(1, len(group) + 1))
        for k, case in enumerate(ordered):
            listed = [d["id"] for d in case["possible_duplicates"]]
            assert listed == [c["id"] for c in reversed(ordered[:k])], case["case_no"]
