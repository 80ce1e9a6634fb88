"""The shared argument checks: every message names the parameter and what is allowed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from common._validation import (
    check_array,
    check_bool,
    check_choice,
    check_dtype,
    check_float,
    check_float_array,
    check_int,
    is_bool,
    make_rng,
)

# ------------------------------------------------------------------ make_rng


def test_make_rng_none_gives_a_fresh_generator():
    a, b = make_rng(None), make_rng(None)
    assert isinstance(a, np.random.Generator)
    assert a is not b
    assert a.random() != b.random()  # OS entropy: equal draws would be a 2**-53 coincidence


@pytest.mark.parametrize("seed", [0, 42, np.int64(7), np.uint8(3)])
def test_make_rng_int_is_a_seed(seed):
    g = make_rng(seed)
    assert isinstance(g, np.random.Generator)
    np.testing.assert_array_equal(g.random(5), np.random.default_rng(int(seed)).random(5))


def test_make_rng_generator_is_used_as_is():
    g = np.random.default_rng(3)
    assert make_rng(g) is g


def test_make_rng_leaves_the_global_state_alone():
    state = np.random.get_state()[1].copy()
    make_rng(0).random(10)
    make_rng(None).random(10)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize(
    "value, exc, match",
    [
        (-1, ValueError, "non-negative"),
        (True, TypeError, "Generator, an int seed or None"),
        (np.bool_(False), TypeError, "Generator"),
        (1.5, TypeError, "float"),
        (2.0, TypeError, "float"),
        ("0", TypeError, "str"),
        (np.random.RandomState(0), TypeError, "RandomState"),
    ],
)
def test_make_rng_rejects(value, exc, match):
    with pytest.raises(exc, match=match):
        make_rng(value)
    with pytest.raises(exc, match="^seed_for_shuffling"):
        make_rng(value, name="seed_for_shuffling")


# ---------------------------------------------------------------- check_float


def test_check_float_returns_float():
    assert check_float(3, "lr") == 3.0 and type(check_float(3, "lr")) is float
    assert check_float(np.float32(0.5), "lr") == 0.5
    assert check_float(0.0, "x", minimum=0.0) == 0.0
    assert check_float(1.0, "x", maximum=1.0) == 1.0


@pytest.mark.parametrize(
    "value, kwargs, exc, fragments",
    [
        (-0.1, dict(minimum=0.0), ValueError, ["lam", "[0.0, inf]", "-0.1"]),
        (0.0, dict(minimum=0.0, include_min=False), ValueError, ["lam", "(0.0, inf]", "0.0"]),
        (1.0, dict(minimum=0.0, maximum=1.0, include_max=False), ValueError, ["lam", "[0.0, 1.0)", "1.0"]),
        (2.0, dict(maximum=1.0), ValueError, ["lam", "[-inf, 1.0]", "2.0"]),
        (float("nan"), dict(minimum=0.0), ValueError, ["lam", "finite", "nan"]),
        (float("inf"), dict(), ValueError, ["lam", "finite"]),
        ("0.1", dict(), TypeError, ["lam", "real number", "str"]),
        (None, dict(), TypeError, ["lam", "NoneType"]),
        (True, dict(), TypeError, ["lam", "bool"]),
        (1 + 2j, dict(), TypeError, ["lam", "complex"]),
    ],
)
def test_check_float_messages(value, kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        check_float(value, "lam", **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


# ------------------------------------------------------------------ check_int


def test_check_int_accepts_numpy_ints():
    assert check_int(np.int32(5), "epochs", minimum=1) == 5
    assert type(check_int(np.int64(5), "epochs")) is int


@pytest.mark.parametrize(
    "value, kwargs, exc, fragments",
    [
        (0, dict(minimum=1), ValueError, ["epochs", ">= 1", "0"]),
        (11, dict(minimum=1, maximum=10), ValueError, ["epochs", "<= 10", "11"]),
        (2.0, dict(), TypeError, ["epochs", "int", "float"]),
        (True, dict(), TypeError, ["epochs", "bool"]),
        ("3", dict(), TypeError, ["epochs", "str"]),
    ],
)
def test_check_int_messages(value, kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        check_int(value, "epochs", **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


# --------------------------------------------------------------- check_choice


def test_check_choice_lower_cases():
    assert check_choice("L2", "regularization", ("none", "l2", "l1")) == "l2"


@pytest.mark.parametrize("value, exc", [("l3", ValueError), ("", ValueError), (2, TypeError), (None, TypeError)])
def test_check_choice_messages_list_the_choices(value, exc):
    with pytest.raises(exc) as info:
        check_choice(value, "regularization", ("none", "l2", "l1"))
    message = str(info.value)
    assert "regularization" in message
    for choice in ("none", "l2", "l1"):
        assert f"'{choice}'" in message


# ---------------------------------------------------------------- check_array


def test_check_array_accepts_lists_and_returns_arrays():
    out = check_array([[1, 2], [3, 4]], "x", ndim=2)
    assert isinstance(out, np.ndarray) and out.shape == (2, 2)
    arr = np.ones((2, 3))
    assert check_array(arr, "x") is arr  # no copy
    assert check_array(np.array([True, False]), "mask").dtype == np.bool_
    assert check_array(np.array([np.nan]), "x", finite=False).shape == (1,)
    assert check_array(np.zeros((0, 3)), "x", allow_empty=True).shape == (0, 3)


@pytest.mark.parametrize(
    "value, kwargs, exc, fragments",
    [
        (np.ones((2, 3, 4)), dict(ndim=(2, 4)), ValueError, ["x_train", "2 or 4-D", "(2, 3, 4)"]),
        (np.ones(3), dict(ndim=2), ValueError, ["x_train", "2-D", "(3,)"]),
        (np.zeros((0, 784)), dict(), ValueError, ["x_train", "empty", "(0, 784)"]),
        (np.array([1.0, np.nan]), dict(), ValueError, ["x_train", "NaN"]),
        (np.array([1.0, -np.inf], dtype=np.float32), dict(), ValueError, ["x_train", "inf"]),
        (np.array(["a", "b"]), dict(), TypeError, ["x_train", "real numbers"]),
        (np.array([1, None], dtype=object), dict(), TypeError, ["x_train", "object"]),
        (np.array([1j]), dict(), TypeError, ["x_train", "complex"]),
        ({"a": 1}, dict(), TypeError, ["x_train", "numpy array", "dict"]),
    ],
)
def test_check_array_messages(value, kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        check_array(value, "x_train", **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


def test_check_float_array_and_dtype():
    assert check_float_array(np.ones(2, dtype=np.float32), "w").dtype == np.float32
    with pytest.raises(TypeError, match="w must be a float array.*int64"):
        check_float_array(np.ones(2, dtype=np.int64), "w")
    assert check_dtype("float64") == np.float64
    assert check_dtype(np.float32) == np.float32
    for bad in (int, np.float16, "int8"):
        with pytest.raises(TypeError, match="dtype must be np.float32 or np.float64"):
            check_dtype(bad)
    with pytest.raises(TypeError, match="dtype"):
        check_dtype("not a dtype")


def test_one_bool_check_in_common():
    # is_bool/check_bool is the one place that knows np.bool_ counts as a bool (and 0/1 do not)
    root = Path(__file__).resolve().parent.parent
    inline = [p.name for p in sorted((root / "common").rglob("*.py"))
              if p.name != "_validation.py" and "np.bool_)" in p.read_text(encoding="utf-8")]
    assert not inline, f"use common._validation.check_bool/is_bool instead of an inline check in {inline}"
    assert check_bool(np.True_, "flag") is True and is_bool(False) and not is_bool(1)
    with pytest.raises(TypeError, match="flag must be True or False"):
        check_bool(1, "flag")
