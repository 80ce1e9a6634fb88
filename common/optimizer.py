"""Optimizers with the book's interface: ``update(params, grads)`` changes ``params`` in place.

    SGD       w ← w − lr·g
    Momentum  v ← m·v − lr·g;  w ← w + v
    Nesterov  v ← m·v − lr·g;  w ← w + m²·v − (1 + m)·lr·g
    AdaGrad   h ← h + g²;  w ← w − lr·g/(√h + ε)
    RMSprop   h ← ρ·h + (1−ρ)·g²;  w ← w − lr·g/(√h + ε)
    Adam      m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·m̂/(√v̂ + ε)
    AdamW     Adam, then w ← w − lr·weight_decay·w (decoupled weight decay)
    SGDW      w ← (1 − lr·weight_decay)·w − lr·g (decoupled weight decay)

The step size is ``lr`` as in the book; ``learning_rate=`` (the lecture's
name) is accepted too (both with different values: ``TypeError``).  As in the
book, a parameter may be a Python float or NumPy scalar (``params['x'] = -7.0``
in ``ch06/optimizer_compare_naive.py``): it is replaced by its updated value,
while arrays, 0-d ones included, are updated in place.
"""

from __future__ import annotations

import functools
import numbers
from typing import Any, Callable

import numpy as np

from ._validation import check_choice, check_float, is_bool

Params = dict[str, np.ndarray]


def step_size(lr: float | None, learning_rate: float | None, default: float) -> float:
    """The step size from ``lr`` or its other name ``learning_rate`` (``default`` if neither is given).

    Both given: they must be equal, else ``TypeError`` naming both.
    """
    if lr is not None:
        lr = check_float(lr, "lr", minimum=0.0, include_min=False)
    if learning_rate is not None:
        learning_rate = check_float(learning_rate, "learning_rate", minimum=0.0, include_min=False)
    if lr is not None and learning_rate is not None and lr != learning_rate:
        raise TypeError(
            f"got lr={lr!r} and learning_rate={learning_rate!r}: they are two names for the same "
            "step size (the book writes lr, the lecture learning_rate); pass one"
        )
    if lr is not None:
        return lr
    return learning_rate if learning_rate is not None else default


def _box(value: Any, key: str) -> np.ndarray:
    if is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"params[{key!r}] must be a numpy array or a real number, got {type(value).__name__}")
    arr = np.array(value)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def scalars_too(update: Callable[[Any, Params, Params], None]) -> Callable[[Any, Params, Params], None]:
    """Let ``update`` take scalar parameters as the book's optimizers do.

    A Python float or NumPy scalar in ``params`` is updated as a 0-d array and
    written back into ``params``; a dict of arrays goes straight through.
    """

    @functools.wraps(update)
    def wrapper(self: Any, params: Params, grads: Params) -> None:
        scalars = [key for key, w in params.items() if not isinstance(w, np.ndarray)]
        if not scalars:
            return update(self, params, grads)
        boxed = dict(params)
        boxed.update((key, _box(params[key], key)) for key in scalars)
        update(self, boxed, grads)
        for key in scalars:
            # a Python float stays a Python float; a NumPy scalar keeps its dtype
            params[key] = float(boxed[key]) if isinstance(params[key], float) else boxed[key][()]

    return wrapper


class Optimizer:
    """Base class: validates the learning rate and the ``params``/``grads`` pair.

    ``lr`` and ``learning_rate`` are two names for the step size (see :func:`step_size`).
    """

    def __init__(self, lr: float | None = None, *, learning_rate: float | None = None, default: float = 0.01) -> None:
        self.lr = step_size(lr, learning_rate, default)

    def update(self, params: Params, grads: Params) -> None:
        raise NotImplementedError

    @staticmethod
    def _pairs(params: Params, grads: Params):
        for key, g in grads.items():
            if key not in params:
                raise KeyError(f"grads has key {key!r} that params does not have")
            yield key, params[key], g

    def settings(self) -> dict[str, Any]:
        return {"optimizer": type(self).__name__, **{k: v for k, v in vars(self).items() if isinstance(v, float)}}


