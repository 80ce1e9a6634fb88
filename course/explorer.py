"""``TrainingExplorer``: move a control, watch the lecture's network re-train live, pin runs to compare.

TensorFlow-Playground style: every change of a control restarts training from
epoch 0, and the learning curves (train vs test accuracy, and the losses) grow
epoch by epoch while the network trains::

    from course.explorer import TrainingExplorer
    explorer = TrainingExplorer()          # the lecture's setting: 300 digits, 6×100, 201 epochs
    explorer                               # shows the controls, a status line and the curves

    explorer.pin()                         # keep this run as a faded reference (or press "pin")
    explorer.controls["weight_decay_lambda"].value = 0.1   # same as moving the slider
    await explorer.wait()                  # (top-level await works in notebooks)
    explorer.history.final(), explorer.pinned[-1].final()

**Levers.**  λ (with the lecture's 0.004, 0.005, 0.1, 0.2), none/L2/L1, the
L1 update (the lecture's subgradient ``λ·sign(W)`` or the proximal step of
:class:`course.proximal.ProximalSGD`), dropout, its ratio and its scaling
(inverted, or the lecture's class: scaled at test time), the optimizer (SGD,
Momentum, AdaGrad, Adam, AdamW), learning rate, training digits, epochs,
network size, augmentation, the seed and the number of seeds.  ``show`` picks
the ones a notebook displays; the others keep their values.  With ≥ 2 seeds
(``seed``, ``seed + 1``, …) the seeds train interleaved epoch by epoch and the
curves are the mean with a ±1 sd band, growing live.

**The loss panel compares like with like**: train and test curves are both
the data loss (cross-entropy after the epoch, dropout off:
``History.train_data_loss`` and ``History.test_loss``), and the penalty
(``History.penalty``: ½·λ·ΣW² or λ·Σ|W|) is its own line.

**Pins.**  :meth:`TrainingExplorer.pin` (the "pin" button) keeps the current
run's curves, faded and numbered, under the live ones (at most
:data:`MAX_PINS`; the oldest goes first); :meth:`clear_pins` removes them and
:attr:`pinned` lists them (:class:`Pin`: histories and settings).  The status
line shows the live run's test accuracy and gap minus the last pin's, at the
same epoch.

**How it runs and draws.**  Training is an ``asyncio`` task on the kernel's
event loop (no threads of its own): it drives the engine's
``trainer.epochs_iter()`` (``make_lecture_trainer(..., engine=True)``) in chunks
of about ``chunk_seconds``, redraws, then ``await asyncio.sleep(0)`` so the
kernel can take the next slider message; a change cancels the running task
and starts a new one.  Drawing is split so that it costs the kernel almost
nothing while a curve grows: everything that stays put (axes, ticks, labels,
legends, the pinned curves) is a PNG drawn by matplotlib's Agg (so Japanese
labels use the pack's Japanese font) only when it changes, and the live
curves are a small SVG (a few kB of path coordinates, ~1 ms to build) laid
over it, which the browser draws.  Nothing but ipywidgets is needed in the
browser, so Voilà works.  Per-run timings are in :attr:`last_timing`.

What the learner waits for, measured (``benchmarks/browser_benchmark.py``;
JupyterLab + Chromium, 2 cores, λ moved one step, runs interleaved):

- **redraw less often**: every update costs the *browser* ~10–15 ms of CPU
  (messages, layout, painting), taken from the core the engine's second
  thread needs.  Redrawing every 0.1 s made the complete curve ~0.2 s later
  than redrawing only at the end, every 0.25 s (``chunk_seconds``, the
  default) ~0.06 s later (one interleaved session, 6 moves each), while the
  curve still visibly grows 4× a second and the first points still come
  after one epoch.
- **draw only what changed**: a growing curve costs the kernel ~1 ms per
  redraw (SVG text); the matplotlib background (~0.1 s) is redrawn only for
  new axes ranges, pins or language.  The loss axis only ever widens (by
  whole decades), so it settles after a few runs.
- **score with less work**: ``evaluation="incremental"`` (the default here)
  lets the engine keep the evaluation digits' first-layer product up to date
  instead of recomputing it (plain SGD with L2 or none): ~7–12 % less time.
  On 8 lecture runs (none, L2 λ = 0.1 and 0.004, dropout; seeds 0 and 1)
  every test accuracy equalled ``train_lecture_net``'s, one training accuracy
  of one epoch differed, the losses by at most ~4e-7 relative;
  ``evaluation="exact"`` recomputes the product.

**Training ahead.**  While the learner looks at a finished curve, the
explorer trains the settings one λ step up and one down (``look_ahead=True``,
the default), in chunks of :data:`LOOK_AHEAD_CHUNK` seconds between which the
kernel takes slider messages; any change stops it.  Moving λ to a neighbour
that is ready draws its complete curve at once; one that is part-way goes on
from its epoch.  It is the same run the move would start (same settings,
seed and engine; a test compares them number for number), and the last
:data:`MAX_READY` finished runs are kept, so moving back is instant too.
It starts with the neighbour in the direction of the last λ move, and only
in explorers that show the λ slider.  Measured (``python -m benchmarks``,
lecture setting, quiet machine): a λ step moved at once after a curve
completes takes 0.88 s in the kernel and 0.94 s to the painted curve in
JupyterLab + Chromium; after two seconds of looking at the curve, 3 ms and
36 ms.  The cost is CPU while the learner reads (two runs of ~1 s per move);
``look_ahead=False`` turns it off.

**One event loop.**  ipykernel 7 may handle a widget message on a subshell
thread with an event loop of its own; the change is then handed to the loop
the explorer's tasks run on (``call_soon_threadsafe``), so two runs never
train at once on two threads.

Moving λ above 0 while regularization is 'none' switches it to L2 (choosing
the L1 update switches to L1; moving the dropout ratio or its scaling turns
dropout on), so no control is ever a silent no-op; an explicit
``set(regularization='none', weight_decay_lambda=0.1)`` is kept and the
status line says that λ has no effect.

Without a running event loop (plain Python, pytest) a change only marks the
run as pending; ``await explorer.wait()`` (e.g. ``asyncio.run(explorer.wait())``)
starts it and returns when it has finished and been drawn.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import html
import io
import itertools
import math
import numbers
import time
import weakref
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullLocator
from PIL import Image as _PILImage

from course.experiments import LAMBDAS, LectureConfig, lecture_data, make_lecture_trainer
from course.i18n import divergence_message, get_language, t
from common.trainer import History, TrainingDiverged

__all__ = [
    "TrainingExplorer", "Pin", "DEFAULTS", "SETTINGS", "DEFAULT_SHOW", "LAMBDA_OPTIONS", "LAMBDAS",
    "LEARNING_RATES", "OPTIMIZERS", "L1_UPDATES", "MAX_PINS", "check_setting",
]

# -- the settings: the lecture's vocabulary -----------------------------------------

_LECTURE = LectureConfig()

REGULARIZATIONS = ("none", "l2", "l1")
LAMBDA_OPTIONS = (0.0, 0.001, 0.003, 0.004, 0.005, 0.01, 0.03, 0.1, 0.2, 0.3, 1.0)
"""The λ slider: log-spaced with an explicit 0 and the lecture's values (0.004 and 0.005 in
its L1 and λ-comparison cells, 0.1 and 0.2 in its weight-decay cells)."""
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)  # the lecture's 0.01, and 0.1 of its L1 cell
OPTIMIZERS = ("SGD", "Momentum", "AdaGrad", "Adam", "AdamW")
L1_UPDATES = ("subgradient", "proximal")
N_TRAIN = (100, 200, 300, 500, 1000, 2000, 3000, 4000)  # prefixes of the shipped 4,000 training digits
N_TEST = _LECTURE.n_test
N_SEEDS_MAX = 5
SEED_MAX = 2**31 - 1
MAX_PINS = 3
MAX_READY = 24
"""Finished runs an explorer keeps by their settings (moving back to one shows it at once)."""
LOOK_AHEAD_CHUNK = 0.05
"""Seconds of look-ahead training between two looks at the kernel's messages (a slider move waits at most this)."""
LOOK_AHEAD_DELAY = 0.05
"""Seconds between a finished run and the start of training ahead (the page draws the curve meanwhile)."""
EVALUATIONS = ("exact", "incremental")  # course.engine's ways of scoring the digits after each epoch

