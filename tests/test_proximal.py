"""ProximalSGD (soft-thresholding L1 step) and the SignFlipCounter callback."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from course.experiments import train_lecture_net
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD, make_optimizer
from course.proximal import ProximalSGD, SignFlipCounter
from common.trainer import Trainer


def soft_threshold(w, thr):
    """Independent reference: the L1 proximal map written case by case."""
    return np.where(w > thr, w - thr, np.where(w < -thr, w + thr, 0.0))


# -- ProximalSGD ------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc", [
    ({"lr": 0.0}, ValueError),
    ({"lr": -0.1}, ValueError),
    ({"weight_decay_lambda": -1e-3}, ValueError),
    ({"weight_decay_lambda": float("nan")}, ValueError),
    ({"weight_decay_lambda": "0.1"}, TypeError),
    ({"lr": True}, TypeError),
])
def test_bad_arguments(kwargs, exc):
    with pytest.raises(exc, match="lr|weight_decay_lambda"):
        ProximalSGD(**kwargs)


def test_update_is_sgd_then_soft_threshold_on_weights_only():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((5, 4))
    b = rng.standard_normal(4)
    gW = rng.standard_normal((5, 4))
    gb = rng.standard_normal(4)
    params = {"W1": W.copy(), "b1": b.copy()}
    opt = ProximalSGD(lr=0.1, weight_decay_lambda=2.0)
    assert opt.threshold == pytest.approx(0.2)
    opt.update(params, {"W1": gW, "b1": gb})
    np.testing.assert_allclose(params["W1"], soft_threshold(W - 0.1 * gW, 0.2))
    np.testing.assert_allclose(params["b1"], b - 0.1 * gb)  # biases: plain SGD, never shrunk


def test_zero_lambda_is_plain_sgd():
    rng = np.random.default_rng(1)
    params = {"W1": rng.standard_normal((3, 3)).astype(np.float32)}
    grads = {"W1": rng.standard_normal((3, 3)).astype(np.float32)}
    expected = {"W1": params["W1"].copy()}
    SGD(lr=0.05).update(expected, grads)
    ProximalSGD(lr=0.05, weight_decay_lambda=0.0).update(params, grads)
    np.testing.assert_array_equal(params["W1"], expected["W1"])


def test_weight_that_would_cross_zero_stops_exactly_at_zero_and_keeps_dtype():
    params = {"W1": np.array([[0.005, -0.005, 0.5, 0.0]], dtype=np.float32)}
    grads = {"W1": np.zeros((1, 4), dtype=np.float32)}
    ProximalSGD(lr=0.1, weight_decay_lambda=0.1).update(params, grads)  # threshold 0.01
    w = params["W1"]
    assert w.dtype == np.float32
    assert w[0, 0] == 0 and w[0, 1] == 0 and w[0, 3] == 0
    assert w[0, 2] == pytest.approx(0.49)


def test_solves_the_one_dimensional_lasso_exactly_where_the_subgradient_step_zigzags():
    # minimise ½(w − a)² + λ|w|; the minimiser is soft_threshold(a, λ)
    a = np.array([[0.3, -0.05, 0.02, -0.8]])
    lam, lr = 0.1, 0.3
    prox = {"W1": np.ones_like(a)}
    sub = {"W1": np.ones_like(a)}
    opt, plain = ProximalSGD(lr=lr, weight_decay_lambda=lam), SGD(lr=lr)
    for _ in range(200):
        opt.update(prox, {"W1": prox["W1"] - a})
        plain.update(sub, {"W1": sub["W1"] - a + lam * np.sign(sub["W1"])})
    np.testing.assert_allclose(prox["W1"], soft_threshold(a, lam), atol=1e-12)
    assert np.count_nonzero(prox["W1"] == 0) == 2
    assert np.count_nonzero(sub["W1"] == 0) == 0  # subgradient: hovers near 0, never on it


def test_is_an_optimizer_instance_for_trainer_and_reports_settings():
    opt = ProximalSGD(lr=0.02, weight_decay_lambda=0.003)
    assert make_optimizer(opt) is opt
    settings = opt.settings()
    assert settings["optimizer"] == "ProximalSGD"
    assert settings["lr"] == 0.02 and settings["weight_decay_lambda"] == 0.003


def test_training_with_proximal_sgd_gives_exact_zeros_and_is_reproducible():
    def run():
        return train_lecture_net(
            regularization="none", n_train=100, n_test=100, hidden_size_list=(20, 20), epochs=15,
            optimizer=ProximalSGD(lr=0.05, weight_decay_lambda=0.02), seed=3,
        )

    h1, h2 = run(), run()
    zeros = sum(np.count_nonzero(w == 0) for w in h1.network.weights())
    assert zeros > 1000
    assert h1.train_acc == h2.train_acc
    assert h1.settings["optimizer"] == "ProximalSGD"


# -- SignFlipCounter ---------------------------------------------------------------

def _fake_history(params, epoch):
    return SimpleNamespace(network=SimpleNamespace(params=params), epoch=list(range(1, epoch + 1)))


def test_counts_flips_and_exact_zeros_between_calls():
    counter = SignFlipCounter()
    params = {"W1": np.array([1.0, -2.0, 0.5, 0.0]), "b1": np.array([1.0]), "W2": np.array([[3.0, -1.0]])}
    counter(_fake_history(params, 1))
    params["W1"][:] = [-1.0, -2.0, 0.0, 0.3]  # one flip; 0.5 → 0 and 0 → 0.3 are not flips
    params["W2"][:] = [[-3.0, 1.0]]           # two flips
    params["b1"][:] = [-1.0]                  # biases are not counted
    counter(_fake_history(params, 2))
    assert counter.epoch == [1, 2]
    assert counter.flips == [0, 3]
    assert counter.zeros == [1, 1]


def test_trace_records_chosen_weights_each_epoch():
    counter = SignFlipCounter(keys=["W2"], track=3, trace_key="W2", rng=0)
    params = {"W2": np.arange(12, dtype=np.float32).reshape(3, 4)}
    counter(_fake_history(params, 1))
    params["W2"] *= -1
    counter(_fake_history(params, 2))
    trace = counter.trace
    assert trace.shape == (2, 3)
    np.testing.assert_array_equal(trace[1], -trace[0])
    np.testing.assert_array_equal(trace[0], params["W2"].ravel()[counter.trace_index] * -1)


def test_counter_bad_arguments_and_inputs():
    with pytest.raises(TypeError, match="keys"):
        SignFlipCounter(keys="W1")
    with pytest.raises(ValueError, match="keys"):
        SignFlipCounter(keys=[])
    with pytest.raises(ValueError, match="track"):
        SignFlipCounter(track=-1)
    with pytest.raises(TypeError, match="trace_key"):
        SignFlipCounter(trace_key=2)
    with pytest.raises(TypeError, match="history.network.params"):
        SignFlipCounter()(SimpleNamespace(epoch=[1]))
    with pytest.raises(KeyError, match="W9"):
        SignFlipCounter(keys=["W9"])(_fake_history({"W1": np.ones(2)}, 1))


def test_counter_as_trainer_callback_sees_every_epoch():
    rng = np.random.default_rng(0)
    x = rng.random((40, 6)).astype(np.float32)
    t = rng.integers(0, 3, size=40)
    net = MultiLayerNet(6, [8], 3, weight_decay_lambda=0.5, regularization="l1", rng=0)
    counter = SignFlipCounter(track=4, trace_key="W1")
    Trainer(net, x, t, x, t, epochs=7, mini_batch_size=10, optimizer_param={"lr": 0.1},
            verbose=False, rng=0, callback=counter).train()
    assert counter.epoch == list(range(1, 8))
    assert len(counter.flips) == 7 and counter.flips[0] == 0
    assert counter.trace.shape == (7, 4)
