"""course.seeds: statistics over seeds against hand computation, NaN padding, pairing, the bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course.i18n import set_language
from common.multi_layer_net import MultiLayerNet
from course.seeds import (
    BootstrapDiff,
    SeedRuns,
    compare,
    correct_per_digit,
    format_spread,
    history_keys,
    paired_bootstrap,
    run_seeds,
)
from common.trainer import History, Trainer, TrainingDiverged


def history(train, test, seed, *, diverged=None, network=None, weight_norm=None):
    """A History built by hand: no training needed to test the statistics."""
    n = len(train)
    return History(
        settings={"seed": seed, "weight_decay_lambda": 0.1, "n_train": 300},
        epoch=list(range(1, n + 1)), train_acc=list(train), test_acc=list(test),
        train_loss=[1.0 / k for k in range(1, n + 1)], test_loss=[2.0 / k for k in range(1, n + 1)],
        weight_norm=list(weight_norm or [10.0] * n), sparsity=[0.1] * n, seconds=[0.1 * k for k in range(1, n + 1)],
        train_data_loss=[0.5 / k for k in range(1, n + 1)], penalty=[0.01] * n,
        diverged=diverged, network=network,
    )


@pytest.fixture
def three():
    # test accuracy per epoch: seed 0 (0.5, 0.7), seed 1 (0.4, 0.6), seed 2 (0.6, 0.8)
    return SeedRuns([history([0.6, 1.0], [0.5, 0.7], 0),
                     history([0.5, 0.9], [0.4, 0.6], 1),
                     history([0.7, 1.0], [0.6, 0.8], 2)])


@pytest.fixture
def japanese():
    set_language("ja")
    yield
    set_language("en")


def test_keys_are_the_history_lists_plus_gap():
    keys = history_keys()
    assert {"train_acc", "test_acc", "train_loss", "test_loss", "weight_norm", "sparsity", "gap"} <= set(keys)
    assert "settings" not in keys and "network" not in keys and "diverged" not in keys


def test_mean_sd_min_max_per_epoch_match_a_hand_computation(three):
    np.testing.assert_allclose(three.values("test_acc"), [[0.5, 0.7], [0.4, 0.6], [0.6, 0.8]])
    np.testing.assert_allclose(three.mean("test_acc"), [0.5, 0.7])
    # sample sd, ddof=1: deviations ±0.1 and 0 -> sqrt((0.01 + 0 + 0.01) / 2) = 0.1 (ddof=0 would give 0.0816)
    np.testing.assert_allclose(three.std("test_acc"), [0.1, 0.1])
    np.testing.assert_allclose(three.min("test_acc"), [0.4, 0.6])
    np.testing.assert_allclose(three.max("test_acc"), [0.6, 0.8])
    # gap per seed first (0.3, 0.3, 0.2 at the end), then averaged
    np.testing.assert_allclose(three.mean("gap"), [0.1, 0.8 / 3])
    np.testing.assert_allclose(three.gap, three.mean("gap"))
    np.testing.assert_array_equal(three.count("test_acc"), [3, 3])
    np.testing.assert_array_equal(three.epoch, [1, 2])


def test_final_gives_mean_sd_min_max_and_the_per_seed_values(three):
    final = three.final("test_acc")
    assert final["mean"] == pytest.approx(0.7) and final["std"] == pytest.approx(0.1)
    assert (final["min"], final["max"], final["n"]) == (pytest.approx(0.6), pytest.approx(0.8), 3)
    np.testing.assert_allclose(final["values"], [0.7, 0.6, 0.8])


def test_short_and_diverged_runs_are_padded_with_nan_and_left_out():
    runs = SeedRuns([
        history([0.5, 0.9, 1.0], [0.4, 0.7, 0.8], 0),
        history([0.5, 0.8, 0.9], [0.4, 0.6, 0.6], 1),
        history([0.5, 0.8], [0.4, 0.5], 2, diverged="training diverged in epoch 3"),
        history([0.5], [0.3], 3),                          # stopped early by a callback, not diverged
    ])
    values = runs.values("test_acc")
    assert values.shape == (4, 3)
    assert np.isnan(values[2, 2]) and np.isnan(values[3, 1:]).all()
    np.testing.assert_array_equal(runs.count("test_acc"), [4, 3, 2])
    np.testing.assert_allclose(runs.mean("test_acc"), [0.375, 0.6, 0.7])
    np.testing.assert_allclose(runs.std("test_acc")[2], math.sqrt(0.02))
    # the diverged seed has no final value; the early-stopped one counts with its last epoch
    final = runs.final("test_acc")
    np.testing.assert_allclose(final["values"], [0.8, 0.6, np.nan, 0.3])
    assert final["n"] == 3 and final["mean"] == pytest.approx(1.7 / 3)
    assert runs.diverged_seeds == (2,) and runs.n_diverged == 1
    assert "1 of 4 seeds diverged" in runs.summary()


def test_an_epoch_with_one_value_has_no_sd_and_an_empty_runs_column_is_nan():
    runs = SeedRuns([history([0.5, 0.9], [0.4, 0.7], 0), history([0.5], [0.5], 1)])
    sd = runs.std("test_acc")
    assert sd[0] == pytest.approx(math.sqrt(0.005)) and math.isnan(sd[1])
    lone = SeedRuns([history([0.5], [0.4], 0)])
    assert math.isnan(lone.final("test_acc")["std"]) and lone.final("test_acc")["mean"] == pytest.approx(0.4)
    assert format_spread(lone.final("test_acc")["values"]) == "0.400"


def test_a_sequence_of_histories_with_settings_minus_the_seed(three):
    assert len(three) == 3 and three.seeds == (0, 1, 2)
    assert list(three) == list(three.histories) and three[1] is three.histories[1]
    assert three.settings == {"weight_decay_lambda": 0.1, "n_train": 300}
    assert "seeds=[0, 1, 2]" in repr(three)


def test_seedruns_refuses_what_it_cannot_summarize(three):
    h = history([0.5], [0.4], 0)
    with pytest.raises(ValueError, match="at least one"):
        SeedRuns([])
    with pytest.raises(TypeError, match="histories"):
        SeedRuns(h)
    with pytest.raises(TypeError, match=r"histories\[1\]"):
        SeedRuns([h, {"test_acc": [0.5]}])
    with pytest.raises(ValueError, match="distinct"):
        SeedRuns([h, history([0.5], [0.4], 0)])
    with pytest.raises(ValueError, match="same length"):
        SeedRuns([h], seeds=[0, 1])
    with pytest.raises(ValueError, match="seeds must be given"):
        SeedRuns([History(epoch=[1], train_acc=[0.5], test_acc=[0.4])])
    with pytest.raises(ValueError, match="key must be one of"):
        three.mean("accuracy")
    with pytest.raises(TypeError, match="key"):
        three.values(3)


def test_format_spread_writes_mean_sd_min_max():
    assert format_spread([0.7, 0.6, 0.8]) == "0.700 ± 0.100 [0.600, 0.800]"
    assert format_spread([0.02, -0.01, np.nan], 2, signed=True) == "+0.01 ± 0.02 [-0.01, +0.02]"
    assert format_spread([np.nan]) == "—"
    with pytest.raises(ValueError, match="digits"):
        format_spread([0.5], -1)


def test_summary_text_for_prose_in_english_and_japanese(three, japanese):
    set_language("en")
    assert three.summary() == "0.700 ± 0.100 [0.600, 0.800] over 3 seeds"
    assert str(three).startswith("train 0.967 ± 0.058 [0.900, 1.000], test 0.700 ± 0.100")
    set_language("ja")
    assert three.summary() == "0.700 ± 0.100 [0.600, 0.800]（シード 3 個）"
    assert str(three).startswith("訓練 0.967") and "テスト 0.700" in str(three)


# --- run_seeds ------------------------------------------------------------------------


def test_run_seeds_calls_train_one_once_per_seed_in_order():
    called = []

    def train_one(seed):
        called.append(seed)
        return history([0.5, 0.9], [0.4, 0.6 + seed / 100], seed)

    runs = run_seeds(train_one, [3, 1, 4])
    assert called == [3, 1, 4] and runs.seeds == (3, 1, 4)
    np.testing.assert_allclose(runs.final("test_acc")["values"], [0.63, 0.61, 0.64])


def test_run_seeds_records_a_diverged_seed_and_carries_on():
    partial = history([0.5, 0.6], [0.4, 0.5], 1)

    def train_one(seed):
        if seed == 1:
            err = TrainingDiverged("training diverged in epoch 3")
            err.history = partial                           # a trainer may attach what it recorded
            raise err
        if seed == 2:
            raise TrainingDiverged("training diverged in epoch 1")
        return history([0.5, 0.9, 1.0], [0.4, 0.6, 0.7], seed)

    runs = run_seeds(train_one, [0, 1, 2, 3])
    assert runs.diverged_seeds == (1, 2)
    assert runs.histories[1] is partial and partial.diverged == "training diverged in epoch 3"
    assert runs.histories[2].epoch == [] and runs.histories[2].settings == {"seed": 2}
    assert runs.settings == {"weight_decay_lambda": 0.1, "n_train": 300}
    np.testing.assert_array_equal(runs.count("test_acc"), [3, 3, 2])
    assert runs.final("test_acc")["n"] == 2


def test_run_seeds_validates_its_arguments():
    ok = lambda seed: history([0.5], [0.4], seed)  # noqa: E731
    with pytest.raises(TypeError, match="train_one"):
        run_seeds("train", [0])
    with pytest.raises(TypeError, match="train_one must return a History"):
        run_seeds(lambda seed: {"test_acc": [0.5]}, [0])
    with pytest.raises(ValueError, match="at least one seed"):
        run_seeds(ok, [])
    with pytest.raises(TypeError, match="seeds"):
        run_seeds(ok, 5)
    with pytest.raises(TypeError, match=r"seeds\[1\]"):
        run_seeds(ok, [0, True])
    with pytest.raises(ValueError, match=r"seeds\[0\] must be >= 0"):
        run_seeds(ok, [-1])
    with pytest.raises(ValueError, match="distinct"):
        run_seeds(ok, [0, 1, 0])


def test_run_seeds_with_real_training_varies_with_the_seed_and_repeats_exactly():
    rng = np.random.default_rng(0)
    x, t = rng.random((60, 20), dtype=np.float32), rng.integers(0, 3, size=60)

    def train_one(seed):
        init, order = np.random.default_rng(seed).spawn(2)
        net = MultiLayerNet(20, [16], 3, rng=init)
        trainer = Trainer(net, x[:40], t[:40], x[40:], t[40:], epochs=4, mini_batch_size=10,
                          optimizer_param={"lr": 0.1}, verbose=False, rng=order, settings={"seed": seed})
        return trainer.train()

    runs, again = run_seeds(train_one, [0, 1, 2]), run_seeds(train_one, [0, 1, 2])
    np.testing.assert_array_equal(runs.values("train_loss"), again.values("train_loss"))
    assert np.all(runs.std("train_loss") > 0), "different seeds should give different runs"
    assert runs.settings["hidden_size_list"] == [16] and "seed" not in runs.settings


# --- compare ----------------------------------------------------------------------------


def finals(values, seeds=None):
    seeds = list(range(len(values))) if seeds is None else seeds
    return SeedRuns([history([1.0], [v], s) for v, s in zip(values, seeds)], seeds)


def test_compare_pairs_by_seed_and_counts_agreeing_signs():
    a = finals([0.70, 0.75, 0.72, 0.74, 0.71])
    b = finals([0.73, 0.76, 0.76, 0.75, 0.75])
    result = compare(a, b, label_a="none", label_b="L2")
    np.testing.assert_allclose(result.differences, [0.03, 0.01, 0.04, 0.01, 0.04])
    assert result.mean == pytest.approx(0.026)
    assert result.std == pytest.approx(np.std([0.03, 0.01, 0.04, 0.01, 0.04], ddof=1))
    assert result.direction == 1 and result.all_higher and not result.all_lower
    assert result.verdict == "higher on all 5 seeds"
    assert str(result) == ("test, L2 − none per seed: +0.026 ± 0.015 [+0.010, +0.040]; higher on all 5 seeds")
    # the same numbers unpaired would overlap: the spread of a alone is as large as the difference
    assert np.std(a.final("test_acc")["values"], ddof=1) > 0.5 * result.mean


def test_compare_pairs_seeds_given_in_another_order():
    a = finals([0.70, 0.80, 0.60], seeds=[0, 1, 2])
    b = finals([0.61, 0.71, 0.81], seeds=[2, 0, 1])       # b: seed 0 -> 0.71, 1 -> 0.81, 2 -> 0.61
    np.testing.assert_allclose(compare(a, b).differences, [0.01, 0.01, 0.01])


def test_compare_says_within_the_spread_when_the_signs_disagree():
    a = finals([0.70, 0.75, 0.72, 0.74, 0.71])
    b = finals([0.73, 0.74, 0.76, 0.73, 0.72])
    result = compare(a, b, key="test_acc")
    assert result.direction == 0 and (result.n_higher, result.n_lower) == (3, 2)
    assert result.verdict == "within the spread (higher on 3, lower on 2 of 5 seeds)"
    assert compare(b, a).direction == 0
    tie = compare(a, finals([0.69, 0.74, 0.72, 0.73, 0.70]))   # equal on seed 2: not "lower on all"
    assert tie.direction == 0 and tie.verdict == "within the spread (higher on 0, lower on 4 of 5 seeds)"


def test_compare_lower_few_seeds_and_diverged_seeds():
    a, b = finals([0.8, 0.8, 0.8]), finals([0.7, 0.75, 0.7])
    result = compare(a, b)
    assert result.all_lower and result.verdict.startswith("lower on all 3 seeds (only 3 seeds")
    diverged = SeedRuns([history([1.0], [0.9], 0), history([1.0], [0.9], 1, diverged="blew up"),
                         history([1.0], [0.9], 2)])
    result = compare(a, diverged)
    assert result.n == 2 and "1 seed(s) left out" in str(result)
    gap = compare(a, b, key="gap")                        # train 1.0 everywhere: gap = 1 − test
    assert gap.all_higher


def test_compare_refuses_unpaired_or_wrong_inputs():
    a = finals([0.7, 0.8])
    with pytest.raises(ValueError, match="same seeds"):
        compare(a, finals([0.7, 0.8], seeds=[0, 5]))
    with pytest.raises(TypeError, match="runs_b"):
        compare(a, history([1.0], [0.5], 0))
    with pytest.raises(ValueError, match="key"):
        compare(a, a, key="accuracy")
    with pytest.raises(TypeError, match="label_a"):
        compare(a, a, label_a=1)


def test_compare_in_japanese(japanese):
    result = compare(finals([0.70, 0.75, 0.72, 0.74, 0.71]), finals([0.73, 0.76, 0.76, 0.75, 0.75]))
    assert result.verdict == "シード 5 個すべてで高い"
    assert str(result).startswith("テストの差（B − A、シードごと）：+0.026")


# --- the bootstrap over test digits ------------------------------------------------------


def correlated_digits(n, rng, p_a=0.75, p_b=0.78):
    """Per-digit correctness of two networks that agree on most digits (as two trained nets do)."""
    u = rng.random(n)
    return u < p_a, u < p_b  # b is right wherever a is, and on 3 % more


def test_bootstrap_difference_is_b_minus_a_and_the_interval_has_the_analytic_width():
    rng = np.random.default_rng(1)
    a = rng.random(1000) < 0.75
    b = np.where(rng.random(1000) < 0.2, ~a, a)             # b disagrees with a on ~20 % of digits
    result = paired_bootstrap(a, b, n_boot=4000, rng=0)
    d = b.astype(float) - a
    assert result.difference == pytest.approx(d.mean())
    assert result.n_digits == 1000 and result.n_boot == 4000 and result.ci == 0.95
    # the paired standard error is sd(d)/sqrt(n); the 95 % interval is about ±1.96 of it
    se = d.std(ddof=1) / math.sqrt(d.size)
    assert result.se == pytest.approx(se, rel=0.08)
    assert result.high - result.low == pytest.approx(2 * 1.96 * se, rel=0.1)
    assert result.low < result.difference < result.high


def test_bootstrap_is_deterministic_for_a_seed_and_moves_with_it():
    rng = np.random.default_rng(2)
    a, b = correlated_digits(500, rng)
    first, again = paired_bootstrap(a, b, rng=0), paired_bootstrap(a, b, rng=0)
    assert first == again
    other = paired_bootstrap(a, b, rng=1)
    # differences of 0/1 answers sit on a grid of 1/500, so the ends may coincide; the se does not
    assert other.se != first.se and other.difference == first.difference
    gen = np.random.default_rng(5)
    assert paired_bootstrap(a, b, rng=gen) != paired_bootstrap(a, b, rng=gen)   # a Generator advances


def test_bootstrap_interval_covers_the_true_difference_about_as_often_as_promised():
    rng = np.random.default_rng(3)
    true_difference = 0.78 - 0.75
    covered = []
    for rep in range(200):                               # 200 fresh test sets of 200 digits
        a, b = correlated_digits(200, rng)
        result = paired_bootstrap(a, b, n_boot=400, rng=rep)
        covered.append(result.low <= true_difference <= result.high)
    assert 0.89 <= np.mean(covered) <= 0.99, f"95 % intervals covered the truth {np.mean(covered):.0%} of the time"


def test_bootstrap_of_identical_answers_is_exactly_zero_and_fractions_are_accepted():
    a = np.random.default_rng(4).random(300)               # fractions of seeds in [0, 1]
    same = paired_bootstrap(a, a.copy())
    assert (same.difference, same.low, same.high) == (0.0, 0.0, 0.0) and not same.excludes_zero
    shifted = paired_bootstrap(a * 0.5, a * 0.5 + 0.25)
    assert shifted.excludes_zero and shifted.low > 0


def test_bootstrap_text_in_both_languages(japanese):
    a, b = correlated_digits(1000, np.random.default_rng(6), 0.70, 0.80)
    result = paired_bootstrap(a, b)
    set_language("en")
    assert str(result).startswith(f"{result.difference:+.3f} (95% interval ")
    assert str(result).endswith("over 1000 test digits): the interval excludes 0")
    set_language("ja")
    assert "テストデータ 1000 個" in str(result) and str(result).endswith("区間は 0 を含まない")


def test_bootstrap_validates_its_arguments():
    a = np.array([True, False, True])
    with pytest.raises(ValueError, match="same digits"):
        paired_bootstrap(a, a[:2])
    with pytest.raises(ValueError, match=r"correct_b must hold per-digit correctness in \[0, 1\]"):
        paired_bootstrap(a, np.array([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="correct_a must be a 1-D"):
        paired_bootstrap(np.ones((3, 2)), a)
    with pytest.raises(ValueError, match="ci must be in"):
        paired_bootstrap(a, a, ci=1.0)
    with pytest.raises(ValueError, match="n_boot must be >= 10"):
        paired_bootstrap(a, a, n_boot=5)
    with pytest.raises(TypeError, match="n_boot"):
        paired_bootstrap(a, a, n_boot=100.0)
    with pytest.raises(ValueError, match="NaN"):
        paired_bootstrap(np.array([np.nan, 1.0, 0.0]), a)
    assert isinstance(paired_bootstrap(a, a), BootstrapDiff)


# --- correct_per_digit ----------------------------------------------------------------------


class FixedScores:
    """A stand-in network whose predicted class per digit is fixed."""

    def __init__(self, predicted):
        self.predicted = np.asarray(predicted)

    def predict(self, x):
        assert x.ndim == 2, "correct_per_digit should hand the network flat rows"
        scores = np.zeros((x.shape[0], 3))
        scores[np.arange(x.shape[0]), self.predicted] = 1.0
        return scores


def test_correct_per_digit_is_the_fraction_of_seeds_right_on_each_digit():
    x, labels = np.zeros((4, 2, 2, 1)), np.array([0, 1, 2, 1])   # 4-D images are flattened
    runs = SeedRuns([
        history([1.0], [0.5], 0, network=FixedScores([0, 1, 0, 0])),
        history([1.0], [0.5], 1, network=FixedScores([0, 2, 2, 1])),
        history([1.0], [0.5], 2, network=FixedScores([1, 1, 2, 1])),
        history([1.0], [0.5], 3, network=FixedScores([0, 1, 2, 1]), diverged="blew up"),   # counts as wrong
    ])
    np.testing.assert_allclose(correct_per_digit(runs, x, labels), [2 / 4, 2 / 4, 2 / 4, 2 / 4])
    np.testing.assert_array_equal(correct_per_digit(runs[1], x, labels), [1.0, 0.0, 1.0, 1.0])
    one_hot = np.eye(3)[labels]
    np.testing.assert_array_equal(correct_per_digit(runs[1], x, one_hot), [1.0, 0.0, 1.0, 1.0])


def test_correct_per_digit_agrees_with_the_networks_own_accuracy():
    rng = np.random.default_rng(0)
    x, labels = rng.random((50, 6), dtype=np.float32), rng.integers(0, 4, size=50)
    net = MultiLayerNet(6, [5], 4, rng=0)
    correct = correct_per_digit(history([1.0], [0.5], 0, network=net), x, labels)
    assert set(np.unique(correct)) <= {0.0, 1.0}
    assert correct.mean() == pytest.approx(net.accuracy(x, labels))


def test_correct_per_digit_refuses_a_history_without_network_and_bad_labels():
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match="no trained network"):
        correct_per_digit(history([1.0], [0.5], 0), x, np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="history_or_runs"):
        correct_per_digit([history([1.0], [0.5], 0)], x, np.array([0, 1, 2]))
    net = FixedScores([0, 1, 2])
    with pytest.raises(ValueError, match="one label per image"):
        correct_per_digit(history([1.0], [0.5], 0, network=net), x, np.array([0, 1]))
    with pytest.raises(TypeError, match="integer labels"):
        correct_per_digit(history([1.0], [0.5], 0, network=net), x, np.array([0.0, 1.0, 2.0]))
