"""One pass of the deadline scan over a seeded complaints database, in its own process.

``--mode orm``: ``complaints.case.scan.escalate_overdue(session, today)``, the service's own
code, in one transaction, committed.
``--mode sql``: the hand-written equivalent: one ``UPDATE ... RETURNING`` claiming the same
cases, feeding two ``INSERT ... SELECT`` (the timeline entry and the outbox event, with the
same columns and payload), committed.

Prints one JSON line: seconds (begin to commit, connection already open), cases escalated,
and the rows the pass left in ``case_events`` and ``outbox_events``.

Usage: python bench/overdue_scan.py --url postgresql+asyncpg://... --mode orm|sql
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from complaints.case.scan import SYSTEM_ACTOR, escalate_overdue
from shared.timeutil import china_today

ESCALATE = """
WITH claimed AS (
    UPDATE cases
       SET escalated_deadline = next_deadline, escalation_count = escalation_count + 1
     WHERE next_deadline < $1
       AND (escalated_deadline IS NULL OR escalated_deadline <> next_deadline)
    RETURNING id, case_no, kind, channel, status, external_system, external_id, employer_name,
              employer_uscc, district_code, industry_code, next_deadline, next_deadline_kind,
              escalation_count
), facts AS (
    SELECT claimed.*,
           json_build_object('deadline', next_deadline_kind, 'due', next_deadline,
                             'days_overdue', $1 - next_deadline, 'escalation', escalation_count) AS data
      FROM claimed
), timeline AS (
    INSERT INTO case_events (case_id, action, from_status, to_status, actor_id, actor_name, at, reason, data)
    SELECT id, 'escalate', status, status, $2, $3, now(), '超过法定办理时限，已督办', data FROM facts
)
INSERT INTO outbox_events (id, event_type, aggregate_id, payload, created_at, available_at, attempts)
SELECT gen_random_uuid()::text, 'case.escalated', id,
       (jsonb_build_object(
           'case_id', id, 'case_no', case_no, 'kind', kind, 'channel', channel, 'status', status,
           'external_ref', CASE WHEN external_system IS NOT NULL
                                THEN jsonb_build_object('system', external_system, 'id', external_id) END,
           'employer', jsonb_build_object('name', employer_name, 'uscc', employer_uscc,
                                          'district_code', district_code, 'industry_code', industry_code)
        ) || data::jsonb)::json,
       now(), now(), 0
  FROM facts
RETURNING aggregate_id
"""


async def counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {
        "events": int(await conn.fetchval("SELECT count(*) FROM case_events WHERE action = 'escalate'")),
        "outbox": int(await conn.fetchval("SELECT count(*) FROM outbox_events")),
    }


async def run_orm(url: str, today: date) -> dict[str, Any]:
    engine = create_async_engine(url, pool_size=1)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with engine.connect() as conn:  # open the pooled connection before the clock
            await conn.execute(text("SELECT 1"))
        started = time.perf_counter()
        async with sessionmaker() as session, session.begin():
            ids = await escalate_overdue(session, today)
        elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {"seconds": elapsed, "escalated": len(ids)}


async def run_sql(dsn: str, today: date) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        async with conn.transaction():
            ids = await conn.fetch(ESCALATE, today, *SYSTEM_ACTOR)
        elapsed = time.perf_counter() - started
    finally:
        await conn.close()
    return {"seconds": elapsed, "escalated": len(ids)}


async def main(url: str, mode: str) -> dict[str, Any]:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    today = china_today()
    result = await (run_orm(url, today) if mode == "orm" else run_sql(dsn, today))
    conn = await asyncpg.connect(dsn)
    try:
        result.update(await counts(conn))
    finally:
        await conn.close()
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=["orm", "sql"], required=True)
    args = parser.parse_args()
    try:
        print(json.dumps(asyncio.run(main(args.url, args.mode))))
    except Exception as exc:  # the failure is a finding: report it as data, not a traceback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(json.dumps({"error": f"{type(exc).__name__}: {first}"[:500]}))
        sys.exit(2)
