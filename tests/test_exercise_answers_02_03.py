"""The answers under notebooks 02's and 03's exercises (and their prose about results no cell asserts), checked.

Each test reproduces an exercise the way its text describes it (the explorer's
settings are ``train_lecture_net``'s: 300 digits, 6×100 ReLU, SGD lr 0.01,
batches of 100, 201 epochs, seed 0) and asserts what the answer says, with a
margin.  Measured values are in the comments: seed 0, and seed 1 where the
claim was checked for robustness.  The runs are shared through module-scoped
fixtures (about 20 lecture-sized runs in all).
"""

from __future__ import annotations

import numpy as np
import pytest

from common.experiments import make_lecture_trainer, sweep, train_lecture_net
from common.regularizers import weight_norm
from common.widgets import LAMBDAS

CHANCE = 0.1


def first_epoch_at_chance(history, tol=0.02):
    """Index of the first epoch from which train and test accuracy both stay within ``tol`` of chance."""
    at = (np.abs(np.array(history.train_acc) - CHANCE) <= tol) & (np.abs(np.array(history.test_acc) - CHANCE) <= tol)
    later_off = np.flatnonzero(~at)
    start = 0 if later_off.size == 0 else later_off[-1] + 1
    return int(start) if start < len(at) else None


# --- shared runs --------------------------------------------------------------------


@pytest.fixture(scope="module")
def l2_grid():
    """Notebook 02, section 3 at full size: the explorer's λ list, L2, seed 0 (λ = 0 is the plain network)."""
    return sweep("weight_decay_lambda", list(LAMBDAS), seed=0)


@pytest.fixture(scope="module")
def l2_seed1():
    """The explorer with seed 1: λ = 0 and the explorer's start, λ = 0.1."""
    return sweep("weight_decay_lambda", [0.0, 0.1], seed=1)


@pytest.fixture(scope="module")
def l2_1000():
    """Notebook 02, exercise 4: 1000 training digits, L2 with λ = 0, 0.03, 0.1."""
    return sweep("weight_decay_lambda", [0.0, 0.03, 0.1], n_train=1000, seed=0)


@pytest.fixture(scope="module")
def l1_runs():
    """Notebook 03's explorer (L1) at λ = 0.003, 0.01, 0.03, and λ = 0.01 with 1000 digits."""
    runs = {lam: train_lecture_net(lam, "l1") for lam in (0.003, 0.01, 0.03)}
    runs["0.01, 1000 digits"] = train_lecture_net(0.01, "l1", n_train=1000)
    return runs


# =============================================================================
# notebook 02: weight decay (L2)
# =============================================================================


def test_02_ex1_lambda_1_collapses_within_a_few_dozen_epochs_and_the_norm_follows_the_decay(l2_grid):
    # seed 0: best train 0.347 / test 0.281 (epoch 16), both within 0.02 of chance from epoch 28 on;
    # seed 1: best 0.420 / 0.322 (epoch 17), at chance from epoch 26.
    # Weight norm: 34.84 before training -> 0.0813 at the end, ratio 0.002334; 0.99**603 = 0.002334
    # (seed 1: 34.74 -> 0.0811, ratio 0.002334).
    h = l2_grid[1.0]
    assert 0.2 < max(h.train_acc) < 0.5, "the accuracies rise, but not far"
    assert max(h.test_acc) < 0.4
    start = first_epoch_at_chance(h)
    assert start is not None and start < 50, f"should sit at chance level within a few dozen epochs, from {start}"
    network, _ = make_lecture_trainer(1.0, "l2", seed=0)
    initial = weight_norm(network.weights())
    ratio = h.final()["weight_norm"] / initial
    predicted = (1 - 0.01 * 1.0) ** (201 * 3)
    assert 0.9 * predicted < ratio < 1.1 * predicted, f"the norm should shrink by (1 − lr·λ) per step: {ratio:.5f} vs {predicted:.5f}"
    assert h.final()["weight_norm"] < 0.01 * initial, "ends close to 0"


def test_02_ex2_the_lectures_rule_picks_lambda_0_1_on_seed_0_but_not_on_seed_1(l2_grid, l2_seed1):
    # seed 0 finals (test / gap): λ=0 0.797/0.203, 0.001 0.798/0.202, 0.003 0.797/0.203, 0.01 0.801/0.199,
    # 0.03 0.799/0.201, 0.1 0.813/0.147, 0.2 0.110/0.003, 0.3 0.100/0.000, 1 0.100/0.000.
    # Best test 0.813 (λ = 0.1), the only λ within 0.01 of it -> λ = 0.1.
    # seed 1 (full grid measured once): best test 0.806 (λ = 0, 0.01), λ = 0.1 0.757; the rule picks λ = 0.03.
    all_runs = l2_grid
    best_test = max(h.final()["test_acc"] for h in all_runs.values())
    candidates = {lam: h.final()["gap"] for lam, h in all_runs.items() if h.final()["test_acc"] >= best_test - 0.01}
    assert min(candidates, key=candidates.get) == 0.1
    collapsed = {lam: h.final()["gap"] for lam, h in all_runs.items() if lam >= 0.2}
    others = {lam: h.final()["gap"] for lam, h in all_runs.items() if lam < 0.2}
    assert max(collapsed.values()) < min(others.values()) - 0.1, "the collapsed runs have the smallest gaps"
    assert not set(collapsed) & set(candidates), "... and the test-accuracy condition excludes them"
    # the added caveat: on seed 1, λ = 0.1 is more than a point below the best, hence excluded
    assert l2_seed1[0.1].final()["test_acc"] < l2_seed1[0.0].final()["test_acc"] - 0.02


