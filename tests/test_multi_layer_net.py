"""MultiLayerNet: parameters, whole-network gradient checks, the penalty, and argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from common.multi_layer_net import MultiLayerNet

TOL = 1e-6
SIZES = (6, [5, 4], 3)  # 6-5-4-3


def rel_err(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def small_net(seed=0, **kwargs):
    """A float64 6-5-4-3 net whose weights are kept >= 0.05 away from 0 and whose biases are nonzero."""
    kwargs.setdefault("dtype", np.float64)
    net = MultiLayerNet(*SIZES, rng=seed, **kwargs)
    rng = np.random.default_rng(seed + 100)
    for key, value in net.params.items():
        if key.startswith("W"):
            value[...] = np.sign(value) * np.maximum(np.abs(value), 0.05)
        else:
            value[...] = rng.uniform(-0.2, 0.2, size=value.shape)
    return net


def small_data(seed=0, n=4):
    rng = np.random.default_rng(seed + 200)
    return rng.standard_normal((n, 6)), rng.integers(0, 3, size=n)


def hand_forward(net, x, activation="relu"):
    """The forward pass written out by hand (no layers), for reference."""
    act = (lambda z: np.maximum(z, 0)) if activation == "relu" else (lambda z: 1 / (1 + np.exp(-z)))
    h = x
    L = len(net.hidden_size_list) + 1
    for i in range(1, L + 1):
        h = h @ net.params[f"W{i}"] + net.params[f"b{i}"]
        if i < L:
            h = act(h)
    return h


# ---------------------------------------------------------------- params


def test_params_keys_and_shapes():
    net = MultiLayerNet(784, [100, 50, 20], 10, rng=0)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"]
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes == {
        "W1": (784, 100), "b1": (100,), "W2": (100, 50), "b2": (50,),
        "W3": (50, 20), "b3": (20,), "W4": (20, 10), "b4": (10,),
    }
    for i in range(1, 5):
        np.testing.assert_array_equal(net.params[f"b{i}"], 0.0)
    assert [w.shape for w in net.weights()] == [(784, 100), (100, 50), (50, 20), (20, 10)]


@pytest.mark.parametrize(
    "activation, weight_init_std, fan_in, expected",
    [
        ("relu", "relu", 1000, np.sqrt(2 / 1000)),  # He
        ("relu", "he", 400, np.sqrt(2 / 400)),
        ("sigmoid", "sigmoid", 1000, np.sqrt(1 / 1000)),  # Xavier
        ("relu", 0.01, 1000, 0.01),  # the book's fixed std
    ],
)
def test_initial_weight_std(activation, weight_init_std, fan_in, expected):
    net = MultiLayerNet(fan_in, [500], 10, activation=activation, weight_init_std=weight_init_std, rng=1)
    W1 = net.params["W1"].astype(np.float64)  # fan_in * 500 samples: std known to ~0.2 %
    assert W1.std() == pytest.approx(expected, rel=0.01)
    assert abs(W1.mean()) < 0.01 * expected
    # the second layer's fan-in is 500
    W2 = net.params["W2"].astype(np.float64)
    scale2 = expected * np.sqrt(fan_in / 500) if isinstance(weight_init_std, str) else expected
    assert W2.std() == pytest.approx(scale2, rel=0.05)


def test_dtype_default_float32_and_float64_option():
    net = MultiLayerNet(*SIZES, rng=0)
    assert all(v.dtype == np.float32 for v in net.params.values())
    x, t = small_data()
    grads = net.gradient(x, t)  # float64 input is cast to the net's dtype
    assert all(g.dtype == np.float32 for g in grads.values())
    assert net.predict(x).dtype == np.float32
    net64 = MultiLayerNet(*SIZES, dtype=np.float64, rng=0)
    assert all(v.dtype == np.float64 for v in net64.params.values())
    assert all(g.dtype == np.float64 for g in net64.gradient(x, t).values())
    # same seed: same draws, only rounded differently
    np.testing.assert_allclose(net.params["W1"], net64.params["W1"], rtol=1e-6)


def test_same_seed_same_params_and_gradients_different_seed_differs():
    x, t = small_data()
    a = MultiLayerNet(*SIZES, use_dropout=True, dropout_ratio=0.3, rng=5)
    b = MultiLayerNet(*SIZES, use_dropout=True, dropout_ratio=0.3, rng=5)
    c = MultiLayerNet(*SIZES, use_dropout=True, dropout_ratio=0.3, rng=6)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    ga, gb = a.gradient(x, t), b.gradient(x, t)  # includes the dropout masks
    for key in ga:
        np.testing.assert_array_equal(ga[key], gb[key])


# ---------------------------------------------------------- gradient check


CASES = {
    "none": dict(),
    "explicit-none": dict(regularization="none", weight_decay_lambda=0.1),
    "l2": dict(weight_decay_lambda=0.1, regularization="l2"),
    "l1": dict(weight_decay_lambda=0.1, regularization="l1"),
    "sigmoid": dict(activation="sigmoid", weight_init_std="sigmoid"),
    "sigmoid-l2": dict(activation="sigmoid", weight_init_std="sigmoid", weight_decay_lambda=0.1),
    "dropout": dict(use_dropout=True, dropout_ratio=0.3),
    "dropout-l2": dict(use_dropout=True, dropout_ratio=0.3, weight_decay_lambda=0.1),
}


@pytest.mark.parametrize("case", list(CASES))
def test_whole_network_gradient_check(case):
    net = small_net(seed=3, **CASES[case])
    x, t = small_data(seed=3)
    grads = net.gradient(x, t)  # draws the dropout masks (if any) ...
    grads = {k: v.copy() for k, v in grads.items()}
    num = net.numerical_gradient(x, t)  # ... and holds them fixed
    assert set(grads) == set(num) == set(net.params)
    for key in net.params:
        assert grads[key].shape == net.params[key].shape
        err = rel_err(grads[key], num[key])
        assert err < TOL, f"{case}: {key} relative error {err:.2e}"
        assert np.abs(grads[key]).max() > 1e-6, f"{case}: {key} gradient is (almost) zero; the check would be vacuous"


def test_dropout_gradient_check_depends_on_the_frozen_mask():
    net = small_net(seed=3, use_dropout=True, dropout_ratio=0.3)
    x, t = small_data(seed=3, n=8)
    masks = [layer for name, layer in net.layers.items() if name.startswith("Dropout")]
    assert len(masks) == 2
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    drawn = [m.mask.copy() for m in masks]
    assert any((m == 0).any() for m in drawn)  # units were dropped
    num = net.numerical_gradient(x, t)
    for before, layer in zip(drawn, masks):
        np.testing.assert_array_equal(layer.mask, before)
        assert layer.frozen is False  # unfrozen again afterwards
    assert rel_err(grads["W1"], num["W1"]) < TOL
    # a fresh training pass draws new masks, so a different sub-network
    net.gradient(x, t)
    assert any(not np.array_equal(before, layer.mask) for before, layer in zip(drawn, masks))


# ----------------------------------------------------------------- penalty


def test_l2_penalty_added_to_loss_over_all_weights():
    x, t = small_data()
    lam = 0.1
    reg = small_net(seed=1, weight_decay_lambda=lam, regularization="l2")
    plain = small_net(seed=1)
    expected = 0.5 * lam * sum(float(np.sum(reg.params[f"W{i}"] ** 2)) for i in (1, 2, 3))
    assert expected > 0.1
    assert reg.loss(x, t) - plain.loss(x, t) == pytest.approx(expected, rel=1e-10)
    assert reg.penalty() == pytest.approx(expected, rel=1e-12)


def test_l1_penalty_added_to_loss_over_all_weights():
    x, t = small_data()
    lam = 0.1
    reg = small_net(seed=1, weight_decay_lambda=lam, regularization="l1")
    plain = small_net(seed=1)
    expected = lam * sum(float(np.sum(np.abs(reg.params[f"W{i}"]))) for i in (1, 2, 3))
    assert reg.loss(x, t) - plain.loss(x, t) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("regularization", ["l2", "l1"])
def test_biases_are_never_penalized(regularization):
    x, t = small_data()
    reg = small_net(seed=2, weight_decay_lambda=0.1, regularization=regularization)
    plain = small_net(seed=2)
    before = reg.penalty()
    for i in (1, 2, 3):
        reg.params[f"b{i}"] += 10.0
        plain.params[f"b{i}"] += 10.0
    assert reg.penalty() == before
    assert reg.loss(x, t) - plain.loss(x, t) == pytest.approx(before, rel=1e-9)
    g_reg, g_plain = reg.gradient(x, t), plain.gradient(x, t)
    for i in (1, 2, 3):
        np.testing.assert_array_equal(g_reg[f"b{i}"], g_plain[f"b{i}"])
        W = reg.params[f"W{i}"]
        extra = 0.1 * W if regularization == "l2" else 0.1 * np.sign(W)
        np.testing.assert_allclose(g_reg[f"W{i}"] - g_plain[f"W{i}"], extra, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("regularization", ["l2", "l1"])
def test_gradient_leaves_layer_dW_as_the_data_gradient_only(regularization):
    """As in the book: the penalty goes into the returned grads, never into layers['AffineN'].dW."""
    x, t = small_data(n=6)
    lam = 0.1
    reg = small_net(seed=5, weight_decay_lambda=lam, regularization=regularization)
    plain = small_net(seed=5)
    grads, plain_grads = reg.gradient(x, t), plain.gradient(x, t)
    for i in (1, 2, 3):
        layer = reg.layers[f"Affine{i}"]
        W = reg.params[f"W{i}"]
        np.testing.assert_array_equal(layer.dW, plain.layers[f"Affine{i}"].dW)  # E's gradient only
        np.testing.assert_array_equal(layer.db, grads[f"b{i}"])
        extra = lam * W if regularization == "l2" else lam * np.sign(W)
        np.testing.assert_allclose(grads[f"W{i}"], layer.dW + extra, rtol=1e-12)
        assert not np.shares_memory(grads[f"W{i}"], layer.dW)
        np.testing.assert_allclose(grads[f"W{i}"] - extra, plain_grads[f"W{i}"], rtol=1e-9, atol=1e-15)


def test_the_lectures_hand_written_loop_counts_the_penalty_once():
    """The lecture's notebook: ``grad = layers['Affine'+idx].dW + λ·W``, then ``params[...] -= lr·grad``."""
    x, t = small_data(n=8)
    lam, lr = 0.1, 0.05
    network = small_net(seed=6, weight_decay_lambda=lam)
    reference = small_net(seed=6, weight_decay_lambda=lam)
    assert network.hidden_layer_num == 2
    for _ in range(3):
        network.gradient(x, t)
        for idx in range(1, network.hidden_layer_num + 2):  # every layer, output layer included
            grad_W = network.layers["Affine" + str(idx)].dW + lam * network.params["W" + str(idx)]
            grad_b = network.layers["Affine" + str(idx)].db
            network.params["W" + str(idx)] -= lr * grad_W
            network.params["b" + str(idx)] -= lr * grad_b
        # the same step through the returned grads
        grads = reference.gradient(x, t)
        for key in reference.params:
            reference.params[key] -= lr * grads[key]
    for key in network.params:
        np.testing.assert_allclose(network.params[key], reference.params[key], rtol=1e-12, atol=1e-15)


