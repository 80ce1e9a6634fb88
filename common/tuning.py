"""Choosing how much to regularize: grids, random search on a validation split, early stopping.

The book's recipe (ch. 6.5): hyperparameters such as ``weight_decay_lambda``
and ``dropout_ratio`` are chosen on *validation* data carved out of the
training data; the test data is looked at once, at the very end.  Whatever
set you choose on, the winner's score on that set is optimistic (it won
partly by luck); :func:`selection_bias` measures by how much.

- :func:`train_and_score` trains the lecture's network once and scores it on
  named evaluation sets (final accuracy and per-sample correctness).
- :func:`grid_search` / :class:`RegularizationGrid` / :func:`plot_heatmaps`:
  the map over ``weight_decay_lambda × dropout_ratio`` for L2 and L1.
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
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ._validation import RngLike, check_array, check_choice, check_float, check_int, make_rng
from .experiments import make_lecture_trainer
from .i18n import t
from .optimizer import SGDW, Adam, Optimizer, Params  # SGDW re-exported for older imports
from .trainer import History, Trainer, TrainingDiverged

__all__ = [
    "log_uniform",
    "sample_settings",
    "Progress",
    "Scored",
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
    (:func:`common.i18n.t`).  Use as a context manager or call :meth:`close`;
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


@dataclass
class Scored:
    """One trained configuration: its settings, history and final scores.

    ``scores[name]`` is the accuracy on evaluation set ``name``; ``correct[name]``
    says per sample whether the network got it right (for :func:`selection_bias`).
    A diverged run has ``diverged`` set, NaN scores and no correct answers.
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
        s = self.settings
        lam = s.get("weight_decay_lambda", 0.0)
        reg = s.get("regularization", "l2") if lam else "none"
        text = t("tuning.no_penalty") if reg == "none" else f"{reg.upper()} λ={lam:g}"
        if s.get("use_dropout"):
            text += t("tuning.with_dropout", ratio=s.get("dropout_ratio", 0.15))
        return text

    def gap(self, on: str = "test") -> float:
        """Train accuracy minus the accuracy on set ``on``."""
        return self.train_acc - self.scores[on]

    def score(self, on: str) -> float:
        """The accuracy on ``on``, with ``-inf`` for a diverged run (so it never wins)."""
        if on not in self.scores:
            raise KeyError(f"no evaluation set {on!r}; this run was scored on {sorted(self.scores)}")
        value = self.scores[on]
        return -math.inf if math.isnan(value) else value


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


def train_and_score(
    eval_sets: Mapping[str, Dataset],
    *,
    train: Dataset,
    monitor: Dataset | None = None,
    **settings: Any,
) -> Scored:
    """Train the lecture's network on ``train`` and score the final network on every set.

    ``settings`` are :func:`train_lecture_net` keywords (``dropout_ratio`` alone
    switches dropout on iff it is > 0); the network, its seeding and the
    training are exactly those of ``train_lecture_net``.  Scores are measured
    once, after the last epoch.  ``monitor`` is the set the trainer scores
    every epoch as its "test" curve (e.g. the validation split).  Without it
    the per-epoch evaluation is reduced to one sample
    (``evaluate_sample_num_per_epoch=1``), which makes a run about a third
    faster when only the final scores matter; ``history.train_acc`` and
    ``history.test_acc`` are then meaningless, but ``history.weight_norm`` and
    ``history.sparsity`` still cover all weights, and ``train_acc`` is measured
    on the whole training set at the end.
    """
    x, t = _check_dataset(train, "train")
    sets = _check_eval_sets(eval_sets)
    if "data" in settings:
        raise ValueError("pass the data as train=(x, t) and eval_sets, not data=")
    settings = _with_dropout(settings)
    checked_monitor = _check_dataset(monitor, "monitor") if monitor is not None else (x[:1], t[:1])
    network, trainer = make_lecture_trainer(
        data=((x, t), checked_monitor),
        # without a monitor set only the final scores matter: score one sample per epoch
        evaluate_sample_num_per_epoch=None if monitor is not None else 1,
        **settings,
    )
    try:
        history = trainer.train()
    except TrainingDiverged as exc:
        nan = float("nan")
        return Scored(settings, None, nan, {k: nan for k in sets},
                      {k: np.zeros(len(v[1]), dtype=bool) for k, v in sets.items()}, diverged=str(exc))
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

