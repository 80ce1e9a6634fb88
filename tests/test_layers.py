"""Layers: backprop vs central differences, dtype, and what Dropout promises.

Gradient checks run in float64 with the test's own central-difference helper
(independent of ``common.gradient``).  A layer with output ``y = f(x)`` is
checked through the scalar ``L = Σ y ⊙ dout`` for a random ``dout``, whose
gradient is exactly what ``backward(dout)`` must return.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from common.layers import Affine, Dropout, Relu, Sigmoid, SoftmaxWithLoss, cross_entropy_error, softmax

TOL = 1e-6


def num_grad(f, x, h=1e-5):
    """Central differences of the scalar ``f()`` w.r.t. every element of ``x`` (perturbed in place)."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def rel_err(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ------------------------------------------------------------------ Affine


def test_affine_gradients(rng):
    x = rng.standard_normal((4, 5))
    W = rng.standard_normal((5, 3))
    b = rng.standard_normal(3)
    dout = rng.standard_normal((4, 3))
    layer = Affine(W, b)

    def f():
        return float(np.sum(layer.forward(x) * dout))

    f()
    dx = layer.backward(dout)
    dW, db = layer.dW.copy(), layer.db.copy()
    assert dx.shape == x.shape and dW.shape == W.shape and db.shape == b.shape
    assert rel_err(dx, num_grad(f, x)) < TOL
    assert rel_err(dW, num_grad(f, W)) < TOL
    assert rel_err(db, num_grad(f, b)) < TOL


def test_affine_forward_is_xW_plus_b(rng):
    x = rng.standard_normal((3, 4))
    W = rng.standard_normal((4, 2))
    b = rng.standard_normal(2)
    expected = np.array([[sum(x[n, k] * W[k, j] for k in range(4)) + b[j] for j in range(2)] for n in range(3)])
    np.testing.assert_allclose(Affine(W, b).forward(x), expected, rtol=1e-12, atol=1e-12)


def test_affine_keeps_input_shape_for_dx(rng):
    x = rng.standard_normal((2, 1, 2, 3))  # (N, C, H, W) images are flattened inside
    layer = Affine(rng.standard_normal((6, 4)), np.zeros(4))
    out = layer.forward(x)
    assert out.shape == (2, 4)
    assert layer.backward(np.ones((2, 4))).shape == x.shape


def test_affine_need_dx_false_returns_none_but_computes_dW_db(rng):
    x = rng.standard_normal((4, 5))
    W = rng.standard_normal((5, 3))
    b = rng.standard_normal(3)
    dout = rng.standard_normal((4, 3))
    layer = Affine(W, b, need_dx=False)
    layer.forward(x)
    assert layer.backward(dout) is None
    np.testing.assert_allclose(layer.dW, x.T @ dout, rtol=1e-12)
    np.testing.assert_allclose(layer.db, dout.sum(axis=0), rtol=1e-12)


# ------------------------------------------------------------ activations


def test_relu_gradient_away_from_the_kink(rng):
    # |x| >= 0.1 so a 1e-5 step never crosses 0, where ReLU has no derivative
    x = rng.uniform(0.1, 2.0, size=(5, 6)) * rng.choice([-1.0, 1.0], size=(5, 6))
    dout = rng.standard_normal((5, 6))
    layer = Relu()

    def f():
        return float(np.sum(layer.forward(x) * dout))

    f()
    dx = layer.backward(dout)
    assert rel_err(dx, num_grad(f, x)) < TOL
    np.testing.assert_array_equal(dx[x < 0], 0.0)


def test_relu_forward_and_does_not_modify_input(rng):
    x = rng.standard_normal((3, 4))
    before = x.copy()
    layer = Relu()
    out = layer.forward(x)
    np.testing.assert_array_equal(out, np.where(before > 0, before, 0.0))
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(layer.mask, before <= 0)  # the book's mask: the switched-off units
    dout = rng.standard_normal((3, 4))
    dout_before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(dout, dout_before)  # backward leaves the caller's dout alone


def test_sigmoid_gradient(rng):
    x = rng.standard_normal((5, 6)) * 3
    dout = rng.standard_normal((5, 6))
    layer = Sigmoid()

    def f():
        return float(np.sum(layer.forward(x) * dout))

    f()
    dx = layer.backward(dout)
    assert rel_err(dx, num_grad(f, x)) < TOL


def test_sigmoid_values_and_no_overflow_warning():
    x = np.array([[-1000.0, -1.0, 0.0, 1.0, 1000.0]])
    out = Sigmoid().forward(x)  # RuntimeWarnings from common.* are errors (pyproject)
    expected = [0.0, 1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-1)), 1.0]
    np.testing.assert_allclose(out[0], expected, rtol=1e-12, atol=1e-300)


# --------------------------------------------------------- softmax + loss


def test_softmax_rows_sum_to_one_and_survive_large_scores():
    x = np.array([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]])
    y = softmax(x)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-12)
    e = np.exp([0.0, 1.0, 2.0])
    np.testing.assert_allclose(y[0], e / e.sum(), rtol=1e-12)


