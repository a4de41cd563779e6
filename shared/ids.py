"""Random (version 4) UUIDs from random bytes fetched in bulk.

``uuid.uuid4()`` asks the kernel for 16 bytes each time: a system call per id, and a filing
takes several (the case, its events, the request id). Here one ``os.urandom`` call serves 256
ids; the bytes are the same CSPRNG output, the ids the same RFC 9562 version-4 UUIDs. A forked
child starts with a fresh buffer (never the parent's bytes), and a lock keeps two threads from
taking the same slice.
"""

from __future__ import annotations

import os
import threading

_CHUNK = 16 * 256

_lock = threading.Lock()
_buffer = b""
_offset = 0


def _reset() -> None:
    global _buffer, _offset
    _buffer, _offset = b"", 0


os.register_at_fork(after_in_child=_reset)


def _random16() -> bytearray:
    global _buffer, _offset
    with _lock:
        if _offset >= len(_buffer):
            _buffer, _offset = os.urandom(_CHUNK), 0
        raw = bytearray(_buffer[_offset : _offset + 16])
        _offset += 16
    return raw


def new_hex() -> str:
    """A version-4 UUID as 32 hex digits (``uuid4().hex``)."""
    raw = _random16()
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 9562 variant
    return raw.hex()


def new_uuid() -> str:
    """A version-4 UUID in its canonical form (``str(uuid4())``)."""
    h = new_hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
