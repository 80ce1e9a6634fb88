"""Choosing how much to regularize: grids, random search on a validation split, early stopping.

The book's recipe (ch. 6.5): hyperparameters such as ``weight_decay_lambda``
and ``dropout_ratio`` are chosen on *validation* data carved out of the
training data; the test data is looked at once, at the very end.  Whatever
set you choose on, the winner's score on that set is optimistic (it won
partly by luck); :func:`selection_bias` measures by how much.

- :func:`train_and_score` trains the lecture's network once (or once per
  seed: :class:`SeedScores`) and scores it on named evaluation sets (final
  accuracy and per-sample correctness); :func:`compare_scores` pairs two
  settings seed by seed.
- :func:`grid_search` / :class:`RegularizationGrid` / :func:`plot_heatmaps`:
  the map over ``weight_decay_lambda × dropout_ratio`` for each penalty in
  :data:`common.regularizers.REGULARIZERS`, over several seeds (mean and sd
  per cell; the heat maps hatch cells within the seed-to-seed spread of a
  reference cell).
- :func:`random_search`: settings drawn from a search space, log scale for λ.
- :func:`selection_bias`: choose on half A of a set, report on half B.
- :class:`EarlyStopping`: a ``Trainer`` callback that stops when validation
  accuracy stops improving (and can restore the best weights).
- :class:`SGDW` and :func:`effective_decay_rates`: decoupled weight decay,
  to compare "λ·W in the gradient" with "shrink W directly".
- :class:`Progress`: a ``tqdm`` progress bar (its widget in a notebook, text elsewhere).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from common._validation import RngLike, check_array, check_choice, check_float, check_int, make_rng
from course.experiments import lecture_config, make_lecture_trainer, train_lecture_net
from course.i18n import t
from common.optimizer import SGDW, Adam, Optimizer, Params  # SGDW re-exported for older imports
from common.regularizers import REGULARIZERS
from course.seeds import SeedComparison, SeedRuns, format_spread
from common.trainer import History, TrainingDiverged

__all__ = [
    "log_uniform",
    "sample_settings",
    "Progress",
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

Dataset = tuple[np.ndarray, np.ndarray]


# =============================================================================
# sampling on a log scale
# =============================================================================


def log_uniform(low: float, high: float, rng: RngLike = None, size: int | None = None) -> float | np.ndarray:
    """Draw ``10 ** U(log10 low, log10 high)``: every decade is equally likely.

    λ = 0.001 … 0.1 spans two decades; a uniform draw would put 90 % of the
    samples in the top decade, a log-uniform one puts half in each.
    """
    low = check_float(low, "low", minimum=0.0, include_min=False)
    high = check_float(high, "high", minimum=0.0, include_min=False)
    if high < low:
        raise ValueError(f"high must be >= low, got low={low!r}, high={high!r}")
    gen = make_rng(rng)
    if size is not None:
        size = check_int(size, "size", minimum=1)
    exponent = gen.uniform(math.log10(low), math.log10(high), size=size)
    return 10.0**exponent if size is not None else float(10.0**exponent)


def sample_settings(space: Mapping[str, Any], rng: RngLike = None) -> dict[str, Any]:
    """One draw from a search space; keys are :func:`train_lecture_net` keywords.

    A value may be ``("log", low, high)`` (log-uniform), ``("uniform", low, high)``,
    a list (one element chosen uniformly) or anything else (kept fixed).
    Keys are drawn in the order given, so the same seed gives the same sequence.
    """
    if not isinstance(space, Mapping) or not space:
        raise TypeError(f"space must be a non-empty dict of setting -> range, got {space!r}")
    gen = make_rng(rng)
    out: dict[str, Any] = {}
    for key, spec in space.items():
        if isinstance(spec, tuple) and spec and isinstance(spec[0], str):
            if len(spec) != 3 or spec[0] not in ("log", "uniform"):
                raise ValueError(
                    f"space[{key!r}] must be ('log', low, high) or ('uniform', low, high), got {spec!r}"
                )
            kind, low, high = spec
            if kind == "log":
                out[key] = log_uniform(low, high, gen)
            else:
                low = check_float(low, f"space[{key!r}] low")
                high = check_float(high, f"space[{key!r}] high", minimum=low)
                out[key] = float(gen.uniform(low, high))
        elif isinstance(spec, list):
            if not spec:
                raise ValueError(f"space[{key!r}] is an empty list; give at least one choice")
            out[key] = spec[int(gen.integers(len(spec)))]
        else:
            out[key] = spec
    return out


# =============================================================================
# progress bar
# =============================================================================


class Progress:
    """A progress bar for a sweep, drawn by ``tqdm``: its notebook widget in Jupyter, a text line elsewhere.

    ``mode``: ``'auto'`` (``tqdm.auto``: the widget inside a Jupyter kernel,
    text elsewhere), ``'widget'`` (``tqdm.notebook``), ``'text'`` (``tqdm.std``
    on ``stream``, default stderr) or ``'none'``.  ``description`` and ``unit``
    default to the current language's words for "runs" / "run"
    (:func:`course.i18n.t`).  Use as a context manager or call :meth:`close`;
    :attr:`done` counts the finished steps (never more than ``total``) and
    :attr:`tqdm` is the underlying bar.
    """

    def __init__(
        self,
        total: int,
        description: str | None = None,
        *,
        unit: str | None = None,
        mode: str = "auto",
        stream: Any = None,
    ) -> None:
        self.total = check_int(total, "total", minimum=0)
        description = t("progress.runs") if description is None else description
        unit = t("progress.unit_run") if unit is None else unit
        for name, value in (("description", description), ("unit", unit)):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a string, got {type(value).__name__}")
        self.description = description
        self.mode = check_choice(mode, "mode", ("auto", "widget", "text", "none"))
        self.done = 0
        if self.mode == "auto":
            from tqdm.auto import tqdm
        elif self.mode == "widget":
            from tqdm.notebook import tqdm
        else:
            from tqdm.std import tqdm
        # mininterval=0: a sweep's steps take seconds, so every step is worth drawing.
        self.tqdm = tqdm(total=self.total, desc=description, unit=unit, file=stream, leave=True,
                         mininterval=0, disable=self.mode == "none")

    def update(self, step: int = 1, note: str = "") -> None:
        """Mark ``step`` more steps done; ``note`` (e.g. the current setting) is shown after the bar."""
        step = min(check_int(step, "step", minimum=0), self.total - self.done)
        if note:
            self.tqdm.set_postfix_str(note, refresh=False)
        self.done += step
        self.tqdm.update(step)

    def close(self) -> None:
        """Finish the bar (the widget turns green when every step is done, red when not)."""
        self.tqdm.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _progress(progress: bool | str, total: int, what: str) -> Progress:
    """The bar of a sweep: ``what`` is ``'runs'`` or ``'trials'``, worded in the current language."""
    mode = ("auto" if progress else "none") if isinstance(progress, bool) else progress
    return Progress(total, t(f"progress.{what}"), unit=t(f"progress.unit_{what[:-1]}"), mode=mode)


# =============================================================================
# one run, scored on named sets
# =============================================================================

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


def _check_dataset(data: Any, name: str) -> Dataset:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be an (x, t) pair of arrays, got {type(data).__name__}")
    x = check_array(data[0], f"{name}[0] (images)", ndim=(2, 4))
    t = check_array(data[1], f"{name}[1] (labels)", ndim=1)
    if x.shape[0] != t.shape[0]:
        raise ValueError(f"{name}: {x.shape[0]} images but {t.shape[0]} labels")
    return x, t


def _check_eval_sets(eval_sets: Any) -> dict[str, Dataset]:
    if not isinstance(eval_sets, Mapping) or not eval_sets:
        raise TypeError("eval_sets must be a non-empty dict like {'val': (x_val, t_val), 'test': (x_test, t_test)}")
    return {str(k): _check_dataset(v, f"eval_sets[{k!r}]") for k, v in eval_sets.items()}


def _with_dropout(settings: dict[str, Any]) -> dict[str, Any]:
    """``dropout_ratio`` given without ``use_dropout``: on iff the ratio is > 0."""
    settings = dict(settings)
    if "dropout_ratio" in settings and "use_dropout" not in settings:
        ratio = check_float(settings["dropout_ratio"], "dropout_ratio", minimum=0.0, maximum=1.0, include_max=False)
        settings["use_dropout"] = ratio > 0
        if ratio == 0:
            settings.pop("dropout_ratio")
    return settings


def _check_seed_list(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (Sequence, np.ndarray, range)):
        raise TypeError(f"seeds must be a sequence of non-negative ints such as [0, 1, 2], got {seeds!r}")
    checked = tuple(check_int(s, f"seeds[{i}]", minimum=0) for i, s in enumerate(seeds))
    if not checked:
        raise ValueError("seeds must hold at least one seed, e.g. [0, 1, 2]")
    if len(set(checked)) != len(checked):
        raise ValueError(f"seeds must be distinct, got {list(checked)}")
    return checked


def train_and_score(
    eval_sets: Mapping[str, Dataset],
    *,
    train: Dataset,
    monitor: Dataset | None = None,
    seeds: Sequence[int] | None = None,
    **settings: Any,
) -> Scored | SeedScores:
    """Train the lecture's network on ``train`` and score the final network on every set.

    ``settings`` are :func:`~course.experiments.train_lecture_net` keywords
    (any field of :class:`~course.experiments.LectureConfig`; ``dropout_ratio``
    alone switches dropout on iff it is > 0).  The run is
    ``train_lecture_net`` itself: the same network, seeding, engine and run
    cache.  Scores are measured once, after the last epoch.  ``monitor`` is the
    set the trainer scores every epoch as its "test" curve (e.g. the validation
    split).  Without it the per-epoch evaluation is reduced to one sample
    (``evaluate_sample_num_per_epoch=1``), which makes a run about a third
    faster when only the final scores matter; ``history.train_acc`` and
    ``history.test_acc`` are then meaningless, but ``history.weight_norm`` and
    ``history.sparsity`` still cover all weights, and ``train_acc`` is measured
    on the whole training set at the end.

    ``seeds=[0, 1, 2]`` trains once per seed and returns a :class:`SeedScores`.
    An optimizer *instance* (``optimizer=Adam(lr=0.001)``) is the one that
    trains, so its state can be inspected afterwards; such a run is never
    read from the run cache.
    """
    x, t = _check_dataset(train, "train")
    sets = _check_eval_sets(eval_sets)
    if "data" in settings:
        raise ValueError("pass the data as train=(x, t) and eval_sets, not data=")
    if seeds is not None:
        if "seed" in settings:
            raise TypeError("pass either seed= (one run) or seeds= (one run per seed), not both")
        return SeedScores([train_and_score(sets, train=(x, t), monitor=monitor, seed=s, **settings)
                           for s in _check_seed_list(seeds)])
    settings = _with_dropout(settings)
    lecture_config(**settings)  # refuse unknown or bad settings before any training
    checked_monitor = _check_dataset(monitor, "monitor") if monitor is not None else (x[:1], t[:1])
    run_settings = dict(settings)
    # without a monitor set only the final scores matter: score one sample per epoch
    run_settings.setdefault("evaluate_sample_num_per_epoch", None if monitor is not None else 1)
    try:
        if isinstance(run_settings.get("optimizer"), Optimizer):
            # the caller's optimizer instance must do the training, so its state can be inspected afterwards
            # (e.g. effective_decay_rates): such a run is never read back from the run cache
            _, trainer = make_lecture_trainer(data=((x, t), checked_monitor), **run_settings)
            try:
                history = trainer.train()
            except TrainingDiverged as exc:
                exc.history = trainer.history
                raise
        else:
            history = train_lecture_net(data=((x, t), checked_monitor), **run_settings)
    except TrainingDiverged as exc:
        nan = float("nan")
        return Scored(settings, getattr(exc, "history", None), nan, {k: nan for k in sets},
                      {k: np.zeros(len(v[1]), dtype=bool) for k, v in sets.items()}, diverged=str(exc))
    network = history.network
    correct = {k: network.predict(xs).argmax(axis=1) == ts for k, (xs, ts) in sets.items()}
    return Scored(
        settings=settings,
        history=history,
        train_acc=network.accuracy(x, t) if monitor is None else history.train_acc[-1],
        scores={k: float(c.mean()) for k, c in correct.items()},
        correct=correct,
    )


# =============================================================================
# grid over weight_decay_lambda × dropout_ratio
# =============================================================================

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


def plot_heatmaps(
    grid: RegularizationGrid,
    metrics: Sequence[str] = ("test_acc", "gap"),
    *,
    mark: Mapping[str, Any] | None = None,
    mark_label: str | None = None,
    reference: str | Mapping[str, Any] | None = "none",
) -> Figure:
    """Heat maps of ``metrics`` over λ (rows, growing downwards) × dropout_ratio (columns), one panel column per regularization.

    Each cell shows the mean over the grid's seeds and, below it, the sample
    sd (``±0.01``).  With two or more seeds, cells whose paired difference to
    ``reference`` is within its spread over the seeds (``|mean| ≤ sd``, see
    :meth:`RegularizationGrid.within_spread`) are hatched, and the reference
    cell is outlined with a dashed line; ``reference``: ``'none'`` (λ = 0
    without dropout, the default), ``'best'`` (highest mean test accuracy), a
    grid point as a dict, or ``None`` for no hatching.  ``mark`` (e.g.
    ``{'regularization': 'l1', 'weight_decay_lambda': 0.004, 'dropout_ratio': 0.08}``)
    outlines one grid point in red and labels it ``mark_label`` (default:
    "lecture" in the current language).  Text follows :func:`course.i18n.set_language`.
    """
    if not isinstance(grid, RegularizationGrid):
        raise TypeError(f"grid must be a RegularizationGrid, got {type(grid).__name__}")
    metrics = [check_choice(m, "metrics", METRICS) for m in metrics]
    if not metrics:
        raise ValueError("metrics must name at least one of " + ", ".join(METRICS))
    target = grid.point(mark) if mark is not None else None
    ref = grid.point(reference) if reference is not None and len(grid.seeds) > 1 else None
    n_seeds = len(grid.seeds)
    titles = {metric: t(f"tuning.heat_{metric}") for metric in METRICS}
    if n_seeds > 1:
        titles = {metric: t("tuning.heat_mean", title=title, n=n_seeds) for metric, title in titles.items()}
    if mark_label is None:
        mark_label = t("tuning.lecture")
    cmaps = {"test_acc": "viridis", "train_acc": "viridis", "gap": "magma_r"}
    n_rows, n_cols = len(metrics), len(grid.regularizations)
    cell_h = 0.62 if n_seeds > 1 else 0.45
    fig, axes = plt.subplots(n_rows, n_cols, squeeze=False, layout="constrained",
                             figsize=(0.9 * len(grid.dropout_ratios) * n_cols + 2.6 * n_cols,
                                      cell_h * len(grid.lambdas) * n_rows + 1.6 * n_rows + (0.3 if ref else 0)))
    for row, metric in enumerate(metrics):
        means = {reg: grid.table(metric, reg) for reg in grid.regularizations}
        sds = {reg: grid.table(metric, reg, "std") for reg in grid.regularizations}
        finite = np.concatenate([m[np.isfinite(m)] for m in means.values()])
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        for col, reg in enumerate(grid.regularizations):
            ax = axes[row, col]
            data = means[reg]
            image = ax.imshow(data, cmap=cmaps[metric], vmin=vmin, vmax=vmax, aspect="auto")
            hatched = grid.within_spread(metric, reg, ref) if ref is not None else np.zeros(data.shape, bool)
            _annotate(ax, data, sds[reg], dark_low=cmaps[metric] == "viridis", mid=(vmin + vmax) / 2)
            for i, j in zip(*np.nonzero(hatched)):
                if grid.at(reg, grid.lambdas[i], grid.dropout_ratios[j]) is not grid.at(*ref):
                    ax.add_patch(_rectangle(j, i, hatch=True))
            ax.set_xticks(range(len(grid.dropout_ratios)), [f"{r:g}" for r in grid.dropout_ratios])
            ax.set_yticks(range(len(grid.lambdas)), [f"{v:g}" for v in grid.lambdas])
            ax.set_xlabel(t("tuning.axis_dropout_ratio"))
            if col == 0:
                ax.set_ylabel(t("tuning.axis_lambda"))
            ax.set_title(f"{reg.upper()}: {titles[metric]}", fontsize=10)
            if ref is not None and (ref[0] == reg or ref[1] == 0):  # λ = 0 is the same network in every panel
                ax.add_patch(_rectangle(grid.dropout_ratios.index(ref[2]), grid.lambdas.index(ref[1]),
                                        dashed=True))
            if target is not None and target[0] == reg:
                i, j = grid.lambdas.index(target[1]), grid.dropout_ratios.index(target[2])
                ax.add_patch(_rectangle(j, i))
                ax.annotate(mark_label, (j, i - 0.5), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8, color="red")
        fig.colorbar(image, ax=list(axes[row]), shrink=0.9)
    if ref is not None:
        fig.suptitle(t("tuning.within_spread", ref=grid.at(*ref).label, n=n_seeds), fontsize=9)
    return fig


def _annotate(ax: Any, means: np.ndarray, sds: np.ndarray, *, dark_low: bool, mid: float) -> None:
    """Write each cell's mean (and ``±sd`` below it when there is one) in a colour readable on the cell."""
    for i in range(means.shape[0]):
        for j in range(means.shape[1]):
            value, sd = means[i, j], sds[i, j]
            dark = (value < mid) if dark_low else (value > mid)
            color = "white" if dark else "black"
            if not np.isfinite(value):
                ax.text(j, i, "—", ha="center", va="center", fontsize=8, color=color)
                continue
            if np.isfinite(sd):
                ax.text(j, i - 0.1, f"{value:.2f}", ha="center", va="center", fontsize=8, color=color)
                ax.text(j, i + 0.22, f"±{sd:.2f}", ha="center", va="center", fontsize=6, color=color)
            else:
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8, color=color)


