"""L2 in the gradient against decoupled weight decay (SGDW, AdamW).

With SGD, adding ``λ·W`` to the gradient and shrinking ``W`` directly are the
same update.  With Adam they differ: the penalty's gradient is divided by
``√v̂`` like any other, so each weight gets its own decay rate.
:func:`effective_decay_rates` reads those rates off a trained Adam;
:func:`shrink_without_data` applies only the regularizer (zero data gradient)
to show what it does on its own.  :class:`SGDW` and
:class:`~common.optimizer.AdamW` live in :mod:`common.optimizer`.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from common._validation import check_array, check_bool, check_float, check_int
from common.optimizer import SGDW, Adam, Optimizer

__all__ = ["SGDW", "effective_decay_rates", "shrink_without_data"]


def effective_decay_rates(optimizer: Adam, weight_decay_lambda: float, keys: Iterable[str] | None = None) -> np.ndarray:
    """Per-weight shrink factor per step that an L2 term ``λ·W`` in the gradient gets from Adam.

    Adam divides the whole gradient, penalty included, by ``√v̂``, so the L2
    part moves ``W`` by about ``lr·λ·W/(√v̂ + ε)``: the rate
    ``lr·λ/(√v̂ + ε)`` differs from weight to weight (small where gradients
    were large).  AdamW's rate is ``lr·λ`` for every weight.  Uses the
    optimizer's current state; returns all weight matrices' rates, flattened.
    """
    if not isinstance(optimizer, Adam):
        raise TypeError(f"optimizer must be an Adam (or AdamW) that has taken steps, got {type(optimizer).__name__}")
    if optimizer.v is None or optimizer.iter == 0:
        raise ValueError("optimizer has no state yet: train with it first")
    lam = check_float(weight_decay_lambda, "weight_decay_lambda", minimum=0.0)
    keys = [k for k in optimizer.v if k.startswith("W")] if keys is None else list(keys)
    b2 = optimizer.beta2
    rates = []
    for key in keys:
        if key not in optimizer.v:
            raise KeyError(f"the optimizer has no state for {key!r}")
        v_hat = optimizer.v[key].astype(np.float64) / (1.0 - b2**optimizer.iter)
        # Adam's step for a constant gradient g is lr·g/(√v̂ + ε) once m̂ ≈ g
        rates.append((optimizer.lr * lam / (np.sqrt(v_hat) + 1e-7)).ravel())
    return np.concatenate(rates)


def shrink_without_data(
    optimizer: Optimizer,
    weights: np.ndarray,
    weight_decay_lambda: float,
    steps: int,
    *,
    l2_in_gradient: bool,
) -> np.ndarray:
    """Apply ``steps`` updates to a copy of ``weights`` when the data gradient is zero; return the result.

    This isolates what the regularizer alone does to each weight.  With
    ``l2_in_gradient=True`` the gradient is the L2 term ``λ·W`` (an L2 penalty
    in the loss); with ``False`` it is zero and only the optimizer's own
    decoupled decay acts (:class:`SGDW`, :class:`~common.optimizer.AdamW`).
    SGD gives ``W·(1 − lr·λ)^steps`` either way; Adam normalizes ``λ·W`` by its
    own size, so each weight moves by about ``lr`` per step whatever λ is.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer instance (e.g. Adam(lr=0.001)), got {type(optimizer).__name__}")
    w = check_array(weights, "weights").astype(np.float64)
    lam = check_float(weight_decay_lambda, "weight_decay_lambda", minimum=0.0)
    steps = check_int(steps, "steps", minimum=1)
    l2_in_gradient = check_bool(l2_in_gradient, "l2_in_gradient")
    params = {"W": w.copy()}
    for _ in range(steps):
        grad = lam * params["W"] if l2_in_gradient else np.zeros_like(params["W"])
        optimizer.update(params, {"W": grad})
    return params["W"]
