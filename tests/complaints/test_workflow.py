"""The case on its legal clock: every transition, refusals, deadlines, payments, merge, scan."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from complaints.case import workflow
from complaints.main import create_app, run_deadline_scan
from shared.db import Database
from shared.testing.plugin import app_client, identity_headers
from tests.complaints.helpers import WORKER2_ID, WORKER_ID, act, complaint, file
from tests.conftest import complaints_settings

FACTS = {"issues": ["wage_arrears"], "workers": 12, "amount": "36000.00"}
# A valid body for each action (on a fixed date, so deadlines are reproducible).
SAMPLE: dict[str, dict[str, Any]] = {
    "accept": {"on": "2026-11-27"},
    "reject": {"reason": "超过两年", "ground": "limitation_expired"},
    "request_supplement": {"reason": "缺少劳动关系证明", "items": ["工资条"]},
    "supplement_received": {},
    "redirect": {"reason": "属劳动争议", "target": "arbitration"},
    "assign": {"assignee": "张监察"},
    "start_investigation": {"inspectors": ["张监察", "赵监察"]},
    "extend": {"reason": "案情复杂", "approved_by": "局长"},
    "order_rectification": {"rectify_by": "2026-12-31", "items": ["支付工资"], "facts": FACTS},
    "record_payment": {
        "worker": {"name": "李四", "id_number": WORKER_ID},
        "kind": "wages",
        "amount": "3000.00",
        "paid_on": "2026-11-27",
    },
    "notify_penalty": {"proposed_fine": "20000.00", "facts": FACTS},
    "penalize": {
        "decision_no": "昆人社监罚〔2026〕1号",
        "fine": "20000.00",
        "served_on": "2026-11-27",
        "facts": FACTS,
    },
    "revoke": {"reason": "情节轻微且已改正"},
    "transfer_police": {"reason": "涉嫌拒不支付劳动报酬罪"},
    "transfer_department": {"reason": "属市场监管事项", "department": "市场监管局"},
    "close": {"disposition": "order_to_correct"},
    "add_note": {"reason": "已电话联系单位"},
    "notify_result": {"method": "letter"},
}


def _paths() -> dict[str, list[str]]:
    """The shortest action sequence from `received` to every reachable state."""
    paths: dict[str, list[str]] = {workflow.RECEIVED: []}
    queue = deque([workflow.RECEIVED])
    while queue:
        state = queue.popleft()
        for action in workflow.allowed_actions(state):
            target = workflow.next_state(state, action)
            if target not in paths and action != "merge":
                paths[target] = [*paths[state], action]
                queue.append(target)
    return paths


async def _new_case(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    return await file(client, headers, complaint(**overrides))


async def _drive(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, actions: list[str]
) -> None:
    for action in actions:
        response = await act(client, headers, case_id, action, **SAMPLE[action])
        assert response.status_code == 200, (action, response.text)


async def test_every_allowed_transition_lands_where_the_state_machine_says(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    paths = _paths()
    assert set(paths) == set(workflow.STATUS_LABELS) - {workflow.MERGED}
    checked = 0
    for state, path in paths.items():
        for action in workflow.allowed_actions(state):
            case = await _new_case(gateway_client, inspector)
            await _drive(gateway_client, inspector, case["id"], path)
            body = dict(SAMPLE.get(action, {}))
            if action == "merge":
                target = await _new_case(gateway_client, inspector)
                body = {"into_case_id": target["id"]}
            response = await act(gateway_client, inspector, case["id"], action, **body)
            assert response.status_code == 200, (state, action, response.text)
            assert response.json()["status"] == workflow.next_state(state, action), (state, action)
            checked += 1
    assert checked == sum(len(workflow.allowed_actions(s)) for s in paths)


async def test_refused_action_is_409_listing_the_allowed_ones(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    case = await _new_case(gateway_client, inspector)
    response = await act(gateway_client, inspector, case["id"], "penalize", **SAMPLE["penalize"])
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert body["state"] == "received"
    assert body["allowed_actions"] == workflow.allowed_actions("received")
    closed = await _new_case(gateway_client, inspector)
    await _drive(gateway_client, inspector, closed["id"], ["reject"])
    again = await act(gateway_client, inspector, closed["id"], "accept")
    assert again.status_code == 409 and again.json()["allowed_actions"] == []
    unknown = await act(gateway_client, inspector, case["id"], "teleport")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == "action"
    missing = await act(gateway_client, inspector, case["id"], "reject")
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == "reason"


async def test_actions_need_the_manage_scope(
    gateway_client: httpx.AsyncClient, mobile_app: dict[str, str]
) -> None:
    case = await _new_case(gateway_client, mobile_app)
    response = await act(gateway_client, mobile_app, case["id"], "accept")
    assert response.status_code == 403


async def test_investigation_deadline_and_extension_needs_approval(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str], clerk: dict[str, str]
) -> None:
    case = await _new_case(gateway_client, inspector)
    accepted = (await act(gateway_client, inspector, case["id"], "accept", on="2026-11-27")).json()
    # 60 working days after Fri 2026-11-27 reach into 2027, whose schedule is not published.
    assert accepted["deadlines"]["investigate_by"] == "2027-02-19"
    assert accepted["deadlines"]["calendar_provisional"] is True
    refused = await act(gateway_client, clerk, case["id"], "extend", **SAMPLE["extend"])
    assert refused.status_code == 403
    extended = (await act(gateway_client, inspector, case["id"], "extend", **SAMPLE["extend"])).json()
    assert extended["deadlines"]["extended"] is True
    assert extended["deadlines"]["investigate_by"] == "2027-04-02"
    twice = await act(gateway_client, inspector, case["id"], "extend", **SAMPLE["extend"])
    assert twice.status_code == 409 and twice.json()["code"] == "already_extended"


async def test_acceptance_deadline_across_national_day_and_make_up_saturday(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    # Oct 1-7 holidays; Thu 8 (1), Fri 9 (2), Sat 10 make-up day (3), Mon 12 (4), Tue 13 (5).
    case = await _new_case(gateway_client, inspector, received_at="2026-09-30T16:00:00+08:00")
    assert case["deadlines"]["accept_by"] == "2026-10-13"
    assert case["deadlines"]["calendar_provisional"] is False
    accepted = (await act(gateway_client, inspector, case["id"], "accept", on="2026-09-30")).json()
    assert accepted["deadlines"]["calendar_provisional"] is False


async def test_acceptance_deadline_across_the_year_end(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    # Dec 30, 31 (2); Jan 1-3 2026 New Year holidays; Sun Jan 4 make-up day (3), Mon 5 (4), Tue 6 (5).
    case = await _new_case(gateway_client, inspector, received_at="2025-12-29T10:00:00+08:00")
    assert case["deadlines"]["accept_by"] == "2026-01-06"
    assert case["deadlines"]["calendar_provisional"] is False


async def test_a_loaded_2027_schedule_replaces_the_provisional_count(
    db_urls: dict[str, str], tmp_path: Path
) -> None:
    schedule = {"year": 2027, "source": "测试用假定安排", "holidays": ["2027-01-01"], "workdays": []}
    (tmp_path / "2027.json").write_text(json.dumps(schedule), encoding="utf-8")
    settings = complaints_settings(db_urls["complaints"], calendar_data_dir=str(tmp_path))
    headers = identity_headers("cases:manage")
    async with app_client(create_app(settings, configure_logs=False)) as client:
        case = (await client.post("/api/v1/complaints", json=complaint(), headers=headers)).json()
        response = await act(client, headers, case["id"], "accept", on="2026-11-27")
    # On weekdays alone the 60th working day is Fri 2027-02-19 (provisional, see above); with
    # New Year's Day loaded as a holiday it moves one working day, to Mon 2027-02-22.
    assert response.json()["deadlines"]["investigate_by"] == "2027-02-22"
    assert response.json()["deadlines"]["calendar_provisional"] is False


async def test_a_payment_without_its_day_is_paid_on_the_action_day(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    case = await _new_case(gateway_client, inspector)
    await _drive(gateway_client, inspector, case["id"], ["accept"])
    worker = {"name": "李四", "id_number": WORKER_ID}
    fields = {"worker": worker, "kind": "wages", "amount": "800.00"}
    response = await act(gateway_client, inspector, case["id"], "record_payment", on="2026-11-26", **fields)
    assert response.status_code == 200, response.text
    later = await act(
        gateway_client,
        inspector,
        case["id"],
        "record_payment",
        on="2026-11-26",
        paid_on="2026-11-27",
        **fields,
    )
    assert later.status_code == 422 and [e["loc"] for e in later.json()["errors"]] == ["paid_on"]
    payments = (
        await gateway_client.get(f"/api/v1/complaints/{case['id']}/payments", headers=inspector)
    ).json()
    assert [(p["paid_on"], p["amount"]) for p in payments["items"]] == [("2026-11-26", "800.00")]


async def test_supplement_restarts_the_acceptance_clock(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    case = await _new_case(gateway_client, inspector, received_at="2026-11-16T09:00:00+08:00")
    assert case["deadlines"]["accept_by"] == "2026-11-23"
    supplement = {**SAMPLE["request_supplement"], "on": "2026-11-18"}
    paused = (await act(gateway_client, inspector, case["id"], "request_supplement", **supplement)).json()
    assert paused["status"] == "supplement_requested"
    assert paused["deadlines"]["overdue"] == []
    resumed = await act(gateway_client, inspector, case["id"], "supplement_received", on="2026-11-25")
    # Wed 2026-11-25 + 5 working days = Wed 2026-12-02: the clock starts again.
    assert resumed.json()["deadlines"]["accept_by"] == "2026-12-02"
    future = await act(gateway_client, inspector, case["id"], "assign", assignee="张", on="2099-01-01")
    assert future.status_code == 422 and future.json()["errors"][0]["loc"] == "on"


async def test_per_worker_payments_add_up(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    case = await _new_case(gateway_client, inspector)
    await _drive(gateway_client, inspector, case["id"], ["accept"])
    payments = [
        ("李四", WORKER_ID, "wages", "3000.00"),
        ("李四", WORKER_ID, "wages", "1500.50"),
        ("王五", WORKER2_ID, "wages", "4200.00"),
        ("王五", WORKER2_ID, "deposit_refund", "500.00"),
    ]
    for name, id_number, kind, amount in payments:
        response = await act(
            gateway_client,
            inspector,
            case["id"],
            "record_payment",
            worker={"name": name, "id_number": id_number},
            kind=kind,
            amount=amount,
            paid_on="2026-11-27",
        )
        assert response.status_code == 200
    summary = (
        await gateway_client.get(f"/api/v1/complaints/{case['id']}/payments", headers=inspector)
    ).json()
    assert summary["total_amount"] == "9200.50"
    assert summary["total_workers"] == 2
    assert summary["totals"] == [
        {"kind": "deposit_refund", "amount": "500.00", "workers": 1, "payments": 1},
        {"kind": "wages", "amount": "8700.50", "workers": 2, "payments": 3},
    ]


async def test_merge_keeps_both_histories(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    kept = await _new_case(gateway_client, inspector)
    joined = await _new_case(gateway_client, inspector)
    await _drive(gateway_client, inspector, joined["id"], ["assign"])
    merged = await act(
        gateway_client, inspector, joined["id"], "merge", into_case_id=kept["id"], reason="同一单位"
    )
    assert merged.json()["status"] == "merged"
    assert merged.json()["merged_into_id"] == kept["id"]
    timeline = (
        await gateway_client.get(f"/api/v1/complaints/{kept['id']}/timeline", headers=inspector)
    ).json()["items"]
    assert {(e["case_id"], e["action"]) for e in timeline} >= {
        (kept["id"], "receive"),
        (kept["id"], "merged_from"),
        (joined["id"], "receive"),
        (joined["id"], "assign"),
        (joined["id"], "merge"),
    }
    into_self = await act(gateway_client, inspector, kept["id"], "merge", into_case_id=kept["id"])
    assert into_self.status_code == 422 and into_self.json()["errors"][0]["loc"] == "into_case_id"
    into_merged = await act(gateway_client, inspector, kept["id"], "merge", into_case_id=joined["id"])
    assert into_merged.status_code == 409


async def test_timeline_records_actor_reason_and_changes(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    case = await _new_case(gateway_client, inspector)
    await act(
        gateway_client,
        inspector,
        case["id"],
        "reject",
        reason="不属于劳动保障监察事项",
        ground="not_inspection_matter",
    )
    timeline = (
        await gateway_client.get(f"/api/v1/complaints/{case['id']}/timeline", headers=inspector)
    ).json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in timeline] == [
        ("receive", None, "received"),
        ("reject", "received", "not_accepted"),
    ]
    assert timeline[1]["actor"] == "inspector"
    assert timeline[1]["reason"] == "不属于劳动保障监察事项"
    assert timeline[1]["data"]["ground"] == "not_inspection_matter"


async def test_deadline_scan_escalates_each_overdue_case_once_even_when_run_twice_at_once(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str], db_urls: dict[str, str]
) -> None:
    late = await _new_case(gateway_client, inspector, received_at="2026-01-05T10:00:00+08:00")
    await _new_case(gateway_client, inspector)  # not yet due
    database = Database(db_urls["complaints"])
    try:
        results = await asyncio.gather(run_deadline_scan(database), run_deadline_scan(database))
        assert sorted(results[0] + results[1]) == [late["id"]]
        assert await run_deadline_scan(database) == []
        from complaints.case.models import CaseEvent
        from complaints.outbox.models import OutboxEvent

        async with database.sessionmaker() as session:
            escalations = await session.scalar(
                select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "escalate")
            )
            events = await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.event_type == "case.escalated")
            )
    finally:
        await database.dispose()
    assert escalations == 1 and events == 1
    timeline = (
        await gateway_client.get(f"/api/v1/complaints/{late['id']}/timeline", headers=inspector)
    ).json()["items"]
    assert timeline[-1]["action"] == "escalate"
    assert timeline[-1]["data"]["deadline"] == "accept"


@pytest.mark.parametrize("action", ["order_rectification", "penalize"])
async def test_violation_established_event_carries_the_facts(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str], db_urls: dict[str, str], action: str
) -> None:
    case = await _new_case(gateway_client, inspector)
    await _drive(gateway_client, inspector, case["id"], ["accept", "start_investigation", action])
    from complaints.outbox.models import OutboxEvent

    database = Database(db_urls["complaints"])
    async with database.sessionmaker() as session:
        rows = (
            await session.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == case["id"],
                    OutboxEvent.event_type == "case.violation_established",
                )
            )
        ).all()
    await database.dispose()
    assert len(rows) == 1
    assert rows[0].payload["facts"] == FACTS
    assert rows[0].payload["employer"]["industry_code"] == "6020"


async def test_the_timeline_is_a_page_of_the_list_convention(
    gateway_client: httpx.AsyncClient, inspector: dict[str, str]
) -> None:
    case = await _new_case(gateway_client, inspector)
    await _drive(
        gateway_client, inspector, case["id"], ["accept", "assign", "start_investigation", "add_note"]
    )
    url = f"/api/v1/complaints/{case['id']}/timeline"
    whole = (await gateway_client.get(url, headers=inspector)).json()
    assert whole["next_cursor"] is None
    actions = [e["action"] for e in whole["items"]]
    assert actions == ["receive", "accept", "assign", "start_investigation", "add_note"]
    paged: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await gateway_client.get(url, params=params, headers=inspector)).json()
        paged += [e["action"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == actions
    bad = await gateway_client.get(url, params={"cursor": "bm9wZQ"}, headers=inspector)
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "cursor_invalid"
