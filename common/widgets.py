"""``TrainingExplorer``: drag a slider, watch the lecture's network re-train live.

TensorFlow-Playground style: every change of a control restarts training from
epoch 0, and the learning curves (train vs test accuracy, and the loss) grow
epoch by epoch while the network trains::

    from common.widgets import TrainingExplorer
    explorer = TrainingExplorer()          # the lecture's setting: 300 digits, 6×100, 201 epochs
    explorer                               # shows sliders, status line and curves

    explorer.controls["weight_decay_lambda"].value = 0.1   # same as dragging the slider
    await explorer.wait()                  # (top-level await works in notebooks)
    explorer.history.final()

How it runs: training is an ``asyncio`` task on the kernel's event loop (no
threads).  It drives :meth:`common.trainer.Trainer.epochs_iter` in chunks of
about ``chunk_seconds``, redraws, then ``await asyncio.sleep(0)`` so the kernel
can handle the next slider message; a change cancels the running task and
starts a new one.  The figure is drawn with Agg (no pyplot) into a PNG shown by
an ``ipywidgets.Image``, so nothing but ipywidgets is needed in the browser.

Moving λ above 0 while regularization is 'none' switches it to L2, and moving
the dropout ratio turns dropout on, so no slider is ever a silent no-op (an
explicit ``set(regularization='none', weight_decay_lambda=0.1)`` is kept, and
the status line says that λ has no effect).

Without a running event loop (plain Python, pytest) a change only marks the
run as pending; ``await explorer.wait()`` (e.g. ``asyncio.run(explorer.wait())``)
starts it and returns when it has finished and been drawn.
"""

from __future__ import annotations

import asyncio
import html
import io
import math
import numbers
import time
from typing import Any, Iterable

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator
from PIL import Image as _PILImage

from .experiments import LECTURE, lecture_data, make_lecture_trainer
from .trainer import History, TrainingDiverged

__all__ = ["TrainingExplorer", "DEFAULTS", "SETTINGS", "DEFAULT_SHOW"]

# -- the settings: the lecture's vocabulary -----------------------------------------

REGULARIZATIONS = ("none", "l2", "l1")
LAMBDAS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 1.0)  # log-spaced with an explicit 0
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
N_TRAIN = (100, 200, 300, 500, 1000, 2000, 3000, 4000)  # prefixes of the shipped 4,000 training digits
N_TEST = LECTURE["n_test"]
SEED_MAX = 2**31 - 1

DEFAULTS: dict[str, Any] = {
    "regularization": "none",
    "weight_decay_lambda": 0.0,
    "use_dropout": False,
    "dropout_ratio": 0.15,
    "n_train": LECTURE["n_train"],
    "epochs": LECTURE["epochs"],
    "seed": 0,
    "lr": LECTURE["lr"],
    "hidden_layers": len(LECTURE["hidden_size_list"]),
    "hidden_size": LECTURE["hidden_size_list"][0],
    "augment_shift": 0,
    "augment_rotation": 0.0,
    "augment_noise": 0.0,
}
"""The lecture's setting (no regularization yet); ``TrainingExplorer(**overrides)`` changes it."""

# name -> (kind, constraint, label); kind: choice | bool | int | float | options
SETTINGS: dict[str, tuple[str, Any, str]] = {
    "regularization": ("choice", REGULARIZATIONS, "regularization"),
    "weight_decay_lambda": ("options", LAMBDAS, "λ (weight decay)"),
    "use_dropout": ("bool", None, "dropout"),
    "dropout_ratio": ("float", (0.0, 0.95, 0.01), "dropout ratio"),
    "n_train": ("options", N_TRAIN, "training digits"),
    "epochs": ("int", (1, 300, 1), "epochs"),
    "seed": ("int", (0, SEED_MAX, 1), "seed"),
    "lr": ("options", LEARNING_RATES, "learning rate"),
    "hidden_layers": ("int", (1, 8, 1), "hidden layers"),
    "hidden_size": ("int", (10, 300, 10), "units per layer"),
    "augment_shift": ("int", (0, 4, 1), "augment: shift (px)"),
    "augment_rotation": ("float", (0.0, 30.0, 1.0), "augment: rotation (°)"),
    "augment_noise": ("float", (0.0, 0.5, 0.01), "augment: noise σ"),
}
DEFAULT_SHOW = ("regularization", "weight_decay_lambda", "use_dropout", "dropout_ratio", "n_train", "epochs", "seed")

