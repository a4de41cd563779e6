"""The bureau's inspections over HTTP: recording, validation, listing, idempotency and the
§11 summary, whose figures are recomputed here from the test's own data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from complaints.main import create_app
from shared.identifiers import make_uscc
from shared.testing.plugin import app_client, identity_headers
from shared.timeutil import china_today
from tests.conftest import complaints_settings

URL = "/api/v1/inspections"
MANAGE = identity_headers("cases:manage")
REPORTS = identity_headers("reports:read")

USCC_A = make_uscc("91530102MA6K0000A")
USCC_C = make_uscc("91530102MA6K0002A")
USCC_E = make_uscc("91530102MA6K0004A")
CAMPAIGN = "2024年农民工工资支付专项检查"
COURIER_CAMPAIGN = "2024年快递行业专项检查"


@pytest.fixture
async def client(db_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(complaints_settings(db_urls["complaints"]), configure_logs=False)
    async with app_client(app) as http:
        yield http


def employer(
    name: str,
    *,
    uscc: str | None = None,
    district_code: str = "530102",
    industry_code: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "district_code": district_code, "address": "昆明市某路1号"}
    if uscc is not None:
        body["uscc"] = uscc
    if industry_code is not None:
        body["industry_code"] = industry_code
    return body


def inspection(
    kind: str = "routine_patrol",
    *,
    inspected_on: date = date(2024, 3, 1),
    employer_body: dict[str, Any] | None = None,
    inspectors: list[str] | None = None,
    headcount: int = 10,
    campaign: str | None = None,
    results: dict[str, Any] | None = None,
    findings: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "employer": employer_body or employer("昆明某某商贸有限公司", uscc=USCC_A),
        "inspected_on": inspected_on.isoformat(),
        "inspectors": inspectors or ["张三", "李四"],
        "headcount": headcount,
    }
    if campaign is not None:
        body["campaign"] = campaign
    if results is not None:
        body["results"] = results
    if findings is not None:
        body["findings"] = findings
    return body


async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(URL, json=body, headers=MANAGE)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def error_locs(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {e["loc"]: e["code"] for e in response.json()["errors"]}


# --- recording -------------------------------------------------------------------------


async def test_create_routine_patrol_returns_the_record(client: httpx.AsyncClient) -> None:
    body = inspection(
        employer_body=employer("昆明某某快递有限公司", uscc=USCC_A, industry_code="6020"),
        headcount=25,
        findings=[
            {"issue": "no_contract", "description": "3名快递员未签订劳动合同", "workers_affected": 3},
            {
                "issue": "wage_arrears",
                "description": "拖欠10月工资",
                "workers_affected": 5,
                "amount": "42000",
            },
        ],
        results={"orders_to_correct": 1, "contracts_signed": 3},
    )
    record = await create(client, body)
    assert record["kind"] == "routine_patrol"
    assert record["campaign"] is None
    assert record["employer"] == {
        "name": "昆明某某快递有限公司",
        "uscc": USCC_A,
        "address": "昆明市某路1号",
        "district_code": "530102",
        "industry_code": "6020",
    }
    assert record["inspected_on"] == "2024-03-01"
    assert record["inspectors"] == ["张三", "李四"]
    assert record["headcount"] == 25
    assert record["recorded_by"] == "test-client"
    assert [f["issue"] for f in record["findings"]] == ["no_contract", "wage_arrears"]
    assert record["findings"][1]["amount"] == "42000.00"
    assert record["findings"][0]["amount"] is None
    assert all(f["case_id"] is None for f in record["findings"])
    assert record["results"]["orders_to_correct"] == 1
    assert record["results"]["contracts_signed"] == 3
    assert record["results"]["wages_ordered"] == "0.00"
    assert record["results"]["fines"] == "0.00"

    read = await client.get(f"{URL}/{record['id']}", headers=REPORTS)
    assert read.status_code == 200
    assert read.json() == record


async def test_create_special_campaign_with_results(client: httpx.AsyncClient) -> None:
    body = inspection(
        "special_campaign",
        campaign=CAMPAIGN,
        inspectors=["王五", "赵六", "孙七"],
        headcount=120,
        results={
            "orders_to_correct": 2,
            "wages_ordered": "35000.50",
            "wages_ordered_workers": 7,
            "compensation_ordered": "1200.25",
            "social_insurance_registrations": 1,
            "social_insurance_ordered": "8800.1",
            "social_insurance_ordered_workers": 4,
            "penalties": 1,
            "fines": "20000",
        },
    )
    record = await create(client, body)
    assert record["kind"] == "special_campaign"
    assert record["campaign"] == CAMPAIGN
    assert record["results"] == {
        "orders_to_correct": 2,
        "contracts_signed": 0,
        "wages_ordered": "35000.50",
        "wages_ordered_workers": 7,
        "compensation_ordered": "1200.25",
        "social_insurance_registrations": 1,
        "social_insurance_ordered": "8800.10",
        "social_insurance_ordered_workers": 4,
        "penalties": 1,
        "fines": "20000.00",
    }


async def test_create_annual_review(client: httpx.AsyncClient) -> None:
    record = await create(client, inspection("annual_review", headcount=0, inspectors=["张三"]))
    assert record["kind"] == "annual_review"
    assert record["headcount"] == 0
    assert record["findings"] == []


# --- validation ------------------------------------------------------------------------


async def test_special_campaign_needs_its_campaign(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=inspection("special_campaign"), headers=MANAGE)
    assert error_locs(response) == {"campaign": "campaign_required"}
    assert response.json()["errors"][0]["message"] == "专项检查须填写专项行动名称"


async def test_campaign_only_on_special_campaigns(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=inspection(campaign=CAMPAIGN), headers=MANAGE)
    assert error_locs(response) == {"campaign": "campaign_not_allowed"}


async def test_inspection_date_cannot_be_in_the_future(client: httpx.AsyncClient) -> None:
    tomorrow = china_today() + timedelta(days=1)
    response = await client.post(URL, json=inspection(inspected_on=tomorrow), headers=MANAGE)
    assert error_locs(response) == {"inspected_on": "date_in_future"}
    today = await client.post(URL, json=inspection(inspected_on=china_today()), headers=MANAGE)
    assert today.status_code == 201


async def test_bad_uscc_names_the_field(client: httpx.AsyncClient) -> None:
    bad = USCC_A[:-1] + ("1" if USCC_A[-1] != "1" else "2")
    response = await client.post(
        URL, json=inspection(employer_body=employer("某公司", uscc=bad)), headers=MANAGE
    )
    assert error_locs(response) == {"employer.uscc": "uscc_invalid_checksum"}
    assert response.json()["errors"][0]["message"] == "统一社会信用代码校验位不正确"


async def test_type_errors_name_their_fields(client: httpx.AsyncClient) -> None:
    body = inspection(results={"fines": 1.5, "penalties": 1})
    body["inspectors"] = []
    body["headcount"] = -1
    body["kind"] = "audit"
    body["findings"] = [{"issue": "overtime"}]
    body["employer"]["district_code"] = "5301"
    response = await client.post(URL, json=body, headers=MANAGE)
    locs = error_locs(response)
    assert locs == {
        "kind": "literal_error",
        "inspectors": "too_short",
        "headcount": "greater_than_equal",
        "findings[0].issue": "literal_error",
        "results.fines": "money_float_not_allowed",
        "employer.district_code": "district_code_invalid",
    }


async def test_results_must_be_consistent(client: httpx.AsyncClient) -> None:
    body = inspection(
        inspectors=["张三", "张三"],
        results={"wages_ordered": "100.00", "social_insurance_ordered_workers": 2, "fines": "500"},
    )
    response = await client.post(URL, json=body, headers=MANAGE)
    assert error_locs(response) == {
        "inspectors[1]": "inspector_duplicate",
        "results.wages_ordered_workers": "workers_required",
        "results.social_insurance_ordered": "amount_required",
        "results.penalties": "penalties_required",
    }


# --- access and lookup -----------------------------------------------------------------


async def test_scopes(client: httpx.AsyncClient) -> None:
    denied = await client.post(URL, json=inspection(), headers=REPORTS)
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    assert denied.json()["required_scopes"] == ["cases:manage"]
    for path in (URL, f"{URL}/summary", f"{URL}/any-id"):
        response = await client.get(path, headers=identity_headers("wages:read"))
        assert response.status_code == 403, path
        assert set(response.json()["required_scopes"]) == {"cases:manage", "reports:read"}
    assert (await client.get(URL, headers=REPORTS)).status_code == 200
    assert (await client.get(URL)).status_code == 401


async def test_unknown_inspection_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{URL}/00000000-0000-0000-0000-000000000000", headers=MANAGE)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "inspection_not_found"
    assert body["title"] == "检查记录不存在"


# --- idempotency -----------------------------------------------------------------------


async def test_idempotent_replay_and_reuse(client: httpx.AsyncClient) -> None:
    headers = {**MANAGE, "Idempotency-Key": "insp-0001"}
    body = inspection(findings=[{"issue": "working_hours", "workers_affected": 4}])
    first = await client.post(URL, json=body, headers=headers)
    assert first.status_code == 201
    again = await client.post(URL, json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()

    changed = await client.post(URL, json={**body, "headcount": 11}, headers=headers)
    assert error_locs(changed) == {"header.Idempotency-Key": "idempotency_key_reused"}

    # Keys are per client: another client's same key is a new record.
    other = {**identity_headers("cases:manage", client_id="other-client"), "Idempotency-Key": "insp-0001"}
    third = await client.post(URL, json=body, headers=other)
    assert third.status_code == 201
    assert third.json()["id"] != first.json()["id"]

    listed = await client.get(URL, headers=MANAGE)
    assert len(listed.json()["items"]) == 2


# --- list ------------------------------------------------------------------------------


async def test_list_filters_and_pages(client: httpx.AsyncClient) -> None:
    courier = employer("昆明某某快递有限公司", uscc=USCC_A, industry_code="6020")
    a = await create(client, inspection(inspected_on=date(2024, 1, 10), employer_body=courier))
    b = await create(
        client,
        inspection(
            "special_campaign",
            campaign=CAMPAIGN,
            inspected_on=date(2024, 2, 10),
            employer_body=employer("某建筑公司", uscc=USCC_C, district_code="530111", industry_code="4890"),
        ),
    )
    c = await create(
        client,
        inspection(
            "annual_review",
            inspected_on=date(2024, 3, 10),
            employer_body=employer("某餐馆", district_code="530103", industry_code="6210"),
        ),
    )
    d = await create(
        client,
        inspection(
            "special_campaign",
            campaign=COURIER_CAMPAIGN,
            inspected_on=date(2024, 3, 10),
            employer_body=employer("某快递服务部", uscc=USCC_E, industry_code="6020"),
        ),
    )

    async def ids(**params: Any) -> list[str]:
        response = await client.get(URL, params=params, headers=REPORTS)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    # Newest first; same-day inspections in a stable order.
    same_day = sorted([c["id"], d["id"]], reverse=True)
    assert await ids() == [*same_day, b["id"], a["id"]]
    assert await ids(kind="special_campaign") == [d["id"], b["id"]]
    assert await ids(campaign=CAMPAIGN) == [b["id"]]
    assert await ids(district_code="530111") == [b["id"]]
    assert set(await ids(district_code="530100")) == {a["id"], b["id"], c["id"], d["id"]}
    assert await ids(industry_code="6020") == [d["id"], a["id"]]
    assert await ids(uscc=USCC_C) == [b["id"]]
    assert await ids(**{"from": "2024-02-10", "to": "2024-02-29"}) == [b["id"]]
    assert await ids(**{"from": "2024-03-01"}) == same_day
    assert await ids(to="2024-01-31") == [a["id"]]

    first = await client.get(URL, params={"limit": 3}, headers=MANAGE)
    page = first.json()
    assert [i["id"] for i in page["items"]] == [*same_day, b["id"]]
    assert page["next_cursor"]
    second = await client.get(URL, params={"limit": 3, "cursor": page["next_cursor"]}, headers=MANAGE)
    assert [i["id"] for i in second.json()["items"]] == [a["id"]]
    assert second.json()["next_cursor"] is None
    # A cursor that splits the same-day pair.
    split = await client.get(URL, params={"limit": 1}, headers=MANAGE)
    rest = await client.get(URL, params={"limit": 1, "cursor": split.json()["next_cursor"]}, headers=MANAGE)
    assert [i["id"] for i in rest.json()["items"]] == [same_day[1]]


async def test_list_rejects_bad_filters(client: httpx.AsyncClient) -> None:
    response = await client.get(
        URL, params={"uscc": "123", "kind": "audit", "from": "yesterday"}, headers=MANAGE
    )
    assert set(error_locs(response)) == {"query.uscc", "query.kind", "query.from"}
    reversed_range = await client.get(URL, params={"from": "2024-02-01", "to": "2024-01-01"}, headers=MANAGE)
    assert error_locs(reversed_range) == {"query.to": "date_range_invalid"}
    bad_cursor = await client.get(URL, params={"cursor": "WyJ4IiwgMV0"}, headers=MANAGE)
    assert error_locs(bad_cursor) == {"query.cursor": "cursor_invalid"}


# --- summary ---------------------------------------------------------------------------

MONEY_FIELDS = ("wages_ordered", "compensation_ordered", "social_insurance_ordered", "fines")
COUNT_FIELDS = (
    "orders_to_correct",
    "contracts_signed",
    "wages_ordered_workers",
    "social_insurance_registrations",
    "social_insurance_ordered_workers",
    "penalties",
)


@dataclass(frozen=True)
class Entry:
    """One recorded inspection and, for the test's own arithmetic, who the employer is."""

    employer: str
    body: dict[str, Any]


