"""Evidence that survives a change of seed: one setting over several seeds, and honest comparisons.

A run is one draw: its seed fixes the initial weights, the dropout masks and the
mini-batch order, and on the lecture's 300 digits the final test accuracy moves
by a point or more from seed to seed.  A claim is worth making only if it holds
across seeds, or if the difference is larger than the spread.

- :func:`run_seeds` trains one setting per seed → :class:`SeedRuns` (per-epoch
  mean, sd, min, max of every recorded quantity).
- :func:`compare` pairs two settings seed by seed at the final epoch.
- :func:`correct_per_digit` and :func:`paired_bootstrap` handle the other source
  of chance, the 1,000 test digits (sampling error ≈ √(0.8·0.2/1000) ≈ 0.013
  near 0.8, whatever the number of seeds).

Statistics ignore missing values (NaN): a run that diverged has no value at
later epochs, and the summaries say how many seeds diverged.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, fields
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from common._validation import RngLike, check_array, check_float, check_int, make_rng
from course.i18n import t as _t  # `t` is also the labels parameter of correct_per_digit
from common.trainer import History, TrainingDiverged

__all__ = [
    "SeedRuns",
    "run_seeds",
    "format_spread",
    "SeedComparison",
    "compare",
    "BootstrapDiff",
    "paired_bootstrap",
    "correct_per_digit",
    "history_keys",
]

_BOOT_CHUNK = 2_000_000
"""Bootstrap indices drawn per block (≈16 MB of int64): vectorized, with bounded memory."""


def history_keys() -> tuple[str, ...]:
    """The per-epoch quantities a :class:`SeedRuns` can summarize: every list field of
    :class:`~common.trainer.History` (``train_acc``, ``test_acc``, ``weight_norm``, …) plus ``'gap'``.

    Read from the dataclass, so fields added to ``History`` later are included.
    """
    return tuple(f.name for f in fields(History) if f.default_factory is list) + ("gap",)


def _series(history: History, key: str) -> list[Any]:
    values = history.gap if key == "gap" else getattr(history, key, None)
    return [] if values is None else list(values)


def _check_key(key: Any) -> str:
    allowed = history_keys()
    if not isinstance(key, str):
        raise TypeError(f"key must be one of {allowed}, got {type(key).__name__} {key!r}")
    if key not in allowed:
        raise ValueError(f"key must be one of {allowed}, got {key!r}")
    return key


def _key_name(key: str) -> str:
    """The learner-facing name of a key in the current language (the key itself if it has none)."""
    try:
        return _t(f"seeds.name_{key}")
    except KeyError:
        return key


def _quietly(function: Callable[..., np.ndarray], *args: Any, **kwargs: Any) -> np.ndarray:
    # all-NaN columns (every seed diverged by then) and single values (no sd) are expected here;
    # NumPy's "Mean of empty slice" / "Degrees of freedom <= 0" warnings would only add noise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args, **kwargs)


def format_spread(values: Sequence[float] | np.ndarray, digits: int = 3, *, signed: bool = False) -> str:
    """``"mean ± sd [min, max]"`` of the finite entries of ``values``, for prose and status lines.

    ``sd`` is the sample standard deviation, ``sqrt(Σ (x_i − x̄)² / (n − 1))``
    (``ddof=1``).  With one finite value there is no spread: just that value.
    ``signed=True`` writes a ``+`` in front of positive numbers (for differences).
    """
    digits = check_int(digits, "digits", minimum=0, maximum=10)
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    spec = f"{'+' if signed else ''}.{digits}f"
    if x.size == 0:
        return "—"
    if x.size == 1:
        return f"{x[0]:{spec}}"
    return (f"{x.mean():{spec}} ± {x.std(ddof=1):.{digits}f} "
            f"[{x.min():{spec}}, {x.max():{spec}}]")


class SeedRuns:
    """The histories of one setting trained once per seed, with per-epoch statistics over seeds.

    ``values(key)`` stacks one row per seed, ``(n_seeds, n_epochs)``, where
    ``n_epochs`` is the longest run's length; a run that diverged or stopped
    early is padded with NaN.  For each epoch ``e`` with ``n_e`` finite values
    ``x_1 … x_{n_e}``:

    - ``mean(key)[e] = (1/n_e) Σ x_i``
    - ``std(key)[e]  = sqrt(Σ (x_i − mean)² / (n_e − 1))`` (sample sd, ``ddof=1``;
      NaN where ``n_e < 2``)
    - ``min(key)[e]``, ``max(key)[e]``; ``count(key)[e] = n_e``.

    Keys: every list field of ``History`` (see :func:`history_keys`) and
    ``'gap'`` (train − test accuracy, per seed, then averaged).  Iterating
    yields the histories; ``len()`` is the number of seeds; ``runs[i]`` is the
    ``i``-th history.  Statistics at later epochs average only the seeds still
    running there: check :attr:`n_diverged`.
    """

    def __init__(self, histories: Sequence[History], seeds: Sequence[int] | None = None) -> None:
        if isinstance(histories, History) or not isinstance(histories, Sequence):
            raise TypeError(f"histories must be a sequence of History objects, got {type(histories).__name__}")
        if len(histories) == 0:
            raise ValueError("histories must hold at least one History (one per seed)")
        for i, h in enumerate(histories):
            if not isinstance(h, History):
                raise TypeError(f"histories[{i}] must be a History, got {type(h).__name__}")
        if seeds is None:
            found = [h.settings.get("seed") for h in histories]
            if any(s is None for s in found):
                raise ValueError("seeds must be given when a history's settings carry no 'seed'")
            seeds = found
        self.seeds: tuple[int, ...] = _check_seeds(seeds)
        if len(self.seeds) != len(histories):
            raise ValueError(
                f"seeds and histories must have the same length, got {len(self.seeds)} and {len(histories)}"
            )
        self.histories: tuple[History, ...] = tuple(histories)

    # --- the sequence of runs ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self.histories)

    def __iter__(self) -> Iterator[History]:
        return iter(self.histories)

    def __getitem__(self, index: int) -> History:
        return self.histories[index]

    def __repr__(self) -> str:
        return (f"SeedRuns(seeds={list(self.seeds)}, epochs={self.n_epochs}, "
                f"diverged={self.n_diverged}, settings={self.settings!r})")

    def __str__(self) -> str:
        return self.describe()

    @property
    def settings(self) -> dict[str, Any]:
        """The setting the runs share: the first history's settings without ``'seed'``.

        A run recorded only through a ``TrainingDiverged`` exception knows no
        settings; the first history that does is used.
        """
        for h in self.histories:
            rest = {k: v for k, v in h.settings.items() if k != "seed"}
            if rest:
                return rest
        return {}

    @property
    def n_epochs(self) -> int:
        """Length of the longest run (the number of columns of :meth:`values`)."""
        return max(len(h.epoch) for h in self.histories)

    @property
    def epoch(self) -> np.ndarray:
        """Epoch numbers of the columns of :meth:`values` (from the longest run)."""
        longest = max(self.histories, key=lambda h: len(h.epoch))
        return np.asarray(longest.epoch, dtype=int)

    @property
    def diverged_seeds(self) -> tuple[int, ...]:
        """Seeds whose run diverged (``history.diverged`` set)."""
        return tuple(s for s, h in zip(self.seeds, self.histories) if h.diverged)

    @property
    def n_diverged(self) -> int:
        """How many seeds diverged."""
        return len(self.diverged_seeds)

    # --- per-epoch statistics ----------------------------------------------------------
    def values(self, key: str) -> np.ndarray:
        """``(n_seeds, n_epochs)`` float array of ``key``, one row per seed, NaN-padded."""
        key = _check_key(key)
        out = np.full((len(self.histories), self.n_epochs), np.nan)
        for row, h in zip(out, self.histories):
            series = [np.nan if v is None else v for v in _series(h, key)]
            row[: len(series)] = np.asarray(series, dtype=float)
        return out

    def count(self, key: str) -> np.ndarray:
        """Per epoch, how many seeds have a finite value of ``key``."""
        return np.isfinite(self.values(key)).sum(axis=0)

    def mean(self, key: str) -> np.ndarray:
        """Per-epoch mean over the seeds with a value, ``(1/n_e) Σ x_i``."""
        return _quietly(np.nanmean, self.values(key), axis=0)

    def std(self, key: str) -> np.ndarray:
        """Per-epoch sample standard deviation over seeds (``ddof=1``; NaN with fewer than 2 values)."""
        return _quietly(np.nanstd, self.values(key), axis=0, ddof=1)

    def min(self, key: str) -> np.ndarray:
        """Per-epoch smallest value over seeds."""
        return _quietly(np.nanmin, self.values(key), axis=0)

    def max(self, key: str) -> np.ndarray:
        """Per-epoch largest value over seeds."""
        return _quietly(np.nanmax, self.values(key), axis=0)

    @property
    def gap(self) -> np.ndarray:
        """Per-epoch mean gap (train − test accuracy) over seeds, like ``History.gap``."""
        return self.mean("gap")

    def final_values(self, key: str) -> np.ndarray:
        """Each seed's last recorded value of ``key``; NaN for a seed that diverged.

        A run stopped early by a callback counts with its last epoch; a run that
        diverged has no final value (its last numbers are from before the blow-up).
        """
        key = _check_key(key)
        out = np.full(len(self.histories), np.nan)
        for i, h in enumerate(self.histories):
            series = _series(h, key)
            if series and not h.diverged and series[-1] is not None:
                out[i] = float(series[-1])
        return out

    def final(self, key: str) -> dict[str, Any]:
        """Statistics of the final values over seeds: ``mean``, ``std`` (ddof=1), ``min``, ``max``,
        ``values`` (per seed, NaN for diverged seeds) and ``n`` (seeds with a final value)."""
        values = self.final_values(key)
        finite = values[np.isfinite(values)]
        return {
            "mean": float(finite.mean()) if finite.size else math.nan,
            "std": float(finite.std(ddof=1)) if finite.size > 1 else math.nan,
            "min": float(finite.min()) if finite.size else math.nan,
            "max": float(finite.max()) if finite.size else math.nan,
            "values": values,
            "n": int(finite.size),
        }

    # --- text --------------------------------------------------------------------------
    def summary(self, key: str = "test_acc", digits: int = 3) -> str:
        """``"0.765 ± 0.012 [0.748, 0.781] over 5 seeds"`` for the final ``key``, in the current language.

        Mentions diverged seeds, which the numbers leave out.
        """
        final = self.final(key)
        text = format_spread(final["values"], digits) + _t("seeds.over_n_seeds", n=len(self))
        if self.n_diverged:
            text += _t("seeds.diverged_note", k=self.n_diverged, n=len(self))
        return text

    def describe(self, digits: int = 3) -> str:
        """One line with train accuracy, test accuracy and gap at the end, each as mean ± sd [min, max]."""
        parts = [f"{_key_name(key)} {format_spread(self.final_values(key), digits)}"
                 for key in ("train_acc", "test_acc", "gap")]
        text = _t("seeds.separator").join(parts) + _t("seeds.over_n_seeds", n=len(self))
        if self.n_diverged:
            text += _t("seeds.diverged_note", k=self.n_diverged, n=len(self))
        return text


def _check_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (Sequence, np.ndarray)):
        raise TypeError(f"seeds must be a sequence of non-negative ints such as [0, 1, 2, 3, 4], got {seeds!r}")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, e.g. [0, 1, 2, 3, 4]")
    checked = tuple(check_int(s, f"seeds[{i}]", minimum=0) for i, s in enumerate(seeds))
    if len(set(checked)) != len(checked):
        # the same seed twice is the same run twice: it would understate the spread
        raise ValueError(f"seeds must be distinct, got {list(checked)}")
    return checked


def run_seeds(train_one: Callable[[int], History], seeds: Sequence[int]) -> SeedRuns:
    """Call ``train_one(seed)`` once per seed and collect the histories in a :class:`SeedRuns`.

    ``train_one`` trains one setting with the given seed and returns its
    ``History``, e.g. ``lambda seed: train_lecture_net(0.1, seed=seed)``.  A run
    that diverges should return its partial history with ``history.diverged``
    set; a ``TrainingDiverged`` exception is also accepted: the run is recorded
    as diverged with the history attached to the exception (``err.history``)
    or, failing that, with no epochs.  Either way the other seeds still run.
    """
    if not callable(train_one):
        raise TypeError(f"train_one must be callable(seed) -> History, got {type(train_one).__name__}")
    seeds = _check_seeds(seeds)
    histories = []
    for seed in seeds:
        try:
            history = train_one(seed)
        except TrainingDiverged as err:
            history = getattr(err, "history", None)
            if not isinstance(history, History):
                history = History(settings={"seed": seed})
            history.diverged = history.diverged or str(err)
        if not isinstance(history, History):
            raise TypeError(f"train_one must return a History, got {type(history).__name__} for seed {seed}")
        histories.append(history)
    return SeedRuns(histories, seeds)


# =============================================================================
# comparing two settings seed by seed
# =============================================================================


@dataclass(frozen=True)
class SeedComparison:
    """Final ``key`` of two settings paired by seed: ``differences = b − a`` per seed.

    ``direction`` is ``+1`` when B is higher on every compared seed, ``-1`` when
    lower on every one, ``0`` otherwise (the difference is within the spread).
    ``verdict`` says so in words, in the language current when it was made.
    """

    key: str
    seeds: tuple[int, ...]
    a: np.ndarray
    b: np.ndarray
    differences: np.ndarray
    label_a: str
    label_b: str

    @property
    def compared(self) -> np.ndarray:
        """The differences of the seeds where both runs have a final value."""
        return self.differences[np.isfinite(self.differences)]

    @property
    def n(self) -> int:
        """Number of seeds compared (both runs finished)."""
        return int(self.compared.size)

    @property
    def n_higher(self) -> int:
        return int(np.sum(self.compared > 0))

    @property
    def n_lower(self) -> int:
        return int(np.sum(self.compared < 0))

    @property
    def mean(self) -> float:
        """Mean paired difference ``(1/n) Σ (b_s − a_s)``."""
        return float(self.compared.mean()) if self.n else math.nan

    @property
    def std(self) -> float:
        """Sample sd of the paired differences (ddof=1)."""
        return float(self.compared.std(ddof=1)) if self.n > 1 else math.nan

    @property
    def direction(self) -> int:
        if self.n and self.n_higher == self.n:
            return 1
        if self.n and self.n_lower == self.n:
            return -1
        return 0

    @property
    def all_higher(self) -> bool:
        """B is higher than A on every compared seed."""
        return self.direction == 1

    @property
    def all_lower(self) -> bool:
        """B is lower than A on every compared seed."""
        return self.direction == -1

    @property
    def verdict(self) -> str:
        """``"higher on all 5 seeds"``, ``"lower on all 5 seeds"`` or ``"within the spread: …"``."""
        if self.n == 0:
            return _t("seeds.verdict_none")
        if self.direction == 1:
            text = _t("seeds.verdict_higher", n=self.n)
        elif self.direction == -1:
            text = _t("seeds.verdict_lower", n=self.n)
        else:
            return _t("seeds.verdict_within", k=self.n_higher, m=self.n_lower, n=self.n)
        # a sign that agrees on 2 or 3 seeds happens by chance 1 time in 2 or 4
        return text + (_t("seeds.verdict_few", n=self.n) if self.n < 5 else "")

    def __str__(self) -> str:
        spread = format_spread(self.compared, 3, signed=True)
        text = _t("seeds.compare", quantity=_key_name(self.key), a=self.label_a, b=self.label_b, spread=spread, verdict=self.verdict)
        skipped = len(self.differences) - self.n
        if skipped:
            text += _t("seeds.compare_skipped", k=skipped)
        return text


def compare(
    runs_a: SeedRuns,
    runs_b: SeedRuns,
    key: str = "test_acc",
    *,
    label_a: str = "A",
    label_b: str = "B",
) -> SeedComparison:
    """Is B higher than A across seeds?  Pair the final ``key`` seed by seed: ``d_s = b_s − a_s``.

    Both must have run the same seeds (pairing removes the part of the
    difference that comes from the seed itself).  The result counts how many
    seeds agree in sign, gives ``mean ± sd`` of ``d_s`` and a verdict: higher
    (or lower) on all seeds, or within the spread.  Seeds where either run
    diverged are left out and counted.
    """
    for name, runs in (("runs_a", runs_a), ("runs_b", runs_b)):
        if not isinstance(runs, SeedRuns):
            raise TypeError(f"{name} must be a SeedRuns (from run_seeds), got {type(runs).__name__}")
    key = _check_key(key)
    for name, label in (("label_a", label_a), ("label_b", label_b)):
        if not isinstance(label, str):
            raise TypeError(f"{name} must be a str, got {type(label).__name__}")
    if set(runs_a.seeds) != set(runs_b.seeds):
        raise ValueError(
            f"runs_a and runs_b must have run the same seeds to be paired, got {list(runs_a.seeds)} and "
            f"{list(runs_b.seeds)}"
        )
    seeds = tuple(runs_a.seeds)
    a = runs_a.final_values(key)
    b_by_seed = dict(zip(runs_b.seeds, runs_b.final_values(key)))
    b = np.array([b_by_seed[s] for s in seeds])
    return SeedComparison(key, seeds, a, b, b - a, label_a, label_b)


# =============================================================================
# the test digits' own sampling error
# =============================================================================


@dataclass(frozen=True)
class BootstrapDiff:
    """Paired difference of mean accuracy, ``B − A``, with a percentile bootstrap interval over digits.

    ``difference = mean(correct_b) − mean(correct_a)``; ``[low, high]`` is the
    central ``ci`` interval of the bootstrap distribution; ``se`` is its sd.
    """

    difference: float
    low: float
    high: float
    se: float
    n_digits: int
    n_boot: int
    ci: float

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0."""
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        text = _t("seeds.bootstrap", diff=self.difference, low=self.low, high=self.high,
                 ci=round(100 * self.ci), n=self.n_digits)
        return text + _t("seeds.bootstrap_excludes" if self.excludes_zero else "seeds.bootstrap_includes")


