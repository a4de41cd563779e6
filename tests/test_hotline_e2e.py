"""The hotline links end to end, over real sockets: the complaints service stopped and restarted
under a burst of tickets, the 12345 callback receiver down for a while, an emergency referred to
110 and acknowledged. The 12345 platform and 110 are the simulators in scripts/simulators/."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select, update

from complaints.case.models import Case
from complaints.main import create_app as create_complaints_app
from gateway.config import GatewaySettings
from gateway.hotline.models import CaseFiling
from gateway.main import create_app
from scripts.simulators.platform_12345 import Platform12345
from scripts.simulators.police_110 import Police110
from shared.db import Database, utcnow
from shared.testing.plugin import ServerThread, app_client, free_port
from tests.conftest import complaints_settings, issue_key
from tests.gateway.test_hotline import Link, hotline_settings, issue_client, send, ticket
from tests.gateway.test_proxy import bearer


async def _case_count(url: str) -> dict[str, int]:
    """Cases per 12345 ticket, read straight from the complaints database."""
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            rows = await session.execute(
                select(Case.external_id, func.count())
                .where(Case.external_system == "12345")
                .group_by(Case.external_id)
            )
            return {str(ticket_no): int(n) for ticket_no, n in rows.all()}
    finally:
        await database.dispose()


@asynccontextmanager
async def running_link(
    settings: GatewaySettings, db_urls: dict[str, str], **overrides: Any
) -> AsyncIterator[Link]:
    app = create_app(hotline_settings(settings, **overrides), configure_logs=False)
    async with app_client(app) as client:
        hotline = Link(app, client, db_urls["complaints"])
        try:
            yield hotline
        finally:
            await hotline.complaints_db.dispose()


def _complaints_server(db_url: str, port: int) -> ServerThread:
    return ServerThread(create_complaints_app(complaints_settings(db_url), configure_logs=False), port)


@pytest.fixture
def servers() -> Iterator[list[ServerThread]]:
    """Real servers a test starts; stopped whatever happens."""
    started: list[ServerThread] = []
    yield started
    for server in started:
        server.stop()


async def test_burst_while_complaints_is_down_ends_with_each_ticket_a_case_exactly_once(
    gateway_settings: GatewaySettings, db_urls: dict[str, str], servers: list[ServerThread]
) -> None:
    port = free_port()
    async with running_link(gateway_settings, db_urls, complaints_url=f"http://127.0.0.1:{port}") as link:
        await _burst(link, db_urls, servers, port)


async def _burst(link: Link, db_urls: dict[str, str], servers: list[ServerThread], port: int) -> None:
    key, secret = await issue_client(db_urls["gateway"], "hotline-12345", ["hotline:12345"])
    numbers = [f"KM12345-20261127-{n:06d}" for n in range(1, 31)]

    up = _complaints_server(db_urls["complaints"], port)
    servers.append(up)
    up.start()
    before = [await send(link.client, key, secret, ticket(no)) for no in numbers[:5]]
    assert [r.status_code for r in before] == [201] * 5
    up.stop()

    burst = await asyncio.gather(*(send(link.client, key, secret, ticket(no)) for no in numbers[5:]))
    assert {r.status_code for r in burst} == {202}
    assert all(r.json()["status"] == "queued" for r in burst)
    replayed = await send(link.client, key, secret, ticket(numbers[7]))
    assert replayed.status_code == 202  # still queued, still one ticket

    again = _complaints_server(db_urls["complaints"], port)
    servers.append(again)
    again.start()
    await link.settle()

    answers = [await send(link.client, key, secret, ticket(no)) for no in numbers]
    assert {r.status_code for r in answers} == {200}
    assert len({r.json()["case_id"] for r in answers}) == len(numbers)
    assert await _case_count(db_urls["complaints"]) == dict.fromkeys(numbers, 1)

    # A relay that crashed after sending, before recording, sends again: still one case each.
    gateway_db = Database(db_urls["gateway"])
    async with gateway_db.sessionmaker() as session, session.begin():
        await session.execute(update(CaseFiling).values(delivered_at=None, available_at=utcnow()))
    await gateway_db.dispose()
    assert await link.app.state.hotline_filing_relay.run_once() == len(numbers)
    assert await _case_count(db_urls["complaints"]) == dict.fromkeys(numbers, 1)


async def test_callback_receiver_down_for_a_while_gets_every_status_in_order(
    gateway_settings: GatewaySettings, db_urls: dict[str, str], servers: list[ServerThread]
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/callbacks"
    async with running_link(gateway_settings, db_urls, hotline_12345_callback_url=url) as link:
        await _receiver_down(link, db_urls, servers, port)


async def _receiver_down(link: Link, db_urls: dict[str, str], servers: list[ServerThread], port: int) -> None:
    key, secret = await issue_client(db_urls["gateway"], "hotline-12345", ["hotline:12345"])
    admin = bearer(await issue_key(db_urls["gateway"], "inspector", ["admin"]))
    platform = Platform12345(secret)
    numbers = [f"KM12345-20261127-{n:06d}" for n in range(1, 4)]
    cases = [(await send(link.client, key, secret, ticket(no))).json()["case_id"] for no in numbers]

    async def act(case_id: str, action: str, **fields: Any) -> None:
        response = await link.client.post(
            f"/api/v1/complaints/{case_id}/actions", json={"action": action, **fields}, headers=admin
        )
        assert response.status_code == 200, response.text

    # The cases move on while nobody answers at the callback URL.
    for case_id in cases:
        await act(case_id, "accept")
        await act(case_id, "start_investigation", inspectors=["张三", "李四"])
        await link.settle()
        await act(case_id, "close", disposition="order_to_correct")
        await link.settle()
    for _ in range(3):
        await link.app.state.hotline_callback_relay.run_once()

    listed = (await link.client.get("/api/v1/hotline/12345/deliveries", headers=bearer(key))).json()["items"]
    first = {d["ticket_no"]: d for d in listed if d["seq"] == 1}
    assert all(d["status"] == "failing" and d["alert"] for d in first.values())
    assert {d["status"] for d in listed if d["seq"] > 1} == {"waiting"}  # nothing jumps the queue
    alerts = (await link.client.get("/api/v1/hotline/12345/alerts", headers=bearer(key))).json()["items"]
    assert sorted(a["ticket_no"] for a in alerts) == numbers

    servers.append(ServerThread(platform.app(), port).start())
    await link.settle()

    assert platform.refused == 0  # every callback carried a valid signature
    for no in numbers:
        got = [(c["seq"], c["event"]) for c in platform.received if c["ticket_no"] == no]
        assert got == [(1, "signed"), (2, "accepted"), (3, "progress"), (4, "closed")]
    closed = next(c for c in platform.received if c["event"] == "closed")
    assert closed["case_no"] and "已责令用人单位改正" in closed["message"]
    listed = (await link.client.get("/api/v1/hotline/12345/deliveries", headers=bearer(key))).json()["items"]
    assert {d["status"] for d in listed} == {"delivered"}
    assert (await link.client.get("/api/v1/hotline/12345/alerts", headers=bearer(key))).json()["items"] == []
    ticket_out = (await link.client.get(f"/api/v1/hotline/12345/tickets/{numbers[0]}", headers=admin)).json()
    assert ticket_out["status"] == "closed" and ticket_out["answered_at"] and not ticket_out["overdue"]


async def test_emergency_is_referred_to_110_and_the_incident_number_lands_in_the_timeline(
    gateway_settings: GatewaySettings, db_urls: dict[str, str], servers: list[ServerThread]
) -> None:
    police = Police110()
    servers.append(ServerThread(police.app()).start())
    url = f"{servers[0].url}/referrals"
    async with running_link(gateway_settings, db_urls, police_110_url=url) as link:
        await _emergency(link, db_urls, police)


async def _emergency(link: Link, db_urls: dict[str, str], police: Police110) -> None:
    key, secret = await issue_client(db_urls["gateway"], "hotline-12345", ["hotline:12345"])
    admin = bearer(await issue_key(db_urls["gateway"], "inspector", ["admin"]))
    body = ticket(urgency="critical", content="工地约40名农民工聚集讨薪并堵路，有人扬言跳楼。")
    created = await send(link.client, key, secret, body)
    assert created.status_code == 201, created.text
    case_id, case_no = created.json()["case_id"], created.json()["case_no"]

    await link.settle()

    [referral] = police.received
    assert referral["case_no"] == case_no
    assert referral["indicators"] == ["self_harm_threat", "group_gathering", "blocking_roads"]
    assert referral["people"] == 40 and referral["contact"] == "13800005678"
    assert set(referral) == {
        "referral_id",
        "case_no",
        "at",
        "indicators",
        "people",
        "location",
        "district_code",
        "summary",
        "contact",
    }
    incident_no = police.incidents[referral["referral_id"]]

    [shown] = (
        await link.client.get(f"/api/v1/hotline/110/referrals?case_no={case_no}", headers=admin)
    ).json()["items"]
    assert shown["status"] == "acknowledged" and shown["incident_no"] == incident_no and shown["noted_at"]
    timeline = (await link.client.get(f"/api/v1/complaints/{case_id}/timeline", headers=admin)).json()[
        "items"
    ]
    notes = [e for e in timeline if e["action"] == "add_note"]
    assert len(notes) == 1 and incident_no in notes[0]["reason"] and notes[0]["actor"] == "网关"

    # An emergency filed by a mobile app (not by the gateway) is referred and noted the same way.
    app = bearer(await issue_key(db_urls["gateway"], "mobile-app", ["complaints:write"]))
    filed = await link.client.post(
        "/api/v1/complaints",
        json={
            "kind": "report",
            "channel": "mobile_app",
            "anonymous": True,
            "employer": {"name": "某某建设集团", "district_code": "530103"},
            "issues": ["wage_arrears"],
            "description": "工人围堵项目部讨薪",
            "emergency": {"indicators": ["group_gathering"], "people": 15, "location": "盘龙区某工地"},
        },
        headers=app,
    )
    assert filed.status_code == 201, filed.text
    await link.settle()
    assert len(police.received) == 2 and police.received[1]["contact"] is None  # a reporter stays unnamed
    timeline = (
        await link.client.get(f"/api/v1/complaints/{filed.json()['id']}/timeline", headers=admin)
    ).json()["items"]
    notes = [e for e in timeline if e["action"] == "add_note"]
    assert len(notes) == 1 and police.incidents[police.received[1]["referral_id"]] in notes[0]["reason"]
