"""Layers with ``forward``/``backward``, as in the book's ch. 5–6.

Every layer keeps what its backward pass needs from the forward pass.  Arrays
keep the dtype they arrive in (float32 in training, float64 in gradient
checks), so no layer silently upcasts.
"""

from __future__ import annotations

import functools

import numpy as np

from ._validation import RngLike, check_float, make_rng


_ZEROS_MAX_SIZE = 1 << 20  # cache zeros up to 4 MB (float32); larger inputs use the scalar 0


def _zero_like(x: np.ndarray) -> np.ndarray | int:
    return _zeros(x.shape, x.dtype) if x.size <= _ZEROS_MAX_SIZE else 0


@functools.lru_cache(maxsize=8)
def _zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A read-only array of zeros, kept for reuse.

    ``np.maximum(x, zeros)`` runs ~2.5x faster than ``np.maximum(x, 0)`` in
    NumPy 2.4 (the scalar case is not vectorized; measured in benchmarks/).
    """
    zeros = np.zeros(shape, dtype=dtype)
    zeros.flags.writeable = False
    return zeros


class Affine:
    """Fully connected layer ``y = x W + b``.

    Backward: ``dW = xᵀ·dout``, ``db = Σ_batch dout``, ``dx = dout·Wᵀ``.
    ``need_dx=False`` skips ``dx`` for the first layer, whose input is data
    (nothing upstream needs its gradient; it is the largest product there).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, *, need_dx: bool = True) -> None:
        self.W = W
        self.b = b
        self.need_dx = need_dx
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = x @ self.W
        out += self.b
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        assert self.x is not None, "call forward before backward"
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not self.need_dx:
            return None
        return (dout @ self.W.T).reshape(self.original_x_shape)


class Relu:
    """``y = max(0, x)``; backward passes ``dout`` where ``x > 0`` and 0 elsewhere.

    Forward keeps only its output ``y``: ``y > 0`` exactly where ``x > 0``, so
    backward rebuilds the mask from it.  Inference passes (accuracy over 1,300
    digits every epoch) then never pay for a mask they do not need.
    """

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    @property
    def mask(self) -> np.ndarray | None:
        """Where the last forward input was positive (the units that pass gradient)."""
        return None if self.out is None else self.out > 0

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.maximum(x, _zero_like(x))
        return self.out

    @staticmethod
    def apply_inplace(x: np.ndarray) -> np.ndarray:
        """``forward``'s math on ``x`` itself, keeping nothing (test-mode inference)."""
        return np.maximum(x, _zero_like(x), out=x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.out is not None, "call forward before backward"
        return dout * (self.out > 0)


class Sigmoid:
    """``y = 1 / (1 + exp(-x))``; backward ``dx = dout · y (1 - y)``."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        # exp(-x) overflows for very negative x; the result 0 is still right.
        with np.errstate(over="ignore"):
            out = 1.0 / (1.0 + np.exp(-x))
        self.out = out.astype(x.dtype, copy=False)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.out is not None, "call forward before backward"
        return dout * (1.0 - self.out) * self.out

    @staticmethod
    def apply_inplace(x: np.ndarray) -> np.ndarray:
        """``forward``'s math on ``x`` itself, keeping nothing (test-mode inference)."""
        with np.errstate(over="ignore"):
            np.negative(x, out=x)
            np.exp(x, out=x)
            x += 1.0
            return np.divide(1.0, x, out=x)


class Dropout:
    """Drop each unit with probability ``dropout_ratio`` while training.

    Inverted dropout: at training time the kept units are scaled by
    ``1 / (1 - dropout_ratio)``, so ``E[output] = input`` and the test-time
    forward pass is the identity (the book instead multiplies by
    ``1 - dropout_ratio`` at test time; both keep the expected activation equal
    between the modes).  Backward: ``dx = dout · mask / (1 - dropout_ratio)``.

    ``frozen = True`` reuses the last mask (same shape) instead of drawing a new
    one, so a numerical gradient check sees one fixed sub-network.
    """

    def __init__(self, dropout_ratio: float = 0.5, rng: RngLike = None) -> None:
        self.dropout_ratio = check_float(
            dropout_ratio, "dropout_ratio", minimum=0.0, maximum=1.0, include_max=False
        )
        self.rng = make_rng(rng)
        self.mask: np.ndarray | None = None
        self.frozen = False
        self._active = False

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        if not train_flg or self.dropout_ratio == 0.0:
            self._active = False
            return x
        if not (self.frozen and self.mask is not None and self.mask.shape == x.shape):
            keep = 1.0 - self.dropout_ratio
            # the mask carries the 1/keep scale, so backward is one multiply
            mask = (self.rng.random(x.shape, dtype=np.float32) >= self.dropout_ratio).astype(x.dtype)
            mask *= x.dtype.type(1.0 / keep)
            self.mask = mask
        self._active = True
        return x * self.mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if not self._active:
            return dout
        return dout * self.mask


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise ``exp(x_i) / Σ_j exp(x_j)``, shifted by the row max so exp never overflows."""
    z = x - x.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """Mean ``-log y[t]`` over the batch; ``t`` holds labels or one-hot rows."""
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 and t.size == y.size else t.reshape(1)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    batch = y.shape[0]
    tiny = np.finfo(y.dtype).tiny
    return float(-np.log(y[np.arange(batch), t] + tiny).sum() / batch)


class SoftmaxWithLoss:
    """Softmax followed by cross-entropy; backward ``dx = (y - onehot(t)) / batch``."""

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.t = t.argmax(axis=1) if t.ndim == 2 else t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        assert self.y is not None and self.t is not None, "call forward before backward"
        batch = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch), self.t] -= 1
        dx *= dx.dtype.type(dout / batch)
        return dx