def _rectangle(j: int, i: int, *, hatch: bool = False, dashed: bool = False):
    from matplotlib.patches import Rectangle

    if hatch:
        # light hatching: the numbers stay readable on dark and light cells
        return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor=(0.6, 0.6, 0.6, 0.55),
                         linewidth=0)
    if dashed:
        from matplotlib import patheffects

        # white dashes on a black stroke: visible on the darkest and the lightest cell
        return Rectangle((j - 0.46, i - 0.46), 0.92, 0.92, fill=False, edgecolor="white", linewidth=1.8,
                         linestyle="--", path_effects=[patheffects.withStroke(linewidth=3.2, foreground="black")])
    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5)


# =============================================================================
# random search and the optimism of choosing
# =============================================================================


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


# =============================================================================
# early stopping
# =============================================================================


class EarlyStopping:
    """``Trainer`` callback: stop when ``metric`` has not improved for ``patience`` epochs.

    Give the trainer the *validation* split as its test set, so ``'test_acc'``
    is validation accuracy.  Improvement means ``score > best + min_delta``.
    With ``restore_best=True`` the weights of the best epoch are kept; call
    :meth:`restore` after training to put them back into the network.
    """

    def __init__(self, patience: int = 20, *, metric: str = "test_acc", min_delta: float = 0.0,
                 restore_best: bool = True) -> None:
        self.patience = check_int(patience, "patience", minimum=1)
        self.metric = check_choice(metric, "metric", ("test_acc", "train_acc"))
        self.min_delta = check_float(min_delta, "min_delta", minimum=0.0)
        if not isinstance(restore_best, bool):
            raise TypeError(f"restore_best must be True or False, got {restore_best!r}")
        self.restore_best = restore_best
        self.best_score = -math.inf
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.best_params: Params | None = None

    def __call__(self, history: History) -> bool:
        score = getattr(history, self.metric)[-1]
        epoch = history.epoch[-1]
        if score > self.best_score + self.min_delta:
            self.best_score, self.best_epoch = score, epoch
            if self.restore_best and history.network is not None:
                self.best_params = {k: v.copy() for k, v in history.network.params.items()}
        if self.best_epoch is not None and epoch - self.best_epoch >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, network: Any) -> None:
        """Copy the best epoch's weights back into ``network.params`` (in place)."""
        if self.best_params is None:
            raise ValueError("no weights were saved: train first (with restore_best=True)")
        for key, value in self.best_params.items():
            network.params[key][...] = value


