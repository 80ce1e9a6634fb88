"""Tests for course.explorer.TrainingExplorer, without a browser or a kernel.

The explorer trains on the running asyncio loop; here each test drives it with
``asyncio.run``.  Small settings (a few epochs on 100 digits) keep the file fast.
"""

from __future__ import annotations

import asyncio
import html
import re
import warnings

import numpy as np
import pytest

from common.optimizer import OPTIMIZERS
from common.regularizers import REGULARIZERS, Regularizer, l1_penalty, l2_penalty, lasso, ridge
from course.experiments import train_lecture_net
from course.explorer import (
    CURVE_KEYS, DEFAULT_SHOW, DEFAULTS, LAMBDA_OPTIONS, LAMBDAS, LEARNING_RATES, MAX_PINS, SETTINGS,
    TrainingExplorer, lambda_label, optimizer_choices, regularization_choices,
)
from course.explorer import ahead as ahead_module
from course.explorer import drawing, runs
from course.i18n import set_language, t
from course.i18n.locale_en import MESSAGES as EN
from course.i18n.locale_ja import MESSAGES as JA

SMALL = dict(epochs=5, n_train=100)
TINY = dict(epochs=4, n_train=100, hidden_layers=2, hidden_size=50)
RED = "color:#c00"


def run(coro):
    """``asyncio.run`` that also fails the test if any task error was only logged by the loop."""
    errors = []

    async def main():
        asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))
        return await coro

    result = asyncio.run(main())
    assert errors == [], errors
    return result


def state(explorer: TrainingExplorer) -> str:
    """The status line's state marker: waiting / training / done / error."""
    return re.search(r"data-state='(\w+)'", explorer.status.value).group(1)


def svg_attr(explorer: TrainingExplorer, name: str) -> str:
    return re.search(rf"data-{name}='([^']*)'", explorer.curves.value).group(1)


def assert_curves_match(explorer: TrainingExplorer, history) -> None:
    """The live curves are the history's own numbers: accuracies, both data losses and the penalty."""
    data = explorer.curve_data()
    np.testing.assert_array_equal(data["epoch"], history.epoch)
    for key in CURVE_KEYS:
        np.testing.assert_array_equal(data[key], np.asarray(getattr(history, key), dtype=float), err_msg=key)


def assert_settings_recorded(history, expected: dict) -> None:
    assert {name: history.settings[name] for name in SETTINGS} == expected


# -- construction and validation ---------------------------------------------------


def test_defaults_are_the_lecture():
    assert DEFAULTS == {
        "regularization": "none", "weight_decay_lambda": 0.0, "l1_update": "subgradient", "use_dropout": False,
        "dropout_ratio": 0.15, "dropout_inverted": True, "optimizer": "SGD", "lr": 0.01, "n_train": 300,
        "epochs": 201, "seed": 0, "n_seeds": 1, "hidden_layers": 6, "hidden_size": 100,
        "augment_shift": 0, "augment_rotation": 0.0, "augment_noise": 0.0,
    }
    explorer = TrainingExplorer()  # no loop running: nothing trains yet
    assert explorer.settings() == DEFAULTS
    assert list(explorer.controls) == list(SETTINGS)
    assert explorer.history is None and explorer.pinned == []
    assert state(explorer) == "waiting"


def test_initial_run_records_the_defaults_and_draws_them():
    explorer = TrainingExplorer(**SMALL)
    expected = {**DEFAULTS, **SMALL}
    assert explorer.history is None  # pending until a loop runs it
    history = run(explorer.wait())
    assert history is explorer.history
    assert history.epoch == [1, 2, 3, 4, 5]
    assert_settings_recorded(history, expected)
    assert history.settings["hidden_size_list"] == [100] * 6
    assert "augment" not in history.settings  # augmentation off: no augmenter at all
    assert_curves_match(explorer, history)
    assert state(explorer) == "done" and "epoch 5/5" in explorer.status.value
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg_attr(explorer, "points") == "5" and svg_attr(explorer, "done") == "1"
    assert set(explorer.last_timing) >= {"first_draw", "total", "train", "draw", "redraws"}
    assert 0 < explorer.last_timing["first_draw"] <= explorer.last_timing["total"]
    assert [h.settings["seed"] for h in explorer.runs] == [0]


@pytest.mark.parametrize("evaluation", ["exact", "incremental"])
def test_same_code_path_and_seeding_as_train_lecture_net(evaluation):
    explorer = TrainingExplorer(**{**TINY, "epochs": 12}, seed=3, use_dropout=True, evaluation=evaluation)
    history = run(explorer.wait())
    reference = train_lecture_net(
        regularization="none", use_dropout=True, seed=3, epochs=12, n_train=100, hidden_size_list=[50, 50]
    )
    assert history.settings["evaluation"] == evaluation
    for key in ("train_acc", "test_acc", "train_loss", "penalty"):  # training and accuracies: identical
        assert getattr(history, key) == getattr(reference, key), key
    # the losses of the evaluation digits: identical when exact, float32 rounding apart when incremental
    for key in ("train_data_loss", "test_loss"):
        if evaluation == "exact":
            assert getattr(history, key) == getattr(reference, key), key
        else:
            np.testing.assert_allclose(getattr(history, key), getattr(reference, key), rtol=1e-5, err_msg=key)


def test_unknown_default_key_is_refused_with_the_allowed_names():
    with pytest.raises(ValueError, match="weight_decay") as info:
        TrainingExplorer(weight_decay=0.1)
    for name in SETTINGS:
        assert name in str(info.value)


@pytest.mark.parametrize(
    "name, value",
    [
        ("regularization", "l3"), ("regularization", None), ("weight_decay_lambda", 0.05),
        ("weight_decay_lambda", -0.1), ("use_dropout", 1), ("dropout_ratio", 0.99),
        ("dropout_ratio", float("nan")), ("n_train", 150), ("n_train", 300.5), ("epochs", 0),
        ("epochs", 5.5), ("epochs", True), ("seed", -1), ("lr", 1.0), ("lr", "0.01"),
        ("hidden_layers", 9), ("hidden_size", 5), ("augment_shift", 5), ("augment_rotation", 45),
        ("augment_noise", 1.0), ("optimizer", "LBFGS"), ("optimizer", 1), ("l1_update", "ista"),
        ("dropout_inverted", "yes"), ("n_seeds", 0), ("n_seeds", 6),
    ],
)
def test_bad_default_values_are_refused_naming_the_setting(name, value):
    with pytest.raises(ValueError, match=name):
        TrainingExplorer(**{name: value})


