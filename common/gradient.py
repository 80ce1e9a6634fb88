"""Numerical gradient by central differences, for checking backprop."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validation import check_float


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float | None = None) -> np.ndarray:
    """``∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h`` for every element of ``x``.

    ``x`` is perturbed in place and restored, so ``f`` may ignore its argument
    and read shared state (the book's ``lambda W: net.loss(x, t)`` idiom).
    ``h`` defaults to 1e-4 for float64 and 1e-2 for float32, whose rounding
    error would swamp a smaller step; use float64 for a precise check.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float numpy array (it is perturbed in place), got {type(x).__name__}")
    if h is None:
        h = 1e-4 if x.dtype == np.float64 else 1e-2
    h = check_float(h, "h", minimum=0.0, include_min=False)
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)  # a view, so perturbing it perturbs x
    if not np.shares_memory(flat_x, x):
        raise ValueError("x must be contiguous so it can be perturbed in place")
    flat_g = grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        f_plus = f(x)
        flat_x[i] = original - h
        f_minus = f(x)
        flat_x[i] = original
        flat_g[i] = (f_plus - f_minus) / (2 * h)
    return grad
