"""Authentication and scope checks for the gateway's own routes (events, later the hotlines)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from gateway.authn import Authenticator
from gateway.ratelimit import RateLimiter
from shared.auth import Identity
from shared.errors import Forbidden, RateLimited


async def gateway_identity(request: Request) -> Identity:
    authenticator: Authenticator = request.app.state.authenticator
    caller = await authenticator.authenticate(request.headers.get("authorization"))
    limiter: RateLimiter = request.app.state.rate_limiter
    decision = await limiter.hit(caller.identity.client_id, caller.per_minute, caller.burst)
    if not decision.allowed:
        raise RateLimited(decision.retry_after_seconds)
    return caller.identity


GatewayIdentityDep = Annotated[Identity, Depends(gateway_identity)]


def require_gateway_scopes(*scopes: str) -> Any:
    async def _check(identity: GatewayIdentityDep) -> Identity:
        if not identity.has_any(*scopes):
            raise Forbidden(
                f"该操作需要以下权限之一：{', '.join(scopes)}", extra={"required_scopes": list(scopes)}
            )
        return identity

    return Depends(_check)
