"""The baseline of the credit-check batch benchmark: the same lookup as one raw asyncpg query.

For each batch of USCCs (the very bodies wrk POSTs to the service), one statement answers
which are known and which blacklist listings restrict them for the purpose on the day, with
the decision number: what the service's three reads and its Python filter produce, without
validation, the quota, the audit row or JSON. ``--connections`` loops run for ``--seconds`` in
this process (not the one being measured); prints one JSON line.

Usage: python bench/raw_check.py --dsn postgresql://... --bodies FILE [--connections 4] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import date
from typing import Any

import asyncpg
import orjson

from credit.listing.workflow import BLACKLIST
from credit.listing.workflow import DECIDED as DECIDED_STATES
from shared.timeutil import china_today

# Statuses a decision has reached (credit.listing.repository.in_force() reads these).
DECIDED = sorted(DECIDED_STATES)

LOOKUP = """
SELECT q.uscc, s.id AS subject_id, l.id AS listing_id, l.list_type, l.role, d.decision_no,
       l.listed_on, l.expires_on, l.restrictions
FROM unnest($1::text[]) WITH ORDINALITY AS q(uscc, ord)
LEFT JOIN subjects s ON s.uscc = q.uscc
LEFT JOIN listings l
       ON l.subject_id = s.id
      AND l.list_type = $5
      AND l.status = ANY($3::text[])
      AND l.listed_on <= $2
      AND (l.ended_on IS NULL OR l.ended_on > $2)
      AND (l.expires_on IS NULL OR l.expires_on > $2)
      AND l.restrictions::jsonb ? $4
LEFT JOIN listing_decisions d ON d.id = l.decision_id
ORDER BY q.ord, l.listed_on, l.id
"""


def batches(path: str) -> tuple[list[list[str]], str]:
    out: list[list[str]] = []
    purpose = ""
    with open(path, "rb") as lines:
        for line in lines:
            if line.strip():
                body = orjson.loads(line)
                out.append([item["uscc"] for item in body["subjects"]])
                purpose = body["purpose"]
    return out, purpose


async def run(
    dsn: str, work: list[list[str]], purpose: str, connections: int, seconds: float
) -> dict[str, Any]:
    as_of: date = china_today()
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    counts = {"requests": 0, "subjects": 0, "restricted": 0, "known": 0}

    async def loop(start: int, until: float, record: bool) -> None:
        index = start
        async with pool.acquire() as conn:
            while time.perf_counter() < until:
                usccs = work[index % len(work)]
                index += 1
                rows = await conn.fetch(LOOKUP, usccs, as_of, DECIDED, purpose, BLACKLIST)
                if record:
                    counts["requests"] += 1
                    counts["subjects"] += len(usccs)
                    counts["known"] += sum(1 for r in rows if r["subject_id"] is not None)
                    counts["restricted"] += sum(1 for r in rows if r["listing_id"] is not None)

    try:
        # A short warm-up, as wrk's runs get one.
        warm = time.perf_counter() + min(3.0, seconds / 5)
        await asyncio.gather(*(loop(i * 7, warm, False) for i in range(connections)))
        started = time.perf_counter()
        await asyncio.gather(*(loop(i * 7, started + seconds, True) for i in range(connections)))
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    return {**counts, "seconds": elapsed, "subjects_per_second": counts["subjects"] / elapsed}


async def answer(dsn: str, usccs: list[str], purpose: str) -> dict[str, int]:
    """What the lookup says about one batch: subjects known, subjects restricted."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(LOOKUP, usccs, china_today(), DECIDED, purpose, BLACKLIST)
    finally:
        await conn.close()
    known = {r["uscc"] for r in rows if r["subject_id"] is not None}
    restricted = {r["uscc"] for r in rows if r["listing_id"] is not None}
    return {
        "known": sum(1 for u in usccs if u in known),
        "restricted": sum(1 for u in usccs if u in restricted),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    work, purpose = batches(args.bodies)
    result = asyncio.run(run(args.dsn, work, purpose, args.connections, args.seconds))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