def dataset() -> list[Entry]:
    courier_a = employer("昆明某某快递有限公司", uscc=USCC_A, industry_code="6020")
    eatery = employer("昆明某某餐饮有限公司", district_code="530103", industry_code="6210")
    # The same eatery written with a space and full-width brackets: one employer.
    eatery_variant = employer("昆明 某某餐饮有限公司（）", district_code="530103", industry_code="6210")
    builder = employer("某建筑公司", uscc=USCC_C, district_code="530112", industry_code="4890")
    depot = employer("云南某快递服务部", industry_code="6020")
    outer = employer("某县快递站", uscc=USCC_E, district_code="532301", industry_code="6020")
    wages_results = {
        "orders_to_correct": 1,
        "contracts_signed": 5,
        "wages_ordered": "35000.50",
        "wages_ordered_workers": 7,
        "compensation_ordered": "1200.25",
        "social_insurance_registrations": 1,
        "social_insurance_ordered": "8800.10",
        "social_insurance_ordered_workers": 4,
        "penalties": 1,
        "fines": "20000.00",
    }
    # 0.10 + 0.20 must come out as 0.30, not 0.30000000000000004 rounded astray.
    small_results = {
        "orders_to_correct": 1,
        "wages_ordered": "0.10",
        "wages_ordered_workers": 1,
        "compensation_ordered": "0.20",
        "penalties": 1,
        "fines": "0.20",
    }
    return [
        Entry("A", inspection(inspected_on=date(2024, 3, 1), employer_body=courier_a, headcount=30)),
        Entry("A", inspection(inspected_on=date(2024, 6, 1), employer_body=courier_a, headcount=32)),
        Entry("B", inspection(inspected_on=date(2024, 4, 2), employer_body=eatery, headcount=10)),
        Entry(
            "C",
            inspection(
                "special_campaign",
                campaign=CAMPAIGN,
                inspected_on=date(2024, 5, 6),
                employer_body=builder,
                inspectors=["王五", "赵六", "孙七"],
                headcount=120,
                results=wages_results,
            ),
        ),
        Entry(
            "A",
            inspection(
                "special_campaign",
                campaign=CAMPAIGN,
                inspected_on=date(2024, 5, 7),
                employer_body=courier_a,
                headcount=31,
                results=small_results,
            ),
        ),
        Entry(
            "A",
            inspection(
                "special_campaign",
                campaign=CAMPAIGN,
                inspected_on=date(2024, 5, 8),
                employer_body=courier_a,
                headcount=31,
                results=small_results,
            ),
        ),
        Entry(
            "D",
            inspection(
                "special_campaign",
                campaign=COURIER_CAMPAIGN,
                inspected_on=date(2024, 9, 9),
                employer_body=depot,
                inspectors=["周八", "吴九"],
                headcount=8,
            ),
        ),
        Entry(
            "B",
            inspection(
                "annual_review", inspected_on=date(2024, 11, 1), employer_body=eatery_variant, headcount=11
            ),
        ),
        Entry(
            "A",
            inspection(
                "annual_review", inspected_on=date(2024, 11, 2), employer_body=courier_a, headcount=33
            ),
        ),
        # Outside Kunming: excluded by district_code=530100, counted without it.
        Entry(
            "E", inspection("annual_review", inspected_on=date(2024, 11, 3), employer_body=outer, headcount=5)
        ),
        # Outside the year: excluded by from/to.
        Entry("A", inspection(inspected_on=date(2023, 12, 31), employer_body=courier_a, headcount=29)),
    ]


