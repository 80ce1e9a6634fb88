"""``TrainingExplorer``: the controls, the runs they start and the look-ahead, on the kernel's event loop.

Training is an ``asyncio`` task (no threads of its own): it drives the
engine's ``trainer.epochs_iter()`` in chunks of about ``chunk_seconds``,
redraws, then ``await asyncio.sleep(0)`` so the kernel can take the next
slider message; a change cancels the running task and starts a new one.
While the learner looks at a finished curve, the settings one λ step up and
one down train in short slices (``look_ahead=True``, :mod:`.ahead`); moving
there shows the complete curve at once, or goes on from the epoch it had reached::

    explorer = TrainingExplorer(regularization="l2", weight_decay_lambda=0.1)
    explorer.controls["weight_decay_lambda"].value = 0.2   # same as moving the slider
    history = await explorer.wait()                        # asyncio.run(explorer.wait()) outside a notebook

ipykernel 7 may handle a widget message on a subshell thread with an event
loop of its own; the change is then handed to the loop the explorer's tasks
run on (``call_soon_threadsafe``), so two runs never train at once.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import numbers
import time
import weakref
from typing import Any, Iterable, Sequence

import ipywidgets as widgets
import numpy as np

from common._validation import check_bool, is_bool
from common.trainer import History
from course.experiments import lecture_data
from course.i18n import t

from . import panel
from .drawing import Plot
from .ahead import LookAhead
from .runs import MAX_PINS, Pin, Run, build_trainer, neighbours, next_epochs, proximal, run_key, snapshot
from .settings import (
    DEFAULT_SHOW, DEFAULTS, EVALUATIONS, N_TEST, SETTINGS, Refused, allowed, check_setting, label, summary,
)

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
        if is_bool(chunk_seconds) or not isinstance(chunk_seconds, numbers.Real) or not (
            0 < chunk_seconds <= 10
        ):
            raise ValueError(f"chunk_seconds must be a number in (0, 10], got {chunk_seconds!r}")
        self.chunk_seconds = float(chunk_seconds)
        if evaluation not in EVALUATIONS:
            raise ValueError(f"evaluation must be one of {EVALUATIONS}, got {evaluation!r}")
        self.evaluation = evaluation
        self.look_ahead = check_bool(look_ahead, "look_ahead")
        self._shown = frozenset(show)  # the look-ahead follows the λ slider only where it is shown

        self.history: History | None = None
        self.runs: Any = None
        self._pins: list[Pin] = []
        self._pin_numbers = itertools.count(1)
        self._run_numbers = itertools.count(1)
        self._run: Run | None = None
        self._task: asyncio.Task | None = None
        self._pending = True
        self._holding = 0
        self._changed_while_holding = False
        self._explicit: set[str] = set()
        self._data_cache: dict[int, tuple] = {}
        self._look = LookAhead(self._build)  # finished runs by settings, and the run trained ahead
        self._home_loop: asyncio.AbstractEventLoop | None = None  # where runs and the look-ahead are tasks
        self._lambda_step = 1  # the direction of the last λ move
        self.last_timing: dict[str, float] = {}
        self.last_redraw_seconds = 0.0

        self.controls: dict[str, widgets.ValueWidget] = {
            name: panel.make_control(name, values[name], regularization=values["regularization"]) for name in SETTINGS
        }
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

        self._plot = Plot(epochs=values["epochs"], n_seeds=values["n_seeds"])
        self.image, self.curves, self.plot = self._plot.image, self._plot.curves, self._plot.widget
        self.status = widgets.HTML(layout=widgets.Layout(min_height="2.6em"))
        self.pins_view = widgets.HTML()
        self.pin_button = widgets.Button(description=t("explorer.button.pin"), tooltip=t("explorer.tip.pin"),
                                         layout=widgets.Layout(width="auto"))
        self.clear_button = widgets.Button(description=t("explorer.button.clear_pins"),
                                           tooltip=t("explorer.tip.clear_pins"), layout=widgets.Layout(width="auto"))
        self.pin_button.on_click(lambda _: self._guarded(self.pin))
        self.clear_button.on_click(lambda _: self._guarded(self.clear_pins))
        self._draw_background()
        self._draw_live(None)
        self._show_pins()
        self._set_status(panel.grey(t("explorer.status.waiting")), "waiting")
        self.widget = panel.layout(title, [panel.displayed(name, self.controls[name]) for name in show],
                                   buttons=[self.pin_button, self.clear_button], status=self.status,
                                   plot=self.plot, pins_view=self.pins_view)
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
            raise Refused(t("explorer.refused.nothing_to_pin"))
        histories = tuple(run.histories if run.finished else (snapshot(h) for h in run.histories))
        number = next(self._pin_numbers)
        pin = Pin(number=number, label=summary(run.settings), settings=dict(run.settings),
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
        return {key: value.copy() for key, value in self._plot.drawn.items()}

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
        elif change["owner"] is self.controls["regularization"]:  # "weight decay" is L2's name for λ only
            self.controls["weight_decay_lambda"].description = label("weight_decay_lambda", change["new"])
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
        for old in (self._task, self._look.task):
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
        self._look.drop()
        task = self._task
        if task is None or task.done():
            return
        try:
            task.cancel()
        except RuntimeError:  # its loop is closed
            return
        self._pending = True  # wait() or the next change starts it again
        self._set_status(panel.grey(t("explorer.status.paused")), "paused")

    def _data(self, n_train: int) -> tuple:
        if n_train not in self._data_cache:
            self._data_cache[n_train] = lecture_data(n_train, N_TEST)
        return self._data_cache[n_train]

    def _build(self, s: dict[str, Any], seed: int) -> Any:
        """The engine's trainer for settings ``s`` and one seed (:func:`course.explorer.runs.build_trainer`)."""
        return build_trainer(s, seed, self._data(s["n_train"]), self.evaluation)

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
        run = self._run = Run(next(self._run_numbers), s, requested)
        iterators: list[Any] = []
        try:
            self._draw_live(run)  # the old curves vanish at once, even if the first epoch takes long
            self._status_for(run)
            seeds = [s["seed"] + i for i in range(s["n_seeds"])]
            for name, value in s.items():
                try:
                    check_setting(name, value)  # e.g. a slider whose range was changed from Python
                except ValueError:
                    raise Refused(t("explorer.refused.setting", setting=label(name, s["regularization"]),
                                    value=repr(value), allowed=allowed(name))) from None
            key = run_key(s)
            ready = self._look.take_ready(key)
            if ready is not None:  # trained ahead while the learner looked (or earlier): drawn complete at once
                self._look.drop()
                run.histories = list(ready)
                run.finished = True
                self._finish(run)
                self._redraw(run, timing, requested)
                timing["total"] = time.perf_counter() - requested
                timing["ready"] = 1
                self._start_look_ahead(s)
                return
            t0 = time.perf_counter()
            ahead = self._look.take(key)
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
            # filled in here with the term that step minimizes, λ·Σ|W|
            l1_lam = s["weight_decay_lambda"] if proximal(s) else None
            budget = 0.0  # the first chunk is one epoch (of each seed), so the first points appear at once
            while active:
                t0 = time.perf_counter()
                chunk_end = t0 + budget
                while active:
                    for i, why in next_epochs(trainers, iterators, active, l1_lam).items():
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
                        self._look.remember(key, run.histories)
                        self._start_look_ahead(s)
                    break
                # at least 5× the redraw time per chunk: drawing never costs more than ~1/6 of the time
                budget = max(self.chunk_seconds, 5 * self.last_redraw_seconds)
                await asyncio.sleep(0)  # let the kernel handle widget messages (maybe a new change)
            timing["total"] = time.perf_counter() - requested
        except Refused as exc:
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
        """λ one step up and one down (the direction of the last move first); none where λ is not shown."""
        if "weight_decay_lambda" not in self._shown:
            return []
        return neighbours(s, self._lambda_step)

    def _start_look_ahead(self, s: dict[str, Any]) -> None:
        if self.look_ahead:
            self._look.start(lambda: self._neighbours(s))

    def _finish(self, run: Run) -> None:
        """Publish a finished run: ``history`` (first seed) and ``runs`` (all seeds, as ``SeedRuns``)."""
        self.history = run.histories[0]
        by_seed = {h.settings["seed"]: h for h in run.histories}
        from course.seeds import run_seeds  # the seeds trained here, interleaved; run_seeds only collects them

        self.runs = run_seeds(lambda seed: by_seed[seed], list(by_seed))

    def _redraw(self, run: Run, timing: dict[str, Any], requested: float) -> None:
        t0 = time.perf_counter()
        self._draw_live(run)
        self._status_for(run)
        now = time.perf_counter()
        self.last_redraw_seconds = now - t0
        timing["draw"] += now - t0
        timing["redraws"] += 1
        timing.setdefault("first_draw", now - requested)

    # -- what the learner sees -------------------------------------------------------
    def _set_status(self, text: str, state: str) -> None:
        self.status.value = panel.status_box(text, state)

    def _show_error(self, exc: BaseException, training: bool = True) -> None:
        """A refusal or error in red in the status line (see :func:`course.explorer.panel.error_html`)."""
        self._set_status(panel.error_html(exc, training), "error")

    def _status_for(self, run: Run) -> None:
        self._set_status(*panel.status_html(run, self._pins))

    def _show_pins(self, dropped: Sequence[Pin] = ()) -> None:
        self.pins_view.value = panel.pins_html(self._pins, dropped)

    def _draw_background(self) -> None:
        self._plot.draw_background(self._pins)

    def _draw_live(self, run: Run | None) -> None:
        self._plot.draw_live(run, self._pins)
