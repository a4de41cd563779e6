"""A/B/C grades (人社部规〔2016〕1号 art. 7, domain.md §4.2): boundaries, each C criterion, the
window and its [M] look-back setting, idempotent re-runs and officer overrides."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from credit.grade.models import Grade
from credit.main import create_app as create_credit_app
from shared.db import Database
from shared.identifiers import make_uscc
from shared.testing.plugin import app_client, identity_headers
from tests.conftest import credit_settings
from tests.credit.test_file_and_grades import (
    checker,
    count_rows,
    deliver,
    get_file,
    locs,
    manager,
    record,
    register,
    violation_event,
)

EVALUATE = "/api/v1/credit/grades/evaluations"


def uscc(n: int) -> str:
    return make_uscc(f"91530102MA6K{n:04d}A")


async def evaluate(client: httpx.AsyncClient, year: int = 2026, **fields: Any) -> dict[str, Any]:
    response = await client.post(EVALUATE, json={"year": year, **fields}, headers=manager())
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def current(client: httpx.AsyncClient, year: int = 2026, **params: Any) -> dict[str, dict[str, Any]]:
    """Current grades of ``year`` by USCC, read through the paginated list (small pages)."""
    grades: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {"year": year, "limit": 2, **params}
        if cursor:
            query["cursor"] = cursor
        response = await client.get("/api/v1/credit/grades", params=query, headers=manager())
        assert response.status_code == 200, response.text
        page = response.json()
        for item in page["items"]:
            assert item["subject"]["uscc"] not in grades
            grades[item["subject"]["uscc"]] = item
        cursor = page["next_cursor"]
        if cursor is None:
            return grades


async def employer_with(client: httpx.AsyncClient, code: str, violations: list[dict[str, Any]]) -> list[str]:
    assert (await register(client, code, f"单位{code[-6:]}")).status_code == 201
    return [(await record(client, code, **v))["id"] for v in violations]


PUNISHED = {"punished": True}
NOT_PUNISHED = {"punished": False, "stage": "other"}


async def test_grade_boundaries(credit_client: httpx.AsyncClient) -> None:
    a, b1, b2, c3 = uscc(1), uscc(2), uscc(3), uscc(4)
    await employer_with(credit_client, a, [NOT_PUNISHED])
    b1_ids = await employer_with(credit_client, b1, [PUNISHED])
    await employer_with(credit_client, b2, [PUNISHED, PUNISHED])
    c3_ids = await employer_with(credit_client, c3, [PUNISHED, PUNISHED, PUNISHED])

    summary = await evaluate(credit_client)
    assert summary["evaluated"] == 4 and summary["created"] == 4
    assert summary["by_grade"] == {"A": 1, "B": 2, "C": 1}
    assert summary["basis"]["window_from"] == "2026-01-01"
    assert summary["basis"]["window_to"] == "2026-12-31"
    assert summary["basis"]["c_min_punished"] == 3
    assert set(summary["basis"]["unverified"]) == {"grade_c_min_punished", "grade_lookback_years"}

    grades = await current(credit_client)
    assert {k: v["grade"] for k, v in grades.items()} == {a: "A", b1: "B", b2: "B", c3: "C"}
    assert grades[a]["reasons"] == []
    [b_reason] = grades[b1]["reasons"]
    assert b_reason["criterion"] == "punished" and b_reason["violation_ids"] == b1_ids
    [c_reason] = grades[c3]["reasons"]
    assert c_reason["criterion"] == "punished_repeatedly"
    assert c_reason["count"] == 3 and c_reason["threshold"] == 3
    assert sorted(c_reason["violation_ids"]) == sorted(c3_ids)

    only_b = await current(credit_client, grade="B")
    assert set(only_b) == {b1, b2}
    file = await get_file(credit_client, c3)
    assert file["grade"]["grade"] == "C" and file["grade"]["year"] == 2026


async def test_each_other_c_criterion(credit_client: httpx.AsyncClient) -> None:
    cases = {
        "group_incident": "incident",
        "extreme_incident": "incident",
        "serious_impact": "incident",
        "child_labor": "child_or_forced_labor",
        "forced_labor": "child_or_forced_labor",
        "refused_order": "refused_order",
        "obstructed_inspection": "obstructed_inspection",
        "criminal_liability": "criminal_liability",
    }
    expected: dict[str, tuple[str, str]] = {}
    for n, (flag, criterion) in enumerate(cases.items(), start=10):
        code = uscc(n)
        [violation_id] = await employer_with(credit_client, code, [{**PUNISHED, "flags": [flag]}])
        expected[code] = (criterion, violation_id)
    # Obstruction is conduct: it grades C even where no penalty was recorded. Child labour
    # grades C when it was 查处 (art. 7 C item 3), so an unpunished record does not.
    obstructed = uscc(30)
    [obstructed_id] = await employer_with(
        credit_client, obstructed, [{**NOT_PUNISHED, "flags": ["obstructed_inspection"]}]
    )
    unpunished_child = uscc(31)
    await employer_with(credit_client, unpunished_child, [{**NOT_PUNISHED, "issues": ["child_labor"]}])

    await evaluate(credit_client)
    grades = await current(credit_client)
    for code, (criterion, violation_id) in expected.items():
        assert grades[code]["grade"] == "C", code
        assert [(r["criterion"], r["violation_ids"]) for r in grades[code]["reasons"]] == [
            (criterion, [violation_id])
        ]
    assert grades[obstructed]["grade"] == "C"
    assert grades[obstructed]["reasons"][0]["violation_ids"] == [obstructed_id]
    assert grades[unpunished_child]["grade"] == "A"


async def test_a_child_labour_case_from_the_complaints_service_grades_c(
    credit_client: httpx.AsyncClient,
) -> None:
    assert (await deliver(credit_client, violation_event(issues=["child_labor"]))).status_code == 202
    await evaluate(credit_client)
    [grade] = (await current(credit_client)).values()
    assert grade["grade"] == "C"
    assert grade["reasons"][0]["criterion"] == "child_or_forced_labor"


async def test_one_case_counts_once_whatever_its_stages(credit_client: httpx.AsyncClient) -> None:
    # An order to correct and then a penalty in one case, plus another case: 2 matters, not 3.
    case_id = "case-1"
    for stage in ("order_to_correct", "administrative_penalty"):
        assert (
            await deliver(credit_client, violation_event(stage=stage, case_id=case_id))
        ).status_code == 202
    assert (await deliver(credit_client, violation_event())).status_code == 202
    await evaluate(credit_client)
    [grade] = (await current(credit_client)).values()
    assert grade["grade"] == "B"
    assert grade["reasons"][0]["count"] == 2
    assert len(grade["reasons"][0]["violation_ids"]) == 3


async def test_the_window_is_the_year_unless_the_look_back_setting_widens_it(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    code = uscc(40)
    await employer_with(
        credit_client,
        code,
        [
            {**PUNISHED, "decided_on": "2025-12-31"},
            {**PUNISHED, "decided_on": "2026-01-01"},
            {**PUNISHED, "decided_on": "2026-11-01"},
        ],
    )
    await evaluate(credit_client)
    grade = (await current(credit_client))[code]
    assert grade["grade"] == "B" and grade["reasons"][0]["count"] == 2  # 2025-12-31 is outside

    settings = credit_settings(db_urls["credit"]).model_copy(update={"grade_lookback_years": 2})
    async with app_client(create_credit_app(settings, configure_logs=False)) as wide:
        summary = await evaluate(wide)
        assert summary["basis"]["window_from"] == "2025-01-01"
        assert summary["basis"]["lookback_years"] == 2
        assert summary["created"] == 1
        grade = (await current(wide))[code]
        assert grade["grade"] == "C" and grade["reasons"][0]["count"] == 3


async def test_the_threshold_is_a_setting(credit_client: httpx.AsyncClient, db_urls: dict[str, str]) -> None:
    code = uscc(41)
    await employer_with(credit_client, code, [PUNISHED, PUNISHED])
    settings = credit_settings(db_urls["credit"]).model_copy(update={"grade_c_min_punished": 2})
    async with app_client(create_credit_app(settings, configure_logs=False)) as strict:
        await evaluate(strict)
        assert (await current(strict))[code]["grade"] == "C"


async def test_a_rerun_changes_nothing_and_a_change_supersedes(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    first, second = uscc(50), uscc(51)
    await employer_with(credit_client, first, [PUNISHED])
    await employer_with(credit_client, second, [PUNISHED])
    assert (await evaluate(credit_client))["created"] == 2
    before = await current(credit_client)

    rerun = await evaluate(credit_client)
    assert rerun["created"] == 0 and rerun["unchanged"] == 2
    assert await count_rows(db_urls["credit"], Grade) == 2
    assert await current(credit_client) == before

    await record(credit_client, first, flags=["refused_order"])
    changed = await evaluate(credit_client)
    assert changed["created"] == 1 and changed["unchanged"] == 1
    after = await current(credit_client)
    assert after[first]["grade"] == "C" and after[first]["id"] != before[first]["id"]
    assert after[second] == before[second]

    database = Database(db_urls["credit"])
    try:
        async with database.sessionmaker() as session:
            rows = (await session.scalars(select(Grade).order_by(Grade.id))).all()
    finally:
        await database.dispose()
    assert [(r.id == before[first]["id"], r.superseded) for r in rows if r.id != before[second]["id"]] == [
        (True, True),
        (False, False),
    ]


async def test_clean_employers_are_graded_on_request_and_graded_ones_stay_in(
    credit_client: httpx.AsyncClient,
) -> None:
    clean, corrected = uscc(60), uscc(61)
    assert (await register(credit_client, clean, "守法单位")).status_code == 201
    [violation_id] = await employer_with(credit_client, corrected, [PUNISHED])
    summary = await evaluate(credit_client)
    assert summary["evaluated"] == 1
    assert set(await current(credit_client)) == {corrected}

    # The only violation turns out to be someone else's: corrected to a year outside the window.
    response = await credit_client.post(
        f"/api/v1/credit/violations/{violation_id}/corrections",
        json={
            "uscc": corrected,
            "decided_on": "2024-05-01",
            "stage": "administrative_penalty",
            "punished": True,
            "issues": ["wage_arrears"],
            "reason": "查处日期录入错误",
        },
        headers=manager(),
    )
    assert response.status_code == 201, response.text
    summary = await evaluate(credit_client, include_clean=True)
    assert summary["evaluated"] == 2 and summary["created"] == 2
    assert {k: v["grade"] for k, v in (await current(credit_client)).items()} == {clean: "A", corrected: "A"}


async def test_an_override_needs_a_reason_and_survives_evaluations(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    code = uscc(70)
    await employer_with(credit_client, code, [PUNISHED])
    await evaluate(credit_client)
    url = f"/api/v1/credit/subjects/{code}/grades/2026/override"

    assert locs(await credit_client.post(url, json={"grade": "A"}, headers=manager())) == {"reason"}
    assert locs(await credit_client.post(url, json={"grade": "D", "reason": "x"}, headers=manager())) == {
        "grade"
    }
    future = f"/api/v1/credit/subjects/{code}/grades/2099/override"
    assert locs(await credit_client.post(future, json={"grade": "A", "reason": "x"}, headers=manager())) == {
        "path.year"
    }
    missing = f"/api/v1/credit/subjects/{uscc(71)}/grades/2026/override"
    assert (
        await credit_client.post(missing, json={"grade": "A", "reason": "x"}, headers=manager())
    ).status_code == 404
    assert (
        await credit_client.post(url, json={"grade": "A", "reason": "x"}, headers=checker())
    ).status_code == 403

    response = await credit_client.post(
        url, json={"grade": "A", "reason": "经复核，系劳务派遣单位责任"}, headers=manager()
    )
    assert response.status_code == 201, response.text
    override = response.json()
    assert override["grade"] == "A" and override["computed_grade"] == "B" and override["overridden"] is True

    rerun = await evaluate(credit_client)
    assert rerun["created"] == 0 and rerun["overrides_kept"] == 1
    kept = (await current(credit_client))[code]
    assert kept["id"] == override["id"] and kept["grade"] == "A"
    rows_before = await count_rows(db_urls["credit"], Grade)

    # The facts move under the override: a new row, the override kept, the new computed grade shown.
    await record(credit_client, code)
    await record(credit_client, code)
    moved = await evaluate(credit_client)
    assert moved["created"] == 1 and moved["by_grade"]["A"] == 1
    latest = (await current(credit_client))[code]
    assert latest["grade"] == "A" and latest["computed_grade"] == "C"
    assert latest["overridden"] is True and latest["override_reason"] == "经复核，系劳务派遣单位责任"
    assert await count_rows(db_urls["credit"], Grade) == rows_before + 1
    file = await get_file(credit_client, code)
    assert file["grade"]["id"] == latest["id"]


async def test_an_override_before_any_evaluation_computes_the_grade(credit_client: httpx.AsyncClient) -> None:
    code = uscc(80)
    await employer_with(credit_client, code, [PUNISHED, PUNISHED, PUNISHED])
    response = await credit_client.post(
        f"/api/v1/credit/subjects/{code}/grades/2026/override",
        json={"grade": "B", "reason": "三次查处中两次为同一事项"},
        headers=manager(),
    )
    assert response.status_code == 201, response.text
    assert response.json()["computed_grade"] == "C" and response.json()["grade"] == "B"
    assert (await evaluate(credit_client))["created"] == 0


async def test_an_evaluation_costs_the_same_statements_for_2_or_8_employers(db_urls: dict[str, str]) -> None:
    app = create_credit_app(credit_settings(db_urls["credit"]), configure_logs=False)
    async with app_client(app) as client:
        statements: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        async def measured() -> int:
            statements.clear()
            event.listen(app.state.db.engine.sync_engine, "before_cursor_execute", count)
            try:
                await evaluate(client)
            finally:
                event.remove(app.state.db.engine.sync_engine, "before_cursor_execute", count)
            return len(statements)

        for n in range(2):
            await employer_with(client, uscc(100 + n), [PUNISHED, {**PUNISHED, "flags": ["refused_order"]}])
        few = await measured()
        for n in range(2, 8):
            await employer_with(client, uscc(100 + n), [PUNISHED, {**PUNISHED, "flags": ["refused_order"]}])
        many = await measured()
        assert len(await current(client)) == 8
        assert many == few, statements


@pytest.mark.parametrize(
    ("body", "loc"),
    [({"year": 2016}, "year"), ({"year": 2099}, "year"), ({}, "year"), ({"year": 2026, "extra": 1}, "extra")],
)
async def test_evaluation_input_is_checked(
    credit_client: httpx.AsyncClient, body: dict[str, Any], loc: str
) -> None:
    assert loc in locs(await credit_client.post(EVALUATE, json=body, headers=manager()))


async def test_grades_need_the_manage_scope(credit_client: httpx.AsyncClient) -> None:
    assert (await credit_client.post(EVALUATE, json={"year": 2026}, headers=checker())).status_code == 403
    internal = identity_headers("internal", client_id="service:gateway")
    assert (await credit_client.get("/api/v1/credit/grades", headers=internal)).status_code == 403
    bad = await credit_client.get("/api/v1/credit/grades", params={"grade": "D"}, headers=manager())
    assert locs(bad) == {"query.grade"}
