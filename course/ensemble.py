"""Dropout as an ensemble (アンサンブル): many random sub-networks vs the one full network.

Each training step of a dropout network trains one random sub-network (a random
subset of its units).  At test time the full network is used, with every unit
on; inverted dropout already scaled the kept units by ``1/(1 − dropout_ratio)``
in training, and book-style dropout (``dropout_inverted=False``, the lecture's
class) multiplies by ``1 − dropout_ratio`` at test time instead: either way the
full network matches the sub-networks' mean activation, and the functions here
work for both.  The lecture's reading: this is like training many
different models on the same data and averaging them.  Here we check it
numerically: the average of ``n`` sub-networks' softmax outputs,

    p̄(x) = (1/n)·Σ_k softmax(f_{mask_k}(x)),

should agree more and more with the full network's ``predict(x)`` as ``n`` grows.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from common._validation import RngLike, check_array, check_int, make_rng
from common.layers import Dropout, softmax


def _dropout_layers(network: Any) -> list[Dropout]:
    layers = getattr(network, "layers", None)
    if layers is None or not hasattr(network, "predict"):
        raise TypeError(f"network must be a MultiLayerNet-like object with .layers and .predict, got {type(network).__name__}")
    dropouts = [layer for layer in layers.values() if isinstance(layer, Dropout)]
    if not dropouts or all(d.dropout_ratio == 0.0 for d in dropouts):
        raise ValueError(
            "network has no active Dropout layers (build it with use_dropout=True and dropout_ratio > 0): "
            "every sub-network would be the full network"
        )
    return dropouts


@contextmanager
def _masks_from(dropouts: list[Dropout], rng: np.random.Generator) -> Iterator[None]:
    """Let every Dropout layer draw its masks from ``rng``, then restore its own generator."""
    saved = [(d.rng, d.frozen) for d in dropouts]
    try:
        for d in dropouts:
            d.rng = rng
            d.frozen = False
        yield
    finally:
        for d, (own_rng, frozen) in zip(dropouts, saved):
            d.rng = own_rng
            d.frozen = frozen


def _check_x(x: Any) -> np.ndarray:
    return check_array(x, "x", ndim=(2, 4))


def dropout_ensemble_predict(network: Any, x: np.ndarray, n_samples: int, rng: RngLike = None) -> np.ndarray:
    """Average softmax output of ``n_samples`` random dropout sub-networks, shape ``(batch, classes)``.

    ``p̄ = (1/n)·Σ_k softmax(network.predict(x, train_flg=True))``, each pass with
    fresh masks drawn from ``rng`` (the network's own dropout generators are left
    untouched, so training stays reproducible).  Compare with
    ``softmax(network.predict(x))``, the full network at test time.
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    x = _check_x(x)
    dropouts = _dropout_layers(network)
    generator = make_rng(rng)
    total: np.ndarray | None = None
    with _masks_from(dropouts, generator):
        for _ in range(n_samples):
            probs = softmax(network.predict(x, train_flg=True)).astype(np.float64)
            total = probs if total is None else total + probs
    assert total is not None
    return total / n_samples


@dataclass
class EnsembleCurve:
    """How an average of ``n`` random sub-networks compares with the full network.

    ``accuracy[i]`` / ``agreement[i]``: accuracy of the average of the first
    ``n_samples[i]`` sub-networks, and the fraction of inputs where its predicted
    class equals the full network's.  ``single_accuracy``: mean accuracy of one
    sub-network on its own; ``full_accuracy``: the full network's accuracy.
    """

    n_samples: list[int]
    accuracy: list[float]
    agreement: list[float]
    single_accuracy: float
    full_accuracy: float


def dropout_ensemble_curve(
    network: Any, x: np.ndarray, t: np.ndarray, n_samples: Sequence[int], rng: RngLike = None
) -> EnsembleCurve:
    """Accuracy and agreement with the full net of growing sub-network averages.

    The averages are nested (the first 10 sub-networks are part of the first
    100), so the cost is ``max(n_samples)`` forward passes in total.
    """
    x = _check_x(x)
    t = check_array(t, "t", ndim=(1, 2))
    if t.ndim == 1 and not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"t must hold integer labels or one-hot rows, got dtype {t.dtype}")
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    if labels.shape[0] != x.shape[0]:
        raise ValueError(f"t must have one label per row of x ({x.shape[0]}), got {labels.shape[0]}")
    if isinstance(n_samples, (int, np.integer)) or len(n_samples) == 0:
        raise TypeError(f"n_samples must be a non-empty list of ints such as [1, 10, 100], got {n_samples!r}")
    sizes = [check_int(n, f"n_samples[{i}]", minimum=1) for i, n in enumerate(n_samples)]
    if sizes != sorted(sizes):
        raise ValueError(f"n_samples must be increasing, got {sizes}")
    dropouts = _dropout_layers(network)
    generator = make_rng(rng)

    full_pred = network.predict(x).argmax(axis=1)
    total = np.zeros((x.shape[0], 0))
    single: list[float] = []
    accuracy: list[float] = []
    agreement: list[float] = []
    with _masks_from(dropouts, generator):
        for k in range(1, sizes[-1] + 1):
            probs = softmax(network.predict(x, train_flg=True)).astype(np.float64)
            total = probs if total.shape[1] == 0 else total + probs
            single.append(float(np.mean(probs.argmax(axis=1) == labels)))
            if k in sizes:
                pred = total.argmax(axis=1)
                for _ in range(sizes.count(k)):
                    accuracy.append(float(np.mean(pred == labels)))
                    agreement.append(float(np.mean(pred == full_pred)))
    return EnsembleCurve(
        n_samples=sizes,
        accuracy=accuracy,
        agreement=agreement,
        single_accuracy=float(np.mean(single)),
        full_accuracy=float(np.mean(full_pred == labels)),
    )
