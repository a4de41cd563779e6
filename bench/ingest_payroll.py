"""How fast `POST /api/v1/wages/payrolls` takes a big JSON ledger, against a bare COPY.

Usage: PYTHONPATH=.:services/wages python bench/ingest_payroll.py [--lines N] [--hooks]
(N defaults to 1,000,000; needs the local PostgreSQL.)

Builds a scratch database with the real migrations, registers an employer and POSTs one JSON
ledger of N lines through the in-process wages app (httpx over ASGI: the whole request path,
identity check, body read, JSON decode, whole-ledger validation, COPY, commit; the network is
not measured). Then, in the same run, COPYs the same rows with asyncpg's
``copy_records_to_table`` (on the driver connection under SQLAlchemy, as the service does) into
a scratch table shaped like ``payroll_lines`` (same columns and index, no foreign key), and
prints lines/s for both and their ratio. The after-ledger hooks (the early-warning evaluation)
are removed unless ``--hooks`` is given, so the figure is ingestion alone. Drops the database.

``make bench`` (bench/run.py) uses the other mode, ``--service-url URL --database-url URL``:
the wages service runs as a real process with its hooks (validated, stored and evaluated),
curl POSTs the ledger to it (so the client is not the process measured), then the same rows
are COPYed as above into the same database; prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared import migrations
from shared.auth import IDENTITY_HEADER, Identity, issue_identity_token
from shared.identifiers import make_id_number, make_uscc
from shared.testing.plugin import _admin_execute, identity_headers, postgres_database_url
from shared.timeutil import china_today
from wages.config import WagesSettings
from wages.employer.period import first_day
from wages.ledger.validation import LineChecker, check_json_lines
from wages.main import create_app

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
USCC = make_uscc("91530102MA7L9999B")
EMPLOYER = {
    "uscc": USCC,
    "name": "压测用单位",
    "district_code": "530102",
    "industry_code": "6020",
    "pay_day": 10,
}


def build_lines(n: int) -> list[dict[str, Any]]:
    """N distinct workers with valid 身份证号 (a new birth date every 900 sequence numbers)."""
    start = date(1960, 1, 1)
    lines = []
    for i in range(n):
        born = start + timedelta(days=i // 900)
        payable = 3000 + i % 5000
        lines.append(
            {
                "id_number": make_id_number(f"530102{born:%Y%m%d}{i % 900 + 100:03d}"),
                "name": f"工人{i}",
                "payable": f"{payable}.50",
                "paid": f"{payable}.50",
                "paid_on": "2026-11-10",
                "hours": "176.5" if i % 2 else 168,
            }
        )
    return lines


def as_records(lines: list[dict[str, Any]], ledger_id: str) -> list[tuple[Any, ...]]:
    """The tuples the service COPYs, built outside the timed section."""
    return [
        (
            ledger_id,
            i + 1,
            row["id_number"],
            row["name"],
            Decimal(row["payable"]),
            Decimal(row["paid"]),
            date.fromisoformat(row["paid_on"]),
            Decimal(str(row["hours"])),
        )
        for i, row in enumerate(lines)
    ]


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} lines/s ({seconds:.2f} s)"


async def post_ledger(url: str, body: bytes, n: int, *, hooks: bool) -> float:
    settings = WagesSettings(database_url=url, environment="test", background_tasks=False)
    app = create_app(settings, configure_logs=False)
    headers = identity_headers("wages:write", "wages:read", client_id="bench", client_name="压测")
    async with app.router.lifespan_context(app):
        if not hooks:
            app.state.after_ledger_hooks.clear()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=None) as client:
            response = await client.post("/api/v1/wages/employers", json=EMPLOYER, headers=headers)
            assert response.status_code == 201, response.text
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/wages/payrolls",
                content=body,
                headers={**headers, "Content-Type": "application/json"},
            )
            elapsed = time.perf_counter() - started
            assert response.status_code == 201, response.text[:2000]
            assert response.json()["line_count"] == n
    return elapsed


async def copy_raw(url: str, records: list[tuple[Any, ...]]) -> float:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            conn = raw.driver_connection  # the asyncpg connection, as the service uses it
            assert conn is not None
            # The same columns, indexes and foreign key as payroll_lines, so the COPY does the
            # same work per row; the rows belong to the ledger the service stored.
            await conn.execute(
                "CREATE TABLE bench_payroll_lines (LIKE payroll_lines INCLUDING DEFAULTS INCLUDING INDEXES)"
            )
            await conn.execute(
                "ALTER TABLE bench_payroll_lines ADD FOREIGN KEY (ledger_id) REFERENCES payroll_ledgers (id)"
            )
            latest = "SELECT id FROM payroll_ledgers ORDER BY submitted_at DESC LIMIT 1"
            ledger_id = await conn.fetchval(latest)
            records = [(ledger_id, *record[1:]) for record in records]
            columns = ["ledger_id", "line_no", "id_number", "name", "payable", "paid", "paid_on", "hours"]
            started = time.perf_counter()
            async with conn.transaction():
                await conn.copy_records_to_table("bench_payroll_lines", records=records, columns=columns)
            elapsed: float = time.perf_counter() - started
            stored = await conn.fetchval("SELECT count(*) FROM payroll_lines")
            copied = await conn.fetchval("SELECT count(*) FROM bench_payroll_lines")
            assert stored == copied == len(records), (stored, copied)
            return elapsed
    finally:
        await engine.dispose()


async def main(n: int, hooks: bool) -> None:
    name = f"km_bench_wages_{uuid.uuid4().hex[:8]}"
    await _admin_execute([f'CREATE DATABASE "{name}"'])
    url = postgres_database_url(name)
    try:
        await asyncio.to_thread(migrations.upgrade, ROOT / "services" / "wages", url)
        # Only the encoded body stays alive: a million live dicts in the process would slow every
        # garbage-collector pass and charge the service for the bench's own memory.
        body = orjson.dumps({"uscc": USCC, "period": PERIOD, "lines": build_lines(n)})
        print(f"{n:,} lines, JSON body {len(body) / 1e6:.1f} MB")

        # The service's own stages, outside the app, for the breakdown.
        started = time.perf_counter()
        decoded = orjson.loads(body)
        decode = time.perf_counter() - started
        checker = LineChecker(
            "x", period_start=first_day(2026, 10), today=china_today(), loc_format="lines[{}]"
        )
        started = time.perf_counter()
        checked = check_json_lines(decoded["lines"], checker)
        validate = time.perf_counter() - started
        assert not checked.errors and checked.line_count == n
        del decoded, checked

        post = await post_ledger(url, body, n, hooks=hooks)
        records = as_records(orjson.loads(body)["lines"], str(uuid.uuid4()))
        copy = await copy_raw(url, records)

        print(f"  JSON decode alone:      {rate(n, decode)}")
        print(f"  line validation alone:  {rate(n, validate)}")
        print(f"  POST /payrolls (whole): {rate(n, post)}{'  [with after-ledger hooks]' if hooks else ''}")
        print(f"  raw COPY of same rows:  {rate(n, copy)}")
        print(f"  POST takes {post / copy:.1f}x the time of the bare COPY")
    finally:
        await _admin_execute([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


def post_with_curl(service_url: str, path: str, headers: dict[str, str], timeout: float) -> dict[str, Any]:
    """POST the file at ``path`` with curl; its own clock (request sent to response read)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = ["curl", "-sS", "-o", out.name, "-w", "%{http_code} %{time_total}", "--max-time", str(timeout)]
        for name, value in {**headers, "Content-Type": "application/json", "Expect": ""}.items():
            argv += ["-H", f"{name}: {value}"]
        argv += ["--data-binary", f"@{path}", service_url.rstrip("/") + "/api/v1/wages/payrolls"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 30)
        if done.returncode != 0:
            raise RuntimeError(f"curl failed ({done.returncode}): {done.stderr}")
        status, seconds = done.stdout.split()
        answer = Path(out.name).read_bytes()
    if status != "201":
        raise RuntimeError(f"POST /api/v1/wages/payrolls answered {status}: {answer[:2000]!r}")
    return {"seconds": float(seconds), "answer": orjson.loads(answer)}


