"""Dropout as an ensemble: averaging random sub-networks vs the full network."""

from __future__ import annotations

import numpy as np
import pytest

from course.ensemble import EnsembleCurve, dropout_ensemble_curve, dropout_ensemble_predict
from common.layers import softmax
from common.multi_layer_net import MultiLayerNet


def _net(dropout_ratio=0.3, use_dropout=True, seed=0, inverted=True):
    return MultiLayerNet(12, [30, 30], 4, use_dropout=use_dropout, dropout_ratio=dropout_ratio,
                         dropout_inverted=inverted, rng=seed)


def _data(n=50, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((n, 12)).astype(np.float32), rng.integers(0, 4, size=n)


def test_shape_and_rows_are_probabilities():
    x, _ = _data()
    p = dropout_ensemble_predict(_net(), x, 7, rng=0)
    assert p.shape == (50, 4)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    assert (p >= 0).all()


def test_reproducible_and_leaves_the_networks_own_generator_alone():
    x, _ = _data()
    net = _net()
    before = net.rng.bit_generator.state
    p1 = dropout_ensemble_predict(net, x, 5, rng=42)
    p2 = dropout_ensemble_predict(net, x, 5, rng=np.random.default_rng(42))
    p3 = dropout_ensemble_predict(net, x, 5, rng=43)
    np.testing.assert_array_equal(p1, p2)
    assert not np.allclose(p1, p3)
    assert net.rng.bit_generator.state == before
    assert all(layer.rng is net.rng for name, layer in net.layers.items() if name.startswith("Dropout"))


def test_single_sample_is_one_training_mode_forward_pass():
    x, _ = _data()
    net = _net()
    p = dropout_ensemble_predict(net, x, 1, rng=7)
    # replay by hand: every dropout layer draws from one generator seeded 7, in layer order
    shared = np.random.default_rng(7)
    for name, layer in net.layers.items():
        if name.startswith("Dropout"):
            layer.rng = shared
    np.testing.assert_allclose(p, softmax(net.predict(x, train_flg=True)), rtol=1e-6)


@pytest.mark.parametrize("inverted", [True, False], ids=["inverted", "book-style"])
def test_many_sub_networks_agree_with_the_full_network(inverted):
    # book-style dropout (scaled at test time) averages to its full network just as inverted dropout does
    x, _ = _data(200)
    net = _net(dropout_ratio=0.1, inverted=inverted)
    full = net.predict(x).argmax(axis=1)
    few = np.mean(dropout_ensemble_predict(net, x, 1, rng=0).argmax(axis=1) == full)
    many = np.mean(dropout_ensemble_predict(net, x, 200, rng=0).argmax(axis=1) == full)
    assert many > 0.85, many  # measured 0.895 (random net, near-tied classes)
    assert many > few + 0.1, (few, many)  # measured 0.68 → 0.895


def test_curve_matches_the_predict_function_and_nests():
    x, t = _data()
    net = _net()
    curve = dropout_ensemble_curve(net, x, t, [1, 3, 10], rng=5)
    assert isinstance(curve, EnsembleCurve)
    assert curve.n_samples == [1, 3, 10]
    assert len(curve.accuracy) == len(curve.agreement) == 3
    for n, acc, agree in zip(curve.n_samples, curve.accuracy, curve.agreement):
        pred = dropout_ensemble_predict(net, x, n, rng=5).argmax(axis=1)
        assert acc == pytest.approx(np.mean(pred == t))
        assert agree == pytest.approx(np.mean(pred == net.predict(x).argmax(axis=1)))
    assert curve.full_accuracy == pytest.approx(net.accuracy(x, t))
    assert 0.0 <= curve.single_accuracy <= 1.0


def test_one_hot_labels_are_accepted():
    x, t = _data()
    curve_a = dropout_ensemble_curve(_net(), x, t, [2], rng=1)
    curve_b = dropout_ensemble_curve(_net(), x, np.eye(4)[t], [2], rng=1)
    assert curve_a == curve_b


def test_bad_inputs():
    x, t = _data()
    with pytest.raises(ValueError, match="use_dropout"):
        dropout_ensemble_predict(_net(use_dropout=False), x, 3)
    with pytest.raises(ValueError, match="dropout_ratio > 0"):
        dropout_ensemble_predict(_net(dropout_ratio=0.0), x, 3)
    with pytest.raises(TypeError, match="network"):
        dropout_ensemble_predict(object(), x, 3)
    with pytest.raises(ValueError, match="n_samples"):
        dropout_ensemble_predict(_net(), x, 0)
    with pytest.raises(TypeError, match="n_samples"):
        dropout_ensemble_predict(_net(), x, 2.5)
    with pytest.raises(TypeError, match="rng"):
        dropout_ensemble_predict(_net(), x, 2, rng="seed")
    with pytest.raises(ValueError, match="x"):
        dropout_ensemble_predict(_net(), x[0], 2)
    with pytest.raises(ValueError, match="increasing"):
        dropout_ensemble_curve(_net(), x, t, [5, 2])
    with pytest.raises(TypeError, match="n_samples"):
        dropout_ensemble_curve(_net(), x, t, 5)
    with pytest.raises(ValueError, match="one label per row"):
        dropout_ensemble_curve(_net(), x, t[:10], [2])
    with pytest.raises(TypeError, match="integer labels"):
        dropout_ensemble_curve(_net(), x, t.astype(float), [2])
