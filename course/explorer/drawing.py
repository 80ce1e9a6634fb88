"""The explorer's picture: a still PNG background with the live curves as a small SVG over it.

Everything that stays put while a curve grows (axes, ticks, labels, legends,
the pinned curves) is drawn by matplotlib's Agg into a PNG (so Japanese labels
use the pack's Japanese font), and only when one of them changes; the live
curves are an SVG of a few kB laid exactly over the axes, which the browser
draws.  Nothing but ipywidgets is needed in the browser::

    from course.explorer.drawing import Plot
    plot = Plot(epochs=201, n_seeds=1)
    plot.draw_live(run, pins)        # redraws the background only if its axes, pins or language changed
    plot.widget                      # the two layers in one grid cell
    plot.drawn["test_acc"]           # the numbers behind the live curves

The loss axis is logarithmic, in whole decades, and only ever widens, so runs
and pins stay comparable on one scale and a growing curve never forces a
redraw of the background.
"""

from __future__ import annotations

import io
import math
import time
from typing import Any, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullLocator
from PIL import Image as _PILImage

from common.trainer import History
from course.i18n import get_language, t

from .runs import CURVE_KEYS, Pin, Run, aggregate

TRAIN_COLOR, TEST_COLOR, PENALTY_COLOR = "#1f77b4", "#ff7f0e", "#2ca02c"  # tab:blue/orange/green, as course.plots
PIN_STYLES = ("--", ":", "-.")  # pin k is drawn with PIN_STYLES[(k - 1) % 3], faded
PIN_DASHES = {"--": "6,3", ":": "1.5,2.5", "-.": "6,2.5,1.5,2.5"}  # the same styles in the pins list (SVG)
LOSS_YLIM = (1e-3, 1e3)  # log scale; widened by whole decades when a curve leaves it ...
LOSS_YLIM_MAX = (1e-5, 1e4)  # ... but never beyond this (the SVG clips the rest)
FIG_SIZE, FIG_DPI = (8.4, 3.2), 80  # 672 × 256 px


def pin_style(pin: Pin) -> str:
    """The line style pin ``pin`` is drawn with (one of :data:`PIN_STYLES`)."""
    return PIN_STYLES[(pin.number - 1) % len(PIN_STYLES)]


