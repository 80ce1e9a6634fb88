"""Optimizers: one step against formulas written out here, in-place updates, scalar parameters, make_optimizer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from common.optimizer import OPTIMIZERS, SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop, make_optimizer
from course.proximal import ProximalSGD

ALL_CLASSES = [*OPTIMIZERS.values(), ProximalSGD]

EPS = 1e-7


def make_params(seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(4), "W2": rng.standard_normal((4, 2))}


def make_grads_sequence(seed=1, steps=3):
    rng = np.random.default_rng(seed)
    return [
        {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(4), "W2": rng.standard_normal((4, 2))}
        for _ in range(steps)
    ]


# ---------- reference implementations, elementwise in plain Python over flat lists ----------


def reference_run(name, w0, grads_seq, **hp):
    """Run ``len(grads_seq)`` steps of optimizer ``name`` on a dict of arrays, element by element."""
    out = {}
    for key, w_arr in w0.items():
        w = [float(v) for v in w_arr.ravel()]
        n = len(w)
        state_a = [0.0] * n  # v (momentum), h (AdaGrad/RMSprop), m (Adam)
        state_b = [0.0] * n  # v (Adam)
        lr = hp["lr"]
        for t, grads in enumerate(grads_seq, start=1):
            g = [float(v) for v in grads[key].ravel()]
            for i in range(n):
                if name == "sgd":
                    w[i] = w[i] - lr * g[i]
                elif name == "momentum":
                    state_a[i] = hp["momentum"] * state_a[i] - lr * g[i]
                    w[i] = w[i] + state_a[i]
                elif name == "nesterov":  # the book's form
                    m = hp["momentum"]
                    state_a[i] = m * state_a[i] - lr * g[i]
                    w[i] = w[i] + m * m * state_a[i] - (1 + m) * lr * g[i]
                elif name == "adagrad":
                    state_a[i] = state_a[i] + g[i] ** 2
                    w[i] = w[i] - lr * g[i] / (math.sqrt(state_a[i]) + EPS)
                elif name == "rmsprop":
                    rho = hp["decay_rate"]
                    state_a[i] = rho * state_a[i] + (1 - rho) * g[i] ** 2
                    w[i] = w[i] - lr * g[i] / (math.sqrt(state_a[i]) + EPS)
                elif name in ("adam", "adamw"):
                    b1, b2 = hp["beta1"], hp["beta2"]
                    state_a[i] = b1 * state_a[i] + (1 - b1) * g[i]
                    state_b[i] = b2 * state_b[i] + (1 - b2) * g[i] ** 2
                    # Kingma & Ba (2015), end of Sec. 2: the bias corrections folded into the step size
                    alpha_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
                    w[i] = w[i] - alpha_t * state_a[i] / (math.sqrt(state_b[i]) + EPS)
                    if name == "adamw" and key.startswith("W"):
                        w[i] = w[i] - lr * hp["weight_decay"] * w[i]
                else:
                    raise AssertionError(name)
        out[key] = np.array(w).reshape(w_arr.shape)
    return out


CASES = [
    ("sgd", SGD, dict(lr=0.1)),
    ("momentum", Momentum, dict(lr=0.1, momentum=0.8)),
    ("nesterov", Nesterov, dict(lr=0.1, momentum=0.8)),
    ("adagrad", AdaGrad, dict(lr=0.3)),
    ("rmsprop", RMSprop, dict(lr=0.05, decay_rate=0.9)),
    ("adam", Adam, dict(lr=0.01, beta1=0.8, beta2=0.95)),
    ("adamw", AdamW, dict(lr=0.01, beta1=0.8, beta2=0.95, weight_decay=0.5)),
]


@pytest.mark.parametrize("name, cls, hp", CASES, ids=[c[0] for c in CASES])
def test_matches_hand_computed_steps_and_updates_in_place(name, cls, hp):
    params = make_params()
    w0 = {k: v.copy() for k, v in params.items()}
    ids = {k: id(v) for k, v in params.items()}
    views = dict(params)  # references the caller (e.g. the network's layers) holds
    grads_seq = make_grads_sequence()
    opt = cls(**hp)
    for step in range(1, len(grads_seq) + 1):
        opt.update(params, grads_seq[step - 1])
        expected = reference_run(name, w0, grads_seq[:step], **hp)
        for key in params:
            assert id(params[key]) == ids[key], f"{name} replaced params[{key!r}] instead of updating it"
            np.testing.assert_allclose(views[key], expected[key], rtol=1e-12, atol=1e-14, err_msg=f"{name} step {step} {key}")
        assert not np.allclose(params["W1"], w0["W1"])


@pytest.mark.parametrize("name, cls, hp", CASES, ids=[c[0] for c in CASES])
def test_float32_params_stay_float32(name, cls, hp):
    params = {k: v.astype(np.float32) for k, v in make_params().items()}
    grads = {k: v.astype(np.float32) for k, v in make_grads_sequence(steps=1)[0].items()}
    cls(**hp).update(params, grads)
    assert all(v.dtype == np.float32 for v in params.values())


SCALAR_HP = {"sgdw": dict(lr=0.1, weight_decay=0.5), **{name: hp for name, _, hp in CASES}}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_scalar_params_as_in_the_books_optimizer_compare_naive(name):
    # params['x'] = -7.0 as a Python float, a NumPy scalar or a 0-d array: the same steps as a (1,) array
    hp = SCALAR_HP[name]
    g_seq = [{"x": g} for g in (0.7, -0.2, 0.4)]
    as_array = {"x": np.array([-7.0])}
    as_float, as_numpy, as_0d = {"x": -7.0}, {"x": np.float64(-7.0)}, {"x": np.array(-7.0)}
    zero_d = as_0d["x"]
    opts = [OPTIMIZERS[name](**hp) for _ in range(4)]
    for grads in g_seq:
        for opt, params in zip(opts, (as_array, as_float, as_numpy, as_0d)):
            opt.update(params, grads)
    expected = float(as_array["x"][0])
    assert expected != -7.0
    assert type(as_float["x"]) is float and as_float["x"] == expected
    assert isinstance(as_numpy["x"], float) and as_numpy["x"] == expected
    assert as_0d["x"] is zero_d and float(zero_d) == expected  # a 0-d array is updated in place


def test_scalar_params_keep_their_numpy_dtype_and_int_grads_work():
    params = {"x": np.float32(-7.0), "y": 2}  # the book's grads start as ints: grads['x'], grads['y'] = 0, 0
    Momentum(lr=0.1).update(params, {"x": 0, "y": 4})
    assert type(params["x"]) is np.float32 and params["x"] == np.float32(-7.0)
    assert params["y"] == pytest.approx(2 - 0.1 * 4)


@pytest.mark.parametrize("bad", ["-7", None, True, [1.0]])
def test_a_parameter_that_is_no_number_raises_naming_it(bad):
    with pytest.raises(TypeError, match=r"params\['x'\]"):
        SGD(lr=0.1).update({"x": bad, "W": np.zeros(2)}, {"x": 0.5, "W": np.ones(2)})


def test_grads_with_unknown_key_raise():
    with pytest.raises(KeyError, match="W9"):
        SGD(0.1).update({"W1": np.zeros(2)}, {"W9": np.ones(2)})


def test_adamw_decays_weights_but_not_biases():
    params = {"W1": np.full((2, 2), 2.0), "b1": np.full(2, 2.0)}
    zero = {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}
    opt = AdamW(lr=0.1, weight_decay=0.5)
    opt.update(params, zero)  # zero gradient: the Adam step is 0, only the decay acts
    np.testing.assert_allclose(params["W1"], 2.0 * (1 - 0.1 * 0.5), rtol=1e-15)
    np.testing.assert_array_equal(params["b1"], 2.0)
    # plain Adam does not decay at all
    plain = {"W1": np.full((2, 2), 2.0), "b1": np.full(2, 2.0)}
    Adam(lr=0.1).update(plain, zero)
    np.testing.assert_array_equal(plain["W1"], 2.0)
    # weight_decay=0 is Adam
    a, b = make_params(), make_params()
    g = make_grads_sequence(steps=1)[0]
    Adam(lr=0.01).update(a, g)
    AdamW(lr=0.01, weight_decay=0.0).update(b, g)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


# --------------------------------------------------------- make_optimizer


@pytest.mark.parametrize(
    "name, cls",
    [("SGD", SGD), ("sgd", SGD), ("adam", Adam), ("Adam", Adam), ("MOMENTUM", Momentum), ("AdaGrad", AdaGrad),
     ("rmsprop", RMSprop), ("AdamW", AdamW)],
)
def test_make_optimizer_by_name_case_insensitive(name, cls):
    opt = make_optimizer(name, {"lr": 0.05})
    assert type(opt) is cls
    assert opt.lr == 0.05


def test_make_optimizer_defaults_and_instances():
    assert make_optimizer("sgd").lr == 0.01
    assert make_optimizer("momentum", {"lr": 0.1, "momentum": 0.5}).momentum == 0.5
    opt = Adam(0.002)
    assert make_optimizer(opt) is opt
    with pytest.raises(ValueError, match="optimizer_param"):
        make_optimizer(opt, {"lr": 0.1})
    with pytest.raises(TypeError, match="optimizer_param"):
        make_optimizer("sgd", {"lr": 0.1, "momentum": 0.9})
    assert make_optimizer("adam").settings() == {"optimizer": "Adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999}


@pytest.mark.parametrize("name", ["adamax", "newton", ""])
def test_make_optimizer_unknown_name_raises(name):
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer(name)


def test_make_optimizer_non_string_raises():
    with pytest.raises(TypeError, match="optimizer"):
        make_optimizer(42)


@pytest.mark.parametrize("cls", list(OPTIMIZERS.values()), ids=list(OPTIMIZERS))
@pytest.mark.parametrize("lr, exc", [(0, ValueError), (-1, ValueError), (float("nan"), ValueError), ("x", TypeError)])
def test_bad_lr_raises_naming_lr(cls, lr, exc):
    with pytest.raises(exc, match="lr"):
        cls(lr=lr)
    with pytest.raises(exc, match="lr"):
        make_optimizer(cls.__name__, {"lr": lr})


@pytest.mark.parametrize(
    "cls, kwargs, name",
    [(Momentum, dict(momentum=1.0), "momentum"), (RMSprop, dict(decay_rate=-0.1), "decay_rate"),
     (Adam, dict(beta1=1.0), "beta1"), (Adam, dict(beta2=1.5), "beta2"), (AdamW, dict(weight_decay=-1), "weight_decay")],
)
def test_bad_hyperparameters_raise_naming_them(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls(**kwargs)


# ------------------------------------------------------------- convergence


@pytest.mark.parametrize(
    "name, lr", [("sgd", 0.1), ("momentum", 0.05), ("nesterov", 0.05), ("adagrad", 0.5), ("rmsprop", 0.05), ("adam", 0.1), ("adamw", 0.1)]
)
def test_each_optimizer_decreases_a_quadratic(name, lr):
    """f(w) = ½ Σ a·(w − c)², minimum at c (AdamW's decay pulls W slightly toward 0)."""
    rng = np.random.default_rng(11)
    a = rng.uniform(0.5, 2.0, size=(4, 3))
    c = rng.uniform(-1.0, 1.0, size=(4, 3))
    params = {"W": np.zeros((4, 3))}

    def f():
        return 0.5 * float(np.sum(a * (params["W"] - c) ** 2))

    opt = make_optimizer(name, {"lr": lr})
    start = f()
    values = [start]
    for _ in range(200):
        opt.update(params, {"W": a * (params["W"] - c)})
        values.append(f())
    assert values[-1] < 0.05 * start, (name, start, values[-1])
    assert values[10] < start


def test_sgdw_is_registered_and_leaves_biases_alone():
    opt = make_optimizer("SGDW", {"lr": 0.1, "weight_decay": 0.5})
    params = {"W1": np.ones((2, 2), dtype=np.float32), "b1": np.ones(2, dtype=np.float32)}
    grads = {"W1": np.zeros((2, 2), dtype=np.float32), "b1": np.zeros(2, dtype=np.float32)}
    opt.update(params, grads)
    np.testing.assert_allclose(params["W1"], 0.95)
    np.testing.assert_array_equal(params["b1"], 1.0)


# ------------------------------------------------- lr and learning_rate


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=[c.__name__ for c in ALL_CLASSES])
def test_learning_rate_is_another_name_for_lr(cls):
    assert cls(learning_rate=0.03).lr == 0.03
    assert cls(lr=0.03).lr == 0.03
    assert cls(0.03).lr == 0.03  # the book passes it positionally
    assert cls(lr=0.03, learning_rate=0.03).lr == 0.03  # both, agreeing: fine
    assert "learning_rate" not in cls(learning_rate=0.03).settings()  # recorded as lr, like the book


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=[c.__name__ for c in ALL_CLASSES])
def test_lr_and_learning_rate_disagreeing_is_a_type_error_naming_both(cls):
    with pytest.raises(TypeError) as info:
        cls(lr=0.01, learning_rate=0.1)
    assert "lr=0.01" in str(info.value) and "learning_rate=0.1" in str(info.value)


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=[c.__name__ for c in ALL_CLASSES])
@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-0.1, ValueError), ("x", TypeError)])
def test_bad_learning_rate_raises_naming_learning_rate(cls, bad, exc):
    with pytest.raises(exc, match="learning_rate"):
        cls(learning_rate=bad)


def test_default_step_sizes_are_the_books():
    assert SGD().lr == Momentum().lr == Nesterov().lr == AdaGrad().lr == RMSprop().lr == 0.01
    assert Adam().lr == AdamW().lr == 0.001


def test_the_lectures_optimizer_calls():
    assert type(make_optimizer("SGD", {"learning_rate": 0.01})) is SGD
    assert make_optimizer("SGD", {"learning_rate": 0.02}).lr == 0.02
    m = Momentum(learning_rate=0.01, momentum=0.9)
    assert (m.lr, m.momentum) == (0.01, 0.9)
    assert AdaGrad(learning_rate=0.01).lr == 0.01
    with pytest.raises(TypeError, match="learning_rate"):
        make_optimizer("adam", {"lr": 0.01, "learning_rate": 0.02})


def test_learning_rate_gives_the_same_steps_as_lr():
    a, b = make_params(), make_params()
    opt_a, opt_b = Momentum(lr=0.1, momentum=0.8), Momentum(learning_rate=0.1, momentum=0.8)
    for grads in make_grads_sequence():
        opt_a.update(a, grads)
        opt_b.update(b, grads)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
