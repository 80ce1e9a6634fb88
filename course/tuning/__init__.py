"""Choosing how much to regularize: maps, random search on a validation split, early stopping.

The book's recipe (ch. 6.5): hyperparameters such as ``weight_decay_lambda``
and ``dropout_ratio`` are chosen on *validation* data carved out of the
training data; the test data is looked at once, at the very end.  One idea per module:

- :mod:`~course.tuning.scoring` — :func:`train_and_score`: one run (or one per seed) scored on named sets;
  :mod:`~course.tuning.runs` — :class:`Scored`, :class:`SeedScores`, :func:`compare_scores`.
- :mod:`~course.tuning.grid` — :func:`grid_search` / :class:`RegularizationGrid`: λ × dropout_ratio per penalty;
  :mod:`~course.tuning.heatmaps` — :func:`plot_heatmaps`.
- :mod:`~course.tuning.sampling` and :mod:`~course.tuning.search` — :func:`random_search` (λ on a log scale).
- :mod:`~course.tuning.selection` — :func:`selection_bias`: the winner's score is optimistic.
- :mod:`~course.tuning.early_stopping` — :class:`EarlyStopping`, a ``Trainer`` callback.
- :mod:`~course.tuning.decay` — L2 in Adam's gradient against decoupled weight decay (:class:`SGDW`, AdamW).
- :mod:`~course.tuning.progress` — :class:`Progress`, the sweeps' progress bar.

Import from the package: ``from course.tuning import grid_search, plot_heatmaps``.
"""

from course.tuning.decay import SGDW, effective_decay_rates, shrink_without_data
from course.tuning.early_stopping import EarlyStopping
from course.tuning.grid import RegularizationGrid, grid_search
from course.tuning.heatmaps import plot_heatmaps
from course.tuning.progress import Progress
from course.tuning.runs import METRICS, Scored, SeedScores, compare_scores
from course.tuning.sampling import log_uniform, sample_settings
from course.tuning.scoring import train_and_score
from course.tuning.search import SearchResult, random_search
from course.tuning.selection import SelectionBias, selection_bias

__all__ = [
    "log_uniform",
    "sample_settings",
    "Progress",
    "METRICS",
    "Scored",
    "SeedScores",
    "compare_scores",
    "train_and_score",
    "RegularizationGrid",
    "grid_search",
    "plot_heatmaps",
    "SearchResult",
    "random_search",
    "SelectionBias",
    "selection_bias",
    "EarlyStopping",
    "SGDW",
    "effective_decay_rates",
    "shrink_without_data",
]
