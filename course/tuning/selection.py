"""The optimism of choosing: the winner's score on the set it was chosen on overstates a fresh set.

:func:`selection_bias` takes per-sample correctness of several candidates
(``correct[c, s]``, e.g. from :meth:`RegularizationGrid.correct`), splits the
samples into random halves A and B many times, picks the best candidate on A
and reports its accuracy on A and on B (:class:`SelectionBias`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from common._validation import RngLike, check_array, check_int, make_rng

__all__ = ["SelectionBias", "selection_bias"]


@dataclass
class SelectionBias:
    """Outcome of :func:`selection_bias`, one entry per random split of the samples into halves A and B.

    ``chosen_a[k]`` / ``fresh_b[k]``: accuracy of split ``k``'s winner (chosen on A)
    on A and on B; ``optimism = chosen_a - fresh_b``.
    """

    chosen_a: np.ndarray
    fresh_b: np.ndarray
    winners: np.ndarray

    @property
    def optimism(self) -> np.ndarray:
        return self.chosen_a - self.fresh_b

    @property
    def mean_optimism(self) -> float:
        return float(self.optimism.mean())

    def fraction_optimistic(self) -> float:
        """Share of splits where the winner's A score overstates its B score."""
        return float(np.mean(self.optimism > 0))


def selection_bias(correct: np.ndarray, n_splits: int = 200, rng: RngLike = 0) -> SelectionBias:
    """How much "best score on the set you chose on" overstates a fresh set.

    ``correct[c, s]`` says whether candidate ``c`` got sample ``s`` right.  For
    each of ``n_splits`` random halvings of the samples into A and B, pick the
    candidate with the best accuracy on A and record its accuracy on A and on B.
    With one candidate the two agree on average; with many, the A score of the
    winner is biased upward (it was picked *because* it was lucky on A).
    """
    correct = check_array(correct, "correct", ndim=2)
    if correct.shape[1] < 2:
        raise ValueError(f"correct needs at least 2 samples to split, got shape {correct.shape}")
    correct = correct.astype(bool)
    n_splits = check_int(n_splits, "n_splits", minimum=1)
    gen = make_rng(rng)
    n = correct.shape[1]
    half = n // 2
    chosen_a, fresh_b, winners = np.empty(n_splits), np.empty(n_splits), np.empty(n_splits, dtype=int)
    for k in range(n_splits):
        order = gen.permutation(n)
        a, b = order[:half], order[half:]
        acc_a = correct[:, a].mean(axis=1)
        w = int(np.argmax(acc_a))
        winners[k] = w
        chosen_a[k] = acc_a[w]
        fresh_b[k] = correct[w, b].mean()
    return SelectionBias(chosen_a, fresh_b, winners)
