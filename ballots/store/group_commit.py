"""Group commit: the transactions of concurrent requests share one database commit.

A commit waits for the disk (SQLite with `synchronous=FULL`, PostgreSQL's WAL flush), so a server that commits each
ballot alone is bound by the disk's flush rate. `GroupCommit.run(work)` queues `work` (a function of a session);
one drainer task per process and database takes every queued work, opens one transaction, runs each work in its
own session inside a SAVEPOINT, commits once, and only then answers each caller. So:

- a caller's answer comes after the commit that holds its writes (nothing acknowledged is lost);
- a work that raises (an already-voted conflict, a rejected ballot, a claimed idempotency key) has its SAVEPOINT
  rolled back and its exception delivered after the commit, as it would have been alone; the others go on;
- each work gets a fresh session (its own identity map), as alone;
- a work that fails with a database error, and every work of a batch whose commit fails, is run again alone, in
  its own transaction, so its answer is exactly the one it would have had without batching.

A work may also come as an item of a `Batcher`, which handles all the items of a batch together in a few statements
(one lookup with `IN`, one multi-row INSERT) instead of a few statements each: it answers each item with an
`Outcome`, as if the item were alone, or asks for the item to be run alone after the batch (`Outcome.again`), as
for a work whose savepoint failed. An item alone (a lone request, or run again) runs the batcher's `alone` work.

While batches run, the next requests queue, so batches grow with the load and a lone request commits at once.
At most `max_concurrent` batches run at once, each on its own connection: one for SQLite (one writer anyway);
two for PostgreSQL, so one batch is built while the other waits for its commit. On PostgreSQL a drainer keeps its
connection from one batch to the next while requests keep coming, and leaves it to the next drainer while another
batch runs (no pool checkout and pre-ping per batch); once all is quiet every connection is back in the pool before
the last answers go out. A batch's answers go out in the event loop's next step, once the drainer has handed the
next batch's first statement to the database: sending them (HTTP, most of the server's work) then overlaps the
database's work (measured with `make bench-api`: +5-15% on both databases). A batch of one runs alone on that
connection too. More batches at once make each
smaller, and a batch costs the same few statements whatever its size (measured with `make bench-api` before
these statements were merged: 1, 2, 4 and 8 concurrent batches gave about 1,180, 1,490, 1,310 and 1,370 ballots/s
here). Two batches that wait on each other's rows (the same residents voting twice at once, in opposite orders) are a
deadlock PostgreSQL breaks by failing one statement: that work is then run again alone, as any database error, and
a work alone that is a deadlock's victim is run again (up to `ALONE_ATTEMPTS` times). Ballot rows are locked
before idempotency keys, each in a fixed order, on every path, which keeps such deadlocks rare.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

__all__ = ["Batcher", "GroupCommit", "Outcome", "Work"]

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 -- the item type of a batcher
I_contra = TypeVar("I_contra", contravariant=True)
Work = Callable[[AsyncSession], Awaitable[T]]
"""A unit of work: runs its statements on the session it is given and never commits."""


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """What a batcher answers for one item: its value, its error, or `again` (run it alone after the batch)."""

    value: T | None = None
    error: Exception | None = None
    again: bool = False


class Batcher(Protocol[I_contra, T]):
    """Handles many items of one kind in one transaction."""

    async def run_many(self, session: AsyncSession, items: Sequence[I_contra]) -> list[Outcome[T]]:
        """One outcome per item, in order; the statements run on `session`, which never commits.

        An item's writes must be in the session only if its outcome is a value: an error or `again` leaves none.
        """
        ...

    def alone(self, item: I_contra) -> Work[T]:
        """The work of one item on its own."""
        ...


DEFAULT_MAX_BATCH = 64
ALONE_ATTEMPTS = 3
RETRIED_STATES = frozenset({"40P01", "40001"})
"""PostgreSQL's deadlock and serialization failures: the transaction was rolled back and may simply run again."""
POSTGRESQL_CONCURRENT_BATCHES = 2


@dataclass(slots=True, eq=False)
class _Pending(Generic[T]):
    work: Work[T]
    future: asyncio.Future[T]
    batcher: Batcher[Any, T] | None = None
    item: Any = None
    value: T | None = None
    error: BaseException | None = None
    again: bool = field(default=False)  # run alone after the batch (a database error inside its savepoint)

    def deliver(self) -> None:
        if self.future.done():  # the caller gave up waiting (cancelled); its writes stand, like a lost reply
            return
        if self.error is not None:
            self.future.set_exception(self.error)
        else:
            self.future.set_result(self.value)  # type: ignore[arg-type]


