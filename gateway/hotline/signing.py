"""Webhook signatures of the hotline links (contract.md): ``X-Signature-Timestamp`` (Unix
seconds) and ``X-Signature: sha256=<hex HMAC-SHA256 of timestamp + "." + raw body>``."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients import repository as clients
from gateway.clients.models import ApiClient
from shared.errors import Unauthorized

TIMESTAMP_HEADER: Final = "X-Signature-Timestamp"
SIGNATURE_HEADER: Final = "X-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(
    secret: str | None,
    timestamp: str | None,
    given: str | None,
    body: bytes,
    *,
    max_age_seconds: int,
    now: float | None = None,
) -> None:
    """Raise 401 unless ``given`` signs ``body`` at a timestamp within ``max_age_seconds``."""
    if secret is None:
        raise Unauthorized("该客户端未配置签名密钥，无法验证签名", code="signature_secret_missing")
    if not timestamp or not given:
        raise Unauthorized(
            f"缺少签名：请提供 {TIMESTAMP_HEADER} 和 {SIGNATURE_HEADER}", code="signature_missing"
        )
    try:
        signed_at = int(timestamp)
    except ValueError:
        raise Unauthorized(f"{TIMESTAMP_HEADER} 应为 Unix 秒数", code="signature_invalid") from None
    current = time.time() if now is None else now
    if abs(current - signed_at) > max_age_seconds:
        raise Unauthorized(f"签名已过期或时间戳超前（允许 {max_age_seconds} 秒）", code="signature_stale")
    if not hmac.compare_digest(signature(secret, timestamp, body), given.strip()):
        raise Unauthorized("签名不正确", code="signature_invalid")


def _secret(client: ApiClient | None) -> str | None:
    if client is None or client.revoked_at is not None:
        return None
    return client.signing_secret


async def secret_of_client(session: AsyncSession, client_id: str) -> str | None:
    return _secret(await session.get(ApiClient, client_id))


async def secret_by_name(session: AsyncSession, name: str) -> str | None:
    return _secret(await clients.get_by_name(session, name))
