"""The book's ``common/util.py`` helpers that its ch. 6 scripts import.

``shuffle_dataset`` (``hyperparameter_optimization.py``) and ``smooth_curve``
(``optimizer_compare_mnist.py``, ``weight_init_compare.py``).  The CNN helpers
(``im2col``, ch. 7) are not part of this course.  Difference from the book:
``shuffle_dataset`` draws from ``rng`` (an int seed, a Generator, or ``None``
for a fresh one), never from the global ``np.random``; pass ``rng=0`` where the
book calls ``np.random.seed(0)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import RngLike, check_int, make_rng

__all__ = ["shuffle_dataset", "smooth_curve"]


def shuffle_dataset(x: np.ndarray, t: np.ndarray, rng: RngLike = None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x[p], t[p])`` for one random permutation ``p`` of the samples.

    Rows of ``x`` (any shape ``(N, ...)``, e.g. ``(N, 784)`` or ``(N, 1, 28, 28)``)
    and their labels ``t`` (``(N,)`` or one-hot ``(N, classes)``) stay paired.
    ``p = rng.permutation(N)``; the inputs are not modified (new arrays are returned).
    """
    for name, value in (("x", x), ("t", t)):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{name} must be a numpy array, got {type(value).__name__}")
        if value.ndim == 0:
            raise ValueError(f"{name} must have a first axis of samples, got a 0-d array")
    if x.shape[0] != t.shape[0]:
        raise ValueError(f"x and t must hold the same number of samples, got {x.shape[0]} and {t.shape[0]}")
    permutation = make_rng(rng).permutation(x.shape[0])
    return x[permutation], t[permutation]


def smooth_curve(x: Any, *, window_len: int = 11) -> np.ndarray:
    """A noisy curve (e.g. the loss per iteration) averaged over a sliding Kaiser window.

    ``y[i] = Σ_k w_k·x[i + k − h] / Σ_k w_k`` with ``w = kaiser(window_len, β=2)`` and
    ``h = window_len // 2``; near the ends the curve is mirrored so ``y`` has the
    length of ``x`` (the book's choice: the left end mirrored without its first
    value, the right end with its last value repeated).
    """
    window_len = check_int(window_len, "window_len", minimum=3)
    if window_len % 2 == 0:
        raise ValueError(f"window_len must be odd (the window is centred), got {window_len}")
    values = np.asarray(x, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"x must be a 1-D sequence of numbers, got shape {values.shape}")
    if values.size < window_len:
        raise ValueError(f"x must hold at least window_len={window_len} values to smooth, got {values.size}")
    pad = window_len - 1
    left = values[1 : pad + 1][::-1]  # x[pad], …, x[1]
    right = values[::-1][:pad]  # x[-1], …, x[-pad]
    weights = np.kaiser(window_len, 2)
    weights /= weights.sum()
    smoothed = np.convolve(np.concatenate([left, values, right]), weights, mode="valid")
    half = window_len // 2
    return smoothed[half : half + values.size]