def expected_figures(entries: list[Entry]) -> dict[str, Any]:
    couriers = [e for e in entries if e.body["employer"].get("industry_code") == "6020"]
    totals: dict[str, Any] = {name: 0 for name in COUNT_FIELDS}
    money = {name: Decimal("0") for name in MONEY_FIELDS}
    for entry in entries:
        results = entry.body.get("results", {})
        for name in COUNT_FIELDS:
            totals[name] += results.get(name, 0)
        for name in MONEY_FIELDS:
            money[name] += Decimal(results.get(name, "0"))
    totals.update({name: f"{amount:.2f}" for name, amount in money.items()})
    return {
        "inspections": len(entries),
        "employers": len({e.employer for e in entries}),
        "workers_covered": sum(e.body["headcount"] for e in entries),
        "courier": {
            "inspections": len(couriers),
            "employers": len({e.employer for e in couriers}),
            "workers_covered": sum(e.body["headcount"] for e in couriers),
        },
        "inspectors_deployed": sum(len(e.body["inspectors"]) for e in entries),
        "results": totals,
    }


def expected_summary(entries: list[Entry], start: date, end: date, district: str | None) -> dict[str, Any]:
    def included(entry: Entry) -> bool:
        on = date.fromisoformat(entry.body["inspected_on"])
        code = entry.body["employer"]["district_code"]
        return start <= on <= end and (district is None or code.startswith(district[:4]))

    kept = [e for e in entries if included(e)]
    specials = [e for e in kept if e.body["kind"] == "special_campaign"]
    campaigns = sorted({e.body["campaign"] for e in specials})
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "district_code": district,
        "courier_industry_code": "6020",
        "total": expected_figures(kept),
        "by_kind": {
            kind: expected_figures([e for e in kept if e.body["kind"] == kind])
            for kind in ("routine_patrol", "special_campaign", "annual_review")
        },
        "campaigns": [
            {"campaign": name, **expected_figures([e for e in specials if e.body["campaign"] == name])}
            for name in campaigns
        ],
    }