def test_choices_are_case_insensitive_and_come_back_spelled_as_listed():
    explorer = TrainingExplorer(optimizer="adamw", regularization="L1", l1_update="PROXIMAL")
    assert explorer.settings()["optimizer"] == "AdamW"
    assert explorer.settings()["regularization"] == "l1" and explorer.settings()["l1_update"] == "proximal"


def test_bad_show_and_chunk_seconds_are_refused():
    with pytest.raises(ValueError, match="lambda"):
        TrainingExplorer(show=["lambda"])
    with pytest.raises(ValueError, match="chunk_seconds"):
        TrainingExplorer(chunk_seconds=0)
    with pytest.raises(ValueError, match="evaluation"):
        TrainingExplorer(evaluation="approximate")


def test_the_evaluation_is_passed_to_the_engine():
    explorer = TrainingExplorer(regularization="l2", weight_decay_lambda=0.1, **TINY)
    assert explorer.evaluation == "incremental"  # the default: less work, same accuracies
    assert run(explorer.wait()).settings["evaluation"] == "incremental"
    exact = TrainingExplorer(evaluation="exact", regularization="l2", weight_decay_lambda=0.1, **TINY)
    assert run(exact.wait()).settings["evaluation"] == "exact"


def test_all_sliders_update_only_on_release():
    explorer = TrainingExplorer()
    sliders = [c for c in explorer.controls.values() if hasattr(c, "continuous_update")]
    assert len(sliders) >= 11
    assert all(c.continuous_update is False for c in sliders)


def test_the_lectures_lambdas_and_learning_rates_are_reachable():
    explorer = TrainingExplorer()
    lam = explorer.controls["weight_decay_lambda"]
    options = [value for _, value in lam.options]
    assert options == list(LAMBDA_OPTIONS) == sorted(options) and options[0] == 0.0
    assert set(LAMBDAS) <= set(LAMBDA_OPTIONS)
    assert lam.value == 0.0 and lam.label == "0"
    for value, text in ((0.004, "0.004"), (0.005, "0.005"), (0.1, "0.1"), (0.2, "0.2"), (0.0, "0")):
        lam.value = value  # what the slider sends
        assert lam.label == text
    lr = explorer.controls["lr"]
    assert {0.01, 0.1} <= {value for _, value in lr.options} == set(LEARNING_RATES)
    assert lr.value == 0.01
    menu = explorer.controls["optimizer"]
    assert [value for _, value in menu.options] == [cls.__name__ for cls in OPTIMIZERS.values()]
    assert {"SGD", "Momentum", "AdaGrad", "Adam", "AdamW"} <= set(optimizer_choices())


def test_show_hides_controls_but_keeps_them_and_their_defaults():
    explorer = TrainingExplorer(show=["lr", "seed", "optimizer"], title="Learning rate", **TINY)
    shown = set()

    def walk(widget):
        shown.add(widget)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(explorer.widget)
    visible = ("lr", "seed", "optimizer")
    assert all(explorer.controls[name] in shown for name in visible)
    for name in SETTINGS:
        if name not in visible:
            assert explorer.controls[name] not in shown, name
    for part in (explorer.status, explorer.image, explorer.curves, explorer.pin_button, explorer.clear_button,
                 explorer.pins_view):
        assert part in shown
    assert set(explorer.controls) == set(SETTINGS)
    history = run(explorer.wait())
    assert_settings_recorded(history, {**DEFAULTS, **TINY})
    everything = TrainingExplorer(show="all")
    walk(everything.widget)
    assert all(everything.controls[name] in shown for name in SETTINGS)
    default = TrainingExplorer()
    walk(default.widget)
    assert all(default.controls[name] in shown for name in DEFAULT_SHOW)


def test_displays_as_its_widget():
    explorer = TrainingExplorer()
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def test_css_classes_for_the_browser_test():
    explorer = TrainingExplorer()
    assert "training-explorer" in explorer.widget._dom_classes
    assert "explorer-status" in explorer.status._dom_classes
    assert "explorer-live" in explorer.curves._dom_classes
    assert "explorer-pins" in explorer.pins_view._dom_classes
    assert "explorer-pin" in explorer.pin_button._dom_classes
    assert "explorer-clear-pins" in explorer.clear_button._dom_classes


# -- the live curves -------------------------------------------------------------------


def test_loss_panel_compares_like_with_like():
    explorer = TrainingExplorer(regularization="l2", weight_decay_lambda=0.1, **TINY)
    history = run(explorer.wait())
    data = explorer.curve_data()
    assert_curves_match(explorer, history)
    # the training curve is the data loss (not the objective with the penalty) ...
    assert not np.allclose(data["train_data_loss"], history.train_loss)
    # ... and the penalty is its own line: ½·λ·ΣW² > 0 here
    assert np.all(data["penalty"] > 0)
    assert "data-key='penalty'" in explorer.curves.value and "data-key='train_data_loss'" in explorer.curves.value
    plain = TrainingExplorer(**TINY)
    run(plain.wait())
    assert np.all(plain.curve_data()["penalty"] == 0)
    assert "data-key='penalty'" not in plain.curves.value  # 0 has no place on a log axis: no line


def test_svg_points_lie_inside_their_axes():
    explorer = TrainingExplorer(**TINY)
    run(explorer.wait())
    svg = explorer.curves.value
    boxes = [tuple(map(float, m)) for m in re.findall(
        r"<rect x='([\d.]+)' y='([\d.]+)' width='([\d.]+)' height='([\d.]+)'/>", svg)]
    assert len(boxes) == 2
    for key, (x, y, w, h) in (("test_acc", boxes[0]), ("train_data_loss", boxes[1])):
        d = re.search(rf"<path d='([^']*)' [^>]*data-key='{key}'", svg).group(1)
        points = np.array(re.findall(r"[ML]([\d.]+) ([\d.]+)", d), dtype=float)
        assert len(points) == 4
        tol = 0.11  # both are rounded to 0.1 px
        assert np.all((x - tol <= points[:, 0]) & (points[:, 0] <= x + w + tol)), key
        assert np.all((y - tol <= points[:, 1]) & (points[:, 1] <= y + h + tol)), key
        assert points[-1, 0] == pytest.approx(x + w * 4 / TINY["epochs"], abs=tol)  # the 4th epoch at the right end
        assert np.all(np.diff(points[:, 0]) > 0)  # epochs left to right


