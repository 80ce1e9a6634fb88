"""common.capacity: parameter counts agree with the networks MultiLayerNet actually builds."""

from __future__ import annotations

import numpy as np
import pytest

from common.capacity import count_parameters, parameter_count
from common.multi_layer_net import MultiLayerNet


def test_lecture_network_by_hand():
    # 784·100+100, five times 100·100+100, 100·10+10
    assert parameter_count([100] * 6) == 78_500 + 5 * 10_100 + 1_010 == 130_010
    assert parameter_count([100] * 6, biases=False) == 78_400 + 5 * 10_000 + 1_000


@pytest.mark.parametrize("hidden", [[100], [100, 100, 100], [10] * 6, [7, 3], [300]])
def test_formula_matches_multilayernet(hidden):
    net = MultiLayerNet(784, hidden, 10, rng=0)
    assert count_parameters(net) == parameter_count(hidden)
    assert count_parameters(net, biases=False) == parameter_count(hidden, biases=False)
    assert count_parameters(net, biases=False) == sum(w.size for w in net.weights())


def test_other_input_and_output_sizes():
    net = MultiLayerNet(5, [4], 3, rng=0)
    assert parameter_count([4], input_size=5, output_size=3) == count_parameters(net) == 5 * 4 + 4 + 4 * 3 + 3


def test_no_hidden_layer_is_a_linear_classifier():
    assert parameter_count([]) == 784 * 10 + 10


def test_more_freedom_more_parameters():
    depths = [parameter_count([100] * d) for d in (1, 3, 6)]
    widths = [parameter_count([w] * 6) for w in (10, 50, 100, 300)]
    assert depths == sorted(depths) and len(set(depths)) == 3
    assert widths == sorted(widths) and len(set(widths)) == 4


def test_accepts_numpy_ints_and_tuples():
    assert parameter_count((np.int64(100),) * 2) == parameter_count([100, 100])


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        ({"hidden_size_list": "100"}, TypeError, "hidden_size_list"),
        ({"hidden_size_list": 100}, TypeError, "hidden_size_list"),
        ({"hidden_size_list": [100, 0]}, ValueError, "hidden_size_list[1]"),
        ({"hidden_size_list": [100.0]}, TypeError, "hidden_size_list[0]"),
        ({"hidden_size_list": [100], "input_size": 0}, ValueError, "input_size"),
        ({"hidden_size_list": [100], "output_size": True}, TypeError, "output_size"),
        ({"hidden_size_list": [100], "biases": 1}, TypeError, "biases"),
    ],
)
def test_parameter_count_rejects_bad_arguments(kwargs, error, word):
    with pytest.raises(error, match=word.replace("[", r"\[").replace("]", r"\]")):
        parameter_count(**kwargs)


def test_count_parameters_rejects_bad_networks():
    with pytest.raises(TypeError, match="params"):
        count_parameters(object())

    class Fake:
        params = {"W1": [[1.0]]}

    with pytest.raises(TypeError, match="W1"):
        count_parameters(Fake())
    with pytest.raises(TypeError, match="biases"):
        count_parameters(MultiLayerNet(5, [4], 3, rng=0), biases="no")


def test_notebook_01_exercise_answers_hold_on_seed_0():
    """The answers printed under notebook 01's exercises, checked: measured values (seed 0) in comments."""
    from common.experiments import train_lecture_net

    # Exercise 1: 4,000 digits, 51 epochs -> train 0.996, gap 0.063; 102 epochs -> train 1.000, gap 0.065
    # one 102-epoch run: its epoch 51 is exactly what a 51-epoch run ends with (same seed, same draws)
    run = train_lecture_net(n_train=4000, epochs=102)
    short, long = {k: getattr(run, k)[50] for k in ("train_acc", "test_acc")}, run.final()
    short["gap"] = short["train_acc"] - short["test_acc"]
    assert short["train_acc"] > 0.98 and long["train_acc"] > 0.98
    assert short["gap"] < 0.12  # the lecture's 300 digits leave ~0.20
    assert abs(long["gap"] - short["gap"]) < 0.03

    # Exercise 2: 6 x 300 units has several times the parameters, yet no larger gap:
    # lecture 1.000 / 0.797 (gap 0.203), 6 x 300 1.000 / 0.836 (gap 0.164)
    lecture = train_lecture_net(regularization="none").final()
    wide = train_lecture_net(regularization="none", hidden_size_list=[300] * 6).final()
    assert parameter_count([300] * 6) > 3 * parameter_count([100] * 6)
    assert wide["gap"] <= lecture["gap"]
    assert wide["test_acc"] > lecture["test_acc"] + 0.01
