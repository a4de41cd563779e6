"""Cursor pagination: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": ...}`` out.

The cursor is an opaque, URL-safe encoding of the sort key of the last item returned, so
pages stay stable while rows are being added (keyset pagination, no OFFSET scans).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Depends, Query
from pydantic import BaseModel

from shared.errors import FieldError, ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, orjson.JSONDecodeError, ValueError) as exc:
        raise _invalid_cursor() from exc
    if not isinstance(value, list):
        raise _invalid_cursor()
    return value


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")])


def _time_key(after: list[Any] | None, convert: Callable[[Any], Any]) -> Any:
    if after is None:
        return None
    try:
        at, row_id = after
        return datetime.fromisoformat(str(at)), convert(row_id)
    except (TypeError, ValueError) as exc:
        raise _invalid_cursor() from exc


def time_cursor(after: list[Any] | None) -> tuple[datetime, str] | None:
    """The ``[timestamp, id]`` key of a list sorted by time then id (``encode_cursor`` of the
    last row's), checked: a cursor not of that shape is 422 ``cursor_invalid``."""
    key: tuple[datetime, str] | None = _time_key(after, str)
    return key


def time_serial_cursor(after: list[Any] | None) -> tuple[datetime, int] | None:
    """As ``time_cursor``, for rows numbered by an integer id."""
    key: tuple[datetime, int] | None = _time_key(after, int)
    return key


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    after: list[Any] | None


async def _page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数（1–500）")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512, description="上一页返回的 next_cursor")] = None,
) -> PageParams:
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


PageParamsDep = Annotated[PageParams, Depends(_page_params)]