class Plot:
    """The explorer's two picture layers: ``image`` (PNG background) and ``curves`` (live SVG over it).

    ``epochs`` and ``n_seeds`` set the first background's x range and legend;
    :meth:`draw_live` follows the run's own from then on.
    """

    def __init__(self, epochs: int, n_seeds: int) -> None:
        self.uid = f"x{id(self):x}"  # SVG ids must be unique in a page with several explorers
        self.background_key: tuple | None = None
        self.geometry: list[dict[str, Any]] = []
        self.loss_ylim = LOSS_YLIM
        self.x_max = epochs
        self.n_seeds_drawn = n_seeds
        self.drawn: dict[str, Any] = {}
        width, height = (int(round(v * FIG_DPI)) for v in FIG_SIZE)
        self.size = (width, height)
        self.image = widgets.Image(format="png", width=width, height=height,
                                   layout=widgets.Layout(width=f"{width}px", height=f"{height}px", margin="0",
                                                         grid_area="plot"))
        self.curves = widgets.HTML(layout=widgets.Layout(width=f"{width}px", height=f"{height}px", margin="0",
                                                         grid_area="plot"))
        # one grid cell, two layers: the live SVG over the PNG
        self.widget = widgets.GridBox([self.image, self.curves], layout=widgets.Layout(
            grid_template_areas='"plot"', grid_template_columns=f"{width}px", grid_template_rows=f"{height}px",
            width=f"{width}px", height=f"{height}px", margin="2px 0"))
        self.image.add_class("explorer-curves")
        self.curves.add_class("explorer-live")

    def draw_background(self, pins: Sequence[Pin]) -> None:
        """Axes, labels, legends and pinned curves as a PNG (matplotlib Agg); the live curves go over it.

        Drawn only when one of them changes (the epoch range, the loss range,
        the pins, one seed vs a band, the language), so a growing curve never
        redraws it.
        """
        fig = Figure(figsize=FIG_SIZE, dpi=FIG_DPI)
        canvas = FigureCanvasAgg(fig)
        ax_acc, ax_loss = fig.subplots(1, 2)
        for ax in (ax_acc, ax_loss):
            ax.set_xlabel(t("explorer.axis.epoch"))
            ax.set_xlim(0, self.x_max)
            ax.grid(alpha=0.3)
        ax_acc.set_ylabel(t("explorer.axis.accuracy"))
        ax_acc.set_ylim(0, 1.02)
        ax_loss.set_ylabel(t("explorer.axis.loss"))
        ax_loss.set_yscale("log")
        ax_loss.set_ylim(*self.loss_ylim)
        ax_loss.yaxis.set_minor_locator(NullLocator())  # decades only: calmer, and cheaper to draw
        # "0.01" instead of mathtext's 10⁻²: parsing mathtext was a large share of this function's time
        ax_loss.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        for pin in pins:
            agg = pin.curves()
            style = dict(linestyle=pin_style(pin), linewidth=1.3, alpha=0.45)
            x = agg["epoch"]
            ax_acc.plot(x, agg["train_acc"], color=TRAIN_COLOR, **style)
            ax_acc.plot(x, agg["test_acc"], color=TEST_COLOR, **style)
            ax_loss.plot(x, agg["train_data_loss"], color=TRAIN_COLOR, **style)
            ax_loss.plot(x, agg["test_loss"], color=TEST_COLOR, **style)
            penalty = np.where(agg["penalty"] > 0, agg["penalty"], np.nan)
            if np.isfinite(penalty).any():
                ax_loss.plot(x, penalty, color=PENALTY_COLOR, **style)
            if len(x):
                for ax, key in ((ax_acc, "test_acc"), (ax_loss, "test_loss")):
                    y = agg[key][-1]
                    if math.isfinite(y):
                        ax.annotate(str(pin.number), (x[-1], y), xytext=(-2, 2), textcoords="offset points",
                                    ha="right", va="bottom", fontsize=8, color="#444")
        acc_handles = [Line2D([], [], color=TRAIN_COLOR, label=t("explorer.legend.train")),
                       Line2D([], [], color=TEST_COLOR, label=t("explorer.legend.test"))]
        if self.n_seeds_drawn > 1:
            acc_handles.append(Patch(color="#888", alpha=0.3, label=t("explorer.legend.band", n=self.n_seeds_drawn)))
        loss_handles = [Line2D([], [], color=TRAIN_COLOR, label=t("explorer.legend.train_data_loss")),
                        Line2D([], [], color=TEST_COLOR, label=t("explorer.legend.test_data_loss")),
                        Line2D([], [], color=PENALTY_COLOR, label=t("explorer.legend.penalty"))]
        for ax, handles in ((ax_acc, acc_handles), (ax_loss, loss_handles)):  # legends above the axes
            ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(handles), fontsize=8,
                      frameon=False, borderaxespad=0.1, handlelength=1.5, columnspacing=1.0)
        fig.subplots_adjust(left=0.075, right=0.975, bottom=0.16, top=0.88, wspace=0.22)  # fixed: no jumps
        canvas.draw()
        height = fig.bbox.height
        self.geometry = []
        for ax in (ax_acc, ax_loss):
            x0, y0, w, h = ax.bbox.bounds
            self.geometry.append({
                "box": (x0, height - y0 - h, w, h),  # SVG: origin top left
                "xlim": ax.get_xlim(), "ylim": ax.get_ylim(), "log": ax.get_yscale() == "log",
            })
        rgba = np.asarray(canvas.buffer_rgba())
        buf = io.BytesIO()
        _PILImage.fromarray(rgba[..., :3]).save(buf, format="PNG", compress_level=1)
        self.image.value = buf.getvalue()
        self.background_key = self.key(pins)

    def key(self, pins: Sequence[Pin]) -> tuple:
        """What the background shows: when this changes, it is drawn again."""
        return (self.x_max, self.loss_ylim, tuple(p.number for p in pins), max(self.n_seeds_drawn, 1) > 1
                and self.n_seeds_drawn, get_language())

    def fit_loss_range(self, agg: dict[str, Any]) -> None:
        """The log loss axis spans whole decades, at least ``LOSS_YLIM``, at most ``LOSS_YLIM_MAX``.

        It only ever widens: runs and pins stay comparable on one scale, and a
        growing curve never forces a redraw of the background; after the first
        few runs it stays put.
        """
        values = np.concatenate([agg[key] for key in ("train_data_loss", "test_loss", "penalty")])
        values = values[np.isfinite(values) & (values > 0)]
        if not values.size:
            return
        lo, hi = self.loss_ylim
        lo = min(lo, 10.0 ** math.floor(math.log10(values.min())))
        hi = max(hi, 10.0 ** math.ceil(math.log10(values.max())))
        self.loss_ylim = (max(lo, LOSS_YLIM_MAX[0]), min(hi, LOSS_YLIM_MAX[1]))

    def draw_live(self, run: Run | None, pins: Sequence[Pin]) -> None:
        """The live curves (and bands) as an SVG laid exactly over the background's axes."""
        if run is not None and run.histories:
            agg = aggregate(run.histories)
            self.fit_loss_range(agg)
        else:
            agg = aggregate([History()])
        settings = run.settings if run is not None else None
        if settings is not None:
            self.x_max = settings["epochs"]
            self.n_seeds_drawn = settings["n_seeds"]
        if self.key(pins) != self.background_key:
            self.draw_background(pins)
        width, height = self.size
        banded = agg["n_seeds"] > 1
        self.drawn = {"epoch": agg["epoch"]}
        # seconds from the change to this redraw on the kernel's clock (the browser benchmark splits
        # its latency into the kernel's part and the rest: messages and the page's own drawing)
        since = time.perf_counter() - run.requested if run is not None else 0.0
        for key in CURVE_KEYS:
            self.drawn[key] = agg[key]
            if banded:
                self.drawn[key + "_sd"] = agg[key + "_sd"]
        colors = {"train_acc": TRAIN_COLOR, "test_acc": TEST_COLOR, "train_data_loss": TRAIN_COLOR,
                  "test_loss": TEST_COLOR, "penalty": PENALTY_COLOR}
        panels = (("train_acc", "test_acc"), ("train_data_loss", "test_loss", "penalty"))
        n = len(agg["epoch"])
        parts = [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}' style='display:block' class='explorer-live-svg' "
            f"data-run='{run.number if run else 0}' data-points='{n}' "
            f"data-done='{int(bool(run and run.finished))}' data-kernel-seconds='{since:.4f}'><defs>"
        ]
        for i, geo in enumerate(self.geometry):
            x, y, w, h = geo["box"]
            parts.append(f"<clipPath id='{self.uid}-{i}'><rect x='{x:.1f}' y='{y:.1f}' width='{w:.1f}' "
                         f"height='{h:.1f}'/></clipPath>")
        parts.append("</defs>")
        for i, keys in enumerate(panels):
            geo = self.geometry[i]
            parts.append(f"<g clip-path='url(#{self.uid}-{i})' fill='none' stroke-width='1.6'>")
            if banded and n:
                for key in keys:
                    mean, sd = agg[key], agg[key + "_sd"]
                    band = band_path(geo, agg["epoch"], mean - sd, mean + sd)
                    if band:
                        parts.append(f"<path d='{band}' fill='{colors[key]}' fill-opacity='0.18' stroke='none'/>")
            for key in keys:
                d = line_path(geo, agg["epoch"], agg[key])
                if d:
                    width_ = "1.2" if key == "penalty" else "1.6"
                    parts.append(f"<path d='{d}' stroke='{colors[key]}' stroke-width='{width_}' "
                                 f"data-key='{key}'/>")
            parts.append("</g>")
        parts.append("</svg>")
        self.curves.value = "".join(parts)


