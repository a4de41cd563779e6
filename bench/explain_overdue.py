"""Shows how PostgreSQL answers `GET /api/v1/complaints?overdue=true` over N cases.

Usage: PYTHONPATH=.:services/complaints python bench/explain_overdue.py [N]
(N defaults to 100000; needs the local PostgreSQL.)
Builds a scratch database with the real migrations, fills it with one SQL statement, runs
EXPLAIN ANALYZE on the exact query the service issues, prints the plan, drops the database.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from complaints.case.models import Case
from shared import migrations
from shared.testing.plugin import _admin_execute, postgres_database_url
from shared.timeutil import china_today

ROOT = Path(__file__).resolve().parent.parent

FILL = """
INSERT INTO cases (id, case_no, kind, channel, status, received_at, received_on, anonymous,
  employer_case_count, issues, description, acceptance_checks, emergency, extended,
  calendar_provisional, escalation_count, filed_by_client, created_at, updated_at,
  accept_by, next_deadline, next_deadline_kind, district_code)
SELECT md5(i::text), '2026-' || lpad(i::text, 7, '0'), 'complaint', 'mobile_app',
  CASE WHEN i % 10 = 0 THEN 'received' WHEN i % 10 < 5 THEN 'investigating' ELSE 'closed' END,
  now() - (i || ' minutes')::interval, current_date, false, 1, '["wage_arrears"]', '', '{}',
  false, false, false, 0, 'bench', now(), now(),
  current_date - (i % 400 - 200), CASE WHEN i % 10 < 5 THEN current_date - (i % 400 - 200) END,
  'accept', '530102'
FROM generate_series(1, :n) AS i
"""


async def main(n: int) -> None:
    name = f"km_explain_{uuid.uuid4().hex[:8]}"
    await _admin_execute([f'CREATE DATABASE "{name}"'])
    url = postgres_database_url(name)
    try:
        await asyncio.to_thread(migrations.upgrade, ROOT / "services" / "complaints", url)
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text(FILL), {"n": n})
            await conn.execute(text("ANALYZE cases"))
        # The statement list_cases builds for ?overdue=true (first page of 50 + 1).
        query = (
            select(Case)
            .where(Case.next_deadline < china_today())
            .order_by(Case.received_at.desc(), Case.id.desc())
            .limit(51)
        )
        sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        async with engine.connect() as conn:
            plan = (await conn.execute(text("EXPLAIN ANALYZE " + sql))).scalars().all()
            overdue = (
                await conn.execute(text("SELECT count(*) FROM cases WHERE next_deadline < current_date"))
            ).scalar()
        await engine.dispose()
        print(f"{n} cases, {overdue} overdue\n" + "\n".join(plan))
    finally:
        await _admin_execute([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
