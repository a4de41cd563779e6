from __future__ import annotations

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


async def test_admin_scope_implies_every_scope(complaints_client: httpx.AsyncClient) -> None:
    token = issue_identity_token(Identity("c1", "管理员", frozenset({"admin"})), TEST_SECRET)
    response = await complaints_client.get("/api/v1/complaints", headers={IDENTITY_HEADER: token})
    assert response.status_code == 200
