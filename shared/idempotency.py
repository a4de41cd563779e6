"""``Idempotency-Key`` for creating POSTs (contract): a retry with the same key and body gets
the first response; the same key with another body is 422. Keys are per API client."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import JSON, Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.db import UTCDateTime, utcnow
from shared.errors import Conflict, FieldError, ValidationFailed


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
    payload: Any,
) -> tuple[IdempotencyRecordMixin, tuple[int, Any] | None]:
    """Claim ``key``: the record to complete, and the stored response if this is a replay."""
    check_key(key)
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


async def run_once(
    session: AsyncSession,
    model: type[IdempotencyRecordMixin],
    *,
    client_id: str,
    key: str | None,
    payload: Any,
    status_code: int,
    produce: Callable[[], Awaitable[BaseModel]],
) -> tuple[int, Any]:
    """Run ``produce`` once per (client, key): a retry gets the stored status and body."""
    record = None
    if key is not None:
        record, replay = await begin(session, model, client_id=client_id, key=key, payload=payload)
        if replay is not None:
            return replay
    body = (await produce()).model_dump(mode="json")
    if record is not None:
        complete(record, status_code, body)
    return status_code, body
