"""A profile compiled for fast counting: project indices, costs, and identical ballots grouped with weights.

Rules work on this form, so a million ballots with a few thousand distinct choices cost a few thousand steps.
Grouping never changes an outcome: every rule here is symmetric in the voters.

Ballots without points (approval, choose-1, ordinal) are grouped in numpy: each ballot becomes a row of project
indices (sorted unless ordinal), packed into a few unsigned 64-bit words (index + 1 in a fixed number of bits, the
first selection most significant, 0 for "no more selections"), so that sorting rows by their words sorts them as
the tuples would sort; equal neighbours are one group. Ballots with points go through a `Counter` of tuples.
Both give the same result (a property test checks it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from pbvote.ballot import Profile
from pbvote.election import Election
from pbvote.project import ProjectId

__all__ = ["CompiledProfile", "compile_profile", "compile_profile_counter"]

Ints = npt.NDArray[np.int64]


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
    Complexity: O(selections log selections) in numpy for ballots without points; a dict per ballot otherwise.

    Raises:
        KeyError: when a ballot names a project not in the election (validate ballots first).
    """
    if any(ballot.points for ballot in profile):
        return compile_profile_counter(election, profile)
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    lengths = np.fromiter(map(len, (b.selections for b in profile)), dtype=np.int64, count=len(profile))
    flat = np.fromiter(
        map(index.__getitem__, chain.from_iterable(b.selections for b in profile)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    return _compile_rows(election, flat, lengths, ordered=election.vote_type.value == "ordinal")


def _compile_rows(election: Election, flat: Ints, lengths: Ints, *, ordered: bool) -> CompiledProfile:
    """Group ballots given as concatenated project indices `flat` and per-ballot `lengths`."""
    projects = max(len(election.project_ids), 1)
    rows = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    by_row = np.sort(rows * projects + flat)  # each ballot's indices sorted; rows stay in order
    if not ordered:
        flat = by_row % projects
    distinct = np.ones(by_row.size, dtype=bool)
    distinct[1:] = by_row[1:] != by_row[:-1]
    support = np.bincount(by_row[distinct] % projects, minlength=len(election.project_ids)).astype(np.int64)
    order, firsts, counts = _group_rows(_pack(flat, rows, lengths, projects))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if lengths.size else lengths
    values, kept = flat.tolist(), order[firsts]
    groups = tuple(tuple(values[s : s + n]) for s, n in zip(starts[kept].tolist(), lengths[kept].tolist(), strict=True))
    return CompiledProfile(
        project_ids=election.project_ids,
        costs=np.array([p.cost for p in election.projects], dtype=np.int64),
        groups=groups,
        points=((),) * len(groups),
        weights=counts,
        support=support,
        voters=int(lengths.size),
    )


def _pack(flat: Ints, rows: Ints, lengths: Ints, projects: int) -> npt.NDArray[np.uint64]:
    """Each ballot as `(ballots, words)` unsigned words that sort like the ballots' index tuples."""
    bits = (projects + 1).bit_length()
    per_word = 64 // bits
    width = int(lengths.max()) if lengths.size else 0
    words = max(-(-width // per_word), 1)
    packed = np.zeros((lengths.size, words), dtype=np.uint64)
    if flat.size:
        position = np.arange(flat.size, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        shifts = (bits * (per_word - 1 - position % per_word)).astype(np.uint64)
        values = (flat + 1).astype(np.uint64) << shifts  # distinct bits per cell, so a sum is an or
        cells = rows * words + position // per_word
        firsts = np.flatnonzero(np.concatenate(([True], cells[1:] != cells[:-1])))
        packed.reshape(-1)[cells[firsts]] = np.add.reduceat(values, firsts)
    return packed


def _group_rows(packed: npt.NDArray[np.uint64]) -> tuple[Ints, Ints, Ints]:
    """Rows sorted lexicographically: the sorting permutation, where each distinct row starts, and its count."""
    if packed.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.lexsort(packed.T[::-1]).astype(np.int64)
    ranked = packed[order]
    change = np.ones(ranked.shape[0], dtype=bool)
    change[1:] = (ranked[1:] != ranked[:-1]).any(axis=1)
    firsts = np.flatnonzero(change)
    counts = np.diff(np.append(firsts, ranked.shape[0])).astype(np.int64)
    return order, firsts, counts


def compile_profile_counter(election: Election, profile: Profile) -> CompiledProfile:
    """`compile_profile` with a `Counter` of tuples: any ballots, points included (and the reference for tests).

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
