"""course.capacity: parameter counts agree with the networks MultiLayerNet actually builds."""

from __future__ import annotations

import numpy as np
import pytest

from course.capacity import count_parameters, parameter_count
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


# --- notebook 01's exercise answers, checked on the seeds they name --------------------------------

EXERCISE_SEEDS = [0, 1]  # the answers name these; 4,000-digit and 6 × 300 runs are costly, so two seeds


@pytest.fixture(scope="module")
def lecture_runs():
    """The lecture's network (300 digits, 6 × 100, 201 epochs) on seeds 0 and 1 (notebook 01's fast mode trains them too)."""
    from course.experiments import train_lecture_net

    return train_lecture_net(seeds=EXERCISE_SEEDS)


def test_notebook_01_ex1_stopping_4000_digits_at_51_epochs_did_not_flatter_the_gap():
    # 4,000 digits, gap at epoch 51 -> 102 (train at 51 / 102):
    # seed 0 0.063 -> 0.065 (0.996 / 1.000), seed 1 0.063 -> 0.072 (0.983 / 1.000)  (seed 2: 0.068 -> 0.082)
    # one 102-epoch run: its epoch 51 is exactly what a 51-epoch run ends with (same seed, same draws)
    from course.experiments import train_lecture_net

    runs = train_lecture_net(n_train=4000, epochs=102, seeds=EXERCISE_SEEDS)
    short_train, long_train = runs.values("train_acc")[:, 50], runs.final_values("train_acc")
    short_gap, long_gap = runs.values("gap")[:, 50], runs.final_values("gap")
    assert np.all(short_train > 0.98) and np.all(long_train > 0.98), "(nearly) 1.0 on every seed"
    assert np.all(short_gap < 0.12), "much smaller than the ~0.20 of the lecture's 300 digits"
    assert np.all(np.abs(long_gap - short_gap) < 0.03), f"twice the epochs, about the same gap: {short_gap} -> {long_gap}"


def test_notebook_01_ex2_six_layers_of_300_units_no_larger_gap(lecture_runs):
    # test / gap: seed 0 lecture 0.797 / 0.203, 6 × 300 0.836 / 0.164; seed 1 0.806 / 0.194, 0.841 / 0.159
    # (seed 2: 0.790 / 0.210, 0.845 / 0.155)
    from course.experiments import train_lecture_net

    wide = train_lecture_net(hidden_size_list=[300] * 6, seeds=EXERCISE_SEEDS)
    assert parameter_count([300] * 6) > 3 * parameter_count([100] * 6)
    assert np.all(wide.final_values("gap") < lecture_runs.final_values("gap")), "a smaller gap on every seed"
    assert np.all(wide.final_values("test_acc") > lecture_runs.final_values("test_acc") + 0.01), "a higher test accuracy"


def test_notebook_01_ex3_one_seed_alone_can_be_within_the_test_digits_noise():
    # 1 layer − 6 layers, test accuracy, seed 3: +0.014 (95 % interval −0.009 … +0.036): includes 0;
    # the 5-seed mean +0.030 (+0.018 … +0.042) excludes it (asserted in the notebook)
    from course.experiments import lecture_data, train_lecture_net
    from course.seeds import correct_per_digit, paired_bootstrap

    six, one = train_lecture_net(seed=3), train_lecture_net(hidden_size_list=[100], seed=3)
    _, (x_test, t_test) = lecture_data()
    diff = paired_bootstrap(correct_per_digit(six, x_test, t_test), correct_per_digit(one, x_test, t_test))
    assert diff.difference > 0, "the single layer still wins on seed 3 ..."
    assert not diff.excludes_zero, f"... but by less than the noise of the test digits: {diff}"


def test_notebook_01_ex4_ten_units_smaller_gap_but_lower_test_accuracy(lecture_runs):
    # 1 × 10 units, test / gap: seed 0 0.758 / 0.142, seed 1 0.789 / 0.118 (lecture: 0.797 / 0.203, 0.806 / 0.194);
    # train 0.900, 0.907 (seed 2: 0.780 / 0.143 vs 0.790 / 0.210)
    from course.experiments import train_lecture_net

    tiny = train_lecture_net(hidden_size_list=[10], seeds=EXERCISE_SEEDS)
    assert np.all(tiny.final_values("train_acc") < 0.95), "training accuracy no longer reaches 1.0"
    assert np.all(tiny.final_values("gap") < lecture_runs.final_values("gap") - 0.03)
    assert np.all(tiny.final_values("test_acc") < lecture_runs.final_values("test_acc")), "underfitting: lower test accuracy"
