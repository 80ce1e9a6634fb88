"""Matplotlib figures the notebooks share: learning curves, comparisons, sweeps, weight histograms.

Every figure takes a single run (a :class:`~common.trainer.History`) or one
setting over several seeds (a :class:`~course.seeds.SeedRuns`).  A
``SeedRuns`` is drawn as its per-epoch mean with a shaded band of ±1 sample
standard deviation, and its legend says so ("mean ± 1 sd over 5 seeds"): a
difference between two curves means something only where their bands part.

Every word on a figure (titles, axis labels, legends) comes from
:func:`course.i18n.t`, so the plots follow ``set_language('ja')``.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from course.i18n import t
from course.seeds import SeedRuns, history_keys
from common.trainer import History

TRAIN_COLOR, TEST_COLOR, GAP_COLOR, PENALTY_COLOR = "tab:blue", "tab:orange", "tab:red", "tab:green"
BAND_ALPHA = 0.25
"""Opacity of a ±1 sd band: light enough that two overlapping bands stay readable."""

Run = History | SeedRuns

# keys whose learner-facing name lives under another message than ``plots.key_<key>``
_KEY_MESSAGES = {
    "gap": "plots.gap",
    "train_loss": "plots.train_loss_total",
    "train_data_loss": "plots.train_loss_data",
    "test_loss": "plots.test_loss",
    "penalty": "plots.penalty",
    "epoch": "plots.epoch",
}


def key_label(key: str) -> str:
    """The name of a recorded quantity on a figure, in the current language (the key itself if none)."""
    try:
        return t(_KEY_MESSAGES.get(key, f"plots.key_{key}"))
    except KeyError:
        return key


def _check_run(run: Any, name: str) -> Run:
    if not isinstance(run, (History, SeedRuns)):
        raise TypeError(f"{name} must be a History or a SeedRuns, got {type(run).__name__}")
    return run


def _check_key(key: Any, name: str = "key") -> str:
    allowed = history_keys()
    if not isinstance(key, str) or key not in allowed:
        raise ValueError(f"{name} must be a History quantity, one of {allowed}, got {key!r}")
    return key


def _series(history: History, key: str) -> np.ndarray:
    values = history.gap if key == "gap" else getattr(history, key)
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def _has_values(run: Run, key: str) -> bool:
    """Whether ``key`` was measured (a history from before ``train_data_loss`` existed holds NaN or nothing)."""
    values = run.values(key) if isinstance(run, SeedRuns) else _series(run, key)
    return bool(np.isfinite(values).any())


def band_label(label: str, n_seeds: int) -> str:
    """A legend entry for a band: ``"test (mean ± 1 sd over 5 seeds)"``, in the current language."""
    return t("plots.one_seed", label=label) if n_seeds == 1 else t("plots.seed_band", label=label, n=n_seeds)


def _draw(ax: Axes, run: Run, key: str, *, label: str, color: str | None = None,
          show_seeds: bool = False, **line_kwargs: Any) -> Line2D:
    """One quantity per epoch: a line for a History; mean line + ±1 sd band for a SeedRuns."""
    if isinstance(run, History):
        (line,) = ax.plot(run.epoch, _series(run, key), color=color, label=label, **line_kwargs)
        return line
    x, mean, sd = run.epoch, run.mean(key), run.std(key)
    (line,) = ax.plot(x, mean, color=color, label=band_label(label, len(run)), **line_kwargs)
    if show_seeds:
        for row in run.values(key):
            ax.plot(x, row, color=line.get_color(), lw=0.6, alpha=0.4, label="_seed")
    if len(run) > 1:
        # NaN (an epoch only one seed reached) leaves a hole in the band rather than a made-up width
        ax.fill_between(x, mean - sd, mean + sd, color=line.get_color(), alpha=BAND_ALPHA, linewidth=0)
    return line


def _final_text(run: Run, key: str, digits: int) -> str:
    """``0.812`` for a History, ``0.812±0.011`` (mean ± sd over seeds) for a SeedRuns."""
    if isinstance(run, History):
        values = _series(run, key)
        return f"{values[-1]:.{digits}f}" if values.size else "—"
    final = run.final(key)
    if final["n"] == 0:
        return "—"
    if final["n"] == 1:
        return f"{final['mean']:.{digits}f}"
    return f"{final['mean']:.{digits}f}±{final['std']:.{digits}f}"


def _final_title(run: Run, digits: int = 3) -> str:
    title = t("plots.title_final", **{name: _final_text(run, key, digits)
                                      for name, key in (("train", "train_acc"), ("test", "test_acc"), ("gap", "gap"))})
    if isinstance(run, SeedRuns) and run.n_diverged:
        title += t("seeds.diverged_note", k=run.n_diverged, n=len(run))
    return title


def _n_epochs(run: Run) -> int:
    return run.n_epochs if isinstance(run, SeedRuns) else len(run.epoch)


def plot_learning_curves(
    history: Run,
    title: str | None = None,
    *,
    ax: Axes | None = None,
    show_loss: bool = False,
    test_label: str | None = None,
) -> Figure:
    """Train and test accuracy per epoch (the lecture's figure); optionally the losses beside it.

    ``history`` is one run (``History``: two lines) or one setting over
    several seeds (``SeedRuns``: two mean lines, each with a band of ±1 sample
    sd, ``sd = sqrt(Σ (x_s − x̄)² / (n − 1))`` per epoch).  ``test_label``
    names the second curve, e.g. ``"validation"`` when the trainer's "test"
    set is a validation split (default: "test" in the current language).
    The title gives the final train / test accuracy and gap (mean ± sd over seeds).

    ``show_loss`` adds a log-scale loss panel.  It compares like with like
    where the history has the data loss of the training digits
    (``train_data_loss``: cross-entropy after the epoch, as ``test_loss``),
    and draws the penalty term as its own line; an older history without it
    shows the training objective (error + penalty) instead.
    """
    history = _check_run(history, "history")
    if test_label is not None and not isinstance(test_label, str):
        raise TypeError(f"test_label must be a str or None, got {type(test_label).__name__}")
    if ax is None:
        ncols = 2 if show_loss else 1
        fig, axes = plt.subplots(1, ncols, figsize=(5.5 * ncols, 3.6), squeeze=False)
        ax = axes[0, 0]
    else:
        fig = ax.figure
        if show_loss:
            raise ValueError("show_loss needs its own figure: pass ax=None")
    _draw(ax, history, "train_acc", label=t("plots.train"), color=TRAIN_COLOR)
    _draw(ax, history, "test_acc", label=test_label or t("plots.test"), color=TEST_COLOR)
    ax.set_xlabel(t("plots.epoch"))
    ax.set_ylabel(t("plots.accuracy"))
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="best")  # low curves (a collapsed run) must not hide under it
    if title:
        ax.set_title(title)
    elif _n_epochs(history):
        ax.set_title(_final_title(history))
    if show_loss:
        _loss_panel(fig.axes[1], history)
    fig.tight_layout()
    return fig


def _loss_panel(ax: Axes, run: Run) -> None:
    if _has_values(run, "train_data_loss"):
        _draw(ax, run, "train_data_loss", label=t("plots.train_loss_data"), color=TRAIN_COLOR)
    else:
        _draw(ax, run, "train_loss", label=t("plots.train_loss_total"), color=TRAIN_COLOR)
    _draw(ax, run, "test_loss", label=t("plots.test_loss"), color=TEST_COLOR)
    values = run.values("penalty") if isinstance(run, SeedRuns) else _series(run, "penalty")
    if np.any(values[np.isfinite(values)] > 0):  # nothing to show on a log axis without a penalty
        _draw(ax, run, "penalty", label=t("plots.penalty"), color=PENALTY_COLOR, ls="--")
    ax.set_xlabel(t("plots.epoch"))
    ax.set_ylabel(t("plots.loss"))
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()


def plot_seed_band(
    runs: SeedRuns,
    key: str = "test_acc",
    ax: Axes | None = None,
    label: str | None = None,
    color: str | None = None,
    *,
    show_seeds: bool = False,
) -> Figure:
    """One quantity of a :class:`SeedRuns` per epoch: the mean over seeds with a band of ±1 sd.

    Band: ``mean(key)[e] ± std(key)[e]`` (sample sd over the seeds with a
    value at epoch ``e``; no band where fewer than 2 seeds have one).  The
    legend reads ``"<label> (mean ± 1 sd over N seeds)"``.  Call it on the same
    ``ax`` for several settings to compare them; ``show_seeds`` also draws
    each seed's curve, thin.
    """
    if not isinstance(runs, SeedRuns):
        raise TypeError(f"runs must be a SeedRuns (from run_seeds or train_lecture_net(seeds=...)), "
                        f"got {type(runs).__name__}")
    key = _check_key(key)
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a str or None, got {type(label).__name__}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.6))
    else:
        fig = ax.figure
    _draw(ax, runs, key, label=label or key_label(key), color=color, show_seeds=bool(show_seeds))
    ax.set_xlabel(t("plots.epoch"))
    ax.set_ylabel(key_label(key))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def compare_learning_curves(histories: Mapping[str, Run], *, ncols: int = 3, sharey: bool = True) -> Figure:
    """One small learning-curve panel per labelled run (``History`` or ``SeedRuns``), side by side."""
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError("histories must be a dict holding at least one labelled History or SeedRuns")
    n = len(histories)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), sharey=sharey, squeeze=False)
    for ax, (label, history) in zip(axes.flat, histories.items()):
        history = _check_run(history, f"histories[{label!r}]")
        title = t("plots.compare_title", label=label, train=_final_text(history, "train_acc", 2),
                  test=_final_text(history, "test_acc", 2))
        plot_learning_curves(history, title, ax=ax)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def plot_metric(
    histories: Mapping[str, Run], metric: str, *, ax: Axes | None = None, ylabel: str | None = None
) -> Figure:
    """One recorded quantity (``'gap'``, ``'weight_norm'``, ``'sparsity'``, …) per epoch, one curve per run.

    A ``SeedRuns`` is drawn as its mean with a ±1 sd band.
    """
    if not isinstance(metric, str) or metric not in history_keys():
        raise ValueError(f"metric must be a History attribute such as 'gap' or 'sparsity', got {metric!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.6))
    else:
        fig = ax.figure
    for label, history in histories.items():
        _draw(ax, _check_run(history, f"histories[{label!r}]"), metric, label=label)
    ax.set_xlabel(t("plots.epoch"))
    ax.set_ylabel(ylabel or key_label(metric))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_weight_histograms(
    networks: dict[str, object], *, bins: int = 80, value_range: tuple[float, float] = (-0.5, 0.5)
) -> Figure:
    """Histogram of all weights (biases excluded) for each labelled network, overlaid."""
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for label, net in networks.items():
        w = np.concatenate([m.ravel() for m in net.weights()])  # type: ignore[attr-defined]
        ax.hist(w, bins=bins, range=value_range, histtype="step", linewidth=1.5, density=True, label=label)
    ax.set_xlabel(t("plots.weight_value"))
    ax.set_ylabel(t("plots.density"))
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_sweep(
    values: Sequence[float],
    histories: Sequence[Run],
    *,
    xlabel: str,
    logx: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Final train/test accuracy and their gap against a swept setting.

    ``histories`` holds one ``History`` per value (points joined by lines) or
    one ``SeedRuns`` per value (the mean over seeds, with error bars of ±1
    sample sd; the legend says over how many seeds).
    """
    if len(values) != len(histories):
        raise ValueError(f"values and histories must have the same length, got {len(values)} and {len(histories)}")
    if len(values) == 0:
        raise ValueError("values must hold at least one setting")
    seeded = [isinstance(h, SeedRuns) for h in histories]
    if any(seeded) and not all(seeded):
        raise TypeError("histories must be all History or all SeedRuns, not a mix")
    for i, h in enumerate(histories):
        _check_run(h, f"histories[{i}]")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.6))
    else:
        fig = ax.figure
    curves = (("train_acc", "o-", TRAIN_COLOR, t("plots.train")), ("test_acc", "o-", TEST_COLOR, t("plots.test")),
              ("gap", "s--", GAP_COLOR, t("plots.gap")))
    if all(seeded):
        n_seeds = sorted({len(h) for h in histories})
        for key, fmt, color, label in curves:
            finals = [h.final(key) for h in histories]
            label = band_label(label, n_seeds[0]) if len(n_seeds) == 1 else label
            mean = np.array([f["mean"] for f in finals], dtype=float)
            sd = np.array([_zero_if_nan(f["std"]) for f in finals], dtype=float)
            ax.errorbar(values, mean, yerr=sd, fmt=fmt, color=color, capsize=3, label=label)
    else:
        for key, fmt, color, label in curves:
            ax.plot(values, [_series(h, key)[-1] for h in histories], fmt, color=color, label=label)
    if logx:
        ax.set_xscale("symlog", linthresh=min(v for v in values if v > 0) if any(v > 0 for v in values) else 1.0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(t("plots.final_accuracy"))
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def _zero_if_nan(value: float) -> float:
    # one seed has no sd: draw no error bar rather than make one up
    return 0.0 if not math.isfinite(value) else value
