"""Layers with ``forward``/``backward``, as in the book's ch. 5–6 (``common/layers.py``).

Every layer keeps what its backward pass needs from its forward pass.  In the
notation of the docstrings, ``x`` is the layer's input (one row per sample),
``y`` its output and ``dout = ∂L/∂y`` the gradient arriving from above;
``backward`` returns ``dx = ∂L/∂x``.

Arrays keep the dtype they arrive in (float32 in training, float64 in
gradient checks): no layer silently upcasts.
"""

from __future__ import annotations

import numpy as np

from ._validation import RngLike, check_bool, check_float, make_rng
from .functions import cross_entropy_error, softmax


class Affine:
    """Fully connected layer ``y = x·W + b``.

    Backward::

        dx = dout·Wᵀ        dW = xᵀ·dout        db = Σ_batch dout

    ``dW`` and ``db`` are kept on the layer (the book's ``layer.dW``, which the
    lecture's hand-written update reads).  ``need_dx=False`` returns ``None``
    instead of ``dx``: the first layer's input is the data, and nothing
    upstream needs its gradient.
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
        # images (N, C, H, W) are flattened to (N, C·H·W); backward restores the shape
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        assert self.x is not None, "call forward before backward"
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not self.need_dx:
            return None
        return (dout @ self.W.T).reshape(self.original_x_shape)


class Relu:
    """``y = max(0, x)``; backward ``dx = dout`` where ``x > 0`` and 0 elsewhere.

    ``mask`` marks the units that were switched off (``x ≤ 0``), as in the book
    (which writes 0 through the mask; ``np.maximum`` gives the same numbers).
    """

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        return np.maximum(x, 0)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.mask is not None, "call forward before backward"
        return dout * ~self.mask  # 0 where the unit was off, dout where it passed


class Sigmoid:
    """``y = 1 / (1 + exp(-x))``; backward ``dx = dout · y·(1 − y)``."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        # exp(-x) overflows to inf for very negative x; 1 / (1 + inf) = 0 is still the right answer
        with np.errstate(over="ignore"):
            out = 1.0 / (1.0 + np.exp(-x))
        self.out = out.astype(x.dtype, copy=False)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.out is not None, "call forward before backward"
        return dout * (1.0 - self.out) * self.out


class Dropout:
    """Switch each unit off with probability ``p = dropout_ratio`` while training.

    A fresh mask ``m`` (1 = kept, probability ``1 − p``) at every training forward pass::

        inverted=True (default):  training y = x·m/(1 − p)   test y = x
        inverted=False (the book's and the lecture's class):  training y = x·m   test y = x·(1 − p)

    Either way ``E[y_train] = y_test``; backward multiplies ``dout`` by the same
    factor as forward.  ``frozen = True`` reuses the last mask, so a numerical
    gradient check sees one fixed sub-network.
    """

    def __init__(self, dropout_ratio: float = 0.5, rng: RngLike = None, *, inverted: bool = True) -> None:
        self.dropout_ratio = check_float(
            dropout_ratio, "dropout_ratio", minimum=0.0, maximum=1.0, include_max=False
        )
        self.inverted = check_bool(inverted, "inverted")
        self.rng = make_rng(rng)
        self.mask: np.ndarray | None = None
        self.frozen = False
        self._train = False  # whether the last forward pass was in training mode

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        self._train = bool(train_flg) and self.dropout_ratio > 0.0
        if not self._train:
            if self.inverted or self.dropout_ratio == 0.0:
                return x
            return x * x.dtype.type(1.0 - self.dropout_ratio)
        if not (self.frozen and self.mask is not None and self.mask.shape == x.shape):
            mask = (self.rng.random(x.shape, dtype=np.float32) >= self.dropout_ratio).astype(x.dtype)
            if self.inverted:
                # the mask carries the 1/(1 − p) scale, so forward and backward are one multiply each
                mask *= x.dtype.type(1.0 / (1.0 - self.dropout_ratio))
            self.mask = mask
        return x * self.mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if not self._train:
            # test mode: y = x (inverted) or y = x·(1 − p) (book style)
            if self.inverted or self.dropout_ratio == 0.0:
                return dout
            return dout * dout.dtype.type(1.0 - self.dropout_ratio)
        return dout * self.mask


class SoftmaxWithLoss:
    """Softmax followed by cross-entropy: ``L = −(1/N)·Σ_n log softmax(x)[n, t_n]``.

    Backward: ``dx = (y − onehot(t)) / N`` with ``y = softmax(x)``.
    """

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
