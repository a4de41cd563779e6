"""Data of `make bench`: the credit registry seeded in SQL, request bodies, the API key."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import asyncpg
import orjson

from shared.identifiers import make_id_number, make_uscc
from shared.timeutil import china_today

PURPOSE = "bidding"


async def issue_api_key(url: str) -> str:
    from gateway.clients.service import create_client
    from shared.db import Database

    database = Database(url, pool_size=1)
    try:
        async with database.sessionmaker() as session, session.begin():
            issued = await create_client(
                session,
                name="bench",
                scopes=["credit:check", "complaints:write", "reports:read"],
                rate_limit_per_minute=10**9,
            )
        return issued.api_key
    finally:
        await database.dispose()


def subject_uscc(number: int) -> str:
    return make_uscc(f"91530102{number:09d}")


# The USCC check character of GB 32100 in SQL, for the seed (verified against stdnum below).
USCC_FUNCTION = """
CREATE FUNCTION pg_temp.bench_uscc(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT body || substr(a, (31 - sum((strpos(a, substr(body, k::int, 1)) - 1) * w) % 31)::int % 31 + 1, 1)
  FROM unnest('{1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28}'::int[]) WITH ORDINALITY AS t(w, k),
       (SELECT '0123456789ABCDEFGHJKLMNPQRTUWXY'::text AS a) AS alphabet
  GROUP BY a
$$
"""
SEED_SUBJECTS = """
INSERT INTO subjects (id, subject_type, uscc, id_number, name, address, district_code, industry_code,
                      created_at, updated_at)
SELECT md5('subject' || i)::uuid::text, 'employer', pg_temp.bench_uscc('91530102' || lpad(i::text, 9, '0')),
       NULL, '压测单位' || i || '有限公司', '昆明市五华区压测路' || i || '号', '530102', '4700', now(), now()
FROM generate_series(1, $1::int) AS i
"""
SEED_DECISIONS = """
INSERT INTO listing_decisions (id, list_type, decision_no, decided_on, decided_by, created_at)
SELECT md5('decision' || j)::uuid::text, 'blacklist', '昆人社失信决〔压测〕' || j || '号',
       current_date - (j % 1000), 'bench', now()
FROM generate_series(1, $1::int) AS j
"""
# Every step-th subject is listed: 80 % published, 10 % decided (listed), 10 % removed early.
SEED_LISTINGS = """
INSERT INTO listings (id, list_type, subject_id, decision_id, role, status, basis, listed_on, published_on,
                      expires_on, ended_on, restrictions, created_at, updated_at)
SELECT md5('listing' || j)::uuid::text, 'blacklist', md5('subject' || (j * $2::int))::uuid::text,
       md5('decision' || j)::uuid::text, 'unit',
       CASE j % 10 WHEN 0 THEN 'removed_early' WHEN 1 THEN 'listed' ELSE 'published' END,
       '{}', current_date - (j % 1000),
       CASE WHEN j % 10 > 1 THEN current_date - (j % 1000) + 3 END,
       (current_date - (j % 1000) + interval '3 years')::date,
       CASE WHEN j % 10 = 0 THEN current_date - (j % 1000) + 1 END,
       $3::json, now(), now()
FROM generate_series(1, $1::int) AS j
"""


async def seed_credit(dsn: str, subjects: int, listings: int) -> None:
    from credit.listing.terms import SANCTION_AREAS

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(USCC_FUNCTION)
        async with conn.transaction():
            await conn.execute(SEED_SUBJECTS, subjects)
            await conn.execute(SEED_DECISIONS, listings)
            await conn.execute(
                SEED_LISTINGS, listings, subjects // listings, json.dumps(list(SANCTION_AREAS))
            )
        await conn.execute("VACUUM ANALYZE subjects")
        await conn.execute("VACUUM ANALYZE listings")
        await conn.execute("VACUUM ANALYZE listing_decisions")
        for number in (1, subjects // 2, subjects):
            stored = await conn.fetchval(
                "SELECT uscc FROM subjects WHERE id = md5('subject' || $1::int)::uuid::text", number
            )
            if stored != subject_uscc(number):
                raise RuntimeError(f"seeded USCC {stored} differs from stdnum's {subject_uscc(number)}")
    finally:
        await conn.close()


def check_bodies(rng: random.Random, subjects: int, listings: int, count: int, size: int) -> list[bytes]:
    """``count`` check requests of ``size`` USCCs: random subjects, one in ten listed, 2 % unknown."""
    step = subjects // listings
    bodies = []
    for _ in range(count):
        numbers = []
        for i in range(size):
            if i % 50 == 49:
                numbers.append(subjects + rng.randrange(1, 10**6))  # not in the registry
            elif i % 10 == 0:
                numbers.append(step * rng.randrange(1, listings + 1))  # has a listing
            else:
                numbers.append(rng.randrange(1, subjects + 1))
        subjects_json = [{"uscc": subject_uscc(n)} for n in numbers]
        bodies.append(orjson.dumps({"subjects": subjects_json, "purpose": PURPOSE}))
    return bodies


def complaint_bodies(count: int) -> list[bytes]:
    """Complaints from different workers about different employers, valid identifiers."""
    occurred = (china_today() - timedelta(days=60)).isoformat()
    bodies = []
    for k in range(count):
        born = date(1970, 1, 1) + timedelta(days=k * 3 % 12000)
        body = {
            "kind": "complaint",
            "channel": "mobile_app",
            "complainant": {
                "name": f"压测工人{k}",
                "id_number": make_id_number(f"530102{born:%Y%m%d}{k % 900 + 100:03d}"),
                "phone": f"138{k:08d}",
            },
            "employer": {
                "name": f"压测被投诉建筑劳务{k}有限公司",
                "uscc": make_uscc(f"91530102{500_000_000 + k:09d}"),
                "address": f"昆明市五华区压测路{k}号",
                "district_code": "530102",
                "industry_code": "4700",
            },
            "issues": ["wage_arrears"],
            "workers_affected": 3,
            "amount_claimed": "12000.00",
            "occurred_on": occurred,
            "description": "拖欠三个月工资，多次讨要未果（压测）",
        }
        bodies.append(orjson.dumps(body))
    return bodies
