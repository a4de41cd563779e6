from __future__ import annotations

import pytest

from tests.conftest import issue_key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def inspector(db_urls: dict[str, str]) -> dict[str, str]:
    """An inspector with approval rights (cases:manage + cases:approve)."""
    return bearer(await issue_key(db_urls["gateway"], "inspector", ["cases:manage", "cases:approve"]))


@pytest.fixture
async def clerk(db_urls: dict[str, str]) -> dict[str, str]:
    """An inspector without approval rights."""
    return bearer(await issue_key(db_urls["gateway"], "clerk", ["cases:manage"]))


@pytest.fixture
async def mobile_app(db_urls: dict[str, str]) -> dict[str, str]:
    return bearer(await issue_key(db_urls["gateway"], "mobile-app", ["complaints:write", "complaints:read"]))


@pytest.fixture
async def other_app(db_urls: dict[str, str]) -> dict[str, str]:
    return bearer(await issue_key(db_urls["gateway"], "other-app", ["complaints:write", "complaints:read"]))
