"""``MultiLayerNet``: the book's fully connected network with weight decay and dropout.

Layer order for ``hidden_size_list=[h1, ..., hk]``::

    Affine1 → Activation_function1 → [Dropout1] → … → Affine{k+1} → SoftmaxWithLoss

Loss, as the lecture states it: the error function plus, for every layer, a
norm term of its weights, summed over layers and times ``weight_decay_lambda``:

    L2:  E + ½·λ·Σ_l Σ W_l²     (gradient adds λ·W_l)
    L1:  E +   λ·Σ_l Σ |W_l|    (gradient adds λ·sign(W_l))

Biases are never penalized.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np

from . import regularizers
from ._blas import in_two_halves
from ._validation import RngLike, check_choice, check_dtype, check_float, check_int, make_rng
from .gradient import numerical_gradient as _numerical_gradient
from .layers import Affine, Dropout, Relu, Sigmoid, SoftmaxWithLoss

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}

PARALLEL_PREDICT_ROWS = 512
"""Test-mode batches this large are scored on two threads (the Trainer's per-epoch
accuracy pass over 300 + 1,000 digits); smaller ones gain less than the hand-off costs."""


def init_scale(weight_init_std: str | float, fan_in: int) -> float:
    """Std of the initial weights: He ``sqrt(2/n)`` for ReLU, Xavier ``sqrt(1/n)`` for sigmoid."""
    if isinstance(weight_init_std, str):
        kind = check_choice(weight_init_std, "weight_init_std", ("relu", "he", "sigmoid", "xavier"))
        return float(np.sqrt((2.0 if kind in ("relu", "he") else 1.0) / fan_in))
    return check_float(weight_init_std, "weight_init_std", minimum=0.0, include_min=False)


def _all_finite(x: np.ndarray) -> bool:
    """True if ``x`` holds no NaN/inf, in one BLAS pass (the check runs on every batch).

    Any NaN or inf makes ``Σ x²`` non-finite; a non-finite sum can also mean an
    overflow of huge but finite values, so only then look element by element.
    """
    flat = x.reshape(-1)
    return bool(np.isfinite(np.dot(flat, flat))) or bool(np.isfinite(x).all())


class MultiLayerNet:
    """Fully connected ReLU/sigmoid network with L2/L1 weight decay and optional dropout.

    Parameters follow the book; the keyword-only ones are this course's:
    ``regularization`` (``'l2'``, ``'l1'`` or ``'none'``), ``use_dropout``,
    ``dropout_ratio`` (probability of *dropping* a unit), ``dtype`` (float32 for
    speed, float64 for gradient checks) and ``rng`` (seed or Generator for the
    initial weights and the dropout masks).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: list[int] | tuple[int, ...],
        output_size: int,
        activation: str = "relu",
        weight_init_std: str | float = "relu",
        weight_decay_lambda: float = 0.0,
        *,
        regularization: str = "l2",
        use_dropout: bool = False,
        dropout_ratio: float = 0.5,
        dtype: Any = np.float32,
        rng: RngLike = None,
    ) -> None:
        self.input_size = check_int(input_size, "input_size", minimum=1)
        if isinstance(hidden_size_list, (str, bytes)) or not hasattr(hidden_size_list, "__iter__"):
            raise TypeError(f"hidden_size_list must be a list of positive ints, got {hidden_size_list!r}")
        self.hidden_size_list = [
            check_int(h, f"hidden_size_list[{i}]", minimum=1) for i, h in enumerate(hidden_size_list)
        ]
        self.output_size = check_int(output_size, "output_size", minimum=2)
        self.activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
        self.weight_decay_lambda = check_float(weight_decay_lambda, "weight_decay_lambda", minimum=0.0)
        self.regularization = check_choice(regularization, "regularization", regularizers.REGULARIZATIONS)
        if not isinstance(use_dropout, (bool, np.bool_)):
            raise TypeError(f"use_dropout must be True or False, got {use_dropout!r}")
        self.use_dropout = bool(use_dropout)
        self.dropout_ratio = check_float(
            dropout_ratio, "dropout_ratio", minimum=0.0, maximum=1.0, include_max=False
        )
        self.dtype = check_dtype(dtype)
        self.rng = make_rng(rng)
        self.hidden_layer_num = len(self.hidden_size_list)
        self._penalty, self._penalty_grad = regularizers.penalty_functions(self.regularization)

        sizes = [self.input_size, *self.hidden_size_list, self.output_size]
        self.params: dict[str, np.ndarray] = {}
        for i in range(1, len(sizes)):
            scale = init_scale(weight_init_std, sizes[i - 1])
            w = self.rng.standard_normal((sizes[i - 1], sizes[i]), dtype=np.float64) * scale
            self.params[f"W{i}"] = w.astype(self.dtype)
            self.params[f"b{i}"] = np.zeros(sizes[i], dtype=self.dtype)

        self.layers: OrderedDict[str, Any] = OrderedDict()
        n_affine = len(sizes) - 1
        for i in range(1, n_affine + 1):
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"], need_dx=i > 1)
            if i < n_affine:
                self.layers[f"Activation_function{i}"] = ACTIVATIONS[self.activation]()
                if self.use_dropout:
                    self.layers[f"Dropout{i}"] = Dropout(self.dropout_ratio, rng=self.rng)
        self.last_layer = SoftmaxWithLoss()
        self._buffers: dict[int, list[np.ndarray]] = {}  # _infer's outputs, per part
        self.last_loss: float | None = None  # loss of the forward pass behind the last gradient()

    # -- helpers ---------------------------------------------------------------
    @property
    def n_affine(self) -> int:
        return self.hidden_layer_num + 1

    def weights(self) -> list[np.ndarray]:
        """The weight matrices ``W1 … W{L}`` (the penalized parameters; no biases)."""
        return [self.params[f"W{i}"] for i in range(1, self.n_affine + 1)]

    def penalty(self) -> float:
        """The regularization term added to the loss (0 with ``'none'`` or λ = 0)."""
        if self._penalty is None or self.weight_decay_lambda == 0.0:
            return 0.0
        return self._penalty(self.weights(), self.weight_decay_lambda)

    def _bind(self) -> None:
        # Layers read the current arrays, so replacing network.params['W1'] (as the
        # lecture's hand-written L1 loop does) takes effect.
        for i in range(1, self.n_affine + 1):
            layer = self.layers[f"Affine{i}"]
            layer.W = self.params[f"W{i}"]
            layer.b = self.params[f"b{i}"]

    def _check_x(self, x: Any) -> np.ndarray:
        if not isinstance(x, np.ndarray):
            raise TypeError(f"x must be a numpy array, got {type(x).__name__}")
        if x.ndim < 2 or x.shape[0] == 0 or math.prod(x.shape[1:]) != self.input_size:
            raise ValueError(
                f"x must have shape (batch, {self.input_size}) (or (batch, ...) with "
                f"{self.input_size} values per sample), got {x.shape}"
            )
        if x.dtype.kind not in "fiu":  # floats, signed or unsigned ints
            raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
        x = x.reshape(x.shape[0], -1)
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        if not _all_finite(x):
            raise ValueError("x contains NaN or inf")
        return x

    def _check_t(self, t: Any, batch: int) -> np.ndarray:
        if not isinstance(t, np.ndarray):
            raise TypeError(f"t must be a numpy array of labels or one-hot rows, got {type(t).__name__}")
        if t.ndim == 2 and t.shape == (batch, self.output_size):
            return t.argmax(axis=1)
        if t.ndim != 1 or t.shape[0] != batch:
            raise ValueError(
                f"t must have shape ({batch},) (labels) or ({batch}, {self.output_size}) (one-hot), got {t.shape}"
            )
        if not np.issubdtype(t.dtype, np.integer):
            raise TypeError(f"t must hold integer class labels, got dtype {t.dtype}")
        if t.min() < 0 or t.max() >= self.output_size:
            raise ValueError(f"t must hold labels in [0, {self.output_size - 1}], got min {t.min()}, max {t.max()}")
        return t

    # -- the book's API ---------------------------------------------------------
    def predict(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores before softmax, shape ``(batch, output_size)``; dropout only if ``train_flg``."""
        x = self._check_x(x)
        return self._test_scores(x) if not train_flg else self._predict(x, True)

    def _test_scores(self, x: np.ndarray) -> np.ndarray:
        """Test-mode scores (dropout off), the rows of a large batch split over two threads."""
        if x.shape[0] >= PARALLEL_PREDICT_ROWS:
            return in_two_halves(self._infer, x, np.concatenate)
        return self._infer(x, 2).copy()

    def _predict(self, x: np.ndarray, train_flg: bool) -> np.ndarray:
        self._bind()
        for layer in self.layers.values():
            x = layer.forward(x, train_flg) if isinstance(layer, Dropout) else layer.forward(x)
        return x

    def _infer(self, x: np.ndarray, part: int, params: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """``_predict(x, False)`` without the layers' bookkeeping for backward.

        The same products in the same order, so the same numbers, but every
        layer writes into a buffer kept for the next call (no fresh arrays and
        page faults every epoch), activations work in place, and dropout is
        the identity (test mode).  ``part`` picks the set of buffers (0 and 1:
        the halves that two threads score at once; 2: a whole small batch;
        3 and up: :meth:`test_scores_with`).  ``params`` (default: the network's
        own) lets that pass score a snapshot while training goes on.
        The result is one of the buffers: copy it.
        """
        if params is None:
            params = self.params
        buffers = self._buffers.get(part)
        if buffers is None or buffers[0].shape[0] != x.shape[0]:
            sizes = [*self.hidden_size_list, self.output_size]
            buffers = self._buffers[part] = [np.empty((x.shape[0], size), dtype=self.dtype) for size in sizes]
        activate = ACTIVATIONS[self.activation].apply_inplace
        last = len(buffers) - 1
        for i, out in enumerate(buffers):
            np.matmul(x, params[f"W{i + 1}"], out=out)
            out += params[f"b{i + 1}"]
            x = activate(out) if i < last else out
        return x

    def test_scores_with(self, params: dict[str, np.ndarray], x: np.ndarray, buffer: int = 3) -> np.ndarray:
        """Test-mode scores of ``x`` (2-D, this network's dtype) computed with ``params`` instead of ``self.params``.

        The Trainer scores a copy of the weights on two threads while the next
        epoch trains; the same products as :meth:`predict`, so the same
        numbers.  The result is a buffer that the next call with the same
        ``buffer`` number overwrites (two threads at once: two numbers, ≥ 3).
        """
        return self._infer(x, buffer, params)

    def loss(self, x: np.ndarray, t: np.ndarray, train_flg: bool = False) -> float:
        """Cross-entropy error plus the weight-decay penalty."""
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        return self.last_layer.forward(self._predict(x, train_flg), t) + self.penalty()

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        """Fraction of samples whose highest score is the true class (dropout off)."""
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        return float(np.mean(self._test_scores(x).argmax(axis=1) == t))

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Backprop gradients of :meth:`loss` (training mode), keyed like ``params``.

        ``dW_l`` includes the penalty's gradient (λ·W_l or λ·sign(W_l)); ``db_l`` does not.
        """
        self.last_loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads: dict[str, np.ndarray] = {}
        for i in range(1, self.n_affine + 1):
            layer = self.layers[f"Affine{i}"]
            grads[f"W{i}"] = layer.dW
            grads[f"b{i}"] = layer.db
            if self._penalty_grad is not None and self.weight_decay_lambda:
                self._penalty_grad(self.params[f"W{i}"], layer.dW, self.weight_decay_lambda)
        return grads

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Central-difference gradients of :meth:`loss` in training mode (slow; for checks).

        With dropout, the masks of the latest training-mode forward pass (e.g.
        the one inside :meth:`gradient`) are held fixed, so both methods see the
        same sub-network and can be compared.
        """
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        dropouts = [layer for layer in self.layers.values() if isinstance(layer, Dropout)]
        if any(d.mask is None for d in dropouts):
            self._predict(x, True)  # draw masks once
        for d in dropouts:
            d.frozen = True
        try:
            def loss_w(_: np.ndarray) -> float:
                return self.loss(x, t, train_flg=True)

            return {key: _numerical_gradient(loss_w, value) for key, value in self.params.items()}
        finally:
            for d in dropouts:
                d.frozen = False

    def settings(self) -> dict[str, Any]:
        """The constructor arguments that define this network (for ``History``)."""
        return {
            "input_size": self.input_size,
            "hidden_size_list": list(self.hidden_size_list),
            "output_size": self.output_size,
            "activation": self.activation,
            "weight_decay_lambda": self.weight_decay_lambda,
            "regularization": self.regularization,
            "use_dropout": self.use_dropout,
            "dropout_ratio": self.dropout_ratio,
            "dtype": str(self.dtype),
        }

