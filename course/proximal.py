"""L1 in practice (スパース推定): why the plain L1 step zigzags, and the proximal step that lands on 0.

The lecture's L1 update adds ``λ·sign(w)`` to the gradient, so every step moves
each weight by the same ``lr·λ`` towards 0 — and past it: a weight smaller than
``lr·λ`` jumps to the other side, and the next step pushes it back.  Weights
hover around 0 with flipping signs but (almost) never equal 0.

The proximal ("clip at zero", soft-thresholding) step does the data-loss step
first and then shrinks each weight by at most its own size::

    w ← w − lr·∂E/∂w                       (plain SGD on the error only)
    w ← sign(w)·max(|w| − lr·λ, 0)         (prox of lr·λ·|w|)

so a weight that would cross 0 stops exactly at 0.

- :class:`ProximalSGD` — that optimizer; pair it with a network built with
  ``regularization='none'`` (the penalty is in the optimizer, not the loss).
- :class:`SignFlipCounter` — a per-epoch ``Trainer`` callback that counts the
  weights whose sign flipped since the previous epoch, and optionally keeps
  the trajectory of a few chosen weights.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from common._validation import RngLike, check_float, check_int, make_rng
from common.optimizer import SGD, Params
from common.regularizers import prox_l1


class ProximalSGD(SGD):
    """SGD on the data loss followed by the L1 proximal step on the weights.

    ``W ← prox(W − lr·g)`` with ``prox(w) = sign(w)·max(|w| − lr·λ, 0)``, applied
    to weight matrices only (keys starting with ``'W'``); biases get the plain
    SGD step.  This minimises ``E + λ·Σ|W|`` like the lecture's
    ``grad += λ·sign(W)`` update, but weights that reach 0 stay exactly 0.
    Build the network with ``regularization='none'`` so λ is not applied twice.
    ``lr`` (or ``learning_rate``) defaults to 0.01.
    """

    def __init__(
        self, lr: float | None = None, weight_decay_lambda: float = 0.0, *, learning_rate: float | None = None
    ) -> None:
        super().__init__(lr, learning_rate=learning_rate)
        self.weight_decay_lambda = check_float(
            weight_decay_lambda, "weight_decay_lambda (the L1 coefficient λ)", minimum=0.0
        )

    @property
    def threshold(self) -> float:
        """How far one step moves a weight towards 0: ``lr·λ``."""
        return self.lr * self.weight_decay_lambda

    def update(self, params: Params, grads: Params) -> None:
        super().update(params, grads)
        threshold = self.threshold
        if threshold:
            for key, w in params.items():
                if key.startswith("W") and key in grads:
                    prox_l1(w, threshold)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "penalty": "l1 (proximal step)"}


class SignFlipCounter:
    """Per-epoch ``Trainer`` callback: how many weights changed sign since the last epoch.

    ``flips[k]`` counts weights ``w`` with ``sign(w_before)·sign(w_after) < 0``
    between epochs ``epoch[k] − 1`` and ``epoch[k]`` (a weight that is or becomes
    exactly 0 is not a flip); ``zeros[k]`` counts weights exactly equal to 0.
    With ``track=n`` the values of ``n`` weights of ``trace_key`` are recorded
    each epoch in ``trace`` (rows = epochs); which ones is fixed by ``rng``.
    The counter reads ``history.network.params``, so it works with
    ``train_lecture_net(callback=...)``.  Use a fresh counter for each run.
    """

    def __init__(
        self,
        keys: Sequence[str] | None = None,
        *,
        track: int = 0,
        trace_key: str = "W2",
        rng: RngLike = 0,
    ) -> None:
        if keys is not None:
            if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
                raise TypeError(f"keys must be a list of parameter names like ['W1', 'W2'] or None, got {keys!r}")
            keys = list(keys)
            if not keys:
                raise ValueError("keys must name at least one parameter (or be None for every 'W…')")
        self.keys = keys
        self.track = check_int(track, "track", minimum=0)
        if not isinstance(trace_key, str):
            raise TypeError(f"trace_key must be a parameter name like 'W2', got {trace_key!r}")
        self.trace_key = trace_key
        self._rng = make_rng(rng)
        self.epoch: list[int] = []
        self.flips: list[int] = []
        self.zeros: list[int] = []
        self.trace_index: np.ndarray | None = None
        self._trace: list[np.ndarray] = []
        self._signs: dict[str, np.ndarray] | None = None

    @property
    def trace(self) -> np.ndarray:
        """Tracked weight values, shape ``(epochs seen, track)``."""
        if not self._trace:
            return np.empty((0, self.track))
        return np.stack(self._trace)

    def _params(self, history: Any) -> dict[str, np.ndarray]:
        network = getattr(history, "network", None)
        params = getattr(network, "params", None)
        if not isinstance(params, dict):
            raise TypeError("SignFlipCounter needs history.network.params (pass it to Trainer as callback=)")
        keys = self.keys if self.keys is not None else [k for k in params if k.startswith("W")]
        missing = [k for k in keys if k not in params]
        if missing:
            raise KeyError(f"keys {missing} are not in the network's params {list(params)}")
        return {k: params[k] for k in keys}

    def __call__(self, history: Any) -> None:
        params = self._params(history)
        signs = {k: np.sign(w) for k, w in params.items()}
        self.zeros.append(int(sum(np.count_nonzero(w == 0) for w in params.values())))
        if self._signs is None:
            self.flips.append(0)
        else:
            self.flips.append(int(sum(np.count_nonzero(signs[k] * self._signs[k] < 0) for k in signs)))
        self._signs = signs
        self.epoch.append(int(history.epoch[-1]) if getattr(history, "epoch", None) else len(self.epoch) + 1)
        if self.track:
            w = history.network.params[self.trace_key].ravel()
            if self.trace_index is None:
                self.trace_index = self._rng.choice(w.size, size=min(self.track, w.size), replace=False)
            self._trace.append(w[self.trace_index].astype(np.float64))
        return None
