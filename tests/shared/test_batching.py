"""Group commit (shared.batching): concurrent submissions share a transaction, each gets its own
result only once it is committed, and a bad item fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case.models import Case
from shared.batching import GroupCommit, GroupWrite
from shared.db import Database
from tests.complaints.helpers import bare_case


@pytest.fixture
async def database(db_urls: dict[str, str]) -> AsyncIterator[Database]:
    database = Database(db_urls["complaints"])
    yield database
    await database.dispose()


async def _stored(database: Database) -> set[str]:
    async with database.sessionmaker() as session:
        return set((await session.scalars(select(Case.case_no))).all())


class Writer:
    """Writes one case per item; the first transaction waits at ``gate`` so that the others queue."""

    def __init__(self, *, gated: bool = True, rows: bool = True) -> None:
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()
        self.rows = rows
        self.batches: list[list[str]] = []

    async def __call__(self, session: AsyncSession, items: Sequence[str]) -> list[str]:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            await self.gate.wait()
        if not self.rows:
            return [f"done {item}" for item in items]
        session.add_all([bare_case(f"id-{item}", item) for item in items])
        await session.flush()
        return [f"stored {item}" for item in items]


async def test_concurrent_submissions_share_one_transaction_and_get_their_own_results(
    database: Database,
) -> None:
    writer = Writer()
    commit: GroupCommit[str, str] = GroupCommit(database.sessionmaker, writer)
    first = asyncio.create_task(commit.submit("N-0"))
    await asyncio.sleep(0)  # the writer starts with N-0 alone and waits at the gate
    rest = [asyncio.create_task(commit.submit(f"N-{k}")) for k in range(1, 9)]
    await asyncio.sleep(0.05)
    assert not any(task.done() for task in [first, *rest])
    assert await _stored(database) == set()
    writer.gate.set()
    results = await asyncio.gather(first, *rest)
    assert results == [f"stored N-{k}" for k in range(9)]
    assert writer.batches == [["N-0"], [f"N-{k}" for k in range(1, 9)]]
    assert (commit.batches, commit.items) == (2, 9)
    assert await _stored(database) == {f"N-{k}" for k in range(9)}
    await commit.close()


async def test_a_result_is_given_only_after_its_commit(database: Database) -> None:
    seen: list[set[str]] = []
    commit: GroupCommit[str, str] = GroupCommit(database.sessionmaker, Writer(gated=False))
    for item in ("A-1", "A-2"):
        await commit.submit(item)
        seen.append(await _stored(database))
    assert seen == [{"A-1"}, {"A-1", "A-2"}]


async def test_a_bad_item_fails_alone_and_the_others_commit(database: Database) -> None:
    writer = Writer()
    commit: GroupCommit[str, str] = GroupCommit(database.sessionmaker, writer)
    first = asyncio.create_task(commit.submit("B-0"))
    await asyncio.sleep(0)
    # B-0 is being written: a second B-0 (a duplicate case number) will break its batch.
    others = [asyncio.create_task(commit.submit(item)) for item in ("B-1", "B-0", "B-2")]
    await asyncio.sleep(0.05)
    writer.gate.set()
    results = await asyncio.gather(first, *others, return_exceptions=True)
    assert results[0] == "stored B-0"
    assert results[1] == "stored B-1" and results[3] == "stored B-2"
    assert isinstance(results[2], IntegrityError)
    # The failed batch, then its items one by one.
    assert writer.batches == [["B-0"], ["B-1", "B-0", "B-2"], ["B-1"], ["B-0"], ["B-2"]]
    assert await _stored(database) == {"B-0", "B-1", "B-2"}
    async with database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 3


async def test_a_cancelled_submitter_is_still_written_and_close_waits(database: Database) -> None:
    writer = Writer()
    commit: GroupCommit[str, str] = GroupCommit(database.sessionmaker, writer, max_batch=2)
    first = asyncio.create_task(commit.submit("C-0"))
    await asyncio.sleep(0)
    queued = [asyncio.create_task(commit.submit(f"C-{k}")) for k in range(1, 6)]
    await asyncio.sleep(0)
    queued[0].cancel()  # its client went away: the case is written all the same
    closing = asyncio.create_task(commit.close())
    await asyncio.sleep(0.05)
    assert not closing.done()
    writer.gate.set()
    await closing
    assert await _stored(database) == {f"C-{k}" for k in range(6)}
    # At most two items per transaction.
    assert [len(batch) for batch in writer.batches] == [1, 2, 2, 1]
    assert await first == "stored C-0" and queued[0].cancelled()
    assert [await task for task in queued[1:]] == [f"stored C-{k}" for k in range(2, 6)]


async def test_two_writers_overlap_and_none_is_left_behind(database: Database) -> None:
    writer = Writer(rows=False)
    commit: GroupCommit[str, str] = GroupCommit(database.sessionmaker, writer, writers=2)
    first = asyncio.create_task(commit.submit("W-0"))
    await asyncio.sleep(0)
    second = asyncio.create_task(commit.submit("W-1"))
    await asyncio.sleep(0.05)
    # The first transaction is still open; the second writer took W-1 meanwhile.
    assert writer.batches == [["W-0"], ["W-1"]] and not first.done()
    assert await second == "done W-1"
    queued = [asyncio.create_task(commit.submit(f"W-{k}")) for k in range(2, 5)]
    writer.gate.set()
    assert await asyncio.gather(first, *queued) == [f"done W-{k}" for k in (0, 2, 3, 4)]
    await commit.close()
    # Both writers have gone: a later submission starts a new one and is written.
    assert await asyncio.wait_for(commit.submit("W-5"), timeout=5) == "done W-5"
    assert sorted(item for batch in writer.batches for item in batch) == [f"W-{k}" for k in range(6)]


async def test_a_second_writer_waits_for_enough_items(database: Database) -> None:
    writer = Writer(rows=False)
    commit: GroupCommit[str, str] = GroupCommit(database.sessionmaker, writer, writers=2, extra_batch=3)
    first = asyncio.create_task(commit.submit("E-0"))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(commit.submit(f"E-{k}")) for k in (1, 2)]
    await asyncio.sleep(0.05)
    assert writer.batches == [["E-0"]]  # two waiting: not enough for a second transaction
    waiting.append(asyncio.create_task(commit.submit("E-3")))
    await asyncio.sleep(0.05)
    assert writer.batches == [["E-0"], ["E-1", "E-2", "E-3"]]
    writer.gate.set()
    assert await asyncio.gather(first, *waiting) == [f"done E-{k}" for k in range(4)]
    await commit.close()


async def test_a_write_that_answers_for_too_few_items_keeps_nothing(database: Database) -> None:
    async def short(session: AsyncSession, items: Sequence[str]) -> list[str]:
        session.add_all([bare_case(f"id-{item}", item) for item in items])
        await session.flush()
        return []

    commit: GroupCommit[str, str] = GroupCommit(database.sessionmaker, short)
    results = await asyncio.gather(commit.submit("S-1"), commit.submit("S-2"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) and "0 results" in str(r) for r in results), results
    assert await _stored(database) == set()


async def test_a_group_write_batches_a_write_that_commits_by_itself() -> None:
    # GroupWrite: no session around it; a batch that fails is written again item by item, and
    # a write that answers for too few items fails its items.
    batches: list[list[int]] = []
    gate = asyncio.Event()

    async def write(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        if len(batches) == 1:
            await gate.wait()
        if 13 in items:
            if len(items) > 1:
                raise RuntimeError("one bad item in the batch")
            return []
        return [item * 10 for item in items]

    group: GroupWrite[int, int] = GroupWrite(write)
    first = asyncio.create_task(group.submit(1))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(group.submit(n)) for n in (2, 13, 4)]
    await asyncio.sleep(0.01)
    gate.set()
    results = await asyncio.gather(first, *rest, return_exceptions=True)
    await group.close()
    assert results[:2] == [10, 20] and results[3] == 40
    assert isinstance(results[2], RuntimeError) and "0 results for 1 items" in str(results[2])
    assert batches == [[1], [2, 13, 4], [2], [13], [4]]
    assert (group.batches, group.items) == (3, 3)


def test_max_batch_and_writers_must_be_positive(database: Database) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        GroupCommit(database.sessionmaker, Writer(), max_batch=0)
    with pytest.raises(ValueError, match="writers"):
        GroupCommit(database.sessionmaker, Writer(), writers=0)
    with pytest.raises(ValueError, match="extra_batch"):
        GroupCommit(database.sessionmaker, Writer(), extra_batch=0)
