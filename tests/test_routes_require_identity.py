"""Every business route of every service is behind the gateway's identity token: the routers
are included one by one (shared.app), each with the services' ``dependencies``, and a router
left without them would answer without knowing who asks."""

from __future__ import annotations

import re
from types import ModuleType

import httpx
from fastapi.routing import APIRoute

from complaints import api as complaints_api
from credit import api as credit_api
from wages import api as wages_api


async def _refused_without_identity(client: httpx.AsyncClient, api: ModuleType) -> int:
    asked = 0
    for router in api.routers:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            for method in sorted(route.methods or ()):
                response = await client.request(method, path, json={})
                assert response.status_code == 401, (method, path, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
                asked += 1
    return asked


async def test_every_business_route_requires_the_identity_token(
    complaints_client: httpx.AsyncClient, wages_client: httpx.AsyncClient, credit_client: httpx.AsyncClient
) -> None:
    asked = await _refused_without_identity(complaints_client, complaints_api)
    asked += await _refused_without_identity(wages_client, wages_api)
    asked += await _refused_without_identity(credit_client, credit_api)
    assert asked > 50
    # Health stays open (the probes carry no token).
    assert (await credit_client.get("/healthz")).status_code == 200