def test_lambda_zero_means_no_penalty():
    x, t = small_data()
    a = small_net(seed=4, weight_decay_lambda=0.0, regularization="l1")
    b = small_net(seed=4, regularization="none")
    assert a.penalty() == 0.0
    assert a.loss(x, t) == b.loss(x, t)


# ---------------------------------------------------------------- predict


def test_predict_matches_a_hand_written_forward_pass():
    x, _ = small_data(n=5)
    for activation in ("relu", "sigmoid"):
        net = small_net(seed=7, activation=activation)
        np.testing.assert_allclose(net.predict(x), hand_forward(net, x, activation), rtol=1e-12)


def test_predict_in_test_mode_ignores_dropout():
    x, _ = small_data(n=50)
    drop = small_net(seed=8, use_dropout=True, dropout_ratio=0.5)
    ref = hand_forward(drop, x)
    np.testing.assert_allclose(drop.predict(x), ref, rtol=1e-12)
    np.testing.assert_allclose(drop.predict(x, train_flg=False), ref, rtol=1e-12)
    drop.gradient(x, np.zeros(50, dtype=int))  # a training pass in between changes nothing
    np.testing.assert_allclose(drop.predict(x), ref, rtol=1e-12)
    assert not np.allclose(drop.predict(x, train_flg=True), ref)
    assert drop.accuracy(x, drop.predict(x).argmax(axis=1)) == 1.0


