"""common.plots: each figure draws the History's numbers it names, and refuses what it cannot draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from common.multi_layer_net import MultiLayerNet  # noqa: E402
from common.plots import (  # noqa: E402
    compare_learning_curves,
    plot_learning_curves,
    plot_metric,
    plot_sweep,
    plot_weight_histograms,
)
from common.trainer import History  # noqa: E402


def history(train, test, weight_norm=None):
    n = len(train)
    return History(
        epoch=list(range(1, n + 1)), train_acc=list(train), test_acc=list(test),
        train_loss=[1.0 / k for k in range(1, n + 1)], test_loss=[2.0 / k for k in range(1, n + 1)],
        weight_norm=list(weight_norm or [10.0] * n), sparsity=[0.1] * n, seconds=[0.1 * k for k in range(1, n + 1)],
    )


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
