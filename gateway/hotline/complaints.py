"""Calls from the gateway itself to the complaints service, as its internal identity.

These do not go through the proxy: the gateway signs its own identity token (``service:gateway``,
scope ``internal``) and uses the upstream's connection pool directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from gateway.events.dispatch import GATEWAY_IDENTITY
from gateway.upstream import Upstream
from shared.auth import IDENTITY_HEADER, issue_identity_token
from shared.ids import new_hex
from shared.outbox import DeliveryFailed
from shared.requestctx import current_request_id


@dataclass(frozen=True, slots=True)
class FiledCase:
    case_id: str
    case_no: str


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any


class ComplaintsClient:
    def __init__(self, upstream: Upstream, secret: str) -> None:
        self.upstream = upstream
        self.secret = secret

    async def _post(
        self,
        path: str,
        body: dict[str, Any],
        *,
        timeout_seconds: float,
        headers: dict[str, str],
        fail_fast: bool,
    ) -> Answer:
        upstream = self.upstream
        # A request waits for nothing while the circuit is open; a relay tries anyway.
        if fail_fast and upstream.breaker.retry_after() is not None:
            raise DeliveryFailed("complaints circuit open")
        all_headers = {
            IDENTITY_HEADER: issue_identity_token(GATEWAY_IDENTITY, self.secret, 60),
            "Content-Type": "application/json",
            "X-Request-ID": current_request_id() or new_hex(),
            **headers,
        }
        try:
            async with upstream.session.post(
                upstream.base_url + path,
                data=orjson.dumps(body),
                headers=all_headers,
                timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            ) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError) as exc:
            upstream.breaker.record_failure()
            raise DeliveryFailed(f"complaints unreachable: {type(exc).__name__}") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise DeliveryFailed(f"complaints call failed: {type(exc).__name__}") from exc
        upstream.breaker.record_success()
        try:
            parsed: Any = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            parsed = None
        return Answer(status, parsed)

    async def file_case(
        self, body: dict[str, Any], *, idempotency_key: str, timeout_seconds: float, fail_fast: bool = False
    ) -> FiledCase:
        answer = await self._post(
            "/api/v1/complaints",
            body,
            timeout_seconds=timeout_seconds,
            headers={"Idempotency-Key": idempotency_key},
            fail_fast=fail_fast,
        )
        if answer.status not in (200, 201) or not isinstance(answer.body, dict):
            raise DeliveryFailed(f"complaints answered {answer.status}: {problem_code(answer.body)}")
        return FiledCase(str(answer.body["id"]), str(answer.body["case_no"]))

    async def add_note(self, case_id: str, note: str, *, timeout_seconds: float) -> Answer:
        return await self._post(
            f"/api/v1/complaints/{case_id}/actions",
            {"action": "add_note", "reason": note},
            timeout_seconds=timeout_seconds,
            headers={},
            fail_fast=False,
        )


def problem_code(body: Any) -> str:
    if isinstance(body, dict):
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        return str(body.get("code", "-")) + (f" ({first.get('loc')})" if first else "")
    return "-"
