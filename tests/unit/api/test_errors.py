"""Every PbvoteError subclass has its own HTTP status in api/errors.py, and the answers carry the reasons."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import ballots.errors
import pbvote.errors
from api.errors import STATUS, pbvote_error_handler, status_of
from ballots.errors import FieldReason, InvalidBallot, RateLimited, Unauthenticated
from pbvote.errors import PbvoteError


def import_everything():
    """Import every module of the four packages, so errors defined anywhere are seen."""
    for package in ("pbvote", "tally", "ballots", "api"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


import_everything()


def all_subclasses(cls):
    found = {cls}
    for sub in cls.__subclasses__():
        found |= all_subclasses(sub)
    return found


def test_the_hierarchies_are_loaded():
    # the walk below only sees classes whose modules are imported
    assert ballots.errors.InvalidBallot in all_subclasses(pbvote.errors.PbvoteError)


@pytest.mark.parametrize(
    "cls", sorted(all_subclasses(PbvoteError), key=lambda c: c.__qualname__), ids=lambda c: c.__name__
)
def test_every_error_is_mapped(cls):
    assert cls in STATUS, f"{cls.__module__}.{cls.__qualname__} has no HTTP status in api/errors.py"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (pbvote.errors.ConflictError("x"), 409),
        (pbvote.errors.NotFound("x"), 404),
        (pbvote.errors.PabulibError("f.pb", 3, "bad"), 422),
        (ballots.errors.CredentialRejected("x"), 403),
        (ballots.errors.Forbidden("x"), 403),
        (Unauthenticated("x"), 401),
        (RateLimited("kiosk", 12), 429),
    ],
)
def test_status_of(error, status):
    assert status_of(error) == status


def test_answers_carry_reasons_and_retry_time():
    invalid = pbvote_error_handler(None, InvalidBallot([FieldReason("selections[0]", "unknown-project", "no")]))
    assert invalid.status_code == 422
    assert invalid.content["reasons"] == [{"field": "selections[0]", "code": "unknown-project", "message": "no"}]
    limited = pbvote_error_handler(None, RateLimited("credential", 42))
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "42"