async def test_summary_figures(client: httpx.AsyncClient) -> None:
    entries = dataset()
    for entry in entries:
        await create(client, entry.body)
    start, end = date(2024, 1, 1), date(2024, 12, 31)

    for district in (None, "530100"):
        params = {"from": start.isoformat(), "to": end.isoformat()}
        if district is not None:
            params["district_code"] = district
        response = await client.get(f"{URL}/summary", params=params, headers=REPORTS)
        assert response.status_code == 200, response.text
        assert response.json() == expected_summary(entries, start, end, district)

    # Spot checks of the arithmetic above, in the bureau's terms.
    body = (
        await client.get(
            f"{URL}/summary",
            params={"from": "2024-01-01", "to": "2024-12-31", "district_code": "530100"},
            headers=REPORTS,
        )
    ).json()
    patrols = body["by_kind"]["routine_patrol"]
    assert (patrols["inspections"], patrols["employers"], patrols["workers_covered"]) == (3, 2, 72)
    assert patrols["courier"] == {"inspections": 2, "employers": 1, "workers_covered": 62}
    special = body["by_kind"]["special_campaign"]
    assert special["inspectors_deployed"] == 3 + 2 + 2 + 2
    assert special["results"]["wages_ordered"] == "35000.70"
    assert special["results"]["compensation_ordered"] == "1200.65"
    assert special["results"]["fines"] == "20000.40"
    assert special["results"]["penalties"] == 3
    reviews = body["by_kind"]["annual_review"]
    assert (reviews["employers"], reviews["courier"]["employers"]) == (2, 1)
    # Employers across all kinds: A, B, C, D (E is outside Kunming).
    assert body["total"]["employers"] == 4
    assert [c["campaign"] for c in body["campaigns"]] == sorted([CAMPAIGN, COURIER_CAMPAIGN])


async def test_summary_of_nothing_is_zeros(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{URL}/summary", headers=MANAGE)
    assert response.status_code == 200
    body = response.json()
    assert body["from"] is None and body["to"] is None
    assert body["total"]["inspections"] == 0
    assert body["by_kind"]["special_campaign"]["results"]["fines"] == "0.00"
    assert body["campaigns"] == []
    bad = await client.get(
        f"{URL}/summary", params={"from": "2024-02-01", "to": "2024-01-01"}, headers=MANAGE
    )
    assert error_locs(bad) == {"query.to": "date_range_invalid"}
