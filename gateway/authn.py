"""API-key authentication at the gateway, with a short cache to keep the hot path off the DB."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from gateway.clients import service as clients
from gateway.config import GatewaySettings
from shared.auth import Identity, issue_identity_token, verify_identity_token
from shared.db import Database
from shared.errors import Unauthorized

# Headers kept by Authenticator.cached before it starts again from none.
_BY_HEADER_MAX = 10_000

PUBLIC_IDENTITY = Identity(client_id="public", client_name="公众", scopes=frozenset())


@dataclass(slots=True)
class Caller:
    identity: Identity
    per_minute: int
    burst: int
    token: str
    token_expires: float
    cached_until: float
    token_raw: bytes = b""
    token_raw_of: str = ""


class Authenticator:
    def __init__(self, database: Database, settings: GatewaySettings) -> None:
        self._database = database
        self._settings = settings
        self._cache: dict[str, Caller] = {}
        # The same callers by the Authorization header as it came, for the callback path
        # (gateway.fastpath.try_now): a hit is one lookup, without decoding or hashing. Only
        # headers whose key authenticated go in, and they stop answering when their caller's
        # cache entry expires (a revoked key within auth_cache_seconds, as above).
        self._by_header: dict[bytes, Caller] = {}
        self._public: Caller | None = None

    def _token(self, identity: Identity) -> tuple[str, float]:
        ttl = self._settings.internal_token_ttl_seconds
        token = issue_identity_token(identity, self._settings.internal_token_secret, ttl)
        # Re-issued at half-life so a forwarded token never expires in flight.
        return token, time.monotonic() + ttl / 2

    def token_for(self, caller: Caller) -> str:
        if time.monotonic() >= caller.token_expires:
            caller.token, caller.token_expires = self._token(caller.identity)
        return caller.token

    def token_header(self, caller: Caller) -> bytes:
        """The identity token as a raw header value, signed once per client per half-life."""
        token = self.token_for(caller)
        if caller.token_raw_of is not token:
            caller.token_raw, caller.token_raw_of = token.encode("latin-1"), token
        return caller.token_raw

    def public_caller(self) -> Caller:
        """The anonymous caller of the published endpoints; limited per client IP."""
        if self._public is None:
            token, expires = self._token(PUBLIC_IDENTITY)
            self._public = Caller(
                PUBLIC_IDENTITY,
                self._settings.public_rate_limit_per_minute,
                self._settings.public_rate_limit_burst,
                token,
                expires,
                float("inf"),
            )
        return self._public

    def _service_caller(self, token: str) -> Caller:
        """A service calling through the gateway (outbox relays) with a token it signed itself."""
        try:
            identity = verify_identity_token(token, self._settings.internal_token_secret)
        except Unauthorized as exc:
            raise Unauthorized("服务令牌无效或已过期", code="invalid_api_key") from exc
        if identity.scopes != frozenset({"internal"}) or not identity.client_id.startswith("service:"):
            raise Unauthorized("服务令牌只能携带 internal 权限", code="invalid_api_key")
        # Services are trusted peers: no per-client rate limit beyond a generous ceiling.
        return Caller(identity, 600_000, 10_000, token, time.monotonic() + 30, 0.0)

    def forget(self, api_key: str) -> None:
        self._cache.pop(hashlib.sha256(api_key.encode()).hexdigest(), None)
        self._by_header.clear()

    def cached(self, authorization: bytes) -> Caller | None:
        """The caller of an API key known (and not expired) in the cache, decided without waiting;
        None for anything else (a miss, a malformed header, a service token), which
        :meth:`authenticate` then decides."""
        caller = self._by_header.get(authorization)
        now = time.monotonic()
        if caller is not None and now < caller.cached_until:
            return caller
        scheme, _, api_key = authorization.decode("latin-1").partition(" ")
        api_key = api_key.strip()
        if scheme.lower() != "bearer" or not api_key:
            return None
        caller = self._cache.get(hashlib.sha256(api_key.encode()).hexdigest())
        if caller is None or now >= caller.cached_until:
            return None
        if len(self._by_header) >= _BY_HEADER_MAX:
            self._by_header.clear()
        self._by_header[authorization] = caller
        return caller

    async def authenticate(self, authorization: str | None) -> Caller:
        if not authorization:
            raise Unauthorized("缺少 API 密钥：请在 Authorization 头中提供 Bearer 密钥")
        scheme, _, api_key = authorization.partition(" ")
        api_key = api_key.strip()
        if scheme.lower() != "bearer" or not api_key:
            raise Unauthorized("Authorization 头格式应为：Bearer <API 密钥>", code="invalid_api_key")
        if api_key.count(".") == 2:
            return self._service_caller(api_key)
        cache_key = hashlib.sha256(api_key.encode()).hexdigest()
        now = time.monotonic()
        caller = self._cache.get(cache_key)
        if caller is not None and now < caller.cached_until:
            return caller
        async with self._database.sessionmaker() as session:
            client = await clients.authenticate(session, api_key)
        if client is None:
            self._cache.pop(cache_key, None)
            raise Unauthorized("API 密钥无效或已吊销", code="invalid_api_key")
        identity = Identity(client.id, client.name, client.scope_set, client.district_tuple)
        token, token_expires = self._token(identity)
        caller = Caller(
            identity=identity,
            per_minute=client.rate_limit_per_minute or self._settings.rate_limit_per_minute,
            burst=client.rate_limit_burst or self._settings.rate_limit_burst,
            token=token,
            token_expires=token_expires,
            cached_until=now + self._settings.auth_cache_seconds,
        )
        self._cache[cache_key] = caller
        return caller
