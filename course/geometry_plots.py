"""Pictures of ridge (縮小推定) and lasso (スパース推定) as constrained least squares.

The lecture's two-weight figure: the squared error ``E(w) = ||y - X w||²`` has
elliptical contours around the least-squares solution ``ŵ``; ``||w||₂ <= r``
is a disc and ``||w||₁ <= r`` a diamond, both centred at ``(0, 0)``, and the
constrained optimum ``w*(r) = argmin_{||w|| <= r} ||y - X w||²`` is where the
lowest contour first touches the region.  The diamond is usually touched at a
corner, so one weight is exactly 0; the disc only shrinks both weights.

- :func:`draw_constraint_geometry` draws that picture for one radius
  (:class:`ConstraintPicture` holds the optima it drew).
- :class:`ConstraintExplorer` adds a radius slider (testable without a
  browser through :meth:`ConstraintExplorer.set_radius`).
- :func:`plot_coefficient_paths` draws coefficients against λ.
- :func:`ball_boundary` (the course's one outline of the L1 / L2 ball) and
  :func:`equivalent_penalty` are the geometry behind the figures.

Optima come from :func:`course.linear.constrained_optimum`; nothing here draws random numbers.
"""

from __future__ import annotations

# Every visible word (titles, axis labels, legends, slider, status line) comes from
# course.i18n.t, so the figures follow set_language("ja"); English stays the default.

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from common._validation import check_array, check_choice, check_float, check_int
from course.i18n import t
from course.linear import constrained_optimum, squared_error_grid

__all__ = [
    "NORM_STYLE",
    "ConstraintPicture",
    "ConstraintExplorer",
    "ball_boundary",
    "draw_constraint_geometry",
    "equivalent_penalty",
    "plot_coefficient_paths",
]

NORMS = ("l2", "l1")
NORM_STYLE: dict[str, dict[str, str]] = {
    "l2": {"color": "tab:blue", "name": "L2 (ridge)", "shape": "disc", "marker": "o"},
    "l1": {"color": "tab:red", "name": "L1 (lasso)", "shape": "diamond", "marker": "D"},
}
"""Colour, marker, and English name and shape of each constraint in every figure of this module.

The figures show the name and shape in the current language (:func:`course.i18n.t`,
keys ``geometry.name_l1`` … ``geometry.shape_l2``).
"""

_ORD = {"l1": 1, "l2": 2}
_SUB = {"l1": "₁", "l2": "₂"}


# --------------------------------------------------------------------------- #
# validation helpers
# --------------------------------------------------------------------------- #
def _check_two_weights(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, "X", ndim=2).astype(np.float64)
    y = check_array(y, "y", ndim=1).astype(np.float64)
    if X.shape[1] != 2:
        raise ValueError(f"X must have exactly 2 columns (one per weight w1, w2), got shape {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one entry per row of X: X has {X.shape[0]} rows, y has length {y.shape[0]}")
    if np.linalg.matrix_rank(X) < 2:
        raise ValueError("X must have 2 linearly independent columns, or the error has no unique minimum to draw")
    return X, y


def _check_norms(norms: Any) -> tuple[str, ...]:
    if isinstance(norms, str) or not isinstance(norms, Sequence) or len(norms) == 0:
        raise TypeError(f"norms must be a non-empty sequence drawn from {NORMS}, e.g. ('l2', 'l1'), got {norms!r}")
    checked = tuple(check_choice(n, "norms", NORMS) for n in norms)
    if len(set(checked)) != len(checked):
        raise ValueError(f"norms must not repeat a norm, got {norms!r}")
    return checked