def test_02_ex4_with_1000_digits_lambda_0_1_overshoots_and_0_03_keeps_test_accuracy(l2_grid, l2_1000):
    # seed 0, 1000 digits (train / test / gap): λ=0 1.000/0.884/0.116, λ=0.03 0.990/0.887/0.103, λ=0.1 0.862/0.831/0.031
    # seed 1:                                   λ=0 1.000/0.887/0.113, λ=0.03 0.986/0.882/0.104, λ=0.1 0.809/0.748/0.061
    none, mild, strong = (l2_1000[lam].final() for lam in (0.0, 0.03, 0.1))
    assert strong["gap"] < 0.6 * none["gap"], "λ = 0.1 closes much of the gap"
    assert strong["test_acc"] < none["test_acc"] - 0.03, "... but costs a lot of test accuracy"
    assert abs(mild["test_acc"] - none["test_acc"]) < 0.01, "λ = 0.03 keeps the unregularized test accuracy"
    assert mild["gap"] < none["gap"] - 0.005, "... and still narrows the gap a little"
    # the reasons given: more data, less overfitting (300 digits: gap 0.203); more updates, smaller weights
    # (λ = 0.1 weight norm: 19.79 with 300 digits, 7.77 with 1000)
    assert none["gap"] < l2_grid[0.0].final()["gap"] - 0.05
    assert strong["weight_norm"] < 0.6 * l2_grid[0.1].final()["weight_norm"]


def test_02_section_2_prose_histograms_weight_norm_and_seed_1(l2_grid, l2_seed1):
    none, l2, strong = (l2_grid[lam] for lam in (0.0, 0.1, 0.2))
    # largest |w|: 0.612 / 0.382 / 0.184 (seed 1: 0.547 / 0.395 / 0.163): λ = 0.1 cuts the tails, 0.2 squeezes them
    largest = {lam: max(float(np.abs(w).max()) for w in l2_grid[lam].network.weights()) for lam in (0.0, 0.1, 0.2)}
    assert largest[0.1] < 0.8 * largest[0.0] and largest[0.2] < 0.4 * largest[0.0]
    # weight norm without the penalty: 34.84 before training, 35.15 at the end (seed 1: 34.74 -> 35.06)
    initial = weight_norm(make_lecture_trainer(seed=0)[0].weights())
    assert abs(none.final()["weight_norm"] / initial - 1) < 0.03
    # with the penalty it falls at every epoch, faster for the larger λ (λ=0.1: 19.79, λ=0.2: 10.53 at the end)
    for h in (l2, strong):
        assert np.all(np.diff(h.weight_norm) < 0), "the penalized norm should fall all through training"
    assert np.all(np.array(strong.weight_norm) < np.array(l2.weight_norm))
    assert np.all(np.array(l2.weight_norm) < np.array(none.weight_norm)), "a lower weight norm all through training"
    # "the test accuracy changes less than the training accuracy" (λ = 0.1 vs none):
    # seed 0 train −0.040, test +0.016; seed 1 train −0.093, test −0.049
    for runs in ({0.0: none, 0.1: l2}, l2_seed1):
        a, b = runs[0.0].final(), runs[0.1].final()
        assert abs(b["test_acc"] - a["test_acc"]) < 0.8 * abs(b["train_acc"] - a["train_acc"])
    # "on another seed, λ = 0.1 can even cost several points of test accuracy" (seed 1: 0.806 -> 0.757),
    # "weight decay buys a smaller gap" (seed 1: 0.194 -> 0.150)
    a, b = l2_seed1[0.0].final(), l2_seed1[0.1].final()
    assert b["test_acc"] < a["test_acc"] - 0.03
    assert b["gap"] < a["gap"] - 0.02


def test_02_section_3_reading_of_the_sweep(l2_grid):
    # seed 0: λ ≤ 0.03 train 1.000, gap 0.199–0.203 (none 0.203), weight norm 34.94 … 29.50 (none 35.15);
    # seed 1: λ = 0.03 train 0.997 ("(nearly) all 300 digits").  λ = 0.1: train 0.960, gap 0.147.
    # λ = 0.2 / 0.3 / 1: train 0.113 / 0.100 / 0.100, test 0.110 / 0.100 / 0.100 (seed 1: all 0.100)
    none = l2_grid[0.0].final()
    for lam in (0.001, 0.003, 0.01, 0.03):
        f = l2_grid[lam].final()
        assert f["train_acc"] >= 0.99, lam
        assert abs(f["gap"] - none["gap"]) < 0.02, lam
        assert 0.8 * none["weight_norm"] < f["weight_norm"] < none["weight_norm"], lam
    f = l2_grid[0.1].final()
    assert f["train_acc"] < 0.99 and f["gap"] < none["gap"] - 0.03
    for lam in (0.2, 0.3, 1.0):
        f = l2_grid[lam].final()
        assert f["train_acc"] < 0.15 and f["test_acc"] < 0.15 and abs(f["gap"]) < 0.02, lam


