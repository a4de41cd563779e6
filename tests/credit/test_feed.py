"""The listing feed for credit-sharing platforms: a consumer replaying it from 0 ends with the
registry's current state of every decided listing, persons masked, no 身份证号."""

from __future__ import annotations

from typing import Any

import httpx

from credit.listing.scan import run_expiry_scan
from shared.db import Database
from tests.credit.test_listing import (
    BOSS,
    LISTINGS,
    MANAGER,
    acted,
    checker,
    listed,
    locs,
    manager,
    problem,
    propose,
    public,
    uscc,
)

FEED = "/api/v1/credit/feed"
DECIDED = {"listed", "published", "removal_requested", "removed_early", "expired", "revoked"}


async def replay(
    client: httpx.AsyncClient, since: int = 0, limit: int = 2
) -> tuple[dict[str, dict[str, Any]], int]:
    """What a consumer holds after reading the feed in small pages: the last snapshot per listing."""
    state: dict[str, dict[str, Any]] = {}
    last_seq = since
    while True:
        response = await client.get(FEED, params={"since": since, "limit": limit}, headers=checker())
        assert response.status_code == 200, response.text
        page = response.json()
        assert BOSS not in response.text and MANAGER not in response.text
        assert "张三丰" not in response.text
        for item in page["items"]:
            assert item["seq"] > last_seq  # in seq order, each once
            last_seq = item["seq"]
            assert item["snapshot"]["listing_id"] == item["listing_id"]
            state[item["listing_id"]] = item["snapshot"]
        if not page["items"]:
            assert page["next_since"] == since
            return state, since
        since = page["next_since"]


async def registry(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(LISTINGS, params=params, headers=manager())).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


async def test_replaying_the_feed_from_zero_ends_with_the_registry(
    credit_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    published = await listed(credit_client, "2026-03-01", unit=uscc(1))
    expiring = await listed(credit_client, "2023-11-27", unit=uscc(2), people=())
    removed = await listed(credit_client, "2025-01-10", unit=uscc(3), publish=False)
    await acted(
        credit_client,
        removed["id"],
        "request_early_removal",
        arrears_paid=True,
        corrected_on="2026-05-01",
        applied_on="2026-11-01",
        pledge=True,
    )
    await acted(credit_client, removed["id"], "remove_early", removed_on="2026-11-02")
    revoked = await listed(credit_client, "2026-02-01", unit=uscc(4), people=())
    await acted(credit_client, revoked["id"], "revoke", reason="诉讼撤销", revoked_on="2026-10-01")
    withdrawn = await propose(
        credit_client,
        {
            "list_type": "blacklist",
            "unit": {"uscc": uscc(5), "name": "戊公司"},
            "basis": {
                "order_to_pay_deadline": "2026-01-01",
                "unpaid_at_deadline": True,
                "extreme_incident": True,
            },
        },
    )
    await acted(credit_client, withdrawn["id"], "notify", served_on="2026-11-02")
    await acted(credit_client, withdrawn["id"], "withdraw", reason="已全部支付")
    watch = await propose(credit_client, {"list_type": "watch", "unit": {"uscc": uscc(6), "name": "己公司"}})
    await acted(credit_client, watch["id"], "decide", decision_no="W-9", decided_on="2026-06-01")
    await propose(credit_client, {"list_type": "red", "unit": {"uscc": uscc(7), "name": "庚公司"}})

    # A consumer reads part of the feed, the scan expires a listing, the consumer catches up.
    first, since = await replay(credit_client)
    assert first[expiring["id"]]["status"] == "published"
    database = Database(db_urls["credit"])
    try:
        assert await run_expiry_scan(database) == [expiring["id"]]
    finally:
        await database.dispose()
    more, since = await replay(credit_client, since)
    assert set(more) == {expiring["id"]}
    state = {**first, **more}

    rows = await registry(credit_client)
    decided = {row["id"]: row for row in rows if row["status"] in DECIDED}
    assert set(state) == set(decided)  # no candidates, no withdrawn proposals
    assert withdrawn["id"] not in state and published["id"] in state
    for listing_id, row in decided.items():
        snap = state[listing_id]
        assert snap["status"] == row["status"]
        assert snap["list"] == row["list_type"] and snap["role"] == row["role"]
        assert snap["decision_no"] == row["decision"]["decision_no"]
        assert snap["decided_on"] == row["decision"]["decided_on"]
        for field in ("listed_on", "published_on", "expires_on", "ended_on", "restrictions"):
            assert snap[field] == row[field], (field, snap, row)
        if row["role"] == "unit":
            assert snap["subject"] == {
                "type": "employer",
                "uscc": row["subject"]["uscc"],
                "name": row["subject"]["name"],
            }
        else:
            assert snap["subject"] == {
                "type": "person",
                "name": row["subject"]["name"][0] + "*" * (len(row["subject"]["name"]) - 1),
            }
        assert snap["restricting"] is (row["status"] in {"listed", "published", "removal_requested"})

    # What the consumer holds as restricting-and-published is what the public page shows.
    from_feed = {
        s["decision_no"]
        for s in state.values()
        if s["restricting"] and s["published_on"] and s["list"] == "blacklist" and s["role"] == "unit"
    }
    page = (await credit_client.get("/api/v1/public/blacklist", headers=public())).json()
    assert (
        from_feed == {item["decision_no"] for item in page["items"]} == {published["decision"]["decision_no"]}
    )


async def test_feed_scopes_and_parameters(credit_client: httpx.AsyncClient) -> None:
    problem(await credit_client.get(FEED, headers=public()), 403, "insufficient_scope")
    assert (await credit_client.get(FEED, headers=manager())).json() == {"items": [], "next_since": 0}
    response = await credit_client.get(FEED, params={"since": -1, "limit": 1001}, headers=checker())
    assert sorted(locs(response)) == ["query.limit", "query.since"]
    await listed(credit_client, "2026-03-01", people=())
    page = (await credit_client.get(FEED, params={"since": 0}, headers=checker())).json()
    assert [i["change"] for i in page["items"]] == ["decide", "publish"]
    tail = (await credit_client.get(FEED, params={"since": page["next_since"]}, headers=checker())).json()
    assert tail == {"items": [], "next_since": page["next_since"]}
