"""One request at a time per idempotency key, in this server process.

A resident who double-clicks, or a client that retries before its first answer came, sends the same key twice at
once. Were both in flight together, their ballots would meet in the database: in one batch the second is set aside
and run after it, but in two concurrent batches the second batch's key insert fails on the first one's key and the
whole batch runs again, one ballot at a time. Holding the key here instead makes the second request wait for the
first one's answer and then replay it, as any later retry does. The database's unique constraint still decides
between requests of different processes; this only keeps one process from racing itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager

__all__ = ["KeyLocks"]


class KeyLocks:
    """A lock per key, made when first held and dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        """No key held."""
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold `key` for the block, after whoever holds it now (and whoever came before us)."""
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        """How many keys are held or waited for."""
        return len(self._locks)