def _check_limits(limits: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        (x0, x1), (y0, y1) = limits
    except (TypeError, ValueError):
        raise TypeError(f"limits must be ((w1_min, w1_max), (w2_min, w2_max)), got {limits!r}") from None
    vals = [check_float(v, "limits") for v in (x0, x1, y0, y1)]
    if not (vals[0] < vals[1] and vals[2] < vals[3]):
        raise ValueError(f"limits must be increasing ranges ((w1_min, w1_max), (w2_min, w2_max)), got {limits!r}")
    return (vals[0], vals[1]), (vals[2], vals[3])


# --------------------------------------------------------------------------- #
# geometry
# --------------------------------------------------------------------------- #
def ball_boundary(radius: float, norm: str, n_points: int = 401) -> np.ndarray:
    """Points on the boundary ``||w||_p = radius`` of the L1 diamond or the L2 circle.

    Returns a closed polygon of shape ``(m, 2)``: the last point repeats the
    first.  For ``'l2'`` ``m = n_points``; for ``'l1'`` ``n_points`` is rounded up
    to the next ``4k + 1`` so that the four corners ``(±r, 0), (0, ±r)`` are
    vertices (``k`` points per edge).
    """
    r = check_float(radius, "radius", minimum=0.0, include_min=False)
    kind = check_choice(norm, "norm", NORMS)
    n = check_int(n_points, "n_points", minimum=5)
    if kind == "l2":
        theta = np.linspace(0.0, 2.0 * np.pi, n)
        return r * np.column_stack([np.cos(theta), np.sin(theta)])
    per_edge = -(-(n - 1) // 4)
    corners = r * np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    frac = np.linspace(0.0, 1.0, per_edge, endpoint=False)[:, None]
    edges = [corners[k] + frac * (corners[(k + 1) % 4] - corners[k]) for k in range(4)]
    return np.vstack(edges + [corners[:1]])


def equivalent_penalty(X: np.ndarray, y: np.ndarray, w: np.ndarray, norm: str) -> float:
    """The penalty strength λ whose penalized fit (no intercept) is ``w``.

    Lagrange: ``w`` solves the constrained problem, so the error's gradient at
    ``w`` is balanced by the penalty's.  With ``r = y - X w`` and the objectives of
    :mod:`course.linear`:

    - ``'l2'`` (``||r||² + λ||w||₂²``):         ``λ = wᵀXᵀr / wᵀw``
    - ``'l1'`` (``||r||²/(2n) + λ||w||₁``):     ``λ = max_j |x_jᵀ r| / n``

    so ``fit_ridge(X, y, λ, fit_intercept=False)`` (or ``fit_lasso``) returns
    ``w`` again.  ``w`` = least-squares solution gives 0; ``w`` = 0 gives the
    λ above which every weight is 0 (lasso) or ``inf`` (ridge never reaches 0).
    """
    X = check_array(X, "X", ndim=2).astype(np.float64)
    y = check_array(y, "y", ndim=1).astype(np.float64)
    w = check_array(w, "w", ndim=1).astype(np.float64)
    if y.shape[0] != X.shape[0] or w.shape[0] != X.shape[1]:
        raise ValueError(f"shapes do not fit y ≈ X @ w: X {X.shape}, y {y.shape}, w {w.shape}")
    kind = check_choice(norm, "norm", NORMS)
    grad = X.T @ (y - X @ w)  # minus half the error's gradient
    if kind == "l1":
        return float(np.max(np.abs(grad))) / X.shape[0]
    ww = float(w @ w)
    if ww == 0.0:
        return float("inf")
    return max(float(w @ grad) / ww, 0.0)


# --------------------------------------------------------------------------- #
# the picture
# --------------------------------------------------------------------------- #
@dataclass
class ConstraintPicture:
    """What :func:`draw_constraint_geometry` drew, for checks and status lines.

    ``optima[norm]`` is the drawn constrained optimum ``w*``, ``errors[norm]`` its
    squared error (the level of the contour that touches the region),
    ``penalties[norm]`` the equivalent λ (:func:`equivalent_penalty`) and
    ``active[norm]`` whether the constraint binds (False when ``ŵ`` already lies
    inside the region, so ``w* = ŵ``).
    """

    radius: float
    w_ols: np.ndarray
    error_ols: float
    optima: dict[str, np.ndarray] = field(default_factory=dict)
    errors: dict[str, float] = field(default_factory=dict)
    penalties: dict[str, float] = field(default_factory=dict)
    active: dict[str, bool] = field(default_factory=dict)
    ax: Axes | None = field(default=None, repr=False)

    def n_zero(self, norm: str) -> int:
        """How many weights of the ``norm`` optimum are exactly 0."""
        return int(np.count_nonzero(self.optima[norm] == 0.0))


def _default_limits(w_ols: np.ndarray, radius: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A frame holding the origin, the ball and ŵ, with a margin; the same span on both axes."""
    lo = np.minimum(-radius, np.minimum(w_ols, 0.0))
    hi = np.maximum(radius, np.maximum(w_ols, 0.0))
    span = float(np.max(hi - lo))
    pad = 0.12 * span
    centre = 0.5 * (lo + hi)
    half = 0.5 * span + pad
    return (float(centre[0] - half), float(centre[0] + half)), (float(centre[1] - half), float(centre[1] + half))


def draw_constraint_geometry(
    X: np.ndarray,
    y: np.ndarray,
    radius: float,
    *,
    norms: Sequence[str] = NORMS,
    ax: Axes | None = None,
    limits: tuple[tuple[float, float], tuple[float, float]] | None = None,
    n_grid: int = 241,
    n_contours: int = 7,
    legend: bool = True,
    title: str | None = None,
) -> ConstraintPicture:
    """Draw error contours, the norm balls of ``radius`` and the constrained optima.

    ``w*_p = argmin ||y - X w||²  s.t. ||w||_p <= radius`` for each ``p`` in
    ``norms`` (``'l2'`` disc, ``'l1'`` diamond).  Grey ellipses are contours of
    the squared error around ``ŵ`` (black cross); the contour through each
    optimum, the one that "first touches" the region, is dashed in the
    region's colour.  ``X`` has two columns (weights ``w1, w2``), no intercept.

    ``limits`` fixes the frame ``((w1_min, w1_max), (w2_min, w2_max))`` (an
    explorer keeps it constant while the radius changes); by default it holds
    the origin, the ball and ``ŵ``.  Each optimum's marker carries
    ``gid='optimum-l1'`` / ``'optimum-l2'``.  Returns a :class:`ConstraintPicture`.
    """
    X, y = _check_two_weights(X, y)
    r = check_float(radius, "radius", minimum=0.0, include_min=False)
    norms = _check_norms(norms)
    n_grid = check_int(n_grid, "n_grid", minimum=11)
    n_contours = check_int(n_contours, "n_contours", minimum=1)
    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    (x0, x1), (y0, y1) = _check_limits(limits) if limits is not None else _default_limits(w_ols, r)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 5.2))

    w1 = np.linspace(x0, x1, n_grid)
    w2 = np.linspace(y0, y1, n_grid)
    E = squared_error_grid(X, y, w1, w2)
    e_ols = float(np.sum((y - X @ w_ols) ** 2))
    # Evenly spaced ellipses: E - E(ŵ) grows like distance², so take squares of
    # evenly spaced "radii", up to the error at the origin (w = 0) and a bit beyond.
    e_origin = float(y @ y)
    q = np.linspace(0.0, 1.25, n_contours + 1)[1:] ** 2
    levels = e_ols + (e_origin - e_ols) * q
    ax.contour(w1, w2, E, levels=levels, colors="0.6", linewidths=0.8)
    ax.axhline(0.0, color="0.3", linewidth=0.7)
    ax.axvline(0.0, color="0.3", linewidth=0.7)

    picture = ConstraintPicture(radius=r, w_ols=w_ols, error_ols=e_ols, ax=ax)
    handles: list[Any] = [
        Line2D([], [], color="0.6", linewidth=0.8, label=t("geometry.contours")),
    ]
    for norm in norms:
        style = NORM_STYLE[norm]
        name = t(f"geometry.name_{norm}")
        w_star = constrained_optimum(X, y, r, norm)
        e_star = float(np.sum((y - X @ w_star) ** 2))
        picture.optima[norm] = w_star
        picture.errors[norm] = e_star
        picture.penalties[norm] = equivalent_penalty(X, y, w_star, norm)
        picture.active[norm] = bool(np.linalg.norm(w_ols, _ORD[norm]) > r)
        edge = ball_boundary(r, norm)
        ax.fill(edge[:, 0], edge[:, 1], color=style["color"], alpha=0.12, linewidth=0)
        (line,) = ax.plot(edge[:, 0], edge[:, 1], color=style["color"], linewidth=1.8,
                          label=t("geometry.region", name=name, shape=t(f"geometry.shape_{norm}"),
                                  sub=_SUB[norm], r=r))
        handles.append(line)
        if picture.active[norm] and e_star > e_ols:
            ax.contour(w1, w2, E, levels=[e_star], colors=style["color"], linewidths=1.2, linestyles="--")
        (dot,) = ax.plot([w_star[0]], [w_star[1]], linestyle="none", marker=style["marker"], markersize=8,
                         color=style["color"], markeredgecolor="black", zorder=5,
                         label=t("geometry.optimum", name=name, w1=w_star[0], w2=w_star[1]))
        dot.set_gid(f"optimum-{norm}")
        handles.append(dot)
    (cross,) = ax.plot([w_ols[0]], [w_ols[1]], linestyle="none", marker="x", markersize=9, markeredgewidth=2,
                       color="black", zorder=6, label=t("geometry.least_squares", w1=w_ols[0], w2=w_ols[1]))
    cross.set_gid("least-squares")
    handles.insert(1, cross)

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_title(title if title is not None else t("geometry.title_radius", r=r))
    if legend:
        ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    return picture


# --------------------------------------------------------------------------- #
# paths
# --------------------------------------------------------------------------- #
def plot_coefficient_paths(
    alphas: np.ndarray,
    coefs: np.ndarray,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    true_coef: np.ndarray | None = None,
    xlabel: str | None = None,
) -> Figure:
    """Each coefficient against λ: ``coefs[k, j]`` is weight ``j`` at ``alphas[k]``.

    One line per weight on a log λ axis (``alphas`` must be > 0).  Weights
    whose ``true_coef`` is non-zero are drawn solid and coloured, the others
    thin and grey, so you can see which ones the penalty keeps longest.  The
    title counts the non-zero weights at the smallest and largest λ.  ``xlabel``
    defaults to "λ (penalty strength, log scale)" in the current language.
    """
    a = check_array(alphas, "alphas", ndim=1).astype(np.float64)
    c = check_array(coefs, "coefs", ndim=2).astype(np.float64)
    if np.any(a <= 0):
        raise ValueError("alphas must all be > 0 (the λ axis is logarithmic)")
    if c.shape[0] != a.shape[0]:
        raise ValueError(f"coefs must have one row per alpha: {a.shape[0]} alphas, coefs shape {c.shape}")
    truth = None
    if true_coef is not None:
        truth = check_array(true_coef, "true_coef", ndim=1).astype(np.float64)
        if truth.shape[0] != c.shape[1]:
            raise ValueError(f"true_coef must have one entry per column of coefs ({c.shape[1]}), got {truth.shape[0]}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 3.8))
    else:
        fig = ax.figure
    order = np.argsort(a)
    cmap = plt.get_cmap("tab10")
    k = 0
    for j in range(c.shape[1]):
        if truth is None or truth[j] != 0.0:
            ax.plot(a[order], c[order, j], color=cmap(k % 10), linewidth=1.6, label=f"w{j + 1}")
            k += 1
        else:
            ax.plot(a[order], c[order, j], color="0.65", linewidth=0.8)
    ax.axhline(0.0, color="black", linewidth=0.7)
    ax.set_xscale("log")
    ax.set_xlabel(t("geometry.paths_xlabel") if xlabel is None else xlabel)
    ax.set_ylabel(t("geometry.paths_ylabel"))
    ax.grid(alpha=0.3)
    nz_small, nz_large = (int(np.count_nonzero(c[order[i]])) for i in (0, -1))
    ax.set_title(title if title is not None else t("geometry.paths_title", small=nz_small, large=nz_large))
    if truth is not None and k <= 10:
        ax.legend(fontsize=7, ncol=2, title=t("geometry.paths_legend_title"), title_fontsize=7)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- #
# slider
# --------------------------------------------------------------------------- #
class ConstraintExplorer:
    """A radius slider on the two-weight picture: release it and the optima move.

    ``ConstraintExplorer(X, y, radius=1.0)`` draws
    :func:`draw_constraint_geometry` with Agg into an ``ipywidgets.Image``
    (no ipympl needed) and redraws when the slider is released
    (``continuous_update=False``).  The frame stays fixed so only the regions
    and optima move.  Without a browser: :meth:`set_radius` moves the slider
    exactly as a drag would; :attr:`picture` holds what was drawn last.

    Attributes: ``slider`` (FloatSlider), ``image`` (the PNG), ``status``
    (HTML line with the optima, the equivalent λ and the number of exact zeros),
    ``widget`` (the whole VBox), ``picture`` (:class:`ConstraintPicture`).
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        radius: float = 1.0,
        *,
        norms: Sequence[str] = NORMS,
        radius_max: float | None = None,
        step: float = 0.05,
        figsize: tuple[float, float] = (5.6, 5.6),
        dpi: int = 96,
    ) -> None:
        self.X, self.y = _check_two_weights(X, y)
        self.norms = _check_norms(norms)
        w_ols = np.linalg.lstsq(self.X, self.y, rcond=None)[0]
        self.step = check_float(step, "step", minimum=0.0, include_min=False)
        if radius_max is None:
            # Up to just past the point where ŵ fits inside every region, on the slider's grid.
            largest = 1.1 * max(float(np.linalg.norm(w_ols, _ORD[n])) for n in self.norms)
            radius_max = self.step * float(np.ceil(largest / self.step))
        self.radius_max = check_float(radius_max, "radius_max", minimum=0.0, include_min=False)
        if self.step > self.radius_max:
            raise ValueError(f"step must be <= radius_max ({self.radius_max}), got {self.step}")
        r = self._check_radius(radius)
        self.limits = _default_limits(w_ols, self.radius_max)
        self._fig = Figure(figsize=figsize, dpi=check_int(dpi, "dpi", minimum=20))
        self._canvas = FigureCanvasAgg(self._fig)
        self._ax = self._fig.add_subplot(1, 1, 1)
        # A fixed layout (no tight_layout per redraw): the axes never jump between frames.
        self._fig.subplots_adjust(left=0.11, right=0.97, bottom=0.09, top=0.94)
        self.picture: ConstraintPicture | None = None

        self.slider = widgets.FloatSlider(
            value=r, min=self.step, max=self.radius_max, step=self.step, description=t("geometry.slider_radius"),
            continuous_update=False, readout_format=".2f", layout=widgets.Layout(width="420px"),
        )
        width, height = self._canvas.get_width_height()
        self.image = widgets.Image(format="png", width=width, height=height)
        self.status = widgets.HTML()
        self.widget = widgets.VBox([self.slider, self.status, self.image])
        self._draw(r)
        self.slider.observe(self._on_change, names="value")

    def _check_radius(self, radius: Any) -> float:
        return check_float(radius, "radius", minimum=0.0, maximum=self.radius_max, include_min=False)

    def set_radius(self, radius: float) -> ConstraintPicture:
        """Move the slider to ``radius`` (as a drag would), redraw, and return the new picture."""
        r = self._check_radius(radius)
        if self.slider.value == r:
            self._draw(r)
        else:
            self.slider.value = r  # the observer redraws
        assert self.picture is not None
        return self.picture

    def _on_change(self, change: dict) -> None:
        try:
            self._draw(float(change["new"]))
        except Exception as exc:  # an observer must never raise into ipywidgets
            self.status.value = f"<span style='color:#c00'>{html.escape(f'{type(exc).__name__}: {exc}')}</span>"

    def _draw(self, radius: float) -> None:
        self._ax.cla()
        picture = draw_constraint_geometry(self.X, self.y, radius, norms=self.norms, ax=self._ax, limits=self.limits)
        buf = io.BytesIO()
        self._fig.savefig(buf, format="png")
        self.image.value = buf.getvalue()
        self.picture = picture
        self.status.value = self._status_text(picture)

    @staticmethod
    def _status_text(p: ConstraintPicture) -> str:
        parts = [f"r = {p.radius:.2f}"]
        for norm in p.optima:
            w = p.optima[norm]
            lam = p.penalties[norm]
            lam_text = t("geometry.status_inactive") if not p.active[norm] else f"λ ≈ {lam:.3g}"
            zeros = p.n_zero(norm)
            note = t("geometry.status_zeros", n=zeros) if zeros else ""
            parts.append(f"{html.escape(t(f'geometry.name_{norm}'))}: w* = ({w[0]:.3f}, {w[1]:.3f}), {lam_text}{note}")
        return "<div style='font-family:monospace;font-size:12px'>" + "<br>".join(parts) + "</div>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