def test_book_and_inverted_dropout_networks_agree_in_expectation():
    """With one hidden layer the scores are linear in the dropout output, so the mean of many
    training-mode passes must approach the test-mode scores, in both dropout styles."""
    x, _ = small_data(n=5)
    for inverted in (True, False):
        net = MultiLayerNet(6, [40], 3, use_dropout=True, dropout_ratio=0.3, dropout_inverted=inverted,
                            dtype=np.float64, rng=2)
        assert all(layer.inverted is inverted for name, layer in net.layers.items() if name.startswith("Dropout"))
        assert net.settings()["dropout_inverted"] is inverted
        test = net.predict(x)
        n = 3000
        runs = np.stack([net.predict(x, train_flg=True) for _ in range(n)])
        se = runs.std(axis=0) / np.sqrt(n)
        z = np.abs(runs.mean(axis=0) - test) / se
        assert z.max() < 5, (inverted, z.max())
    # same seed: the same initial weights and the same masks, so the training-mode scores differ
    # only by the 1/(1 − p) scale of the kept units (here the hidden layer is followed by W2)
    a = MultiLayerNet(6, [40], 3, use_dropout=True, dropout_ratio=0.3, dtype=np.float64, rng=2)
    b = MultiLayerNet(6, [40], 3, use_dropout=True, dropout_ratio=0.3, dropout_inverted=False,
                      dtype=np.float64, rng=2)
    sa, sb = a.predict(x, train_flg=True), b.predict(x, train_flg=True)
    np.testing.assert_allclose(sa - a.params["b2"], (sb - b.params["b2"]) / 0.7, rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs, ratio",
    [(dict(dropout_ration=0.2), 0.2), (dict(dropout_ratio=0.2, dropout_ration=0.2), 0.2),
     (dict(dropout_ratio=0.3), 0.3), (dict(), 0.5)],
)
def test_dropout_ration_is_the_books_spelling(kwargs, ratio):
    net = MultiLayerNet(*SIZES, use_dropout=True, rng=0, **kwargs)
    assert net.dropout_ratio == ratio
    assert all(layer.dropout_ratio == ratio for name, layer in net.layers.items() if name.startswith("Dropout"))