# -- SVG paths ------------------------------------------------------------------------


def to_pixels(geo: dict[str, Any], x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Data → SVG pixel coordinates of one axes (linear x, linear or log y), plus a mask of drawable points."""
    bx, by, bw, bh = geo["box"]
    (x0, x1), (y0, y1) = geo["xlim"], geo["ylim"]
    y = np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if geo["log"]:
            ok = np.isfinite(y) & (y > 0)
            fy = (np.log10(np.where(ok, y, 1.0)) - math.log10(y0)) / (math.log10(y1) - math.log10(y0))
        else:
            ok = np.isfinite(y)
            fy = (np.where(ok, y, 0.0) - y0) / (y1 - y0)
    px = bx + (np.asarray(x, dtype=float) - x0) / (x1 - x0) * bw
    py = by + bh - np.clip(fy, -1.0, 2.0) * bh  # clipped far outside: the clip path hides it, the numbers stay small
    return px, py, ok


def line_path(geo: dict[str, Any], x: np.ndarray, y: np.ndarray) -> str:
    """An SVG path through the finite points, broken where a value is missing (NaN, or ≤ 0 on a log axis)."""
    if not len(x):
        return ""
    px, py, ok = to_pixels(geo, x, y)
    out, pen_down = [], False
    for xi, yi, good in zip(px.tolist(), py.tolist(), ok.tolist()):
        if good:
            out.append(f"{'L' if pen_down else 'M'}{xi:.1f} {yi:.1f}")
        pen_down = good
    return "".join(out)


def band_path(geo: dict[str, Any], x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> str:
    """A closed SVG path between ``lo`` and ``hi`` over the epochs where both are drawable."""
    px, p_lo, ok_lo = to_pixels(geo, x, lo)
    _, p_hi, ok_hi = to_pixels(geo, x, hi)
    ok = ok_lo & ok_hi
    if geo["log"]:  # a band reaching to 0 on a log axis: draw it down to the bottom edge
        bottom = geo["box"][1] + geo["box"][3]
        p_lo = np.where(ok_hi & ~ok_lo & np.isfinite(lo), bottom, p_lo)
        ok = ok_hi & np.isfinite(lo)
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return ""
    upper = " ".join(f"{px[i]:.1f} {p_hi[i]:.1f}" for i in idx)
    lower = " ".join(f"{px[i]:.1f} {p_lo[i]:.1f}" for i in idx[::-1])
    return f"M{upper} L{lower}Z"
