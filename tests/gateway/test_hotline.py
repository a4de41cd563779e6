"""The 12345 and 110 links at the gateway: signed intake, tickets as cases or inquiries, the
ticket clock, returns, 110 transfers, delivery records and alerts."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from complaints.outbox.models import OutboxEvent
from gateway.clients import service as client_service
from gateway.config import GatewaySettings
from gateway.main import create_app
from shared.db import Database
from shared.identifiers import make_id_number, make_uscc
from shared.outbox import GatewayEventSender, OutboxRelay
from shared.testing.plugin import TEST_SECRET, app_client, free_port
from shared.timeutil import CHINA_TZ
from tests.complaints.helpers import COURIER_USCC
from tests.conftest import issue_key
from tests.gateway.test_proxy import bearer

USCC = make_uscc("91530102MA6K0042X")
WORKER_ID = make_id_number("53010219900101123")
TICKETS = "/api/v1/hotline/12345/tickets"


async def issue_client(database_url: str, name: str, scopes: list[str]) -> tuple[str, str]:
    """An API key and its webhook signing secret (`create-client --secret`)."""
    database = Database(database_url)
    try:
        async with database.sessionmaker() as session, session.begin():
            issued = await client_service.create_client(session, name=name, scopes=scopes, with_secret=True)
    finally:
        await database.dispose()
    assert issued.signing_secret is not None
    return issued.api_key, issued.signing_secret


def ticket(ticket_no: str = "KM12345-20261127-000123", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ticket_no": ticket_no,
        "received_at": "2026-11-27T09:30:00+08:00",
        "category": "complaint",
        "urgency": "normal",
        "caller": {"name": "李四", "phone": "13800005678", "id_number": WORKER_ID, "confidential": False},
        "content": "某某快递站点拖欠10月工资，12人共36000元。",
        "respondent": {"name": "某某快递有限公司", "uscc": USCC, "address": "昆明市五华区某路1号"},
        "region_code": "530102",
        "due_at": "2026-12-04T18:00:00+08:00",
    }
    body.update(overrides)
    return body


def signed(
    key: str, secret: str, body: dict[str, Any], *, at: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """The request as the 12345 platform sends it (signed here independently of the gateway)."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    timestamp = str(int(time.time() if at is None else at))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    headers = {
        **bearer(key),
        "Content-Type": "application/json",
        "X-Signature-Timestamp": timestamp,
        "X-Signature": f"sha256={digest}",
    }
    return raw, headers


async def send(client: httpx.AsyncClient, key: str, secret: str, body: dict[str, Any]) -> httpx.Response:
    raw, headers = signed(key, secret, body)
    return await client.post(TICKETS, content=raw, headers=headers)


def hotline_settings(settings: GatewaySettings, **overrides: Any) -> GatewaySettings:
    """Retries at once and alerts early, so a test drives every relay with run_once()."""
    values: dict[str, Any] = {
        "hotline_retry_base_seconds": 0.0,
        "hotline_alert_after_attempts": 2,
        "hotline_12345_callback_url": f"http://127.0.0.1:{free_port()}/callbacks",
        **overrides,
    }
    return settings.model_copy(update=values)


