"""The compliance file (守法诚信档案): event intake, registration, names, persons, violations.

Grades are in test_grades.py; the builders here are shared with it.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from credit.main import create_app as create_credit_app
from credit.subject.models import ProcessedEvent, Subject, Violation
from shared.db import Database
from shared.identifiers import make_id_number, make_uscc
from shared.testing.plugin import identity_headers
from tests.conftest import credit_settings

USCC_A = make_uscc("91530102MA6K0001A")
USCC_B = make_uscc("91530102MA6K0002B")
PERSON_1 = make_id_number("53010219900101123")
PERSON_2 = make_id_number("53011119921212456")
FILE = "/api/v1/credit/subjects"


def manager() -> dict[str, str]:
    # Tokens live 60 seconds: made per request, never at import time.
    return identity_headers("credit:manage", client_id="officer-1", client_name="信用管理科")


def checker() -> dict[str, str]:
    return identity_headers("credit:check", client_id="procurement", client_name="政府采购平台")


def gateway() -> dict[str, str]:
    return identity_headers("internal", client_id="service:gateway", client_name="gateway")


def violation_event(
    *,
    uscc: str | None = USCC_A,
    name: str | None = "某某快递有限公司",
    stage: str = "administrative_penalty",
    occurred_at: str = "2026-03-02T10:00:00+08:00",
    issues: list[str] | None = None,
    case_id: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """``case.violation_established`` as the complaints service emits it (events.case_ref + data)."""
    case_id = case_id or str(uuid.uuid4())
    data: dict[str, Any] = {
        "case_id": case_id,
        "case_no": "2026-000123",
        "kind": "complaint",
        "channel": "mobile_app",
        "status": "investigating",
        "external_ref": None,
        "employer": {"name": name, "uscc": uscc, "district_code": "530102", "industry_code": "6020"},
        "stage": stage,
        "facts": {"issues": issues or ["wage_arrears"], "workers": 12, "amount": "36000.00"},
    }
    if stage == "administrative_penalty":
        data.update(decision_no="昆人社监罚〔2026〕12号", fine="20000.00")
    return {
        "id": event_id or str(uuid.uuid4()),
        "type": "case.violation_established",
        "source": "complaints",
        "aggregate_id": case_id,
        "occurred_at": occurred_at,
        "data": data,
    }


async def deliver(client: httpx.AsyncClient, event: dict[str, Any]) -> httpx.Response:
    return await client.post("/api/v1/credit/events", json=event, headers=gateway())


async def register(
    client: httpx.AsyncClient, uscc: str = USCC_A, name: str = "某某快递有限公司", **fields: Any
) -> httpx.Response:
    body = {"uscc": uscc, "name": name, "district_code": "530102", "industry_code": "6020", **fields}
    return await client.post(FILE, json=body, headers=manager())


def violation_body(uscc: str = USCC_A, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uscc": uscc,
        "decided_on": "2026-05-10",
        "stage": "administrative_penalty",
        "punished": True,
        "issues": ["wage_arrears"],
        "workers": 3,
        "amount": "9000.00",
        "flags": [],
        "description": "拖欠三名劳动者工资",
    }
    body.update(overrides)
    return body


async def record(client: httpx.AsyncClient, uscc: str = USCC_A, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/credit/violations", json=violation_body(uscc, **overrides), headers=manager()
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def get_file(client: httpx.AsyncClient, uscc: str = USCC_A, **params: Any) -> dict[str, Any]:
    response = await client.get(f"{FILE}/{uscc}", params=params, headers=manager())
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def count_rows(db_url: str, model: Any) -> int:
    database = Database(db_url)
    try:
        async with database.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        await database.dispose()


def locs(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["loc"] for e in response.json()["errors"]}


# --- event intake --------------------------------------------------------------------------


async def test_an_event_delivered_twice_is_recorded_once(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    event = violation_event()
    first = await deliver(credit_client, event)
    assert first.status_code == 202, first.text
    assert first.json() == {"id": event["id"], "status": "accepted"}
    again = await deliver(credit_client, event)
    assert again.status_code == 200
    assert again.json() == {"id": event["id"], "status": "duplicate"}

    assert await count_rows(db_urls["credit"], ProcessedEvent) == 1
    assert await count_rows(db_urls["credit"], Violation) == 1
    file = await get_file(credit_client)
    assert file["subject"]["name"] == "某某快递有限公司"
    [violation] = file["violations"]
    assert violation["source"] == "event"
    assert violation["stage"] == "administrative_penalty"
    assert violation["punished"] is True
    assert violation["decided_on"] == "2026-03-02"
    assert violation["case_id"] == event["data"]["case_id"]
    assert violation["amount"] == "36000.00"
    assert violation["workers"] == 12
    assert "昆人社监罚〔2026〕12号" in violation["description"]


async def test_an_event_is_dated_by_the_day_in_kunming_and_an_order_to_correct_counts_as_punished(
    credit_client: httpx.AsyncClient,
) -> None:
    # 17:00 UTC on 31 December is 01:00 on 1 January in Kunming.
    event = violation_event(
        stage="order_to_correct", occurred_at="2025-12-31T17:00:00+00:00", issues=["child_labor"]
    )
    assert (await deliver(credit_client, event)).status_code == 202
    [violation] = (await get_file(credit_client))["violations"]
    assert violation["decided_on"] == "2026-01-01"
    assert violation["stage"] == "order_to_correct"
    assert violation["punished"] is True
    assert violation["flags"] == ["child_labor"]


async def test_unknown_and_informational_events_are_acknowledged_without_a_violation(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    unknown = {**violation_event(), "type": "case.progress", "data": {"message": "已开始调查"}}
    assert (await deliver(credit_client, unknown)).status_code == 202
    repeated = {
        **violation_event(),
        "type": "employer.repeated_complaints",
        "data": {"case_id": "c-1", "employer": {"name": "某某快递有限公司", "uscc": USCC_A}, "count": 4},
    }
    assert (await deliver(credit_client, repeated)).status_code == 202
    assert (await deliver(credit_client, unknown)).status_code == 200

    database = Database(db_urls["credit"])
    try:
        async with database.sessionmaker() as session:
            results = {r.id: r.result for r in (await session.scalars(select(ProcessedEvent))).all()}
    finally:
        await database.dispose()
    assert results[unknown["id"]]["outcome"] == "ignored"
    assert results[repeated["id"]]["outcome"] == "noted"
    assert results[repeated["id"]]["count"] == 4
    assert await count_rows(db_urls["credit"], Violation) == 0
    assert await count_rows(db_urls["credit"], Subject) == 0


async def test_a_malformed_event_is_refused_whole_and_can_be_sent_again(
    credit_client: httpx.AsyncClient,
) -> None:
    event = violation_event()
    event["data"]["employer"]["uscc"] = "91530102MA6K0001X"
    assert "data.employer.uscc" in locs(await deliver(credit_client, event))
    event["data"]["employer"]["uscc"] = USCC_A
    assert (await deliver(credit_client, event)).status_code == 202


async def test_the_event_intake_is_internal_only(credit_client: httpx.AsyncClient) -> None:
    response = await credit_client.post("/api/v1/credit/events", json=violation_event(), headers=manager())
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert (await credit_client.post("/api/v1/credit/events", json=violation_event())).status_code == 401


async def test_an_employer_known_by_uscc_alone_gets_its_name_from_a_later_case(
    credit_client: httpx.AsyncClient,
) -> None:
    assert (await deliver(credit_client, violation_event(name=None))).status_code == 202
    assert (await get_file(credit_client))["subject"]["name"] == "（名称不详）"
    assert (await deliver(credit_client, violation_event(name="某某快递有限公司"))).status_code == 202
    file = await get_file(credit_client)
    assert file["subject"]["name"] == "某某快递有限公司"
    assert [n["name"] for n in file["names"]] == ["（名称不详）", "某某快递有限公司"]
    assert len(file["violations"]) == 2


async def test_an_employer_known_by_name_alone_takes_its_uscc_when_registered(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    for _ in range(2):
        assert (
            await deliver(credit_client, violation_event(uscc=None, name="无照快递点"))
        ).status_code == 202
    assert await count_rows(db_urls["credit"], Subject) == 1

    response = await register(credit_client, USCC_B, "无照快递点")
    assert response.status_code == 200, response.text  # an existing subject, now identified
    file = response.json()
    assert file["subject"]["uscc"] == USCC_B
    assert len(file["violations"]) == 2
    assert await count_rows(db_urls["credit"], Subject) == 1


# --- the file ------------------------------------------------------------------------------


async def test_the_file_shows_the_name_history_and_the_violations(credit_client: httpx.AsyncClient) -> None:
    created = await register(credit_client, name="某某快递有限公司", address="昆明市五华区某路1号")
    assert created.status_code == 201, created.text
    renamed = await register(credit_client, name="某某供应链有限公司", name_valid_from="2026-06-01")
    assert renamed.status_code == 200, renamed.text
    assert (await register(credit_client, name="某某供应链有限公司")).status_code == 200  # no change
    # A case that still uses the old trading name adds nothing; a new spelling joins the history.
    assert (await deliver(credit_client, violation_event(name="某某快递有限公司"))).status_code == 202
    assert (await deliver(credit_client, violation_event(name="某某快递公司五华网点"))).status_code == 202
    await record(credit_client)

    file = await get_file(credit_client)
    assert file["subject"]["name"] == "某某供应链有限公司"
    assert file["subject"]["address"] == "昆明市五华区某路1号"
    assert [(n["name"], n["valid_from"], n["source"]) for n in file["names"]] == [
        ("某某快递有限公司", None, "registration"),
        ("某某快递公司五华网点", None, "event"),
        ("某某供应链有限公司", "2026-06-01", "registration"),
    ]
    assert [v["source"] for v in file["violations"]] == ["officer", "event", "event"]
    assert file["grade"] is None and file["grades"] == [] and file["listings"] == []


async def test_persons_are_masked_for_a_checking_caller(credit_client: httpx.AsyncClient) -> None:
    persons = [
        {"id_number": PERSON_1, "name": "张三丰", "role": "legal_representative", "valid_from": "2020-01-01"},
        {"id_number": PERSON_2, "name": "李四", "role": "directly_responsible"},
    ]
    assert (await register(credit_client, persons=persons)).status_code == 201
    # A new legal representative ends the previous one's term on the day they take over.
    successor = [
        {"id_number": PERSON_2, "name": "李四", "role": "legal_representative", "valid_from": "2026-07-01"}
    ]
    assert (await register(credit_client, persons=successor)).status_code == 200
    await record(credit_client, description=f"法定代表人（身份证号 {PERSON_1}，电话 13800005678）拒不到场")

    full = await get_file(credit_client)
    assert full["personal_data_masked"] is False
    roles = {(r["role"], r["person"]["name"]): r for r in full["persons"]}
    assert roles[("legal_representative", "张三丰")]["valid_to"] == "2026-07-01"
    assert roles[("legal_representative", "张三丰")]["current"] is False
    assert roles[("legal_representative", "李四")]["current"] is True
    assert roles[("directly_responsible", "李四")]["person"]["id_number"] == PERSON_2

    response = await credit_client.get(f"{FILE}/{USCC_A}", headers=checker())
    assert response.status_code == 200, response.text
    masked = response.json()
    assert masked["personal_data_masked"] is True
    names = {r["person"]["name"] for r in masked["persons"]}
    assert names == {"张**", "李*"}
    ids = {r["person"]["id_number"] for r in masked["persons"]}
    assert ids == {PERSON_1[:4] + "*" * 10 + PERSON_1[-4:], PERSON_2[:4] + "*" * 10 + PERSON_2[-4:]}
    assert PERSON_1 not in response.text and "张三丰" not in response.text
    assert "13800005678" not in response.text and "138****5678" in response.text

    # A person's own file is for credit officers only.
    assert (
        await credit_client.get(f"/api/v1/credit/persons/{PERSON_1}", headers=checker())
    ).status_code == 403
    person = await credit_client.get(f"/api/v1/credit/persons/{PERSON_2}", headers=manager())
    assert person.status_code == 200, person.text
    assert person.json()["id_number"] == PERSON_2
    assert {(r["role"], r["employer"]["uscc"], r["current"]) for r in person.json()["roles"]} == {
        ("directly_responsible", USCC_A, True),
        ("legal_representative", USCC_A, True),
    }
    missing = await credit_client.get(
        f"/api/v1/credit/persons/{make_id_number('53010219850505123')}", headers=manager()
    )
    assert missing.status_code == 404


async def test_two_current_legal_representatives_in_one_request_are_refused(
    credit_client: httpx.AsyncClient,
) -> None:
    persons = [
        {"id_number": PERSON_1, "name": "张三丰", "role": "legal_representative"},
        {"id_number": PERSON_2, "name": "李四", "role": "legal_representative"},
    ]
    assert locs(await register(credit_client, persons=persons)) == {"persons[1].role"}


# --- violations and corrections ------------------------------------------------------------


async def test_a_correction_supersedes_and_a_superseded_row_cannot_be_corrected_again(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    assert (await register(credit_client)).status_code == 201
    original = await record(credit_client, flags=["refused_order"], issues=["wage_arrears", "child_labor"])
    assert original["source"] == "officer"
    assert original["flags"] == ["child_labor", "refused_order"]

    url = f"/api/v1/credit/violations/{original['id']}/corrections"
    body = violation_body(workers=5, amount="15000.00", reason="核实后受害人数为5人")
    corrected = await credit_client.post(url, json=body, headers=manager())
    assert corrected.status_code == 201, corrected.text
    new = corrected.json()
    assert new["supersedes_id"] == original["id"] and new["superseded"] is False
    assert new["workers"] == 5 and new["amount"] == "15000.00"
    assert "核实后受害人数为5人" in new["description"]

    again = await credit_client.post(url, json=body, headers=manager())
    assert again.status_code == 409
    assert again.json()["code"] == "violation_superseded"
    assert again.json()["superseded_by"] == new["id"]

    current = await get_file(credit_client)
    assert [v["id"] for v in current["violations"]] == [new["id"]]
    history = await get_file(credit_client, include_superseded="true")
    chain = {v["id"]: v for v in history["violations"]}
    assert chain[original["id"]]["superseded"] is True
    assert chain[original["id"]]["superseded_by"] == new["id"]
    assert chain[new["id"]]["superseded_by"] is None
    assert await count_rows(db_urls["credit"], Violation) == 2  # nothing deleted

    # The latest row of the chain can be corrected in turn.
    later = await credit_client.post(
        f"/api/v1/credit/violations/{new['id']}/corrections",
        json={**body, "reason": "再次核实"},
        headers=manager(),
    )
    assert later.status_code == 201, later.text


async def test_a_corrected_event_violation_keeps_its_case(credit_client: httpx.AsyncClient) -> None:
    event = violation_event()
    assert (await deliver(credit_client, event)).status_code == 202
    [violation] = (await get_file(credit_client))["violations"]
    response = await credit_client.post(
        f"/api/v1/credit/violations/{violation['id']}/corrections",
        json=violation_body(decided_on="2026-03-02", reason="罚款决定被复议变更"),
        headers=manager(),
    )
    assert response.status_code == 201, response.text
    assert response.json()["case_id"] == event["data"]["case_id"]
    assert response.json()["case_no"] == "2026-000123"


async def test_bad_input_names_the_field(credit_client: httpx.AsyncClient) -> None:
    assert locs(await register(credit_client, uscc="91530102MA6K0001X")) == {"uscc"}
    bad_path = await credit_client.get(f"{FILE}/91530102MA6K0001X", headers=manager())
    assert locs(bad_path) == {"path.uscc"}
    assert (await register(credit_client)).status_code == 201

    violations = "/api/v1/credit/violations"
    response = await credit_client.post(violations, json=violation_body(flags=["arson"]), headers=manager())
    assert locs(response) == {"flags[0]"}
    response = await credit_client.post(violations, json=violation_body(amount=12.5), headers=manager())
    assert locs(response) == {"amount"}
    response = await credit_client.post(
        violations, json=violation_body(decided_on="2099-01-01"), headers=manager()
    )
    assert locs(response) == {"decided_on"}
    original = await record(credit_client)
    response = await credit_client.post(
        f"{violations}/{original['id']}/corrections", json=violation_body(), headers=manager()
    )
    assert locs(response) == {"reason"}
    response = await credit_client.post(
        f"{violations}/{original['id']}/corrections", json=violation_body(reason="  "), headers=manager()
    )
    assert locs(response) == {"reason"}


async def test_missing_things_are_404(credit_client: httpx.AsyncClient) -> None:
    response = await credit_client.get(f"{FILE}/{USCC_B}", headers=checker())
    assert response.status_code == 404
    assert response.json()["code"] == "subject_not_found"
    response = await credit_client.post(
        "/api/v1/credit/violations", json=violation_body(USCC_B), headers=manager()
    )
    assert response.status_code == 404
    response = await credit_client.post(
        "/api/v1/credit/violations/nope/corrections", json=violation_body(reason="x"), headers=manager()
    )
    assert response.status_code == 404
    assert response.json()["code"] == "violation_not_found"


async def test_scopes_are_required(credit_client: httpx.AsyncClient) -> None:
    other = identity_headers("complaints:read")
    assert (await credit_client.get(f"{FILE}/{USCC_A}", headers=other)).status_code == 403
    body = {"uscc": USCC_A, "name": "某某快递有限公司"}
    assert (await credit_client.post(FILE, json=body, headers=checker())).status_code == 403
    response = await credit_client.post("/api/v1/credit/violations", json=violation_body(), headers=checker())
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["credit:manage"]


def _route_paths(routes: list[Any]) -> list[str]:
    paths: list[str] = []
    for route in routes:
        # FastAPI keeps included routers as one entry each; their contexts carry the full paths.
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            paths.extend(context.path for context in contexts())
        elif getattr(route, "path", None):
            paths.append(route.path)
    return paths


def test_the_file_is_the_only_route_for_its_path() -> None:
    app = create_credit_app(credit_settings("sqlite+aiosqlite:///:memory:"), configure_logs=False)
    paths = _route_paths(list(app.routes))
    assert "/api/v1/credit/grades/evaluations" in paths
    assert paths.count("/api/v1/credit/subjects/{uscc}") == 1