METRICS = ("test_acc", "train_acc", "gap")


@dataclass
class RegularizationGrid:
    """Results of :func:`grid_search`: ``runs[(regularization, λ, dropout_ratio)] -> Scored``.

    λ = 0 is the same network for L1 and L2, so it is trained once and shared.
    """

    lambdas: tuple[float, ...]
    dropout_ratios: tuple[float, ...]
    regularizations: tuple[str, ...]
    runs: dict[tuple[str, float, float], Scored]
    seconds: float = 0.0

    def run(self, regularization: str, weight_decay_lambda: float, dropout_ratio: float) -> Scored:
        """The run at one grid point (ValueError if it is not on the grid)."""
        key = (check_choice(regularization, "regularization", self.regularizations),
               float(weight_decay_lambda), float(dropout_ratio))
        if key not in self.runs:
            raise ValueError(
                f"({regularization}, λ={weight_decay_lambda}, dropout_ratio={dropout_ratio}) is not on the grid; "
                f"λ in {self.lambdas}, dropout_ratio in {self.dropout_ratios}"
            )
        return self.runs[key]

    def table(self, metric: str, regularization: str) -> np.ndarray:
        """``metric`` ('test_acc', 'train_acc' or 'gap') as an array ``[λ index, dropout index]``."""
        metric = check_choice(metric, "metric", METRICS)
        out = np.empty((len(self.lambdas), len(self.dropout_ratios)))
        for i, lam in enumerate(self.lambdas):
            for j, ratio in enumerate(self.dropout_ratios):
                r = self.run(regularization, lam, ratio)
                out[i, j] = {"test_acc": r.scores["test"], "train_acc": r.train_acc, "gap": r.gap("test")}[metric]
        return out

    def unique_runs(self) -> list[Scored]:
        """Each trained network once (the shared λ = 0 runs are not repeated)."""
        seen, out = set(), []
        for run in self.runs.values():
            if id(run) not in seen:
                seen.add(id(run))
                out.append(run)
        return out

    def best(self, on: str = "test") -> Scored:
        """The run with the highest accuracy on ``on`` — reading the map's best cell."""
        return max(self.unique_runs(), key=lambda r: r.score(on))

    def correct(self, on: str = "test") -> np.ndarray:
        """Per-sample correctness, shape ``(n unique runs, n samples)``, for :func:`selection_bias`."""
        return np.stack([r.correct[on] for r in self.unique_runs()])


