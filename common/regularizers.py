"""Weight decay (荷重減衰): the L2 (ridge) and L1 (lasso) penalties, and one registry of them.

The lecture adds a p-norm term of every layer's weights to the error
function, sums it over layers and multiplies it by a coefficient λ:

    L2:  E(w) + ½·λ·Σ_l Σ W_l²     gradient  λ·W       (the ½ absorbs the 2)
    L1:  E(w) +   λ·Σ_l Σ |W_l|    gradient  λ·sign(W) (0 at W == 0)

``ridge``/``lasso`` have the signature of the lecture's exercise and add the
penalty's gradient to ``grad`` in place; ``l2_penalty``/``l1_penalty`` give the
value added to the loss.  Biases are never passed here: they are not penalized.

:data:`REGULARIZERS` is the one list of penalties: ``MultiLayerNet(regularization=...)``
and the course's explorer and tuning read it, so a new penalty is one entry,
``Regularizer(name, label, penalty_fn, gradient_fn)`` (``tests/test_regularizers.py``
adds an elastic net that way).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from ._validation import check_choice, check_float

PenaltyValue = Callable[[Iterable[np.ndarray], float], float]
PenaltyGradient = Callable[[np.ndarray, np.ndarray, float], None]


def _check(param: np.ndarray, grad: np.ndarray, rate: float) -> float:
    if not isinstance(param, np.ndarray) or not isinstance(grad, np.ndarray):
        raise TypeError(
            f"param and grad must be numpy arrays, got {type(param).__name__} and {type(grad).__name__}"
        )
    if param.shape != grad.shape:
        raise ValueError(f"param and grad must have the same shape, got {param.shape} and {grad.shape}")
    if not np.issubdtype(grad.dtype, np.floating):
        raise TypeError(f"grad must be a float array (it is updated in place), got dtype {grad.dtype}")
    return check_float(rate, "rate (the coefficient λ)", minimum=0.0)


def ridge(param: np.ndarray, grad: np.ndarray, rate: float) -> None:
    """Add the L2 penalty's gradient to ``grad`` in place.

    Penalty ``½·rate·Σ w²``  →  gradient ``rate·w``.  (Not the norm
    ``sqrt(Σ w²)`` itself: the update needs the penalty's derivative.)
    """
    rate = _check(param, grad, rate)
    if rate:
        grad += grad.dtype.type(rate) * param


def lasso(param: np.ndarray, grad: np.ndarray, rate: float) -> None:
    """Add the L1 penalty's gradient to ``grad`` in place.

    Penalty ``rate·Σ |w|``  →  gradient ``rate·sign(w)`` (0 at ``w == 0``).
    """
    rate = _check(param, grad, rate)
    if rate:
        grad += grad.dtype.type(rate) * np.sign(param)


def l2_penalty(weights: Iterable[np.ndarray], rate: float) -> float:
    """``½·rate·Σ_layers Σ W²`` — the value ``ridge`` is the gradient of."""
    rate = check_float(rate, "rate (the coefficient λ)", minimum=0.0)
    return 0.5 * rate * float(sum(np.vdot(w, w) for w in weights)) if rate else 0.0


def l1_penalty(weights: Iterable[np.ndarray], rate: float) -> float:
    """``rate·Σ_layers Σ |W|`` — the value ``lasso`` is the gradient of."""
    rate = check_float(rate, "rate (the coefficient λ)", minimum=0.0)
    return rate * float(sum(np.abs(w).sum() for w in weights)) if rate else 0.0


def no_penalty(weights: Iterable[np.ndarray], rate: float) -> float:
    """The ``'none'`` regularizer's value: always 0 (``rate`` is still checked)."""
    check_float(rate, "rate (the coefficient λ)", minimum=0.0)
    return 0.0


def no_gradient(param: np.ndarray, grad: np.ndarray, rate: float) -> None:
    """The ``'none'`` regularizer's gradient: adds nothing (the arguments are still checked)."""
    _check(param, grad, rate)


@dataclass(frozen=True)
class Regularizer:
    """One penalty ``rate·R(W)`` on the weight matrices: its value and its gradient.

    ``penalty(weights, rate)`` is the term added to the loss, summed over the
    weight matrices; ``add_gradient(param, grad, rate)`` adds ``rate·∂R/∂W``
    for one matrix to ``grad`` in place.  ``label`` is a short description for
    menus and legends (mathematics only, so it reads the same in every language).
    """

    name: str
    label: str
    penalty_fn: PenaltyValue
    gradient_fn: PenaltyGradient

    def penalty(self, weights: Iterable[np.ndarray], rate: float) -> float:
        """The penalty term ``rate·Σ_l R(W_l)`` added to the loss."""
        return self.penalty_fn(weights, rate)

    def add_gradient(self, param: np.ndarray, grad: np.ndarray, rate: float) -> None:
        """``grad += rate·∂R/∂param`` in place."""
        self.gradient_fn(param, grad, rate)


REGULARIZERS: dict[str, Regularizer] = {
    "none": Regularizer("none", "E", no_penalty, no_gradient),
    "l2": Regularizer("l2", "E + ½·λ·Σ W²", l2_penalty, ridge),
    "l1": Regularizer("l1", "E + λ·Σ |W|", l1_penalty, lasso),
}
"""Every penalty the course knows, by the name ``MultiLayerNet(regularization=...)`` takes."""

REGULARIZATIONS = tuple(REGULARIZERS)
"""The registry's names, ``('none', 'l2', 'l1')`` (read at import: a later entry is not listed here)."""


def get_regularizer(regularization: str) -> Regularizer:
    """The registry entry for ``regularization`` (case-insensitive), with a clear error otherwise."""
    return REGULARIZERS[check_choice(regularization, "regularization", tuple(REGULARIZERS))]


def prox_l1(param: np.ndarray, threshold: float) -> None:
    """Proximal ("clip at zero") L1 step in place: ``w ← sign(w)·max(|w| − threshold, 0)``.

    Unlike ``w -= lr·λ·sign(w)``, which overshoots zero and zigzags around it,
    this shrinks each weight by at most its own size, so weights land on exactly 0.
    Use ``threshold = lr·λ`` after a plain gradient step on the data loss.
    """
    threshold = check_float(threshold, "threshold", minimum=0.0)
    if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
        raise TypeError("param must be a float numpy array (it is updated in place)")
    magnitude = np.abs(param)
    magnitude -= param.dtype.type(threshold)
    np.maximum(magnitude, 0, out=magnitude)
    np.copysign(magnitude, param, out=param)


def weight_norm(weights: Iterable[np.ndarray]) -> float:
    """Euclidean norm of all weights together, ``sqrt(Σ_layers Σ W²)``."""
    # square in float64: a float32 sum of squares overflows to inf once |w| reaches ~1e19,
    # which a diverging run hits while its weights are still finite
    total = 0.0
    for w in weights:
        v = np.ravel(w)
        total += float(np.einsum("i,i->", v, v, dtype=np.float64))  # Σ w², accumulated in float64
    return math.sqrt(total)


SPARSITY_TOL = 1e-2
"""|w| below this counts as "near zero".  L1 with SGD leaves weights
oscillating within about ``lr·λ`` of 0 rather than at 0, hence a tolerance."""


def sparsity(weights: Iterable[np.ndarray], tol: float = SPARSITY_TOL) -> float:
    """Fraction of weights with ``|w| < tol`` (biases excluded by the caller)."""
    tol = check_float(tol, "tol", minimum=0.0)
    small = total = 0
    for w in weights:
        small += int(np.count_nonzero(np.abs(w) < tol))
        total += w.size
    return small / total if total else 0.0
