"""SIMULATOR of the 110 command centre, for demos and tests: not the real 110.

It receives the gateway's emergency referrals (``POST /referrals``), logs them (without the
contact number) and acknowledges each with an incident number (警情编号); a repeated
referral id gets the same number. ``GET /referrals`` lists what it received.

    python -m scripts.simulators.police_110 --port 8110
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

log = logging.getLogger("simulator.110")


class Police110:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.incidents: dict[str, str] = {}
        self._numbers = itertools.count(1)

    def app(self) -> FastAPI:
        app = FastAPI(title="110 指挥中心模拟器（SIMULATOR）", docs_url=None, redoc_url=None)

        @app.post("/referrals")
        async def referral(body: dict[str, Any]) -> JSONResponse:
            self.received.append(body)
            referral_id = str(body.get("referral_id"))
            number = self.incidents.get(referral_id)
            if number is None:
                number = f"110-{datetime.now(UTC):%Y%m%d}-{next(self._numbers):06d}"
                self.incidents[referral_id] = number
            log.info(
                "110 simulator received referral %s (case %s, %s, %s people): incident %s",
                referral_id,
                body.get("case_no"),
                ",".join(body.get("indicators") or []),
                body.get("people"),
                number,
            )
            return JSONResponse({"incident_no": number, "received_at": datetime.now(UTC).isoformat()})

        @app.get("/referrals")
        async def received() -> list[dict[str, Any]]:
            return self.received

        return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.simulators.police_110", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8110)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    uvicorn.run(Police110().app(), host=args.host, port=args.port, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