TRAIN_COLOR, TEST_COLOR = "tab:blue", "tab:orange"  # as in common.plots
LOSS_YLIM = (0.01, 10.0)  # log scale; widened by whole decades when a curve leaves it
FIG_SIZE, FIG_DPI = (8.4, 3.0), 80  # 672 × 240 px


def _allowed(name: str) -> str:
    kind, spec, _ = SETTINGS[name]
    if kind == "choice":
        return f"one of {spec}"
    if kind == "bool":
        return "True or False"
    if kind == "options":
        return f"one of {tuple(spec)}"
    lo, hi, _ = spec
    return f"{'an int' if kind == 'int' else 'a number'} in [{lo}, {hi}]"


def check_setting(name: str, value: Any) -> Any:
    """Return ``value`` normalised for setting ``name``; ``ValueError`` naming the setting otherwise."""
    if name not in SETTINGS:
        raise ValueError(f"unknown setting {name!r}; the settings are: {', '.join(SETTINGS)}")
    kind, spec, _ = SETTINGS[name]
    bad = ValueError(f"{name} must be {_allowed(name)}, got {value!r}")
    if kind == "choice":
        if not isinstance(value, str) or value.lower() not in spec:
            raise bad
        return value.lower()
    if kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise bad
        return bool(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise bad
    if kind == "options":
        for option in spec:
            if math.isclose(float(value), option, rel_tol=1e-9, abs_tol=1e-12):
                return option
        raise bad
    lo, hi, _ = spec
    if kind == "int":
        if not isinstance(value, numbers.Integral):
            raise bad
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise bad
    if not lo <= value <= hi:
        raise bad
    return value


def _displayed(name: str, control: widgets.ValueWidget) -> widgets.Widget:
    """The control as shown: ToggleButtons get their label on the left, like the sliders."""
    if SETTINGS[name][0] != "choice":
        return control
    label = widgets.Label(SETTINGS[name][2], layout=widgets.Layout(width="150px", justify_content="flex-end",
                                                                  padding="0 8px 0 0"))
    return widgets.HBox([label, control], layout=widgets.Layout(width="380px"))


def _make_control(name: str, value: Any) -> widgets.ValueWidget:
    kind, spec, label = SETTINGS[name]
    common = dict(description=label, style={"description_width": "150px"}, layout=widgets.Layout(width="380px"))
    if kind == "choice":
        # no description: JupyterLab puts a ToggleButtons' own label above the buttons (see _displayed)
        return widgets.ToggleButtons(
            options=[("none", "none"), ("L2", "l2"), ("L1", "l1")], value=value,
            tooltips=["no penalty", "L2: + ½·λ·Σ W² (weight decay)", "L1: + λ·Σ |W|"],
            style={"button_width": "60px"},
        )
    if kind == "bool":
        return widgets.Checkbox(value=value, description=label, indent=True, layout=widgets.Layout(width="380px"),
                                style={"description_width": "150px"})
    if kind == "options":
        slider = widgets.SelectionSlider(options=[(f"{o:g}", o) for o in spec], continuous_update=False, **common)
        slider.value = value  # (passing value= equal to the first option leaves .label empty in ipywidgets 8.1)
        return slider
    lo, hi, step = spec
    if name == "seed":
        return widgets.BoundedIntText(value=value, min=lo, max=hi, step=1, **common)
    if kind == "int":
        return widgets.IntSlider(value=value, min=lo, max=hi, step=step, continuous_update=False, **common)
    fmt = ".0f" if step >= 1 else ".2f"
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, readout_format=fmt,
                               continuous_update=False, **common)


