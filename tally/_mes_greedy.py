"""A plain greedy pass for MES's `greedy` completion and its comparison step.

Score: the number of ballots naming the project (approval, choose-1, ordinal) or the sum of points it got
(cumulative, scoring), as RULES-NOTES.md describes the cities' greedy. Highest score first; a project that no
longer fits is skipped and the pass goes on; projects nobody supports are never funded. Equal scores go by the
tie-break order, and a tie is recorded when another project with the same score could have been funded instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from tally.profile import CompiledProfile

__all__ = ["greedy_fill", "scores"]


def scores(compiled: CompiledProfile) -> tuple[int, ...]:
    """Each project's greedy score, by project index (numpy over the flattened ballots when they have no points)."""
    if not any(compiled.points):
        lengths = np.fromiter((len(g) for g in compiled.groups), dtype=np.int64, count=len(compiled.groups))
        flat = np.fromiter(chain.from_iterable(compiled.groups), dtype=np.int64, count=int(lengths.sum()))
        weights = np.repeat(compiled.weights.astype(np.float64), lengths)  # sums of ballot counts: exact in float
        totals = np.bincount(flat, weights=weights, minlength=len(compiled.project_ids))
        return tuple(int(t) for t in totals.round().tolist())
    points_totals = [0] * len(compiled.project_ids)
    for group, points, weight in zip(compiled.groups, compiled.points, compiled.weights, strict=True):
        for position, j in enumerate(group):
            points_totals[j] += int(weight) * (points[position] if points else 1)
    return tuple(points_totals)


def greedy_fill(
    costs: Sequence[int], score: Sequence[int], rank: Sequence[int], budget: int, funded: Sequence[int]
) -> tuple[list[int], list[tuple[int, tuple[int, ...], int]]]:
    """Fund, by score, every project that still fits next to `funded`.

    Returns:
        The projects added in order, and `(step, candidates in tie-break order, score)` for each tie broken;
        steps count on from `len(funded)`.
    """
    left = budget - sum(costs[j] for j in funded)
    queue = sorted(
        (j for j in range(len(costs)) if j not in set(funded) and score[j] > 0), key=lambda j: (-score[j], rank[j])
    )
    added: list[int] = []
    ties: list[tuple[int, tuple[int, ...], int]] = []
    for position, j in enumerate(queue):
        if costs[j] > left:
            continue
        rivals = [k for k in queue[position + 1 :] if score[k] == score[j] and costs[k] <= left]
        if rivals:
            ties.append((len(funded) + len(added), (j, *rivals), score[j]))
        added.append(j)
        left -= costs[j]
    return added, ties