class SGD(Optimizer):
    """Plain stochastic gradient descent, ``w ← w − lr·g`` (``lr`` default 0.01)."""

    def __init__(self, lr: float | None = None, *, learning_rate: float | None = None) -> None:
        super().__init__(lr, learning_rate=learning_rate, default=0.01)

    @scalars_too
    def update(self, params: Params, grads: Params) -> None:
        for _, w, g in self._pairs(params, grads):
            w -= w.dtype.type(self.lr) * g


class Momentum(Optimizer):
    """``v ← momentum·v − lr·g;  w ← w + v`` (``lr`` default 0.01)."""

    def __init__(self, lr: float | None = None, momentum: float = 0.9, *, learning_rate: float | None = None) -> None:
        super().__init__(lr, learning_rate=learning_rate, default=0.01)
        self.momentum = check_float(momentum, "momentum", minimum=0.0, maximum=1.0, include_max=False)
        self.v: Params | None = None

    @scalars_too
    def update(self, params: Params, grads: Params) -> None:
        if self.v is None:
            self.v = {k: np.zeros_like(w) for k, w in params.items()}
        for key, w, g in self._pairs(params, grads):
            v = self.v[key]
            v *= w.dtype.type(self.momentum)
            v -= w.dtype.type(self.lr) * g
            w += v


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient in the book's form (``lr`` default 0.01).

    ``v ← momentum·v − lr·g;  w ← w + momentum²·v − (1 + momentum)·lr·g``
    """

    def __init__(self, lr: float | None = None, momentum: float = 0.9, *, learning_rate: float | None = None) -> None:
        super().__init__(lr, learning_rate=learning_rate, default=0.01)
        self.momentum = check_float(momentum, "momentum", minimum=0.0, maximum=1.0, include_max=False)
        self.v: Params | None = None

    @scalars_too
    def update(self, params: Params, grads: Params) -> None:
        if self.v is None:
            self.v = {k: np.zeros_like(w) for k, w in params.items()}
        m = self.momentum
        for key, w, g in self._pairs(params, grads):
            v = self.v[key]
            v *= w.dtype.type(m)
            v -= w.dtype.type(self.lr) * g
            w += w.dtype.type(m * m) * v
            w -= w.dtype.type((1 + m) * self.lr) * g


class AdaGrad(Optimizer):
    """``h ← h + g²;  w ← w − lr·g/(√h + 1e-7)`` (``lr`` default 0.01)."""

    def __init__(self, lr: float | None = None, *, learning_rate: float | None = None) -> None:
        super().__init__(lr, learning_rate=learning_rate, default=0.01)
        self.h: Params | None = None

    @scalars_too
    def update(self, params: Params, grads: Params) -> None:
        if self.h is None:
            self.h = {k: np.zeros_like(w) for k, w in params.items()}
        for key, w, g in self._pairs(params, grads):
            h = self.h[key]
            h += g * g
            w -= w.dtype.type(self.lr) * g / (np.sqrt(h) + w.dtype.type(1e-7))


class RMSprop(Optimizer):
    """``h ← ρ·h + (1−ρ)·g²;  w ← w − lr·g/(√h + 1e-7)`` (``ρ`` = ``decay_rate``; ``lr`` default 0.01)."""

    def __init__(
        self, lr: float | None = None, decay_rate: float = 0.99, *, learning_rate: float | None = None
    ) -> None:
        super().__init__(lr, learning_rate=learning_rate, default=0.01)
        self.decay_rate = check_float(decay_rate, "decay_rate", minimum=0.0, maximum=1.0, include_max=False)
        self.h: Params | None = None

    @scalars_too
    def update(self, params: Params, grads: Params) -> None:
        if self.h is None:
            self.h = {k: np.zeros_like(w) for k, w in params.items()}
        rho = self.decay_rate
        for key, w, g in self._pairs(params, grads):
            h = self.h[key]
            h *= w.dtype.type(rho)
            h += w.dtype.type(1 - rho) * g * g
            w -= w.dtype.type(self.lr) * g / (np.sqrt(h) + w.dtype.type(1e-7))


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba 2015; ``lr`` default 0.001).

    ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``, then, with the bias
    corrections folded into the step size as in the book,
    ``w ← w − lr_t·m/(√v + 1e-7)`` with ``lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ)``.
    """

    def __init__(
        self,
        lr: float | None = None,
        beta1: float = 0.9,
        beta2: float = 0.999,
        *,
        learning_rate: float | None = None,
    ) -> None:
        super().__init__(lr, learning_rate=learning_rate, default=0.001)
        self.beta1 = check_float(beta1, "beta1", minimum=0.0, maximum=1.0, include_max=False)
        self.beta2 = check_float(beta2, "beta2", minimum=0.0, maximum=1.0, include_max=False)
        self.iter = 0
        self.m: Params | None = None
        self.v: Params | None = None

    @scalars_too
    def update(self, params: Params, grads: Params) -> None:
        if self.m is None or self.v is None:
            self.m = {k: np.zeros_like(w) for k, w in params.items()}
            self.v = {k: np.zeros_like(w) for k, w in params.items()}
        self.iter += 1
        b1, b2 = self.beta1, self.beta2
        lr_t = self.lr * np.sqrt(1.0 - b2**self.iter) / (1.0 - b1**self.iter)
        for key, w, g in self._pairs(params, grads):
            m, v = self.m[key], self.v[key]
            m += w.dtype.type(1 - b1) * (g - m)
            v += w.dtype.type(1 - b2) * (g * g - v)
            w -= w.dtype.type(lr_t) * m / (np.sqrt(v) + w.dtype.type(1e-7))
        self._decay(params)

    def _decay(self, params: Params) -> None:
        """Hook for AdamW; plain Adam leaves the weights alone."""