# =============================================================================
# notebook 03: L1 and sparsity
# =============================================================================


def test_03_ex2_lambda_0_003_sparsity_between_and_the_gap_returns(l2_grid, l1_runs):
    # seed 0 final sparsity: L2 λ=0.1 0.205, L1 λ=0.003 0.315, L1 λ=0.01 0.646 (seed 1: 0.207, 0.315, 0.645)
    # L1 λ=0.003: train 1.000 (seed 1: 0.997), gap 0.198 vs 0.203 without regularization (seed 1: 0.188 vs 0.194)
    weak = l1_runs[0.003].final()
    assert l2_grid[0.1].final()["sparsity"] + 0.05 < weak["sparsity"] < l1_runs[0.01].final()["sparsity"] - 0.1
    assert weak["train_acc"] >= 0.99
    assert abs(weak["gap"] - l2_grid[0.0].final()["gap"]) < 0.02


def test_03_ex3_lambda_0_03_learns_then_slides_to_chance(l1_runs):
    # seed 0: test accuracy peaks at 0.475 (epoch 41), at chance from epoch 133; seed 1: 0.371 (epoch 55), chance from 84
    h = l1_runs[0.03]
    peak = int(np.argmax(h.test_acc))
    assert 0.3 < h.test_acc[peak] < 0.7, "a modest peak"
    assert peak >= 10, "it learns for a while first"
    start = first_epoch_at_chance(h)
    assert start is not None and start > peak + 20, "... then slides down to chance level"


def test_03_ex4_more_data_with_l1_means_more_sparsity_and_lower_training_accuracy(l1_runs):
    # seed 0, 300 -> 1000 digits: sparsity 0.646 -> 0.927, train 0.953 -> 0.828, gap 0.151 -> 0.049
    # seed 1:                     sparsity 0.645 -> 0.928, train 0.927 -> 0.752, gap 0.139 -> 0.055
    few, many = l1_runs[0.01].final(), l1_runs["0.01, 1000 digits"].final()
    assert many["sparsity"] > few["sparsity"] + 0.15
    assert many["train_acc"] < few["train_acc"] - 0.05
    assert many["gap"] < few["gap"] - 0.05


def test_03_prose_weights_mostly_small_and_l1_against_l2(l2_grid, l1_runs):
    # section 2: "the weights here are mostly below 0.1 in size": 78 % of the trained plain network's weights
    weights = l2_grid[0.0].network.weights()
    assert sum(int((np.abs(w) < 0.1).sum()) for w in weights) > 0.6 * sum(w.size for w in weights)
    # observations: L1 λ=0.01 gap 0.151 vs L2 λ=0.1 0.147 vs none 0.203 (seed 1: 0.139, 0.150, 0.194);
    # test accuracy 0.802 vs 0.797 without regularization (seed 1: 0.788 vs 0.806)
    l1, l2, none = l1_runs[0.01], l2_grid[0.1], l2_grid[0.0]
    assert abs(l1.final()["gap"] - l2.final()["gap"]) < 0.03
    assert l1.final()["gap"] < none.final()["gap"] - 0.03
    assert abs(l1.final()["test_acc"] - none.final()["test_acc"]) < 0.03
    # sparsity keeps growing under L1 (0.122 after epoch 1 -> 0.646), only slowly under L2 (0.119 -> 0.205)
    every_20 = np.array(l1.sparsity[::20])
    assert np.all(np.diff(every_20) > 0)
    assert l1.sparsity[-1] - l1.sparsity[0] > 0.4
    assert 0 < l2.sparsity[-1] - l2.sparsity[0] < 0.15


def test_03_section_3_lambda_0_1_predicts_one_class_with_all_weights_near_zero():
    # seed 0: test peaks at 0.226 (epoch 13), at chance from epoch 36; predicts only '8'; sparsity 1.00
    # seed 1: peak 0.229 (epoch 17), at chance from epoch 25; predicts only '1'; sparsity 1.00
    from common.experiments import lecture_data

    h = train_lecture_net(0.1, "l1")
    start = first_epoch_at_chance(h)
    assert start is not None and 10 <= start <= 90, f"collapse after some tens of epochs, got {start}"
    _, (x_test, _) = lecture_data()
    assert np.unique(h.network.predict(x_test).argmax(axis=1)).size == 1, "one class for every digit"
    assert h.final()["sparsity"] > 0.95
