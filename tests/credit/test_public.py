"""``/api/v1/public/...``: the published blacklist and disclosures, for anyone; persons masked,
never a 身份证号; ETag and 304; once through the gateway without an API key."""

from __future__ import annotations

import httpx

from tests.credit.test_listing import BOSS, MANAGER, acted, listed, manager, propose, public, uscc

BLACKLIST = "/api/v1/public/blacklist"
DISCLOSURES = "/api/v1/public/disclosures"


async def test_public_blacklist_shows_published_decisions_in_force_masked(
    credit_client: httpx.AsyncClient,
) -> None:
    shown = await listed(credit_client, "2026-03-01", unit=uscc(1), name="甲建筑劳务有限公司")
    await listed(credit_client, "2026-03-02", unit=uscc(2), publish=False)  # decided, not yet published
    await listed(credit_client, "2023-11-27", unit=uscc(3), people=())  # term over today
    removed = await listed(credit_client, "2025-01-10", unit=uscc(4), people=())
    await acted(credit_client, removed["id"], "revoke", reason="撤销", revoked_on="2026-11-01")
    watch = await propose(credit_client, {"list_type": "watch", "unit": {"uscc": uscc(5), "name": "戊公司"}})
    await acted(credit_client, watch["id"], "decide", decision_no="W-1", decided_on="2026-03-01")
    await acted(credit_client, watch["id"], "publish", published_on="2026-03-01")

    response = await credit_client.get(BLACKLIST, headers=public())
    assert response.status_code == 200, response.text
    assert response.json() == {
        "items": [
            {
                "decision_no": shown["decision"]["decision_no"],
                "unit": {"name": "甲建筑劳务有限公司", "uscc": uscc(1)},
                "persons": [
                    {"name": "张**", "role": "legal_representative", "role_label": "法定代表人"},
                    {"name": "李*", "role": "directly_responsible", "role_label": "直接负责的主管人员"},
                ],
                "listed_on": "2026-03-01",
                "published_on": "2026-03-01",
                "expires_on": "2029-03-01",
                "restrictions": shown["restrictions"],
            }
        ],
        "next_cursor": None,
    }
    for secret in (BOSS, MANAGER, BOSS[-4:] + '"', "张三丰", "李四"):
        assert secret not in response.text
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["content-type"] == "application/json"


async def test_etag_and_304(credit_client: httpx.AsyncClient) -> None:
    await listed(credit_client, "2026-03-01", unit=uscc(1))
    first = await credit_client.get(BLACKLIST, headers=public())
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = await credit_client.get(BLACKLIST, headers={**public(), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == "public, max-age=60"
    weak = await credit_client.get(BLACKLIST, headers={**public(), "If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    stale = await credit_client.get(BLACKLIST, headers={**public(), "If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content

    # A change to what is published changes the tag.
    await listed(credit_client, "2026-03-02", unit=uscc(2), people=())
    changed = await credit_client.get(BLACKLIST, headers={**public(), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert len(changed.json()["items"]) == 2


async def test_public_pages_are_paginated(credit_client: httpx.AsyncClient) -> None:
    for n in range(1, 4):
        await listed(credit_client, f"2026-03-0{n}", unit=uscc(n), people=())
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await credit_client.get(BLACKLIST, params=params, headers=public())).json()
        seen += [item["unit"]["uscc"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [uscc(3), uscc(2), uscc(1)]  # newest listing first
    bad = await credit_client.get(BLACKLIST, params={"cursor": "!!"}, headers=public())
    assert bad.status_code == 422


async def test_public_routes_need_the_gateway_identity_but_no_scope(credit_client: httpx.AsyncClient) -> None:
    for path in (BLACKLIST, DISCLOSURES):
        assert (await credit_client.get(path)).status_code == 401
        assert (await credit_client.get(path, headers=public())).status_code == 200
        assert (await credit_client.get(path, headers=manager())).status_code == 200


async def test_public_blacklist_through_the_gateway_without_a_key(
    gateway_client: httpx.AsyncClient, credit_client: httpx.AsyncClient
) -> None:
    shown = await listed(credit_client, "2026-03-01", unit=uscc(1))
    response = await gateway_client.get(BLACKLIST)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["decision_no"] for i in items] == [shown["decision"]["decision_no"]]
    assert BOSS not in response.text and "张三丰" not in response.text
    assert response.headers["cache-control"] == "public, max-age=60"
    cached = await gateway_client.get(BLACKLIST, headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""
    disclosures = await gateway_client.get(DISCLOSURES)
    assert disclosures.status_code == 200 and disclosures.json() == {"items": [], "next_cursor": None}
    # The rest of the credit API still needs a key.
    assert (await gateway_client.get("/api/v1/credit/listings")).status_code == 401