def test_lines_break_at_missing_values():
    geo = {"box": (10.0, 5.0, 100.0, 50.0), "xlim": (0.0, 10.0), "ylim": (0.01, 10.0), "log": True}
    d = drawing.line_path(geo, np.arange(1.0, 6.0), np.array([1.0, np.nan, 0.1, 0.0, 2.0]))
    assert d.count("M") == 3 and d.count("L") == 0  # three lone points: nothing joins across a gap
    assert drawing.line_path(geo, np.array([]), np.array([])) == ""


# -- re-training on changes -----------------------------------------------------------


def test_changing_lambda_retrains_with_it():
    explorer = TrainingExplorer(regularization="l2", **TINY)
    first = run(explorer.wait())
    svg_before = explorer.curves.value
    explorer.controls["weight_decay_lambda"].value = 0.1  # as if the learner moved the slider
    second = run(explorer.wait())
    assert second is not first and explorer.history is second
    assert second.settings["weight_decay_lambda"] == 0.1
    assert first.settings["weight_decay_lambda"] == 0.0
    assert second.train_loss != first.train_loss  # the penalty is in the training loss
    assert second.weight_norm[-1] < first.weight_norm[-1]  # weight decay shrinks the weights
    assert_curves_match(explorer, second)
    assert explorer.curves.value != svg_before
    assert int(svg_attr(explorer, "run")) == 2


def test_changes_inside_a_running_loop_start_training_at_once():
    async def scenario():
        explorer = TrainingExplorer(chunk_seconds=10, **TINY)  # created in a loop: the task starts
        await asyncio.sleep(0)  # one step of the task: clear, build, ONE epoch, draw
        first_points = explorer.curve_data()["epoch"].tolist()
        status = explorer.status.value
        await explorer.wait()
        return explorer, first_points, status

    explorer, first_points, status = run(scenario())
    assert first_points == [1.0]  # the first chunk is a single epoch: points appear at once
    assert "data-state='training'" in status and "epoch 1/4" in status
    assert explorer.history.epoch == [1, 2, 3, 4]


def test_ten_rapid_changes_end_with_the_last_values_and_no_stale_curve():
    async def scenario():
        explorer = TrainingExplorer(chunk_seconds=0.001, regularization="l2", **{**TINY, "epochs": 12}, seed=1)
        draws, stale = [], []
        original = explorer._redraw

        def spy(run_, timing, requested):
            draws.append((dict(run_.settings), run_.epochs_done(), run_.finished))
            if run_.settings != explorer.settings():  # a superseded run must never draw
                stale.append(run_.settings)
            original(run_, timing, requested)

        explorer._redraw = spy
        changes = [
            ("weight_decay_lambda", 0.01), ("seed", 2), ("weight_decay_lambda", 0.1), ("epochs", 16),
            ("use_dropout", True), ("dropout_ratio", 0.3), ("lr", 0.03), ("regularization", "l1"),
            ("n_seeds", 2), ("optimizer", "Momentum"), ("weight_decay_lambda", 0.003), ("epochs", 7),
        ]
        for i, (name, value) in enumerate(changes):
            explorer.controls[name].value = value
            for _ in range(i % 3):  # sometimes let the task run a chunk or two before the next change
                await asyncio.sleep(0)
        last = explorer.settings()
        history = await explorer.wait()
        return explorer, history, last, draws, stale

    explorer, history, last, draws, stale = run(scenario())
    assert last["epochs"] == 7 and last["regularization"] == "l1" and last["weight_decay_lambda"] == 0.003
    assert_settings_recorded(history, last)
    assert history.epoch == list(range(1, 8))
    assert [h.settings["seed"] for h in explorer.runs] == [2, 3]
    assert stale == []
    interrupted = [s for s, n, finished in draws if not finished and s != last]
    assert interrupted, "no run was ever cancelled mid-way: the test did not exercise cancellation"
    finished = [s for s, n, done in draws if done]
    assert finished[-1] == last and last not in finished[:-1]
    assert RED not in explorer.status.value and state(explorer) == "done"


def test_wait_follows_a_change_made_while_it_waits():
    async def scenario():
        explorer = TrainingExplorer(chunk_seconds=0.001, **{**TINY, "epochs": 20})
        waiter = asyncio.ensure_future(explorer.wait())
        await asyncio.sleep(0)  # the waiter is now waiting on the first run, which has begun
        await asyncio.sleep(0)
        assert not waiter.done()
        explorer.controls["seed"].value = 5  # cancels the run the waiter was waiting for
        history = await waiter
        return explorer, history

    explorer, history = run(scenario())
    assert history is explorer.history
    assert history.settings["seed"] == 5 and len(history.epoch) == 20


def test_a_new_explorer_pauses_the_one_still_training():
    """Running the explorer's cell again must not leave the old one training unseen next to the new one."""
    async def scenario():
        old = TrainingExplorer(chunk_seconds=0.001, **{**TINY, "epochs": 40})
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        new = TrainingExplorer(**TINY)  # e.g. the same cell run again
        await new.wait()
        paused = (old._task.done(), state(old), len(old._run.histories[0].epoch))
        resumed = await old.wait()  # waiting on it (or moving one of its controls) starts it again
        return paused, resumed, new

    (old_done, old_state, old_epochs), resumed, new = run(scenario())
    assert old_done and old_state == "paused" and old_epochs < 40
    assert len(resumed.epoch) == 40 and len(new.history.epoch) == 4


def _look_ahead_done(explorer):
    """Let the explorer train ahead until it has nothing left to do."""
    async def settle():
        while explorer._look.task is not None and not explorer._look.task.done():
            await asyncio.sleep(0.01)
    return settle()


def _fresh(settings):
    """The same run from an explorer that never trains ahead (the reference for the look-ahead)."""
    explorer = TrainingExplorer(look_ahead=False, **{k: v for k, v in settings.items() if k in SETTINGS})
    return run(explorer.wait())