# =============================================================================
# decoupled weight decay
# =============================================================================


def effective_decay_rates(optimizer: Adam, weight_decay_lambda: float, keys: Iterable[str] | None = None) -> np.ndarray:
    """Per-weight shrink factor per step that an L2 term ``λ·W`` in the gradient gets from Adam.

    Adam divides the whole gradient, penalty included, by ``√v̂``, so the L2
    part moves ``W`` by about ``lr·λ·W/(√v̂ + ε)``: the rate
    ``lr·λ/(√v̂ + ε)`` differs from weight to weight (small where gradients
    were large).  AdamW's rate is ``lr·λ`` for every weight.  Uses the
    optimizer's current state; returns all weight matrices' rates, flattened.
    """
    if not isinstance(optimizer, Adam):
        raise TypeError(f"optimizer must be an Adam (or AdamW) that has taken steps, got {type(optimizer).__name__}")
    if optimizer.v is None or optimizer.iter == 0:
        raise ValueError("optimizer has no state yet: train with it first")
    lam = check_float(weight_decay_lambda, "weight_decay_lambda", minimum=0.0)
    keys = [k for k in optimizer.v if k.startswith("W")] if keys is None else list(keys)
    b2 = optimizer.beta2
    rates = []
    for key in keys:
        if key not in optimizer.v:
            raise KeyError(f"the optimizer has no state for {key!r}")
        v_hat = optimizer.v[key].astype(np.float64) / (1.0 - b2**optimizer.iter)
        # Adam's step for a constant gradient g is lr·g/(√v̂ + ε) once m̂ ≈ g
        rates.append((optimizer.lr * lam / (np.sqrt(v_hat) + 1e-7)).ravel())
    return np.concatenate(rates)


