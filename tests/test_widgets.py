"""Tests for common.widgets.TrainingExplorer, without a browser or a kernel.

The explorer trains on the running asyncio loop; here each test drives it with
``asyncio.run``.  Small settings (a few epochs on 100 digits) keep the file fast.
"""

from __future__ import annotations

import asyncio
import importlib.util

import numpy as np
import pytest

from common import widgets as widgets_module
from common.experiments import train_lecture_net
from common.widgets import DEFAULT_SHOW, DEFAULTS, SETTINGS, TrainingExplorer

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


def assert_curves_match(explorer: TrainingExplorer, history) -> None:
    data = explorer.curve_data()
    np.testing.assert_array_equal(data["epoch"], history.epoch)
    for key in ("train_acc", "test_acc", "train_loss", "test_loss"):
        np.testing.assert_allclose(data[key], getattr(history, key), rtol=0, atol=0, err_msg=key)


def assert_settings_recorded(history, expected: dict) -> None:
    assert {name: history.settings[name] for name in SETTINGS} == expected


# -- construction and validation ---------------------------------------------------


def test_defaults_are_the_lecture():
    assert DEFAULTS == {
        "regularization": "none", "weight_decay_lambda": 0.0, "use_dropout": False, "dropout_ratio": 0.15,
        "n_train": 300, "epochs": 201, "seed": 0, "lr": 0.01, "hidden_layers": 6, "hidden_size": 100,
        "augment_shift": 0, "augment_rotation": 0.0, "augment_noise": 0.0,
    }
    explorer = TrainingExplorer()  # no loop running: nothing trains yet
    assert explorer.settings() == DEFAULTS
    assert list(explorer.controls) == list(SETTINGS)
    assert explorer.history is None


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
    assert "done" in explorer.status.value and "epoch 5/5" in explorer.status.value
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_code_path_and_seeding_as_train_lecture_net():
    explorer = TrainingExplorer(**TINY, seed=3, use_dropout=True)
    history = run(explorer.wait())
    reference = train_lecture_net(
        regularization="none", use_dropout=True, seed=3, epochs=4, n_train=100, hidden_size_list=[50, 50]
    )
    assert history.train_acc == reference.train_acc
    assert history.test_acc == reference.test_acc
    assert history.train_loss == reference.train_loss


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
        ("augment_noise", 1.0),
    ],
)
def test_bad_default_values_are_refused_naming_the_setting(name, value):
    with pytest.raises(ValueError, match=name):
        TrainingExplorer(**{name: value})


def test_bad_show_and_chunk_seconds_are_refused():
    with pytest.raises(ValueError, match="lambda"):
        TrainingExplorer(show=["lambda"])
    with pytest.raises(ValueError, match="chunk_seconds"):
        TrainingExplorer(chunk_seconds=0)


def test_all_sliders_update_only_on_release():
    explorer = TrainingExplorer()
    sliders = [c for c in explorer.controls.values() if hasattr(c, "continuous_update")]
    assert len(sliders) >= 10
    assert all(c.continuous_update is False for c in sliders)
    lam = explorer.controls["weight_decay_lambda"]
    assert [value for _, value in lam.options] == [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 1.0]
    assert lam.value == 0.0 and lam.label == "0"


def test_show_hides_controls_but_keeps_them_and_their_defaults():
    explorer = TrainingExplorer(show=["lr", "seed"], title="Learning rate", **TINY)
    shown = set()

    def walk(widget):
        shown.add(widget)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(explorer.widget)
    assert explorer.controls["lr"] in shown and explorer.controls["seed"] in shown
    for name in SETTINGS:
        if name not in ("lr", "seed"):
            assert explorer.controls[name] not in shown, name
    assert explorer.status in shown and explorer.image in shown
    assert set(explorer.controls) == set(SETTINGS)
    history = run(explorer.wait())
    assert_settings_recorded(history, {**DEFAULTS, **TINY})
    default = TrainingExplorer()
    walk(default.widget)
    assert all(default.controls[name] in shown for name in DEFAULT_SHOW)


def test_displays_as_its_widget():
    explorer = TrainingExplorer()
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


# -- re-training on changes -----------------------------------------------------------


def test_changing_lambda_retrains_with_it():
    explorer = TrainingExplorer(regularization="l2", **TINY)
    first = run(explorer.wait())
    png_before = explorer.image.value
    explorer.controls["weight_decay_lambda"].value = 0.1  # as if the learner dragged the slider
    second = run(explorer.wait())
    assert second is not first and explorer.history is second
    assert second.settings["weight_decay_lambda"] == 0.1
    assert first.settings["weight_decay_lambda"] == 0.0
    assert second.train_loss != first.train_loss  # the penalty is in the training loss
    assert second.weight_norm[-1] < first.weight_norm[-1]  # weight decay shrinks the weights
    assert_curves_match(explorer, second)
    assert explorer.image.value != png_before


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
    assert "training…" in status and "epoch 1/4" in status
    assert explorer.history.epoch == [1, 2, 3, 4]


