"""The baseline of the complaint-intake benchmark: the least a FastAPI service can do to take a
complaint durably on PostgreSQL. One JSON body in, one INSERT (committed, synchronous_commit as
the server has it), 201 with the new id out. No validation, no rules, no gateway.

Usage: python bench/minimal_intake.py --port P --dsn postgresql://... (started by bench/run.py)
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response

TABLE = """
CREATE TABLE IF NOT EXISTS bench_complaints (
    id uuid PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now(),
    body jsonb NOT NULL
)
"""


def create_app(dsn: str, pool_size: int) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The service's pool is 10 connections plus 10 overflow: the same ceiling here.
        pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=2 * pool_size)
        await pool.execute(TABLE)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/complaints", status_code=201)
    async def file_complaint(payload: dict[str, Any], request: Request) -> Response:
        case_id = uuid.uuid4()
        await request.app.state.pool.execute(
            "INSERT INTO bench_complaints (id, body) VALUES ($1, $2::jsonb)",
            case_id,
            orjson.dumps(payload).decode(),
        )
        return Response(orjson.dumps({"id": str(case_id)}), status_code=201, media_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--pool-size", type=int, default=10)
    args = parser.parse_args()
    # The same server settings as shared/serve.py.
    uvicorn.run(
        create_app(args.dsn, args.pool_size),
        host="127.0.0.1",
        port=args.port,
        access_log=False,
        server_header=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
