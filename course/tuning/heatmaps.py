"""Heat maps of a :class:`~course.tuning.grid.RegularizationGrid`: λ (rows) × dropout_ratio (columns).

:func:`plot_heatmaps` draws one panel per metric and penalty, each cell the
mean over seeds with its sd below; cells within the seed-to-seed spread of a
reference cell are hatched, and a grid point (e.g. the lecture's setting) can
be outlined in red.  Titles and labels follow :func:`course.i18n.set_language`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from common._validation import check_choice
from course.i18n import t
from course.tuning.grid import RegularizationGrid
from course.tuning.runs import METRICS

__all__ = ["plot_heatmaps"]


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