class GroupCommit:
    """Runs units of work in shared transactions, one commit per batch.

    Args:
        sessions: the store's session factory (bound to its engine).
        max_batch: the most works in one transaction (bounds the wait of the first in the batch).
        max_concurrent: the most batches running at once; default 1 on SQLite, 2 on other databases.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_concurrent: int | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        self._sessions = sessions
        self._max_batch = max_batch
        if max_concurrent is None:
            max_concurrent = 1 if self._engine().dialect.name == "sqlite" else POSTGRESQL_CONCURRENT_BATCHES
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1, not {max_concurrent}")
        self._max_concurrent = max_concurrent
        self._queue: deque[_Pending[Any]] = deque()
        self._draining = 0  # drainers that have not yet found the queue empty
        self._busy = 0  # drainers running a batch
        self._warm: list[AsyncConnection] = []  # connections parked by drainers that ended while others ran
        self._drainers: set[asyncio.Task[None]] = set()  # strong references to the running drainer tasks

    async def run(self, work: Work[T]) -> T:
        """Run `work` in a transaction, possibly shared, and return its value once that transaction committed.

        Raises:
            Exception: whatever `work` raised (its writes rolled back), once the batch it ran in has ended.
        """
        return await self._enqueue(_Pending(work, asyncio.get_running_loop().create_future()))

    async def run_item(self, batcher: Batcher[I, T], item: I) -> T:
        """Run `item` with the other items of `batcher` queued with it, and return its value once committed.

        Raises:
            Exception: the item's error (its writes rolled back), once the batch it ran in has ended.
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        return await self._enqueue(_Pending(batcher.alone(item), future, batcher, item))

    async def _enqueue(self, pending: _Pending[T]) -> T:
        loop = asyncio.get_running_loop()
        self._queue.append(pending)
        if self._draining < self._max_concurrent:
            # counted now and uncounted in the same loop step where the drainer sees an empty queue, so a work
            # queued after that step always finds a drainer coming
            self._draining += 1
            drainer = loop.create_task(self._drain())
            self._drainers.add(drainer)
            drainer.add_done_callback(self._drainers.discard)
        return await pending.future

    async def _drain(self) -> None:
        engine = self._engine()
        held = _HeldConnection(engine, self._warm, keep=engine.dialect.name != "sqlite")
        try:
            await asyncio.sleep(0)  # requests scheduled in the same loop turn join the first batch
            while self._queue:
                self._busy += 1
                try:
                    await self._drain_batch(held)
                finally:
                    self._busy -= 1
        finally:
            self._draining -= 1  # before any await: the queue was found empty in this loop step
            await held.drop()

    async def _drain_batch(self, held: _HeldConnection) -> None:
        count = min(len(self._queue), self._max_batch)
        batch = [self._queue.popleft() for _ in range(count)]
        batch = [p for p in batch if not p.future.done()]  # callers cancelled before their turn write nothing
        try:
            await self._run_batch(batch, held)
        except BaseException as exc:
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(exc)
            raise

    async def _settle(self, held: _HeldConnection) -> None:
        """Before answering, keep, park or give back the drainer's connection (`_HeldConnection.settle`).

        Once all is quiet, a caller who got its answer finds every connection back in the pool, as before batching.
        """
        await held.settle(more=bool(self._queue), others_busy=self._busy > 1)

    async def _run_batch(self, batch: list[_Pending[Any]], held: _HeldConnection) -> None:
        if len(batch) == 1:
            await self._run_alone(batch[0], held)
            return
        works = [p for p in batch if p.batcher is None]
        groups: dict[int, list[_Pending[Any]]] = {}
        for pending in batch:
            if pending.batcher is not None:
                groups.setdefault(id(pending.batcher), []).append(pending)
        try:
            connection = await held.connection()
            async with connection.begin():
                for group in groups.values():
                    await self._run_group(connection, group, savepoint=len(groups) > 1 or bool(works))
                for pending in works:
                    await self._run_in_savepoint(connection, pending)
        except SQLAlchemyError:
            # the shared transaction failed (commit, lost connection): nothing of it was stored
            await held.drop()  # the next batch checks out a connection again (and pings it)
            for pending in batch:
                await self._run_alone(pending, held)
            return
        await self._settle(held)
        # answered in the loop's next step, not now: sending the answers (HTTP, the bulk of the server's work) then
        # runs while the database starts on the next batch, whose first statement the drainer hands over first
        answered = [pending for pending in batch if not pending.again]
        asyncio.get_running_loop().call_soon(_deliver_all, answered)
        for pending in batch:
            if pending.again:
                await self._run_alone(pending, held)

    async def _run_group(self, connection: AsyncConnection, group: list[_Pending[Any]], *, savepoint: bool) -> None:
        """The items of one batcher, in a SAVEPOINT when they share the transaction with other works."""
        batcher = group[0].batcher
        assert batcher is not None  # noqa: S101 -- grouped by batcher
        mode = "create_savepoint" if savepoint else "rollback_only"
        session = self._sessions(bind=connection, join_transaction_mode=mode)
        try:
            if savepoint:
                async with session.begin():  # a SAVEPOINT, in this join mode
                    outcomes = await batcher.run_many(session, [p.item for p in group])
            else:
                outcomes = await batcher.run_many(session, [p.item for p in group])
        except SQLAlchemyError:
            if not savepoint:
                raise  # the transaction is broken: every work of the batch runs alone
            outcomes = [Outcome(again=True)] * len(group)
        finally:
            await session.close()
        for pending, outcome in zip(group, outcomes, strict=True):
            pending.value, pending.error, pending.again = outcome.value, outcome.error, outcome.again

    async def _run_in_savepoint(self, connection: AsyncConnection, pending: _Pending[Any]) -> None:
        session = self._sessions(bind=connection, join_transaction_mode="create_savepoint")
        try:
            async with session.begin():
                pending.value = await pending.work(session)
        except SQLAlchemyError:
            pending.again = True
        except Exception as exc:  # noqa: BLE001 -- the caller's own outcome, delivered to it after the commit
            pending.error = exc
        finally:
            await session.close()

    async def _run_alone(self, pending: _Pending[Any], held: _HeldConnection) -> None:
        """The work in its own transaction, on the drainer's connection if it keeps one (else one from the pool)."""
        for attempt in range(1, ALONE_ATTEMPTS + 1):
            pending.value, pending.error = None, None
            try:
                connection = await held.connection()
                async with self._sessions(bind=connection) as session, session.begin():
                    pending.value = await pending.work(session)
            except DBAPIError as exc:
                pending.error = exc
                await held.drop()
                if _sqlstate(exc) in RETRIED_STATES and attempt < ALONE_ATTEMPTS:
                    continue  # chosen as a deadlock's victim: nothing of it was stored; run it again
            except SQLAlchemyError as exc:
                pending.error = exc
                await held.drop()
            except Exception as exc:  # noqa: BLE001 -- the caller's own outcome
                pending.error = exc
            break
        await self._settle(held)
        pending.deliver()

    def _engine(self) -> AsyncEngine:
        bind = self._sessions.kw.get("bind")
        if not isinstance(bind, AsyncEngine):
            raise TypeError("GroupCommit needs a session factory bound to an AsyncEngine")
        return bind


def _deliver_all(pendings: list[_Pending[Any]]) -> None:
    for pending in pendings:
        pending.deliver()


class _HeldConnection:
    """A drainer's connection, kept from one batch to the next while the queue is not empty.

    A checkout from the pool costs a pre-ping (on PostgreSQL with asyncpg, BEGIN, an empty query and ROLLBACK: three
    round trips) for every batch. Instead a drainer keeps its connection while work waits, and a drainer that ends
    while another one runs a batch parks it (`warm`) for the next drainer; the last one to end gives every parked
    connection back to the pool. A connection whose work failed on the database is given back and not reused, so a
    connection lost with its server is replaced on the next checkout, which pings it. SQLite's pool holds one
    connection, which the other writers need: there (`keep` off) it goes back to the pool after each batch.
    """

    def __init__(self, engine: AsyncEngine, warm: list[AsyncConnection], *, keep: bool) -> None:
        self._engine = engine
        self._warm = warm
        self._keep = keep
        self._connection: AsyncConnection | None = None

    async def connection(self) -> AsyncConnection:
        """The connection held, else one parked by a drainer before, else one checked out now."""
        if self._connection is None:
            self._connection = self._warm.pop() if self._warm else await self._engine.connect()
        return self._connection

    async def settle(self, *, more: bool, others_busy: bool) -> None:
        """After a batch, before answering: keep, park or give back the connection.

        Kept if `more` work waits; parked if `others_busy` (drainers running a batch); else given back to the pool
        with every parked one. On SQLite always given back.
        """
        if self._keep and more:
            return
        if self._keep and others_busy and self._connection is not None:
            self._warm.append(self._connection)
            self._connection = None
            return
        await self.drop()
        while self._warm and not others_busy:
            await self._warm.pop().close()

    async def drop(self) -> None:
        """Give the connection back to the pool (its work failed on the database, or the drainer ends)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()


def _sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", "") or "")
