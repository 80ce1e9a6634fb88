"""The figure of the lecture's question "which graph is L1?": error contours meeting an L1 or L2 ball.

:func:`plot_constraint_panels` draws one panel per norm, titled "figure A",
"figure B", …; ``reveal=True`` adds which norm each panel shows.  The ball's
outline is :func:`course.geometry_plots.ball_boundary`, the optimum
:func:`course.linear.constrained_optimum`.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from common._validation import check_choice, check_float
from course.exercises.choice import LETTERS
from course.geometry_plots import ball_boundary
from course.i18n import t
from course.linear import constrained_optimum, squared_error_grid

__all__ = ["plot_constraint_panels"]


def plot_constraint_panels(
    X: np.ndarray,
    y: np.ndarray,
    radius: float,
    norms: Sequence[str] = ("l2", "l1"),
    *,
    labels: Sequence[str] | None = None,
    reveal: bool = False,
) -> Figure:
    """The two-weight picture: squared-error contours around ``ŵ`` meeting a norm ball.

    One panel per entry of ``norms`` (``'l2'``: disc ``w1² + w2² ≤ r²``;
    ``'l1'``: diamond ``|w1| + |w2| ≤ r``), with the constrained optimum
    ``argmin ||y − Xw||²  s.t. ||w|| ≤ r`` marked.  Panels are titled with
    ``labels`` (default ``"A"``, ``"B"``, …); ``reveal=True`` adds which norm
    each one is, so a quiz can show the figure first and the answer later.
    """
    norms = [check_choice(n, "norms", ("l1", "l2")) for n in norms]
    if not norms:
        raise ValueError("norms must list at least one of 'l1', 'l2'")
    radius = check_float(radius, "radius", minimum=0.0, include_min=False)
    labels = list(labels) if labels is not None else [t("exercises.figure", letter=LETTERS[i]) for i in range(len(norms))]
    if len(labels) != len(norms):
        raise ValueError(f"labels must have one entry per panel ({len(norms)}), got {len(labels)}")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w_hat = np.linalg.lstsq(X, y, rcond=None)[0]
    span = 1.25 * max(float(np.abs(w_hat).max()), radius)
    axis = np.linspace(-span, span, 301)
    error = squared_error_grid(X, y, axis, axis)
    levels = np.quantile(error, np.linspace(0.003, 0.5, 9))

    fig, axes = plt.subplots(1, len(norms), figsize=(4.0 * len(norms), 4.0), squeeze=False)
    for ax, norm, label in zip(axes[0], norms, labels):
        ax.contour(axis, axis, error, levels=levels, colors="tab:red", linewidths=0.9)
        bx, by = ball_boundary(radius, norm).T
        ax.fill(bx, by, color="tab:blue", alpha=0.25)
        ax.plot(bx, by, color="tab:blue", lw=1.5)
        w = constrained_optimum(X, y, radius, norm)
        ax.plot(*w_hat, "k+", ms=10, mew=2, label=t("exercises.panel_w_hat"))
        ax.plot(*w, "o", color="tab:blue", mec="k", ms=8, label=t("exercises.panel_optimum"))
        ax.axhline(0, color="gray", lw=0.8)
        ax.axvline(0, color="gray", lw=0.8)
        ax.set_aspect("equal")
        ax.set_xlim(-span, span)
        ax.set_ylim(-span, span)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        name = t(f"exercises.panel_{norm}")
        ax.set_title(f"{label}: {name}" if reveal else label)
        ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig
