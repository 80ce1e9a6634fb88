"""The map over ``weight_decay_lambda × dropout_ratio``, for each penalty, over several seeds.

:func:`grid_search` trains every ``(regularization, λ, dropout_ratio)`` cell
once per seed (λ = 0 once for all penalties) and returns a
:class:`RegularizationGrid`::

    grid = grid_search([0, 0.01, 0.1], [0, 0.1], train=train, test=test, seeds=[0, 1, 2])
    grid.table("test_acc", "l2")          # mean over seeds, [λ index, dropout index]
    grid.compare("none", "best")           # paired seed by seed
    grid.at("l1", 0.01, 0.1, seeds=range(5))   # more seeds for one cell, trained on demand

:func:`course.tuning.plot_heatmaps` draws it.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from common._validation import check_choice, check_float, check_int
from common.regularizers import REGULARIZERS
from course.experiments import lecture_config
from course.i18n import t
from course.seeds import SeedComparison
from course.tuning.progress import _progress
from course.tuning.runs import METRICS, Scored, SeedScores, compare_scores
from course.tuning.scoring import Dataset, _check_dataset, _check_seed_list, _with_dropout, train_and_score

__all__ = ["RegularizationGrid", "grid_search"]

STATS = ("mean", "std", "min", "max")
Point = tuple[str, float, float]


def _penalties() -> tuple[str, ...]:
    """The registry's penalties (every entry of REGULARIZERS but "none"), read when called."""
    return tuple(name for name in REGULARIZERS if name != "none")


