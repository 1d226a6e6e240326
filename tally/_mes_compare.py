"""The comparison step pabulib records as `equalshares/add1-comparison`.

The MES outcome is compared with the plain greedy outcome over the whole budget. Each voter backs the outcome
that gives them more satisfaction (the same utilities MES used), and an indifferent voter backs both, as
pabutools' `popularity_comparison` counts. The greedy outcome is kept only when strictly more voters back it
than back the MES outcome; a draw keeps MES (pabutools lists MES first and the caller takes the first).
equalshares.net describes the step the same way: the greedy outcome replaces MES when a majority of voters
prefer it.
"""

from __future__ import annotations

from collections.abc import Sequence

from tally._mes_instance import MesInstance

__all__ = ["popularity"]


def popularity(instance: MesInstance, first: Sequence[int], second: Sequence[int]) -> tuple[int, int]:
    """How many voters weakly prefer `first` and how many weakly prefer `second` (the indifferent count twice)."""
    gain = [0] * len(instance.weights)
    chosen_first, chosen_second = set(first), set(second)
    for j in chosen_first ^ chosen_second:
        sign = 1 if j in chosen_first else -1
        for g, _, u in instance.supporters[j]:
            gain[g] += sign * u
    backs_first = sum(w for g, w in enumerate(instance.weights) if gain[g] >= 0)
    backs_second = sum(w for g, w in enumerate(instance.weights) if gain[g] <= 0)
    return backs_first, backs_second