def test_cross_entropy_value():
    y = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    t = np.array([0, 2])
    assert cross_entropy_error(y, t) == pytest.approx(-(math.log(0.7) + math.log(0.8)) / 2, rel=1e-12)
    onehot = np.eye(3)[t]
    assert cross_entropy_error(y, onehot) == pytest.approx(-(math.log(0.7) + math.log(0.8)) / 2, rel=1e-12)


@pytest.mark.parametrize("one_hot", [False, True], ids=["labels", "one-hot"])
def test_softmax_with_loss_gradient(rng, one_hot):
    x = rng.standard_normal((4, 5)) * 2
    labels = np.array([0, 3, 4, 1])
    t = np.eye(5)[labels] if one_hot else labels
    layer = SoftmaxWithLoss()

    def f():
        return layer.forward(x, t)

    loss = f()
    dx = layer.backward(1.0)
    assert rel_err(dx, num_grad(f, x)) < TOL
    # the loss itself, computed independently
    z = x - x.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert loss == pytest.approx(-logp[np.arange(4), labels].mean(), rel=1e-12)


def test_softmax_with_loss_labels_and_one_hot_agree(rng):
    x = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, size=6)
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert a.forward(x, labels) == pytest.approx(b.forward(x, np.eye(4)[labels]), rel=1e-15)
    np.testing.assert_array_equal(a.backward(), b.backward())


# ---------------------------------------------------------------- Dropout


def test_dropout_gradient_with_frozen_mask(rng):
    x = rng.standard_normal((6, 7))
    dout = rng.standard_normal((6, 7))
    layer = Dropout(0.4, rng=0)
    layer.forward(x, train_flg=True)
    mask = layer.mask.copy()
    assert 0 < np.count_nonzero(mask) < mask.size  # something is dropped and something kept
    layer.frozen = True

    def f():
        return float(np.sum(layer.forward(x, train_flg=True) * dout))

    f()
    dx = layer.backward(dout)
    g = num_grad(f, x)
    np.testing.assert_array_equal(layer.mask, mask)  # frozen: the same sub-network throughout
    assert rel_err(dx, g) < TOL
    np.testing.assert_array_equal(dx[mask == 0], 0.0)
    np.testing.assert_allclose(dx[mask != 0], dout[mask != 0] / 0.6, rtol=1e-12)


def test_dropout_unfrozen_draws_a_new_mask_each_forward(rng):
    x = np.ones((20, 20))
    layer = Dropout(0.5, rng=0)
    first = layer.forward(x, train_flg=True).copy()
    second = layer.forward(x, train_flg=True)
    assert not np.array_equal(first, second)


def test_dropout_ratio_is_the_probability_of_dropping():
    p, n = 0.3, 1_000_000
    x = np.ones(n)
    out = Dropout(p, rng=42).forward(x, train_flg=True)
    dropped = np.count_nonzero(out == 0) / n
    sigma = math.sqrt(p * (1 - p) / n)  # binomial standard error
    assert abs(dropped - p) < 5 * sigma, (dropped, p, sigma)
    # inverted dropout: every kept unit is scaled by 1 / (1 - p)
    np.testing.assert_allclose(out[out != 0], 1 / (1 - p), rtol=1e-12)


@pytest.mark.parametrize("p", [0.15, 0.5, 0.8])
def test_dropout_training_mean_equals_input_mean(p):
    rng = np.random.default_rng(7)
    n = 1_000_000
    x = rng.uniform(0.5, 1.5, size=n)
    out = Dropout(p, rng=3).forward(x, train_flg=True)
    # Var(x·m/(1-p)) = x²·p/(1-p) for each unit; the mean of n of them has this std:
    sigma = math.sqrt(np.mean(x**2) * p / (1 - p) / n)
    assert abs(out.mean() - x.mean()) < 5 * sigma, (out.mean(), x.mean(), sigma)
    # without the 1/(1-p) scale the mean would be off by p·mean(x), far outside that band
    assert p * x.mean() > 50 * sigma


def test_book_style_dropout_scales_at_test_time(rng):
    p = 0.3
    x = rng.standard_normal((40, 50))
    dout = rng.standard_normal((40, 50))
    book = Dropout(p, rng=5, inverted=False)
    inverted = Dropout(p, rng=5)
    assert book.inverted is False and inverted.inverted is True
    y_book = book.forward(x, train_flg=True)
    y_inv = inverted.forward(x, train_flg=True)
    kept = y_book != 0
    # the same draws keep the same units; the book leaves them unscaled while training
    np.testing.assert_array_equal(kept, y_inv != 0)
    np.testing.assert_array_equal(y_book[kept], x[kept])
    np.testing.assert_allclose(y_inv[kept], x[kept] / (1 - p), rtol=1e-12)
    np.testing.assert_array_equal(book.backward(dout), np.where(kept, dout, 0.0))
    # test time: the book multiplies by the keep probability, inverted dropout does nothing
    np.testing.assert_allclose(book.forward(x, train_flg=False), x * (1 - p), rtol=1e-15)
    np.testing.assert_allclose(book.backward(dout), dout * (1 - p), rtol=1e-15)
    np.testing.assert_array_equal(inverted.forward(x, train_flg=False), x)


