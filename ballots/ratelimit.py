"""Limits on failed credential attempts, per credential and per kiosk (never per IP address).

Whole neighbourhoods share one address, so an address says nothing about who guesses. A key is a keyed hash of
the credential tried, or a kiosk's id; after `max_failures` failures within `window` seconds the key is refused
until the oldest failure leaves the window. The counts live in the server's memory: a restart forgives them.
Memory stays bounded by the failures of the last window: a key tried once and never again (a guesser trying a new
code each time) is swept out with the other idle keys once the table has doubled since the last sweep.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence

from ballots.errors import RateLimited

__all__ = ["FailureLimiter"]

_FIRST_SWEEP = 1024


class FailureLimiter:
    """A sliding-window count of failures per key.

    >>> now = [0.0]
    >>> limiter = FailureLimiter(max_failures=2, window=60, clock=lambda: now[0])
    >>> limiter.fail([("kiosk", "1")]); limiter.fail([("kiosk", "1")])
    >>> try:
    ...     limiter.check([("kiosk", "1")])
    ... except RateLimited as exc:
    ...     exc.retry_after
    60
    >>> now[0] = 61.0; limiter.check([("kiosk", "1")])
    """

    def __init__(self, *, max_failures: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_failures
        self._window = window
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._sweep_at = _FIRST_SWEEP

    def check(self, keys: Sequence[tuple[str, str]]) -> None:
        """Refuse when any key has used up its failures.

        Raises:
            RateLimited: naming the scope (`credential`, `kiosk`) and the seconds to wait.
        """
        now = self._clock()
        for key in keys:
            times = self._prune(key, now)
            if times is not None and len(times) >= self._max:
                retry_after = max(1, math.ceil(times[0] + self._window - now))
                raise RateLimited(key[0], retry_after)

    def fail(self, keys: Sequence[tuple[str, str]]) -> None:
        """Count one failure against each key."""
        now = self._clock()
        for key in keys:
            times = self._prune(key, now)
            if times is None:
                times = self._failures[key] = deque()
            times.append(now)
        if len(self._failures) >= self._sweep_at:
            self._sweep(now)

    def __len__(self) -> int:
        """How many keys have failures counted (idle ones may remain until the next sweep)."""
        return len(self._failures)

    def _sweep(self, now: float) -> None:
        """Drop every key with no failure left in the window; amortised O(1) a failure (the table doubles first)."""
        for key in list(self._failures):
            self._prune(key, now)
        self._sweep_at = max(_FIRST_SWEEP, 2 * len(self._failures))

    def _prune(self, key: tuple[str, str], now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times:
            # idle keys are dropped, so guessing with many credentials cannot grow memory without bound
            del self._failures[key]
            return None
        return times
