"""Tests for the package :mod:`course.tuning`: log-scale sampling, grid/random search, selection bias, early stopping, SGDW."""

from __future__ import annotations

import io
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course.experiments import lecture_data, train_lecture_net
from common.optimizer import SGD, SGDW, Adam, AdamW
from common.trainer import History
from common.regularizers import REGULARIZERS, Regularizer, l1_penalty, l2_penalty, lasso, ridge
from course.seeds import SeedComparison, SeedRuns, correct_per_digit
from course.tuning import (
    EarlyStopping,
    Progress,
    RegularizationGrid,
    Scored,
    SearchResult,
    SeedScores,
    compare_scores,
    effective_decay_rates,
    grid_search,
    log_uniform,
    plot_heatmaps,
    random_search,
    sample_settings,
    selection_bias,
    shrink_without_data,
    train_and_score,
)

SMALL = dict(hidden_size_list=(20,), epochs=3, seed=0)


@pytest.fixture(scope="module")
def data():
    (x_train, t_train), (x_test, t_test) = lecture_data(n_train=200, n_test=200)
    return (x_train[:100], t_train[:100]), (x_train[100:], t_train[100:]), (x_test, t_test)


# ---------------------------------------------------------------------------
# sampling
# ---------------------------------------------------------------------------


def test_log_uniform_spreads_evenly_over_decades():
    draws = log_uniform(1e-4, 1e-1, rng=0, size=30000)
    assert draws.min() >= 1e-4 and draws.max() <= 1e-1
    per_decade = np.histogram(np.log10(draws), bins=[-4, -3, -2, -1])[0] / draws.size
    np.testing.assert_allclose(per_decade, 1 / 3, atol=0.02)
    assert isinstance(log_uniform(0.1, 1.0, rng=1), float)
    assert log_uniform(0.5, 0.5, rng=0) == pytest.approx(0.5)


@pytest.mark.parametrize("low, high, error", [(0.0, 1.0, ValueError), (-1, 1, ValueError), (1.0, 0.1, ValueError),
                                              ("a", 1.0, TypeError)])
def test_log_uniform_validates(low, high, error):
    with pytest.raises(error, match="low|high"):
        log_uniform(low, high)


def test_sample_settings_kinds_and_determinism():
    space = {"weight_decay_lambda": ("log", 1e-3, 1e-1), "dropout_ratio": ("uniform", 0.0, 0.2),
             "regularization": ["l1", "l2"], "epochs": 5}
    a = [sample_settings(space, rng) for rng in [np.random.default_rng(3)] * 5]
    b = [sample_settings(space, rng) for rng in [np.random.default_rng(3)] * 5]
    assert a == b
    for s in a:
        assert 1e-3 <= s["weight_decay_lambda"] <= 1e-1 and 0 <= s["dropout_ratio"] <= 0.2
        assert s["regularization"] in ("l1", "l2") and s["epochs"] == 5
    assert len({s["weight_decay_lambda"] for s in a}) == 5


@pytest.mark.parametrize(
    "space, match",
    [({}, "space"), ({"x": ("cubic", 1, 2)}, "space"), ({"x": ("log", 1)}, "space"), ({"x": []}, "empty"),
     ({"x": ("uniform", 2.0, 1.0)}, "high")],
)
def test_sample_settings_validates(space, match):
    with pytest.raises((TypeError, ValueError), match=match):
        sample_settings(space, 0)


# ---------------------------------------------------------------------------
# progress
# ---------------------------------------------------------------------------


def test_progress_text_mode_is_a_tqdm_line():
    out = io.StringIO()
    with Progress(3, "runs", mode="text", stream=out) as bar:
        bar.update(note="a long note here")
        bar.update(note="x")
        bar.update()
    text = out.getvalue()
    # tqdm redraws one line with \r: "runs: 100%|██████████| 3/3 [00:00<00:00, ...run/s, x]"
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "runs:  33%|" in text and "1/3" in text and "a long note here" in text
    last = text.split("\r")[-1]
    assert "runs: 100%|" in last and "3/3" in last and re.search(r"(run/s|s/run), x\]", last)
    assert bar.done == 3 and bar.tqdm.n == 3


