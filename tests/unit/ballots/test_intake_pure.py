from __future__ import annotations

import pytest

from ballots.credentials import keyed_hash, new_voting_code, normalize_code
from ballots.errors import RateLimited
from ballots.ratelimit import FailureLimiter
from ballots.roll import CensusEntry, parse_census
from pbvote.errors import InvalidElection


def test_codes_are_unambiguous_and_normalize_to_themselves():
    codes = {new_voting_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert not set(code) & set("ILOU")
        assert normalize_code(code) == code.replace("-", "")


def test_keyed_hash_depends_on_the_secret():
    assert keyed_hash(b"one", "code", 1, "X") != keyed_hash(b"two", "code", 1, "X")
    assert keyed_hash(b"one", "code", 1, "X") != keyed_hash(b"one", "code", 2, "X")


def test_limiter_counts_each_key_apart():
    now = [100.0]
    limiter = FailureLimiter(max_failures=3, window=10, clock=lambda: now[0])
    for _ in range(3):
        limiter.fail([("credential", "a"), ("kiosk", "1")])
    with pytest.raises(RateLimited) as caught:
        limiter.check([("credential", "b"), ("kiosk", "1")])
    assert caught.value.scope == "kiosk"
    limiter.check([("credential", "b")])
    now[0] = 104.5
    with pytest.raises(RateLimited) as later:
        limiter.check([("credential", "a")])
    # failures at t=100 leave the 10 s window at t=110: 5.5 s from now, rounded up
    assert later.value.retry_after == 6
    now[0] = 110.0
    limiter.check([("credential", "a"), ("kiosk", "1")])


def test_census_with_all_columns():
    text = "\ufeffidentifier, district ,birth_year\r\n X1 ,north,1990\r\nX2,,\r\n"
    assert parse_census(text, {"north"}) == [CensusEntry("X1", "north", 1990), CensusEntry("X2", None, None)]


def test_census_year_out_of_range():
    with pytest.raises(InvalidElection, match="census line 2: birth_year '1200'"):
        parse_census("identifier,birth_year\nA,1200\n", ())
