"""The joint-punishment check (contract.md "Credit registry"): as_of before, during and after a
listing; purposes; a batch of 1000 in a constant number of statements; 1001 refused with 413;
identifiers naming the item; the audit and the daily quota (a counter per client and day, filled
by migration 0004 from the audits)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from credit.check import identifiers, repository
from credit.check.models import CheckAudit, CheckQuotaUsage
from credit.check.schemas import CheckResult
from credit.check.service import CheckAudits
from credit.main import create_app as create_credit_app
from credit.subject.models import Subject
from shared import migrations
from shared.db import Database
from shared.identifiers import IdentifierError, make_id_number, validate_id_number, validate_uscc
from shared.testing.plugin import MigratedDatabases, _admin_execute, app_client
from shared.timeutil import china_date, china_today, now_utc
from tests.conftest import COMPONENTS, credit_settings
from tests.credit.test_listing import (
    BOSS,
    MANAGER,
    SANCTIONS,
    TODAY,
    UNIT,
    acted,
    checker,
    id_number,
    listed,
    locs,
    manager,
    problem,
    propose,
    uscc,
)

CHECKS = "/api/v1/credit/checks"


async def check(
    client: httpx.AsyncClient,
    subjects: list[dict[str, str]],
    purpose: str = "government_procurement",
    client_id: str = "procurement",
    **fields: Any,
) -> dict[str, Any]:
    body = {"subjects": subjects, "purpose": purpose, **fields}
    response = await client.post(CHECKS, json=body, headers=checker(client_id))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_as_of_before_during_and_after_a_listing(credit_client: httpx.AsyncClient) -> None:
    lid = (await listed(credit_client, "2025-03-01", decision_no="昆人社列〔2025〕3号"))["id"]
    await acted(credit_client, lid, "revoke", reason="复议撤销", revoked_on="2026-11-20")
    subjects = [{"uscc": UNIT}, {"id_number": BOSS}, {"id_number": MANAGER}]

    before = await check(credit_client, subjects, as_of="2025-02-28")
    assert [r["restricted"] for r in before["results"]] == [False, False, False]
    assert all(r["known"] for r in before["results"])

    during = await check(credit_client, subjects, as_of="2025-03-01")
    assert [r["restricted"] for r in during["results"]] == [True, True, True]
    unit = during["results"][0]
    assert unit["subject"] == {"uscc": UNIT}
    assert unit["listings"] == [
        {
            "list": "blacklist",
            "role": "unit",
            "decision_no": "昆人社列〔2025〕3号",
            "listed_on": "2025-03-01",
            "expires_on": "2028-03-01",
            "restrictions": SANCTIONS,
        }
    ]
    assert during["results"][1]["listings"][0]["role"] == "legal_representative"
    last_day = await check(credit_client, subjects, as_of="2026-11-19")
    assert all(r["restricted"] for r in last_day["results"])

    # Revoked from 2026-11-20: not restricted that day, nor today (the default as_of).
    after = await check(credit_client, subjects, as_of="2026-11-20")
    assert not any(r["restricted"] for r in after["results"])
    today = await check(credit_client, subjects)
    assert today["as_of"] == TODAY.isoformat() and not any(r["restricted"] for r in today["results"])


async def test_the_answer_is_what_its_response_model_would_serialise(
    counted_app: tuple[httpx.AsyncClient, FastAPI],
) -> None:
    # The body is built as plain data and serialised by orjson; the schema in OpenAPI is
    # CheckResult's. Read back into the model and dumped as FastAPI would, it is unchanged:
    # the same keys (an extra one would be dropped), types and formats.
    client, app = counted_app
    await listed(client, "2025-03-01", decision_no="昆人社列〔2025〕3号")
    subjects = [{"uscc": UNIT}, {"id_number": BOSS}, {"uscc": uscc(9)}, {"uscc": UNIT}]
    response = await client.post(CHECKS, json={"subjects": subjects, "purpose": "loan"}, headers=checker())
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert [len(r["listings"]) for r in body["results"]] == [1, 1, 0, 1]
    named = {
        **body,
        "results": [
            {**r, "listings": [{"list_type": x["list"], **x} for x in r["listings"]]} for r in body["results"]
        ],
    }
    assert CheckResult.model_validate(named).model_dump(mode="json", by_alias=True) == body

    answer = app.openapi()["paths"][CHECKS]["post"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": "#/components/schemas/CheckResult"}


async def test_expiry_day_answers_without_waiting_for_the_scan(credit_client: httpx.AsyncClient) -> None:
    await listed(credit_client, "2023-11-27")  # expires 2026-11-27, the scan has not run
    day_before = await check(credit_client, [{"uscc": UNIT}], as_of="2026-11-26")
    assert day_before["results"][0]["restricted"] is True
    today = await check(credit_client, [{"uscc": UNIT}])
    assert today["results"][0]["restricted"] is False


async def test_only_the_blacklist_restricts_and_only_its_eight_areas(
    credit_client: httpx.AsyncClient,
) -> None:
    await listed(credit_client, "2026-01-10", people=())
    watch = await propose(credit_client, {"list_type": "watch", "unit": {"uscc": uscc(2), "name": "乙公司"}})
    await acted(credit_client, watch["id"], "decide", decision_no="W-1", decided_on="2026-01-10")
    for purpose in SANCTIONS:
        result = await check(credit_client, [{"uscc": UNIT}, {"uscc": uscc(2)}], purpose=purpose)
        assert [r["restricted"] for r in result["results"]] == [True, False], purpose
        assert result["results"][1]["known"] is True and result["results"][1]["listings"] == []
    for purpose in ("licensing", "qualification", "guarantee"):
        result = await check(credit_client, [{"uscc": UNIT}], purpose=purpose)
        assert result["results"][0] == {
            "subject": {"uscc": UNIT},
            "known": True,
            "restricted": False,
            "listings": [],
        }
    response = await credit_client.post(
        CHECKS, json={"subjects": [{"uscc": UNIT}], "purpose": "x"}, headers=checker()
    )
    assert locs(response) == ["purpose"]


async def test_candidates_and_withdrawn_proposals_never_restrict(credit_client: httpx.AsyncClient) -> None:
    candidate = await propose(credit_client, {**_body(uscc(5))})
    await acted(credit_client, candidate["id"], "notify", served_on="2026-11-02")
    withdrawn = await propose(credit_client, _body(uscc(6)))
    await acted(credit_client, withdrawn["id"], "withdraw", reason="不符合条件")
    result = await check(credit_client, [{"uscc": uscc(5)}, {"uscc": uscc(6)}, {"uscc": uscc(7)}])
    assert [(r["known"], r["restricted"]) for r in result["results"]] == [
        (True, False),
        (True, False),
        (False, False),
    ]


def _body(unit: str) -> dict[str, Any]:
    return {
        "list_type": "blacklist",
        "unit": {"uscc": unit, "name": "某公司"},
        "basis": {"order_to_pay_deadline": "2026-10-01", "unpaid_at_deadline": True, "group_incident": True},
    }


@pytest.fixture
async def counted_app(db_urls: dict[str, str]) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    app = create_credit_app(credit_settings(db_urls["credit"]), configure_logs=False)
    async with app_client(app) as client:
        yield client, app


async def test_a_batch_of_1000_is_answered_in_order_with_a_constant_number_of_statements(
    counted_app: tuple[httpx.AsyncClient, FastAPI], db_urls: dict[str, str], backend: str
) -> None:
    client, app = counted_app
    # Listed: two units with two persons each; one unit whose listing expired; clean subjects.
    await listed(client, "2025-06-01", unit=uscc(1), people=((id_number(1), "王五", "legal_representative"),))
    await listed(client, "2025-06-02", unit=uscc(2), people=((id_number(2), "赵六", "principal"),))
    await listed(client, "2023-01-01", unit=uscc(3), people=())
    database = Database(db_urls["credit"])
    try:
        async with database.sessionmaker() as session, session.begin():
            for n in range(100, 400):
                session.add(Subject(id=f"e-{n}", subject_type="employer", uscc=uscc(n), name=f"单位{n}"))
            for n in range(100, 200):
                session.add(
                    Subject(id=f"p-{n}", subject_type="person", id_number=id_number(n), name=f"人员{n}")
                )
    finally:
        await database.dispose()
    listed_ones = {uscc(1), uscc(2), id_number(1), id_number(2)}
    subjects: list[dict[str, str]] = []
    for n in range(1, 600):  # known listed, expired, clean, unknown employers
        subjects.append({"uscc": uscc(n)})
    for n in range(1, 402):  # known listed, clean, unknown persons
        subjects.append({"id_number": id_number(n)})
    assert len(subjects) == 1000

    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    def log(query: Any) -> None:
        statements.append(query.query)

    def watch(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        # On PostgreSQL the check runs its SQL on asyncpg itself: everything sent on the
        # connection is logged there, BEGIN and COMMIT included, were there any.
        driver = dbapi_connection.driver_connection
        # Once per connection: the check takes one for its lookup and one for its audit row,
        # often the same.
        if hasattr(driver, "add_query_logger") and driver not in drivers:
            driver.add_query_logger(log)
            drivers.append(driver)

    drivers: list[Any] = []
    engine = app.state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine.pool, "checkout", watch)
    try:
        small = await check(client, [subjects[0], subjects[5], subjects[600], subjects[999]])
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon after each query
        small_count = len(statements)
        statements.clear()
        big = await check(client, subjects)
        await asyncio.sleep(0)
        big_count = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine.pool, "checkout", watch)
        for driver in drivers:
            driver.remove_query_logger(log)
    # The subjects by USCC or 身份证号 with their listings; the day's counter raised within the
    # quota and the audit row, one statement on PostgreSQL, two on SQLite (no data-modifying WITH).
    assert small_count == big_count == (2 if backend == "postgresql" else 3), statements
    assert [r["restricted"] for r in small["results"]] == [True, False, True, False]

    assert big["subject_count"] == 1000 and big["restricted_count"] == 4
    known = {uscc(n) for n in (1, 2, 3, *range(100, 400))} | {id_number(n) for n in (1, 2, *range(100, 200))}
    for given, answer in zip(subjects, big["results"], strict=True):
        value = next(iter(given.values()))
        assert answer["subject"] == given
        assert answer["known"] is (value in known)
        assert answer["restricted"] is (value in listed_ones)


async def test_1001_subjects_are_refused_with_413(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    subjects = [{"uscc": uscc(n)} for n in range(1001)]
    response = await credit_client.post(
        CHECKS, json={"subjects": subjects, "purpose": "bidding"}, headers=checker()
    )
    body = problem(response, 413, "too_many_subjects")
    assert body["max_subjects"] == 1000 and "1000" in body["detail"] and "分批" in body["detail"]
    # Refused before anything is answered or audited.
    database = Database(db_urls["credit"])
    try:
        async with database.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(CheckAudit)) == 0
    finally:
        await database.dispose()


async def test_a_bad_subject_is_named_by_its_position(credit_client: httpx.AsyncClient) -> None:
    bad_uscc = uscc(4)[:-1] + ("0" if uscc(4)[-1] != "0" else "1")
    bad_id = BOSS[:-1] + ("0" if BOSS[-1] != "0" else "1")
    subjects = [
        {"uscc": uscc(1)},
        {"id_number": BOSS},
        {"uscc": uscc(2)},
        {"uscc": bad_uscc},
        {"id_number": bad_id},
    ]
    response = await credit_client.post(
        CHECKS, json={"subjects": subjects, "purpose": "loan"}, headers=checker()
    )
    problem(response, 422, "validation_failed")
    errors = response.json()["errors"]
    assert [(e["loc"], e["code"]) for e in errors] == [
        ("subjects[3].uscc", "uscc_invalid_checksum"),
        ("subjects[4].id_number", "id_number_invalid_checksum"),
    ]
    weird = [{"uscc": uscc(1), "id_number": BOSS}, {"name": "某公司"}, {"uscc": 12}]
    response = await credit_client.post(
        CHECKS, json={"subjects": weird, "purpose": "loan"}, headers=checker()
    )
    assert locs(response) == ["subjects[0]", "subjects[1]", "subjects[2].uscc"]
    response = await credit_client.post(CHECKS, json={"subjects": [], "purpose": "loan"}, headers=checker())
    assert locs(response) == ["subjects"]
    future = {"subjects": [{"uscc": uscc(1)}], "purpose": "loan", "as_of": "2026-11-28"}
    response = await credit_client.post(CHECKS, json=future, headers=checker())
    assert locs(response) == ["as_of"]


async def test_input_is_normalised_before_it_is_checked(credit_client: httpx.AsyncClient) -> None:
    await listed(credit_client, "2026-01-10")
    # Full-width, lower case, spaces: the same code.
    messy = " " + UNIT.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}) + " "
    result = await check(credit_client, [{"uscc": messy}, {"id_number": BOSS[:6] + " " + BOSS[6:]}])
    assert result["results"][0]["subject"] == {"uscc": UNIT}
    assert result["results"][1]["subject"] == {"id_number": BOSS}
    assert [r["restricted"] for r in result["results"]] == [True, True]


async def test_every_check_is_audited(credit_client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    listing = await listed(credit_client, "2026-01-10", people=())
    result = await check(
        credit_client, [{"uscc": UNIT}, {"uscc": uscc(8)}], purpose="awards", as_of="2026-02-01"
    )
    database = Database(db_urls["credit"])
    try:
        async with database.sessionmaker() as session:
            audit = await session.get(CheckAudit, result["audit_id"])
    finally:
        await database.dispose()
    assert audit is not None
    assert (audit.client_id, audit.client_name, audit.purpose) == ("procurement", "政府采购平台", "awards")
    assert audit.as_of.isoformat() == "2026-02-01"
    assert (audit.subject_count, audit.restricted_count) == (2, 1)
    assert audit.answers == [[UNIT, True, [listing["id"]]], [uscc(8), False, []]]


async def test_checks_need_credit_check(credit_client: httpx.AsyncClient) -> None:
    response = await credit_client.post(
        CHECKS, json={"subjects": [{"uscc": UNIT}], "purpose": "loan"}, headers=manager()
    )
    problem(response, 403, "insufficient_scope")


async def test_daily_quota_per_client(db_urls: dict[str, str]) -> None:
    settings = credit_settings(db_urls["credit"])
    settings.check_daily_quota = 5
    app = create_credit_app(settings, configure_logs=False)
    async with app_client(app) as client:
        await check(client, [{"uscc": uscc(n)} for n in range(3)])
        await check(client, [{"uscc": uscc(n)} for n in range(2)])
        response = await client.post(
            CHECKS, json={"subjects": [{"uscc": uscc(1)}], "purpose": "loan"}, headers=checker()
        )
        body = problem(response, 429, "check_quota_exceeded")
        assert int(response.headers["Retry-After"]) > 0 and "5" in body["detail"]
        # Another client has its own quota.
        await check(client, [{"uscc": uscc(n)} for n in range(5)], client_id="bank")


async def test_a_quota_beyond_32_bits(db_urls: dict[str, str]) -> None:
    settings = credit_settings(db_urls["credit"])
    settings.check_daily_quota = 10**12
    app = create_credit_app(settings, configure_logs=False)
    today = china_today()
    await _set_usage(db_urls["credit"], "bank", today, 10**12 - 2)
    async with app_client(app) as client:
        result = await check(client, [{"uscc": uscc(n)} for n in range(3)])
        assert result["subject_count"] == 3
        await check(client, [{"uscc": uscc(n)} for n in range(2)], client_id="bank")
        response = await client.post(
            CHECKS, json={"subjects": [{"uscc": UNIT}], "purpose": "loan"}, headers=checker("bank")
        )
        body = problem(response, 429, "check_quota_exceeded")
        assert "已用 1000000000000 个" in body["detail"]
    usage, audited = await _usage_and_audited(db_urls["credit"])
    assert usage == {("procurement", today): 3, ("bank", today): 10**12}
    assert audited == 5


async def _set_usage(url: str, client_id: str, day: date, used: int) -> None:
    database = Database(url)
    try:
        async with database.sessionmaker() as session, session.begin():
            session.add(CheckQuotaUsage(client_id=client_id, day=day, used=used))
    finally:
        await database.dispose()


async def _usage_and_audited(url: str) -> tuple[dict[tuple[str, date], int], int]:
    """The counters, by client and day, and the subjects of every audit row."""
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            rows = (await session.execute(select(CheckQuotaUsage))).scalars().all()
            audited = await session.scalar(select(func.coalesce(func.sum(CheckAudit.subject_count), 0)))
    finally:
        await database.dispose()
    return {(row.client_id, row.day): row.used for row in rows}, int(audited or 0)


async def test_concurrent_checks_of_one_client_never_overrun_its_quota(db_urls: dict[str, str]) -> None:
    # Eight checks of three subjects at once against a quota of ten: three fit, whatever the
    # order (on PostgreSQL each waits for the one before on the client's counter row).
    settings = credit_settings(db_urls["credit"])
    settings.check_daily_quota = 10
    app = create_credit_app(settings, configure_logs=False)
    async with app_client(app) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    CHECKS,
                    json={"subjects": [{"uscc": uscc(n + k)} for k in range(3)], "purpose": "loan"},
                    headers=checker(),
                )
                for n in range(8)
            )
        )
    accepted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(accepted) == 3, [r.text for r in responses]
    assert len({r.json()["audit_id"] for r in accepted}) == 3
    for response in refused:
        assert "本次 3 个" in problem(response, 429, "check_quota_exceeded")["detail"]
    usage, audited = await _usage_and_audited(db_urls["credit"])
    assert usage == {("procurement", china_today()): 9}
    assert audited == 9


async def test_the_429_tells_the_count_of_the_day_from_the_counter(db_urls: dict[str, str]) -> None:
    settings = credit_settings(db_urls["credit"])
    settings.check_daily_quota = 5
    app = create_credit_app(settings, configure_logs=False)
    today = china_today()
    yesterday = today - timedelta(days=1)
    # No audit rows: the counter alone says what was used. Yesterday's does not count today.
    await _set_usage(db_urls["credit"], "procurement", today, 4)
    await _set_usage(db_urls["credit"], "procurement", yesterday, 5)
    await _set_usage(db_urls["credit"], "bank", yesterday, 5)
    async with app_client(app) as client:
        two = {"subjects": [{"uscc": uscc(1)}, {"uscc": uscc(2)}], "purpose": "loan"}
        response = await client.post(CHECKS, json=two, headers=checker())
        body = problem(response, 429, "check_quota_exceeded")
        assert "（5 个，已用 4 个，本次 2 个）" in body["detail"]
        await check(client, [{"uscc": uscc(1)}])
        response = await client.post(CHECKS, json=two, headers=checker())
        assert "已用 5 个" in problem(response, 429, "check_quota_exceeded")["detail"]

        # More subjects than the quota on a day without a counter: refused, nothing counted.
        six = {"subjects": [{"uscc": uscc(n)} for n in range(6)], "purpose": "loan"}
        response = await client.post(CHECKS, json=six, headers=checker("bank"))
        body = problem(response, 429, "check_quota_exceeded")
        assert "（5 个，已用 0 个，本次 6 个）" in body["detail"]
        await check(client, [{"uscc": uscc(n)} for n in range(5)], client_id="bank")
    usage, audited = await _usage_and_audited(db_urls["credit"])
    assert usage == {
        ("procurement", today): 5,
        ("procurement", yesterday): 5,
        ("bank", yesterday): 5,
        ("bank", today): 5,
    }
    assert audited == 6


async def test_checks_audited_together_are_counted_as_if_one_by_one(
    db_urls: dict[str, str], backend: str
) -> None:
    # On PostgreSQL the audit rows of concurrent checks are written together (one statement
    # per batch): the answer must be what adding them one by one, in order, would give.
    # Quota 5: A's 3+2 fit and its 1 does not; B's 2 fits and its 4 does not; C's 1+1 fit at
    # once; A's 2 of yesterday goes to yesterday's counter.
    today = china_today()
    yesterday = today - timedelta(days=1)
    wanted = [("a", 3, today), ("b", 2, today), ("a", 2, today), ("a", 1, today), ("b", 4, today)]
    wanted += [("c", 1, today), ("c", 1, today), ("a", 2, yesterday)]
    rows = [
        repository.AuditRow(
            client_id=client,
            client_name=f"客户端{client}",
            purpose="loan",
            as_of=day,
            subject_count=count,
            restricted_count=0,
            at=now_utc(),
            answers_json=f'[["{client}-{index}", false, []]]',
            day=day,
        )
        for index, (client, count, day) in enumerate(wanted)
    ]
    database = Database(db_urls["credit"])
    audits = CheckAudits(database, quota=5)
    try:
        if backend == "postgresql":
            # Submitted together, written by one statement.
            ids = await asyncio.gather(*(audits.add(row) for row in rows))
            assert audits.group is not None and (audits.group.batches, audits.group.items) == (1, len(rows))
        else:
            assert audits.group is None
            ids = [await audits.add(row) for row in rows]
        await audits.close()
        assert [audit_id is not None for audit_id in ids] == [
            True,
            True,
            True,
            False,
            False,
            True,
            True,
            True,
        ]
        assert len(set(ids) - {None}) == 6
        async with database.sessionmaker() as session:
            stored = {a.id: a for a in (await session.execute(select(CheckAudit))).scalars()}
    finally:
        await database.dispose()
    # Each id is the audit row of its own check.
    assert set(stored) == set(ids) - {None}
    for index, (audit_id, row) in enumerate(zip(ids, rows, strict=True)):
        if audit_id is not None:
            audit = stored[audit_id]
            assert (audit.client_id, audit.subject_count, audit.as_of) == (
                row.client_id,
                row.subject_count,
                row.day,
            )
            assert audit.answers == [[f"{row.client_id}-{index}", False, []]]
    usage, audited = await _usage_and_audited(db_urls["credit"])
    assert usage == {("a", today): 5, ("b", today): 2, ("c", today): 2, ("a", yesterday): 2}
    assert audited == 11


async def test_the_session_store_counts_within_the_quota_on_either_database(db_urls: dict[str, str]) -> None:
    # SessionChecks (the service's store on SQLite) on either database: a refused count
    # changes the counter no more than it inserts an audit row.
    database = Database(db_urls["credit"])
    today = china_today()
    audit = {
        "client_id": "procurement",
        "client_name": "政府采购平台",
        "purpose": "loan",
        "as_of": today,
        "restricted_count": 0,
        "at": now_utc(),
    }
    try:
        async with database.sessionmaker() as session, session.begin():
            store = repository.SessionChecks(session)

            async def add(quota: int, count: int) -> int | None:
                return await store.add_audit_within_quota(
                    quota=quota, day=today, answers_json="[]", subject_count=count, **audit
                )

            assert await store.subjects_checked("procurement", today) == 0
            first = await add(10**12, 3)
            refused = await add(5, 3)
            last = await add(5, 2)
            assert first is not None and refused is None and last not in (None, first)
            assert await store.subjects_checked("procurement", today) == 5
            assert await store.subjects_checked("procurement", today - timedelta(days=1)) == 0
    finally:
        await database.dispose()
    usage, audited = await _usage_and_audited(db_urls["credit"])
    assert usage == {("procurement", today): 5} and audited == 5


async def test_the_migration_fills_the_counters_of_the_last_two_days_from_the_audits(
    backend: str, tmp_path: Path
) -> None:
    directory = COMPONENTS["credit"]
    workdir = tmp_path / "db"
    workdir.mkdir()
    databases = MigratedDatabases(backend, {"credit": directory}, workdir)
    # Made and dropped in a thread: they run their own event loops (asyncio.run), as Alembic does.
    url = (await asyncio.to_thread(databases.create, migrate=False))["credit"]
    try:
        await asyncio.to_thread(migrations.upgrade, directory, url, "0003")
        now = now_utc()
        audits = [
            ("procurement", 3, now),
            ("procurement", 4, now - timedelta(minutes=1)),
            ("bank", 2, now),
            ("procurement", 5, now - timedelta(days=1)),
            ("procurement", 7, now - timedelta(days=3)),  # too old to matter: not counted
        ]
        database = Database(url)
        try:
            async with database.sessionmaker() as session, session.begin():
                await session.execute(
                    insert(CheckAudit.metadata.tables[CheckAudit.__tablename__]),
                    [
                        {
                            "client_id": client_id,
                            "client_name": client_id,
                            "purpose": "loan",
                            "as_of": china_date(at),
                            "subject_count": count,
                            "restricted_count": 0,
                            "answers": [],
                            "at": at,
                        }
                        for client_id, count, at in audits
                    ],
                )
        finally:
            await database.dispose()
        expected: Counter[tuple[str, date]] = Counter()
        for client_id, count, at in audits[:-1]:
            expected[client_id, china_date(at)] += count

        await asyncio.to_thread(migrations.upgrade, directory, url, "0004")
        usage, audited = await _usage_and_audited(url)
        assert usage == dict(expected) and audited == 21

        # The check goes on from the filled counter: 7 used of 10 today, 4 more refused.
        settings = credit_settings(url)
        settings.check_daily_quota = 10
        async with app_client(create_credit_app(settings, configure_logs=False)) as client:
            four = {"subjects": [{"uscc": uscc(n)} for n in range(4)], "purpose": "loan"}
            response = await client.post(CHECKS, json=four, headers=checker())
            assert (
                f"已用 {expected['procurement', china_date(now)]} 个"
                in problem(response, 429, "check_quota_exceeded")["detail"]
            )

        # Down and up again: the table goes, the audits stay, the counters are filled again.
        await asyncio.to_thread(migrations.downgrade, directory, url, "0003")
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        finally:
            await engine.dispose()
        assert "check_quota_usage" not in tables and "check_audits" in tables
        await asyncio.to_thread(migrations.upgrade, directory, url)
        assert await _usage_and_audited(url) == (dict(expected), 21)
    finally:
        await asyncio.to_thread(databases.drop)


async def test_a_lost_database_connection_is_one_503_then_fresh_connections(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str], backend: str
) -> None:
    # On PostgreSQL the check runs on asyncpg itself (credit.check.repository): a connection
    # lost under it is answered as SessionDep answers it, and the pool is renewed.
    await check(credit_client, [{"uscc": UNIT}])
    if backend == "postgresql":
        name = make_url(db_urls["credit"]).database
        await _admin_execute(
            [
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ]
        )
        lost = await credit_client.post(
            CHECKS, json={"subjects": [{"uscc": UNIT}], "purpose": "loan"}, headers=checker()
        )
        assert lost.status_code == 503, lost.text
        assert lost.headers["content-type"] == "application/problem+json"
        assert lost.json()["code"] == "database_unavailable" and lost.headers["retry-after"] == "1"
    again = await check(credit_client, [{"uscc": UNIT}, {"uscc": uscc(8)}])
    assert again["subject_count"] == 2
    database = Database(db_urls["credit"])
    try:
        async with database.sessionmaker() as session:
            audits = await session.scalar(select(func.count()).select_from(CheckAudit))
    finally:
        await database.dispose()
    assert audits == 2  # the refused check left no row


def test_the_fast_identifier_path_agrees_with_the_shared_validators() -> None:
    # The check accepts canonical identifiers itself and sends everything else to
    # shared.identifiers: both must answer alike.
    today = TODAY
    samples = [UNIT, uscc(4), BOSS, MANAGER, id_number(7)]
    samples += [s[:-1] + c for s in samples for c in "0123456789X"]  # every check character
    samples += [" " + UNIT.lower(), BOSS[:6] + "-" + BOSS[6:], UNIT[:-1], BOSS + "1", "O" + UNIT[1:]]
    samples += [make_id_number(f"530102{born}123") for born in ("20261127", "20261128", "19990230")]
    for raw in samples:
        for fast, shared in (
            (identifiers.uscc, validate_uscc),
            (lambda r: identifiers.id_number(r, today), lambda r: validate_id_number(r, today=today)),
        ):
            try:
                expected: str | tuple[str, str] = shared(raw)
            except IdentifierError as exc:
                expected = (exc.code, exc.message)
            try:
                got: str | tuple[str, str] = fast(raw)
            except IdentifierError as exc:
                got = (exc.code, exc.message)
            assert got == expected, raw