def test_progress_none_and_widget_modes():
    silent = Progress(2, mode="none")
    silent.update(5)  # clipped at total
    assert silent.done == 2
    bar = Progress(2, "runs", mode="widget")
    bar.update(note="first")
    text, widget, info = bar.tqdm.container.children  # tqdm.notebook: label, IntProgress-like bar, text
    assert widget.value == 1 and widget.max == 2 and "runs" in text.value and "first" in info.value
    bar.close()
    assert widget.bar_style == "danger"  # closed before every step was done
    done = Progress(1, mode="widget")
    done.update()
    done.close()
    assert done.tqdm.container.children[1].bar_style == "success"
    with pytest.raises(ValueError, match="mode"):
        Progress(2, mode="fancy")
    with pytest.raises(ValueError, match="total"):
        Progress(-1)
    with pytest.raises(TypeError, match="description"):
        Progress(2, 3)


def test_progress_words_follow_the_language():
    from course.i18n import set_language

    out = io.StringIO()
    with Progress(1, mode="text", stream=out) as bar:  # default words: "runs" / "run"
        bar.update()
    assert out.getvalue().startswith("\rruns:") and re.search(r"run/s|s/run", out.getvalue())
    set_language("ja")  # tests/conftest.py puts English back after the test
    out = io.StringIO()
    with Progress(1, mode="text", stream=out) as bar:
        bar.update()
    assert "学習: 100%" in out.getvalue() and re.search(r"回/s|s/回", out.getvalue())


# ---------------------------------------------------------------------------
# scoring one run
# ---------------------------------------------------------------------------


def test_train_and_score_matches_the_lecture_run(data):
    train, val, test = data
    scored = train_and_score({"val": val, "test": test}, train=train, **SMALL)
    assert isinstance(scored, Scored) and scored.diverged is None
    full = train_lecture_net(data=(train, test), **SMALL)  # the monitor set does not change training
    assert scored.scores["test"] == pytest.approx(full.test_acc[-1])
    assert scored.train_acc == pytest.approx(full.train_acc[-1])
    assert scored.correct["val"].shape == (len(val[1]),) and scored.correct["val"].dtype == bool
    assert scored.scores["val"] == pytest.approx(scored.correct["val"].mean())
    assert scored.gap("val") == pytest.approx(scored.train_acc - scored.scores["val"])
    assert len(scored.history.test_acc) == SMALL["epochs"]


def test_train_and_score_dropout_ratio_switches_dropout(data):
    train, _, test = data
    on = train_and_score({"test": test}, train=train, dropout_ratio=0.2, **SMALL)
    off = train_and_score({"test": test}, train=train, dropout_ratio=0.0, **SMALL)
    assert on.history.settings["use_dropout"] is True and on.history.settings["dropout_ratio"] == 0.2
    assert off.history.settings["use_dropout"] is False


def test_train_and_score_reports_divergence(data):
    train, _, test = data
    scored = train_and_score({"test": test}, train=train, lr=1e6, **SMALL)
    assert scored.diverged and math.isnan(scored.scores["test"]) and scored.score("test") == -math.inf
    assert not scored.correct["test"].any()


def test_train_and_score_validates(data):
    train, _, test = data
    with pytest.raises(TypeError, match="eval_sets"):
        train_and_score({}, train=train)
    with pytest.raises(TypeError, match="train"):
        train_and_score({"test": test}, train=train[0])
    with pytest.raises(ValueError, match="labels"):
        train_and_score({"test": (test[0], test[1][:5])}, train=train)
    with pytest.raises(ValueError, match="data"):
        train_and_score({"test": test}, train=train, data=(train, test))


# ---------------------------------------------------------------------------
# grid search and heat maps
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid(data):
    train, _, test = data
    return grid_search([0, 0.01], [0, 0.1], ("l2", "l1"), train=train, test=test, progress=False, **SMALL)


