"""Drawing hyperparameter settings for a random search, λ on a log scale.

:func:`log_uniform` draws ``10 ** U(log10 low, log10 high)`` (every decade
equally likely); :func:`sample_settings` draws one setting from a search space
such as ``{"weight_decay_lambda": ("log", 1e-3, 1e-1), "dropout_ratio":
("uniform", 0.0, 0.3), "regularization": ["l1", "l2"]}``.  Both take ``rng``
(a seeded ``numpy.random.Generator`` or an int seed).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from common._validation import RngLike, check_float, check_int, make_rng

__all__ = ["log_uniform", "sample_settings"]


def log_uniform(low: float, high: float, rng: RngLike = None, size: int | None = None) -> float | np.ndarray:
    """Draw ``10 ** U(log10 low, log10 high)``: every decade is equally likely.

    λ = 0.001 … 0.1 spans two decades; a uniform draw would put 90 % of the
    samples in the top decade, a log-uniform one puts half in each.
    """
    low = check_float(low, "low", minimum=0.0, include_min=False)
    high = check_float(high, "high", minimum=0.0, include_min=False)
    if high < low:
        raise ValueError(f"high must be >= low, got low={low!r}, high={high!r}")
    gen = make_rng(rng)
    if size is not None:
        size = check_int(size, "size", minimum=1)
    exponent = gen.uniform(math.log10(low), math.log10(high), size=size)
    return 10.0**exponent if size is not None else float(10.0**exponent)


def sample_settings(space: Mapping[str, Any], rng: RngLike = None) -> dict[str, Any]:
    """One draw from a search space; keys are :func:`train_lecture_net` keywords.

    A value may be ``("log", low, high)`` (log-uniform), ``("uniform", low, high)``,
    a list (one element chosen uniformly) or anything else (kept fixed).
    Keys are drawn in the order given, so the same seed gives the same sequence.
    """
    if not isinstance(space, Mapping) or not space:
        raise TypeError(f"space must be a non-empty dict of setting -> range, got {space!r}")
    gen = make_rng(rng)
    out: dict[str, Any] = {}
    for key, spec in space.items():
        if isinstance(spec, tuple) and spec and isinstance(spec[0], str):
            if len(spec) != 3 or spec[0] not in ("log", "uniform"):
                raise ValueError(
                    f"space[{key!r}] must be ('log', low, high) or ('uniform', low, high), got {spec!r}"
                )
            kind, low, high = spec
            if kind == "log":
                out[key] = log_uniform(low, high, gen)
            else:
                low = check_float(low, f"space[{key!r}] low")
                high = check_float(high, f"space[{key!r}] high", minimum=low)
                out[key] = float(gen.uniform(low, high))
        elif isinstance(spec, list):
            if not spec:
                raise ValueError(f"space[{key!r}] is an empty list; give at least one choice")
            out[key] = spec[int(gen.integers(len(spec)))]
        else:
            out[key] = spec
    return out