DEFAULTS: dict[str, Any] = {
    "regularization": "none",
    "weight_decay_lambda": 0.0,
    "l1_update": "subgradient",
    "use_dropout": False,
    "dropout_ratio": _LECTURE.dropout_ratio,
    "dropout_inverted": True,
    "optimizer": "SGD",
    "lr": _LECTURE.lr,
    "n_train": _LECTURE.n_train,
    "epochs": _LECTURE.epochs,
    "seed": 0,
    "n_seeds": 1,
    "hidden_layers": len(_LECTURE.hidden_size_list),
    "hidden_size": _LECTURE.hidden_size_list[0],
    "augment_shift": 0,
    "augment_rotation": 0.0,
    "augment_noise": 0.0,
}
"""The lecture's setting (no regularization yet); ``TrainingExplorer(**overrides)`` changes it."""

# name -> (kind, constraint).  kind: choice (buttons) | menu (drop-down) | bool (check box) |
# switch (a bool as two buttons) | options (a slider over listed numbers) | int | float.
# Labels and tooltips come from the message catalogue: widgets.label.<name>, widgets.tip.<name>.
SETTINGS: dict[str, tuple[str, Any]] = {
    "regularization": ("choice", REGULARIZATIONS),
    "weight_decay_lambda": ("options", LAMBDA_OPTIONS),
    "l1_update": ("choice", L1_UPDATES),
    "use_dropout": ("bool", None),
    "dropout_ratio": ("float", (0.0, 0.95, 0.01)),
    "dropout_inverted": ("switch", None),
    "optimizer": ("menu", OPTIMIZERS),
    "lr": ("options", LEARNING_RATES),
    "n_train": ("options", N_TRAIN),
    "epochs": ("int", (1, 300, 1)),
    "seed": ("int", (0, SEED_MAX, 1)),
    "n_seeds": ("int", (1, N_SEEDS_MAX, 1)),
    "hidden_layers": ("int", (1, 8, 1)),
    "hidden_size": ("int", (10, 300, 10)),
    "augment_shift": ("int", (0, 4, 1)),
    "augment_rotation": ("float", (0.0, 30.0, 1.0)),
    "augment_noise": ("float", (0.0, 0.5, 0.01)),
}
DEFAULT_SHOW = ("regularization", "weight_decay_lambda", "use_dropout", "dropout_ratio", "n_train", "epochs", "seed")

TRAIN_COLOR, TEST_COLOR, PENALTY_COLOR = "#1f77b4", "#ff7f0e", "#2ca02c"  # tab:blue/orange/green, as course.plots
PIN_STYLES = ("--", ":", "-.")  # pin k is drawn with PIN_STYLES[(k - 1) % 3], faded
PIN_DASHES = {"--": "6,3", ":": "1.5,2.5", "-.": "6,2.5,1.5,2.5"}  # the same styles in the pins list (SVG)
LOSS_YLIM = (1e-3, 1e3)  # log scale; widened by whole decades when a curve leaves it ...
LOSS_YLIM_MAX = (1e-5, 1e4)  # ... but never beyond this (the SVG clips the rest)
FIG_SIZE, FIG_DPI = (8.4, 3.2), 80  # 672 × 256 px
CURVE_KEYS = ("train_acc", "test_acc", "train_data_loss", "test_loss", "penalty")
_SUMMARY_KEYS = CURVE_KEYS + ("gap", "weight_norm", "sparsity")


def label(name: str) -> str:
    """The control's label in the current language."""
    return t(f"widgets.label.{name}")


def _allowed(name: str) -> str:
    kind, spec = SETTINGS[name]
    if kind in ("choice", "menu"):
        return f"one of {spec}"
    if kind in ("bool", "switch"):
        return "True or False"
    if kind == "options":
        return f"one of {tuple(spec)}"
    lo, hi, _ = spec
    return f"{'an int' if kind == 'int' else 'a number'} in [{lo}, {hi}]"


def check_setting(name: str, value: Any) -> Any:
    """Return ``value`` normalised for setting ``name``; ``ValueError`` naming the setting otherwise.

    Names of choices are case-insensitive (``'adam'`` → ``'Adam'``); listed
    numbers match within rounding (``0.1`` for ``0.1000000001``).
    """
    if name not in SETTINGS:
        raise ValueError(f"unknown setting {name!r}; the settings are: {', '.join(SETTINGS)}")
    kind, spec = SETTINGS[name]
    bad = ValueError(f"{name} must be {_allowed(name)}, got {value!r}")
    if kind in ("choice", "menu"):
        if isinstance(value, str):
            for option in spec:
                if option.lower() == value.lower():
                    return option
        raise bad
    if kind in ("bool", "switch"):
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


class _Refused(ValueError):
    """A setting (or combination) the explorer will not train with; the message is for the learner."""


# -- controls ---------------------------------------------------------------------------

_WIDE = "380px"
_LABEL_WIDTH = "150px"


def _choice_labels(name: str) -> tuple[list[tuple[str, Any]], list[str]]:
    """``(options, tooltips)`` of a control shown as buttons."""
    if name == "regularization":
        keys = REGULARIZATIONS
    elif name == "l1_update":
        keys = L1_UPDATES
    else:  # dropout_inverted
        return ([(t("widgets.choice.inverted"), True), (t("widgets.choice.test_time"), False)],
                [t("widgets.tip.choice.inverted"), t("widgets.tip.choice.test_time")])
    return ([(t(f"widgets.choice.{key}"), key) for key in keys], [t(f"widgets.tip.choice.{key}") for key in keys])


def _displayed(name: str, control: widgets.ValueWidget) -> widgets.Widget:
    """The control as shown: buttons get their label on the left, like the sliders."""
    if SETTINGS[name][0] not in ("choice", "switch"):
        return control
    text = widgets.Label(label(name), layout=widgets.Layout(width=_LABEL_WIDTH, justify_content="flex-end",
                                                            padding="0 8px 0 0"))
    text.tooltip = t(f"widgets.tip.{name}")
    return widgets.HBox([text, control], layout=widgets.Layout(width=_WIDE))