def test_the_next_lambda_is_trained_ahead_and_drawn_at_once():
    """While the learner looks at a curve, λ one step up and one down train in the background:
    moving there shows the complete curve at once, and it is the run that moving there would train."""
    async def scenario():
        explorer = TrainingExplorer(**TINY)  # λ = 0, regularization 'none'
        await explorer.wait()
        await _look_ahead_done(explorer)
        ready = sorted(dict(key)["weight_decay_lambda"] for key in explorer._look.ready)
        explorer.controls["weight_decay_lambda"].value = LAMBDA_OPTIONS[1]
        history = await explorer.wait()
        return explorer, ready, history, dict(explorer.last_timing)

    explorer, ready, history, timing = run(scenario())
    assert ready == [0.0, LAMBDA_OPTIONS[1]]  # the run itself, and the only neighbour of λ = 0
    assert timing.get("ready") == 1 and timing["redraws"] == 1
    assert history.settings["regularization"] == "l2"  # as the slider makes it: λ > 0 turns 'none' into L2
    reference = _fresh(history.settings)
    assert history.test_acc == reference.test_acc and history.train_loss == reference.train_loss
    assert_curves_match(explorer, history)
    assert state(explorer) == "done"


def test_the_look_ahead_goes_on_in_the_direction_of_the_last_move(monkeypatch):
    monkeypatch.setattr(ahead_module, "LOOK_AHEAD_CHUNK", 1e-6)

    async def first_ahead(explorer):
        while explorer._look.ahead is None:
            await asyncio.sleep(0)
        return dict(explorer._look.ahead.key)["weight_decay_lambda"]

    async def scenario():
        explorer = TrainingExplorer(**{**TINY, "weight_decay_lambda": 0.1, "regularization": "l2"})
        await explorer.wait()
        up = await first_ahead(explorer)
        explorer.controls["weight_decay_lambda"].value = 0.03  # one step down
        await explorer.wait()
        down = await first_ahead(explorer)
        return up, down

    up, down = run(scenario())
    assert up == 0.2 and down == 0.01


def test_a_move_during_the_look_ahead_goes_on_from_where_it_got(monkeypatch):
    monkeypatch.setattr(ahead_module, "LOOK_AHEAD_CHUNK", 1e-6)  # about one epoch between two looks

    async def scenario():
        explorer = TrainingExplorer(**{**TINY, "epochs": 60, "weight_decay_lambda": 0.1, "regularization": "l2"})
        await explorer.wait()
        while (explorer._look.ahead is None or dict(explorer._look.ahead.key)["weight_decay_lambda"] != 0.2
               or not explorer._look.ahead.trainers[0].history.epoch):
            await asyncio.sleep(0)  # the look-ahead has begun the next λ (0.2)
        explorer.controls["weight_decay_lambda"].value = 0.2
        history = await explorer.wait()
        return explorer, history, dict(explorer.last_timing)

    explorer, history, timing = run(scenario())
    assert 0 < timing["ahead_epochs"] < 60 and "ready" not in timing
    assert len(history.epoch) == 60
    reference = _fresh(history.settings)
    assert history.test_acc == reference.test_acc and history.weight_norm == reference.weight_norm


def test_another_change_drops_the_look_ahead_and_look_ahead_false_never_starts_it(monkeypatch):
    monkeypatch.setattr(ahead_module, "LOOK_AHEAD_CHUNK", 1e-6)

    async def scenario():
        explorer = TrainingExplorer(**{**TINY, "epochs": 60})
        await explorer.wait()
        while explorer._look.ahead is None or not explorer._look.ahead.trainers[0].history.epoch:
            assert not explorer._look.task.done()
            await asyncio.sleep(0)
        ahead = explorer._look.ahead
        explorer.controls["seed"].value = 3  # not a neighbour: the half-trained one is closed
        history = await explorer.wait()
        quiet = TrainingExplorer(look_ahead=False, **TINY)
        await quiet.wait()
        no_slider = TrainingExplorer(show=["n_train", "seed"], **TINY)  # λ not shown: nothing to look ahead to
        await no_slider.wait()
        await asyncio.sleep(0.2)
        return explorer, ahead, history, quiet, no_slider

    explorer, ahead, history, quiet, no_slider = run(scenario())
    assert no_slider._look.ahead is None and len(no_slider._look.ready) == 1
    assert "ahead_epochs" not in explorer.last_timing and history.settings["seed"] == 3
    assert all(it.gi_frame is None for it in ahead.iterators)  # closed generators
    assert quiet._look.task is None and quiet._look.ahead is None and len(quiet._look.ready) == 1
    with pytest.raises(TypeError, match="look_ahead"):
        TrainingExplorer(look_ahead="yes")


def test_a_change_handled_on_another_thread_runs_on_the_explorers_own_loop(monkeypatch):
    """ipykernel 7 handles widget messages on subshell threads with event loops of their own; the run must
    still start on the explorer's loop, where a look-ahead generator may be executing at that moment."""
    import threading

    monkeypatch.setattr(ahead_module, "LOOK_AHEAD_CHUNK", 1e-6)
    threads = []
    original = TrainingExplorer._train

    async def traced(self, s, requested):
        threads.append(threading.current_thread().name)
        return await original(self, s, requested)

    monkeypatch.setattr(TrainingExplorer, "_train", traced)

    async def scenario():
        explorer = TrainingExplorer(**{**TINY, "epochs": 60})
        await explorer.wait()
        while explorer._look.ahead is None or not explorer._look.ahead.trainers[0].history.epoch:
            await asyncio.sleep(0)  # the look-ahead is part-way through λ one step up

        async def move():  # what a subshell does with the slider's message
            explorer.controls["weight_decay_lambda"].value = LAMBDA_OPTIONS[1]

        subshell = threading.Thread(target=lambda: asyncio.run(move()), name="subshell")
        subshell.start()
        while subshell.is_alive():
            await asyncio.sleep(0)  # this loop keeps training ahead meanwhile
        await asyncio.sleep(0.01)
        return explorer, await explorer.wait()

    explorer, history = run(scenario())
    assert threads == [threading.main_thread().name] * 2
    assert history.settings["weight_decay_lambda"] == LAMBDA_OPTIONS[1] and len(history.epoch) == 60
    assert explorer.last_timing.get("ahead_epochs", 0) > 0 or explorer.last_timing.get("ready") == 1
    assert state(explorer) == "done"


