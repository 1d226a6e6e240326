"""The failure limiter: a sliding window per key, and memory bounded by the failures of the last window."""

from __future__ import annotations

import pytest

from ballots.errors import RateLimited
from ballots.ratelimit import FailureLimiter


def test_a_key_is_refused_after_its_failures_until_the_oldest_leaves_the_window():
    now = [0.0]
    limiter = FailureLimiter(max_failures=3, window=60, clock=lambda: now[0])
    for t in (0.0, 10.0, 20.0):
        now[0] = t
        limiter.fail([("credential", "a")])
    now[0] = 30.0
    with pytest.raises(RateLimited) as refused:
        limiter.check([("credential", "a")])
    assert refused.value.retry_after == 30  # the failure at 0 leaves the window at 60
    limiter.check([("credential", "b")])  # another key is not affected
    now[0] = 60.0
    limiter.check([("credential", "a")])  # two failures left in the window


def test_keys_tried_once_and_never_again_do_not_accumulate():
    # a guesser trying a new code each time: each key fails once and is never looked at again
    now = [0.0]
    limiter = FailureLimiter(max_failures=5, window=60, clock=lambda: now[0])
    for i in range(100_000):
        now[0] = i * 0.01  # 100 guesses a second: 6,000 within any window of 60 s
        limiter.fail([("credential", f"guess-{i}")])
        assert len(limiter) <= 2 * 6_001 + 1
    assert len(limiter) >= 6_000  # the last window's failures are all still counted


def test_a_sweep_keeps_the_failures_still_in_the_window():
    now = [0.0]
    limiter = FailureLimiter(max_failures=2, window=60, clock=lambda: now[0])
    limiter.fail([("kiosk", "7")])
    limiter.fail([("kiosk", "7")])
    for i in range(5_000):  # enough new keys to sweep several times, all within the window
        limiter.fail([("credential", f"x{i}")])
    with pytest.raises(RateLimited):
        limiter.check([("kiosk", "7")])
