"""Turnout by gender and age group: every group listed, groups under 10 hidden, hand-worked."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.pages.turnout_view import breakdown
from api.voting.schemas import BallotBody, ProfileIn
from ballots.participation import AGE_GROUPS, GENDERS, Profile


def test_two_small_groups_hide_each_other():
    # female 12, male 9, other none, not said 2: male and not-said are under 10, so both hidden; other is empty
    counts = [("female", 7), ("female", 5), ("male", 9), (None, 2)]
    assert breakdown(counts, GENDERS) == (("female", 12), ("male", None), ("other", None), ("not-said", None))


def test_one_small_group_takes_the_next_smallest_with_it():
    # 18-29: 10, 30-44: 11, not said 2 (the only small one): 18-29 is hidden too, else 2 = total - 21
    counts = [("18-29", 10), ("30-44", 11), (None, 2)]
    shown = breakdown(counts, AGE_GROUPS)
    assert shown == (
        ("under-18", None),
        ("18-29", None),
        ("30-44", 11),
        ("45-64", None),
        ("65+", None),
        ("not-said", None),
    )


def test_groups_of_ten_or_more_are_all_shown():
    counts = [("female", 10), ("male", 14), ("other", 10), (None, 31)]
    assert breakdown(counts, GENDERS) == (("female", 10), ("male", 14), ("other", 10), ("not-said", 31))


def test_schema_lists_match_the_participation_lists():
    for gender in GENDERS:
        assert ProfileIn(gender=gender).to_profile() == Profile(gender, None)
    for group in AGE_GROUPS:
        assert ProfileIn(age_group=group).to_profile() == Profile(None, group)


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"gender": "woman"}, ("profile", "gender")),
        ({"age_group": "40-50"}, ("profile", "age_group")),
        ({"gender": "female", "religion": "x"}, ("profile", "religion")),
    ],
)
def test_a_ballot_body_refuses_a_bad_profile_naming_the_field(profile, field):
    with pytest.raises(ValidationError) as caught:
        BallotBody(selections=["a"], profile=profile)
    assert [error["loc"] for error in caught.value.errors()] == [field]


def test_a_ballot_body_maps_its_profile_into_the_intake_ballot():
    body = BallotBody(selections=["a"], profile={"gender": "other", "age_group": None})
    assert body.to_input().profile == Profile("other", None)
    assert BallotBody(selections=["a"]).to_input().profile == Profile()