def test_set_changes_several_controls_with_one_restart():
    async def scenario():
        explorer = TrainingExplorer(**TINY)
        await explorer.wait()
        builds = []  # one entry per restart (each restart creates one _run_task coroutine)
        original = explorer._run_task
        explorer._run_task = lambda s, requested: builds.append(s) or original(s, requested)
        explorer.set(regularization="l2", weight_decay_lambda=0.2, use_dropout=True)
        history = await explorer.wait()
        return explorer, history, builds

    explorer, history, builds = run(scenario())
    assert len(builds) == 1
    assert history.settings["regularization"] == "l2"
    assert history.settings["weight_decay_lambda"] == 0.2
    assert history.settings["use_dropout"] is True
    with pytest.raises(ValueError, match="weight_decay_lambda"):
        explorer.set(weight_decay_lambda=0.05)
    assert explorer.controls["weight_decay_lambda"].value == 0.2


def test_moving_a_control_makes_it_take_effect():
    async def scenario():
        explorer = TrainingExplorer(**TINY)  # the lecture: regularization 'none', no dropout
        plain = await explorer.wait()
        starts = []
        original = explorer._run_task
        explorer._run_task = lambda s, requested: starts.append(s) or original(s, requested)
        explorer.controls["weight_decay_lambda"].value = 0.1  # a learner moves λ ...
        with_l2 = await explorer.wait()
        explorer.controls["dropout_ratio"].value = 0.3  # ... then the dropout ratio
        with_dropout = await explorer.wait()
        explorer.controls["l1_update"].value = "proximal"  # ... then the L1 update
        with_l1 = await explorer.wait()
        return explorer, plain, with_l2, with_dropout, with_l1, starts

    explorer, plain, with_l2, with_dropout, with_l1, starts = run(scenario())
    assert len(starts) == 3  # the switched partner control did not cause an extra restart
    assert with_l2.settings["regularization"] == "l2" and with_l2.settings["weight_decay_lambda"] == 0.1
    assert with_l2.train_loss != plain.train_loss  # ... so the λ slider is never a no-op
    assert with_dropout.settings["use_dropout"] is True and with_dropout.settings["dropout_ratio"] == 0.3
    assert with_dropout.train_loss != with_l2.train_loss
    assert with_l1.settings["regularization"] == "l1" and with_l1.settings["l1_update"] == "proximal"
    assert "no effect" not in explorer.status.value


def test_lambda_without_regularization_is_kept_when_asked_for_and_pointed_out():
    explorer = TrainingExplorer(weight_decay_lambda=0.1, **TINY)
    history = run(explorer.wait())
    assert history.settings["regularization"] == "none"
    assert t("explorer.note.lambda_no_effect") in html.unescape(explorer.status.value)
    explorer.set(regularization="none", weight_decay_lambda=0.2)  # explicit: not switched to L2
    history = run(explorer.wait())
    assert history.settings["regularization"] == "none" and history.settings["weight_decay_lambda"] == 0.2
    assert "no effect" in explorer.status.value


# -- every lever ---------------------------------------------------------------------


def _weights(history):
    return [w for key, w in history.network.params.items() if key.startswith("W")]


@pytest.mark.parametrize("name", ["Momentum", "AdaGrad", "RMSprop", "Adam"])
def test_the_optimizer_lever_trains_with_that_optimizer(name):
    explorer = TrainingExplorer(**TINY)
    sgd = run(explorer.wait())
    explorer.controls["optimizer"].value = name
    history = run(explorer.wait())
    assert history.settings["optimizer"] == name
    assert history.train_loss != sgd.train_loss
    if name == "Adam":
        assert history.settings["beta1"] == 0.9  # the optimizer's own settings: Adam really ran


def test_the_optimizer_menu_is_the_registry_with_the_catalogues_words():
    explorer = TrainingExplorer(show="all")
    menu = explorer.controls["optimizer"]
    assert [value for _, value in menu.options] == list(optimizer_choices())
    assert len(menu.options) == len(OPTIMIZERS)
    assert dict((value, text) for text, value in menu.options)["AdamW"] == EN["explorer.optimizer.adamw"]
    set_language("ja")
    menu = TrainingExplorer().controls["optimizer"]
    assert dict((value, text) for text, value in menu.options)["SGDW"] == "SGDW（分離型の荷重減衰）"


def test_sgdw_takes_l2s_lambda_as_its_decoupled_weight_decay_and_matches_l2():
    """With SGD, decoupled weight decay and an L2 term in the loss are the same update (up to rounding)."""
    explorer = TrainingExplorer(optimizer="SGDW", regularization="l2", weight_decay_lambda=0.1, **TINY)
    sgdw = run(explorer.wait())
    assert sgdw.settings["optimizer"] == "SGDW" and sgdw.settings["weight_decay"] == 0.1
    assert all(p == 0 for p in sgdw.penalty)  # decoupled: no penalty term in the loss
    assert "SGDW" in explorer.status.value
    explorer.set(optimizer="SGD")
    l2 = run(explorer.wait())
    assert all(p > 0 for p in l2.penalty)
    np.testing.assert_allclose(sgdw.train_data_loss, l2.train_data_loss, rtol=1e-4)
    np.testing.assert_allclose(sgdw.weight_norm, l2.weight_norm, rtol=1e-4)


def test_adamw_takes_l2s_lambda_as_its_decoupled_weight_decay():
    explorer = TrainingExplorer(optimizer="AdamW", regularization="l2", weight_decay_lambda=0.1, lr=0.001, **TINY)
    history = run(explorer.wait())
    assert history.settings["optimizer"] == "AdamW" and history.settings["weight_decay"] == 0.1
    assert history.settings["weight_decay_lambda"] == 0.1 and history.settings["regularization"] == "l2"
    assert all(p == 0 for p in history.penalty)  # decoupled: no penalty term in the loss
    assert "AdamW" in explorer.status.value
    explorer.set(regularization="none")
    plain = run(explorer.wait())
    assert plain.settings["weight_decay"] == 0.0
    assert plain.weight_norm[-1] > history.weight_norm[-1]


