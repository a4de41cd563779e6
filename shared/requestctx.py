"""Per-request context (request id, caller) carried in contextvars for logs and errors."""

from __future__ import annotations

import re
from contextvars import ContextVar

from shared.ids import new_hex

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# A request id from outside is echoed only if it is short and harmless in a log line.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_for(value: str | None) -> str:
    """The request id of a request that brought ``value`` (its own, if usable, else a new one)."""
    return value if value and _SAFE_REQUEST_ID.match(value) else new_hex()


def set_request_id(value: str | None) -> str:
    """:func:`request_id_for`, and set as this context's for its log lines."""
    request_id = request_id_for(value)
    _request_id.set(request_id)
    return request_id
