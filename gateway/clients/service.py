"""API clients: issuing keys (shown once, stored hashed), revoking, authenticating."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients import repository
from gateway.clients.models import ApiClient
from shared.auth import SCOPES
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.ids import new_uuid

KEY_PREFIX = "kml"
_NAME_RE = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]{0,99}$")
# Scopes an outside client may hold; `internal` is for the services' own calls only.
OUTSIDE_SCOPES = frozenset(SCOPES) - {"internal"}


@dataclass(frozen=True, slots=True)
class IssuedClient:
    client: ApiClient
    api_key: str
    signing_secret: str | None


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def split_key(api_key: str) -> str | None:
    """The lookup prefix of a well-formed key (``kml_<prefix>_<secret>``), else None."""
    parts = api_key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def validate_scopes(scopes: Iterable[str], *, allow_internal: bool = False) -> list[str]:
    allowed = frozenset(SCOPES) if allow_internal else OUTSIDE_SCOPES
    cleaned = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in cleaned if s not in allowed]
    if not cleaned or unknown:
        message = f"未知或不允许的权限：{', '.join(unknown)}" if unknown else "至少需要一个权限"
        raise ValidationFailed([FieldError("scopes", "scope_invalid", message)])
    return cleaned


async def create_client(
    session: AsyncSession,
    *,
    name: str,
    scopes: Iterable[str],
    with_secret: bool = False,
    allow_internal: bool = False,
    rate_limit_per_minute: int | None = None,
    districts: Iterable[str] = (),
) -> IssuedClient:
    if not _NAME_RE.match(name):
        raise ValidationFailed(
            [FieldError("name", "name_invalid", "名称只能包含字母、数字、汉字、下划线、点和连字符")]
        )
    scope_list = validate_scopes(scopes, allow_internal=allow_internal)
    district_list = sorted({d.strip() for d in districts if d.strip()})
    if any(not (d.isdigit() and 2 <= len(d) <= 6) for d in district_list):
        raise ValidationFailed(
            [FieldError("districts", "district_code_invalid", "辖区应为2至6位行政区划代码或其前缀")]
        )
    if await repository.get_by_name(session, name) is not None:
        raise Conflict(f"客户端名称已存在：{name}", code="client_exists")
    prefix = secrets.token_hex(6)
    api_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    signing_secret = secrets.token_urlsafe(32) if with_secret else None
    client = ApiClient(
        id=new_uuid(),
        name=name,
        key_prefix=prefix,
        key_hash=hash_key(api_key),
        scopes=",".join(scope_list),
        signing_secret=signing_secret,
        rate_limit_per_minute=rate_limit_per_minute,
        districts=",".join(district_list) or None,
    )
    session.add(client)
    await session.flush()
    return IssuedClient(client=client, api_key=api_key, signing_secret=signing_secret)


async def list_clients(session: AsyncSession) -> Sequence[ApiClient]:
    return await repository.list_clients(session)


async def revoke_client(session: AsyncSession, name: str) -> ApiClient:
    client = await repository.get_by_name(session, name)
    if client is None:
        raise NotFound(f"客户端不存在：{name}", code="client_not_found")
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        await session.flush()
    return client


async def authenticate(session: AsyncSession, api_key: str) -> ApiClient | None:
    """The active client owning ``api_key``, or None. Constant-time hash comparison."""
    prefix = split_key(api_key)
    if prefix is None:
        return None
    client = await repository.get_by_prefix(session, prefix)
    if client is None or client.revoked_at is not None:
        return None
    if not hmac.compare_digest(client.key_hash, hash_key(api_key)):
        return None
    return client
