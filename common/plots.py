"""Matplotlib figures the notebooks share: learning curves, comparisons, weight histograms."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .trainer import History

TRAIN_STYLE = {"color": "tab:blue", "label": "train"}
TEST_STYLE = {"color": "tab:orange", "label": "test"}


def plot_learning_curves(
    history: History,
    title: str | None = None,
    *,
    ax: Axes | None = None,
    show_loss: bool = False,
    test_label: str = "test",
) -> Figure:
    """Train and test accuracy per epoch (the lecture's figure); optionally the loss beside it.

    ``test_label`` names the second curve, e.g. ``"validation"`` when the
    trainer's "test" set is a validation split.
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a History, got {type(history).__name__}")
    if ax is None:
        ncols = 2 if show_loss else 1
        fig, axes = plt.subplots(1, ncols, figsize=(5.5 * ncols, 3.6), squeeze=False)
        ax = axes[0, 0]
    else:
        fig = ax.figure
        if show_loss:
            raise ValueError("show_loss needs its own figure: pass ax=None")
    ax.plot(history.epoch, history.train_acc, **TRAIN_STYLE)
    ax.plot(history.epoch, history.test_acc, **{**TEST_STYLE, "label": test_label})
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    if history.epoch:
        f = history.final()
        ax.set_title(title or f"train {f['train_acc']:.3f}, test {f['test_acc']:.3f}, gap {f['gap']:.3f}")
    elif title:
        ax.set_title(title)
    if show_loss:
        lax = fig.axes[1]
        lax.plot(history.epoch, history.train_loss, color="tab:blue", label="train loss (incl. penalty)")
        lax.plot(history.epoch, history.test_loss, color="tab:orange", label="test loss (error only)")
        lax.set_xlabel("epoch")
        lax.set_ylabel("loss")
        lax.set_yscale("log")
        lax.grid(alpha=0.3)
        lax.legend()
    fig.tight_layout()
    return fig


def compare_learning_curves(histories: dict[str, History], *, ncols: int = 3, sharey: bool = True) -> Figure:
    """One small learning-curve panel per labelled run, side by side."""
    if not histories:
        raise ValueError("histories must hold at least one labelled History")
    n = len(histories)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), sharey=sharey, squeeze=False)
    for ax, (label, history) in zip(axes.flat, histories.items()):
        f = history.final()
        plot_learning_curves(history, f"{label}\ntrain {f['train_acc']:.2f} / test {f['test_acc']:.2f}", ax=ax)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def plot_metric(
    histories: dict[str, History], metric: str, *, ax: Axes | None = None, ylabel: str | None = None
) -> Figure:
    """One History attribute (``'gap'``, ``'weight_norm'``, ``'sparsity'``, …) per epoch, one line per run."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.6))
    else:
        fig = ax.figure
    for label, history in histories.items():
        values = getattr(history, metric, None)
        if values is None:
            raise ValueError(f"metric must be a History attribute such as 'gap' or 'sparsity', got {metric!r}")
        ax.plot(history.epoch, values, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or metric)
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
    ax.set_xlabel("weight value")
    ax.set_ylabel("density")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_sweep(
    values: Sequence[float],
    histories: Sequence[History],
    *,
    xlabel: str,
    logx: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Final train/test accuracy and their gap against a swept setting."""
    if len(values) != len(histories):
        raise ValueError(f"values and histories must have the same length, got {len(values)} and {len(histories)}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.6))
    else:
        fig = ax.figure
    finals = [h.final() for h in histories]
    ax.plot(values, [f["train_acc"] for f in finals], "o-", **TRAIN_STYLE)
    ax.plot(values, [f["test_acc"] for f in finals], "o-", **TEST_STYLE)
    ax.plot(values, [f["gap"] for f in finals], "s--", color="tab:red", label="gap (train − test)")
    if logx:
        ax.set_xscale("symlog", linthresh=min(v for v in values if v > 0) if any(v > 0 for v in values) else 1.0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("final accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig
