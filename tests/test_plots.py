"""course.plots: each figure draws the numbers it names (one History, or a SeedRuns as mean ± 1 sd), in the
current language, and refuses what it cannot draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import warnings  # noqa: E402

from course.i18n import set_language  # noqa: E402
from common.multi_layer_net import MultiLayerNet  # noqa: E402
from course.plots import (  # noqa: E402
    compare_learning_curves,
    plot_learning_curves,
    plot_metric,
    plot_seed_band,
    plot_sweep,
    plot_weight_histograms,
)
from course.seeds import SeedRuns  # noqa: E402
from common.trainer import History  # noqa: E402


def history(train, test, weight_norm=None, *, seed=0, data_loss=False, penalty=0.0, diverged=None):
    """A History by hand. ``data_loss``: also record ``train_data_loss`` and ``penalty`` (newer histories)."""
    n = len(train)
    extra = {}
    if data_loss:
        extra = {"train_data_loss": [0.5 / k for k in range(1, n + 1)], "penalty": [penalty] * n}
    return History(
        settings={"seed": seed},
        epoch=list(range(1, n + 1)), train_acc=list(train), test_acc=list(test),
        train_loss=[1.0 / k for k in range(1, n + 1)], test_loss=[2.0 / k for k in range(1, n + 1)],
        weight_norm=list(weight_norm or [10.0] * n), sparsity=[0.1] * n, seconds=[0.1 * k for k in range(1, n + 1)],
        diverged=diverged, **extra,
    )


def seed_runs(rows_train, rows_test, **kwargs):
    """One History per seed from per-seed rows of train and test accuracy."""
    return SeedRuns([history(tr, te, seed=s, **kwargs) for s, (tr, te) in enumerate(zip(rows_train, rows_test))])


def band_edges(collection, x):
    """Lower and upper edge of a fill_between band at each x, read back from its polygon's vertices."""
    vertices = np.concatenate([path.vertices for path in collection.get_paths()])
    low, high = [], []
    for xi in x:
        ys = vertices[np.isclose(vertices[:, 0], xi), 1]
        low.append(ys.min() if ys.size else np.nan)
        high.append(ys.max() if ys.size else np.nan)
    return np.array(low), np.array(high)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_learning_curves_draw_train_and_test_and_title_the_final_numbers():
    h = history([0.5, 0.9, 1.0], [0.4, 0.7, 0.8])
    fig = plot_learning_curves(h, show_loss=True)
    acc, loss = fig.axes
    lines = lines_by_label(acc)
    np.testing.assert_array_equal(lines["train"].get_ydata(), h.train_acc)
    np.testing.assert_array_equal(lines["test"].get_ydata(), h.test_acc)
    assert acc.get_title() == "train 1.000, test 0.800, gap 0.200"
    np.testing.assert_array_equal(loss.get_lines()[1].get_ydata(), h.test_loss)
    assert loss.get_yscale() == "log"


def test_learning_curves_name_the_second_curve_and_refuse_loss_on_a_shared_axis():
    h = history([0.5, 0.9], [0.4, 0.7])
    fig, ax = plt.subplots()
    plot_learning_curves(h, ax=ax, test_label="validation")
    assert set(lines_by_label(ax)) == {"train", "validation"}
    with pytest.raises(ValueError, match="show_loss"):
        plot_learning_curves(h, ax=ax, show_loss=True)
    with pytest.raises(TypeError, match="History"):
        plot_learning_curves({"train_acc": [1.0]})


def test_compare_draws_one_panel_per_run_and_hides_the_spare_ones():
    runs = {f"run {k}": history([0.5, 0.6 + k / 10], [0.4, 0.5]) for k in range(4)}
    fig = compare_learning_curves(runs, ncols=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 6 and len(visible) == 4
    assert visible[2].get_title().startswith("run 2\ntrain 0.80")
    with pytest.raises(ValueError, match="at least one"):
        compare_learning_curves({})


def test_plot_metric_draws_the_named_attribute_per_run():
    runs = {"a": history([0.5, 0.9], [0.4, 0.6]), "b": history([0.5, 0.7], [0.4, 0.65], weight_norm=[9.0, 8.0])}
    fig = plot_metric(runs, "gap")
    np.testing.assert_allclose(lines_by_label(fig.axes[0])["a"].get_ydata(), [0.1, 0.3])
    fig = plot_metric(runs, "weight_norm", ylabel="‖W‖")
    np.testing.assert_array_equal(lines_by_label(fig.axes[0])["b"].get_ydata(), [9.0, 8.0])
    assert fig.axes[0].get_ylabel() == "‖W‖"
    with pytest.raises(ValueError, match="metric"):
        plot_metric(runs, "no_such_metric")


def test_plot_sweep_draws_final_accuracies_and_gap_against_the_setting():
    runs = [history([0.5, 1.0], [0.4, 0.7]), history([0.5, 0.9], [0.4, 0.8])]
    fig = plot_sweep([0.0, 0.1], runs, xlabel="λ", logx=True)
    lines = lines_by_label(fig.axes[0])
    np.testing.assert_array_equal(lines["train"].get_ydata(), [1.0, 0.9])
    np.testing.assert_allclose(lines["gap (train − test)"].get_ydata(), [0.3, 0.1])
    assert fig.axes[0].get_xscale() == "symlog"
    with pytest.raises(ValueError, match="same length"):
        plot_sweep([0.0], runs, xlabel="λ")


def test_weight_histograms_count_the_weights_and_no_bias():
    net = MultiLayerNet(4, [3], 2, rng=0)
    for key in net.params:  # every weight 0.5, every bias 1.5: two different bins of width 1
        net.params[key][...] = 0.5 if key.startswith("W") else 1.5
    fig = plot_weight_histograms({"net": net}, bins=10, value_range=(-5.0, 5.0))
    (patch,) = fig.axes[0].patches
    x, y = patch.get_path().vertices.T
    # a density histogram of the weights alone: all mass, density 1, in the bin [0, 1); none in [1, 2)
    assert y.max() == pytest.approx(1.0)
    assert set(x[y > 0]) <= {0.0, 1.0}
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "net"


# --- several seeds: mean line and a band of ±1 sd ----------------------------------------

TRAIN_ROWS = [[0.6, 1.0], [0.5, 0.9], [0.7, 1.0]]
TEST_ROWS = [[0.5, 0.7], [0.4, 0.6], [0.6, 0.8]]   # mean (0.5, 0.7), sample sd (0.1, 0.1)


def test_learning_curves_of_seed_runs_draw_the_mean_and_a_band_of_one_sd():
    runs = seed_runs(TRAIN_ROWS, TEST_ROWS)
    fig = plot_learning_curves(runs)
    ax = fig.axes[0]
    lines = lines_by_label(ax)
    test_line = lines["test (mean ± 1 sd over 3 seeds)"]
    np.testing.assert_allclose(test_line.get_ydata(), [0.5, 0.7])
    np.testing.assert_allclose(lines["train (mean ± 1 sd over 3 seeds)"].get_ydata(), [0.6, 29 / 30])
    train_band, test_band = ax.collections
    low, high = band_edges(test_band, [1, 2])
    np.testing.assert_allclose(low, [0.4, 0.6])
    np.testing.assert_allclose(high, [0.6, 0.8])
    low, high = band_edges(train_band, [1, 2])
    np.testing.assert_allclose(high - low, 2 * runs.std("train_acc"))
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["train (mean ± 1 sd over 3 seeds)", "test (mean ± 1 sd over 3 seeds)"]
    assert ax.get_title() == "train 0.967±0.058, test 0.700±0.100, gap 0.267±0.058"


def test_a_band_leaves_a_hole_where_only_one_seed_is_left_and_the_title_notes_divergence():
    runs = SeedRuns([history([0.5, 0.9, 1.0], [0.4, 0.6, 0.7], seed=0),
                     history([0.5, 0.8, 0.9], [0.4, 0.5, 0.6], seed=1),
                     history([0.5, 0.7], [0.3, 0.5], seed=2, diverged="training diverged in epoch 3")])
    fig = plot_learning_curves(runs)
    low, high = band_edges(fig.axes[0].collections[1], [1, 2, 3])
    np.testing.assert_allclose(high - low, 2 * runs.std("test_acc"))   # epoch 3: 2 seeds left
    one = SeedRuns([history([0.5, 0.9], [0.4, 0.6], seed=0), history([0.5], [0.4], seed=1)])
    low, high = band_edges(plot_seed_band(one).axes[0].collections[0], [1, 2])
    assert np.isfinite(low[0]) and np.isnan(low[1]), "no band where a single seed has a value"
    assert fig.axes[0].get_title().endswith("(1 of 3 seeds diverged; left out)")


def test_plot_seed_band_draws_one_quantity_with_its_label_and_colour():
    a = seed_runs(TRAIN_ROWS, TEST_ROWS)
    b = seed_runs(TRAIN_ROWS, [[0.6, 0.8], [0.5, 0.9], [0.7, 0.7]])
    fig = plot_seed_band(a, "gap", label="λ = 0", color="tab:purple")
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), a.mean("gap"))
    low, high = band_edges(ax.collections[0], [1, 2])
    np.testing.assert_allclose(low, a.mean("gap") - a.std("gap"))
    np.testing.assert_allclose(high, a.mean("gap") + a.std("gap"))
    assert line.get_label() == "λ = 0 (mean ± 1 sd over 3 seeds)" and line.get_color() == "tab:purple"
    assert ax.get_ylabel() == "gap (train − test)" and ax.get_xlabel() == "epoch"
    plot_seed_band(b, ax=ax, label="λ = 0.1", show_seeds=True)
    assert len(ax.collections) == 2 and len(ax.get_lines()) == 1 + 1 + 3   # mean, mean, 3 seed curves
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "λ = 0 (mean ± 1 sd over 3 seeds)", "λ = 0.1 (mean ± 1 sd over 3 seeds)"]
    assert plot_seed_band(a).axes[0].get_ylabel() == "test accuracy"


def test_plot_seed_band_refuses_a_single_history_and_unknown_keys():
    with pytest.raises(TypeError, match="SeedRuns"):
        plot_seed_band(history([0.5], [0.4]))
    with pytest.raises(ValueError, match="key"):
        plot_seed_band(seed_runs(TRAIN_ROWS, TEST_ROWS), "accuracy")
    with pytest.raises(TypeError, match="History or a SeedRuns"):
        plot_learning_curves([history([0.5], [0.4])])


def test_plot_sweep_of_seed_runs_draws_means_with_sd_error_bars():
    low_lam = seed_runs(TRAIN_ROWS, TEST_ROWS)
    high_lam = seed_runs([[0.5, 0.8], [0.5, 0.8], [0.5, 0.9]], [[0.4, 0.7], [0.4, 0.75], [0.4, 0.8]])
    fig = plot_sweep([0.0, 0.1], [low_lam, high_lam], xlabel="λ")
    ax = fig.axes[0]
    containers = {c.get_label(): c for c in ax.containers}
    test = containers["test (mean ± 1 sd over 3 seeds)"]
    data_line, _, (bars,) = test.lines
    np.testing.assert_allclose(data_line.get_ydata(), [0.7, 0.75])
    segments = bars.get_segments()             # one vertical bar per value: mean − sd to mean + sd
    np.testing.assert_allclose([s[:, 1].min() for s in segments], [0.6, 0.7])
    np.testing.assert_allclose([s[:, 1].max() for s in segments], [0.8, 0.8])
    assert set(containers) == {"train (mean ± 1 sd over 3 seeds)", "test (mean ± 1 sd over 3 seeds)",
                               "gap (train − test) (mean ± 1 sd over 3 seeds)"}
    with pytest.raises(TypeError, match="mix"):
        plot_sweep([0.0, 0.1], [low_lam, history([0.5], [0.4])], xlabel="λ")