def test_grid_search_shares_lambda_zero_and_fills_tables(grid):
    assert isinstance(grid, RegularizationGrid)
    assert len(grid.runs) == 8 and len(grid.unique_runs()) == 6  # λ = 0 trained once per dropout ratio
    assert grid.run("l1", 0, 0.1) is grid.run("l2", 0, 0.1)
    assert grid.run("l1", 0, 0).history.settings["regularization"] == "none"
    assert grid.run("l1", 0.01, 0.1).history.settings["regularization"] == "l1"
    for metric in ("test_acc", "train_acc", "gap"):
        assert grid.table(metric, "l2").shape == (2, 2)
    np.testing.assert_allclose(grid.table("gap", "l1"), grid.table("train_acc", "l1") - grid.table("test_acc", "l1"))
    assert grid.correct("test").shape == (6, 200)
    assert grid.best("test").scores["test"] == grid.table("test_acc", "l2").max() or grid.best("test").scores[
        "test"] == grid.table("test_acc", "l1").max()


def test_grid_points_equal_single_runs(grid, data):
    train, _, test = data
    single = train_and_score({"test": test}, train=train, weight_decay_lambda=0.01, regularization="l1",
                             dropout_ratio=0.1, **SMALL)
    assert grid.run("l1", 0.01, 0.1).scores["test"] == single.scores["test"]


def test_grid_lookup_and_validation(grid, data):
    train, _, test = data
    with pytest.raises(ValueError, match="not on the grid"):
        grid.run("l2", 0.5, 0)
    with pytest.raises(ValueError, match="metric"):
        grid.table("loss", "l2")
    with pytest.raises(ValueError, match="repeat"):
        grid_search([0.1, 0.1], [0], train=train, test=test, progress=False)
    with pytest.raises(ValueError, match="at least one"):
        grid_search([], [0], train=train, test=test, progress=False)
    with pytest.raises(ValueError, match="set by the grid"):
        grid_search([0.1], [0], train=train, test=test, progress=False, weight_decay_lambda=0.1)
    with pytest.raises(ValueError, match="regularizations"):
        grid_search([0.1], [0], ("l3",), train=train, test=test, progress=False)


def test_plot_heatmaps(grid):
    fig = plot_heatmaps(grid, mark={"regularization": "l1", "weight_decay_lambda": 0.01, "dropout_ratio": 0.1})
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == 4
    assert [len(ax.patches) for ax in panels] == [0, 1, 0, 1]  # the mark, on both L1 panels
    texts = [t.get_text() for t in panels[0].texts]
    assert len(texts) == 4 and all(len(t) == 4 for t in texts)  # "0.79"
    with pytest.raises(ValueError, match="not on the grid"):
        plot_heatmaps(grid, mark={"regularization": "l1", "weight_decay_lambda": 0.5, "dropout_ratio": 0.1})
    with pytest.raises(TypeError, match="grid"):
        plot_heatmaps({})
    plt.close("all")


# ---------------------------------------------------------------------------
# the same over several seeds
# ---------------------------------------------------------------------------

TINY = dict(hidden_size_list=(20,), epochs=3)  # SMALL without its seed: the seeds come from seeds=


def test_train_and_score_seeds_equals_one_run_per_seed(data):
    train, val, test = data
    runs = train_and_score({"val": val, "test": test}, train=train, weight_decay_lambda=0.01, seeds=[2, 0, 1], **TINY)
    assert isinstance(runs, SeedScores) and runs.seeds == (2, 0, 1) and len(runs) == 3
    single = train_and_score({"val": val, "test": test}, train=train, weight_decay_lambda=0.01, seed=0, **TINY)
    assert runs.run(0).scores == single.scores and runs.run(0).train_acc == single.train_acc
    values = runs.values("test_acc")
    np.testing.assert_array_equal(values, [r.scores["test"] for r in runs])
    np.testing.assert_array_equal(runs.values("gap", on="val"), [r.train_acc - r.scores["val"] for r in runs])
    assert runs.mean() == pytest.approx(values.mean()) and runs.std() == pytest.approx(values.std(ddof=1))
    assert runs.summary().endswith("over 3 seeds") and runs.label == "L2 λ=0.01"
    assert runs.settings == {"weight_decay_lambda": 0.01, **TINY}
    correct = runs.correct("test")
    assert correct.shape == (3, len(test[1])) and correct.dtype == bool
    np.testing.assert_allclose(runs.correct_fraction("test"), correct.mean(axis=0))
    # the histories carry the trained networks: course.seeds sees the same digits right
    seed_runs = runs.seed_runs
    assert isinstance(seed_runs, SeedRuns) and seed_runs.seeds == (2, 0, 1)
    np.testing.assert_allclose(correct_per_digit(seed_runs, *test), runs.correct_fraction("test"))
    with pytest.raises(ValueError, match="seed 7"):
        runs.run(7)
    with pytest.raises(TypeError, match="seed= .* seeds="):
        train_and_score({"test": test}, train=train, seed=0, seeds=[0, 1], **TINY)
    with pytest.raises(ValueError, match="distinct"):
        train_and_score({"test": test}, train=train, seeds=[0, 0], **TINY)
    with pytest.raises(TypeError, match="seeds"):
        train_and_score({"test": test}, train=train, seeds="01", **TINY)


