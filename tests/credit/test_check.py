"""The joint-punishment check (contract.md "Credit registry"): as_of before, during and after a
listing; purposes; a batch of 1000 in a constant number of statements; 1001 refused with 413;
identifiers naming the item; the audit and the daily quota."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from credit.check import identifiers
from credit.check.models import CheckAudit
from credit.check.schemas import CheckResult
from credit.main import create_app as create_credit_app
from credit.subject.models import Subject
from shared.db import Database
from shared.identifiers import IdentifierError, make_id_number, validate_id_number, validate_uscc
from shared.testing.plugin import _admin_execute, app_client
from tests.conftest import credit_settings
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
    counted_app: tuple[httpx.AsyncClient, FastAPI], db_urls: dict[str, str]
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
        if hasattr(driver, "add_query_logger"):
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
    # The subjects by USCC or 身份证号 with their listings; the audit row, within the quota.
    assert small_count == big_count == 2, statements
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
    async with app_client(app) as client:
        result = await check(client, [{"uscc": uscc(n)} for n in range(3)])
        assert result["subject_count"] == 3


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