def test_ten_rapid_changes_end_with_the_last_values_and_no_stale_curve():
    async def scenario():
        explorer = TrainingExplorer(chunk_seconds=0.001, regularization="l2", **{**TINY, "epochs": 12}, seed=1)
        draws, stale = [], []
        original_show = explorer._show

        def spy(history, s, started, finished, error=None):
            draws.append((dict(s), len(history.epoch), finished))
            if s != explorer.settings():  # a superseded run must never draw
                stale.append(s)
            original_show(history, s, started, finished, error)

        explorer._show = spy
        changes = [
            ("weight_decay_lambda", 0.01), ("seed", 2), ("weight_decay_lambda", 0.1), ("epochs", 16),
            ("use_dropout", True), ("dropout_ratio", 0.3), ("lr", 0.03), ("regularization", "l1"),
            ("weight_decay_lambda", 0.003), ("epochs", 7),
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
    assert_curves_match(explorer, history)
    assert stale == []
    interrupted = [s for s, n, finished in draws if not finished and s != last]
    assert interrupted, "no run was ever cancelled mid-way: the test did not exercise cancellation"
    finished = [s for s, n, done in draws if done]
    assert finished[-1] == last and last not in finished[:-1]
    assert RED not in explorer.status.value


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


def test_set_changes_several_controls_with_one_restart():
    async def scenario():
        explorer = TrainingExplorer(**TINY)
        await explorer.wait()
        builds = []  # one entry per restart (each restart creates one _run coroutine)
        original = explorer._run
        explorer._run = lambda s: builds.append(s) or original(s)
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


def test_moving_lambda_or_the_dropout_ratio_makes_it_take_effect():
    async def scenario():
        explorer = TrainingExplorer(**TINY)  # the lecture: regularization 'none', no dropout
        plain = await explorer.wait()
        starts = []
        original = explorer._run
        explorer._run = lambda s: starts.append(s) or original(s)
        explorer.controls["weight_decay_lambda"].value = 0.1  # a learner drags λ ...
        with_l2 = await explorer.wait()
        explorer.controls["dropout_ratio"].value = 0.3  # ... then the dropout ratio
        with_dropout = await explorer.wait()
        return explorer, plain, with_l2, with_dropout, starts

    explorer, plain, with_l2, with_dropout, starts = run(scenario())
    assert len(starts) == 2  # the switched partner control did not cause an extra restart
    assert with_l2.settings["regularization"] == "l2" and with_l2.settings["weight_decay_lambda"] == 0.1
    assert with_l2.train_loss != plain.train_loss  # ... so the λ slider is never a no-op
    assert with_dropout.settings["use_dropout"] is True and with_dropout.settings["dropout_ratio"] == 0.3
    assert with_dropout.train_loss != with_l2.train_loss
    assert "no effect" not in explorer.status.value


def test_lambda_without_regularization_is_kept_when_asked_for_and_pointed_out():
    explorer = TrainingExplorer(weight_decay_lambda=0.1, **TINY)
    history = run(explorer.wait())
    assert history.settings["regularization"] == "none"
    assert "no effect" in explorer.status.value
    explorer.set(regularization="none", weight_decay_lambda=0.2)  # explicit: not switched to L2
    history = run(explorer.wait())
    assert history.settings["regularization"] == "none" and history.settings["weight_decay_lambda"] == 0.2
    assert "no effect" in explorer.status.value


def test_css_classes_for_the_browser_test():
    explorer = TrainingExplorer()
    assert "training-explorer" in explorer.widget._dom_classes
    assert "explorer-status" in explorer.status._dom_classes


# -- errors never escape ---------------------------------------------------------------


def test_a_diverging_run_shows_a_red_message_and_keeps_its_partial_curve():
    # L1 with λ = 1 and lr = 0.3 (all reachable with the sliders): every step moves each weight
    # by ±0.3, the weights oscillate with growing size and the lecture's 6×100 net overflows.
    explorer = TrainingExplorer(regularization="l1", weight_decay_lambda=1.0, lr=0.3, epochs=30, n_train=100)
    history = run(explorer.wait())  # must not raise
    assert history.diverged is not None and "diverged" in history.diverged
    assert len(history.epoch) < 30
    assert RED in explorer.status.value and "diverged" in explorer.status.value
    assert "done" not in explorer.status.value
    assert_curves_match(explorer, history)


def test_an_error_while_building_is_shown_not_raised(monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("hidden_size_list[0] must be >= 1, got 0")

    monkeypatch.setattr(widgets_module, "make_lecture_trainer", refuse)
    explorer = TrainingExplorer(**TINY)
    run(explorer.wait())  # must not raise
    assert RED in explorer.status.value and "hidden_size_list[0]" in explorer.status.value
    assert explorer.history is None


def test_even_a_failing_redraw_is_shown_not_raised():
    explorer = TrainingExplorer(**TINY)

    def broken():
        raise RuntimeError("the canvas broke")

    explorer._redraw = broken
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


# -- augmentation -----------------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("common.augment") is None, reason="common/augment.py not written yet")
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
