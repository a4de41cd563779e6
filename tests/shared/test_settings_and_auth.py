from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import pytest
from pydantic import ValidationError

from complaints.config import ComplaintsSettings
from shared.auth import IDENTITY_HEADER, Identity, issue_identity_token
from shared.settings import DEV_INTERNAL_TOKEN_SECRET
from shared.testing.plugin import TEST_SECRET


def test_placeholder_secret_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="INTERNAL_TOKEN_SECRET"):
        ComplaintsSettings(environment="production", internal_token_secret=DEV_INTERNAL_TOKEN_SECRET)
    with pytest.raises(ValidationError, match="32"):
        ComplaintsSettings(environment="production", internal_token_secret="short-but-not-placeholder")
    ok = ComplaintsSettings(environment="production", internal_token_secret="x" * 40)
    assert ok.internal_token_secret == "x" * 40


def test_settings_read_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTS_PORT", "9101")
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", "postgresql+asyncpg://u@db/complaints")
    settings = ComplaintsSettings()
    assert settings.port == 9101
    assert settings.database_url == "postgresql+asyncpg://u@db/complaints"


async def test_expired_gateway_token_is_401(complaints_client: httpx.AsyncClient) -> None:
    now = int(time.time())
    claims = {
        "sub": "c1",
        "scp": ["cases:manage"],
        "iat": now - 600,
        "exp": now - 300,
        "aud": "km-labour-services",
        "iss": "km-labour-gateway",
    }
    token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    response = await complaints_client.get("/api/v1/complaints", headers={IDENTITY_HEADER: token})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_gateway_token"
    assert "过期" in response.json()["detail"]


async def test_a_token_seen_before_still_expires(complaints_client: httpx.AsyncClient) -> None:
    # Verified tokens are remembered (shared.auth): a remembered one is refused all the same
    # once past its expiry and the 5 s leeway, and a token signed with another secret never is
    # taken for it.
    expires = int(time.time()) - 4  # within the 5 s leeway for about a second more
    claims = {
        "sub": "c1",
        "scp": ["cases:manage"],
        "iat": expires - 60,
        "exp": expires,
        "aud": "km-labour-services",
        "iss": "km-labour-gateway",
    }
    token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    first = await complaints_client.get("/api/v1/complaints", headers={IDENTITY_HEADER: token})
    if time.time() < expires + 5:  # answered within the leeway (not a slow machine's miss)
        assert first.status_code == 200, first.text
    forged = jwt.encode(claims, "another-secret-another-secret-0123456789", algorithm="HS256")
    refused = await complaints_client.get("/api/v1/complaints", headers={IDENTITY_HEADER: forged})
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_gateway_token"
    await asyncio.sleep(max(0.0, expires + 5 - time.time()) + 0.1)
    again = await complaints_client.get("/api/v1/complaints", headers={IDENTITY_HEADER: token})
    assert again.status_code == 401
    assert again.json()["code"] == "invalid_gateway_token" and "过期" in again.json()["detail"]


async def test_admin_scope_implies_every_scope(complaints_client: httpx.AsyncClient) -> None:
    token = issue_identity_token(Identity("c1", "管理员", frozenset({"admin"})), TEST_SECRET)
    response = await complaints_client.get("/api/v1/complaints", headers={IDENTITY_HEADER: token})
    assert response.status_code == 200