def _make_control(name: str, value: Any) -> widgets.ValueWidget:
    kind, spec = SETTINGS[name]
    tip = t(f"widgets.tip.{name}")
    common = dict(description=label(name), tooltip=tip, style={"description_width": _LABEL_WIDTH},
                  layout=widgets.Layout(width=_WIDE))
    if kind in ("choice", "switch"):
        # no description: JupyterLab puts a ToggleButtons' own label above the buttons (see _displayed)
        options, tooltips = _choice_labels(name)
        width = "60px" if name == "regularization" else "105px"
        control = widgets.ToggleButtons(options=options, tooltips=tooltips, style={"button_width": width},
                                        tooltip=tip)
        control.value = value
        return control
    if kind == "menu":
        return widgets.Dropdown(options=list(spec), value=value, **common)
    if kind == "bool":
        return widgets.Checkbox(value=value, indent=True, **common)
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


# -- runs, several seeds, pins --------------------------------------------------------


def _snapshot(history: History) -> History:
    """A copy of ``history`` whose lists no longer grow with the run (the network is shared, not copied)."""
    clone = copy.copy(history)
    for f in dataclasses.fields(history):
        value = getattr(history, f.name)
        if isinstance(value, list):
            setattr(clone, f.name, list(value))
        elif isinstance(value, dict):
            setattr(clone, f.name, dict(value))
    return clone


