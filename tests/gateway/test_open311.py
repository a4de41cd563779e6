"""Open311 GeoReport v2 at /open311/v2: a client's round trip in JSON and in XML, requests
becoming cases, case status coming back, and errors in the GeoReport shape."""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app
from shared.testing.plugin import app_client
from tests.conftest import issue_key
from tests.gateway.test_hotline import Link, hotline_settings
from tests.gateway.test_proxy import bearer

BASE = "/open311/v2"
SERVICE_CODES = [
    "wage_arrears",
    "illegal_deposit",
    "no_contract",
    "social_insurance",
    "working_hours",
    "other",
]


@pytest.fixture
async def link(gateway_settings: GatewaySettings, db_urls: dict[str, str]) -> AsyncIterator[Link]:
    app = create_app(hotline_settings(gateway_settings), configure_logs=False)
    async with app_client(app) as client:
        hotline = Link(app, client, db_urls["complaints"])
        yield hotline
        await hotline.complaints_db.dispose()


@pytest.fixture
async def app_key(db_urls: dict[str, str]) -> str:
    return await issue_key(db_urls["gateway"], "mobile-app", ["complaints:write", "complaints:read"])


@pytest.fixture
async def admin(db_urls: dict[str, str]) -> dict[str, str]:
    return bearer(await issue_key(db_urls["gateway"], "inspector", ["admin"]))


def request_fields(api_key: str, **overrides: str) -> dict[str, str]:
    fields = {
        "jurisdiction_id": "km-hrss",
        "api_key": api_key,
        "service_code": "wage_arrears",
        "address_string": "昆明市五华区某路1号某某快递站点",
        "lat": "25.0406",
        "long": "102.7123",
        "first_name": "四",
        "last_name": "李",
        "phone": "13800005678",
        "description": "站点拖欠10月工资，3人共3600元。联系电话13800005678。",
        "attribute[employer_name]": "某某快递有限公司",
        "attribute[employer_address]": "昆明市五华区某路1号",
        "attribute[amount]": "3600",
        "attribute[workers]": "3",
    }
    fields.update(overrides)
    return fields


def xml(response: httpx.Response) -> ElementTree.Element:
    assert response.headers["content-type"].startswith("text/xml"), response.text
    return ElementTree.fromstring(response.content)


