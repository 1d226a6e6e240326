"""Participation keys, age groups and the declared values: pure functions, checked by hand-worked cases."""

from __future__ import annotations

import pytest

from ballots.credentials import keyed_hash
from ballots.participation import (
    AGE_GROUPS,
    GENDERS,
    Participation,
    Profile,
    age_group_of,
    participation_key,
)


@pytest.mark.parametrize(
    ("birth_year", "group"),
    [
        (2009, "under-18"),  # 17 in 2026
        (2008, "18-29"),  # 18
        (1997, "18-29"),  # 29
        (1996, "30-44"),  # 30
        (1982, "30-44"),  # 44
        (1981, "45-64"),  # 45
        (1962, "45-64"),  # 64
        (1961, "65+"),  # 65
        (1920, "65+"),
    ],
)
def test_age_group_from_the_roll_counts_years_reached_in_the_reference_year(birth_year, group):
    assert age_group_of(birth_year, 2026, None) == group


def test_the_rolls_birth_year_wins_over_what_is_declared():
    assert age_group_of(1990, 2026, "65+") == "30-44"


@pytest.mark.parametrize(("birth_year", "reference_year"), [(None, 2026), (1990, None), (None, None)])
def test_without_birth_year_or_reference_year_the_declared_group_stands(birth_year, reference_year):
    assert age_group_of(birth_year, reference_year, "45-64") == "45-64"
    assert age_group_of(birth_year, reference_year, None) is None


def test_an_unknown_declared_age_group_is_refused_by_name():
    with pytest.raises(ValueError, match=r"age_group: '40-50' is not one of under-18, 18-29"):
        age_group_of(None, 2026, "40-50")


def test_participation_key_is_not_the_ballots_voter_link():
    secret = b"server-secret"
    key = participation_key(secret, 3, 41)
    assert key != keyed_hash(secret, "link", 3, 41)  # ballots.intake.common.voter_link of the same roll entry
    assert key == participation_key(secret, 3, 41)
    assert len({key, participation_key(secret, 3, 42), participation_key(secret, 4, 41)}) == 3
    assert participation_key(b"another-secret", 3, 41) != key
    assert len(key) == 64


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"gender": "woman"}, "gender: 'woman' is not one of female, male, other"),
        ({"age_group": "adult"}, "age_group: 'adult' is not one of"),
    ],
)
def test_profile_refuses_values_outside_the_lists(values, message):
    with pytest.raises(ValueError, match=message):
        Profile(**values)


def test_participation_refuses_the_paper_channel():
    with pytest.raises(ValueError, match="channel: 'paper' is not one of online, kiosk"):
        Participation(1, "k", None, "paper", None, None)


def test_the_lists_are_the_documented_ones():
    assert GENDERS == ("female", "male", "other")
    assert AGE_GROUPS == ("under-18", "18-29", "30-44", "45-64", "65+")