def test_seed_scores_summaries_leave_diverged_seeds_out(data):
    train, _, test = data
    runs = train_and_score({"test": test}, train=train, lr=1e6, seeds=[0, 1], **TINY)
    assert runs.n_diverged == 2 and np.all(np.isnan(runs.values()))
    assert math.isnan(runs.mean()) and math.isnan(runs.std())
    assert "2 of 2 seeds diverged" in runs.summary()
    assert not runs.correct_fraction("test").any()
    with pytest.raises(TypeError, match="Scored"):
        SeedScores([1, 2])
    with pytest.raises(TypeError, match="non-empty"):
        SeedScores([])


def test_compare_scores_pairs_by_seed(data):
    train, _, test = data
    a = train_and_score({"test": test}, train=train, seeds=[0, 1, 2], **TINY)
    b = train_and_score({"test": test}, train=train, weight_decay_lambda=0.5, seeds=[2, 1, 0], **TINY)
    result = compare_scores(a, b, "gap")
    assert isinstance(result, SeedComparison) and result.seeds == (0, 1, 2)
    expected = [b.run(s).gap() - a.run(s).gap() for s in (0, 1, 2)]
    np.testing.assert_allclose(result.differences, expected)
    assert result.label_a == "no penalty" and result.label_b == "L2 λ=0.5"
    assert "gap" in str(result) and "3 seeds" in result.verdict
    with pytest.raises(ValueError, match="same seeds"):
        compare_scores(a, train_and_score({"test": test}, train=train, seeds=[0, 1], **TINY))
    with pytest.raises(TypeError, match="SeedScores"):
        compare_scores(a.run(0), b)
    with pytest.raises(ValueError, match="metric"):
        compare_scores(a, b, "loss")


@pytest.fixture(scope="module")
def seed_grid(data):
    train, _, test = data
    return grid_search([0, 0.01], [0, 0.1], train=train, test=test, seeds=[0, 1, 2], progress=False, **TINY)


def test_grid_over_seeds_tables_are_statistics_of_the_runs(seed_grid, data):
    grid = seed_grid
    assert grid.seeds == (0, 1, 2) and grid.regularizations == ("l2", "l1")  # the registry's penalties, in order
    assert len(grid.unique_points()) == 6 and grid.settings == TINY
    values = grid.values("test_acc", "l1")
    assert values.shape == (2, 2, 3)
    cell = grid.at("l1", 0.01, 0.1)
    np.testing.assert_array_equal(values[1, 1], cell.values("test_acc"))
    np.testing.assert_allclose(grid.table("test_acc", "l1"), values.mean(axis=2))
    np.testing.assert_allclose(grid.table("test_acc", "l1", "std"), values.std(axis=2, ddof=1))
    np.testing.assert_allclose(grid.table("gap", "l2", "min"), grid.values("gap", "l2").min(axis=2))
    np.testing.assert_allclose(grid.table("gap", "l2", "max"), grid.values("gap", "l2").max(axis=2))
    # each seed's cell is the single run with that seed
    train, _, test = data
    single = train_and_score({"test": test}, train=train, regularization="l1", weight_decay_lambda=0.01,
                             dropout_ratio=0.1, seed=2, **TINY)
    assert grid.run("l1", 0.01, 0.1, seed=2).scores == single.scores
    assert grid.run("l1", 0.01, 0.1).settings["seed"] == 0  # default: the first seed
    assert grid.correct("test", seed=1).shape == (6, len(test[1]))
    assert grid.best("test", seed=1).scores["test"] == max(r.scores["test"] for r in grid.unique_runs(seed=1))
    with pytest.raises(ValueError, match="stat"):
        grid.table("gap", "l2", "median")
    with pytest.raises(ValueError, match="seed 5"):
        grid.run("l2", 0, 0, seed=5)