async def test_discovery_services_and_definitions_in_json_and_xml(link: Link) -> None:
    client = link.client
    discovery = (await client.get(f"{BASE}/discovery.json")).json()
    assert discovery["endpoints"][0]["url"] == "http://testserver/open311/v2"
    assert "text/xml" in discovery["endpoints"][0]["formats"]
    assert xml(await client.get(f"{BASE}/discovery.xml")).findtext("endpoints/endpoint/type") == "production"

    services = (await client.get(f"{BASE}/services.json?jurisdiction_id=km-hrss")).json()
    assert [s["service_code"] for s in services] == SERVICE_CODES
    assert services[0]["service_name"] == "拖欠工资" and services[0]["metadata"] is True
    root = xml(await client.get(f"{BASE}/services.xml"))
    assert [s.findtext("service_code") for s in root.findall("service")] == SERVICE_CODES
    assert root.findtext("service/metadata") == "true"

    definition = (await client.get(f"{BASE}/services/wage_arrears.json")).json()
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["employer_name", "employer_address", "amount", "workers"]
    assert attributes["amount"]["required"] is True and attributes["amount"]["datatype"] == "number"
    assert attributes["employer_name"]["description"] == "用人单位名称"
    other = (await client.get(f"{BASE}/services/no_contract.json")).json()
    assert {a["code"]: a["required"] for a in other["attributes"]}["amount"] is False
    root = xml(await client.get(f"{BASE}/services/wage_arrears.xml"))
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == list(attributes)

    missing = await client.get(f"{BASE}/services/nothing.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    elsewhere = await client.get(f"{BASE}/services.xml?jurisdiction_id=beijing")
    assert elsewhere.status_code == 404 and xml(elsewhere).findtext("error/code") == "404"
    unknown = await client.get(f"{BASE}/nowhere.json")
    assert unknown.status_code == 404 and "description" in unknown.json()[0]


async def test_round_trip_in_json(link: Link, app_key: str, admin: dict[str, str]) -> None:
    client = link.client
    body: dict[str, Any] = request_fields(app_key)
    attributes = {k[10:-1]: body.pop(k) for k in list(body) if k.startswith("attribute[")}
    posted = await client.post(f"{BASE}/requests.json", json={**body, "attribute": attributes})
    assert posted.status_code == 201, posted.text
    [answer] = posted.json()
    assert set(answer) >= {"service_request_id", "service_notice", "account_id"}
    request_id = answer["service_request_id"]

    [one] = (await client.get(f"{BASE}/requests/{request_id}.json?api_key={app_key}")).json()
    assert one["status"] == "open" and one["status_notes"] == "已登记"
    assert one["service_code"] == "wage_arrears" and one["service_name"] == "拖欠工资"
    assert one["lat"] == 25.0406 and one["address"].startswith("昆明市五华区")
    assert "138****5678" in one["description"]  # masked even for the app that filed it
    assert one["service_notice"].startswith("案件编号 ")

    found = (
        await client.get(f"{BASE}/requests.json?api_key={app_key}&service_request_id={request_id}")
    ).json()
    assert [r["service_request_id"] for r in found] == [request_id]
    since = urllib.parse.quote("2026-01-01T00:00:00+08:00")
    searched = await client.get(f"{BASE}/requests.json?api_key={app_key}&status=open&start_date={since}")
    assert [r["service_request_id"] for r in searched.json()] == [request_id]
    assert (await client.get(f"{BASE}/requests.json?api_key={app_key}&status=closed")).json() == []

    case_no = one["service_notice"].removeprefix("案件编号 ")
    cases = (await client.get("/api/v1/complaints?channel=mobile_app", headers=admin)).json()["items"]
    [summary] = [c for c in cases if c["case_no"] == case_no]
    case = (await client.get(f"/api/v1/complaints/{summary['id']}", headers=admin)).json()
    assert case["kind"] == "report" and case["external_ref"] == {"system": "open311", "id": request_id}
    assert case["issues"] == ["wage_arrears"] and case["amount_claimed"] == "3600.00"
    assert case["workers_affected"] == 3 and case["complainant"]["name"] == "李四"


async def test_round_trip_in_xml_with_a_form(link: Link, app_key: str) -> None:
    client = link.client
    form = urllib.parse.urlencode(request_fields(app_key, service_code="illegal_deposit"))
    posted = await client.post(
        f"{BASE}/requests.xml",
        content=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert posted.status_code == 201, posted.text
    root = xml(posted)
    assert root.tag == "service_requests"
    request_id = root.findtext("request/service_request_id")
    token = root.findtext("request/token")
    assert request_id and token and root.findtext("request/service_notice")

    one = xml(await client.get(f"{BASE}/requests/{request_id}.xml?api_key={app_key}"))
    assert one.findtext("request/status") == "open"
    assert one.findtext("request/service_name") == "违法收取押金"
    assert one.findtext("request/agency_responsible", "").startswith("昆明市人力资源和社会保障局")

    searched = xml(await client.get(f"{BASE}/requests.xml?api_key={app_key}&service_code=illegal_deposit"))
    assert [r.findtext("service_request_id") for r in searched.findall("request")] == [request_id]
    by_token = xml(await client.get(f"{BASE}/tokens/{token}.xml"))
    assert by_token.findtext("request/service_request_id") == request_id


async def test_status_follows_the_case_to_closed(link: Link, app_key: str, admin: dict[str, str]) -> None:
    client = link.client
    posted = await client.post(f"{BASE}/requests.json", data=request_fields(app_key))
    request_id = posted.json()[0]["service_request_id"]
    [one] = (await client.get(f"{BASE}/requests/{request_id}.json?api_key={app_key}")).json()
    case_no = one["service_notice"].removeprefix("案件编号 ")
    [case] = [
        c
        for c in (await client.get("/api/v1/complaints", headers=admin)).json()["items"]
        if c["case_no"] == case_no
    ]

    async def act(action: str, **fields: Any) -> None:
        response = await client.post(
            f"/api/v1/complaints/{case['id']}/actions", json={"action": action, **fields}, headers=admin
        )
        assert response.status_code == 200, response.text
        await link.settle()

    await act("accept")
    [one] = (await client.get(f"{BASE}/requests/{request_id}.json?api_key={app_key}")).json()
    assert one["status"] == "open" and one["status_notes"].startswith("已立案：已立案受理")
    await act("start_investigation", inspectors=["张三", "李四"])
    await act("close", disposition="no_violation")
    [one] = (await client.get(f"{BASE}/requests/{request_id}.json?api_key={app_key}")).json()
    assert one["status"] == "closed" and "经调查未发现违法行为" in one["status_notes"]
    closed = (await client.get(f"{BASE}/requests.json?api_key={app_key}&status=closed")).json()
    assert [r["service_request_id"] for r in closed] == [request_id]
    assert (await client.get(f"{BASE}/requests.json?api_key={app_key}&status=open")).json() == []


async def test_errors_keep_the_georeport_shape(link: Link, app_key: str, db_urls: dict[str, str]) -> None:
    client = link.client
    url = f"{BASE}/requests.json"
    no_key = await client.post(url, data={k: v for k, v in request_fields(app_key).items() if k != "api_key"})
    assert no_key.status_code == 401 and no_key.json()[0]["code"] == 401
    bad_key = await client.post(url, data=request_fields("kml_000000000000_nope"))
    assert bad_key.status_code == 401
    reader = await issue_key(db_urls["gateway"], "reader", ["complaints:read"])
    assert (await client.post(url, data=request_fields(reader))).status_code == 403

    no_employer = request_fields(app_key)
    del no_employer["attribute[employer_name]"]
    refused = await client.post(url, data=no_employer)
    assert refused.status_code == 400 and "employer_name" in refused.json()[0]["description"]
    nowhere = {k: v for k, v in request_fields(app_key).items() if k not in ("lat", "long", "address_string")}
    assert (await client.post(url, data=nowhere)).status_code == 400
    bad_amount = await client.post(url, data=request_fields(app_key, **{"attribute[amount]": "三千"}))
    assert bad_amount.status_code == 400
    bad_workers = await client.post(url, data=request_fields(app_key, **{"attribute[workers]": "2.5"}))
    assert bad_workers.status_code == 400
    wrong_type = await client.post(url, content=b"<request/>", headers={"Content-Type": "text/xml"})
    assert wrong_type.status_code == 415 and wrong_type.json()[0]["code"] == 415
    bad_code = await client.post(url, data=request_fields(app_key, service_code="potholes"))
    assert bad_code.status_code == 404
    bad_date = await client.get(f"{url}?api_key={app_key}&start_date=yesterday")
    assert bad_date.status_code == 400

    # Idempotency-Key: a retry gets the first answer, not a second request.
    headers = {"Idempotency-Key": "app-retry-1"}
    first = await client.post(url, data=request_fields(app_key), headers=headers)
    again = await client.post(url, data=request_fields(app_key), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]

    # Another app does not see this app's requests.
    other = await issue_key(db_urls["gateway"], "other-app", ["complaints:read"])
    request_id = first.json()[0]["service_request_id"]
    assert (await client.get(f"{BASE}/requests/{request_id}.json?api_key={other}")).status_code == 404
    assert (await client.get(f"{url}?api_key={other}")).json() == []