def test_the_proximal_l1_update_lands_weights_on_zero_and_draws_its_penalty():
    explorer = TrainingExplorer(regularization="l1", weight_decay_lambda=0.1, lr=0.1, **TINY)
    subgradient = run(explorer.wait())
    explorer.controls["l1_update"].value = "proximal"
    proximal = run(explorer.wait())
    assert proximal.settings["l1_update"] == "proximal" and subgradient.settings["l1_update"] == "subgradient"
    exact_zeros = [sum(int(np.sum(w == 0)) for w in _weights(h)) for h in (subgradient, proximal)]
    assert exact_zeros[0] == 0 < exact_zeros[1]  # the proximal step stops at 0; λ·sign(W) hovers around it
    # the network has no penalty term here (the optimizer applies λ); the line shows λ·Σ|W|
    expected = 0.1 * sum(float(np.abs(w).sum(dtype=np.float64)) for w in _weights(proximal))
    assert proximal.penalty[-1] == pytest.approx(expected, rel=1e-6)
    np.testing.assert_array_equal(explorer.curve_data()["penalty"], proximal.penalty)
    assert all(p > 0 for p in proximal.penalty)


def test_the_proximal_step_with_another_optimizer_is_refused_visibly():
    explorer = TrainingExplorer(regularization="l1", weight_decay_lambda=0.01, l1_update="proximal",
                                optimizer="Adam", **TINY)
    history = run(explorer.wait())  # must not raise
    assert history is None
    assert state(explorer) == "error" and RED in explorer.status.value
    assert "SGD" in explorer.status.value and "Adam" in explorer.status.value
    explorer.controls["optimizer"].value = "SGD"
    history = run(explorer.wait())
    assert history.settings["l1_update"] == "proximal" and state(explorer) == "done"
    explorer.controls["optimizer"].value = "AdaGrad"  # refused again: wait() returns no stale history
    assert run(explorer.wait()) is None and state(explorer) == "error"
    assert explorer.history is history  # the last run that did finish


def test_the_dropout_scaling_lever_builds_the_lectures_class():
    explorer = TrainingExplorer(use_dropout=True, **TINY)
    inverted = run(explorer.wait())
    explorer.controls["dropout_inverted"].value = False
    at_test_time = run(explorer.wait())
    assert inverted.settings["dropout_inverted"] is True and at_test_time.settings["dropout_inverted"] is False
    assert inverted.network.dropout_inverted is True and at_test_time.network.dropout_inverted is False
    assert at_test_time.train_loss != inverted.train_loss


def test_several_seeds_train_interleaved_and_draw_a_band():
    async def scenario():
        explorer = TrainingExplorer(n_seeds=3, seed=4, chunk_seconds=10, **TINY)
        await asyncio.sleep(0)  # the first chunk: one epoch of every seed
        first = [len(h.epoch) for h in explorer._run.histories]
        await explorer.wait()
        return explorer, first

    explorer, first = run(scenario())
    assert first == [1, 1, 1]  # interleaved epoch by epoch: the band exists from the first redraw
    runs = explorer.runs
    assert [h.settings["seed"] for h in runs] == [4, 5, 6] and len(runs) == 3
    assert explorer.history is runs[0]
    data = explorer.curve_data()
    for key in CURVE_KEYS:
        values = np.array([getattr(h, key) for h in runs], dtype=float)
        np.testing.assert_allclose(data[key], values.mean(axis=0), rtol=1e-12, err_msg=key)
        np.testing.assert_allclose(data[key + "_sd"], values.std(axis=0, ddof=1), rtol=1e-9, atol=1e-15,
                                   err_msg=key)
    assert np.all(data["test_acc_sd"] > 0)
    assert explorer.curves.value.count("fill-opacity") == 4  # train/test accuracy and both data losses
    assert "±" in explorer.status.value and "3" in explorer.status.value
    explorer.set(n_seeds=1)
    run(explorer.wait())
    assert "test_acc_sd" not in explorer.curve_data() and "fill-opacity" not in explorer.curves.value


def test_augmentation_controls_are_recorded_and_used():
    explorer = TrainingExplorer(show="all", **TINY)
    plain = run(explorer.wait())
    explorer.set(augment_shift=2, augment_rotation=10.0, augment_noise=0.1)
    history = run(explorer.wait())
    assert history.settings["augment_shift"] == 2
    assert history.settings["augment_rotation"] == 10.0
    assert history.settings["augment_noise"] == 0.1
    assert history.settings["augment"] == {"shift": 2, "rotation": 10.0, "noise_std": 0.1, "flip_p": 0.0}
    assert history.train_loss != plain.train_loss


# -- pins ------------------------------------------------------------------------------


def test_pin_keeps_the_run_as_a_reference_and_the_status_shows_the_difference():
    explorer = TrainingExplorer(regularization="l2", **TINY)
    first = run(explorer.wait())
    background = explorer.image.value
    pin = explorer.pin()
    assert explorer.pinned == [pin] and pin.number == 1 and pin.complete
    assert pin.history is first and pin.histories == (first,)
    assert pin.settings == {name: first.settings[name] for name in SETTINGS}
    assert pin.final()["test_acc"] == first.final()["test_acc"]
    assert explorer.image.value != background  # the faded curves are in the background now
    assert "data-pin='1'" in explorer.pins_view.value and "L2 λ=0" in explorer.pins_view.value
    assert "Δ vs pin 1" in explorer.status.value and "test +0.000 · gap +0.000" in explorer.status.value

    explorer.controls["weight_decay_lambda"].value = 0.2
    second = run(explorer.wait())
    d_test = second.final()["test_acc"] - first.final()["test_acc"]
    d_gap = second.final()["gap"] - first.final()["gap"]
    assert f"Δ vs pin 1 (epoch 4): test {d_test:+.3f} · gap {d_gap:+.3f}" in explorer.status.value
    assert explorer.pinned[0].history is first  # a pin does not follow the live run

    explorer.clear_pins()
    assert explorer.pinned == [] and explorer.pins_view.value == ""
    assert explorer.image.value == background  # same axes, no pins: the very same picture
    assert "Δ" not in explorer.status.value


