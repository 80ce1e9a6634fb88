"""Graders for the learner's ``ridge(param, grad, rate)`` and ``lasso(param, grad, rate)``.

Each runs the function on prepared cases (1-D and 2-D, float32 and float64,
exact zeros) and checks ``grad += rate * param`` (L2) or
``grad += rate * np.sign(param)`` (L1), in place.  A wrong answer is named:
the norm instead of the penalty's gradient, ``grad = grad + …`` (no in-place
update), ``np.abs`` instead of ``np.sign``, ``2·rate·param``, a flipped sign.
A body that still raises ``NotImplementedError`` is *not yet solved*.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from course.exercises.grades import GradeResult, _check_callable, _crashed, _failed, _not_solved, _passed
from course.i18n import t

__all__ = ["check_ridge", "check_lasso"]


def _penalty_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(param, grad, rate) cases: 2-D and 1-D, exact zeros, negative values, float32 and float64."""
    gen = np.random.default_rng(20240607)
    cases = []
    for shape, dtype, rate in (((4, 3), np.float64, 0.1), ((7,), np.float64, 0.03), ((3, 5), np.float32, 0.5)):
        param = gen.normal(0.0, 1.0, size=shape).astype(dtype)
        param.flat[::4] = 0.0  # exact zeros: sign(0) = 0
        grad = gen.normal(0.0, 0.5, size=shape).astype(dtype)
        cases.append((param, grad, rate))
    return cases


def _diagnose_penalty(
    name: str,
    kind: str,
    change: np.ndarray,
    param: np.ndarray,
    rate: float,
) -> GradeResult:
    """Explain a wrong change ``grad_after − grad_before`` for ``kind`` ('l2' or 'l1')."""
    tol = dict(rtol=1e-4, atol=1e-6)
    if not np.all(np.isfinite(change)):
        hint = t("exercises.grade_nan_hint_l1") if kind == "l1" else ""
        return _failed(name, t("exercises.grade_nan", hint=hint))
    candidates = {
        "norm2": rate * np.sqrt(np.sum(param.astype(np.float64) ** 2)),
        "sumsq": rate * np.sum(param.astype(np.float64) ** 2),
        "norm1": rate * np.sum(np.abs(param.astype(np.float64))),
    }
    if np.allclose(change, candidates["norm2"], **tol):
        return _failed(name, t("exercises.grade_norm2"))
    if np.allclose(change, candidates["sumsq"], **tol):
        return _failed(name, t("exercises.grade_sumsq"))
    if np.allclose(change, candidates["norm1"], **tol):
        return _failed(name, t("exercises.grade_norm1"))
    if np.allclose(change, 2 * rate * param, **tol):
        return _failed(name, t("exercises.grade_twice"))
    if np.allclose(change, rate * np.abs(param), **tol):
        return _failed(name, t("exercises.grade_abs"))
    if kind == "l2" and np.allclose(change, rate * np.sign(param), **tol):
        return _failed(name, t("exercises.grade_l2_got_sign"))
    if kind == "l1" and np.allclose(change, rate * param, **tol):
        return _failed(name, t("exercises.grade_l1_got_param"))
    if np.allclose(change, -rate * (param if kind == "l2" else np.sign(param)), **tol):
        return _failed(name, t("exercises.grade_flipped"))
    expected = "rate * param" if kind == "l2" else "rate * np.sign(param)"
    want = rate * param if kind == "l2" else rate * np.sign(param)
    return _failed(name, t("exercises.grade_wrong_change", expected=expected),
                   t("exercises.grade_detail_yours", values=np.round(change.ravel()[:4], 4).tolist()),
                   t("exercises.grade_detail_expected", expected=expected,
                     values=np.round(want.ravel()[:4], 4).tolist()))


def _check_penalty(func: Any, name: str, kind: str) -> GradeResult:
    _check_callable(func)
    expected_text = "rate * param" if kind == "l2" else "rate * np.sign(param)"
    for case, (param0, grad0, rate) in enumerate(_penalty_cases()):
        param, grad = param0.copy(), grad0.copy()
        try:
            returned = func(param, grad, rate)
        except NotImplementedError:
            return _not_solved(name)
        except Exception as exc:  # the learner's code may raise anything
            return _crashed(name, exc, f"{name}(param, grad, rate={rate})")
        if not np.array_equal(param, param0):
            return _failed(name, t("exercises.grade_param_changed"))
        change = grad.astype(np.float64) - grad0.astype(np.float64)
        want = rate * (param0.astype(np.float64) if kind == "l2" else np.sign(param0).astype(np.float64))
        if np.array_equal(grad, grad0):
            if isinstance(returned, np.ndarray) and returned.shape == grad0.shape and np.allclose(
                returned.astype(np.float64) - grad0, want, rtol=1e-4, atol=1e-6
            ):
                return _failed(name, t("exercises.grade_not_in_place", expected=expected_text))
            return _failed(name, t("exercises.grade_unchanged", expected=expected_text))
        if np.allclose(change, want, rtol=1e-4, atol=1e-6 if grad0.dtype == np.float64 else 1e-5):
            continue
        result = _diagnose_penalty(name, kind, change, param0, rate)
        return _failed(name, result.message, *result.details,
                       t("exercises.grade_case", case=case + 1, shape=param0.shape, dtype=param0.dtype, rate=rate))
    # rate = 0 must leave grad alone
    param, grad = _penalty_cases()[0][0], _penalty_cases()[0][1]
    before = grad.copy()
    try:
        func(param, grad, 0.0)
    except Exception as exc:
        return _crashed(name, exc, f"{name}(param, grad, rate=0.0)")
    if not np.allclose(grad, before):
        return _failed(name, t("exercises.grade_rate_zero"))
    return _passed(name, t("exercises.grade_penalty_passed", expected=expected_text))


def check_ridge(func: Callable[[np.ndarray, np.ndarray, float], Any]) -> GradeResult:
    """Grade a learner's ``ridge(param, grad, rate)``: it must do ``grad += rate * param`` in place.

    Penalty ``½·rate·Σ w²`` → gradient ``rate·w``.  Recognises the norm
    ``rate·sqrt(Σ w²)``, a missing in-place update, ``2·rate·w`` and the L1 gradient.
    """
    return _check_penalty(func, "ridge", "l2")


def check_lasso(func: Callable[[np.ndarray, np.ndarray, float], Any]) -> GradeResult:
    """Grade a learner's ``lasso(param, grad, rate)``: it must do ``grad += rate * np.sign(param)`` in place.

    Penalty ``rate·Σ|w|`` → gradient ``rate·sign(w)`` (0 at ``w == 0``).
    Recognises ``np.abs`` instead of ``np.sign``, the L1 norm, ``w/|w|`` (NaN at 0)
    and a missing in-place update.
    """
    return _check_penalty(func, "lasso", "l1")
