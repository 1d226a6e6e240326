"""`compile_profile`'s numpy grouping equals the plain `Counter` of tuples it replaces, on any ballots."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from tally.profile import CompiledProfile, compile_profile, compile_profile_counter


@st.composite
def profiles(draw: st.DrawFn) -> tuple[Election, list[Ballot]]:
    """Few or many projects (many forces several packed words per ballot), repeated and empty ballots, and
    approval ballots naming a project twice (compile_profile does not validate, so it must still agree)."""
    projects = draw(st.sampled_from([1, 2, 3, 7, 70, 300]))
    vote_type = draw(st.sampled_from([VoteType.APPROVAL, VoteType.ORDINAL, VoteType.CHOOSE_1]))
    ids = [ProjectId(f"p{j}") for j in range(projects)]
    election = Election(10, tuple(Project(p, j) for j, p in enumerate(ids)), BallotRules(vote_type=vote_type))
    pool = draw(st.lists(st.lists(st.sampled_from(ids), max_size=20), min_size=1, max_size=6))
    picks = draw(st.lists(st.integers(0, len(pool) - 1), max_size=40))
    return election, [Ballot(str(i), tuple(pool[k])) for i, k in enumerate(picks)]


def assert_same(fast: CompiledProfile, reference: CompiledProfile) -> None:
    assert fast.groups == reference.groups
    assert fast.points == reference.points
    assert fast.weights.dtype == reference.weights.dtype
    assert fast.weights.tolist() == reference.weights.tolist()
    assert fast.support.dtype == reference.support.dtype
    assert fast.support.tolist() == reference.support.tolist()
    assert fast.voters == reference.voters
    assert fast.project_ids == reference.project_ids
    assert np.array_equal(fast.costs, reference.costs)


@given(profiles())
def test_numpy_grouping_equals_counter(case):
    election, ballots = case
    assert_same(compile_profile(election, ballots), compile_profile_counter(election, ballots))


def test_packed_order_is_tuple_order():
    # Hand-checked: as tuples, () < (0,) < (0, 1) < (0, 2) < (1,); with 300 projects each index takes 9 bits,
    # so (0, 1) packs to 1 << 54 | 2 << 45 and (1,) to 2 << 54: a shorter ballot sorts before its extensions.
    ids = [ProjectId(f"p{j}") for j in range(300)]
    election = Election(10, tuple(Project(p, 1) for p in ids))
    ballots = [Ballot(str(i), tuple(ids[j] for j in s)) for i, s in enumerate([(1,), (2, 0), (0,), (), (1, 0), ()])]
    compiled = compile_profile(election, ballots)
    assert compiled.groups == ((), (0,), (0, 1), (0, 2), (1,))
    assert compiled.weights.tolist() == [2, 1, 1, 1, 1]  # (), (0,), (1, 0), (2, 0), (1,)
    assert compiled.support.tolist()[:3] == [3, 2, 1]  # p0 on (2, 0), (0,), (1, 0); p1 on (1,), (1, 0); p2 once