def test_at_most_a_few_pins_the_oldest_goes_first():
    explorer = TrainingExplorer(**TINY)
    run(explorer.wait())
    for seed in range(1, MAX_PINS + 2):
        explorer.pin()
        explorer.controls["seed"].value = seed
        run(explorer.wait())
    assert [p.number for p in explorer.pinned] == list(range(2, MAX_PINS + 2))
    assert [p.settings["seed"] for p in explorer.pinned] == list(range(1, MAX_PINS + 1))
    assert "pin 1 removed" in explorer.pins_view.value


def test_pinning_a_run_that_is_still_training_keeps_it_as_far_as_it_got():
    async def scenario():
        explorer = TrainingExplorer(chunk_seconds=0.001, **{**TINY, "epochs": 30})
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        pin = explorer.pin()
        epochs = len(pin.history.epoch)
        await explorer.wait()
        return explorer, pin, epochs

    explorer, pin, epochs = run(scenario())
    assert 1 <= epochs < 30 and not pin.complete
    assert len(pin.history.epoch) == epochs  # a snapshot: it stopped growing
    assert len(explorer.history.epoch) == 30
    assert "stopped at epoch" in explorer.pins_view.value


def test_pins_of_several_seeds_compare_their_means():
    explorer = TrainingExplorer(n_seeds=2, **TINY)
    runs = run(explorer.wait()) and explorer.runs
    pin = explorer.pin()
    assert [h.settings["seed"] for h in pin.histories] == [0, 1]
    assert pin.final()["test_acc"] == pytest.approx(np.mean([h.final()["test_acc"] for h in runs]))
    assert "seeds 0–1" in pin.label


def test_the_pin_button_refuses_visibly_when_there_is_nothing_to_pin():
    explorer = TrainingExplorer(**TINY)  # not started: nothing drawn yet
    explorer.pin_button.click()  # must not raise into ipywidgets
    assert explorer.pinned == [] and state(explorer) == "error"
    assert t("explorer.refused.nothing_to_pin") in html.unescape(explorer.status.value)
    assert t("explorer.status.cannot_train") not in explorer.status.value  # about pinning, not training
    with pytest.raises(ValueError):
        explorer.pin()
    run(explorer.wait())
    explorer.pin_button.click()
    explorer.clear_button.click()
    assert len(explorer.pinned) == 0
    explorer.pin_button.click()
    assert len(explorer.pinned) == 1 and state(explorer) == "done"


# -- language ----------------------------------------------------------------------------


def test_japanese_labels_status_and_pins():
    set_language("ja")
    explorer = TrainingExplorer(show="all", regularization="l2", weight_decay_lambda=0.004, **TINY)
    assert explorer.controls["weight_decay_lambda"].description == "λ（荷重減衰）" == JA["explorer.lambda.l2"]
    assert explorer.controls["lr"].description == "学習率"
    assert explorer.pin_button.description == JA["explorer.button.pin"]
    reg = explorer.controls["regularization"]
    assert [label for label, _ in reg.options] == ["なし", "L2", "L1"]
    assert reg.tooltips[1] == JA["explorer.tip.choice.l2"]
    assert explorer.controls["dropout_inverted"].options[1][0] == JA["explorer.choice.test_time"]
    run(explorer.wait())
    assert "エポック 4/4" in explorer.status.value and JA["explorer.status.done"] in explorer.status.value
    assert re.search(r"ギャップ [+-]\d\.\d{3}", explorer.status.value) and "差 " not in explorer.status.value
    explorer.pin()
    assert "ピン 1" in explorer.pins_view.value and "ピン 1 との差" in explorer.status.value
    assert re.search(r"ギャップ [+-]\d\.\d{3}", explorer.pins_view.value)
    assert re.search(r"テスト \+0\.000 · ギャップ \+0\.000", explorer.status.value)  # the difference to pin 1
    explorer.set(optimizer="Adam", l1_update="proximal")  # switches to L1 with Adam: refused, in Japanese
    run(explorer.wait())
    assert "SGD 用" in explorer.status.value and JA["explorer.status.cannot_train"] in explorer.status.value


def test_japanese_plot_text_renders_with_a_font_that_has_it():
    set_language("ja")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        explorer = TrainingExplorer(n_seeds=2, **TINY)  # the band's legend entry too
        run(explorer.wait())
        explorer.pin()  # redraws the background with the pinned curves
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_visible_string_comes_from_the_catalogue():
    """Each widget label/tooltip equals its catalogue entry, so nothing stays English in Japanese."""
    explorer = TrainingExplorer(show="all")
    for name, control in explorer.controls.items():
        if name == "weight_decay_lambda":
            assert control.description == t("explorer.lambda.none")  # the label follows the regularization
        elif hasattr(control, "description") and control.description:
            assert control.description == t(f"explorer.label.{name}")
        assert control.tooltip == t(f"explorer.tip.{name}")


# -- errors never escape ---------------------------------------------------------------


def test_a_diverging_run_shows_a_red_message_and_keeps_its_partial_curve():
    # L1 with λ = 1 and lr = 0.3 (all reachable with the controls): every step moves each weight
    # by ±0.3, the weights oscillate with growing size and the lecture's 6×100 net overflows.
    explorer = TrainingExplorer(regularization="l1", weight_decay_lambda=1.0, lr=0.3, epochs=30, n_train=100)
    history = run(explorer.wait())  # must not raise
    assert history.diverged is not None
    assert len(history.epoch) < 30
    assert RED in explorer.status.value and state(explorer) == "error"
    assert history.diverged[:20] in html.unescape(explorer.status.value)
    assert_curves_match(explorer, history)


def test_a_neighbour_that_diverges_ahead_is_not_kept_and_the_move_there_says_why():
    # L1, lr 0.3: λ = 0.3 trains to the end (at chance), one step up (λ = 1) blows up, as above
    settings = dict(regularization="l1", weight_decay_lambda=0.3, lr=0.3, epochs=30, n_train=100)

    async def scenario():
        explorer = TrainingExplorer(**settings)
        await explorer.wait()
        await _look_ahead_done(explorer)
        kept = sorted(dict(key)["weight_decay_lambda"] for key in explorer._look.ready)
        ahead = explorer._look.ahead
        explorer.controls["weight_decay_lambda"].value = 1.0
        history = await explorer.wait()
        return explorer, kept, ahead, history, dict(explorer.last_timing)

    explorer, kept, ahead, history, timing = run(scenario())
    assert kept == [0.3], "a run that diverged ahead (and the neighbour after it) must not be kept"
    assert ahead is None
    assert "ready" not in timing and "ahead_epochs" not in timing  # trained anew when asked for
    assert history.diverged is not None and state(explorer) == "error"
    assert history.diverged[:20] in html.unescape(explorer.status.value)
    reference = _fresh(history.settings)
    assert history.diverged == reference.diverged and history.test_acc == reference.test_acc


