"""``Idempotency-Key`` for creating POSTs (contract): a retry with the same key and body gets
the first response; the same key with another body is 422. Keys are per API client."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON, Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.auth import IdentityDep
from shared.db import SessionDep, UTCDateTime, utcnow
from shared.errors import Conflict, FieldError, ValidationFailed

IdempotencyKeyHeader = Annotated[
    str | None, Header(alias="Idempotency-Key", description="幂等键：相同键与相同内容的重试返回首次结果")
]
"""The header every creating POST takes (``tests/test_idempotency_routes.py`` holds them to it)."""


class IdempotencyRecordMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint, ...]:
        return (UniqueConstraint("client_id", "key"),)


def request_hash(payload: Any) -> str:
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


def raw_request_hash(*parts: str | bytes | None) -> str:
    """The digest of a request taken as it came (a raw body with its media type and query),
    for endpoints that parse their own bodies; each part is length-prefixed so that moving
    bytes from one part to the next changes the digest."""
    digest = hashlib.sha256()
    for part in parts:
        data = b"" if part is None else part.encode() if isinstance(part, str) else part
        digest.update(b"-" if part is None else len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


async def _record(
    session: AsyncSession, model: type[IdempotencyRecordMixin], client_id: str, key: str
) -> IdempotencyRecordMixin | None:
    return await session.scalar(select(model).where(model.client_id == client_id, model.key == key))


def check_key(key: str) -> None:
    if not 1 <= len(key) <= 128:
        raise ValidationFailed(
            [FieldError("header.Idempotency-Key", "idempotency_key_invalid", "长度应为1至128")]
        )


def _replay(existing: IdempotencyRecordMixin, digest: str) -> tuple[int, Any]:
    if existing.request_hash != digest:
        raise ValidationFailed(
            [
                FieldError(
                    "header.Idempotency-Key",
                    "idempotency_key_reused",
                    "该幂等键已用于内容不同的请求",
                )
            ]
        )
    if existing.status_code is None:
        raise Conflict("相同幂等键的请求正在处理中，请稍后重试", code="idempotency_in_progress")
    return existing.status_code, existing.response_body


async def stored_answer(
    session: AsyncSession,
    model: type[IdempotencyRecordMixin],
    *,
    client_id: str,
    key: str,
    digest: str,
) -> tuple[int, Any] | None:
    """The stored response to (client, key), None if there is none yet; for writers that claim
    the key in their own transaction (complaint intake's group commit)."""
    existing = await _record(session, model, client_id, key)
    return None if existing is None else _replay(existing, digest)


async def begin(
    session: AsyncSession,
    model: type[IdempotencyRecordMixin],
    *,
    client_id: str,
    key: str,
    payload: Any = None,
    digest: str | None = None,
) -> tuple[IdempotencyRecordMixin, tuple[int, Any] | None]:
    """Claim ``key``: the record to complete, and the stored response if this is a replay.
    The request is told by ``payload`` (hashed here) or by its ``digest``."""
    check_key(key)
    if digest is None:
        digest = request_hash(payload)
    existing = await _record(session, model, client_id, key)
    if existing is not None:
        return existing, _replay(existing, digest)
    record = model()
    record.client_id, record.key, record.request_hash, record.created_at = client_id, key, digest, utcnow()
    session.add(record)
    try:
        # Flushed first: a concurrent twin waits on the unique index, then fails here.
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("相同幂等键的请求正在处理中，请稍后重试", code="idempotency_in_progress") from exc
    return record, None


def complete(record: IdempotencyRecordMixin, status_code: int, body: Any) -> None:
    record.status_code = status_code
    record.response_body = body


@dataclass(frozen=True)
class Once:
    """A request's ``Idempotency-Key`` with the session and the caller it is claimed for: what
    a creating route takes (a service's ``OnceDep``, made with ``once_for``) to answer once per key."""

    session: AsyncSession
    model: type[IdempotencyRecordMixin]
    client_id: str
    key: str | None

    async def created(self, produce: Callable[[], Awaitable[BaseModel]], *, payload: Any) -> JSONResponse:
        """201 with what ``produce`` made, or the first answer to this key."""

        async def made() -> tuple[int, BaseModel]:
            return 201, await produce()

        return await self.answer(made, payload=payload)

    async def answer(
        self,
        produce: Callable[[], Awaitable[tuple[int, BaseModel]]],
        *,
        payload: Any = None,
        digest: str | None = None,
    ) -> JSONResponse:
        """The status and body ``produce`` chose (201 created, 200 updated or already known),
        or the first answer to this key; ``digest`` tells a request by its raw body."""
        record = None
        if self.key is not None:
            record, replay = await begin(
                self.session,
                self.model,
                client_id=self.client_id,
                key=self.key,
                payload=payload,
                digest=digest,
            )
            if replay is not None:
                return JSONResponse(replay[1], status_code=replay[0])
        status_code, out = await produce()
        body = out.model_dump(mode="json")
        if record is not None:
            complete(record, status_code, body)
        return JSONResponse(body, status_code=status_code)


def once_for(model: type[IdempotencyRecordMixin]) -> Callable[..., Awaitable[Once]]:
    """The dependency of ``Annotated[Once, Depends(once_for(Model))]`` for a service's
    idempotency table; the route's own ``SessionDep`` is the same session (FastAPI resolves it
    once per request)."""

    async def once(session: SessionDep, identity: IdentityDep, key: IdempotencyKeyHeader = None) -> Once:
        return Once(session, model, identity.client_id, key)

    return once
