"""One request at a time per idempotency key: the same key waits its turn, other keys do not, nothing is kept."""

from __future__ import annotations

import asyncio

from ballots.key_locks import KeyLocks


def test_the_same_key_waits_and_other_keys_run_together():
    async def scenario() -> list[str]:
        locks = KeyLocks()
        events: list[str] = []

        async def request(name: str, key: str) -> None:
            async with locks.hold(key):
                events.append(f"{name} in")
                await asyncio.sleep(0.01)
                events.append(f"{name} out")

        await asyncio.gather(request("first", "k"), request("retry", "k"), request("other", "j"))
        assert len(locks) == 0  # nobody holds or waits: no key kept
        return events

    events = asyncio.run(scenario())
    assert events.index("first out") < events.index("retry in")  # the retry waited for the first's answer
    assert events.index("other in") < events.index("first out")  # another key did not wait


def test_a_waiter_cancelled_in_line_neither_blocks_nor_skips_the_line():
    async def scenario() -> list[str]:
        locks = KeyLocks()
        events: list[str] = []
        release = asyncio.Event()

        async def first() -> None:
            async with locks.hold("k"):
                events.append("first in")
                await release.wait()
                events.append("first out")

        async def later(name: str) -> None:
            async with locks.hold("k"):
                events.append(f"{name} in")

        holder = asyncio.create_task(first())
        await asyncio.sleep(0)
        cancelled = asyncio.create_task(later("cancelled"))
        third = asyncio.create_task(later("third"))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.sleep(0.01)
        assert not third.done()  # still behind the first, which holds the key
        release.set()
        await asyncio.gather(holder, third)
        assert len(locks) == 0
        return events

    assert asyncio.run(scenario()) == ["first in", "first out", "third in"]