async def through_service(database_url: str, service_url: str, n: int, secret: str) -> dict[str, Any]:
    """The ledger through the running service (hooks included), then the bare COPY."""
    identity = Identity("bench-payroll", "压测", frozenset({"wages:write", "wages:read"}))
    headers = {IDENTITY_HEADER: issue_identity_token(identity, secret, 3600)}
    body = orjson.dumps({"uscc": USCC, "period": PERIOD, "lines": build_lines(n)})
    with tempfile.TemporaryDirectory(prefix="km-bench-payroll-") as workdir:
        path = Path(workdir) / "ledger.json"
        path.write_bytes(body)
        async with httpx.AsyncClient(base_url=service_url, timeout=30) as client:
            response = await client.post("/api/v1/wages/employers", json=EMPLOYER, headers=headers)
            if response.status_code != 201:
                raise RuntimeError(f"employer registration answered {response.status_code}: {response.text}")
        posted = await asyncio.to_thread(post_with_curl, service_url, str(path), headers, 900.0)
    if posted["answer"].get("line_count") != n:
        raise RuntimeError(f"the service stored {posted['answer'].get('line_count')} lines, not {n}")
    body_mb = len(body) / 1e6
    records = as_records(orjson.loads(body)["lines"], str(uuid.uuid4()))
    del body
    copy = await copy_raw(database_url, records)
    return {
        "lines": n,
        "body_mb": round(body_mb, 1),
        "service_seconds": posted["seconds"],
        "copy_seconds": copy,
        "service_lines_per_second": n / posted["seconds"],
        "copy_lines_per_second": n / copy,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="ledger lines (default 1,000,000)")
    parser.add_argument("--hooks", action="store_true", help="keep the after-ledger hooks (alert evaluation)")
    parser.add_argument("--service-url", help="POST to this running wages service instead (bench/run.py)")
    parser.add_argument("--database-url", help="that service's database, for the bare COPY")
    args = parser.parse_args()
    if args.service_url:
        if not args.database_url:
            parser.error("--service-url needs --database-url")
        secret = os.environ["INTERNAL_TOKEN_SECRET"]
        print(
            json.dumps(asyncio.run(through_service(args.database_url, args.service_url, args.lines, secret)))
        )
    else:
        asyncio.run(main(args.lines, args.hooks))
