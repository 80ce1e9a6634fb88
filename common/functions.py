"""The book's ``common/functions.py`` names (ch. 3–5), so pasted book code finds them here.

    identity_function(x) = x
    step_function(x)     = 1 if x > 0 else 0
    sigmoid(x)           = 1 / (1 + exp(−x))          sigmoid_grad(x) = σ(x)·(1 − σ(x))
    relu(x)              = max(0, x)                  relu_grad(x)    = 1 if x ≥ 0 else 0
    softmax(x)_i         = exp(x_i) / Σ_j exp(x_j)    (row-wise)
    mean_squared_error   = ½·Σ (y − t)²               (the book's name; also ``sum_squared_error``)
    cross_entropy_error  = −(1/N)·Σ_n log y_n[t_n]    (labels or one-hot rows)
    softmax_loss(x, t)   = cross_entropy_error(softmax(x), t)

As in the book, :mod:`common.layers` imports ``softmax`` and
``cross_entropy_error`` from here, so a hand computation and
``SoftmaxWithLoss`` agree to the last bit.

Differences from the book: ``sigmoid`` does not warn about ``exp`` overflow;
``cross_entropy_error`` adds the dtype's smallest positive number inside the
log instead of ``1e-7`` (so a confident wrong answer's loss is not capped at
``−log(1e-7) ≈ 16.1``) and returns a ``float``; every function checks that its
input holds real numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "identity_function",
    "step_function",
    "sigmoid",
    "sigmoid_grad",
    "relu",
    "relu_grad",
    "softmax",
    "mean_squared_error",
    "sum_squared_error",
    "cross_entropy_error",
    "softmax_loss",
]


def _real(x: Any, name: str = "x") -> np.ndarray:
    """``x`` as an ndarray of real numbers (lists and scalars are converted, as NumPy would)."""
    arr = np.asarray(x)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (an array, list or scalar), got dtype {arr.dtype}")
    return arr


def _float(x: Any, name: str = "x") -> np.ndarray:
    """Like :func:`_real`, then integers/bools become float64 (float32 stays float32)."""
    arr = _real(x, name)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def identity_function(x: Any) -> Any:
    """``f(x) = x`` — the output activation for regression (returned unchanged)."""
    _real(x)
    return x


def step_function(x: Any) -> np.ndarray:
    """``1 where x > 0, else 0`` (integer array), the perceptron's activation."""
    return (_real(x) > 0).astype(int)


def sigmoid(x: Any) -> np.ndarray:
    """``σ(x) = 1 / (1 + exp(−x))``, element-wise, in ``x``'s float dtype."""
    arr = _float(x)
    # exp(-x) overflows to inf for x < -709 (float64); 1/(1+inf) = 0 is still the right value
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-arr))


def sigmoid_grad(x: Any) -> np.ndarray:
    """``dσ/dx = σ(x)·(1 − σ(x))`` at ``x`` (the input, not the output)."""
    s = sigmoid(x)
    return s * (1.0 - s)


def relu(x: Any) -> np.ndarray:
    """``max(0, x)``, element-wise."""
    arr = _real(x)
    return np.maximum(arr, arr.dtype.type(0))


def relu_grad(x: Any) -> np.ndarray:
    """``1 where x ≥ 0, else 0`` (float array shaped like ``x``).

    The book counts ``x == 0`` as active (gradient 1); :class:`common.layers.Relu`
    passes gradient only where ``x > 0``.  The two differ only at exactly 0.
    """
    arr = _float(x)
    return (arr >= 0).astype(arr.dtype)


def mean_squared_error(y: Any, t: Any) -> float:
    """``½·Σ (y − t)²`` over all entries — the book's "mean squared error" (a sum, halved).

    ``y`` and ``t`` must have the same shape (``t`` one-hot for classification).
    """
    y_arr, t_arr = _float(y, "y"), _float(t, "t")
    if y_arr.shape != t_arr.shape:
        raise ValueError(f"y and t must have the same shape, got {y_arr.shape} and {t_arr.shape}")
    diff = y_arr - t_arr
    return 0.5 * float(np.vdot(diff, diff))


sum_squared_error = mean_squared_error
"""The book's later name for the same ``½·Σ (y − t)²``."""


def softmax(x: Any) -> np.ndarray:
    """Row-wise ``exp(x_i) / Σ_j exp(x_j)`` (last axis), shifted by the row max so exp never overflows."""
    z = _float(x)
    z = z - z.max(axis=-1, keepdims=True)  # softmax(x − c) = softmax(x)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def _labels(t: Any) -> np.ndarray:
    arr = _real(t, "t")
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim == 1 and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            return arr.astype(np.int64)  # labels typed as floats, e.g. np.array([2.0])
        raise TypeError(f"t must hold integer class labels or one-hot rows, got dtype {arr.dtype}")
    return arr


def cross_entropy_error(y: Any, t: Any) -> float:
    """``−(1/N)·Σ_n log y_n[t_n]`` for probabilities ``y`` (N, classes) or (classes,).

    ``t`` holds class labels (N,) or one-hot rows shaped like ``y``.  The
    dtype's smallest positive number is added inside the log (the book adds 1e-7).
    """
    y_arr = _float(y, "y")
    if y_arr.ndim not in (1, 2):
        raise ValueError(f"y must be a 1-D or 2-D array of probabilities, got shape {y_arr.shape}")
    t_arr = _labels(t)
    if y_arr.ndim == 1:
        # one sample: labels (1,) or one one-hot row
        if t_arr.ndim == 1 and t_arr.size == y_arr.size and y_arr.size > 1:
            t_arr = t_arr.reshape(1, -1)
        y_arr = y_arr.reshape(1, -1)
    if t_arr.ndim == 2:
        if t_arr.shape != y_arr.shape:
            raise ValueError(f"one-hot t must have the shape of y, got {t_arr.shape} and {y_arr.shape}")
        t_arr = t_arr.argmax(axis=1)
    batch, classes = y_arr.shape
    if t_arr.shape != (batch,):
        raise ValueError(f"t must hold {batch} label(s) to match y of shape {y_arr.shape}, got shape {t_arr.shape}")
    if t_arr.max() >= classes or (t_arr.dtype.kind != "u" and t_arr.min() < 0):  # MNIST labels are uint8
        raise ValueError(f"labels in t must be in [0, {classes - 1}], got min {t_arr.min()}, max {t_arr.max()}")
    tiny = np.finfo(y_arr.dtype).tiny
    return float(-np.log(y_arr[np.arange(batch), t_arr] + tiny).sum() / batch)


def softmax_loss(x: Any, t: Any) -> float:
    """``cross_entropy_error(softmax(x), t)``: the loss straight from the scores ``x``."""
    return cross_entropy_error(softmax(x), t)