def test_grid_at_trains_only_missing_seeds_and_keeps_them(seed_grid, monkeypatch):
    import course.tuning.grid as grid_module  # the name the grid calls

    grid = seed_grid
    calls = []
    real = grid_module.train_and_score

    def counting(*args, **kwargs):
        calls.append((kwargs.get("regularization"), kwargs.get("weight_decay_lambda"), kwargs.get("seed")))
        return real(*args, **kwargs)

    monkeypatch.setattr(grid_module, "train_and_score", counting)
    five = grid.at("l1", 0.01, 0.1, seeds=range(5))
    assert five.seeds == (0, 1, 2, 3, 4) and calls == [("l1", 0.01, 3), ("l1", 0.01, 4)]
    assert five.run(1) is grid.at("l1", 0.01, 0.1).run(1)  # the map's own runs are re-used
    again = grid.at("l1", 0.01, 0.1, seeds=[4, 3])
    assert len(calls) == 2 and again.run(3) is five.run(3)
    # λ = 0 is one network for every penalty, also for extra seeds
    assert grid.at("l2", 0, 0, seeds=[3]).run(3) is grid.at("l1", 0, 0, seeds=[3]).run(3)
    assert calls[-1] == ("none", 0.0, 3) and len(calls) == 3
    # a setting off the map is trained with the map's data and settings
    off = grid.at("l2", 0.5, 0)
    assert off.seeds == grid.seeds and len(calls) == 6
    assert off.run(0).settings["hidden_size_list"] == (20,) and off.run(0).settings["weight_decay_lambda"] == 0.5
    with pytest.raises(ValueError, match="not on the grid"):
        grid.run("l2", 0.5, 0)  # run() and the tables stay on the map
    with pytest.raises(ValueError, match="regularization"):
        grid.at("l3", 0.01, 0)


def test_within_spread_is_mean_difference_within_its_sd(seed_grid):
    grid = seed_grid
    ref = grid.at("l2", 0, 0).values("gap")
    for reg in grid.regularizations:
        diff = grid.values("gap", reg) - ref
        expected = np.abs(diff.mean(axis=2)) <= diff.std(axis=2, ddof=1)
        expected |= np.all(diff == 0, axis=2)
        np.testing.assert_array_equal(grid.within_spread("gap", reg), expected)
    assert grid.within_spread("test_acc", "l1")[0, 0], "the reference (the same network) is within its own spread"
    best = grid.point("best")
    assert grid.runs[best].mean("test_acc") == max(c.mean("test_acc") for c in grid.runs.values())
    assert grid.point({"regularization": "l1", "weight_decay_lambda": 0.01, "dropout_ratio": 0.1}) == ("l1", 0.01, 0.1)
    assert grid.point("none") == ("l2", 0.0, 0.0)
    comparison = grid.compare("none", {"regularization": "l1", "weight_decay_lambda": 0.01, "dropout_ratio": 0.1}, "gap")
    np.testing.assert_allclose(comparison.differences, grid.values("gap", "l1")[1, 1] - ref)
    with pytest.raises(ValueError, match="reference"):
        grid.point("worst")


