"""Ballot checks as intake reports them: `pbvote.validation`'s reasons, each tied to a request field."""

from __future__ import annotations

from collections.abc import Sequence

from ballots.errors import FieldReason
from pbvote.ballot import Ballot
from pbvote.election import Election
from pbvote.validation import Reason, validate_ballot

__all__ = ["field_reasons"]

_WHOLE_FIELD = {
    "too-few": "selections",
    "too-many": "selections",
    "over-cost": "selections",
    "under-cost": "selections",
    "over-category-cap": "selections",
    "unexpected-points": "points",
    "points-mismatch": "points",
    "too-many-points": "points",
    "too-few-points": "points",
}


def field_reasons(election: Election, ballot: Ballot) -> list[FieldReason]:
    """Every reason `ballot` is invalid, each naming its field; empty when it is valid.

    >>> from pbvote.project import Project, ProjectId
    >>> e = Election(budget=10, projects=(Project(ProjectId("a"), 6),))
    >>> field_reasons(e, Ballot("", (ProjectId("a"), ProjectId("a"))))[0].field
    'selections[1]'
    """
    return [_locate(reason, ballot.selections) for reason in validate_ballot(election, ballot).reasons]


def _locate(reason: Reason, selections: Sequence[str]) -> FieldReason:
    if reason.code in _WHOLE_FIELD:
        return FieldReason(_WHOLE_FIELD[reason.code], reason.code, reason.message)
    if reason.project_id is not None and reason.project_id in selections:
        positions = [i for i, p in enumerate(selections) if p == reason.project_id]
        index = positions[1] if reason.code == "duplicate-project" and len(positions) > 1 else positions[0]
        field = "points" if reason.code == "points-range" else "selections"
        return FieldReason(f"{field}[{index}]", reason.code, reason.message)
    if reason.code == "wrong-district":
        return FieldReason("district", reason.code, reason.message)
    return FieldReason("ballot", reason.code, reason.message)