def _check_correct(value: Any, name: str) -> np.ndarray:
    arr = check_array(value, name, ndim=1).astype(float)
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"{name} must hold per-digit correctness in [0, 1] (bool or fraction of seeds), "
                         f"got values from {arr.min()!r} to {arr.max()!r}")
    return arr


def paired_bootstrap(
    correct_a: np.ndarray,
    correct_b: np.ndarray,
    *,
    n_boot: int = 2000,
    ci: float = 0.95,
    rng: RngLike = 0,
) -> BootstrapDiff:
    """How sure is "B scores higher than A on these test digits"?  Difference ``B − A`` with an interval.

    ``correct_a[i]``, ``correct_b[i]``: whether A and B got test digit ``i``
    right (bool), or the fraction of seeds that did (:func:`correct_per_digit`).
    With per-digit differences ``d_i = b_i − a_i`` (``n`` digits), the
    difference is ``d̄ = (1/n) Σ d_i``.  Each bootstrap replicate draws ``n``
    digits **with replacement** (the same digits for A and B: paired) and takes
    the mean of their ``d``; the interval is the percentile interval
    ``[q_{(1−ci)/2}, q_{(1+ci)/2}]`` of the ``n_boot`` replicate means.  It
    measures the sampling error of the test digits, not the seed-to-seed
    spread (use :func:`compare` for that).  ``rng`` seeds a
    ``numpy.random.Generator`` (same ``rng``, same interval).
    """
    a = _check_correct(correct_a, "correct_a")
    b = _check_correct(correct_b, "correct_b")
    if a.shape != b.shape:
        raise ValueError(f"correct_a and correct_b must cover the same digits, got lengths {a.size} and {b.size}")
    n_boot = check_int(n_boot, "n_boot", minimum=10)
    ci = check_float(ci, "ci", minimum=0.0, maximum=1.0, include_min=False, include_max=False)
    gen = make_rng(rng)
    d = b - a
    n = d.size
    means = np.empty(n_boot)
    block = max(1, _BOOT_CHUNK // n)
    for start in range(0, n_boot, block):
        stop = min(n_boot, start + block)
        means[start:stop] = d[gen.integers(0, n, size=(stop - start, n))].mean(axis=1)
    low, high = np.quantile(means, [(1 - ci) / 2, (1 + ci) / 2])
    return BootstrapDiff(float(d.mean()), float(low), float(high), float(means.std(ddof=1)), n, n_boot, ci)


def correct_per_digit(history_or_runs: History | SeedRuns, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per test digit, the fraction of seeds whose final network classifies it correctly.

    ``history_or_runs``: a ``History`` (result 0.0 or 1.0 per digit) or a
    :class:`SeedRuns` (``k / n_seeds``).  Uses ``history.network`` (the trained
    network) and ``network.predict(x).argmax(axis=1) == t``.  A seed that
    diverged classifies nothing: it counts as wrong on every digit.
    ``t``: integer labels or one-hot rows.
    """
    if isinstance(history_or_runs, History):
        histories: tuple[History, ...] = (history_or_runs,)
    elif isinstance(history_or_runs, SeedRuns):
        histories = history_or_runs.histories
    else:
        raise TypeError(f"history_or_runs must be a History or a SeedRuns, got {type(history_or_runs).__name__}")
    x = check_array(x, "x", ndim=(2, 4))
    labels = check_array(t, "t", ndim=(1, 2))
    if labels.shape[0] != x.shape[0]:
        raise ValueError(f"t must have one label per image: x has {x.shape[0]} rows, t has {labels.shape[0]}")
    if labels.ndim == 2:
        labels = labels.argmax(axis=1)
    elif not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"t must hold integer labels or one-hot rows, got dtype {labels.dtype}")
    x = x.reshape(x.shape[0], -1)
    hits = np.zeros(x.shape[0])
    for i, h in enumerate(histories):
        if h.diverged:
            continue
        if h.network is None or not hasattr(h.network, "predict"):
            raise ValueError(f"history {i} has no trained network (history.network is None); "
                             "train it in this session to score digits")
        with np.errstate(over="ignore", invalid="ignore"):
            hits += h.network.predict(x).argmax(axis=1) == labels
    return hits / len(histories)