@dataclass
class RegularizationGrid:
    """Results of :func:`grid_search`: ``runs[(regularization, λ, dropout_ratio)] -> SeedScores``.

    Every cell was trained once per seed in :attr:`seeds`.  λ = 0 is the same
    network for every regularization, so it is trained once and shared.
    :meth:`table` gives the mean (or sd, min, max) over seeds of a metric per
    cell; :meth:`at` gives one cell's runs, training further seeds on demand.
    """

    lambdas: tuple[float, ...]
    dropout_ratios: tuple[float, ...]
    regularizations: tuple[str, ...]
    runs: dict[Point, SeedScores]
    seeds: tuple[int, ...] | None = None
    seconds: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)
    data: tuple[Dataset, Dataset] | None = field(default=None, repr=False)
    _more: dict[tuple[str, float, float, int], Scored] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # a single Scored per cell (one seed, as older code builds grids) becomes a one-seed SeedScores;
        # cells that share one run (λ = 0) keep sharing one object
        wrapped: dict[int, SeedScores] = {}
        for key, cell in list(self.runs.items()):
            if isinstance(cell, Scored):
                self.runs[key] = wrapped.setdefault(id(cell), SeedScores([cell]))
            elif not isinstance(cell, SeedScores):
                raise TypeError(f"runs[{key!r}] must be a SeedScores (or a Scored), got {type(cell).__name__}")
        if not self.runs:
            raise ValueError("runs must hold at least one cell")
        if self.seeds is None:
            self.seeds = next(iter(self.runs.values())).seeds
        self.seeds = tuple(self.seeds)
        for key, cell in self.runs.items():
            if set(cell.seeds) != set(self.seeds):
                raise ValueError(f"cell {key!r} was run with seeds {list(cell.seeds)}, the grid with {list(self.seeds)}")

    def _key(self, regularization: str, weight_decay_lambda: float, dropout_ratio: float) -> Point:
        key = (check_choice(regularization, "regularization", self.regularizations),
               float(weight_decay_lambda), float(dropout_ratio))
        if key not in self.runs:
            raise ValueError(
                f"({regularization}, λ={weight_decay_lambda}, dropout_ratio={dropout_ratio}) is not on the grid; "
                f"λ in {self.lambdas}, dropout_ratio in {self.dropout_ratios}"
            )
        return key

    def at(self, regularization: str, weight_decay_lambda: float, dropout_ratio: float,
           seeds: Sequence[int] | None = None) -> SeedScores:
        """The runs of one setting over ``seeds`` (default: the grid's), trained with the grid's data and settings.

        Runs the grid already has are re-used; any other seed, or a setting
        that is not on the grid at all, is trained now and kept, so asking
        again costs nothing.  The tables stay over the grid's own cells and
        :attr:`seeds`.  E.g. ``grid.at('l1', 0.004, 0.08, seeds=range(5))`` for a
        5-seed comparison on top of a 3-seed map.
        """
        regularization = check_choice(regularization, "regularization", _penalties())
        lam = check_float(weight_decay_lambda, "weight_decay_lambda", minimum=0.0)
        ratio = check_float(dropout_ratio, "dropout_ratio", minimum=0.0, maximum=1.0, include_max=False)
        key = (regularization, lam, ratio)
        own = self.runs.get(key)
        if seeds is None:
            if own is not None:
                return own
            seeds = self.seeds
        seeds = _check_seed_list(seeds)
        shared = ("none" if lam == 0 else regularization, lam, ratio)  # λ = 0: one network for every penalty
        out = []
        for seed in seeds:
            if own is not None and seed in own.seeds:
                out.append(own.run(seed))
                continue
            if (*shared, seed) not in self._more:
                if self.data is None:
                    raise ValueError(f"{key} with seed {seed} is not on this grid and the grid keeps no data "
                                     "to train it")
                train, test = self.data
                self._more[(*shared, seed)] = train_and_score(
                    {"test": test}, train=train, weight_decay_lambda=lam, regularization=shared[0],
                    dropout_ratio=ratio, seed=seed, **self.settings)
            out.append(self._more[(*shared, seed)])
        return SeedScores(out)

    def run(self, regularization: str, weight_decay_lambda: float, dropout_ratio: float,
            seed: int | None = None) -> Scored:
        """The run at one grid point for one of the grid's seeds (default: the first); ValueError off the grid."""
        cell = self.runs[self._key(regularization, weight_decay_lambda, dropout_ratio)]
        return cell.run(self.seeds[0] if seed is None else seed)

    def values(self, metric: str, regularization: str) -> np.ndarray:
        """``metric`` per cell and seed: array ``[λ index, dropout index, seed index]`` (NaN: diverged)."""
        metric = check_choice(metric, "metric", METRICS)
        out = np.empty((len(self.lambdas), len(self.dropout_ratios), len(self.seeds)))
        for i, lam in enumerate(self.lambdas):
            for j, ratio in enumerate(self.dropout_ratios):
                cell = self.runs[self._key(regularization, lam, ratio)]
                out[i, j] = [cell.run(seed).value(metric) for seed in self.seeds]  # in the grid's seed order
        return out

    def table(self, metric: str, regularization: str, stat: str = "mean") -> np.ndarray:
        """``metric`` ('test_acc', 'train_acc' or 'gap') over seeds as an array ``[λ index, dropout index]``.

        ``stat``: ``'mean'`` (``(1/n) Σ_s x_s``), ``'std'`` (sample sd, ``ddof=1``;
        NaN with one seed), ``'min'`` or ``'max'``; seeds that diverged are left out.
        """
        stat = check_choice(stat, "stat", STATS)
        values = self.values(metric, regularization)
        with warnings.catch_warnings():  # an all-diverged cell is NaN, and sd of one seed is NaN: both expected
            warnings.simplefilter("ignore", RuntimeWarning)
            if stat == "std":
                return np.nanstd(values, axis=2, ddof=1)
            return {"mean": np.nanmean, "min": np.nanmin, "max": np.nanmax}[stat](values, axis=2)

    def point(self, reference: str | Mapping[str, Any] | Point) -> Point:
        """A grid point by name: ``'none'`` (λ = 0 without dropout), ``'best'`` (highest mean test
        accuracy), a dict with ``regularization``, ``weight_decay_lambda`` and ``dropout_ratio``, or a
        ``(regularization, λ, dropout_ratio)`` key of :attr:`runs`."""
        if isinstance(reference, tuple) and len(reference) == 3:
            return self._key(*reference)
        if isinstance(reference, Mapping):
            return (check_choice(reference["regularization"], "regularization", self.regularizations),
                    self.lambdas[_find(self.lambdas, reference["weight_decay_lambda"], "weight_decay_lambda")],
                    self.dropout_ratios[_find(self.dropout_ratios, reference["dropout_ratio"], "dropout_ratio")])
        reference = check_choice(reference, "reference", ("none", "best"))
        if reference == "none":
            if 0.0 not in self.lambdas or 0.0 not in self.dropout_ratios:
                raise ValueError("reference 'none' needs λ = 0 and dropout_ratio = 0 on the grid")
            return (self.regularizations[0], 0.0, 0.0)
        best = max(self.runs, key=lambda k: np.nan_to_num(self.runs[k].mean("test_acc"), nan=-math.inf))
        return best

    def compare(self, a: str | Mapping[str, Any], b: str | Mapping[str, Any], metric: str = "test_acc",
                seeds: Sequence[int] | None = None) -> SeedComparison:
        """Cell B against cell A, paired seed by seed (see :func:`compare_scores`); points as in :meth:`point`."""
        return compare_scores(self.at(*self.point(a), seeds=seeds), self.at(*self.point(b), seeds=seeds), metric)

    def within_spread(self, metric: str, regularization: str,
                      reference: str | Mapping[str, Any] | Point = "none") -> np.ndarray:
        """Bool ``[λ index, dropout index]``: is the cell's difference to ``reference`` within its spread?

        For each cell, the paired differences over the grid's seeds,
        ``d_s = cell_s − reference_s``, have mean ``d̄`` and sample sd ``s_d``
        (``ddof=1``).  The cell is *within the spread* when ``|d̄| ≤ s_d``: the
        seeds disagree about the difference by at least as much as its size,
        so the map cannot tell the cell from the reference.  (Pairing by seed
        removes the part of the spread that the two cells share.)  With one seed
        there is no spread and no cell is within it; the reference itself is.
        """
        ref_cell = self.at(*self.point(reference))
        ref = np.array([ref_cell.run(seed).value(metric) for seed in self.seeds])
        diff = self.values(metric, regularization) - ref
        with warnings.catch_warnings():  # one seed: no sd (NaN), expected
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, sd = np.nanmean(diff, axis=2), np.nanstd(diff, axis=2, ddof=1)
        return (np.abs(mean) <= sd) | np.all(diff == 0, axis=2)

    def unique_points(self) -> list[Point]:
        """Each trained setting once (the shared λ = 0 cells of other regularizations are left out)."""
        seen, out = set(), []
        for key, cell in self.runs.items():
            if id(cell) not in seen:
                seen.add(id(cell))
                out.append(key)
        return out

    def unique_runs(self, seed: int | None = None) -> list[Scored]:
        """Each trained network of one seed (default: the first) once, in grid order."""
        seed = self.seeds[0] if seed is None else seed
        return [self.runs[key].run(seed) for key in self.unique_points()]

    def best(self, on: str = "test", seed: int | None = None) -> Scored:
        """The run of one seed with the highest accuracy on ``on``: reading the map's best cell."""
        return max(self.unique_runs(seed), key=lambda r: r.score(on))

    def correct(self, on: str = "test", seed: int | None = None) -> np.ndarray:
        """Per-sample correctness of one seed's runs, shape ``(n unique points, n samples)``, for :func:`selection_bias`."""
        return np.stack([r.correct[on] for r in self.unique_runs(seed)])


