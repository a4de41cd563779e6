"""Where attachment bytes live: a small async blob-store interface and its local-disk implementation.

The service talks only to :class:`Storage`. An S3-compatible object store (MinIO, a government
cloud's OSS) can implement the same Protocol later: ``save`` as a (multipart) upload computing the
digest on the way, ``open`` as a streamed GET, ``delete`` as a DELETE; keys are already valid
object names (``<case_id>/<attachment_id>``).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

import anyio
import anyio.to_thread

from shared.ids import new_hex

__all__ = ["LocalDiskStorage", "ObjectNotFound", "Storage", "StoredObject", "check_key"]

# Each "/"-separated part of a key: starts with a letter or digit (so never "." or ".." and never
# a hidden name, which temp files use), then a short run of safe characters.
_KEY_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_MAX_KEY_PARTS = 8


@dataclass(frozen=True, slots=True)
class StoredObject:
    size: int
    sha256: str


class ObjectNotFound(LookupError):
    """No object is stored under the key."""


class Storage(Protocol):
    async def save(self, key: str, chunks: AsyncIterator[bytes]) -> StoredObject:
        """Store everything ``chunks`` yields under ``key``, replacing any object there.

        All or nothing: if ``chunks`` raises (or the task is cancelled) nothing is left behind and
        the exception propagates.
        """
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; raises :class:`ObjectNotFound` before any byte is read."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; a missing object is not an error."""
        ...


def check_key(key: str) -> list[str]:
    """The key's parts, or ValueError if the key could name anything outside the store."""
    parts = key.split("/")
    if not 1 <= len(parts) <= _MAX_KEY_PARTS or not all(_KEY_PART.fullmatch(p) for p in parts):
        raise ValueError(f"invalid storage key: {key!r}")
    return parts


def _fsync_directory(path: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class LocalDiskStorage:
    """Objects as files under ``root`` (one sub-directory per key prefix).

    A write goes to a hidden temp file in the target's directory, is fsynced, then renamed into
    place, so a reader never sees a partial object and a crash leaves at most a ``.part`` file.
    File I/O runs in worker threads in chunks, so the event loop is never blocked for long.
    """

    def __init__(self, root: Path, *, chunk_size: int = 256 * 1024) -> None:
        # Lexical, no filesystem access: keys are checked part by part, so none can climb out.
        self.root = Path(os.path.abspath(root))
        self.chunk_size = chunk_size

    def path(self, key: str) -> Path:
        target = self.root.joinpath(*check_key(key))
        # Belt and braces: the key rules above already make this impossible.
        if not target.is_relative_to(self.root) or target == self.root:
            raise ValueError(f"invalid storage key: {key!r}")
        return target

    async def save(self, key: str, chunks: AsyncIterator[bytes]) -> StoredObject:
        target = self.path(key)
        await anyio.to_thread.run_sync(partial(target.parent.mkdir, parents=True, exist_ok=True))
        temp = target.with_name(f".{target.name}.{new_hex()}.part")
        digest = hashlib.sha256()
        size = 0
        try:
            async with await anyio.open_file(temp, "xb") as file:
                pending = bytearray()
                async for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    pending += chunk
                    # Request bodies arrive in small pieces: one thread hop per chunk_size, not per piece.
                    if len(pending) >= self.chunk_size:
                        await file.write(bytes(pending))
                        pending.clear()
                if pending:
                    await file.write(bytes(pending))
                await file.flush()
                await anyio.to_thread.run_sync(os.fsync, file.wrapped.fileno())
            await anyio.to_thread.run_sync(os.replace, temp, target)
        except BaseException:
            # Shielded: a cancelled upload must still remove its temp file.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(partial(temp.unlink, missing_ok=True))
            raise
        await anyio.to_thread.run_sync(_fsync_directory, target.parent)
        return StoredObject(size=size, sha256=digest.hexdigest())

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self.path(key)
        # Checked before returning, so a missing file is an error before a response has started.
        if not await anyio.Path(path).is_file():
            raise ObjectNotFound(key)
        return self._read(path)

    async def _read(self, path: Path) -> AsyncIterator[bytes]:
        async with await anyio.open_file(path, "rb") as file:
            while chunk := await file.read(self.chunk_size):
                yield chunk

    async def delete(self, key: str) -> None:
        path = self.path(key)
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(partial(path.unlink, missing_ok=True))