class Link:
    """A gateway under test with the complaints service's outbox relayed into it, in process."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, complaints_url: str) -> None:
        self.app = app
        self.client = client
        self.complaints_db = Database(complaints_url)
        sender = GatewayEventSender(
            client, source="complaints", secret=TEST_SECRET, gateway_url="http://testserver"
        )
        self.complaints_outbox = OutboxRelay(
            self.complaints_db.sessionmaker, OutboxEvent, sender, base_backoff_seconds=0.0
        )

    @property
    def relays(self) -> list[OutboxRelay]:
        state = self.app.state
        return [
            self.complaints_outbox,
            state.event_relay,
            state.hotline_filing_relay,
            state.hotline_callback_relay,
            state.police_referral_relay,
        ]

    async def settle(self, rounds: int = 30) -> None:
        """Run every relay until a whole round delivers nothing."""
        for _ in range(rounds):
            delivered = [await relay.run_once() for relay in self.relays]
            if not any(delivered):
                return


@pytest.fixture
async def link(gateway_settings: GatewaySettings, db_urls: dict[str, str]) -> AsyncIterator[Link]:
    app = create_app(hotline_settings(gateway_settings), configure_logs=False)
    async with app_client(app) as client:
        hotline = Link(app, client, db_urls["complaints"])
        yield hotline
        await hotline.complaints_db.dispose()


@pytest.fixture
async def platform(db_urls: dict[str, str]) -> tuple[str, str]:
    return await issue_client(db_urls["gateway"], "hotline-12345", ["hotline:12345"])


@pytest.fixture
async def admin(db_urls: dict[str, str]) -> dict[str, str]:
    return bearer(await issue_key(db_urls["gateway"], "inspector", ["admin"]))


async def test_signed_complaint_ticket_becomes_a_case_and_a_replay_gives_the_same_case(
    link: Link, platform: tuple[str, str], admin: dict[str, str]
) -> None:
    key, secret = platform
    first = await send(link.client, key, secret, ticket())
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["ticket_no"] == "KM12345-20261127-000123"
    assert body["case_no"] and body["case_id"] and body["filing"] == "filed"
    assert body["status"] == "signed" and body["due_source"] == "platform"

    again = await send(link.client, key, secret, ticket())
    assert again.status_code == 200
    assert again.json()["case_id"] == body["case_id"]

    case = (await link.client.get(f"/api/v1/complaints/{body['case_id']}", headers=admin)).json()
    assert case["kind"] == "complaint" and case["channel"] == "hotline_12345"
    assert case["external_ref"] == {"system": "12345", "id": "KM12345-20261127-000123"}
    assert case["employer"]["district_code"] == "530102" and case["employer"]["uscc"] == USCC
    assert case["issues"] == ["wage_arrears"]
    assert case["complainant"]["id_number"] == WORKER_ID
    listed = (await link.client.get("/api/v1/complaints?channel=hotline_12345", headers=admin)).json()
    assert len(listed["items"]) == 1

    changed = await send(link.client, key, secret, ticket(content="另一件事：拖欠工资"))
    assert changed.status_code == 422
    assert changed.json()["errors"][0]["code"] == "ticket_no_reused"


async def test_bad_stale_or_missing_signatures_are_401(
    link: Link, platform: tuple[str, str], db_urls: dict[str, str]
) -> None:
    key, secret = platform
    raw, headers = signed(key, "not-the-secret", ticket())
    bad = await link.client.post(TICKETS, content=raw, headers=headers)
    assert bad.status_code == 401 and bad.json()["code"] == "signature_invalid"
    assert bad.headers["content-type"] == "application/problem+json"

    raw, headers = signed(key, secret, ticket(), at=time.time() - 301)
    stale = await link.client.post(TICKETS, content=raw, headers=headers)
    assert stale.status_code == 401 and stale.json()["code"] == "signature_stale"

    raw, headers = signed(key, secret, ticket())
    tampered = await link.client.post(
        TICKETS, content=raw.replace("李四".encode(), "王五".encode()), headers=headers
    )
    assert tampered.status_code == 401

    unsigned = await link.client.post(TICKETS, json=ticket(), headers=bearer(key))
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "signature_missing"

    no_secret = await issue_key(db_urls["gateway"], "12345-without-secret", ["hotline:12345"])
    raw, headers = signed(no_secret, secret, ticket())
    assert (await link.client.post(TICKETS, content=raw, headers=headers)).status_code == 401

    wrong_scope, wrong_secret = await issue_client(db_urls["gateway"], "app", ["complaints:write"])
    raw, headers = signed(wrong_scope, wrong_secret, ticket())
    assert (await link.client.post(TICKETS, content=raw, headers=headers)).status_code == 403

    # Nothing was stored by any of them.
    assert (
        await link.client.get(f"{TICKETS}/KM12345-20261127-000123", headers=bearer(key))
    ).status_code == 404


async def test_ticket_without_identity_is_filed_as_a_confidential_report(
    link: Link, platform: tuple[str, str], admin: dict[str, str]
) -> None:
    key, secret = platform
    body = ticket(
        "KM12345-20261127-000200",
        caller={
            "name": "王五",
            "phone": "13900001111",
            "id_number": "530102199001011230",
            "confidential": True,
        },
        respondent={"name": "某某建筑劳务公司", "uscc": "not-a-uscc"},
    )
    response = await send(link.client, key, secret, body)
    assert response.status_code == 201, response.text
    case = (await link.client.get(f"/api/v1/complaints/{response.json()['case_id']}", headers=admin)).json()
    assert case["kind"] == "report"  # the ID number's check digit is wrong
    assert case["complainant"] == {"name": "王五", "id_number": None, "phone": "13900001111"}
    assert "保密" in case["description"] and "未通过校验" in case["description"]
    assert "uscc" not in case["employer"] or case["employer"]["uscc"] is None

    missing = await send(link.client, key, secret, ticket("KM12345-X", respondent=None))
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == "respondent.name"
    # Without a name, a code that fails its check is refused at once: the case could not be filed.
    nameless = await send(link.client, key, secret, ticket("KM12345-Z", respondent={"uscc": "not-a-uscc"}))
    assert nameless.status_code == 422, nameless.text
    assert nameless.json()["errors"][0]["loc"] == "respondent.uscc"
    assert (await link.client.get(f"{TICKETS}/KM12345-Z", headers=admin)).status_code == 404
    # A valid code alone is enough.
    code_only = await send(link.client, key, secret, ticket("KM12345-W", respondent={"uscc": COURIER_USCC}))
    assert code_only.status_code == 201, code_only.text
    bad_region = await send(link.client, key, secret, ticket("KM12345-Y", region_code="5301"))
    assert bad_region.status_code == 422 and bad_region.json()["errors"][0]["loc"] == "region_code"


async def test_urgent_ticket_with_clear_words_carries_emergency_indicators(
    link: Link, platform: tuple[str, str], admin: dict[str, str]
) -> None:
    key, secret = platform
    body = ticket(
        "KM12345-20261127-000300",
        urgency="critical",
        due_at=None,
        content="工地30多名农民工聚集讨薪，有人爬上塔吊扬言跳楼。",
    )
    response = await send(link.client, key, secret, body)
    assert response.status_code == 201, response.text
    ticket_out = response.json()
    assert ticket_out["due_source"] == "policy" and "2 小时" in ticket_out["due_basis"]
    case = (await link.client.get(f"/api/v1/complaints/{ticket_out['case_id']}", headers=admin)).json()
    assert case["emergency"]["indicators"] == ["self_harm_threat", "group_gathering"]
    assert case["emergency"]["people"] == 30

    calm = await send(link.client, key, secret, ticket("KM12345-20261127-000301", content="工人聚集在门口"))
    case = (await link.client.get(f"/api/v1/complaints/{calm.json()['case_id']}", headers=admin)).json()
    assert case["emergency"] is None  # urgency normal: no emergency inferred from words alone


async def test_reply_clock_uses_the_working_day_calendar_and_flags_overdue(
    link: Link, platform: tuple[str, str], admin: dict[str, str]
) -> None:
    key, secret = platform
    # Received on 30 Sept 2026: the National Day holiday (1-7 Oct) and the make-up Saturday
    # 10 Oct count as they should, so 5 working days end on Tuesday 13 Oct.
    body = ticket("KM12345-20260930-000001", received_at="2026-09-30T10:00:00+08:00", due_at=None)
    created = (await send(link.client, key, secret, body)).json()
    assert datetime.fromisoformat(created["reply_due_at"]) == datetime(2026, 10, 13, 18, tzinfo=CHINA_TZ)
    assert created["due_source"] == "policy" and "非法定" in created["due_basis"]
    assert created["overdue"] is True and created["due_soon"] is False

    soon = ticket("KM12345-20261127-000002", due_at=(datetime.now(UTC) + timedelta(hours=3)).isoformat())
    assert (await send(link.client, key, secret, soon)).json()["due_soon"] is True

    overdue = (await link.client.get(f"{TICKETS}?overdue=true", headers=admin)).json()
    assert [t["ticket_no"] for t in overdue["items"]] == ["KM12345-20260930-000001"]
    due_soon = (await link.client.get(f"{TICKETS}?due_soon=true", headers=admin)).json()
    assert [t["ticket_no"] for t in due_soon["items"]] == ["KM12345-20261127-000002"]


async def test_consultation_is_an_inquiry_staff_answer_once(
    link: Link, platform: tuple[str, str], admin: dict[str, str]
) -> None:
    key, secret = platform
    body = ticket(
        "KM12345-20261127-000400",
        category="consultation",
        content="请问试用期可以不签劳动合同吗？",
        respondent=None,
        due_at=None,
    )
    created = await send(link.client, key, secret, body)
    assert created.status_code == 201, created.text
    assert created.json()["filing"] == "inquiry" and created.json()["case_id"] is None
    inquiry_id = created.json()["inquiry_id"]

    listed = (await link.client.get("/api/v1/hotline/inquiries?status=open", headers=admin)).json()
    assert [i["id"] for i in listed["items"]] == [inquiry_id]
    assert listed["items"][0]["caller"]["phone"] == "13800005678"  # staff call back

    reply = {"message": "试用期包含在劳动合同期限内，应当订立书面劳动合同。"}
    answered = await link.client.post(
        f"/api/v1/hotline/inquiries/{inquiry_id}/reply", json=reply, headers=admin
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["reply"] == reply["message"] and answered.json()["overdue"] is False
    twice = await link.client.post(f"/api/v1/hotline/inquiries/{inquiry_id}/reply", json=reply, headers=admin)
    assert twice.status_code == 409
    assert (await link.client.get("/api/v1/hotline/inquiries?status=open", headers=admin)).json()[
        "items"
    ] == []

    deliveries = await link.client.get(
        "/api/v1/hotline/12345/deliveries?ticket_no=KM12345-20261127-000400", headers=bearer(key)
    )
    assert [d["event"] for d in deliveries.json()["items"]] == ["signed", "replied"]


async def test_return_is_allowed_once_and_sends_rejected(
    link: Link, platform: tuple[str, str], db_urls: dict[str, str]
) -> None:
    key, secret = platform
    await send(link.client, key, secret, ticket())
    inspector = bearer(await issue_key(db_urls["gateway"], "inspector-1", ["cases:manage"]))
    path = f"{TICKETS}/KM12345-20261127-000123/return"
    reason = {"reason": "反映的是劳动争议仲裁事项，不属于本单位职责"}
    assert (await link.client.post(path, json=reason, headers=bearer(key))).status_code == 403
    first = await link.client.post(path, json=reason, headers=inspector)
    assert first.status_code == 200, first.text
    assert first.json()["returned_at"] and first.json()["status"] == "rejected"
    second = await link.client.post(path, json=reason, headers=inspector)
    assert second.status_code == 409 and second.json()["code"] == "ticket_already_returned"
    missing = await link.client.post(f"{TICKETS}/NOPE/return", json=reason, headers=inspector)
    assert missing.status_code == 404

    items = (
        await link.client.get(
            f"/api/v1/hotline/12345/deliveries?ticket_no={ticket()['ticket_no']}", headers=bearer(key)
        )
    ).json()["items"]
    assert [(d["seq"], d["event"]) for d in items] == [(1, "signed"), (2, "rejected")]
    assert items[1]["message"].startswith("退单：")


async def test_a_merged_case_answers_its_ticket_with_the_case_that_goes_on(
    link: Link, platform: tuple[str, str], admin: dict[str, str]
) -> None:
    key, secret = platform
    kept = (await send(link.client, key, secret, ticket("KM12345-20261127-000201"))).json()
    merged = (await send(link.client, key, secret, ticket("KM12345-20261127-000202"))).json()
    moved = (await send(link.client, key, secret, ticket("KM12345-20261127-000203"))).json()

    async def act(case_id: str, action: str, **fields: Any) -> None:
        response = await link.client.post(
            f"/api/v1/complaints/{case_id}/actions", json={"action": action, **fields}, headers=admin
        )
        assert response.status_code == 200, response.text

    await act(merged["case_id"], "merge", into_case_id=kept["case_id"], reason="同一单位同一欠薪事项")
    await act(moved["case_id"], "accept")
    await act(moved["case_id"], "transfer_department", reason="属市场监管事项", department="市场监管局")
    await link.settle()

    async def deliveries(ticket_no: str) -> list[dict[str, Any]]:
        path = f"/api/v1/hotline/12345/deliveries?ticket_no={ticket_no}"
        items: list[dict[str, Any]] = (await link.client.get(path, headers=bearer(key))).json()["items"]
        return items

    answered = await deliveries(merged["ticket_no"])
    assert [(d["seq"], d["event"]) for d in answered] == [(1, "signed"), (2, "replied")]
    assert kept["case_no"] in answered[1]["message"] and "并案" in answered[1]["message"]
    view = (await link.client.get(f"{TICKETS}/{merged['ticket_no']}", headers=admin)).json()
    assert view["answered_at"] and view["status"] == "replied" and not view["overdue"]
    assert [(d["seq"], d["event"]) for d in await deliveries(kept["ticket_no"])] == [(1, "signed")]
    transferred = await deliveries(moved["ticket_no"])
    assert [d["event"] for d in transferred] == ["signed", "accepted", "progress"]
    assert transferred[2]["message"] == "已移送市场监管局处理"


async def test_failing_callbacks_are_recorded_retried_and_alerted_never_dropped(
    link: Link, platform: tuple[str, str]
) -> None:
    key, secret = platform
    await send(link.client, key, secret, ticket())
    relay = link.app.state.hotline_callback_relay
    for _ in range(3):
        assert await relay.run_once() == 0  # nobody listens at the callback URL

    [delivery] = (await link.client.get("/api/v1/hotline/12345/deliveries", headers=bearer(key))).json()[
        "items"
    ]
    assert delivery["status"] == "failing" and delivery["attempts"] == 3
    assert [t["attempt"] for t in delivery["tries"]] == [1, 2, 3]
    assert all("unreachable" in (t["error"] or "") for t in delivery["tries"])
    assert delivery["alert"] is True

    [alert] = (await link.client.get("/api/v1/hotline/12345/alerts", headers=bearer(key))).json()["items"]
    assert alert["kind"] == "callback" and alert["ticket_no"] == ticket()["ticket_no"]
    ready = await link.client.get("/readyz")
    assert ready.status_code == 200  # an alert calls a person; it does not take the gateway down


async def test_110_transfer_becomes_a_police_110_case_once(
    link: Link, db_urls: dict[str, str], admin: dict[str, str]
) -> None:
    key = await issue_key(db_urls["gateway"], "police-110", ["hotline:110"])
    transfer = {
        "transfer_id": "110-20261127-0042",
        "incident_no": "J5301002026112700042",
        "received_at": "2026-11-27T08:15:00+08:00",
        "caller": {"name": "赵六", "phone": "13700002222"},
        "content": "来电反映某劳务公司拖欠工资两个月，非警务事项，转人社部门。",
        "respondent": {"name": "某某劳务有限公司", "address": "昆明市官渡区某街"},
        "region_code": "530111",
    }
    first = await link.client.post("/api/v1/hotline/110/transfers", json=transfer, headers=bearer(key))
    assert first.status_code == 201, first.text
    again = await link.client.post("/api/v1/hotline/110/transfers", json=transfer, headers=bearer(key))
    assert again.status_code == 200 and again.json()["case_id"] == first.json()["case_id"]
    changed = await link.client.post(
        "/api/v1/hotline/110/transfers", json={**transfer, "content": "另一件事"}, headers=bearer(key)
    )
    assert changed.status_code == 422

    case = (await link.client.get(f"/api/v1/complaints/{first.json()['case_id']}", headers=admin)).json()
    assert case["channel"] == "police_110" and case["kind"] == "report"
    assert case["external_ref"] == {"system": "110", "id": "110-20261127-0042"}
    assert "J5301002026112700042" in case["description"]

    platform_key, _ = await issue_client(db_urls["gateway"], "not-110", ["hotline:12345"])
    refused = await link.client.post(
        "/api/v1/hotline/110/transfers", json=transfer, headers=bearer(platform_key)
    )
    assert refused.status_code == 403
