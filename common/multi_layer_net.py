"""``MultiLayerNet``: the book's fully connected network (ch. 6) with weight decay and dropout.

Layer order for ``hidden_size_list=[h1, ..., hk]``::

    Affine1 → Activation_function1 → [Dropout1] → … → Affine{k+1} → SoftmaxWithLoss

Loss, as the lecture states it: the error function plus, for every layer, a
norm term of its weights, summed over layers and times ``weight_decay_lambda``
(the penalties live in :data:`common.regularizers.REGULARIZERS`):

    L2:  E + ½·λ·Σ_l Σ W_l²     (gradient adds λ·W_l)
    L1:  E +   λ·Σ_l Σ |W_l|    (gradient adds λ·sign(W_l))

Biases are never penalized.  As in the book, ``layers['AffineN'].dW`` holds the
gradient of the error ``E`` only; the penalty's gradient is added in the
``grads`` that :meth:`MultiLayerNet.gradient` returns.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np

from . import regularizers
from ._validation import RngLike, check_bool, check_choice, check_dtype, check_float, check_int, make_rng
from .gradient import numerical_gradient as _numerical_gradient
from .layers import Affine, Dropout, Relu, Sigmoid, SoftmaxWithLoss

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}


def init_scale(weight_init_std: str | float, fan_in: int) -> float:
    """Std of the initial weights: He ``sqrt(2/n)`` for ReLU, Xavier ``sqrt(1/n)`` for sigmoid (``n`` = fan-in)."""
    if isinstance(weight_init_std, str):
        kind = check_choice(weight_init_std, "weight_init_std", ("relu", "he", "sigmoid", "xavier"))
        return float(np.sqrt((2.0 if kind in ("relu", "he") else 1.0) / fan_in))
    return check_float(weight_init_std, "weight_init_std", minimum=0.0, include_min=False)


def dropout_ratio_of(dropout_ratio: float | None, dropout_ration: float | None, default: float = 0.5) -> float:
    """``dropout_ratio``, or the book's spelling ``dropout_ration`` (``default`` if neither is given).

    Both given: they must be equal, else ``TypeError`` naming both.
    """
    if dropout_ratio is not None and dropout_ration is not None and dropout_ratio != dropout_ration:
        raise TypeError(
            f"got dropout_ratio={dropout_ratio!r} and dropout_ration={dropout_ration!r}: they are two "
            "spellings of the same setting (the book writes dropout_ration); pass one"
        )
    name, value = ("dropout_ratio", dropout_ratio) if dropout_ratio is not None else ("dropout_ration", dropout_ration)
    if value is None:
        return default
    return check_float(value, name, minimum=0.0, maximum=1.0, include_max=False)


class MultiLayerNet:
    """Fully connected ReLU/sigmoid network with L2/L1 weight decay and optional dropout.

    The positional parameters are the book's.  Keyword-only, this course's:
    ``regularization`` (a name in :data:`common.regularizers.REGULARIZERS`:
    ``'l2'``, ``'l1'`` or ``'none'``), ``use_dropout``, ``dropout_ratio``
    (probability of *dropping* a unit, default 0.5; ``dropout_ration``, the
    book's spelling, is accepted too), ``dropout_inverted`` (``True``: scale
    the kept units by ``1/(1 − p)`` while training; ``False``: the book's
    style, scale by ``1 − p`` at test time; see :class:`common.layers.Dropout`),
    ``dtype`` (float32 by default, float64 for gradient checks) and ``rng``
    (seed or Generator for the initial weights and the dropout masks).

    What a hand-written training loop reads: ``params['W1']`` …,
    ``hidden_layer_num``, ``layers['Affine1'].dW``/``.db`` after
    :meth:`gradient`.  Replacing or editing ``params[...]`` takes effect at
    the next forward pass.
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
        dropout_ratio: float | None = None,
        dropout_inverted: bool = True,
        dtype: Any = np.float32,
        rng: RngLike = None,
        dropout_ration: float | None = None,
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
        self.regularizer = regularizers.get_regularizer(regularization)
        self.regularization = self.regularizer.name
        self.use_dropout = check_bool(use_dropout, "use_dropout")
        self.dropout_ratio = dropout_ratio_of(dropout_ratio, dropout_ration)
        self.dropout_inverted = check_bool(dropout_inverted, "dropout_inverted")
        self.dtype = check_dtype(dtype)
        self.rng = make_rng(rng)
        self.hidden_layer_num = len(self.hidden_size_list)

        # initial weights: N(0, scale²) drawn in float64 layer by layer, then rounded to dtype
        # (so float32 and float64 networks with the same seed start from the same numbers)
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
            # the first layer's input is the data: no dx needed (see Affine)
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"], need_dx=i > 1)
            if i < n_affine:
                self.layers[f"Activation_function{i}"] = ACTIVATIONS[self.activation]()
                if self.use_dropout:
                    self.layers[f"Dropout{i}"] = Dropout(
                        self.dropout_ratio, rng=self.rng, inverted=self.dropout_inverted
                    )
        self.last_layer = SoftmaxWithLoss()
        self.last_loss: float | None = None  # loss of the forward pass behind the last gradient()

    # -- helpers ---------------------------------------------------------------
    @property
    def n_affine(self) -> int:
        """Number of Affine layers, ``hidden_layer_num + 1``."""
        return self.hidden_layer_num + 1

    def weights(self) -> list[np.ndarray]:
        """The weight matrices ``W1 … W{L}`` (the penalized parameters; no biases)."""
        return [self.params[f"W{i}"] for i in range(1, self.n_affine + 1)]

    def penalty(self) -> float:
        """The regularization term added to the loss, ``λ·Σ_l R(W_l)`` (0 with ``'none'`` or λ = 0)."""
        if self.weight_decay_lambda == 0.0:
            return 0.0
        return self.regularizer.penalty(self.weights(), self.weight_decay_lambda)

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
        if not np.isfinite(x).all():
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

    def _predict(self, x: np.ndarray, train_flg: bool) -> np.ndarray:
        self._bind()
        for layer in self.layers.values():
            x = layer.forward(x, train_flg) if isinstance(layer, Dropout) else layer.forward(x)
        return x

    # -- the book's API ---------------------------------------------------------
    def predict(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores before softmax, shape ``(batch, output_size)``; dropout acts only if ``train_flg``."""
        return self._predict(self._check_x(x), train_flg)

    def loss(self, x: np.ndarray, t: np.ndarray, train_flg: bool = False) -> float:
        """Cross-entropy error plus the weight-decay penalty, ``E + λ·Σ_l R(W_l)``."""
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        return self.last_layer.forward(self._predict(x, train_flg), t) + self.penalty()

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        """Fraction of samples whose highest score is the true class (dropout off)."""
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        return float(np.mean(self._predict(x, False).argmax(axis=1) == t))

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Backprop gradients of :meth:`loss` (training mode), keyed like ``params``.

        Forward in training mode (fresh dropout masks), then backward from
        ``SoftmaxWithLoss`` down to ``Affine1``.  Returns::

            grads['W_l'] = layers['Affine_l'].dW + λ·∂R/∂W_l    (λ·W_l for L2, λ·sign(W_l) for L1)
            grads['b_l'] = layers['Affine_l'].db

        ``layers['Affine_l'].dW`` itself stays the data gradient ``∂E/∂W_l``
        (as in the book), so a hand-written loop that adds the penalty itself
        does not count it twice.  With λ = 0, ``grads['W_l']`` is that same
        array.  ``last_loss`` is set to this forward pass's loss.
        """
        self.last_loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads: dict[str, np.ndarray] = {}
        for i in range(1, self.n_affine + 1):
            layer = self.layers[f"Affine{i}"]
            dW = layer.dW
            if self.weight_decay_lambda:
                dW = dW.copy()  # the penalty goes into grads only, never into layer.dW
                self.regularizer.add_gradient(self.params[f"W{i}"], dW, self.weight_decay_lambda)
            grads[f"W{i}"] = dW
            grads[f"b{i}"] = layer.db
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
            "dropout_inverted": self.dropout_inverted,
            "dtype": str(self.dtype),
        }