def grid_search(
    lambdas: Sequence[float],
    dropout_ratios: Sequence[float],
    regularizations: Sequence[str] = ("l2", "l1"),
    *,
    train: Dataset,
    test: Dataset,
    progress: bool | str = True,
    **settings: Any,
) -> RegularizationGrid:
    """Train once per ``(regularization, λ, dropout_ratio)`` and score on ``test``.

    ``dropout_ratio = 0`` means no dropout layer; λ = 0 is trained once for all
    regularizations.  Other keywords go to :func:`train_lecture_net` (``epochs``,
    ``seed``, …), the same for every cell.  ``progress`` shows a bar (see :class:`Progress`).
    """
    lams = tuple(check_float(v, "lambdas", minimum=0.0) for v in lambdas)
    ratios = tuple(check_float(v, "dropout_ratios", minimum=0.0, maximum=1.0, include_max=False)
                   for v in dropout_ratios)
    regs = tuple(check_choice(r, "regularizations", ("l2", "l1")) for r in regularizations)
    for name, values in (("lambdas", lams), ("dropout_ratios", ratios), ("regularizations", regs)):
        if not values:
            raise ValueError(f"{name} must hold at least one value")
        if len(set(values)) != len(values):
            raise ValueError(f"{name} must not repeat values, got {values}")
    for key in ("weight_decay_lambda", "dropout_ratio", "use_dropout", "regularization"):
        if key in settings:
            raise ValueError(f"{key} is set by the grid; do not pass it as a fixed setting")
    points = [(reg, lam, ratio) for reg in regs for lam in lams for ratio in ratios]
    n_unique = len({(reg if lam else "-", lam, ratio) for reg, lam, ratio in points})
    runs: dict[tuple[str, float, float], Scored] = {}
    shared: dict[float, Scored] = {}
    started = time.perf_counter()
    with _progress(progress, n_unique, "runs") as bar:
        for reg, lam, ratio in points:
            if lam == 0 and ratio in shared:
                runs[(reg, lam, ratio)] = shared[ratio]
                continue
            run = train_and_score({"test": test}, train=train, weight_decay_lambda=lam,
                                  regularization=reg if lam else "none", dropout_ratio=ratio, **settings)
            runs[(reg, lam, ratio)] = run
            if lam == 0:
                shared[ratio] = run
            bar.update(note=f"{reg.upper()} λ={lam:g}" + t("tuning.with_dropout", ratio=ratio))
    return RegularizationGrid(lams, ratios, regs, runs, time.perf_counter() - started)


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
) -> Figure:
    """Heat maps of ``metrics`` over λ (rows, growing downwards) × dropout_ratio (columns), one panel column per regularization.

    Each cell is annotated with its value.  ``mark`` (e.g.
    ``{'regularization': 'l1', 'weight_decay_lambda': 0.004, 'dropout_ratio': 0.08}``)
    outlines one grid point and labels it ``mark_label`` (default: "lecture" in the current language).
    Titles and axis labels follow :func:`common.i18n.set_language`.
    """
    if not isinstance(grid, RegularizationGrid):
        raise TypeError(f"grid must be a RegularizationGrid, got {type(grid).__name__}")
    metrics = [check_choice(m, "metrics", METRICS) for m in metrics]
    if not metrics:
        raise ValueError("metrics must name at least one of " + ", ".join(METRICS))
    target = None
    if mark is not None:
        target = (check_choice(mark["regularization"], "mark['regularization']", grid.regularizations),
                  _find(grid.lambdas, mark["weight_decay_lambda"], "mark['weight_decay_lambda']"),
                  _find(grid.dropout_ratios, mark["dropout_ratio"], "mark['dropout_ratio']"))
    titles = {metric: t(f"tuning.heat_{metric}") for metric in METRICS}
    if mark_label is None:
        mark_label = t("tuning.lecture")
    cmaps = {"test_acc": "viridis", "train_acc": "viridis", "gap": "magma_r"}
    n_rows, n_cols = len(metrics), len(grid.regularizations)
    fig, axes = plt.subplots(n_rows, n_cols, squeeze=False, layout="constrained",
                             figsize=(0.9 * len(grid.dropout_ratios) * n_cols + 2.6 * n_cols,
                                      0.45 * len(grid.lambdas) * n_rows + 1.6 * n_rows))
    for row, metric in enumerate(metrics):
        tables = {reg: grid.table(metric, reg) for reg in grid.regularizations}
        finite = np.concatenate([t[np.isfinite(t)] for t in tables.values()])
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        for col, reg in enumerate(grid.regularizations):
            ax = axes[row, col]
            data = tables[reg]
            image = ax.imshow(data, cmap=cmaps[metric], vmin=vmin, vmax=vmax, aspect="auto")
            mid = (vmin + vmax) / 2
            for i in range(data.shape[0]):
                for j in range(data.shape[1]):
                    value = data[i, j]
                    dark = (value < mid) if cmaps[metric] == "viridis" else (value > mid)
                    ax.text(j, i, "—" if not np.isfinite(value) else f"{value:.2f}", ha="center", va="center",
                            fontsize=8, color="white" if dark else "black")
            ax.set_xticks(range(len(grid.dropout_ratios)), [f"{r:g}" for r in grid.dropout_ratios])
            ax.set_yticks(range(len(grid.lambdas)), [f"{v:g}" for v in grid.lambdas])
            ax.set_xlabel(t("tuning.axis_dropout_ratio"))
            if col == 0:
                ax.set_ylabel(t("tuning.axis_lambda"))
            ax.set_title(f"{reg.upper()}: {titles[metric]}", fontsize=10)
            if target is not None and target[0] == reg:
                i, j = target[1], target[2]
                ax.add_patch(_rectangle(j, i))
                ax.annotate(mark_label, (j, i - 0.5), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8, color="red")
        fig.colorbar(image, ax=list(axes[row]), shrink=0.9)
    return fig


def _rectangle(j: int, i: int):
    from matplotlib.patches import Rectangle

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