def test_dropout_ratio_and_ration_disagreeing_is_a_type_error():
    with pytest.raises(TypeError, match="dropout_ratio.*dropout_ration"):
        MultiLayerNet(*SIZES, use_dropout=True, dropout_ratio=0.1, dropout_ration=0.2)


def test_lecture_api_names_exist():
    net = MultiLayerNet(input_size=784, hidden_size_list=[100] * 6, output_size=10, rng=0)
    assert net.hidden_layer_num == 6
    assert net.params["W1"].shape == (784, 100) and net.params["W7"].shape == (100, 10)
    x = np.random.default_rng(0).random((5, 784))
    t = np.arange(5)
    net.gradient(x, t)
    for idx in range(1, net.hidden_layer_num + 2):
        layer = net.layers["Affine" + str(idx)]
        assert layer.dW.shape == net.params["W" + str(idx)].shape
        assert layer.db.shape == net.params["b" + str(idx)].shape


def test_editing_a_param_in_place_takes_effect():
    x, _ = small_data(n=6)
    net = small_net(seed=9)
    before = net.predict(x).copy()
    net.params["W2"] *= 2.0
    net.params["b3"] += 1.0
    after = net.predict(x)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, hand_forward(net, x), rtol=1e-12)


def test_replacing_a_param_array_takes_effect():
    """The lecture's hand-written loop does ``network.params['W1'] = network.params['W1'] - lr * grad``."""
    x, t = small_data(n=6)
    net = small_net(seed=9)
    before = net.predict(x).copy()
    old = net.params["W1"]
    net.params["W1"] = old - 0.5 * net.gradient(x, t)["W1"]
    assert net.params["W1"] is not old
    after = net.predict(x)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, hand_forward(net, x), rtol=1e-12)
    # gradients and the penalty also use the new arrays
    net2 = small_net(seed=9, weight_decay_lambda=0.1)
    net2.params["W2"] = np.full_like(net2.params["W2"], 0.5)
    expected = 0.5 * 0.1 * sum(float(np.sum(net2.params[f"W{i}"] ** 2)) for i in (1, 2, 3))
    assert net2.penalty() == pytest.approx(expected)
    grads = net2.gradient(x, t)
    num = net2.numerical_gradient(x, t)
    assert rel_err(grads["W2"], num["W2"]) < TOL