def shrink_without_data(
    optimizer: Optimizer,
    weights: np.ndarray,
    weight_decay_lambda: float,
    steps: int,
    *,
    l2_in_gradient: bool,
) -> np.ndarray:
    """Apply ``steps`` updates to a copy of ``weights`` when the data gradient is zero; return the result.

    This isolates what the regularizer alone does to each weight.  With
    ``l2_in_gradient=True`` the gradient is the L2 term ``λ·W`` (an L2 penalty
    in the loss); with ``False`` it is zero and only the optimizer's own
    decoupled decay acts (:class:`SGDW`, :class:`~common.optimizer.AdamW`).
    SGD gives ``W·(1 − lr·λ)^steps`` either way; Adam normalizes ``λ·W`` by its
    own size, so each weight moves by about ``lr`` per step whatever λ is.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer instance (e.g. Adam(lr=0.001)), got {type(optimizer).__name__}")
    w = check_array(weights, "weights").astype(np.float64)
    lam = check_float(weight_decay_lambda, "weight_decay_lambda", minimum=0.0)
    steps = check_int(steps, "steps", minimum=1)
    if not isinstance(l2_in_gradient, bool):
        raise TypeError(f"l2_in_gradient must be True or False, got {l2_in_gradient!r}")
    params = {"W": w.copy()}
    for _ in range(steps):
        grad = lam * params["W"] if l2_in_gradient else np.zeros_like(params["W"])
        optimizer.update(params, {"W": grad})
    return params["W"]