def _aggregate(histories: Sequence[History]) -> dict[str, Any]:
    """Per-epoch curves of one or more seeds: mean (and, for ≥ 2 seeds, sample sd) of each key.

    Epochs run to the longest seed still training (a diverged seed stops
    contributing at its last epoch, like ``SeedRuns``' NaN padding).
    Returns ``{'epoch': ..., 'n_seeds': n, key: mean, key + '_sd': sd or None}``.
    """
    running = [len(h.epoch) for h in histories if h.diverged is None]
    n = min(running) if running else max(len(h.epoch) for h in histories)
    out: dict[str, Any] = {"epoch": np.arange(1, n + 1, dtype=float), "n_seeds": len(histories)}
    for key in _SUMMARY_KEYS:
        rows = np.full((len(histories), n), np.nan)
        for i, h in enumerate(histories):
            values = h.gap if key == "gap" else getattr(h, key)
            m = min(n, len(values))
            rows[i, :m] = values[:m]
        if len(histories) == 1:
            out[key], out[key + "_sd"] = rows[0], None
            continue
        counts = np.sum(np.isfinite(rows), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.nansum(rows, axis=0)
            mean = np.where(counts > 0, total / np.maximum(counts, 1), np.nan)
            dev = np.nansum((rows - mean) ** 2, axis=0)
            sd = np.where(counts > 1, np.sqrt(dev / np.maximum(counts - 1, 1)), np.nan)
        out[key], out[key + "_sd"] = mean, sd
    return out


def _at_epoch(agg: dict[str, Any], key: str, epoch: int) -> float:
    """``agg[key]`` after ``epoch`` epochs, or at its last epoch if it has fewer."""
    values = agg[key]
    if not len(values):
        return math.nan
    return float(values[min(epoch, len(values)) - 1])


@dataclass(frozen=True)
class Pin:
    """A run kept as a faded reference: its number, label, settings and the histories of its seeds."""

    number: int
    label: str
    settings: dict[str, Any]
    histories: tuple[History, ...]
    complete: bool

    @property
    def history(self) -> History:
        """The first seed's history (the only one with ``n_seeds == 1``)."""
        return self.histories[0]

    def curves(self) -> dict[str, Any]:
        """The pinned curves as drawn (mean over seeds): ``epoch`` and the :data:`CURVE_KEYS`."""
        return _aggregate(self.histories)

    def final(self) -> dict[str, float]:
        """Last epoch's mean over seeds: ``epoch``, ``train_acc``, ``test_acc``, ``gap``, … ."""
        agg = self.curves()
        n = len(agg["epoch"])
        return {"epoch": n, **{key: _at_epoch(agg, key, n) for key in _SUMMARY_KEYS}}


def _summary(s: dict[str, Any]) -> str:
    """A pin's label: the settings that matter, in the current language (λ etc. only where they act)."""
    reg = s["regularization"]
    lam = f"{s['weight_decay_lambda']:g}"
    if reg == "none":
        parts = [t("widgets.summary.none")]
    elif reg == "l1" and s["l1_update"] == "proximal":
        parts = [t("widgets.summary.l1_proximal", lam=lam)]
    else:
        parts = [t(f"widgets.summary.{reg}", lam=lam)]
    if s["use_dropout"]:
        key = "dropout" if s["dropout_inverted"] else "dropout_test_time"
        parts.append(t(f"widgets.summary.{key}", ratio=f"{s['dropout_ratio']:g}"))
    if s["optimizer"] != DEFAULTS["optimizer"] or s["lr"] != DEFAULTS["lr"]:
        parts.append(t("widgets.summary.optimizer", name=s["optimizer"], lr=f"{s['lr']:g}"))
    if s["n_train"] != DEFAULTS["n_train"]:
        parts.append(t("widgets.summary.n_train", n=s["n_train"]))
    if s["hidden_layers"] != DEFAULTS["hidden_layers"] or s["hidden_size"] != DEFAULTS["hidden_size"]:
        parts.append(t("widgets.summary.hidden", layers=s["hidden_layers"], size=s["hidden_size"]))
    if s["augment_shift"] or s["augment_rotation"] or s["augment_noise"]:
        parts.append(t("widgets.summary.augment"))
    if s["epochs"] != DEFAULTS["epochs"]:
        parts.append(t("widgets.summary.epochs", n=s["epochs"]))
    if s["n_seeds"] > 1:
        parts.append(t("widgets.summary.seeds", first=s["seed"], last=s["seed"] + s["n_seeds"] - 1))
    else:
        parts.append(t("widgets.summary.seed", seed=s["seed"]))
    return ", ".join(parts)


class _Run:
    """The run on screen: its settings, the seeds' histories as they grow, and how it ended."""

    def __init__(self, number: int, settings: dict[str, Any], requested: float) -> None:
        self.number = number
        self.settings = settings
        self.requested = requested  # perf_counter() of the change that started it
        self.histories: list[History] = []
        self.finished = False
        self.errors: dict[int, str] = {}  # seed -> why it stopped early

    def epochs_done(self) -> int:
        return len(_aggregate(self.histories)["epoch"]) if self.histories else 0


def _proximal(s: dict[str, Any]) -> bool:
    return s["regularization"] == "l1" and s["l1_update"] == "proximal"


def _record_l1_penalty(trainer: Any, lam: float) -> None:
    """Set the last epoch's ``history.penalty`` to ``λ·Σ_l Σ|W_l|`` of the trainer's network."""
    history = trainer.history
    if history.penalty and len(history.penalty) == len(history.epoch):
        weights = [w for key, w in trainer.network.params.items() if key.startswith("W")]
        history.penalty[-1] = lam * float(sum(np.abs(w).sum(dtype=np.float64) for w in weights))


class _Ahead:
    """A run trained ahead: its trainers, their suspended ``epochs_iter()`` and the seeds still going."""

    def __init__(self, key: tuple, trainers: list[Any]) -> None:
        self.key = key
        self.trainers = trainers
        self.iterators = [trainer.epochs_iter() for trainer in trainers]
        self.active = list(range(len(trainers)))

    def close(self) -> None:
        for iterator in self.iterators:
            iterator.close()


def _next_epochs(trainers: list[Any], iterators: list[Any], active: list[int], l1_lam: float | None) -> dict[int, str]:
    """One more epoch of every seed in ``active`` (interleaved, so a band grows live); a finished or
    diverged seed leaves ``active``.  Returns ``{index: why}`` for the seeds that diverged."""
    diverged = {}
    for i in list(active):
        try:
            next(iterators[i])
            if l1_lam is not None:
                _record_l1_penalty(trainers[i], l1_lam)
        except StopIteration:
            active.remove(i)
        except TrainingDiverged as exc:
            active.remove(i)
            diverged[i] = divergence_message(exc)
    return diverged


def _run_key(s: dict[str, Any]) -> tuple:
    """A run's identity: every setting (the data and the engine's evaluation are fixed per explorer)."""
    return tuple(sorted(s.items()))


# -- the explorer ---------------------------------------------------------------------

_TRAINING: "weakref.WeakSet[TrainingExplorer]" = weakref.WeakSet()
"""Explorers whose run may be going on.  Starting a run pauses the others: two runs at once would
each take twice as long, and an explorer whose cell was run again would keep training unseen."""


class TrainingExplorer:
    """Controls for the lecture's settings plus live learning curves; every change re-trains.

    ``show`` lists the settings to display (default :data:`DEFAULT_SHOW`; ``"all"``
    shows every one); hidden settings keep their defaults but stay in
    :attr:`controls`.  ``**defaults`` override :data:`DEFAULTS`.
    ``chunk_seconds`` is the training time between two redraws (at least 5×
    the time a redraw takes).  ``evaluation`` is passed to the engine:
    ``"incremental"`` (default: keeps the evaluation digits' first-layer
    product up to date, faster for SGD with L2 or none; accuracies as
    ``train_lecture_net``'s up to near-ties) or ``"exact"``.  ``look_ahead``
    (default ``True``) trains the neighbouring λ values while nothing else
    runs, so that a one-step move shows its curve at once (see the module
    docstring).

    Public attributes: ``controls`` (setting name -> widget), ``history`` (the
    first seed's history of the last run that finished: completed, or diverged
    with ``history.diverged`` set; ``None`` before the first), ``runs`` (all
    seeds of that run as ``course.seeds.SeedRuns``), ``pinned`` (list of
    :class:`Pin`), ``status`` (HTML status line), ``image`` (the axes and
    pinned curves, PNG), ``curves`` (the live curves, SVG over the image),
    ``pin_button``, ``clear_button``, ``widget`` (the whole box) and
    ``last_timing`` (seconds from the change to the first and to the last
    redraw, ``first_draw`` and ``total``, and the training and drawing time).
    """

    def __init__(
        self,
        show: Iterable[str] | str | None = None,
        *,
        title: str | None = None,
        chunk_seconds: float = 0.25,
        evaluation: str = "incremental",
        look_ahead: bool = True,
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
        if evaluation not in EVALUATIONS:
            raise ValueError(f"evaluation must be one of {EVALUATIONS}, got {evaluation!r}")
        self.evaluation = evaluation
        if not isinstance(look_ahead, bool):
            raise TypeError(f"look_ahead must be True or False, got {look_ahead!r}")
        self.look_ahead = look_ahead
        self._shown = frozenset(show)  # the look-ahead follows the λ slider only where it is shown

        self.history: History | None = None
        self.runs: Any = None
        self._pins: list[Pin] = []
        self._pin_numbers = itertools.count(1)
        self._run_numbers = itertools.count(1)
        self._run: _Run | None = None
        self._task: asyncio.Task | None = None
        self._pending = True
        self._holding = 0
        self._changed_while_holding = False
        self._explicit: set[str] = set()
        self._data_cache: dict[int, tuple] = {}
        self._ready: dict[tuple, tuple[History, ...]] = {}  # finished runs by settings, oldest first
        self._ahead: _Ahead | None = None  # the run being trained ahead, suspended between epochs
        self._ahead_task: asyncio.Task | None = None
        self._home_loop: asyncio.AbstractEventLoop | None = None  # where runs and the look-ahead are tasks
        self._lambda_step = 1  # the direction of the last λ move
        self._drawn: dict[str, Any] = {}
        self.last_timing: dict[str, float] = {}
        self.last_redraw_seconds = 0.0

        self.controls: dict[str, widgets.ValueWidget] = {name: _make_control(name, values[name]) for name in SETTINGS}
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

        self._uid = f"x{id(self):x}"  # SVG ids must be unique in a page with several explorers
        self._background_key: tuple | None = None
        self._geometry: list[dict[str, Any]] = []
        self._loss_ylim = LOSS_YLIM
        self._x_max = values["epochs"]
        self._n_seeds_drawn = values["n_seeds"]
        width, height = (int(round(v * FIG_DPI)) for v in FIG_SIZE)
        self._size = (width, height)
        self.image = widgets.Image(format="png", width=width, height=height,
                                   layout=widgets.Layout(width=f"{width}px", height=f"{height}px", margin="0",
                                                         grid_area="plot"))
        self.curves = widgets.HTML(layout=widgets.Layout(width=f"{width}px", height=f"{height}px", margin="0",
                                                         grid_area="plot"))
        # one grid cell, two layers: the live SVG over the PNG
        self.plot = widgets.GridBox([self.image, self.curves], layout=widgets.Layout(
            grid_template_areas='"plot"', grid_template_columns=f"{width}px", grid_template_rows=f"{height}px",
            width=f"{width}px", height=f"{height}px", margin="2px 0"))
        self.status = widgets.HTML(layout=widgets.Layout(min_height="2.6em"))
        self.pins_view = widgets.HTML()
        self.pin_button = widgets.Button(description=t("widgets.button.pin"), tooltip=t("widgets.tip.pin"),
                                         layout=widgets.Layout(width="auto"))
        self.clear_button = widgets.Button(description=t("widgets.button.clear_pins"),
                                           tooltip=t("widgets.tip.clear_pins"), layout=widgets.Layout(width="auto"))
        self.pin_button.on_click(lambda _: self._guarded(self.pin))
        self.clear_button.on_click(lambda _: self._guarded(self.clear_pins))
        self._draw_background()
        self._draw_live(None)
        self._show_pins()
        self._set_status(f"<span style='color:gray'>{html.escape(t('widgets.status.waiting'))}</span>", "waiting")

        children: list[widgets.Widget] = []
        if title:
            children.append(widgets.HTML(f"<h4 style='margin:4px 0'>{html.escape(title)}</h4>"))
        shown = [_displayed(name, self.controls[name]) for name in show]
        if shown:
            half = (len(shown) + 1) // 2
            children.append(widgets.HBox([widgets.VBox(shown[:half]), widgets.VBox(shown[half:])]))
        children += [widgets.HBox([self.pin_button, self.clear_button]), self.status, self.plot, self.pins_view]
        self.widget = widgets.VBox(children)
        # CSS hooks (the browser test and benchmark find the parts by them)
        self.widget.add_class("training-explorer")
        self.status.add_class("explorer-status")
        self.plot.add_class("explorer-plot")
        self.image.add_class("explorer-curves")
        self.curves.add_class("explorer-live")
        self.pins_view.add_class("explorer-pins")
        self.pin_button.add_class("explorer-pin")
        self.clear_button.add_class("explorer-clear-pins")
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
        """Return the current run's history (first seed) once it has finished and been drawn.

        ``None`` if the current settings were refused or the run failed before
        its first epoch (the status line says why; :attr:`history` still holds
        the last run that did finish).  Starts a pending run on the running loop (needed when the explorer was
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
                run = self._run
                return run.histories[0] if run is not None and run.finished and run.histories else None

    @property
    def pinned(self) -> list[Pin]:
        """The pinned runs, oldest first (each with ``.histories``, ``.settings``, ``.label``)."""
        return list(self._pins)

    def pin(self) -> Pin:
        """Keep the run on screen (finished, or as far as it got) as a faded, numbered reference.

        At most :data:`MAX_PINS` are kept; pinning one more drops the oldest.
        Raises ``ValueError`` when no epoch has been drawn yet (the button
        shows that in the status line instead).
        """
        run = self._run
        if run is None or not run.histories or run.epochs_done() == 0:
            raise _Refused(t("widgets.refused.nothing_to_pin"))
        histories = tuple(run.histories if run.finished else (_snapshot(h) for h in run.histories))
        number = next(self._pin_numbers)
        pin = Pin(number=number, label=_summary(run.settings), settings=dict(run.settings),
                  histories=histories, complete=run.finished)
        self._pins.append(pin)
        dropped = self._pins[:-MAX_PINS]
        del self._pins[:-MAX_PINS]
        self._draw_background()
        self._show_pins(dropped)
        self._status_for(run)
        return pin

    def clear_pins(self) -> None:
        """Remove every pinned run."""
        self._pins.clear()
        self._draw_background()
        self._show_pins()
        if self._run is not None:
            self._status_for(self._run)

    def curve_data(self) -> dict[str, np.ndarray]:
        """The live curves as drawn: ``epoch`` and the :data:`CURVE_KEYS` (means over seeds),
        plus ``<key>_sd`` (the band's half width) when ≥ 2 seeds run."""
        return {key: value.copy() for key, value in self._drawn.items()}

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
        if kind in ("bool", "switch"):
            return bool(value)
        return value

    def _guarded(self, action) -> None:
        """Run a button's action; a refusal or error goes to the status line, never into ipywidgets."""
        try:
            action()
        except Exception as exc:
            self._show_error(exc, training=False)

    def _on_change(self, change: dict) -> None:
        if change["owner"] is self.controls["weight_decay_lambda"]:
            self._lambda_step = 1 if change["new"] >= change["old"] else -1  # the look-ahead goes this way first
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
        """Make a moved control take effect: λ > 0 switches 'none' to L2, the L1 update switches to L1,
        a new dropout ratio or scaling turns dropout on.

        Only when that other control was not set in the same :meth:`set` call
        (an explicit ``set(regularization='none', weight_decay_lambda=0.1)`` is
        kept; the status line then says that λ has no effect).
        """
        owner, c = change["owner"], self.controls
        if owner is c["weight_decay_lambda"] and change["new"] > 0:
            if c["regularization"].value == "none" and "regularization" not in self._explicit:
                c["regularization"].value = "l2"
        elif owner is c["l1_update"] and "regularization" not in self._explicit:
            c["regularization"].value = "l1"
        elif owner in (c["dropout_ratio"], c["dropout_inverted"]) and "use_dropout" not in self._explicit:
            c["use_dropout"].value = True

    def _start_if_pending(self) -> None:
        if self._pending:
            self._restart()

    def _restart(self, requested: float | None = None) -> None:
        if requested is None:
            requested = time.perf_counter()
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        home = self._home_loop
        if current is not None and home is not None and home is not current and home.is_running():
            # ipykernel 7 handles widget messages on subshell threads, each with its own event loop: the
            # run goes to the loop the explorer's tasks live on, so that two never train at once on two
            # threads (a run there would also take over a look-ahead generator still executing here)
            home.call_soon_threadsafe(self._restart, requested)
            return
        if current is not None:
            self._home_loop = current
        for old in (self._task, self._ahead_task):
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
        for other in list(_TRAINING):  # one explorer trains at a time: the kernel has no cores to spare
            if other is not self:
                other._pause()
        _TRAINING.add(self)
        self._task = loop.create_task(self._run_task(self.settings(), requested))

    def _pause(self) -> None:
        """Stop this explorer's run because another one started (e.g. its cell was run again)."""
        _TRAINING.discard(self)
        self._drop_ahead()
        task = self._task
        if task is None or task.done():
            return
        try:
            task.cancel()
        except RuntimeError:  # its loop is closed
            return
        self._pending = True  # wait() or the next change starts it again
        self._set_status(f"<span style='color:gray'>{html.escape(t('widgets.status.paused'))}</span>", "paused")

    def _data(self, n_train: int) -> tuple:
        if n_train not in self._data_cache:
            self._data_cache[n_train] = lecture_data(n_train, N_TEST)
        return self._data_cache[n_train]

    def _build(self, s: dict[str, Any], seed: int):
        """The engine's trainer for settings ``s`` and one seed: ``make_lecture_trainer(..., engine=True)``.

        The L1 update 'proximal' trains with :class:`course.proximal.ProximalSGD`
        on the data loss (the network gets no penalty term: the optimizer
        applies λ).  AdamW takes L2's λ as its decoupled weight decay (again no
        term in the loss: that is AdamW's point).
        """
        reg, lam, name, lr = s["regularization"], s["weight_decay_lambda"], s["optimizer"], s["lr"]
        optimizer: Any = name
        optimizer_param: dict[str, Any] | None = {"lr": lr}
        if _proximal(s):
            if name != "SGD":
                raise _Refused(t("widgets.refused.proximal_needs_sgd", optimizer=name))
            from course.proximal import ProximalSGD  # lazily: only when chosen

            optimizer, optimizer_param = ProximalSGD(lr=lr, weight_decay_lambda=lam), None
            reg, lam = "none", 0.0
        elif name == "AdamW":
            optimizer_param = {"lr": lr, "weight_decay": lam if reg == "l2" else 0.0}
            if reg == "l2":
                reg, lam = "none", 0.0
        augment = None
        if s["augment_shift"] or s["augment_rotation"] or s["augment_noise"]:
            from course.augment import Augmenter  # lazily: only when augmentation is switched on

            augment = Augmenter(shift=s["augment_shift"], rotation=s["augment_rotation"], noise_std=s["augment_noise"])
        _, trainer = make_lecture_trainer(
            lam, reg, s["use_dropout"], s["dropout_ratio"],
            dropout_inverted=s["dropout_inverted"],
            n_train=s["n_train"],
            hidden_size_list=[s["hidden_size"]] * s["hidden_layers"],
            epochs=s["epochs"],
            lr=lr,
            optimizer=optimizer,
            optimizer_param=optimizer_param,
            n_test=N_TEST,
            augment=augment,
            data=self._data(s["n_train"]),
            seed=seed,
            settings={**s, "seed": seed, "evaluation": self.evaluation},
            engine=True,
            evaluation=self.evaluation,
        )
        return trainer

    async def _run_task(self, s: dict[str, Any], requested: float) -> None:
        """One training run (an asyncio task); nothing but cancellation ever leaves it."""
        try:
            await self._train(s, requested)
        except Exception as exc:  # last resort, e.g. if drawing itself failed: plain text, no traceback
            try:
                self.status.value = (
                    f"<span style='color:#c00' data-state='error'><b>{html.escape(type(exc).__name__)}:</b> "
                    f"{html.escape(str(exc))}</span>"
                )
            except Exception:
                pass

    async def _train(self, s: dict[str, Any], requested: float) -> None:
        timing = {"train": 0.0, "draw": 0.0, "redraws": 0}
        self.last_timing = timing
        run = self._run = _Run(next(self._run_numbers), s, requested)
        iterators: list[Any] = []
        try:
            self._draw_live(run)  # the old curves vanish at once, even if the first epoch takes long
            self._status_for(run)
            seeds = [s["seed"] + i for i in range(s["n_seeds"])]
            for name, value in s.items():
                try:
                    check_setting(name, value)  # e.g. a slider whose range was changed from Python
                except ValueError:
                    raise _Refused(t("widgets.refused.setting", setting=label(name), value=repr(value),
                                     allowed=_allowed(name))) from None
            key = _run_key(s)
            ready = self._ready.pop(key, None)
            if ready is not None:  # trained ahead while the learner looked (or earlier): drawn complete at once
                self._ready[key] = ready  # most recently used last
                self._drop_ahead()
                run.histories = list(ready)
                run.finished = True
                self._finish(run)
                self._redraw(run, timing, requested)
                timing["total"] = time.perf_counter() - requested
                timing["ready"] = 1
                self._start_look_ahead(s)
                return
            t0 = time.perf_counter()
            ahead = self._take_ahead(key)
            if ahead is not None:  # part-way already: go on from its epoch
                trainers, iterators, active = ahead.trainers, ahead.iterators, ahead.active
                timing["ahead_epochs"] = min(len(trainer.history.epoch) for trainer in trainers)
            else:
                trainers = [self._build(s, seed) for seed in seeds]
                iterators = [trainer.epochs_iter() for trainer in trainers]
                active = list(range(len(seeds)))
            run.histories = [trainer.history for trainer in trainers]
            timing["train"] += time.perf_counter() - t0
            # proximal L1: the network has no penalty term (the optimizer applies λ), so the penalty line is
            # filled in here with the term that step minimizes, λ·Σ|W| (~30 µs an epoch)
            l1_lam = s["weight_decay_lambda"] if _proximal(s) else None
            budget = 0.0  # the first chunk is one epoch (of each seed), so the first points appear at once
            while active:
                t0 = time.perf_counter()
                chunk_end = t0 + budget
                while active:
                    for i, why in _next_epochs(trainers, iterators, active, l1_lam).items():
                        run.errors[seeds[i]] = why
                    if time.perf_counter() >= chunk_end:
                        break
                timing["train"] += time.perf_counter() - t0
                run.finished = not active
                if run.finished:
                    self._finish(run)
                self._redraw(run, timing, requested)
                if not active:
                    if not run.errors:
                        self._remember(key, run.histories)
                        self._start_look_ahead(s)
                    break
                # at least 5× the redraw time per chunk: drawing never costs more than ~1/6 of the time
                budget = max(self.chunk_seconds, 5 * self.last_redraw_seconds)
                await asyncio.sleep(0)  # let the kernel handle widget messages (maybe a new change)
            timing["total"] = time.perf_counter() - requested
        except _Refused as exc:
            self._show_error(exc)
        except Exception as exc:
            if run.histories and run.epochs_done():
                run.finished = True
                run.errors[-1] = f"{type(exc).__name__}: {exc}"
                self._redraw(run, timing, requested)
            else:
                self._show_error(exc)
        finally:
            for iterator in iterators:
                iterator.close()

    # -- look-ahead: the next λ trained while the learner looks at this curve ---------
    def _neighbours(self, s: dict[str, Any]) -> list[dict[str, Any]]:
        """The settings one λ step up and one down, as the slider would make them (λ > 0 turns 'none' into L2).

        Empty where the λ slider is not shown (no one moves it there)."""
        if "weight_decay_lambda" not in self._shown:
            return []
        options = LAMBDA_OPTIONS
        lam = s["weight_decay_lambda"]
        if lam not in options:
            return []
        i = options.index(lam)
        out = []
        for j in (i + self._lambda_step, i - self._lambda_step):  # on in the direction of the last move first
            if 0 <= j < len(options):
                n = dict(s, weight_decay_lambda=options[j])
                if options[j] > 0 and n["regularization"] == "none":
                    n["regularization"] = "l2"
                out.append(n)
        return out

    def _start_look_ahead(self, s: dict[str, Any]) -> None:
        if not self.look_ahead:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._ahead_task = loop.create_task(self._train_ahead(s))

    async def _train_ahead(self, s: dict[str, Any]) -> None:
        """Train the neighbours of ``s`` in chunks of ~:data:`LOOK_AHEAD_CHUNK` s, yielding to the kernel between.

        Cancelled by any change; a run it had begun stays suspended in
        ``_ahead`` so that the change, if it asks for that run, goes on from there.
        """
        try:
            await asyncio.sleep(LOOK_AHEAD_DELAY)  # the finished curve's messages and waiters go first
            for n in self._neighbours(s):
                key = _run_key(n)
                if key in self._ready:
                    continue
                trainers = [self._build(n, n["seed"] + i) for i in range(n["n_seeds"])]
                ahead = self._ahead = _Ahead(key, trainers)
                l1_lam = n["weight_decay_lambda"] if _proximal(n) else None
                chunk_end = time.perf_counter() + LOOK_AHEAD_CHUNK
                while ahead.active:
                    if _next_epochs(trainers, ahead.iterators, ahead.active, l1_lam):
                        self._drop_ahead()  # a diverging neighbour: nothing is kept, the real run will say why
                        return
                    if time.perf_counter() >= chunk_end:
                        await asyncio.sleep(0)  # the kernel takes slider messages here; a change cancels us
                        chunk_end = time.perf_counter() + LOOK_AHEAD_CHUNK
                self._ahead = None
                self._remember(key, [trainer.history for trainer in trainers])
        except asyncio.CancelledError:
            raise  # ``_ahead`` is kept for the run that cancelled us
        except Exception:  # any other failure: nothing is kept, the real run will say why
            self._drop_ahead()

    def _take_ahead(self, key: tuple) -> _Ahead | None:
        """The suspended look-ahead run if it is the one asked for (else it is dropped)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead.key == key:
            return ahead
        if ahead is not None:
            ahead.close()
        return None

    def _drop_ahead(self) -> None:
        task = self._ahead_task
        if task is not None and not task.done():
            try:
                task.cancel()
            except RuntimeError:
                pass
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None

    def _remember(self, key: tuple, histories: Sequence[History]) -> None:
        self._ready.pop(key, None)
        self._ready[key] = tuple(histories)
        while len(self._ready) > MAX_READY:
            del self._ready[next(iter(self._ready))]

    def _finish(self, run: _Run) -> None:
        """Publish a finished run: ``history`` (first seed) and ``runs`` (all seeds, as ``SeedRuns``)."""
        self.history = run.histories[0]
        by_seed = {h.settings["seed"]: h for h in run.histories}
        from course.seeds import run_seeds  # the seeds trained here, interleaved; run_seeds only collects them

        self.runs = run_seeds(lambda seed: by_seed[seed], list(by_seed))

    def _redraw(self, run: _Run, timing: dict[str, Any], requested: float) -> None:
        t0 = time.perf_counter()
        self._draw_live(run)
        self._status_for(run)
        now = time.perf_counter()
        self.last_redraw_seconds = now - t0
        timing["draw"] += now - t0
        timing["redraws"] += 1
        timing.setdefault("first_draw", now - requested)

    # -- status line ---------------------------------------------------------------
    def _set_status(self, text: str, state: str) -> None:
        # data-state (training / done / error / waiting) lets the browser tests read the state in any language
        self.status.value = (
            f"<div style='font-family:monospace;font-size:12px;line-height:1.5' data-state='{state}'>{text}</div>"
        )

    def _show_error(self, exc: BaseException, training: bool = True) -> None:
        """A refusal or error in red: "cannot train with these settings: …" (``training``) or just the message."""
        if isinstance(exc, _Refused):
            text = str(exc)
        else:
            kind = "" if isinstance(exc, (ValueError, TypeError)) else f"{type(exc).__name__}: "
            text = kind + str(exc)
        head = f"<b>{html.escape(t('widgets.status.cannot_train'))}</b> " if training else ""
        self._set_status(f"<span style='color:#c00'>{head}{html.escape(text)}</span>", "error")

    def _status_for(self, run: _Run) -> None:
        s = run.settings
        agg = _aggregate(run.histories) if run.histories else None
        n = len(agg["epoch"]) if agg is not None else 0
        epoch = t("widgets.status.epoch", epoch=n, epochs=s["epochs"])
        lines = []
        if n:
            def num(key: str, fmt: str = ".3f", scale: float = 1.0) -> str:
                mean = _at_epoch(agg, key, n) * scale
                text = format(mean, fmt if key != "gap" else "+" + fmt)
                sd = agg[key + "_sd"]
                if sd is not None and math.isfinite(float(sd[n - 1])):
                    text += "±" + format(float(sd[n - 1]) * scale, fmt)
                return text

            numbers_ = t("widgets.status.numbers", train=num("train_acc"), test=num("test_acc"), gap=num("gap"),
                         norm=num("weight_norm", ".1f"), sparsity=num("sparsity", ".1f", 100.0))
            first = f"{epoch} · {numbers_}"
            if s["n_seeds"] > 1:
                first += " · " + t("widgets.status.seeds", n=s["n_seeds"])
        else:
            first = epoch
        if run.errors:
            state = "error" if len(run.errors) == s["n_seeds"] or -1 in run.errors else ("done" if run.finished
                                                                                          else "training")
        else:
            state = "done" if run.finished else "training"
        word = {"done": t("widgets.status.done"), "training": t("widgets.status.training")}.get(state)
        first = html.escape(first) + (f" · <b>{html.escape(word)}</b>" if word else "")
        lines.append(first)
        if n and self._pins:
            pin = self._pins[-1]
            pin_agg = pin.curves()
            d_test = _at_epoch(agg, "test_acc", n) - _at_epoch(pin_agg, "test_acc", n)
            d_gap = _at_epoch(agg, "gap", n) - _at_epoch(pin_agg, "gap", n)
            delta = t("widgets.status.delta", n=pin.number, test=f"{d_test:+.3f}", gap=f"{d_gap:+.3f}",
                      epoch=min(n, len(pin_agg["epoch"])))
            lines.append(f"<span class='explorer-delta'>{html.escape(delta)}</span>")
        for seed, message in run.errors.items():
            prefix = "" if seed == -1 or s["n_seeds"] == 1 else t("widgets.status.seed_prefix", seed=seed) + " "
            lines.append(f"<span style='color:#c00'><b>{html.escape(prefix + message)}</b></span>")
        notes = []
        if s["regularization"] == "none" and s["weight_decay_lambda"] > 0:
            notes.append(t("widgets.note.lambda_no_effect"))
        if not s["use_dropout"] and (s["dropout_ratio"] != DEFAULTS["dropout_ratio"]
                                     or s["dropout_inverted"] != DEFAULTS["dropout_inverted"]):
            notes.append(t("widgets.note.dropout_off"))
        if s["l1_update"] == "proximal" and s["regularization"] != "l1":
            notes.append(t("widgets.note.l1_update_no_effect"))
        if s["optimizer"] == "AdamW" and s["regularization"] == "l2":
            notes.append(t("widgets.note.adamw"))
        if s["regularization"] == "l1" and s["l1_update"] == "proximal":
            notes.append(t("widgets.note.proximal"))
        if notes:
            lines.append("<span style='color:gray'>" + html.escape("; ".join(notes)) + "</span>")
        self._set_status("<br>".join(lines), state)

    def _show_pins(self, dropped: Sequence[Pin] = ()) -> None:
        """The pins' legend under the plot: line style, number, label, final numbers."""
        if not self._pins:
            self.pins_view.value = ""
            return
        rows = [f"<div style='color:#555'>{html.escape(t('widgets.pins.title'))}</div>"]
        for pin in self._pins:
            style = PIN_STYLES[(pin.number - 1) % len(PIN_STYLES)]
            swatch = (
                "<svg width='34' height='10' style='vertical-align:middle'>"
                f"<line x1='1' y1='3' x2='33' y2='3' stroke='{TRAIN_COLOR}' stroke-opacity='0.6' stroke-width='1.5'"
                f" stroke-dasharray='{PIN_DASHES[style]}'/>"
                f"<line x1='1' y1='8' x2='33' y2='8' stroke='{TEST_COLOR}' stroke-opacity='0.6' stroke-width='1.5'"
                f" stroke-dasharray='{PIN_DASHES[style]}'/></svg>"
            )
            f = pin.final()
            text = t("widgets.pins.item", n=pin.number, label=pin.label, test=f"{f['test_acc']:.3f}",
                     gap=f"{f['gap']:+.3f}")
            if not pin.complete:
                text += " " + t("widgets.pins.partial", epoch=f["epoch"], epochs=pin.settings["epochs"])
            rows.append(f"<div class='explorer-pin-item' data-pin='{pin.number}'>{swatch} {html.escape(text)}</div>")
        for pin in dropped:
            rows.append(f"<div style='color:gray'>{html.escape(t('widgets.pins.dropped', n=pin.number, max=MAX_PINS))}"
                        "</div>")
        style = "font-family:monospace;font-size:12px;line-height:1.5"
        self.pins_view.value = f"<div style='{style}'>{''.join(rows)}</div>"

    # -- drawing -----------------------------------------------------------------------
    def _draw_background(self) -> None:
        """Axes, labels, legends and pinned curves as a PNG (matplotlib Agg); the live curves go over it.

        Drawn only when one of them changes (the epoch range, the loss range,
        the pins, one seed vs a band, the language), so a growing curve never
        redraws it.
        """
        fig = Figure(figsize=FIG_SIZE, dpi=FIG_DPI)
        canvas = FigureCanvasAgg(fig)
        ax_acc, ax_loss = fig.subplots(1, 2)
        for ax in (ax_acc, ax_loss):
            ax.set_xlabel(t("widgets.axis.epoch"))
            ax.set_xlim(0, self._x_max)
            ax.grid(alpha=0.3)
        ax_acc.set_ylabel(t("widgets.axis.accuracy"))
        ax_acc.set_ylim(0, 1.02)
        ax_loss.set_ylabel(t("widgets.axis.loss"))
        ax_loss.set_yscale("log")
        ax_loss.set_ylim(*self._loss_ylim)
        ax_loss.yaxis.set_minor_locator(NullLocator())  # decades only: calmer, and cheaper to draw
        # "0.01" instead of mathtext's 10⁻²: parsing mathtext was ~40 % of this function's time
        ax_loss.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        for pin in self._pins:
            agg = pin.curves()
            style = dict(linestyle=PIN_STYLES[(pin.number - 1) % len(PIN_STYLES)], linewidth=1.3, alpha=0.45)
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
        acc_handles = [Line2D([], [], color=TRAIN_COLOR, label=t("widgets.legend.train")),
                       Line2D([], [], color=TEST_COLOR, label=t("widgets.legend.test"))]
        if self._n_seeds_drawn > 1:
            acc_handles.append(Patch(color="#888", alpha=0.3, label=t("widgets.legend.band", n=self._n_seeds_drawn)))
        loss_handles = [Line2D([], [], color=TRAIN_COLOR, label=t("widgets.legend.train_data_loss")),
                        Line2D([], [], color=TEST_COLOR, label=t("widgets.legend.test_data_loss")),
                        Line2D([], [], color=PENALTY_COLOR, label=t("widgets.legend.penalty"))]
        for ax, handles in ((ax_acc, acc_handles), (ax_loss, loss_handles)):  # legends above the axes
            ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(handles), fontsize=8,
                      frameon=False, borderaxespad=0.1, handlelength=1.5, columnspacing=1.0)
        fig.subplots_adjust(left=0.075, right=0.975, bottom=0.16, top=0.88, wspace=0.22)  # fixed: no jumps
        canvas.draw()
        height = fig.bbox.height
        self._geometry = []
        for ax in (ax_acc, ax_loss):
            x0, y0, w, h = ax.bbox.bounds
            self._geometry.append({
                "box": (x0, height - y0 - h, w, h),  # SVG: origin top left
                "xlim": ax.get_xlim(), "ylim": ax.get_ylim(), "log": ax.get_yscale() == "log",
            })
        rgba = np.asarray(canvas.buffer_rgba())
        buf = io.BytesIO()
        _PILImage.fromarray(rgba[..., :3]).save(buf, format="PNG", compress_level=1)
        self.image.value = buf.getvalue()
        self._background_key = self._key()

    def _key(self) -> tuple:
        return (self._x_max, self._loss_ylim, tuple(p.number for p in self._pins), max(self._n_seeds_drawn, 1) > 1
                and self._n_seeds_drawn, get_language())

    def _fit_loss_range(self, agg: dict[str, Any]) -> None:
        """The log loss axis spans whole decades, at least ``LOSS_YLIM``, at most ``LOSS_YLIM_MAX``.

        It only ever widens: runs and pins stay comparable on one scale, and a
        growing curve never forces a redraw of the background (each costs
        ~0.1 s of the kernel's time); after the first few runs it stays put.
        """
        values = np.concatenate([agg[key] for key in ("train_data_loss", "test_loss", "penalty")])
        values = values[np.isfinite(values) & (values > 0)]
        if not values.size:
            return
        lo, hi = self._loss_ylim
        lo = min(lo, 10.0 ** math.floor(math.log10(values.min())))
        hi = max(hi, 10.0 ** math.ceil(math.log10(values.max())))
        self._loss_ylim = (max(lo, LOSS_YLIM_MAX[0]), min(hi, LOSS_YLIM_MAX[1]))

    def _draw_live(self, run: _Run | None) -> None:
        """The live curves (and bands) as an SVG laid exactly over the background's axes."""
        if run is not None and run.histories:
            agg = _aggregate(run.histories)
            self._fit_loss_range(agg)
        else:
            agg = _aggregate([History()])
        settings = run.settings if run is not None else None
        if settings is not None:
            self._x_max = settings["epochs"]
            self._n_seeds_drawn = settings["n_seeds"]
        if self._key() != self._background_key:
            self._draw_background()
        width, height = self._size
        banded = agg["n_seeds"] > 1
        self._drawn = {"epoch": agg["epoch"]}
        # seconds from the change to this redraw on the kernel's clock (the browser benchmark splits
        # its latency into the kernel's part and the rest: messages and the page's own drawing)
        since = time.perf_counter() - run.requested if run is not None else 0.0
        for key in CURVE_KEYS:
            self._drawn[key] = agg[key]
            if banded:
                self._drawn[key + "_sd"] = agg[key + "_sd"]
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
        for i, geo in enumerate(self._geometry):
            x, y, w, h = geo["box"]
            parts.append(f"<clipPath id='{self._uid}-{i}'><rect x='{x:.1f}' y='{y:.1f}' width='{w:.1f}' "
                         f"height='{h:.1f}'/></clipPath>")
        parts.append("</defs>")
        for i, keys in enumerate(panels):
            geo = self._geometry[i]
            parts.append(f"<g clip-path='url(#{self._uid}-{i})' fill='none' stroke-width='1.6'>")
            if banded and n:
                for key in keys:
                    mean, sd = agg[key], agg[key + "_sd"]
                    band = _band_path(geo, agg["epoch"], mean - sd, mean + sd)
                    if band:
                        parts.append(f"<path d='{band}' fill='{colors[key]}' fill-opacity='0.18' stroke='none'/>")
            for key in keys:
                d = _line_path(geo, agg["epoch"], agg[key])
                if d:
                    width_ = "1.2" if key == "penalty" else "1.6"
                    parts.append(f"<path d='{d}' stroke='{colors[key]}' stroke-width='{width_}' "
                                 f"data-key='{key}'/>")
            parts.append("</g>")
        parts.append("</svg>")
        self.curves.value = "".join(parts)


# -- SVG paths ------------------------------------------------------------------------


def _to_pixels(geo: dict[str, Any], x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _line_path(geo: dict[str, Any], x: np.ndarray, y: np.ndarray) -> str:
    """An SVG path through the finite points, broken where a value is missing (NaN, or ≤ 0 on a log axis)."""
    if not len(x):
        return ""
    px, py, ok = _to_pixels(geo, x, y)
    out, pen_down = [], False
    for xi, yi, good in zip(px.tolist(), py.tolist(), ok.tolist()):
        if good:
            out.append(f"{'L' if pen_down else 'M'}{xi:.1f} {yi:.1f}")
        pen_down = good
    return "".join(out)


def _band_path(geo: dict[str, Any], x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> str:
    """A closed SVG path between ``lo`` and ``hi`` over the epochs where both are drawable."""
    px, p_lo, ok_lo = _to_pixels(geo, x, lo)
    _, p_hi, ok_hi = _to_pixels(geo, x, hi)
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