@pytest.mark.parametrize("inverted", [True, False], ids=["inverted", "book-style"])
@pytest.mark.parametrize("p", [0.15, 0.5])
def test_both_dropout_styles_train_and_test_have_the_same_expected_activation(inverted, p):
    """The mean of many training-mode outputs approaches the test-mode output, in both styles."""
    x = np.random.default_rng(11).uniform(0.5, 1.5, size=(10, 30))
    layer = Dropout(p, rng=4, inverted=inverted)
    n = 4000
    mean = sum(layer.forward(x, train_flg=True) for _ in range(n)) / n
    test = layer.forward(x, train_flg=False)
    # per unit, y = x·m·s with m ~ Bernoulli(1 − p), s = 1/(1 − p) (inverted) or 1 (book):
    # Var(y) = x²·s²·p·(1 − p), so the mean of n draws has this standard error
    s = 1 / (1 - p) if inverted else 1.0
    se = x * s * np.sqrt(p * (1 - p) / n)
    z = np.abs(mean - test) / se
    assert z.max() < 5.5, z.max()  # 300 units: a 5.5-sigma excursion is a ~1e-5 event
    # and the other style's test-time output would be clearly off (by p·x)
    wrong = x if not inverted else x * (1 - p)
    assert (np.abs(mean - wrong) / se).min() > 10


def test_dropout_rejects_non_bool_inverted():
    with pytest.raises(TypeError, match="inverted"):
        Dropout(0.5, inverted="no")


def test_dropout_test_mode_is_identity(rng):
    x = rng.standard_normal((5, 5))
    dout = rng.standard_normal((5, 5))
    layer = Dropout(0.5, rng=0)
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x)
    np.testing.assert_array_equal(layer.backward(dout), dout)
    # after a training pass, test mode is again the identity (no leftover mask)
    layer.forward(x, train_flg=True)
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x)
    np.testing.assert_array_equal(layer.backward(dout), dout)


def test_dropout_ratio_zero_is_identity_in_training(rng):
    x = rng.standard_normal((50, 50))
    dout = rng.standard_normal((50, 50))
    layer = Dropout(0.0, rng=0)
    np.testing.assert_array_equal(layer.forward(x, train_flg=True), x)
    np.testing.assert_array_equal(layer.backward(dout), dout)


@pytest.mark.parametrize(
    "ratio, exc",
    [(-0.1, ValueError), (1.0, ValueError), (1.5, ValueError), ("a", TypeError), (float("nan"), ValueError)],
)
def test_dropout_rejects_invalid_ratio(ratio, exc):
    with pytest.raises(exc, match="dropout_ratio"):
        Dropout(ratio)


def test_dropout_is_deterministic_with_a_seed():
    x = np.ones((30, 30))
    a = Dropout(0.5, rng=123).forward(x, train_flg=True)
    b = Dropout(0.5, rng=123).forward(x, train_flg=True)
    c = Dropout(0.5, rng=124).forward(x, train_flg=True)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    g = np.random.default_rng(9)
    d = Dropout(0.5, rng=g).forward(x, train_flg=True)
    e = Dropout(0.5, rng=np.random.default_rng(9)).forward(x, train_flg=True)
    np.testing.assert_array_equal(d, e)


# ------------------------------------------------------------------ dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_layer_preserves_dtype(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5)).astype(dtype)
    dout5 = rng.standard_normal((4, 5)).astype(dtype)

    affine = Affine(rng.standard_normal((5, 3)).astype(dtype), np.zeros(3, dtype=dtype))
    y = affine.forward(x)
    dx = affine.backward(np.ones((4, 3), dtype=dtype))
    assert y.dtype == dtype and dx.dtype == dtype and affine.dW.dtype == dtype and affine.db.dtype == dtype

    for layer in (Relu(), Sigmoid()):
        assert layer.forward(x).dtype == dtype, type(layer).__name__
        assert layer.backward(dout5).dtype == dtype, type(layer).__name__

    for inverted in (True, False):
        drop = Dropout(0.5, rng=0, inverted=inverted)
        assert drop.forward(x, train_flg=True).dtype == dtype
        assert drop.mask.dtype == dtype
        assert drop.backward(dout5).dtype == dtype
        assert drop.forward(x, train_flg=False).dtype == dtype
        assert drop.backward(dout5).dtype == dtype

    swl = SoftmaxWithLoss()
    loss = swl.forward(x, np.array([0, 1, 2, 3]))
    assert isinstance(loss, float) and math.isfinite(loss)
    assert swl.y.dtype == dtype
    assert swl.backward().dtype == dtype