def grid_search(
    lambdas: Sequence[float],
    dropout_ratios: Sequence[float],
    regularizations: Sequence[str] | None = None,
    *,
    train: Dataset,
    test: Dataset,
    seeds: Sequence[int] | None = None,
    progress: bool | str = True,
    **settings: Any,
) -> RegularizationGrid:
    """Train every ``(regularization, λ, dropout_ratio)`` once per seed and score it on ``test``.

    ``regularizations``: names in :data:`common.regularizers.REGULARIZERS`
    (default: every penalty it holds but ``'none'``, in its order: ``('l2', 'l1')``).
    ``dropout_ratio = 0`` means no dropout layer; λ = 0 is trained once for all
    regularizations.  ``seeds=[0, 1, 2]`` trains each cell once per seed (the
    tables then give mean, sd, min, max over seeds); without it, one run with
    ``seed`` (default 0).  Other keywords go to
    :func:`~course.experiments.train_lecture_net` (``epochs``, …), the same for
    every cell.  ``progress`` shows a bar (see :class:`Progress`).
    """
    lams = tuple(check_float(v, "lambdas", minimum=0.0) for v in lambdas)
    ratios = tuple(check_float(v, "dropout_ratios", minimum=0.0, maximum=1.0, include_max=False)
                   for v in dropout_ratios)
    allowed = _penalties()
    if regularizations is None:
        regularizations = allowed
    if isinstance(regularizations, str):
        raise TypeError(f"regularizations must be a list of names such as {allowed}, got the string "
                        f"{regularizations!r}")
    regs = tuple(check_choice(r, "regularizations", allowed) for r in regularizations)
    for name, values in (("lambdas", lams), ("dropout_ratios", ratios), ("regularizations", regs)):
        if not values:
            raise ValueError(f"{name} must hold at least one value")
        if len(set(values)) != len(values):
            raise ValueError(f"{name} must not repeat values, got {values}")
    for key in ("weight_decay_lambda", "dropout_ratio", "use_dropout", "regularization", "data"):
        if key in settings:
            raise ValueError(f"{key} is set by the grid; do not pass it as a fixed setting")
    if seeds is None:
        seed_list = (check_int(settings.pop("seed", 0), "seed", minimum=0),)
    elif "seed" in settings:
        raise TypeError("pass either seed= (one run per cell) or seeds= (one run per cell and seed), not both")
    else:
        seed_list = _check_seed_list(seeds)
    lecture_config(**_with_dropout(settings))  # refuse unknown or bad settings before any training
    train, test = _check_dataset(train, "train"), _check_dataset(test, "test")
    points = [(reg, lam, ratio) for reg in regs for lam in lams for ratio in ratios]
    n_unique = len({(reg if lam else "-", lam, ratio) for reg, lam, ratio in points})
    runs: dict[Point, SeedScores] = {}
    shared: dict[float, SeedScores] = {}
    started = time.perf_counter()
    with _progress(progress, n_unique * len(seed_list), "runs") as bar:
        for reg, lam, ratio in points:
            if lam == 0 and ratio in shared:
                runs[(reg, lam, ratio)] = shared[ratio]
                continue
            cell = []
            for seed in seed_list:
                cell.append(train_and_score({"test": test}, train=train, weight_decay_lambda=lam,
                                            regularization=reg if lam else "none", dropout_ratio=ratio,
                                            seed=seed, **settings))
                bar.update(note=f"{reg.upper()} λ={lam:g}" + t("tuning.with_dropout", ratio=ratio)
                           + f", seed {seed}")
            runs[(reg, lam, ratio)] = SeedScores(cell)
            if lam == 0:
                shared[ratio] = runs[(reg, lam, ratio)]
    return RegularizationGrid(lams, ratios, regs, runs, seed_list, time.perf_counter() - started,
                              dict(settings), (train, test))


def _find(values: Sequence[float], value: float, name: str) -> int:
    for i, v in enumerate(values):
        if math.isclose(v, value, rel_tol=1e-9, abs_tol=1e-12):
            return i
    raise ValueError(f"{name}={value} is not on the grid {tuple(values)}")
