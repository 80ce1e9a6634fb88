"""Random search: draw settings from a search space, train and score each on a validation split.

::

    result = random_search({"weight_decay_lambda": ("log", 1e-3, 1e-1)}, 20,
                           train=train, eval_sets={"val": val, "test": test}, rng=0)
    best = result.best("val")     # choose on validation data; read its test score once

Settings come from :func:`course.tuning.sample_settings`; every trial is a
:func:`course.tuning.train_and_score` run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from common._validation import RngLike, check_int, make_rng
from course.tuning.progress import _progress
from course.tuning.runs import Scored
from course.tuning.sampling import sample_settings
from course.tuning.scoring import Dataset, _check_eval_sets, train_and_score

__all__ = ["SearchResult", "random_search"]


@dataclass
class SearchResult:
    """Trials of :func:`random_search`, in the order drawn."""

    trials: list[Scored]
    seconds: float = 0.0

    def best(self, on: str = "val") -> Scored:
        """The trial with the highest accuracy on ``on`` (diverged trials never win)."""
        if not self.trials:
            raise ValueError("no trials")
        return max(self.trials, key=lambda r: r.score(on))

    def scores(self, on: str) -> np.ndarray:
        return np.array([r.scores[on] for r in self.trials])

    def values(self, setting: str) -> list[Any]:
        return [r.settings.get(setting) for r in self.trials]

    def __len__(self) -> int:
        return len(self.trials)


def random_search(
    space: Mapping[str, Any],
    n_trials: int,
    *,
    train: Dataset,
    eval_sets: Mapping[str, Dataset],
    rng: RngLike = 0,
    progress: bool | str = True,
    **fixed: Any,
) -> SearchResult:
    """Draw ``n_trials`` settings from ``space`` (see :func:`sample_settings`), train and score each.

    All settings are drawn first from one generator, so trial ``k`` is the same
    whatever ``n_trials`` is (a shorter search is a prefix of a longer one).
    Choose with ``result.best('val')``; look at the test score only for that one.
    """
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    sets = _check_eval_sets(eval_sets)
    gen = make_rng(rng)
    drawn = [sample_settings(space, gen) for _ in range(n_trials)]
    for key in fixed:
        if key in space:
            raise ValueError(f"{key!r} is both searched and fixed")
    trials: list[Scored] = []
    started = time.perf_counter()
    with _progress(progress, n_trials, "trials") as bar:
        for settings in drawn:
            trials.append(train_and_score(sets, train=train, **settings, **fixed))
            bar.update()
    return SearchResult(trials, time.perf_counter() - started)
