"""Weight decay: ridge/lasso add the derivative of the penalty, nothing else; the registry of penalties."""

from __future__ import annotations

import numpy as np
import pytest

from common import regularizers
from common.gradient import numerical_gradient
from common.multi_layer_net import MultiLayerNet
from common.regularizers import (
    REGULARIZATIONS,
    REGULARIZERS,
    Regularizer,
    get_regularizer,
    l1_penalty,
    l2_penalty,
    lasso,
    prox_l1,
    ridge,
    sparsity,
    weight_norm,
)


@pytest.fixture
def rng():
    return np.random.default_rng(2024)


def away_from_zero(rng, shape, low=0.1):
    """Random float64 weights with |w| >= low, so a finite difference never crosses |w|'s kink."""
    return rng.uniform(low, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# -------------------------------------------------- gradient == d(penalty)


@pytest.mark.parametrize("rate", [0.1, 0.7])
def test_ridge_adds_the_derivative_of_l2_penalty(rng, rate):
    W = rng.standard_normal((4, 3))
    g0 = rng.standard_normal((4, 3))
    grad = g0.copy()
    ridge(W, grad, rate)
    expected = numerical_gradient(lambda _: l2_penalty([W], rate), W)
    np.testing.assert_allclose(grad - g0, expected, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(grad, g0 + rate * W, rtol=1e-15)


@pytest.mark.parametrize("rate", [0.1, 0.7])
def test_lasso_adds_the_derivative_of_l1_penalty(rng, rate):
    W = away_from_zero(rng, (4, 3))
    g0 = rng.standard_normal((4, 3))
    grad = g0.copy()
    lasso(W, grad, rate)
    expected = numerical_gradient(lambda _: l1_penalty([W], rate), W)
    np.testing.assert_allclose(grad - g0, expected, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(grad - g0, rate * np.where(W > 0, 1.0, -1.0), rtol=1e-12)


@pytest.mark.parametrize("update", [ridge, lasso])
def test_updates_in_place_and_return_nothing(rng, update):
    W = away_from_zero(rng, (3, 3))
    W_before = W.copy()
    grad = rng.standard_normal((3, 3))
    before = grad.copy()
    alias = grad  # the caller's reference (e.g. layer.dW) must see the change
    assert update(W, grad, 0.5) is None
    assert not np.array_equal(alias, before)
    np.testing.assert_array_equal(W, W_before)  # only grad changes, never the weights


@pytest.mark.parametrize("update", [ridge, lasso])
def test_view_of_a_bigger_array_is_updated(rng, update):
    big = np.zeros((6, 3))
    W = away_from_zero(rng, (3, 3))
    update(W, big[:3], 1.0)
    assert np.count_nonzero(big[:3]) == 9
    np.testing.assert_array_equal(big[3:], 0.0)


@pytest.mark.parametrize("update", [ridge, lasso])
@pytest.mark.parametrize("rate", [0, 0.0])
def test_rate_zero_is_a_no_op(rng, update, rate):
    W = rng.standard_normal((3, 4))
    grad = rng.standard_normal((3, 4))
    before = grad.copy()
    update(W, grad, rate)
    np.testing.assert_array_equal(grad, before)


def test_lasso_sign_of_zero_is_zero():
    W = np.array([[0.0, -0.0, 2.0], [-3.0, 0.0, 1e-30]])
    grad = np.zeros_like(W)
    lasso(W, grad, 0.5)
    np.testing.assert_array_equal(grad, [[0.0, 0.0, 0.5], [-0.5, 0.0, 0.5]])


def test_ridge_works_in_float32_without_upcasting(rng):
    W = rng.standard_normal((3, 3)).astype(np.float32)
    grad = np.zeros((3, 3), dtype=np.float32)
    ridge(W, grad, 0.1)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, 0.1 * W, rtol=1e-6)


def test_the_norm_itself_is_not_the_gradient(rng):
    """The tempting ``rate * np.sqrt(np.sum(param**2))`` is the norm, not d(½·rate·Σw²)/dw."""
    W = rng.standard_normal((4, 3))
    rate = 0.1
    true = numerical_gradient(lambda _: l2_penalty([W], rate), W)
    wrong = np.broadcast_to(rate * np.sqrt(np.sum(W**2)), W.shape)
    assert np.max(np.abs(wrong - true)) > 0.05  # far beyond finite-difference error
    grad = np.zeros_like(W)
    ridge(W, grad, rate)
    assert not np.allclose(grad, wrong)
    np.testing.assert_allclose(grad, true, rtol=1e-7, atol=1e-10)
    # and it is not the derivative of the norm either (that is W / ||W||)
    norm_grad = numerical_gradient(lambda _: rate * np.sqrt(np.sum(W**2)), W)
    assert not np.allclose(grad, norm_grad, rtol=1e-3)


# ------------------------------------------------------ argument checking


@pytest.mark.parametrize("update", [ridge, lasso])
def test_shape_mismatch_raises(update):
    with pytest.raises(ValueError, match=r"param and grad.*same shape"):
        update(np.ones((3, 2)), np.zeros((2, 3)), 0.1)


@pytest.mark.parametrize("update", [ridge, lasso])
def test_integer_grad_raises(update):
    with pytest.raises(TypeError, match="grad"):
        update(np.ones((2, 2)), np.zeros((2, 2), dtype=np.int64), 0.1)


@pytest.mark.parametrize("update", [ridge, lasso])
def test_non_array_param_raises(update):
    with pytest.raises(TypeError, match="param"):
        update([[1.0, 2.0]], np.zeros((1, 2)), 0.1)


@pytest.mark.parametrize("update", [ridge, lasso])
@pytest.mark.parametrize("rate, exc", [(-0.1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError), ("0.1", TypeError), (None, TypeError)])
def test_bad_rate_raises_naming_rate(update, rate, exc):
    grad = np.zeros((2, 2))
    with pytest.raises(exc, match="rate"):
        update(np.ones((2, 2)), grad, rate)
    np.testing.assert_array_equal(grad, 0.0)


@pytest.mark.parametrize("penalty", [l2_penalty, l1_penalty])
def test_penalty_rejects_negative_rate(penalty):
    with pytest.raises(ValueError, match="rate"):
        penalty([np.ones(2)], -1.0)


# ------------------------------------------------------------- penalties


def test_penalty_values_on_hand_made_arrays():
    weights = [np.array([[1.0, -2.0]]), np.array([3.0])]
    assert l2_penalty(weights, 0.5) == pytest.approx(0.5 * 0.5 * (1 + 4 + 9))
    assert l1_penalty(weights, 0.5) == pytest.approx(0.5 * (1 + 2 + 3))
    assert l2_penalty(weights, 0.0) == 0.0
    assert l1_penalty(weights, 0.0) == 0.0


# -------------------------------------------------------------- registry


def test_registry_holds_none_l2_l1_and_regularizations_is_its_keys():
    assert REGULARIZATIONS == tuple(REGULARIZERS) == ("none", "l2", "l1")
    for name, reg in REGULARIZERS.items():
        assert isinstance(reg, Regularizer) and reg.name == name
        assert isinstance(reg.label, str) and reg.label
    assert REGULARIZERS["l2"].penalty_fn is l2_penalty and REGULARIZERS["l2"].gradient_fn is ridge
    assert REGULARIZERS["l1"].penalty_fn is l1_penalty and REGULARIZERS["l1"].gradient_fn is lasso
    assert get_regularizer("L1") is REGULARIZERS["l1"]
    with pytest.raises(ValueError, match="regularization"):
        get_regularizer("l3")
    with pytest.raises(TypeError, match="regularization"):
        get_regularizer(2)


@pytest.mark.parametrize("name", ["none", "l2", "l1"])
def test_registry_entries_penalty_and_gradient(rng, name):
    weights = [away_from_zero(rng, (3, 4)), away_from_zero(rng, (4, 2))]
    reg = REGULARIZERS[name]
    expected = {"none": 0.0, "l2": l2_penalty(weights, 0.3), "l1": l1_penalty(weights, 0.3)}[name]
    assert reg.penalty(weights, 0.3) == expected
    grad = np.zeros((3, 4))
    assert reg.add_gradient(weights[0], grad, 0.3) is None
    numeric = numerical_gradient(lambda _: reg.penalty(weights, 0.3), weights[0])
    np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-10)
    if name == "none":
        np.testing.assert_array_equal(grad, 0.0)
    with pytest.raises(ValueError, match="rate"):
        reg.penalty(weights, -1.0)
    with pytest.raises(ValueError, match="rate"):
        reg.add_gradient(weights[0], grad, -1.0)


def elastic_penalty(weights, rate):
    return 0.5 * l1_penalty(weights, rate) + 0.5 * l2_penalty(weights, rate)


def elastic(param, grad, rate):
    lasso(param, grad, 0.5 * rate)
    ridge(param, grad, 0.5 * rate)


def test_a_new_penalty_is_one_registry_entry(monkeypatch):
    """Elastic net, exactly as the module docstring shows: one entry, and the network uses it."""
    monkeypatch.setitem(
        REGULARIZERS, "elastic", Regularizer("elastic", "E + λ·Σ(½|W| + ¼W²)", elastic_penalty, elastic)
    )
    net = MultiLayerNet(6, [5], 3, weight_decay_lambda=0.2, regularization="elastic", dtype=np.float64, rng=0)
    plain = MultiLayerNet(6, [5], 3, dtype=np.float64, rng=0)
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((4, 6)), rng.integers(0, 3, size=4)
    W = net.weights()
    expected = 0.2 * sum(0.5 * np.abs(w).sum() + 0.25 * np.sum(w**2) for w in W)
    assert net.penalty() == pytest.approx(expected, rel=1e-12)
    assert net.loss(x, t) - plain.loss(x, t) == pytest.approx(expected, rel=1e-10)
    grads, base = net.gradient(x, t), plain.gradient(x, t)
    for i, w in enumerate(W, start=1):
        np.testing.assert_allclose(grads[f"W{i}"] - base[f"W{i}"], 0.2 * (0.5 * np.sign(w) + 0.5 * w), atol=1e-12)
    assert net.settings()["regularization"] == "elastic"


# ----------------------------------------------------------------- prox


def test_prox_l1_gives_exact_zeros_and_shrinks_the_rest():
    w = np.array([0.5, -0.5, 0.003, -0.003, 0.01, -0.02, 0.0])
    prox_l1(w, 0.01)
    np.testing.assert_allclose(w, [0.49, -0.49, 0.0, 0.0, 0.0, -0.01, 0.0], rtol=1e-12, atol=0)
    assert np.count_nonzero(w == 0.0) == 4  # exact zeros, not merely small


def test_prox_l1_never_flips_a_sign_where_the_subgradient_step_does(rng):
    w0 = rng.uniform(-0.05, 0.05, size=1000)
    w0 = w0[w0 != 0]
    threshold = 0.02
    naive = w0 - threshold * np.sign(w0)  # w -= lr·λ·sign(w) overshoots 0 for |w| < lr·λ
    assert np.any(np.sign(naive) == -np.sign(w0))
    w = w0.copy()
    alias = w
    prox_l1(w, threshold)
    assert alias is w
    assert not np.any(np.sign(w) == -np.sign(w0))
    np.testing.assert_array_equal(w[np.abs(w0) <= threshold], 0.0)
    big = np.abs(w0) > threshold
    np.testing.assert_allclose(np.abs(w[big]), np.abs(w0[big]) - threshold, rtol=1e-12)


def test_prox_l1_float32_and_bad_arguments():
    w = np.array([0.5, -0.001], dtype=np.float32)
    prox_l1(w, 0.01)
    assert w.dtype == np.float32 and w[1] == 0.0
    with pytest.raises(ValueError, match="threshold"):
        prox_l1(np.ones(2), -0.1)
    with pytest.raises(TypeError, match="param"):
        prox_l1(np.ones(2, dtype=np.int64), 0.1)


# -------------------------------------------------- weight_norm / sparsity


def test_weight_norm_on_hand_made_arrays():
    assert weight_norm([np.array([[3.0, 4.0]]), np.array([[12.0]])]) == pytest.approx(13.0)
    assert weight_norm([np.zeros((2, 2))]) == 0.0
    assert weight_norm([np.array([3.0, 4.0], dtype=np.float32)]) == pytest.approx(5.0)


def test_weight_norm_of_huge_float32_weights_does_not_overflow():
    # a diverging float32 run has finite weights whose float32 sum of squares is inf
    w = np.full(4, 1e20, dtype=np.float32)
    assert np.isfinite(w).all()
    assert weight_norm([w]) == pytest.approx(2e20, rel=1e-6)


def test_sparsity_on_hand_made_arrays():
    a = np.array([0.0, 0.005, -0.009, 0.02, -1.0])  # three with |w| < 0.01
    b = np.array([[0.01, -0.0099], [5.0, 0.0]])  # 0.01 itself is not "< tol"
    assert regularizers.SPARSITY_TOL == 0.01
    assert sparsity([a]) == pytest.approx(3 / 5)
    assert sparsity([b]) == pytest.approx(2 / 4)
    assert sparsity([a, b]) == pytest.approx(5 / 9)  # pooled over all weights, not averaged per layer
    assert sparsity([a], tol=0.5) == pytest.approx(4 / 5)
    assert sparsity([]) == 0.0
    with pytest.raises(ValueError, match="tol"):
        sparsity([a], tol=-1.0)