class TrainingExplorer:
    """Sliders for the lecture's settings plus live learning curves; every change re-trains.

    ``show`` lists the settings to display (default :data:`DEFAULT_SHOW`; ``"all"``
    shows every one); hidden settings keep their defaults but stay in
    :attr:`controls`.  ``**defaults`` override :data:`DEFAULTS`.

    Public attributes: ``controls`` (setting name -> widget), ``history`` (the
    last run that finished: completed, or diverged with ``history.diverged``
    set; ``None`` before the first), ``image`` (the curves, PNG), ``status``
    (HTML status line), ``widget`` (the whole VBox).
    """

    def __init__(
        self,
        show: Iterable[str] | str | None = None,
        *,
        title: str | None = None,
        chunk_seconds: float = 0.05,
        **defaults: Any,
    ) -> None:
        values = dict(DEFAULTS)
        for name, value in defaults.items():
            values[name] = check_setting(name, value)
        if show is None:
            show = DEFAULT_SHOW
        elif isinstance(show, str):
            if show != "all":
                raise ValueError(f"show must be 'all' or a list of setting names from: {', '.join(SETTINGS)}")
            show = tuple(SETTINGS)
        show = list(show)
        for name in show:
            if name not in SETTINGS:
                raise ValueError(f"show: unknown setting {name!r}; the settings are: {', '.join(SETTINGS)}")
        if isinstance(chunk_seconds, bool) or not isinstance(chunk_seconds, numbers.Real) or not (
            0 < chunk_seconds <= 10
        ):
            raise ValueError(f"chunk_seconds must be a number in (0, 10], got {chunk_seconds!r}")
        self.chunk_seconds = float(chunk_seconds)

        self.history: History | None = None
        self._task: asyncio.Task | None = None
        self._pending = True
        self._holding = 0
        self._changed_while_holding = False
        self._explicit: set[str] = set()
        self._data_cache: dict[int, tuple] = {}
        self.last_timing: dict[str, float] = {}

        self.controls: dict[str, widgets.ValueWidget] = {name: _make_control(name, values[name]) for name in SETTINGS}
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

        self._init_figure()
        width, height = self._canvas.get_width_height()
        self.image = widgets.Image(format="png", width=width, height=height,
                                   layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.status = widgets.HTML(layout=widgets.Layout(min_height="2.6em"))
        self._x_max = None
        self._clear_curves(values["epochs"])
        self._redraw()
        self._set_status("<span style='color:gray'>waiting to start…</span>")

        children: list[widgets.Widget] = []
        if title:
            children.append(widgets.HTML(f"<h4 style='margin:4px 0'>{html.escape(title)}</h4>"))
        shown = [_displayed(name, self.controls[name]) for name in show]
        if shown:
            half = (len(shown) + 1) // 2
            children.append(widgets.HBox([widgets.VBox(shown[:half]), widgets.VBox(shown[half:])]))
        children += [self.status, self.image]
        self.widget = widgets.VBox(children)
        self.widget.add_class("training-explorer")  # CSS hooks (the browser test finds the widget by them)
        self.status.add_class("explorer-status")
        self.image.add_class("explorer-curves")
        self._restart()

    # -- public API -------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The current control values, ``{setting name: value}``."""
        return {name: self._value(name) for name in SETTINGS}

    def set(self, **values: Any) -> None:
        """Set several controls at once, then restart training once."""
        checked = {name: check_setting(name, value) for name, value in values.items()}
        self._holding += 1
        self._explicit = set(checked)
        try:
            for name, value in checked.items():
                self.controls[name].value = value
        finally:
            self._holding -= 1
            self._explicit = set()
        if self._changed_while_holding and not self._holding:
            self._changed_while_holding = False
            self._restart()

    async def wait(self) -> History | None:
        """Return (the history) once the current run has finished and been drawn.

        Starts a pending run on the running loop (needed when the explorer was
        created or changed with no event loop running, e.g. in plain pytest).
        """
        loop = asyncio.get_running_loop()
        while True:
            task = self._task
            if self._pending or task is None or (not task.done() and task.get_loop() is not loop):
                self._restart()
                continue
            if not task.done():
                await asyncio.wait({task})  # never raises, even if the task is cancelled
                continue  # a change may have replaced the task meanwhile
            if task is self._task:
                return self.history

    def curve_data(self) -> dict[str, np.ndarray]:
        """The arrays currently drawn: ``epoch``, ``train_acc``, ``test_acc``, ``train_loss``, ``test_loss``."""
        return {
            "epoch": np.asarray(self._lines["train_acc"].get_xdata(), dtype=float).copy(),
            **{key: np.asarray(line.get_ydata(), dtype=float).copy() for key, line in self._lines.items()},
        }

    def _ipython_display_(self) -> None:
        from IPython.display import display

        self._start_if_pending()
        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any):
        self._start_if_pending()
        return self.widget._repr_mimebundle_(**kwargs)

    # -- controls -> runs --------------------------------------------------------
    def _value(self, name: str) -> Any:
        value = self.controls[name].value
        kind = SETTINGS[name][0]
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            return bool(value)
        return value

    def _on_change(self, change: dict) -> None:
        try:
            self._holding += 1
            try:
                self._follow(change)
            finally:
                self._holding -= 1
            if self._holding:
                self._changed_while_holding = True
            else:
                self._changed_while_holding = False
                self._restart()
        except Exception as exc:  # an observer must never raise into ipywidgets
            self._show_error(exc)

    def _follow(self, change: dict) -> None:
        """Make a moved slider take effect: λ > 0 switches 'none' to L2, a new dropout ratio turns dropout on.

        Only when that other control was not set in the same :meth:`set` call
        (an explicit ``set(regularization='none', weight_decay_lambda=0.1)`` is
        kept; the status line then says that λ has no effect).
        """
        owner = change["owner"]
        if owner is self.controls["weight_decay_lambda"] and change["new"] > 0:
            if self.controls["regularization"].value == "none" and "regularization" not in self._explicit:
                self.controls["regularization"].value = "l2"
        elif owner is self.controls["dropout_ratio"] and "use_dropout" not in self._explicit:
            self.controls["use_dropout"].value = True

    def _start_if_pending(self) -> None:
        if self._pending:
            self._restart()

    def _restart(self) -> None:
        old = self._task
        if old is not None and not old.done():
            try:
                old.cancel()
            except RuntimeError:  # its loop is closed; nothing left to cancel
                pass
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._task = None
            self._pending = True
            return
        self._pending = False
        self._task = loop.create_task(self._run(self.settings()))

    def _build(self, s: dict[str, Any]):
        augment = None
        if s["augment_shift"] or s["augment_rotation"] or s["augment_noise"]:
            from .augment import Augmenter  # lazily: only when augmentation is switched on

            augment = Augmenter(shift=s["augment_shift"], rotation=s["augment_rotation"], noise_std=s["augment_noise"])
        if s["n_train"] not in self._data_cache:
            self._data_cache[s["n_train"]] = lecture_data(s["n_train"], N_TEST)
        return make_lecture_trainer(
            s["weight_decay_lambda"], s["regularization"], s["use_dropout"], s["dropout_ratio"],
            n_train=s["n_train"],
            hidden_size_list=[s["hidden_size"]] * s["hidden_layers"],
            epochs=s["epochs"],
            lr=s["lr"],
            n_test=N_TEST,
            augment=augment,
            data=self._data_cache[s["n_train"]],
            seed=s["seed"],
            settings=s,
        )

    async def _run(self, s: dict[str, Any]) -> None:
        """One training run (an asyncio task); nothing but cancellation ever leaves it."""
        try:
            await self._train(s)
        except Exception as exc:  # last resort, e.g. if drawing itself failed: plain text, no traceback
            try:
                self.status.value = (
                    f"<span style='color:#c00'><b>{html.escape(type(exc).__name__)}:</b> "
                    f"{html.escape(str(exc))}</span>"
                )
            except Exception:
                pass

    async def _train(self, s: dict[str, Any]) -> None:
        started = time.perf_counter()
        self.last_timing = {}
        history = None
        iterator = None
        try:
            self._clear_curves(s["epochs"])
            self._redraw()  # the old curves vanish at once, even if the first epoch takes long
            self._set_status(f"<span style='color:gray'>epoch 0/{s['epochs']} · training…</span>")
            for name, value in s.items():
                check_setting(name, value)  # e.g. a slider whose range was changed from Python
            _, trainer = self._build(s)
            history = trainer.history
            iterator = trainer.epochs_iter()
            budget = 0.0  # the first chunk is one epoch, so the first points appear at once
            while True:
                chunk_end = time.perf_counter() + budget
                finished = False
                while True:
                    try:
                        next(iterator)
                    except StopIteration:
                        finished = True
                        break
                    if time.perf_counter() >= chunk_end:
                        break
                self._show(history, s, started, finished)
                if "first_draw" not in self.last_timing:
                    self.last_timing["first_draw"] = time.perf_counter() - started
                if finished:
                    break
                # at least 5× the redraw time per chunk: drawing never costs more than ~1/6 of the time
                budget = max(self.chunk_seconds, 5 * self._blit_seconds)
                await asyncio.sleep(0)  # let the kernel handle widget messages (maybe a new change)
            self.history = history
            self.last_timing["total"] = time.perf_counter() - started
        except TrainingDiverged as exc:
            self.history = history  # history.diverged holds the message; its curve is kept
            self._show(history, s, started, finished=True, error=str(exc))
        except Exception as exc:
            if history is not None and history.epoch:
                self._show(history, s, started, finished=True, error=f"{type(exc).__name__}: {exc}")
            else:
                self._show_error(exc)
        finally:
            if iterator is not None:
                iterator.close()

    # -- status line ---------------------------------------------------------------
    def _set_status(self, text: str) -> None:
        self.status.value = f"<div style='font-family:monospace;font-size:12px'>{text}</div>"

    def _show_error(self, exc: BaseException) -> None:
        kind = "" if isinstance(exc, (ValueError, TypeError)) else f"{type(exc).__name__}: "
        self._set_status(
            f"<span style='color:#c00'><b>cannot train with these settings:</b> {html.escape(kind + str(exc))}</span>"
        )

    def _show(self, h: History, s: dict[str, Any], started: float, finished: bool, error: str | None = None) -> None:
        self._set_curves(h, fit=finished)
        self._redraw()
        parts = []
        if h.epoch:
            f = h.final()
            parts.append(
                f"epoch {f['epoch']}/{s['epochs']} · train {f['train_acc']:.3f} · test {f['test_acc']:.3f} · "
                f"gap {f['gap']:+.3f} · ‖W‖ {f['weight_norm']:.1f} · "
                f"near-zero weights {100 * f['sparsity']:.1f}% · {time.perf_counter() - started:.1f} s"
            )
        else:
            parts.append(f"epoch 0/{s['epochs']}")
        if error is not None:
            text = " · ".join(parts) + f"<br><span style='color:#c00'><b>{html.escape(error)}</b></span>"
        else:
            parts.append("<b>done</b>" if finished else "training…")
            text = " · ".join(parts)
            notes = []
            if s["regularization"] == "none" and s["weight_decay_lambda"] > 0:
                notes.append("λ has no effect while regularization is 'none'")
            if not s["use_dropout"] and s["dropout_ratio"] != DEFAULTS["dropout_ratio"]:
                notes.append("the dropout ratio has no effect while dropout is off")
            if notes:
                text += "<br><span style='color:gray'>" + html.escape("; ".join(notes)) + "</span>"
        self._set_status(text)

    # -- drawing -----------------------------------------------------------------------
    def _init_figure(self) -> None:
        fig = Figure(figsize=FIG_SIZE, dpi=FIG_DPI)
        self._canvas = FigureCanvasAgg(fig)
        self._fig = fig
        ax_acc, ax_loss = fig.subplots(1, 2)
        ax_acc.set_xlabel("epoch")
        ax_acc.set_ylabel("accuracy")
        ax_acc.set_ylim(0, 1.02)
        ax_acc.grid(alpha=0.3)
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("loss")
        ax_loss.set_yscale("log")
        ax_loss.set_ylim(*LOSS_YLIM)
        ax_loss.yaxis.set_minor_locator(NullLocator())  # decades only: a full redraw costs half as much
        ax_loss.grid(alpha=0.3)
        mk = dict(animated=True, linewidth=1.5)
        self._lines = {
            "train_acc": ax_acc.plot([], [], color=TRAIN_COLOR, label="train", **mk)[0],
            "test_acc": ax_acc.plot([], [], color=TEST_COLOR, label="test", **mk)[0],
            "train_loss": ax_loss.plot([], [], color=TRAIN_COLOR, label="train (incl. penalty)", **mk)[0],
            "test_loss": ax_loss.plot([], [], color=TEST_COLOR, label="test (error only)", **mk)[0],
        }
        for ax in (ax_acc, ax_loss):  # legends above the axes: drawn once with the background
            ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False,
                      borderaxespad=0.1, handlelength=1.5)
        self._axes = (ax_acc, ax_loss)
        fig.subplots_adjust(left=0.075, right=0.975, bottom=0.17, top=0.9, wspace=0.22)  # fixed: no jumps
        self._background = None
        self._blit_seconds = 0.0  # time of the last cheap (blitted) redraw, for the chunk size

    def _clear_curves(self, epochs: int) -> None:
        for line in self._lines.values():
            line.set_data([], [])
        if self._x_max != epochs:
            self._x_max = epochs
            for ax in self._axes:
                ax.set_xlim(0, epochs)
            self._background = None  # axes changed: the next redraw is a full one

    def _set_curves(self, h: History, fit: bool = False) -> None:
        """Show ``h``; the log loss axis spans whole decades, at least ``LOSS_YLIM``.

        While a run trains the loss range only widens (a calm display, and no
        full redraw per chunk); when it ends (``fit``) it fits that run's curves.
        The next run starts on that range, so similar runs never redraw the axes.
        """
        x = np.asarray(h.epoch, dtype=float)
        for key, line in self._lines.items():
            line.set_data(x, np.asarray(getattr(h, key), dtype=float))
        losses = np.concatenate([np.asarray(h.train_loss, float), np.asarray(h.test_loss, float)])
        losses = losses[np.isfinite(losses) & (losses > 0)]
        ax_loss = self._axes[1]
        lo, hi = ax_loss.get_ylim()
        new_lo, new_hi = LOSS_YLIM if fit else (lo, hi)
        if losses.size:
            new_lo = min(new_lo, 10.0 ** math.floor(math.log10(losses.min())))
            new_hi = max(new_hi, 10.0 ** math.ceil(math.log10(losses.max())))
        if not (math.isclose(new_lo, lo) and math.isclose(new_hi, hi)):
            ax_loss.set_ylim(new_lo, new_hi)
            self._background = None

    def _redraw(self) -> None:
        t0 = time.perf_counter()
        canvas = self._canvas
        full = self._background is None
        if full:
            canvas.draw()  # axes, ticks, labels and legends; the (animated) lines are skipped
            self._background = canvas.copy_from_bbox(self._fig.bbox)
        else:
            canvas.restore_region(self._background)
        for ax in self._axes:
            for line in ax.get_lines():
                ax.draw_artist(line)
        rgba = np.asarray(canvas.buffer_rgba())
        buf = io.BytesIO()
        _PILImage.fromarray(rgba[..., :3]).save(buf, format="PNG", compress_level=1)
        self.image.value = buf.getvalue()
        self.last_redraw_seconds = time.perf_counter() - t0
        if not full:
            self._blit_seconds = self.last_redraw_seconds