def test_an_error_while_building_is_shown_not_raised(monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("hidden_size_list[0] must be >= 1, got 0")

    monkeypatch.setattr(runs, "make_lecture_trainer", refuse)
    explorer = TrainingExplorer(**TINY)
    run(explorer.wait())  # must not raise
    assert RED in explorer.status.value and "hidden_size_list[0]" in explorer.status.value
    assert explorer.history is None


def test_even_a_failing_redraw_is_shown_not_raised():
    explorer = TrainingExplorer(**TINY)

    def broken(run_):
        raise RuntimeError("the canvas broke")

    explorer._draw_live = broken
    run(explorer.wait())  # must not raise, and the loop must not log a task error
    assert RED in explorer.status.value and "the canvas broke" in explorer.status.value


def test_out_of_range_typed_seed_is_clamped():
    explorer = TrainingExplorer(**TINY)
    explorer.controls["seed"].value = -5  # what typing "-5" into the box sends
    assert explorer.controls["seed"].value == 0
    explorer.controls["dropout_ratio"].value = 1.5
    assert explorer.controls["dropout_ratio"].value == 0.95
    history = run(explorer.wait())
    assert history.settings["seed"] == 0 and history.settings["dropout_ratio"] == 0.95
    assert RED not in explorer.status.value


def test_a_setting_changed_out_of_range_from_python_is_refused_in_the_status_line():
    explorer = TrainingExplorer(**TINY)
    explorer.controls["epochs"].max = 500
    explorer.controls["epochs"].value = 400  # beyond the explorer's own range
    run(explorer.wait())
    assert state(explorer) == "error" and "400" in explorer.status.value
    assert t("explorer.label.epochs") in explorer.status.value


# -- the explorer's benchmark (benchmarks/browser_benchmark.py) stays runnable ----------------------------------


def test_the_explorer_benchmark_runs_in_smoke_mode():
    from benchmarks import browser_benchmark

    result = browser_benchmark.run(moves=2, smoke=True)
    kernel = result["kernel"]
    assert len(kernel["total"]["values"]) == 2 and kernel["lambdas"] == [0.001, 0.003]
    assert all(0 < first <= total for first, total in zip(kernel["first_draw"]["values"], kernel["total"]["values"]))
    assert "skipped" in result["browser"]
    table = browser_benchmark.markdown(result)
    assert "| kernel" in table and "skipped" in table
    with pytest.raises(ValueError, match="moves"):
        browser_benchmark.run(moves=0)


# -- choices from the registries in common/, and the λ slider's label -------------------


def _elastic_penalty(weights, rate):
    weights = list(weights)  # read twice
    return 0.5 * l1_penalty(weights, rate) + 0.5 * l2_penalty(weights, rate)


def _elastic(param, grad, rate):
    lasso(param, grad, 0.5 * rate)
    ridge(param, grad, 0.5 * rate)


def test_a_penalty_registered_in_common_reaches_the_toggle_and_trains():
    """Registered the way common/regularizers.py documents it: the next explorer offers it and trains with it."""
    assert "elastic" not in REGULARIZERS
    REGULARIZERS["elastic"] = Regularizer("elastic", "E + λ·Σ(½|W| + ¼W²)", _elastic_penalty, _elastic)
    try:
        assert regularization_choices()[-1] == "elastic"
        explorer = TrainingExplorer(show="all", regularization="elastic", weight_decay_lambda=0.1, **TINY)
        toggle = explorer.controls["regularization"]
        assert list(toggle.options)[-1] == ("elastic", "elastic")  # no catalogue entry: its own name
        assert toggle.tooltips[-1] == "E + λ·Σ(½|W| + ¼W²)"  # and its formula as the tooltip
        assert explorer.controls["weight_decay_lambda"].description == "λ (elastic)"
        history = run(explorer.wait())
        assert state(explorer) == "done" and history.settings["regularization"] == "elastic"
        weights = [w for key, w in history.network.params.items() if key.startswith("W")]
        assert history.penalty[-1] == pytest.approx(_elastic_penalty(weights, 0.1), rel=1e-5)
        assert explorer.pin().label.startswith("elastic λ=0.1")
        explorer.set(regularization="l2")  # the same λ as L2 alone: another run
        l2 = run(explorer.wait())
        assert l2.train_loss != history.train_loss
    finally:
        del REGULARIZERS["elastic"]
    assert "elastic" not in regularization_choices()
    with pytest.raises(ValueError, match="regularization"):
        TrainingExplorer(regularization="elastic")


@pytest.mark.parametrize("language, words", [
    ("en", {"none": "λ (unused)", "l2": "λ (weight decay)", "l1": "λ (L1)", "weight_decay": "weight decay"}),
    ("ja", {"none": "λ（未使用）", "l2": "λ（荷重減衰）", "l1": "λ（L1正則化）", "weight_decay": "荷重減衰"}),
])
def test_the_lambda_label_follows_the_regularization(language, words):
    set_language(language)
    explorer = TrainingExplorer(**TINY)  # regularization 'none'
    lam, reg = explorer.controls["weight_decay_lambda"], explorer.controls["regularization"]
    assert lam.description == words["none"]
    reg.value = "l1"
    assert lam.description == words["l1"] and words["weight_decay"] not in lam.description
    reg.value = "l2"
    assert lam.description == words["l2"]
    reg.value = "none"
    assert lam.description == words["none"]
    lam.value = 0.1  # moving λ above 0 turns L2 on, and the label follows
    assert reg.value == "l2" and lam.description == words["l2"]
    assert TrainingExplorer(regularization="l1").controls["weight_decay_lambda"].description == words["l1"]
    # the page (tests/test_browser.py) finds the λ slider by the part every label begins with
    for name in regularization_choices():
        assert lambda_label(name).startswith(t("explorer.label.weight_decay_lambda"))
    history = run(explorer.wait())
    assert history.settings["regularization"] == "l2"