def test_within_spread_on_made_up_numbers():
    """|mean d| ≤ sd d on hand-chosen differences, without training."""
    def scored(seed, test):
        return Scored({"seed": seed}, None, 1.0, {"test": test}, {"test": np.zeros(1, bool)})

    def cell(tests):
        return SeedScores([scored(s, v) for s, v in enumerate(tests)])

    ref = cell([0.80, 0.80, 0.80])
    runs = {("l2", 0.0, 0.0): ref,
            ("l2", 0.0, 0.1): cell([0.81, 0.79, 0.80]),     # d = +.01 −.01 0: mean 0 ≤ sd → within
            ("l2", 0.1, 0.0): cell([0.83, 0.84, 0.85]),     # d = +.03 +.04 +.05: mean .04 > sd .01 → not
            ("l2", 0.1, 0.1): cell([0.801, 0.70, 0.70])}    # d = +.001 −.1 −.1: mean −.066 > sd .058 → not
    grid = RegularizationGrid((0.0, 0.1), (0.0, 0.1), ("l2",), runs, seeds=(0, 1, 2))
    np.testing.assert_array_equal(grid.within_spread("test_acc", "l2"), [[True, True], [False, False]])
    np.testing.assert_allclose(grid.table("test_acc", "l2", "std")[1, 0], 0.01)
    fig = plot_heatmaps(grid, ["test_acc"])
    panel = fig.axes[0]
    hatched = [p for p in panel.patches if p.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_xy() == (0.5, -0.5)  # only (λ 0, dropout 0.1); not the reference
    dashed = [p for p in panel.patches if p.get_linestyle() == "--"]
    assert len(dashed) == 1
    assert "within its spread over 3 seeds" in fig._suptitle.get_text()
    assert "mean of 3 seeds" in panel.get_title()
    plt.close("all")


def test_plot_heatmaps_over_seeds_shows_mean_and_sd(seed_grid):
    fig = plot_heatmaps(seed_grid, mark={"regularization": "l1", "weight_decay_lambda": 0.01, "dropout_ratio": 0.1})
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == 4
    texts = [t.get_text() for t in panels[0].texts]
    assert len(texts) == 8 and sum(t.startswith("±") for t in texts) == 4  # a mean and an sd per cell
    table = seed_grid.table("test_acc", "l2")
    assert texts[0] == f"{table[0, 0]:.2f}"
    for ax in panels:  # the reference (λ = 0, no dropout) is outlined in every panel: one network for all
        assert sum(p.get_linestyle() == "--" for p in ax.patches) == 1
    no_ref = plot_heatmaps(seed_grid, reference=None)
    assert not any(p.get_hatch() or p.get_linestyle() == "--" for ax in no_ref.axes for p in ax.patches)
    plt.close("all")


def test_grid_search_reads_the_regularizer_registry(data, monkeypatch):
    train, _, test = data

    def elastic_penalty(weights, rate):
        return 0.5 * l1_penalty(weights, rate) + 0.5 * l2_penalty(weights, rate)

    def elastic(param, grad, rate):
        lasso(param, grad, 0.5 * rate)
        ridge(param, grad, 0.5 * rate)

    monkeypatch.setitem(REGULARIZERS, "elastic", Regularizer("elastic", "E + λ·Σ(½|W| + ¼W²)", elastic_penalty, elastic))
    grid = grid_search([0, 0.01], [0], train=train, test=test, progress=False, **SMALL)
    assert grid.regularizations == ("l2", "l1", "elastic")
    assert grid.run("elastic", 0.01, 0).history.settings["regularization"] == "elastic"
    with pytest.raises(ValueError, match="regularizations"):
        grid_search([0.1], [0], ("none",), train=train, test=test, progress=False, **SMALL)
    with pytest.raises(TypeError, match="list of names"):
        grid_search([0.1], [0], "l2", train=train, test=test, progress=False, **SMALL)
    with pytest.raises(TypeError, match="seed= .* seeds="):
        grid_search([0.1], [0], train=train, test=test, progress=False, seeds=[0, 1], **SMALL)
    with pytest.raises(TypeError, match="unknown setting"):
        grid_search([0.1], [0], train=train, test=test, progress=False, epochz=3)


# ---------------------------------------------------------------------------
# random search
# ---------------------------------------------------------------------------


def test_random_search_is_a_prefix_of_a_longer_search(data):
    train, val, _ = data
    space = {"weight_decay_lambda": ("log", 1e-3, 1e-1), "regularization": ["l1", "l2"]}
    short = random_search(space, 2, train=train, eval_sets={"val": val}, rng=5, progress=False, **SMALL)
    long = random_search(space, 3, train=train, eval_sets={"val": val}, rng=5, progress=False, **SMALL)
    assert isinstance(short, SearchResult) and len(short) == 2 and len(long) == 3
    assert [t.settings for t in short.trials] == [t.settings for t in long.trials[:2]]
    assert short.scores("val").tolist() == long.scores("val")[:2].tolist()
    best = long.best("val")
    assert best.scores["val"] == long.scores("val").max()
    assert long.values("regularization") == [t.settings["regularization"] for t in long.trials]
    with pytest.raises(ValueError, match="both searched and fixed"):
        random_search(space, 1, train=train, eval_sets={"val": val}, progress=False, weight_decay_lambda=0.1)


# ---------------------------------------------------------------------------
# selection bias
# ---------------------------------------------------------------------------


def test_selection_bias_one_candidate_is_unbiased():
    rng = np.random.default_rng(0)
    correct = rng.random((1, 2000)) < 0.8
    bias = selection_bias(correct, n_splits=2000, rng=1)
    assert abs(bias.mean_optimism) < 0.002
    assert (bias.winners == 0).all()


def test_selection_bias_many_equal_candidates_is_optimistic():
    rng = np.random.default_rng(0)
    correct = rng.random((30, 1000)) < 0.8  # all equally good: any "winner" is luck
    bias = selection_bias(correct, n_splits=300, rng=1)
    assert bias.mean_optimism > 0.02 and bias.fraction_optimistic() > 0.9
    np.testing.assert_allclose(bias.optimism, bias.chosen_a - bias.fresh_b)


def test_selection_bias_computes_the_winner_exactly():
    correct = np.array([[1, 1, 0, 0], [1, 0, 1, 1]], dtype=bool)
    bias = selection_bias(correct, n_splits=20, rng=0)
    for a_score, b_score, w in zip(bias.chosen_a, bias.fresh_b, bias.winners):
        assert a_score + b_score == pytest.approx(2 * correct[w].mean())
    with pytest.raises(ValueError, match="correct"):
        selection_bias(np.ones(5, dtype=bool))
    with pytest.raises(ValueError, match="2 samples"):
        selection_bias(np.ones((3, 1), dtype=bool))


# ---------------------------------------------------------------------------
# early stopping
# ---------------------------------------------------------------------------


class FakeNet:
    def __init__(self):
        self.params = {"W1": np.zeros(2)}


def feed(stopper, scores):
    h = History(network=FakeNet())
    for epoch, score in enumerate(scores, start=1):
        h.epoch.append(epoch)
        h.test_acc.append(score)
        h.network.params["W1"][:] = epoch
        if stopper(h):
            return epoch
    return None


def test_early_stopping_stops_after_patience_and_keeps_best_weights():
    stopper = EarlyStopping(patience=3)
    stopped = feed(stopper, [0.5, 0.6, 0.7, 0.69, 0.7, 0.65, 0.9])
    assert stopped == 6 and stopper.stopped_epoch == 6
    assert stopper.best_epoch == 3 and stopper.best_score == 0.7
    net = FakeNet()
    stopper.restore(net)
    np.testing.assert_array_equal(net.params["W1"], [3, 3])


def test_early_stopping_min_delta_and_no_restore():
    stopper = EarlyStopping(patience=2, min_delta=0.05, restore_best=False)
    assert feed(stopper, [0.5, 0.52, 0.54, 0.56]) == 3
    with pytest.raises(ValueError, match="no weights"):
        stopper.restore(FakeNet())


def test_early_stopping_stops_a_real_trainer(data):
    train, val, _ = data
    stopper = EarlyStopping(patience=2)
    history = train_lecture_net(data=(train, val), callback=stopper, hidden_size_list=(20,), epochs=60, seed=0)
    assert len(history.epoch) == stopper.stopped_epoch < 60
    assert history.test_acc[stopper.best_epoch - 1] == stopper.best_score == max(history.test_acc)
    stopper.restore(history.network)
    assert history.network.accuracy(*val) == pytest.approx(stopper.best_score)


@pytest.mark.parametrize("kwargs, error", [(dict(patience=0), ValueError), (dict(metric="loss"), ValueError),
                                           (dict(min_delta=-1.0), ValueError), (dict(restore_best=1), TypeError)])
def test_early_stopping_validates(kwargs, error):
    with pytest.raises(error):
        EarlyStopping(**kwargs)


# ---------------------------------------------------------------------------
# decoupled weight decay
# ---------------------------------------------------------------------------


def test_sgdw_equals_sgd_with_the_l2_gradient():
    rng = np.random.default_rng(0)
    w0, g = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    b0, gb = rng.standard_normal(4), rng.standard_normal(4)
    lr, lam = 0.1, 0.3
    coupled = {"W1": w0.copy(), "b1": b0.copy()}
    SGD(lr).update(coupled, {"W1": g + lam * w0, "b1": gb})
    decoupled = {"W1": w0.copy(), "b1": b0.copy()}
    SGDW(lr, weight_decay=lam).update(decoupled, {"W1": g, "b1": gb})
    np.testing.assert_allclose(decoupled["W1"], coupled["W1"], rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(decoupled["b1"], b0 - lr * gb)  # biases are not decayed
    assert SGDW(0.01, 0.5).settings()["weight_decay"] == 0.5
    with pytest.raises(ValueError, match="weight_decay"):
        SGDW(0.01, -1.0)


def test_shrink_without_data_sgd_vs_adam():
    w = np.random.default_rng(0).normal(0, 0.1, size=(30, 20))
    sgd = shrink_without_data(SGD(0.1), w, 0.5, 20, l2_in_gradient=True)
    sgdw = shrink_without_data(SGDW(0.1, 0.5), w, 0.5, 20, l2_in_gradient=False)
    np.testing.assert_allclose(sgd, w * (1 - 0.1 * 0.5) ** 20, rtol=1e-12)
    np.testing.assert_allclose(sgdw, sgd, rtol=1e-12)
    adamw = shrink_without_data(AdamW(0.001, weight_decay=1.0), w, 1.0, 50, l2_in_gradient=False)
    np.testing.assert_allclose(adamw, w * (1 - 0.001) ** 50, rtol=1e-12)
    # Adam normalizes λ·W: each weight moves by about lr per step, whatever λ is
    small = shrink_without_data(Adam(0.001), w, 0.01, 50, l2_in_gradient=True)
    large = shrink_without_data(Adam(0.001), w, 1.0, 50, l2_in_gradient=True)
    big = np.abs(w) > 0.06
    moved = np.abs(w[big]) - np.abs(small[big])
    assert moved.min() > 0.8 * 50 * 0.001 and moved.max() <= 50 * 0.001 + 1e-9  # ≈ lr per step, not ∝ |w|
    assert np.abs(small - large).max() < 0.1 * 50 * 0.001  # a 100× larger λ barely changes anything
    with pytest.raises(TypeError, match="optimizer"):
        shrink_without_data("adam", w, 0.1, 1, l2_in_gradient=True)
    with pytest.raises(TypeError, match="l2_in_gradient"):
        shrink_without_data(SGD(0.1), w, 0.1, 1, l2_in_gradient=1)


def test_effective_decay_rates_follow_the_adam_state():
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((3, 2)), "b1": np.zeros(2)}
    opt = Adam(lr=0.01)
    for _ in range(5):
        opt.update(params, {"W1": rng.standard_normal((3, 2)), "b1": rng.standard_normal(2)})
    rates = effective_decay_rates(opt, 0.1)
    v_hat = opt.v["W1"] / (1 - opt.beta2**5)
    np.testing.assert_allclose(rates, (0.01 * 0.1 / (np.sqrt(v_hat) + 1e-7)).ravel())
    assert rates.shape == (6,)
    with pytest.raises(ValueError, match="no state"):
        effective_decay_rates(Adam(), 0.1)
    with pytest.raises(TypeError, match="Adam"):
        effective_decay_rates(SGD(), 0.1)
    with pytest.raises(KeyError, match="W9"):
        effective_decay_rates(opt, 0.1, keys=["W9"])


def test_scored_label(grid):
    assert grid.run("l1", 0.01, 0.1).label == "L1 λ=0.01, dropout 0.1"
    assert grid.run("l2", 0, 0).label == "no penalty"
    assert grid.run("l2", 0.01, 0).label == "L2 λ=0.01"


def test_train_and_score_trains_the_optimizer_instance_it_is_given(data, tmp_path, monkeypatch):
    """With the run cache on, a run with an optimizer instance still trains that instance (never a cache hit)."""
    monkeypatch.setenv("COURSE_RUN_CACHE", str(tmp_path))
    train, _, test = data
    first = train_and_score({"test": test}, train=train, optimizer=Adam(lr=0.001), **SMALL)
    opt = Adam(lr=0.001)
    again = train_and_score({"test": test}, train=train, optimizer=opt, **SMALL)
    assert opt.iter == SMALL["epochs"] * 1 and opt.v is not None  # 100 digits, batches of 100: 1 step per epoch
    assert again.scores == first.scores
    assert effective_decay_rates(opt, 0.01).size > 0