class SGDW(SGD):
    """SGD with decoupled weight decay: ``W ← (1 − lr·weight_decay)·W − lr·g`` for weight matrices.

    The shrink uses the weights from before the step, so this equals plain SGD
    on ``g + weight_decay·W`` (an L2 term ``½·λ·ΣW²`` in the loss with λ =
    ``weight_decay``) up to rounding: with SGD, "weight decay" and "L2" are the
    same thing.  With Adam they are not (see :class:`AdamW`).
    Biases (keys not starting with ``'W'``) are not decayed.
    """

    def __init__(
        self, lr: float | None = None, weight_decay: float = 0.0, *, learning_rate: float | None = None
    ) -> None:
        super().__init__(lr, learning_rate=learning_rate)
        self.weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)

    @scalars_too
    def update(self, params: Params, grads: Params) -> None:
        for key, w, g in self._pairs(params, grads):
            if self.weight_decay and key.startswith("W"):
                w *= w.dtype.type(1.0 - self.lr * self.weight_decay)
            w -= w.dtype.type(self.lr) * g


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019).

    After the Adam step, ``W ← W − lr·weight_decay·W`` for weight matrices only
    (keys starting with ``'W'``).  Unlike an L2 term in the loss, this shrink is
    not divided by Adam's ``√v̂``, so every weight decays at the same rate.
    """

    def __init__(
        self,
        lr: float | None = None,
        beta1: float = 0.9,
        beta2: float = 0.999,
        weight_decay: float = 0.01,
        *,
        learning_rate: float | None = None,
    ) -> None:
        super().__init__(lr, beta1, beta2, learning_rate=learning_rate)
        self.weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)

    def _decay(self, params: Params) -> None:
        if self.weight_decay:
            for key, w in params.items():
                if key.startswith("W"):
                    w *= w.dtype.type(1.0 - self.lr * self.weight_decay)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "sgdw": SGDW,
}


def make_optimizer(optimizer: str | Optimizer, optimizer_param: dict[str, Any] | None = None) -> Optimizer:
    """An optimizer from its name (case-insensitive, e.g. ``'SGD'``) and keyword arguments.

    ``optimizer_param`` defaults to ``{'lr': 0.01}``; ``{'learning_rate': 0.01}`` works too.
    """
    if isinstance(optimizer, Optimizer):
        if optimizer_param:
            raise ValueError("optimizer_param must be None when optimizer is already an instance")
        return optimizer
    name = check_choice(optimizer, "optimizer", tuple(OPTIMIZERS))
    params = dict(optimizer_param or {"lr": 0.01})
    try:
        return OPTIMIZERS[name](**params)
    except TypeError as exc:
        raise TypeError(f"optimizer_param {params!r} does not fit {OPTIMIZERS[name].__name__}: {exc}") from exc