def test_accuracy_with_labels_and_one_hot():
    x, _ = small_data(n=10)
    net = small_net(seed=10)
    pred = net.predict(x).argmax(axis=1)
    t = pred.copy()
    t[::2] = (pred[::2] + 1) % 3  # half wrong on purpose
    assert net.accuracy(x, t) == pytest.approx(0.5)
    assert net.accuracy(x, np.eye(3)[t]) == pytest.approx(0.5)
    assert net.accuracy(x, pred) == 1.0


def test_loss_accepts_one_hot():
    x, t = small_data()
    net = small_net(seed=11, weight_decay_lambda=0.1)
    assert net.loss(x, np.eye(3)[t]) == pytest.approx(net.loss(x, t), rel=1e-14)


def test_image_shaped_input_is_flattened():
    net = MultiLayerNet(784, [10], 10, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).random((3, 1, 28, 28))
    np.testing.assert_allclose(net.predict(x), net.predict(x.reshape(3, 784)), rtol=1e-14)


# --------------------------------------------------------- argument checks


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(weight_decay_lambda=-0.1), ValueError, "weight_decay_lambda"),
        (dict(weight_decay_lambda=float("nan")), ValueError, "weight_decay_lambda"),
        (dict(regularization="l3"), ValueError, "regularization"),
        (dict(dropout_ratio=1.0, use_dropout=True), ValueError, "dropout_ratio"),
        (dict(dropout_ratio=-0.5), ValueError, "dropout_ratio"),
        (dict(hidden_size_list=[5, 0]), ValueError, r"hidden_size_list\[1\]"),
        (dict(hidden_size_list=[-1]), ValueError, r"hidden_size_list\[0\]"),
        (dict(hidden_size_list=[5.0]), TypeError, r"hidden_size_list\[0\]"),
        (dict(hidden_size_list=5), TypeError, "hidden_size_list"),
        (dict(input_size=0), ValueError, "input_size"),
        (dict(input_size=6.0), TypeError, "input_size"),
        (dict(output_size=1), ValueError, "output_size"),
        (dict(dtype=int), TypeError, "dtype"),
        (dict(dtype=np.int32), TypeError, "dtype"),
        (dict(activation="tanh"), ValueError, "activation"),
        (dict(use_dropout="yes"), TypeError, "use_dropout"),
        (dict(weight_init_std="lecun"), ValueError, "weight_init_std"),
        (dict(weight_init_std=0.0), ValueError, "weight_init_std"),
        (dict(rng=-1), ValueError, "rng"),
        (dict(dropout_ration=1.0), ValueError, "dropout_ration"),
        (dict(dropout_inverted="yes"), TypeError, "dropout_inverted"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, exc, match):
    args = dict(input_size=6, hidden_size_list=[5, 4], output_size=3)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        MultiLayerNet(**args)


@pytest.mark.parametrize("method", ["loss", "accuracy", "gradient"])
def test_bad_x_and_t_raise_naming_them(method):
    net = MultiLayerNet(*SIZES, rng=0)
    x, t = small_data(n=4)
    call = getattr(net, method)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 6\)"):
        call(np.ones((4, 5)), t)
    with pytest.raises(ValueError, match="x must"):
        call(np.ones(6), t[:1])
    with pytest.raises(TypeError, match="x must be a numpy array"):
        call(x.tolist(), t)
    bad = x.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="x contains NaN"):
        call(bad, t)
    bad[1, 2] = np.inf
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        call(bad, t)
    with pytest.raises(ValueError, match=r"t must hold labels in \[0, 2\]"):
        call(x, np.array([0, 1, 3, 0]))
    with pytest.raises(ValueError, match=r"t must hold labels in \[0, 2\]"):
        call(x, np.array([0, -1, 2, 0]))
    with pytest.raises(TypeError, match="t must hold integer"):
        call(x, t.astype(np.float64))
    with pytest.raises(ValueError, match=r"t must have shape \(4,\)"):
        call(x, t[:3])


def test_predict_rejects_bad_x():
    net = MultiLayerNet(*SIZES, rng=0)
    with pytest.raises(ValueError, match="x must have shape"):
        net.predict(np.ones((2, 7)))
    with pytest.raises(ValueError, match="x contains NaN"):
        net.predict(np.full((2, 6), np.nan))
