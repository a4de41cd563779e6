"""The yearly report end to end: a year of the bureau's work entered through the public API at
the gateway (inspections, complaints and reports from every kind of channel, payments per
worker, penalties, 12345 inquiries, payroll ledgers and warnings, blacklist decisions and
publications), then every figure of GET /api/v1/reports/annual compared with figures this test
computes itself from what it entered; and the same report as Markdown, XLSX and an HTML page
that headless Chromium renders."""

from __future__ import annotations

import asyncio
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway_app
from gateway.reports.numbers import wan
from shared.testing.plugin import app_client, free_port
from tests.conftest import issue_key
from tests.test_report_support import (
    COURIER,
    TOTAL_WORKERS_COVERED,
    YEAR,
    bearer,
    in_year,
    money,
)
from tests.test_report_support_expected import expected_figures, strip
from tests.test_report_support_year import build_year

REPORT = "/api/v1/reports/annual"
CHROMIUM = Path("/usr/bin/chromium")
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@pytest.fixture
async def reports_key(db_urls: dict[str, str]) -> dict[str, str]:
    return bearer(await issue_key(db_urls["gateway"], "statistics", ["reports:read"]))


async def _pages(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    url: str | None = f"{path}&limit=2"
    while url is not None:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        url = f"{path}&limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else None
    return items


async def test_every_figure_of_the_year_matches_what_was_entered(
    gateway_client: httpx.AsyncClient, db_urls: dict[str, str], reports_key: dict[str, str]
) -> None:
    world = await build_year(gateway_client, db_urls["gateway"])
    response = await gateway_client.get(f"{REPORT}?year={YEAR}", headers=reports_key)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    report = response.json()
    assert report["period"] == {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "year": YEAR}
    assert report["courier_industry_code"] == COURIER and report["district_code"] is None
    expected = expected_figures(world)
    assert list(report["figures"]) == list(expected)
    for name, figure in expected.items():
        assert strip(report["figures"][name]) == figure, name
        assert report["figures"][name]["label"]
    # The data was built so that these come out as in the bureau's own figures.
    assert report["figures"]["workers_covered"]["workers"] == TOTAL_WORKERS_COVERED
    assert report["figures"]["deposits_refunded"]["amount"] == "122500.00"

    months = {(m["month"], m["channel"]): m["cases"] for m in report["charts"]["cases_by_month_channel"]}
    assert months[(f"{YEAR}-03", "phone")] == 1 and months[(f"{YEAR}-07", "hotline_12345")] == 1
    wages_by_month = {
        m["month"]: m["amount"] for m in report["charts"]["payments_by_month"] if m["kind"] == "wages"
    }
    assert wages_by_month[f"{YEAR}-04"] == "8400.00" and f"{YEAR - 1}-12" not in wages_by_month
    industries = {line["industry_code"]: line for line in report["charts"]["by_industry"]}
    courier_inspections = sum(1 for i in world.inspections if in_year(i.on) and i.employer.courier)
    courier_wages = [
        p for p in world.payments if p.kind == "wages" and in_year(p.paid_on) and p.case.employer.courier
    ]
    assert industries[COURIER]["inspections"] == courier_inspections
    assert industries[COURIER]["wages_recovered"] == money(p.amount for p in courier_wages)

    # explain=true: how each figure is counted, and its records add up to it.
    explained = (await gateway_client.get(f"{REPORT}?year={YEAR}&explain=true", headers=reports_key)).json()
    for name, figure in explained["figures"].items():
        assert strip(figure) == expected[name], name
        assert figure["explain"]["counted_as"] and figure["explain"]["records"].startswith("/api/v1/")
    figures = explained["figures"]
    payments = await _pages(gateway_client, figures["wages_recovered"]["explain"]["records"], reports_key)
    assert money(Decimal(p["amount"]) for p in payments) == expected["wages_recovered"]["amount"]
    assert len({p["worker_id_number"] for p in payments}) == expected["wages_recovered"]["workers"]
    courier_payments = await _pages(
        gateway_client, figures["wages_recovered"]["explain"]["courier_records"], reports_key
    )
    assert (
        money(Decimal(p["amount"]) for p in courier_payments)
        == expected["wages_recovered"]["courier"]["amount"]
    )
    employers = await _pages(
        gateway_client, figures["employers_inspected"]["explain"]["records"], reports_key
    )
    assert len(employers) == expected["employers_inspected"]["employers"]
    covered = await _pages(gateway_client, figures["workers_covered"]["explain"]["records"], reports_key)
    assert sum(r["workers"] for r in covered) == TOTAL_WORKERS_COVERED
    inquiries = await _pages(
        gateway_client, figures["hotline_calls"]["explain"]["inquiry_records"], reports_key
    )
    assert [i["category"] for i in inquiries] == ["consultation"] and "caller" not in inquiries[0]
    blacklist = await _pages(gateway_client, figures["blacklist"]["explain"]["records"], reports_key)
    assert len(blacklist) == 3  # decided this year (2), or decided last year and published this year (1)
    for name in ("monitored_employers", "payroll", "alerts", "major_violation_disclosures", "penalties"):
        records = await _pages(gateway_client, figures[name]["explain"]["records"], reports_key)
        assert isinstance(records, list), name


async def test_the_report_as_markdown_xlsx_and_an_html_page_chromium_renders(
    gateway_client: httpx.AsyncClient,
    db_urls: dict[str, str],
    reports_key: dict[str, str],
    chromium: Path,
    tmp_path: Path,
) -> None:
    world = await build_year(gateway_client, db_urls["gateway"])
    expected = expected_figures(world)

    markdown = await gateway_client.get(f"{REPORT}?year={YEAR}&format=markdown", headers=reports_key)
    assert markdown.status_code == 200, markdown.text
    assert markdown.headers["content-type"].startswith("text/markdown")
    text = markdown.text
    assert text.startswith(f"# {YEAR}年劳动保障监察工作基本情况") and "## 一、基本情况" in text
    inspected = expected["employers_inspected"]["employers"]
    assert f"共对{inspected}户用人单位" in text  # a small count stays plain
    assert "涉及劳动者100.64万人（次）" in text  # 1,006,400 in 万
    assert "风险抵押金12.25万元" in text  # 122,500.00 yuan in 万
    wages = expected["wages_recovered"]
    assert f"追发{wages['workers']}名劳动者工资{wan(Decimal(wages['amount']), '元')}" in text
    assert f"其中快递员{wages['courier']['workers']}名" in text
    assert f"共处罚金{wan(Decimal(expected['penalties']['fines']), '元')}" in text

    xlsx = await gateway_client.get(f"{REPORT}?year={YEAR}&format=xlsx", headers=reports_key)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="annual-report-{YEAR}.xlsx"' in xlsx.headers["content-disposition"]
    workbook = load_workbook(BytesIO(xlsx.content))
    assert workbook.sheetnames == [
        "统计数字",
        "投诉举报与案件",
        "12345热线",
        "工资支付监控",
        "劳动保障信用",
        "按月统计",
    ]
    values = {row[0]: row[2] for row in workbook["统计数字"].iter_rows(min_row=4, values_only=True)}
    assert values["涉及劳动者"] == TOTAL_WORKERS_COVERED
    assert values["追发工资金额"] == pytest.approx(float(wages["amount"]))
    assert workbook["按月统计"].max_row == 13  # a header and twelve months
    with zipfile.ZipFile(BytesIO(xlsx.content)) as archive:
        assert any(name.startswith("xl/charts/chart") for name in archive.namelist())
    assert len(workbook["按月统计"]._charts) == 2

    page = await gateway_client.get(f"{REPORT}?year={YEAR}&format=html", headers=reports_key)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.count("<svg") == 3 and html.count('class="bar"') >= 12
    assert "各月受理案件" in html and "各月追发工资" in html and "按行业" in html
    # Self-contained: nothing to fetch.
    assert "<script" not in html and "<link" not in html and "src=" not in html
    report_file = tmp_path / "report.html"
    report_file.write_text(html, encoding="utf-8")
    screenshot = tmp_path / "report.png"
    await asyncio.to_thread(
        subprocess.run,
        [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            f"--screenshot={screenshot}",
            "--window-size=1200,2000",
            f"file://{report_file}",
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    print(f"report screenshot: {screenshot}")
    width, height, inked = png_summary(screenshot.read_bytes())
    assert (width, height) == (1200, 2000)
    assert inked > 0.005 * width * height, "the page rendered blank"


async def test_reports_need_the_scope_and_one_way_of_giving_the_period(
    gateway_client: httpx.AsyncClient, db_urls: dict[str, str], reports_key: dict[str, str]
) -> None:
    assert (await gateway_client.get(REPORT)).status_code == 401
    other = bearer(await issue_key(db_urls["gateway"], "mobile", ["complaints:write"]))
    refused = await gateway_client.get(REPORT, headers=other)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )
    both = await gateway_client.get(f"{REPORT}?year={YEAR}&from={YEAR}-01-01", headers=reports_key)
    assert both.status_code == 422 and both.json()["errors"][0]["loc"] == "query.year"
    bad_format = await gateway_client.get(f"{REPORT}?format=pdf", headers=reports_key)
    assert bad_format.status_code == 422 and bad_format.json()["errors"][0]["loc"] == "query.format"
    # An empty first half-year: every figure is zero, the period is the one asked for.
    half = await gateway_client.get(f"{REPORT}?from={YEAR}-01-01&to={YEAR}-06-30", headers=reports_key)
    assert half.status_code == 200, half.text
    body = half.json()
    assert body["period"] == {"from": f"{YEAR}-01-01", "to": f"{YEAR}-06-30", "year": None}
    assert body["figures"]["wages_recovered"]["amount"] == "0.00"
    assert body["title"] == f"{YEAR}年1月1日至{YEAR}年6月30日劳动保障监察工作基本情况"
    district = bearer(await issue_key(db_urls["gateway"], "wuhua", ["reports:read"], districts=("530102",)))
    own = await gateway_client.get(REPORT, headers=district)
    assert own.status_code == 200 and own.json()["district_code"] == "530102"
    beyond = await gateway_client.get(f"{REPORT}?district_code=530111", headers=district)
    assert beyond.status_code == 403 and beyond.json()["code"] == "district_not_allowed"


async def test_a_service_that_is_down_is_a_problem_not_a_report_of_zeros(
    gateway_settings: GatewaySettings, db_urls: dict[str, str]
) -> None:
    settings = gateway_settings.model_copy(
        update={"wages_url": f"http://127.0.0.1:{free_port()}", "circuit_failure_threshold": 1}
    )
    key = bearer(await issue_key(db_urls["gateway"], "statistics", ["reports:read"]))
    async with app_client(create_gateway_app(settings, configure_logs=False)) as client:
        down = await client.get(REPORT, headers=key)
        assert down.status_code == 502, down.text
        assert down.headers["content-type"].startswith("application/problem+json")
        assert down.json()["code"] == "upstream_unreachable"
        still = await client.get(REPORT, headers=key)
        assert still.status_code == 503 and still.json()["code"] == "upstream_unavailable"
        assert int(still.headers["Retry-After"]) >= 1


def test_numbers_are_written_in_wan_where_a_person_would() -> None:
    assert wan(70900) == "7.09万"
    assert wan(Decimal("23468900.00"), "元") == "2346.89万元"
    assert wan(6) == "6"
    assert wan(1006400) == "100.64万"
    assert wan(Decimal("315000.00"), "元") == "31.5万元"
    assert wan(Decimal("122500.00"), "元") == "12.25万元"
    assert wan(10000) == "1万" and wan(9999) == "9999"
    assert wan(10370) == "1.04万"  # two places, rounded half up
    assert wan(Decimal("4200.50"), "元") == "4200.5元" and wan(Decimal("0.00"), "元") == "0元"


# --- headless Chromium ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium and a Chinese font (the page is in Chinese), installed with apt when
    the machine does not have them yet."""
    if not CHROMIUM.exists() or not CJK_FONT.exists():
        if shutil.which("apt-get") is None:
            pytest.fail("Chromium or the CJK font is missing and apt-get is not available to install them")
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        subprocess.run(["apt-get", "update"], check=True, capture_output=True, timeout=900)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "fonts-wqy-zenhei"],
            check=True,
            capture_output=True,
            timeout=1800,
            env=env,
        )
    assert CHROMIUM.exists()
    return CHROMIUM


def _chunks(png: bytes) -> Iterator[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset = 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        yield kind, png[offset + 8 : offset + 8 + length]
        offset += 12 + length


def png_summary(png: bytes) -> tuple[int, int, int]:
    """Width, height, and how many bytes of the decoded scanlines carry neither 0 nor 255.

    A blank (white) page filters to scanlines of 0 and 255 only, whichever PNG filter the encoder
    chose per line; text, anti-aliased edges and coloured bars leave other values. Counting them
    needs no pixel-by-pixel unfiltering, so it stays fast on 1200 x 2000 pixels."""
    header = b""
    data = bytearray()
    for kind, chunk in _chunks(png):
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            data += chunk
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0 and colour in (2, 6), (depth, colour, interlace)
    stride = width * (3 if colour == 2 else 4)
    raw = zlib.decompress(bytes(data))
    assert len(raw) == height * (stride + 1)
    # Drop the filter-type byte that starts each scanline.
    pixels = b"".join(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)] for y in range(height))
    return width, height, len(pixels) - pixels.count(0) - pixels.count(255)
