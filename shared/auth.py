"""The caller's identity as the gateway vouches for it.

The gateway authenticates the API key, then forwards a short-lived HS256 token in
``X-Gateway-Identity``. Services trust nothing else: a request that reaches a service port
without a valid token is refused 401, so the gateway cannot be bypassed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from shared.errors import Forbidden, Unauthorized

IDENTITY_HEADER = "X-Gateway-Identity"
_AUDIENCE = "km-labour-services"
_ISSUER = "km-labour-gateway"
_LEEWAY_SECONDS = 5

SCOPES: dict[str, str] = {
    "complaints:write": "提交投诉、举报",
    "complaints:read": "查询投诉办理状态（仅本客户端提交的）",
    "cases:manage": "监察员：全部案件操作与完整个人信息",
    "cases:approve": "负责人审批（如延长调查期限），与 cases:manage 同时使用",
    "wages:write": "提交工资支付台账、银行代发确认",
    "wages:read": "工资支付监控查询",
    "credit:check": "失信联合惩戒核查",
    "credit:manage": "信用管理：名单程序、等级、公示",
    "hotline:12345": "12345 热线工单接入",
    "hotline:110": "110 非警务事项转办",
    "reports:read": "统计与报表",
    "admin": "全部权限及客户端管理",
    "internal": "服务间调用（仅限内部）",
}


@dataclass(frozen=True, slots=True)
class Identity:
    client_id: str
    client_name: str
    scopes: frozenset[str]
    # District codes (or prefixes) a client is restricted to; empty means unrestricted.
    districts: tuple[str, ...] = ()

    def has_scope(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes

    def has_any(self, *scopes: str) -> bool:
        return any(self.has_scope(s) for s in scopes)


def issue_identity_token(identity: Identity, secret: str, ttl_seconds: int = 60) -> str:
    now = int(time.time())
    claims = {
        "sub": identity.client_id,
        "name": identity.client_name,
        "scp": sorted(identity.scopes),
        "dst": list(identity.districts),
        "iat": now,
        "exp": now + ttl_seconds,
        "aud": _AUDIENCE,
        "iss": _ISSUER,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def _verified_claims(token: str, secret: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=_AUDIENCE,
            issuer=_ISSUER,
            options={"require": ["exp", "iat", "sub"]},
            leeway=_LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("网关身份令牌已过期", code="invalid_gateway_token") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("网关身份令牌无效", code="invalid_gateway_token") from exc
    return claims


def _identity(claims: dict[str, Any]) -> Identity:
    return Identity(
        client_id=str(claims["sub"]),
        client_name=str(claims.get("name", "")),
        scopes=frozenset(str(s) for s in claims.get("scp", [])),
        districts=tuple(str(d) for d in claims.get("dst", [])),
    )


def verify_identity_token(token: str, secret: str) -> Identity:
    return _identity(_verified_claims(token, secret))


# Tokens already verified, with their expiry: the gateway sends the same token for a caller
# until it nears expiry, and decoding and checking its signature again was a tenth of the CPU
# of a one-subject credit check. Keyed by the exact token text and the secret, so a hit is a
# token whose signature and claims were checked; its expiry is checked on every hit as PyJWT
# checks it (``exp`` later than now minus the leeway). Cleared whole when full.
_VERIFIED: dict[tuple[str, str], tuple[Identity, float]] = {}
_VERIFIED_MAX = 4096


def identity_from_token(token: str, secret: str) -> Identity:
    """The identity a gateway token carries, verified (or found verified before); raises
    ``Unauthorized`` when it is not valid."""
    key = (token, secret)
    hit = _VERIFIED.get(key)
    if hit is not None and hit[1] > time.time() - _LEEWAY_SECONDS:
        return hit[0]
    claims = _verified_claims(token, secret)
    identity = _identity(claims)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = (identity, float(claims["exp"]))  # required, and numeric once verified
    return identity


async def require_identity(request: Request) -> Identity:
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise Unauthorized("请通过网关访问本服务（缺少网关身份令牌）", code="gateway_token_required")
    identity = identity_from_token(token, request.app.state.settings.internal_token_secret)
    request.state.identity = identity
    return identity


IdentityDep = Annotated[Identity, Depends(require_identity)]


def require_scopes(*scopes: str) -> Any:
    """Dependency: the caller holds at least one of ``scopes`` (``admin`` holds all)."""

    async def _check(identity: IdentityDep) -> Identity:
        if not identity.has_any(*scopes):
            raise Forbidden(
                f"该操作需要以下权限之一：{', '.join(scopes)}",
                extra={"required_scopes": list(scopes)},
            )
        return identity

    return Depends(_check)
