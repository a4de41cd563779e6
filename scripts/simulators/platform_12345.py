"""SIMULATOR of the 12345 platform, for demos and tests: not the real platform.

It receives the gateway's signed status callbacks (``POST /callbacks``), checks the signature
when it knows the secret, logs each one and acknowledges it with 200; ``GET /callbacks`` lists
what it received. ``send-ticket`` posts a signed sample ticket to the gateway, as 12345 would.

    python -m scripts.simulators.platform_12345 --port 8345 [--secret S]
    python -m scripts.simulators.platform_12345 send-ticket --key K --secret S [--category complaint]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

log = logging.getLogger("simulator.12345")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class Platform12345:
    """The simulated platform's state: what it has received, in arrival order."""

    def __init__(self, secret: str | None = None, *, max_age_seconds: int = 300) -> None:
        self.secret = secret
        self.max_age_seconds = max_age_seconds
        self.received: list[dict[str, Any]] = []
        self.refused = 0

    def _signed(self, request: Request, body: bytes) -> bool:
        if self.secret is None:
            return True
        timestamp = request.headers.get("x-signature-timestamp", "")
        given = request.headers.get("x-signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > self.max_age_seconds:
            return False
        return hmac.compare_digest(sign(self.secret, timestamp, body), given)

    def app(self) -> FastAPI:
        app = FastAPI(title="12345 平台模拟器（SIMULATOR）", docs_url=None, redoc_url=None)

        @app.post("/callbacks")
        async def callback(request: Request) -> JSONResponse:
            body = await request.body()
            if not self._signed(request, body):
                self.refused += 1
                log.warning("12345 simulator: refused a callback with a bad signature")
                return JSONResponse({"ok": False, "error": "bad signature"}, status_code=401)
            status = json.loads(body)
            self.received.append(status)
            log.info(
                "12345 simulator received %s %s #%s: %s",
                status.get("ticket_no"),
                status.get("event"),
                status.get("seq"),
                status.get("message"),
            )
            return JSONResponse({"ok": True})

        @app.get("/callbacks")
        async def received() -> list[dict[str, Any]]:
            return self.received

        return app


def sample_ticket(category: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "ticket_no": f"KM12345-{now:%Y%m%d}-{uuid.uuid4().hex[:6].upper()}",
        "received_at": now.isoformat(),
        "category": category,
        "urgency": "normal",
        "caller": {"name": "张三", "phone": "13800005678", "confidential": False},
        "content": "某某快递站点拖欠10月工资，共12人，约3万6千元。",
        "respondent": {"name": "某某快递有限公司", "address": "昆明市五华区某路1号"},
        "region_code": "530102",
    }


def send_ticket(gateway: str, key: str, secret: str, category: str) -> int:
    body = json.dumps(sample_ticket(category), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "X-Signature-Timestamp": timestamp,
        "X-Signature": sign(secret, timestamp, body),
    }
    response = httpx.post(
        f"{gateway.rstrip('/')}/api/v1/hotline/12345/tickets", content=body, headers=headers
    )
    print(response.status_code, response.text)
    return 0 if response.status_code < 300 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.simulators.platform_12345", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "send-ticket"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8345)
    parser.add_argument("--secret", default=None, help="signing secret of the gateway's 12345 client")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--key", default=None, help="API key with hotline:12345 (send-ticket)")
    parser.add_argument("--category", default="complaint")
    args = parser.parse_args(argv)
    if args.command == "send-ticket":
        if not args.key or not args.secret:
            parser.error("send-ticket needs --key and --secret")
        return send_ticket(args.gateway, args.key, args.secret, args.category)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    if args.secret is None:
        log.info("12345 simulator: no --secret, callbacks are accepted without checking signatures")
    uvicorn.run(Platform12345(args.secret).app(), host=args.host, port=args.port, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
