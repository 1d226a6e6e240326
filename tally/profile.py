"""A profile compiled for fast counting: project indices, costs, and identical ballots grouped with weights.

Rules work on this form, so a million ballots with a few thousand distinct choices cost a few thousand steps.
Grouping never changes an outcome: every rule here is symmetric in the voters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pbvote.ballot import Profile
from pbvote.election import Election
from pbvote.project import ProjectId

__all__ = ["CompiledProfile", "compile_profile"]


@dataclass(frozen=True, slots=True)
class CompiledProfile:
    """Distinct ballots with their multiplicity.

    Attributes:
        project_ids: the election's project ids; index `j` below means `project_ids[j]`.
        costs: `costs[j]` is the cost of project `j`.
        groups: each distinct ballot as a tuple of project indices, in the order cast (ranking for ordinal);
            sorted, so the compiled form does not depend on ballot order.
        points: for each group, the points per selection (empty tuples without points).
        weights: `weights[g]` is how many ballots are identical to group `g`.
        support: `support[j]` is how many ballots name project `j`.
        voters: the number of ballots.
    """

    project_ids: tuple[ProjectId, ...]
    costs: npt.NDArray[np.int64]
    groups: tuple[tuple[int, ...], ...]
    points: tuple[tuple[int, ...], ...]
    weights: npt.NDArray[np.int64]
    support: npt.NDArray[np.int64]
    voters: int

    def support_by_id(self) -> dict[ProjectId, int]:
        """How many ballots name each project, by id."""
        return {pid: int(self.support[j]) for j, pid in enumerate(self.project_ids)}


def compile_profile(election: Election, profile: Profile) -> CompiledProfile:
    """Group identical ballots; the result is the same whatever order `profile` is in.

    For approval ballots the order of selections does not matter, so they are compared as sorted sets.

    Raises:
        KeyError: when a ballot names a project not in the election (validate ballots first).
    """
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    ordered = election.vote_type.value == "ordinal"
    counter: Counter[tuple[tuple[int, ...], tuple[int, ...]]] = Counter()
    for ballot in profile:
        selection = tuple(index[p] for p in ballot.selections)
        points = ballot.points
        if not ordered:
            pairs = sorted(zip(selection, points, strict=True)) if points else [(j, 0) for j in sorted(selection)]
            selection = tuple(j for j, _ in pairs)
            points = tuple(p for _, p in pairs) if points else ()
        counter[selection, points] += 1
    keys = sorted(counter)
    support = np.zeros(len(index), dtype=np.int64)
    for (selection, _), count in counter.items():
        for j in set(selection):
            support[j] += count
    return CompiledProfile(
        project_ids=election.project_ids,
        costs=np.array([p.cost for p in election.projects], dtype=np.int64),
        groups=tuple(k[0] for k in keys),
        points=tuple(k[1] for k in keys),
        weights=np.array([counter[k] for k in keys], dtype=np.int64),
        support=support,
        voters=len(profile),
    )
