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

import numpy as np

from tally._mes_instance import MesInstance

__all__ = ["popularity"]


def popularity(instance: MesInstance, first: Sequence[int], second: Sequence[int]) -> tuple[int, int]:
    """How many voters weakly prefer `first` and how many weakly prefer `second` (the indifferent count twice).

    In int64 numpy: a group's gain is at most the sum of its utilities, each a cost times at most its points.
    """
    gain = np.zeros(len(instance.weights), dtype=np.int64)
    chosen_first, chosen_second = set(first), set(second)
    arrays = instance.supporter_arrays()
    for j in sorted(chosen_first ^ chosen_second):
        sign = 1 if j in chosen_first else -1
        gain[arrays[j][:, 0]] += sign * arrays[j][:, 2]  # a project lists each group once
    weights = np.asarray(instance.weights, dtype=np.int64)
    return int(weights[gain >= 0].sum()), int(weights[gain <= 0].sum())