def test_plot_metric_and_compare_take_seed_runs_too():
    runs = seed_runs(TRAIN_ROWS, TEST_ROWS)
    fig = plot_metric({"3 seeds": runs, "one": history([0.5, 0.9], [0.4, 0.6])}, "test_acc")
    lines = lines_by_label(fig.axes[0])
    np.testing.assert_allclose(lines["3 seeds (mean ± 1 sd over 3 seeds)"].get_ydata(), [0.5, 0.7])
    np.testing.assert_allclose(lines["one"].get_ydata(), [0.4, 0.6])
    assert len(fig.axes[0].collections) == 1
    fig = compare_learning_curves({"L2": runs, "none": history([0.5, 1.0], [0.4, 0.7])}, ncols=2)
    assert fig.axes[0].get_title() == "L2\ntrain 0.97±0.06 / test 0.70±0.10"
    assert fig.axes[1].get_title() == "none\ntrain 1.00 / test 0.70"


def test_loss_panel_compares_data_loss_with_data_loss_and_draws_the_penalty_apart():
    h = history([0.5, 0.9, 1.0], [0.4, 0.7, 0.8], data_loss=True, penalty=0.05)
    loss = plot_learning_curves(h, show_loss=True).axes[1]
    lines = lines_by_label(loss)
    np.testing.assert_allclose(lines["train loss (error only)"].get_ydata(), h.train_data_loss)
    np.testing.assert_allclose(lines["test loss (error only)"].get_ydata(), h.test_loss)
    np.testing.assert_allclose(lines["penalty term"].get_ydata(), [0.05] * 3)
    assert lines["penalty term"].get_linestyle() == "--"
    no_penalty = history([0.5, 0.9], [0.4, 0.7], data_loss=True, penalty=0.0)
    assert "penalty term" not in lines_by_label(plot_learning_curves(no_penalty, show_loss=True).axes[1])
    runs = seed_runs(TRAIN_ROWS, TEST_ROWS, data_loss=True, penalty=0.05)
    loss = plot_learning_curves(runs, show_loss=True).axes[1]
    assert "penalty term (mean ± 1 sd over 3 seeds)" in lines_by_label(loss)


# --- the current language -----------------------------------------------------------------


def visible_text(fig):
    texts = [fig.texts, *[ax.texts for ax in fig.axes]]
    out = [t.get_text() for group in texts for t in group]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend():
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return [text for text in out if text]


def test_every_label_follows_japanese_and_renders_without_missing_glyphs():
    set_language("ja")
    runs = seed_runs(TRAIN_ROWS, TEST_ROWS, data_loss=True, penalty=0.05)
    figures = [
        plot_learning_curves(runs, show_loss=True),
        plot_learning_curves(history([0.5, 1.0], [0.4, 0.7]), show_loss=True),
        plot_seed_band(runs, "gap"),
        plot_sweep([0.0, 0.1], [runs, runs], xlabel="荷重減衰 λ"),
        plot_weight_histograms({"λ = 0.1": MultiLayerNet(4, [3], 2, rng=0)}),
    ]
    acc = figures[0].axes[0]
    assert (acc.get_xlabel(), acc.get_ylabel()) == ("エポック", "正解率")
    assert [t.get_text() for t in acc.get_legend().get_texts()] == [
        "訓練データ（シード 3 個の平均 ± 1 標準偏差）", "テストデータ（シード 3 個の平均 ± 1 標準偏差）"]
    assert acc.get_title() == "訓練 0.967±0.058、テスト 0.700±0.100、ギャップ 0.267±0.058"
    assert figures[0].axes[1].get_ylabel() == "誤差"
    assert figures[1].axes[0].get_title() == "訓練 1.000、テスト 0.700、ギャップ 0.300"
    assert figures[2].axes[0].get_ylabel() == "ギャップ（訓練 − テスト）"
    assert figures[3].axes[0].get_ylabel() == "最後の正解率"
    assert figures[4].axes[0].get_xlabel() == "重みの値"
    english = {"train", "test", "epoch", "accuracy", "loss", "gap", "density", "weight value", "seeds", "mean"}
    for fig in figures:
        for text in visible_text(fig):
            assert not any(word in text.split() for word in english), f"English left in a Japanese figure: {text!r}"
        with warnings.catch_warnings():
            warnings.simplefilter("error")          # "Glyph … missing from font" is a UserWarning
            fig.canvas.draw()
