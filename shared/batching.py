"""Group commit: writes submitted by concurrent requests, committed together.

A write that must hold a hot row until its commit (the year's case-number counter, a client's
daily quota counter of credit checks) serialises every request on that row: each waits for the
others' statements, their round trips and their commits in turn. Here the first request to
arrive writes at once; the ones that arrive while its write runs queue up and are written by
the next one, all of them together. An idle service writes every request on its own, as
before; a busy one takes the row once per batch instead of once per request. Each submitter
gets its own result, and only after the commit that made its write durable.

A batch that fails is written again one item at a time, so one bad item fails alone and the
others still commit (after a lost connection the pool is fresh, so they usually do).

``writers`` writes may run at once (PostgreSQL): while one waits on the database, the
next does its first statements and then queues on the hot row, where the database wakes it the
moment the first commits. Keep one on SQLite, which has one writer anyway. A further writer
starts only once ``extra_batch`` items wait for one: a transaction has a fixed cost, and many
small ones cost more than one a little later (make bench, intake, single runs: 1,330 filings/s
with one writer, 1,540 with a second one for any item, 1,450 to 1,760 with one for eight).

:class:`GroupWrite` takes a function that writes a batch durably by itself (one statement
committed on its own, say); :class:`GroupCommit` one that writes it on a session, in a
transaction it begins and commits around it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")

Write = Callable[[AsyncSession, Sequence[ItemT]], Awaitable[Sequence[ResultT]]]
WriteDurably = Callable[[Sequence[ItemT]], Awaitable[Sequence[ResultT]]]


class GroupWrite(Generic[ItemT, ResultT]):
    """Runs ``write(items)`` once per batch; ``write`` returns one result per item, in order,
    once what it wrote is committed."""

    def __init__(
        self,
        write: WriteDurably[ItemT, ResultT],
        *,
        max_batch: int = 200,
        writers: int = 1,
        extra_batch: int = 1,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        if writers < 1:
            raise ValueError("writers must be at least 1")
        if extra_batch < 1:
            raise ValueError("extra_batch must be at least 1")
        self._write = write
        self._max_batch = max_batch
        self._max_writers = writers
        self._extra_batch = extra_batch
        self._queue: list[tuple[ItemT, asyncio.Future[ResultT]]] = []
        self._writers: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        # How many batches were written, and how many items they held (read by the tests).
        self.batches = 0
        self.items = 0

    async def submit(self, item: ItemT) -> ResultT:
        """Write ``item`` (with whatever else is queued) and return its result once committed."""
        loop = self._loop
        if loop is None:
            # One event loop per instance (the app's); on Python 3.11 every get_running_loop()
            # is a getpid() system call.
            loop = self._loop = asyncio.get_running_loop()
        future: asyncio.Future[ResultT] = loop.create_future()
        self._queue.append((item, future))
        if not self._writers or (
            len(self._writers) < self._max_writers and len(self._queue) >= self._extra_batch
        ):
            # A task, not the submitter itself: a cancelled request must not stop the writes
            # of the others (nor its own, which is then committed all the same).
            self._writers.add(loop.create_task(self._drain()))
        # Not shielded: a cancelled submitter cancels only its future, which the writer then
        # leaves alone (its item is written all the same).
        return await future

    async def close(self) -> None:
        """Wait until everything submitted is written (at shutdown)."""
        while self._writers:
            await asyncio.gather(*(asyncio.shield(w) for w in list(self._writers)))

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                await self._commit(batch)
        finally:
            # At once, not in a done callback: a submit arriving after the last batch must
            # see this writer gone and start another.
            task = asyncio.current_task()
            assert task is not None
            self._writers.discard(task)

    async def _commit(self, batch: list[tuple[ItemT, asyncio.Future[ResultT]]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"write returned {len(results)} results for {len(batch)} items")
        except Exception as exc:
            if len(batch) > 1:
                for one in batch:
                    await self._commit([one])
                return
            _, future = batch[0]
            if not future.done():
                future.set_exception(exc)
            return
        self.batches += 1
        self.items += len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


class GroupCommit(GroupWrite[ItemT, ResultT]):
    """Runs ``write(session, items)`` in one transaction per batch; ``write`` returns one result
    per item, in order, and must not commit."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        write: Write[ItemT, ResultT],
        *,
        max_batch: int = 200,
        writers: int = 1,
        extra_batch: int = 1,
    ) -> None:
        async def in_transaction(items: Sequence[ItemT]) -> Sequence[ResultT]:
            async with sessionmaker() as session, session.begin():
                results = await write(session, items)
                if len(results) != len(items):  # before the commit: nothing is kept
                    raise RuntimeError(f"write returned {len(results)} results for {len(items)} items")
                return results

        super().__init__(in_transaction, max_batch=max_batch, writers=writers, extra_batch=extra_batch)
