"""Logs never carry personal data; health and metrics answer on every process."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client import generate_latest

from shared.identifiers import make_id_number
from shared.logging import JsonFormatter
from shared.observability import RequestMetrics, request_count
from shared.testing.plugin import identity_headers


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything logged during the test, through the production formatter."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter("test"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_formatter_masks_id_numbers_and_phones_in_message_args_and_extras() -> None:
    id_number = make_id_number("53010219900101123")
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "caller %s phone %s", (id_number, "13800005678"), None
    )
    record.reporter = f"李四 {id_number}"
    line = JsonFormatter("test").format(record)
    assert id_number not in line
    assert "13800005678" not in line
    assert "138****5678" in line
    entry = json.loads(line)
    assert entry["service"] == "test"
    assert entry["level"] == "info"


async def test_access_log_of_a_real_request_is_masked_json(
    credit_client: httpx.AsyncClient, log_lines: io.StringIO
) -> None:
    id_number = make_id_number("53010219900101123")
    await credit_client.get(
        f"/api/v1/credit/subjects/{id_number}",
        headers={**identity_headers("credit:check"), "X-Request-ID": "trace-42"},
    )
    output = log_lines.getvalue()
    assert id_number not in output
    access = [json.loads(line) for line in output.splitlines() if '"logger":"access"' in line]
    assert access, output
    assert access[-1]["request_id"] == "trace-42"
    assert access[-1]["status"] == 422


async def test_healthz_readyz_metrics_on_a_service(complaints_client: httpx.AsyncClient) -> None:
    assert (await complaints_client.get("/healthz")).json() == {"status": "ok", "service": "complaints"}
    ready = await complaints_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}
    await complaints_client.get("/api/v1/complaints", headers=identity_headers("cases:manage"))
    metrics = await complaints_client.get("/metrics")
    assert metrics.status_code == 200
    assert (
        'http_requests_total{method="GET",route="/api/v1/complaints",service="complaints",status="200"}'
        in (metrics.text)
    )


async def test_unsafe_request_id_is_replaced(complaints_client: httpx.AsyncClient) -> None:
    response = await complaints_client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert response.headers["x-request-id"] != "bad id\nwith newline"
    assert len(response.headers["x-request-id"]) == 32


async def test_a_server_process_collects_young_objects_less_often(
    monkeypatch: pytest.MonkeyPatch, db_urls: dict[str, str]
) -> None:
    # shared.serve sets KM_GC_YOUNG_THRESHOLD for its workers; the lifespan applies it and
    # gives CPython's thresholds back when the app stops.
    import gc

    from credit.config import CreditSettings
    from credit.main import create_app
    from shared.app import GC_YOUNG_ENV
    from shared.testing.plugin import app_client

    before = gc.get_threshold()
    monkeypatch.setenv(GC_YOUNG_ENV, "12345")
    app = create_app(CreditSettings(database_url=db_urls["credit"]), configure_logs=False)
    async with app_client(app) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert gc.get_threshold() == (12345, *before[1:])
    assert gc.get_threshold() == before


def test_request_metrics_are_exposed_as_prometheus_counts_and_histograms() -> None:
    metrics = RequestMetrics("metrics-test")
    for elapsed in (0.0004, 0.001, 0.003, 0.2, 30.0):
        metrics.observe("GET", "/probe/{id}", 200, elapsed)
    metrics.observe("GET", "/probe/{id}", 404, 0.002)
    # Another process-part (a second app, the gateway's fast path) counting the same labels.
    RequestMetrics("metrics-test").observe("GET", "/probe/{id}", 200, 0.05)
    assert request_count("metrics-test", "GET", "/probe/{id}", 200) == 6
    lines = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in generate_latest().decode().splitlines()
        if 'service="metrics-test"' in line
    }
    labels = 'method="GET",route="/probe/{id}",service="metrics-test"'
    assert lines[f'http_requests_total{{{labels},status="200"}}'] == 6
    assert lines[f'http_requests_total{{{labels},status="404"}}'] == 1
    bucket = "http_request_duration_seconds_bucket"
    # Cumulative: a bound counts every request at or under it.
    assert lines[f'{bucket}{{le="0.001",{labels}}}'] == 2
    assert lines[f'{bucket}{{le="0.005",{labels}}}'] == 4
    assert lines[f'{bucket}{{le="0.05",{labels}}}'] == 5
    assert lines[f'{bucket}{{le="0.25",{labels}}}'] == 6
    assert lines[f'{bucket}{{le="10.0",{labels}}}'] == 6
    assert lines[f'{bucket}{{le="+Inf",{labels}}}'] == 7
    assert lines[f"http_request_duration_seconds_count{{{labels}}}"] == 7
    assert lines[f"http_request_duration_seconds_sum{{{labels}}}"] == pytest.approx(30.2564)
