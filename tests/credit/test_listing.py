"""The listing procedure (令45 blacklist, watch and red lists, domain.md §4.3): proposals and
their criteria, every transition and every refusal, the 陈述申辩 period on the working-day
calendar, the 3-year term and its expiry scan, early removal.

The builders here are shared with the check, feed and public tests.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from credit.listing.models import ListingChange, ListingEvent
from credit.listing.scan import run_expiry_scan
from credit.main import create_app as create_credit_app
from credit.subject.models import Subject
from shared.db import Database
from shared.identifiers import make_id_number, make_uscc
from shared.testing.plugin import app_client, identity_headers
from tests.conftest import credit_settings

LISTINGS = "/api/v1/credit/listings"
TODAY = date(2026, 11, 27)  # the suite's "today" (Asia/Shanghai), see the brief
UNIT = make_uscc("91530102MA6K1001A")
OTHER_UNIT = make_uscc("91530102MA6K1002B")
BOSS = make_id_number("53010219800101123")
MANAGER = make_id_number("53011119850505456")
SANCTIONS = [
    "government_funding",
    "government_procurement",
    "bidding",
    "loan",
    "market_access",
    "tax_incentive",
    "awards",
    "travel",
]


def manager() -> dict[str, str]:
    # Tokens live 60 seconds: made per request, never at import time.
    return identity_headers("credit:manage", client_id="officer-1", client_name="信用管理科")


def checker(client_id: str = "procurement") -> dict[str, str]:
    return identity_headers("credit:check", client_id=client_id, client_name="政府采购平台")


def public() -> dict[str, str]:
    return identity_headers(client_id="public", client_name="公众")


def uscc(n: int) -> str:
    return make_uscc(f"91530102MA{n:07d}")


def id_number(n: int) -> str:
    return make_id_number(f"5301021990{1 + n // 1000 % 12:02d}{1 + n // 12000 % 28:02d}{n % 1000:03d}")


def persons(*entries: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"id_number": i, "name": n, "role": r} for i, n, r in entries]


DEFAULT_PERSONS = (
    (BOSS, "张三丰", "legal_representative"),
    (MANAGER, "李四", "directly_responsible"),
)


def blacklist_body(
    unit: str = UNIT,
    name: str = "某某建筑劳务有限公司",
    people: tuple[tuple[str, str, str], ...] = DEFAULT_PERSONS,
    **basis: Any,
) -> dict[str, Any]:
    return {
        "list_type": "blacklist",
        "unit": {"uscc": unit, "name": name, "address": "昆明市五华区某路1号"},
        "persons": persons(*people),
        "basis": {
            "order_to_pay_deadline": "2023-10-01",
            "unpaid_at_deadline": True,
            "amount": "36000.00",
            "workers": 12,
            "case_no": "2023-000123",
            **basis,
        },
    }


async def propose(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(LISTINGS, json=body, headers=manager())
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def act(client: httpx.AsyncClient, listing_id: str, action: str, **fields: Any) -> httpx.Response:
    return await client.post(
        f"{LISTINGS}/{listing_id}/actions", json={"action": action, **fields}, headers=manager()
    )


async def acted(client: httpx.AsyncClient, listing_id: str, action: str, **fields: Any) -> dict[str, Any]:
    response = await act(client, listing_id, action, **fields)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def get(client: httpx.AsyncClient, listing_id: str) -> dict[str, Any]:
    response = await client.get(f"{LISTINGS}/{listing_id}", headers=manager())
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def listed(
    client: httpx.AsyncClient,
    decided_on: str,
    *,
    unit: str = UNIT,
    decision_no: str | None = None,
    people: tuple[tuple[str, str, str], ...] = DEFAULT_PERSONS,
    publish: bool = True,
    name: str = "某某建筑劳务有限公司",
) -> dict[str, Any]:
    """A blacklist decision taken on ``decided_on`` after the notice and a silent statement period."""
    decided = date.fromisoformat(decided_on)
    listing = await propose(
        client,
        blacklist_body(unit, name, people, order_to_pay_deadline=(decided - timedelta(days=60)).isoformat()),
    )
    await acted(client, listing["id"], "notify", served_on=(decided - timedelta(days=30)).isoformat())
    result = await acted(
        client,
        listing["id"],
        "decide",
        decision_no=decision_no or f"昆人社列〔{unit[-6:]}〕号",
        decided_on=decided_on,
    )
    if publish:
        result = await acted(client, listing["id"], "publish", published_on=decided_on)
    return result


def locs(response: httpx.Response) -> list[str]:
    return [e["loc"] for e in response.json()["errors"]]


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


# --- proposals -----------------------------------------------------------------------------


async def test_proposal_creates_subjects_one_decision_and_a_listing_each(
    credit_client: httpx.AsyncClient,
) -> None:
    listing = await propose(credit_client, blacklist_body())
    assert listing["status"] == "candidate" and listing["role"] == "unit"
    assert listing["subject"]["uscc"] == UNIT and listing["subject"]["subject_type"] == "employer"
    assert listing["allowed_actions"] == ["notify", "withdraw"]
    assert listing["restrictions"] == [] and listing["listed_on"] is None
    assert listing["basis"]["amount"] == "36000.00" and listing["basis"]["case_no"] == "2023-000123"
    assert "blacklist_thresholds" in listing["unverified_rules"]
    members = {m["role"]: m for m in listing["members"]}
    assert set(members) == {"legal_representative", "directly_responsible"}
    assert members["legal_representative"]["subject"]["id_number"] == BOSS
    person = await get(credit_client, members["legal_representative"]["listing_id"])
    assert person["decision"]["id"] == listing["decision"]["id"]
    assert person["status"] == "candidate" and person["events"][0]["action"] == "propose"

    # An open procedure for the same unit and list is refused; another list reuses the subject.
    again = await credit_client.post(LISTINGS, json=blacklist_body(), headers=manager())
    assert problem(again, 409, "listing_open")["listing_id"] == listing["id"]
    watch = await propose(
        credit_client,
        {"list_type": "watch", "unit": {"uscc": UNIT, "name": "某某建筑劳务有限公司"}, "basis": {}},
    )
    assert watch["subject"]["id"] == listing["subject"]["id"]
    assert watch["criteria_note"] and "watch_term_years" in watch["unverified_rules"]


async def test_proposal_needs_credit_manage(credit_client: httpx.AsyncClient) -> None:
    response = await credit_client.post(LISTINGS, json=blacklist_body(), headers=checker())
    problem(response, 403, "insufficient_scope")
    response = await credit_client.get(LISTINGS, headers=public())
    problem(response, 403, "insufficient_scope")


async def test_blacklist_criteria_failures_name_each_field(credit_client: httpx.AsyncClient) -> None:
    body = blacklist_body()
    body["basis"] = {}
    response = await credit_client.post(LISTINGS, json=body, headers=manager())
    problem(response, 422, "validation_failed")
    assert set(locs(response)) == {
        "basis.order_to_pay_deadline",
        "basis.unpaid_at_deadline",
        "basis.amount",
        "basis.months_unpaid",
        "basis.workers",
        "basis.group_incident",
    }

    # The deadline must have passed, unpaid; the amount must reach a threshold.
    not_yet = blacklist_body(order_to_pay_deadline=TODAY.isoformat(), unpaid_at_deadline=False)
    response = await credit_client.post(LISTINGS, json=not_yet, headers=manager())
    errors = {e["loc"]: e for e in response.json()["errors"]}
    assert errors["basis.order_to_pay_deadline"]["code"] == "deadline_not_passed"
    assert errors["basis.unpaid_at_deadline"]["code"] == "criterion_not_met"
    assert set(errors) == {"basis.order_to_pay_deadline", "basis.unpaid_at_deadline"}

    short = blacklist_body(amount="29999.99", workers=10, months_unpaid=2)
    response = await credit_client.post(LISTINGS, json=short, headers=manager())
    assert set(locs(response)) == {"basis.amount", "basis.months_unpaid", "basis.group_incident"}
    assert "30000.00" in {e["loc"]: e["message"] for e in response.json()["errors"]}["basis.amount"]

    response = await credit_client.post(LISTINGS, json=blacklist_body(amount=4200.5), headers=manager())
    assert locs(response) == ["basis.amount"]  # money is a string, never a float
    bad_unit = blacklist_body(unit=UNIT[:-1] + ("0" if UNIT[-1] != "0" else "1"))
    response = await credit_client.post(LISTINGS, json=bad_unit, headers=manager())
    assert locs(response) == ["unit.uscc"]
    twice = blacklist_body(people=((BOSS, "张三丰", "legal_representative"), (BOSS, "张三丰", "principal")))
    response = await credit_client.post(LISTINGS, json=twice, headers=manager())
    assert locs(response) == ["persons[1].id_number"]


async def test_each_branch_of_the_criteria_suffices(credit_client: httpx.AsyncClient) -> None:
    # One worker, 3 months, the single amount (thresholds are settings [M]: bottoms of the ranges).
    await propose(credit_client, blacklist_body(uscc(1), amount="5000.00", workers=1, months_unpaid=3))
    # 10 workers, the group amount.
    await propose(credit_client, blacklist_body(uscc(2), amount="30000.00", workers=10))
    # A 群体性事件 or 极端事件 whatever the amount.
    await propose(credit_client, blacklist_body(uscc(3), amount="100.00", workers=1, group_incident=True))
    await propose(credit_client, blacklist_body(uscc(4), amount=None, workers=None, extreme_incident=True))


# --- the procedure -------------------------------------------------------------------------


async def test_every_blacklist_transition_moves_the_unit_and_its_persons_together(
    credit_client: httpx.AsyncClient,
) -> None:
    listing = await propose(credit_client, blacklist_body())
    lid = listing["id"]
    notice = {"title": "拟列入失信联合惩戒对象名单告知书", "ref": "昆人社告〔2026〕7号"}
    out = await acted(credit_client, lid, "notify", served_on="2026-10-20", documents=[notice])
    assert out["status"] == "notified" and out["statement_due"] == "2026-10-27"
    assert out["allowed_actions"] == ["decide", "record_statement", "withdraw"]
    out = await acted(credit_client, lid, "record_statement", received_on="2026-10-23", summary="已部分支付")
    assert out["status"] == "under_review"
    out = await acted(credit_client, lid, "review", conclusion="maintain", reason="申辩理由不成立")
    assert out["status"] == "under_review"
    out = await acted(
        credit_client, lid, "decide", decision_no="昆人社列〔2026〕1号", decided_on="2026-11-02"
    )
    assert out["status"] == "listed" and out["listed_on"] == "2026-11-02"
    assert out["expires_on"] == "2029-11-02" and out["restrictions"] == SANCTIONS
    assert (
        out["decision"]["decision_no"] == "昆人社列〔2026〕1号"
        and out["decision"]["decided_by"] == "officer-1"
    )
    out = await acted(credit_client, lid, "publish", published_on="2026-11-03")
    assert out["status"] == "published" and out["published_on"] == "2026-11-03"
    request = {"arrears_paid": True, "corrected_on": "2026-11-10", "pledge": True}
    out = await acted(credit_client, lid, "request_early_removal", applied_on="2026-11-20", **request)
    assert out["status"] == "removal_requested" and out["corrected_on"] == "2026-11-10"
    out = await acted(credit_client, lid, "reject_early_removal", reason="未满六个月")
    assert out["status"] == "published"  # back where it was
    out = await acted(credit_client, lid, "request_early_removal", **request)
    out = await acted(credit_client, lid, "revoke", reason="行政复议决定撤销", revoked_on="2026-11-26")
    assert out["status"] == "revoked" and out["ended_on"] == "2026-11-26" and out["allowed_actions"] == []

    for member_id in [lid, *(m["listing_id"] for m in listing["members"])]:
        detail = await get(credit_client, member_id)
        assert detail["status"] == "revoked" and detail["ended_on"] == "2026-11-26"
        assert [e["action"] for e in detail["events"]] == [
            "propose",
            "notify",
            "record_statement",
            "review",
            "decide",
            "publish",
            "request_early_removal",
            "reject_early_removal",
            "request_early_removal",
            "revoke",
        ]
        first_notice = detail["events"][1]
        assert first_notice["documents"] == [notice] and first_notice["actor_name"] == "信用管理科"
        assert first_notice["data"]["statement_due"] == "2026-10-27"
        assert detail["events"][-1]["reason"] == "行政复议决定撤销"


async def test_refused_transitions_are_409_with_the_allowed_actions(credit_client: httpx.AsyncClient) -> None:
    lid = (await propose(credit_client, blacklist_body()))["id"]
    # 令45: no decision without the notice first; nothing to publish or remove yet.
    refused: list[tuple[str, dict[str, Any]]] = [
        ("decide", {"decision_no": "X-1"}),
        ("publish", {}),
        ("request_early_removal", {"arrears_paid": True, "corrected_on": "2026-01-01", "pledge": True}),
        ("remove_early", {}),
        ("expire", {}),
        ("revoke", {"reason": "x"}),
        ("review", {"conclusion": "maintain", "reason": "x"}),
        ("record_statement", {"waived": True}),
    ]
    for action, fields in refused:
        body = problem(await act(credit_client, lid, action, **fields), 409, "invalid_transition")
        assert body["state"] == "candidate" and body["allowed_actions"] == ["notify", "withdraw"], action

    await acted(credit_client, lid, "notify", served_on="2026-11-02")
    response = await act(credit_client, lid, "record_statement", received_on="2026-11-01", summary="x")
    assert locs(response) == ["received_on"]
    await acted(credit_client, lid, "record_statement", received_on="2026-11-05", summary="工资已付清")
    # A statement received must be reviewed; a review that drops the proposal blocks the decision.
    problem(await act(credit_client, lid, "decide", decision_no="X-1"), 409, "review_required")
    await acted(credit_client, lid, "review", conclusion="drop", reason="申辩成立")
    problem(await act(credit_client, lid, "decide", decision_no="X-1"), 409, "review_dropped")
    out = await acted(credit_client, lid, "withdraw", reason="复核后不予列入")
    assert out["status"] == "withdrawn" and out["allowed_actions"] == [] and out["ended_on"] is None
    body = problem(await act(credit_client, lid, "notify"), 409, "invalid_transition")
    assert body["allowed_actions"] == []

    # Listed: early removal needs an application; expiry waits for the term.
    other = (await listed(credit_client, "2026-06-01", unit=OTHER_UNIT, publish=False))["id"]
    body = problem(await act(credit_client, other, "remove_early"), 409, "invalid_transition")
    assert body["allowed_actions"] == ["expire", "publish", "request_early_removal", "revoke"]
    problem(await act(credit_client, other, "expire"), 409, "not_expired")
    # Bad input is 422 naming the field; a decision number is used once.
    response = await act(credit_client, other, "publish", published_on="2026-12-01")
    assert response.status_code == 422 and locs(response) == ["published_on"]
    response = await act(credit_client, other, "publish", published_on="2026-05-31")
    assert locs(response) == ["published_on"]
    response = await act(credit_client, other, "revoke")
    assert locs(response) == ["reason"]
    response = await act(credit_client, other, "fly")
    assert locs(response) == ["action"]
    third = (await propose(credit_client, blacklist_body(uscc(9))))["id"]
    await acted(credit_client, third, "notify", served_on="2026-06-01")
    taken = await act(credit_client, third, "decide", decision_no=f"昆人社列〔{OTHER_UNIT[-6:]}〕号")
    problem(taken, 409, "decision_no_taken")
    early = await act(credit_client, third, "decide", decision_no="Y-1", decided_on="2026-05-31")
    assert locs(early) == ["decided_on"]  # not before the notice was served
    missing = await credit_client.post(
        f"{LISTINGS}/nope/actions", json={"action": "notify"}, headers=manager()
    )
    problem(missing, 404, "listing_not_found")


async def test_statement_period_counts_working_days_across_national_day(
    credit_client: httpx.AsyncClient,
) -> None:
    lid = (await propose(credit_client, blacklist_body()))["id"]
    # Served Wed 2026-09-30; Oct 1-7 are holidays, Thu 8, Fri 9, Sat 10 (make-up day), Mon 12, Tue 13.
    out = await acted(credit_client, lid, "notify", served_on="2026-09-30")
    assert out["statement_due"] == "2026-10-13"
    assert out["events"][-1]["data"]["calendar_provisional"] is False
    body = problem(
        await act(credit_client, lid, "decide", decision_no="D-1", decided_on="2026-10-13"),
        409,
        "statement_period_running",
    )
    assert body["statement_due"] == "2026-10-13" and "2026-10-13" in body["detail"]
    out = await acted(credit_client, lid, "decide", decision_no="D-1", decided_on="2026-10-14")
    assert out["status"] == "listed" and out["expires_on"] == "2029-10-14"


async def test_a_waived_statement_allows_the_decision_before_the_period_ends(
    credit_client: httpx.AsyncClient,
) -> None:
    lid = (await propose(credit_client, blacklist_body()))["id"]
    out = await acted(credit_client, lid, "notify", served_on="2026-11-26")
    assert out["statement_due"] == "2026-12-03"
    response = await act(credit_client, lid, "record_statement")
    assert locs(response) == ["summary"]  # a statement has content unless it is waived
    await acted(
        credit_client,
        lid,
        "record_statement",
        waived=True,
        documents=[{"title": "放弃陈述申辩声明", "ref": "F-1"}],
    )
    out = await acted(credit_client, lid, "decide", decision_no="D-2")
    assert out["listed_on"] == TODAY.isoformat()


async def test_term_is_three_years_to_the_corresponding_day(credit_client: httpx.AsyncClient) -> None:
    leap = await listed(credit_client, "2024-02-29", unit=uscc(11))
    assert leap["expires_on"] == "2027-02-28"  # no 29 Feb in 2027
    plain = await listed(credit_client, "2025-01-31", unit=uscc(12))
    assert plain["expires_on"] == "2028-01-31"


async def test_expiry_scan_ends_listings_on_the_day_three_years_after_the_decision(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    due = await listed(credit_client, "2023-11-27", unit=uscc(21))
    tomorrow = await listed(credit_client, "2023-11-28", unit=uscc(22), publish=False)
    assert due["expires_on"] == "2026-11-27" and tomorrow["expires_on"] == "2026-11-28"
    database = Database(db_urls["credit"])
    try:
        expired = await run_expiry_scan(database)
        assert sorted(expired) == sorted([due["id"], *(m["listing_id"] for m in due["members"])])
        assert await run_expiry_scan(database) == []  # claimed once
        async with database.sessionmaker() as session:
            events = await session.scalar(
                select(func.count()).select_from(ListingEvent).where(ListingEvent.action == "expire")
            )
            changes = await session.scalar(
                select(func.count()).select_from(ListingChange).where(ListingChange.change == "expire")
            )
        assert events == changes == 3
    finally:
        await database.dispose()
    out = await get(credit_client, due["id"])
    assert out["status"] == "expired" and out["ended_on"] == "2026-11-27"
    assert out["events"][-1]["actor_id"] == "system:expiry-scan"
    assert out["events"][-1]["from_status"] == "published"
    still = await get(credit_client, tomorrow["id"])
    assert still["status"] == "listed" and still["ended_on"] is None
    # Expiring by hand waits for the term too, and works once it is over.
    problem(await act(credit_client, tomorrow["id"], "expire"), 409, "not_expired")
    late = await listed(credit_client, "2023-11-20", unit=uscc(23), publish=False)
    out = await acted(credit_client, late["id"], "expire")
    assert out["status"] == "expired" and out["ended_on"] == "2026-11-20"


async def test_expiry_scan_run_twice_at_once_expires_each_listing_once(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    due = await listed(credit_client, "2023-11-01", unit=uscc(24))
    database = Database(db_urls["credit"])
    try:
        results = await asyncio.gather(run_expiry_scan(database), run_expiry_scan(database))
        assert sorted(results[0] + results[1]) == sorted(
            [due["id"], *(m["listing_id"] for m in due["members"])]
        )
        async with database.sessionmaker() as session:
            changes = await session.scalar(
                select(func.count()).select_from(ListingChange).where(ListingChange.change == "expire")
            )
        assert changes == 3
    finally:
        await database.dispose()


async def test_the_app_runs_the_expiry_scan_in_the_background(db_urls: dict[str, str]) -> None:
    settings = credit_settings(db_urls["credit"])
    settings.background_tasks = True
    settings.expiry_scan_seconds = 0.05
    app = create_credit_app(settings, configure_logs=False)
    async with app_client(app) as client:
        # Not published: the loop may expire it as soon as it is decided.
        due = await listed(client, "2023-11-02", unit=uscc(25), people=(), publish=False)
        for _ in range(200):  # until the loop has run, a few ticks at most
            if (await get(client, due["id"]))["status"] == "expired":
                break
            await asyncio.sleep(0.05)
        out = await get(client, due["id"])
    assert out["status"] == "expired" and out["events"][-1]["actor_id"] == "system:expiry-scan"


async def test_early_removal_after_six_full_months_since_the_correction(
    credit_client: httpx.AsyncClient,
) -> None:
    lid = (await listed(credit_client, "2025-01-10"))["id"]
    # Corrected 2026-05-28: six months are complete on 2026-11-28, tomorrow.
    out = await acted(
        credit_client, lid, "request_early_removal", arrears_paid=True, corrected_on="2026-05-28", pledge=True
    )
    assert out["status"] == "removal_requested" and out["events"][-1]["data"]["eligible_from"] == "2026-11-28"
    body = problem(await act(credit_client, lid, "remove_early"), 409, "early_removal_too_soon")
    assert body["eligible_from"] == "2026-11-28"
    await acted(credit_client, lid, "reject_early_removal", reason="未满六个月")
    # Without the arrears paid or the pledge, never.
    await acted(
        credit_client,
        lid,
        "request_early_removal",
        arrears_paid=False,
        corrected_on="2026-01-05",
        pledge=False,
    )
    body = problem(await act(credit_client, lid, "remove_early"), 409, "early_removal_conditions_unmet")
    assert body["unmet"] == ["arrears_paid", "pledge"]
    await acted(credit_client, lid, "reject_early_removal", reason="未清偿")
    # Corrected 2026-05-27: complete today.
    await acted(
        credit_client, lid, "request_early_removal", arrears_paid=True, corrected_on="2026-05-27", pledge=True
    )
    out = await acted(
        credit_client, lid, "remove_early", documents=[{"title": "提前移出决定书", "ref": "Y-1"}]
    )
    assert out["status"] == "removed_early" and out["ended_on"] == TODAY.isoformat()
    assert out["allowed_actions"] == []


async def test_watch_and_red_lists_are_decided_directly_and_restrict_nothing(
    credit_client: httpx.AsyncClient,
) -> None:
    watch = await propose(
        credit_client,
        {
            "list_type": "watch",
            "unit": {"uscc": uscc(31), "name": "甲公司"},
            "basis": {"criteria": "一年内两次拖欠"},
        },
    )
    assert watch["allowed_actions"] == ["decide", "notify", "withdraw"]
    out = await acted(credit_client, watch["id"], "decide", decision_no="W-1", decided_on="2026-03-01")
    assert out["expires_on"] == "2027-03-01" and out["restrictions"] == []  # watch_term_years = 1 [M]
    assert "request_early_removal" in out["allowed_actions"]
    red = await propose(credit_client, {"list_type": "red", "unit": {"uscc": uscc(32), "name": "乙公司"}})
    out = await acted(credit_client, red["id"], "decide", decision_no="R-1", decided_on="2026-03-01")
    assert out["expires_on"] == "2028-03-01" and out["restrictions"] == []  # red_term_years = 2, unverified
    assert out["allowed_actions"] == ["expire", "publish", "revoke"]
    assert {"red_term_years", "red_criteria_note"} <= set(out["unverified_rules"])


async def test_listings_are_filtered_and_paginated(credit_client: httpx.AsyncClient) -> None:
    await listed(credit_client, "2026-01-05", unit=uscc(41), people=())
    await listed(credit_client, "2026-01-06", unit=uscc(42), people=(), publish=False)
    await propose(credit_client, blacklist_body(uscc(43), people=()))
    await propose(credit_client, {"list_type": "watch", "unit": {"uscc": uscc(44), "name": "丙公司"}})
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "list_type": "blacklist"}
        if cursor:
            params["cursor"] = cursor
        page = (await credit_client.get(LISTINGS, params=params, headers=manager())).json()
        seen += [item["subject"]["uscc"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted([uscc(41), uscc(42), uscc(43)])
    page = (await credit_client.get(LISTINGS, params={"status": "listed"}, headers=manager())).json()
    assert [i["subject"]["uscc"] for i in page["items"]] == [uscc(42)]
    page = (await credit_client.get(LISTINGS, params={"uscc": uscc(44)}, headers=manager())).json()
    assert [i["list_type"] for i in page["items"]] == ["watch"]
    response = await credit_client.get(LISTINGS, params={"uscc": "123"}, headers=manager())
    assert locs(response) == ["query.uscc"]


async def test_subjects_are_reused_across_decisions(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    await listed(credit_client, "2026-02-01", unit=uscc(51))
    await listed(credit_client, "2026-02-02", unit=uscc(52))  # the same two persons, another employer
    database = Database(db_urls["credit"])
    try:
        async with database.sessionmaker() as session:
            count = await session.scalar(select(func.count()).select_from(Subject))
    finally:
        await database.dispose()
    assert count == 4
