"""Argument checks shared by every public function in :mod:`common`.

Each check raises ``ValueError``/``TypeError`` whose message names the
parameter, the value it got and what is allowed, so that a learner never sees
a traceback from deep inside NumPy or a silent NaN.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable

import numpy as np

RngLike = np.random.Generator | int | None
"""What every function that draws random numbers accepts as ``rng``."""


def is_bool(value: Any) -> bool:
    """True for ``True``/``False`` and NumPy's ``np.True_``/``np.False_`` (never for 0 or 1)."""
    return isinstance(value, (bool, np.bool_))


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a Python bool, or raise ``TypeError`` naming ``name``."""
    if not is_bool(value):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def make_rng(rng: RngLike, name: str = "rng") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``rng``.

    ``None`` gives a freshly seeded generator (non-deterministic), an ``int``
    seeds ``np.random.default_rng`` and a ``Generator`` is used as is.  The
    global ``np.random`` state is never touched.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if is_bool(rng):
        raise TypeError(f"{name} must be a numpy.random.Generator, an int seed or None, got {rng!r}")
    if isinstance(rng, numbers.Integral):
        if int(rng) < 0:
            raise ValueError(f"{name} must be a non-negative int seed, got {rng!r}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}"
    )


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as ``int`` after checking its type and range."""
    if is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value!r}")
    return value


def check_float(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    include_min: bool = True,
    include_max: bool = True,
) -> float:
    """Return ``value`` as a finite ``float`` inside the given (half-)open range."""
    if is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    lo = "[" if include_min else "("
    hi = "]" if include_max else ")"
    allowed = f"{lo}{'-inf' if minimum is None else minimum}, {'inf' if maximum is None else maximum}{hi}"
    if minimum is not None and (value < minimum or (not include_min and value == minimum)):
        raise ValueError(f"{name} must be in {allowed}, got {value!r}")
    if maximum is not None and (value > maximum or (not include_max and value == maximum)):
        raise ValueError(f"{name} must be in {allowed}, got {value!r}")
    return value


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return the lower-cased ``value`` if it is one of ``choices``."""
    choices = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {choices}, got {type(value).__name__} {value!r}")
    lowered = value.lower()
    if lowered not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return lowered


def check_array(
    value: Any,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    finite: bool = True,
    allow_empty: bool = False,
) -> np.ndarray:
    """Return ``value`` as a real-valued ndarray after checking rank, emptiness and NaN/inf."""
    if not isinstance(value, np.ndarray):
        if isinstance(value, (list, tuple)) or np.isscalar(value):
            value = np.asarray(value)
        else:
            raise TypeError(f"{name} must be a numpy array, got {type(value).__name__}")
    if value.dtype == object or not (
        np.issubdtype(value.dtype, np.number) or np.issubdtype(value.dtype, np.bool_)
    ) or np.issubdtype(value.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must be a {want}-D array, got shape {value.shape}")
    if not allow_empty and value.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {value.shape}")
    if finite and np.issubdtype(value.dtype, np.floating) and not np.isfinite(value).all():
        raise ValueError(f"{name} contains NaN or inf; clean the data first")
    return value


def check_float_array(value: Any, name: str, **kwargs: Any) -> np.ndarray:
    """Like :func:`check_array` but the dtype must be floating point (float32/float64)."""
    arr = check_array(value, name, **kwargs)
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(f"{name} must be a float array (float32 or float64), got dtype {arr.dtype}")
    return arr


def check_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dtype!r}") from exc
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dt}")
    return dt
