"""Filing through the gateway: every channel, complaint vs report, validation, checks, duplicates."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from complaints.case.models import Case
from shared.db import Database
from shared.testing.plugin import identity_headers
from tests.complaints.helpers import COURIER_USCC, WORKER_ID, complaint, file, report

CHANNELS = [
    "window", "phone", "hotline_12345", "police_110", "mobile_app", "web", "letter", "assigned",
    "transferred", "petition", "inspection", "monitoring", "clue_platform",
]  # fmt: skip


async def _outbox(db_url: str, case_id: str) -> list[Any]:
    from complaints.outbox.models import OutboxEvent

    database = Database(db_url)
    async with database.sessionmaker() as session:
        rows = (await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == case_id))).all()
    await database.dispose()
    return list(rows)


async def test_every_channel_files_a_case_with_its_acceptance_deadline(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str]
) -> None:
    numbers = set()
    for channel in CHANNELS:
        case = await file(gateway_client, mobile_app, complaint(channel=channel))
        assert case["channel"] == channel
        assert case["status"] == "received"
        assert case["case_no"].startswith("2026-")
        numbers.add(case["case_no"])
        # Received Friday 2026-11-27: the 5th working day after it (receipt day not counted).
        assert case["deadlines"] == {
            "accept_by": "2026-12-04",
            "investigate_by": None,
            "extended": False,
            "calendar_provisional": False,
            "overdue": [],
            "rectify_by": None,
            "hearing_request_by": None,
            "fine_due_by": None,
            "fine_paid_on": None,
            "late_fine_surcharge": None,
            "result_notice_by": None,
            "result_notified_on": None,
        }
    assert len(numbers) == len(CHANNELS)


@pytest.mark.parametrize(
    ("change", "loc", "code"),
    [
        ({"complainant": {"name": "李四", "phone": "13800005678"}}, "complainant.id_number", "missing"),
        (
            {"complainant": {"name": "李四", "id_number": WORKER_ID[:-1] + "0", "phone": "13800005678"}},
            "complainant.id_number",
            "id_number_invalid_checksum",
        ),
        (
            {"complainant": {"name": "李四", "id_number": WORKER_ID, "phone": "12345"}},
            "complainant.phone",
            "phone_invalid",
        ),
        (
            {"employer": {"name": "某公司", "uscc": COURIER_USCC[:-1] + "0"}},
            "employer.uscc",
            "uscc_invalid_checksum",
        ),
        (
            {"employer": {"name": "某公司", "district_code": "5301"}},
            "employer.district_code",
            "district_code_invalid",
        ),
        ({"employer": {"address": "某地"}}, "employer.name", "missing"),
        ({"channel": "fax"}, "channel", "literal_error"),
        ({"issues": []}, "issues", "too_short"),
        ({"issues": ["unpaid_tea"]}, "issues[0]", "literal_error"),
        ({"amount_claimed": 36000.5}, "amount_claimed", "money_float_not_allowed"),
        ({"amount_claimed": "360.005"}, "amount_claimed", "money_too_many_decimals"),
        ({"anonymous": True}, "anonymous", "complaint_not_anonymous"),
        ({"received_at": "2099-01-01T00:00:00+08:00"}, "received_at", "in_future"),
        ({"received_at": "2026-11-27T09:30:00"}, "received_at", "timezone_aware"),
        (
            {"occurred_on": "2026-10-31", "violation_ended_on": "2026-10-01"},
            "violation_ended_on",
            "before_occurred_on",
        ),
        ({"surprise": 1}, "surprise", "extra_forbidden"),
    ],
)
async def test_bad_input_is_422_naming_the_field_and_changes_nothing(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str], change: dict[str, Any], loc: str, code: str
) -> None:
    response = await gateway_client.post("/api/v1/complaints", json=complaint(**change), headers=mobile_app)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert {"loc": loc, "code": code} in [{"loc": e["loc"], "code": e["code"]} for e in errors], errors
    assert all(e["message"] for e in errors)
    listed = await gateway_client.get("/api/v1/complaints", headers=mobile_app)
    assert listed.json()["items"] == []


async def test_complaint_data_is_masked_for_the_filer_and_full_for_inspectors(
    gateway_client: httpx.AsyncClient,
    mobile_app: dict[str, str],
    inspector: dict[str, str],
    db_urls: dict[str, str],
) -> None:
    case = await file(gateway_client, mobile_app, complaint())
    assert case["complainant"] == {
        "name": "李*",
        "id_number": "5301**********" + WORKER_ID[-4:],
        "phone": "138****5678",
    }
    full = (await gateway_client.get(f"/api/v1/complaints/{case['id']}", headers=inspector)).json()
    assert full["complainant"] == {"name": "李四", "id_number": WORKER_ID, "phone": "13800005678"}

    from complaints.case.models import PersonalDataAccess

    database = Database(db_urls["complaints"])
    async with database.sessionmaker() as session:
        audits = (await session.scalars(select(PersonalDataAccess))).all()
    await database.dispose()
    assert [(a.case_id, a.client_name, a.purpose) for a in audits] == [(case["id"], "inspector", "read_case")]


async def test_reporter_identity_is_kept_from_everyone_but_inspectors_and_from_events(
    gateway_client: httpx.AsyncClient,
    mobile_app: dict[str, str],
    inspector: dict[str, str],
    db_urls: dict[str, str],
) -> None:
    named = report(
        anonymous=False, complainant={"name": "王五", "id_number": WORKER_ID, "phone": "13900001111"}
    )
    case = await file(gateway_client, mobile_app, named)
    assert case["kind"] == "report"
    assert case["complainant"] is None
    again = (await gateway_client.get(f"/api/v1/complaints/{case['id']}", headers=mobile_app)).json()
    assert again["complainant"] is None
    full = (await gateway_client.get(f"/api/v1/complaints/{case['id']}", headers=inspector)).json()
    assert full["complainant"]["name"] == "王五"
    for event in await _outbox(db_urls["complaints"], case["id"]):
        text = str(event.payload)
        assert "王五" not in text and WORKER_ID not in text and "13900001111" not in text


async def test_anonymous_report_keeps_no_identity(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str], inspector: dict[str, str]
) -> None:
    case = await file(gateway_client, mobile_app, report())
    full = (await gateway_client.get(f"/api/v1/complaints/{case['id']}", headers=inspector)).json()
    assert full["anonymous"] is True
    assert full["complainant"] is None
    conflicting = report(complainant={"name": "王五"})
    response = await gateway_client.post("/api/v1/complaints", json=conflicting, headers=mobile_app)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "complainant"


async def test_acceptance_checks_are_shown_not_enforced(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str]
) -> None:
    old = await file(gateway_client, mobile_app, complaint(occurred_on="2024-11-26"))
    checks = old["acceptance_checks"]
    assert checks["within_limitation"] == {
        "ok": False,
        "limitation_ends_on": "2026-11-26",
        "message": checks["within_limitation"]["message"],
    }
    assert old["status"] == "received"
    edge = await file(gateway_client, mobile_app, complaint(occurred_on="2024-11-27"))
    assert edge["acceptance_checks"]["within_limitation"]["ok"] is True
    continuing = await file(
        gateway_client, mobile_app, complaint(occurred_on="2023-01-01", violation_ended_on="2025-06-30")
    )
    assert continuing["acceptance_checks"]["within_limitation"]["ok"] is True
    elsewhere = await file(
        gateway_client, mobile_app, complaint(employer={"name": "玉溪某厂", "district_code": "530402"})
    )
    assert elsewhere["acceptance_checks"]["in_jurisdiction"]["ok"] is False
    assert elsewhere["acceptance_checks"]["respondent_identified"]["ok"] is False
    assert old["acceptance_checks"]["in_jurisdiction"]["ok"] is True


async def test_open_cases_against_the_same_employer_are_possible_duplicates(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str]
) -> None:
    first = await file(gateway_client, mobile_app, complaint())
    assert first["possible_duplicates"] == []
    assert first["employer_case_count"] == 1
    second = await file(gateway_client, mobile_app, complaint())
    assert [d["id"] for d in second["possible_duplicates"]] == [first["id"]]
    assert second["employer_case_count"] == 2
    by_name_a = await file(
        gateway_client, mobile_app, complaint(employer={"name": "顺达快递（昆明）有限公司"})
    )
    by_name_b = await file(
        gateway_client, mobile_app, complaint(employer={"name": "顺达快递 (昆明) 有限公司"})
    )
    assert [d["id"] for d in by_name_b["possible_duplicates"]] == [by_name_a["id"]]


async def test_duplicates_list_the_newest_open_cases_and_the_count_takes_every_case(
    complaints_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    filer = identity_headers("complaints:write", client_id="filer", client_name="窗口")
    filed = [await file(complaints_client, filer, complaint()) for _ in range(22)]
    database = Database(db_urls["complaints"])
    try:
        async with database.sessionmaker() as session, session.begin():
            await session.execute(update(Case).where(Case.id == filed[-1]["id"]).values(status="closed"))
    finally:
        await database.dispose()
    latest = await file(complaints_client, filer, complaint())
    assert latest["employer_case_count"] == 23
    # 21 open cases: the 20 newest, newest first; the closed one counts but is not listed.
    assert [d["case_no"] for d in latest["possible_duplicates"]] == [c["case_no"] for c in filed[20::-1]][:20]
    other = await file(complaints_client, filer, complaint(employer={"name": "另一家公司", "uscc": None}))
    assert (other["employer_case_count"], other["possible_duplicates"]) == (1, [])


async def test_emergency_marks_the_case_and_queues_a_110_referral(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str], db_urls: dict[str, str]
) -> None:
    body = complaint(
        emergency={"indicators": ["group_gathering", "blocking_roads"], "people": 30, "location": "工地门口"}
    )
    case = await file(gateway_client, mobile_app, body)
    assert case["emergency"]["indicators"] == ["group_gathering", "blocking_roads"]
    referrals = [
        e for e in await _outbox(db_urls["complaints"], case["id"]) if e.event_type == "case.emergency"
    ]
    assert len(referrals) == 1
    referral = referrals[0].payload["referral"]
    assert referral["case_no"] == case["case_no"]
    assert referral["people"] == 30
    assert referral["indicators"] == ["group_gathering", "blocking_roads"]
    plain = await file(gateway_client, mobile_app, complaint())
    assert not [
        e for e in await _outbox(db_urls["complaints"], plain["id"]) if e.event_type == "case.emergency"
    ]


async def test_idempotency_key_replays_and_refuses_another_body(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str]
) -> None:
    headers = {**mobile_app, "Idempotency-Key": "retry-7"}
    first = await gateway_client.post("/api/v1/complaints", json=complaint(), headers=headers)
    again = await gateway_client.post("/api/v1/complaints", json=complaint(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    other = await gateway_client.post(
        "/api/v1/complaints", json=complaint(workers_affected=3), headers=headers
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    listed = await gateway_client.get("/api/v1/complaints", headers=mobile_app)
    assert len(listed.json()["items"]) == 1


async def test_read_client_cannot_see_another_clients_case(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str], other_app: dict[str, str]
) -> None:
    case = await file(gateway_client, mobile_app, complaint())
    response = await gateway_client.get(f"/api/v1/complaints/{case['id']}", headers=other_app)
    assert response.status_code == 404
    assert response.json()["code"] == "case_not_found"
    assert (await gateway_client.get("/api/v1/complaints", headers=other_app)).json()["items"] == []
    timeline = await gateway_client.get(f"/api/v1/complaints/{case['id']}/timeline", headers=other_app)
    assert timeline.status_code == 404


async def test_list_filters_and_overdue(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str], inspector: dict[str, str]
) -> None:
    late = await file(gateway_client, mobile_app, complaint(received_at="2026-01-05T10:00:00+08:00"))
    fresh = await file(gateway_client, mobile_app, report(channel="hotline_12345", received_at=None))
    overdue = (await gateway_client.get("/api/v1/complaints?overdue=true", headers=inspector)).json()["items"]
    assert [c["id"] for c in overdue] == [late["id"]]
    assert overdue[0]["overdue"] is True
    reports = (await gateway_client.get("/api/v1/complaints?kind=report", headers=inspector)).json()["items"]
    assert [c["id"] for c in reports] == [fresh["id"]]
    by_channel = await gateway_client.get("/api/v1/complaints?channel=hotline_12345", headers=inspector)
    assert [c["id"] for c in by_channel.json()["items"]] == [fresh["id"]]
    paged = await gateway_client.get("/api/v1/complaints?limit=1", headers=inspector)
    assert len(paged.json()["items"]) == 1 and paged.json()["next_cursor"]
    found = await gateway_client.get("/api/v1/complaints", params={"q": late["case_no"]}, headers=inspector)
    assert [c["id"] for c in found.json()["items"]] == [late["id"]]


async def test_received_filters_take_days_local_times_and_offsets(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str], inspector: dict[str, str]
) -> None:
    # 2026-11-02 07:30 in Kunming is 2026-11-01 23:30 UTC: the day is Kunming's.
    early = await file(gateway_client, mobile_app, complaint(received_at="2026-11-02T07:30:00+08:00"))
    late = await file(gateway_client, mobile_app, complaint(received_at="2026-11-02T21:00:00+08:00"))
    after = await file(gateway_client, mobile_app, complaint(received_at="2026-11-03T09:00:00+08:00"))

    async def listed(**params: str) -> list[str]:
        response = await gateway_client.get("/api/v1/complaints", params=params, headers=inspector)
        assert response.status_code == 200, response.text
        return sorted(c["id"] for c in response.json()["items"])

    # A day: from its start, to its end (the whole day in).
    assert await listed(received_from="2026-11-02", received_to="2026-11-02") == sorted(
        [early["id"], late["id"]]
    )
    assert await listed(received_from="2026-11-03") == [after["id"]]
    # A time without an offset is Kunming's; with one, as given; the upper bound is exclusive.
    assert await listed(received_from="2026-11-02T08:00:00", received_to="2026-11-03T09:00:00") == [
        late["id"]
    ]
    assert await listed(received_to="2026-11-02T00:00:00Z") == [early["id"]]
    bad = await gateway_client.get(
        "/api/v1/complaints", params={"received_from": "2026-13-01"}, headers=inspector
    )
    assert bad.status_code == 422, bad.text
    assert [e["loc"] for e in bad.json()["errors"]] == ["query.received_from"]


async def test_inspector_restricted_to_districts_sees_only_those(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str], db_urls: dict[str, str]
) -> None:
    from tests.complaints.conftest import bearer
    from tests.conftest import issue_key

    wuhua = await file(gateway_client, mobile_app, complaint())
    guandu = await file(
        gateway_client, mobile_app, complaint(employer={"name": "官渡某厂", "district_code": "530111"})
    )
    key = await issue_key(db_urls["gateway"], "wuhua-inspector", ["cases:manage"], districts=("530102",))
    headers = bearer(key)
    listed = (await gateway_client.get("/api/v1/complaints", headers=headers)).json()["items"]
    assert [c["id"] for c in listed] == [wuhua["id"]]
    assert (
        await gateway_client.get(f"/api/v1/complaints/{guandu['id']}", headers=headers)
    ).status_code == 404
    assert (await gateway_client.get(f"/api/v1/complaints/{wuhua['id']}", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        complaint(),
        complaint(
            received_at="2026-11-27T01:02:03.456789Z",
            emergency={"indicators": ["group_gathering"], "people": 12, "location": "工地门口"},
            external_ref={"system": "hotline_12345", "id": "T-9"},
            amount_claimed="1234.5",
            violation_ended_on="2026-11-01",
        ),
        report(employer={"name": "某某劳务公司"}, amount_claimed=None, workers_affected=None),
    ],
    ids=["complaint", "emergency-external", "sparse-report"],
)
async def test_a_filed_case_reads_back_as_it_was_answered(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str], body: dict[str, Any]
) -> None:
    # The rows are written outside the ORM (one JSON statement on PostgreSQL): read through
    # the ORM, every value is the one the filing answered with.
    filed = await file(gateway_client, inspector, body)
    read = await gateway_client.get(f"/api/v1/complaints/{filed['id']}", headers=inspector)
    assert read.status_code == 200, read.text
    filed.pop("possible_duplicates")
    assert read.json() == filed
    timeline = await gateway_client.get(f"/api/v1/complaints/{filed['id']}/timeline", headers=inspector)
    assert [(e["action"], e["to_status"], e["actor"]) for e in timeline.json()["items"]] == [
        ("receive", "received", "inspector")
    ]
