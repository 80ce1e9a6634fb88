"""Scored runs: one trained setting's final accuracies, and the same setting over several seeds.

- :class:`Scored`: one run's settings, history and final accuracy on each
  named evaluation set (plus per-sample correctness, for
  :func:`course.tuning.selection_bias`).
- :class:`SeedScores`: one setting trained once per seed, with mean, sample
  sd and a ``"mean ± sd [min, max] over n seeds"`` summary.
- :func:`compare_scores`: two settings paired seed by seed (``d_s = b_s − a_s``).

:func:`course.tuning.train_and_score` makes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from common._validation import check_choice
from common.trainer import History
from course.i18n import t
from course.seeds import SeedComparison, SeedRuns, format_spread

__all__ = ["METRICS", "Scored", "SeedScores", "compare_scores"]

METRICS = ("test_acc", "train_acc", "gap")
"""What a grid cell or a scored run reports: accuracy on the scored set, on the training digits, and their gap."""


@dataclass
class Scored:
    """One trained configuration: its settings, history and final scores.

    ``scores[name]`` is the accuracy on evaluation set ``name``; ``correct[name]``
    says per sample whether the network got it right (for :func:`selection_bias`).
    A diverged run has ``diverged`` set, NaN scores and no correct answers (its
    ``history`` holds the epochs before the blow-up, when the trainer kept them).
    """

    settings: dict[str, Any]
    history: History | None
    train_acc: float
    scores: dict[str, float]
    correct: dict[str, np.ndarray] = field(repr=False)
    diverged: str | None = None

    @property
    def label(self) -> str:
        """A short description such as ``'L1 λ=0.004, dropout 0.08'`` (in the current language)."""
        return _label(self.settings)

    @property
    def seed(self) -> int:
        """The seed the run was trained with (the lecture's default 0 when none was given)."""
        return int(self.settings.get("seed", 0))

    def gap(self, on: str = "test") -> float:
        """Train accuracy minus the accuracy on set ``on``."""
        return self.train_acc - self.scores[on]

    def score(self, on: str) -> float:
        """The accuracy on ``on``, with ``-inf`` for a diverged run (so it never wins)."""
        if on not in self.scores:
            raise KeyError(f"no evaluation set {on!r}; this run was scored on {sorted(self.scores)}")
        value = self.scores[on]
        return -math.inf if math.isnan(value) else value

    def value(self, metric: str, on: str = "test") -> float:
        """``metric``: ``'test_acc'`` (accuracy on ``on``), ``'train_acc'`` or ``'gap'`` (train − ``on``)."""
        metric = check_choice(metric, "metric", METRICS)
        if on not in self.scores:
            raise KeyError(f"no evaluation set {on!r}; this run was scored on {sorted(self.scores)}")
        if metric == "train_acc":
            return self.train_acc
        return self.scores[on] if metric == "test_acc" else self.gap(on)


def _label(settings: Mapping[str, Any]) -> str:
    lam = settings.get("weight_decay_lambda", 0.0)
    reg = settings.get("regularization", "l2") if lam else "none"
    text = t("tuning.no_penalty") if reg == "none" else f"{reg.upper()} λ={lam:g}"
    if settings.get("use_dropout"):
        text += t("tuning.with_dropout", ratio=settings.get("dropout_ratio", 0.15))
    return text


class SeedScores:
    """One setting trained and scored once per seed: a :class:`Scored` per seed, with statistics over seeds.

    ``values(metric)`` holds one final value per seed (NaN for a seed that
    diverged); ``mean``/``std`` (sample sd, ``ddof=1``) summarize the finite
    ones; ``summary`` writes ``"mean ± sd [min, max] over n seeds"``.
    ``correct_fraction(on)[i]`` is the fraction of seeds that got sample ``i``
    right (for :func:`course.seeds.paired_bootstrap`); ``seed_runs`` wraps the
    histories as a :class:`course.seeds.SeedRuns` (for weight norms, sparsity).
    Iterating yields the :class:`Scored` runs, ``len()`` is the number of seeds.
    """

    def __init__(self, runs: Sequence[Scored]) -> None:
        if isinstance(runs, Scored) or not isinstance(runs, Sequence) or not runs:
            raise TypeError("runs must be a non-empty sequence of Scored runs (one per seed)")
        for i, run in enumerate(runs):
            if not isinstance(run, Scored):
                raise TypeError(f"runs[{i}] must be a Scored, got {type(run).__name__}")
        seeds = [run.seed for run in runs]
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"each seed must appear once, got seeds {seeds}")
        self.runs: tuple[Scored, ...] = tuple(runs)
        self.seeds: tuple[int, ...] = tuple(seeds)

    def __len__(self) -> int:
        return len(self.runs)

    def __iter__(self):
        return iter(self.runs)

    def __getitem__(self, index: int) -> Scored:
        return self.runs[index]

    def __repr__(self) -> str:
        return f"SeedScores({self.label!r}, seeds={list(self.seeds)})"

    @property
    def settings(self) -> dict[str, Any]:
        """The setting the runs share (the first run's settings without ``'seed'``)."""
        return {k: v for k, v in self.runs[0].settings.items() if k != "seed"}

    @property
    def label(self) -> str:
        return _label(self.settings)

    @property
    def n_diverged(self) -> int:
        return sum(run.diverged is not None for run in self.runs)

    def run(self, seed: int) -> Scored:
        """The run of one seed."""
        if seed not in self.seeds:
            raise ValueError(f"seed {seed!r} was not run; seeds are {list(self.seeds)}")
        return self.runs[self.seeds.index(seed)]

    def values(self, metric: str = "test_acc", on: str = "test") -> np.ndarray:
        """One final value of ``metric`` per seed (see :meth:`Scored.value`), NaN for a diverged seed."""
        return np.array([run.value(metric, on) for run in self.runs], dtype=float)

    def mean(self, metric: str = "test_acc", on: str = "test") -> float:
        """Mean over the seeds that finished, ``(1/n) Σ_s x_s``."""
        x = self.values(metric, on)
        x = x[np.isfinite(x)]
        return float(x.mean()) if x.size else math.nan

    def std(self, metric: str = "test_acc", on: str = "test") -> float:
        """Sample sd over the seeds that finished, ``sqrt(Σ (x_s − x̄)² / (n − 1))``; NaN with one seed."""
        x = self.values(metric, on)
        x = x[np.isfinite(x)]
        return float(x.std(ddof=1)) if x.size > 1 else math.nan

    def summary(self, metric: str = "test_acc", on: str = "test", digits: int = 3) -> str:
        """``"0.812 ± 0.006 [0.806, 0.818] over 3 seeds"`` (in the current language)."""
        text = format_spread(self.values(metric, on), digits) + t("seeds.over_n_seeds", n=len(self))
        if self.n_diverged:
            text += t("seeds.diverged_note", k=self.n_diverged, n=len(self))
        return text

    def correct(self, on: str = "test") -> np.ndarray:
        """``(n_seeds, n_samples)`` bool: whether each seed's network got each sample of ``on`` right."""
        return np.stack([run.correct[on] for run in self.runs])

    def correct_fraction(self, on: str = "test") -> np.ndarray:
        """Per sample of ``on``, the fraction of seeds that got it right (a diverged seed counts as wrong)."""
        return self.correct(on).mean(axis=0)

    @property
    def seed_runs(self) -> SeedRuns:
        """The histories as a :class:`course.seeds.SeedRuns` (seeds without a history are left out)."""
        kept = [(s, r.history) for s, r in zip(self.seeds, self.runs) if r.history is not None]
        if not kept:
            raise ValueError("no seed has a history (every run diverged before its first epoch)")
        return SeedRuns([h for _, h in kept], [s for s, _ in kept])


def compare_scores(
    a: SeedScores,
    b: SeedScores,
    metric: str = "test_acc",
    *,
    on: str = "test",
    label_a: str | None = None,
    label_b: str | None = None,
) -> SeedComparison:
    """Is B higher than A across seeds?  Final ``metric`` paired seed by seed, ``d_s = b_s − a_s``.

    The same verdict as :func:`course.seeds.compare` (higher or lower on every
    seed, or within the spread), for scored runs.  Both must have run the same
    seeds; labels default to the settings' :attr:`SeedScores.label`.
    """
    for name, runs in (("a", a), ("b", b)):
        if not isinstance(runs, SeedScores):
            raise TypeError(f"{name} must be a SeedScores (train_and_score(..., seeds=...)), got {type(runs).__name__}")
    metric = check_choice(metric, "metric", METRICS)
    if set(a.seeds) != set(b.seeds):
        raise ValueError(f"a and b must have run the same seeds to be paired, got {list(a.seeds)} and {list(b.seeds)}")
    va = a.values(metric, on)
    vb = np.array([b.run(s).value(metric, on) for s in a.seeds], dtype=float)
    return SeedComparison(metric, a.seeds, va, vb, vb - va, label_a or a.label, label_b or b.label)
