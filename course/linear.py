"""Ridge (L2, 縮小推定 shrinkage) and lasso (L1, スパース推定 sparse estimation) regression.

Both estimators solve a penalized least-squares problem for a linear model
``y ≈ X @ w + b``.  The objectives are exactly those of scikit-learn's
``Ridge(alpha)`` and ``Lasso(alpha)`` so results can be cross-checked:

- ridge:  ``||y - Xw - b||² + alpha·||w||₂²``            (closed form)
- lasso:  ``(1/(2n))·||y - Xw - b||² + alpha·||w||₁``    (coordinate descent)

The intercept ``b`` is never penalized: with ``fit_intercept=True`` the
columns of ``X`` and ``y`` are centred, ``w`` is fitted on the centred data and
``b = mean(y) - mean(X) @ w``.

The helpers :func:`constrained_optimum` and :func:`squared_error_grid` draw
the classic two-weight picture: contour lines of the squared error touching an
L2 disc (ridge) or an L1 diamond (lasso, whose corners give exact zeros).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from common._validation import check_array, check_bool, check_choice, check_float, check_int

__all__ = [
    "ConvergenceWarning",
    "constrained_optimum",
    "fit_lasso",
    "fit_ridge",
    "lasso_path",
    "ridge_path",
    "soft_threshold",
    "squared_error_grid",
]


class ConvergenceWarning(UserWarning):
    """Coordinate descent stopped at ``max_iter`` before reaching ``tol``.

    A ``UserWarning`` (not ``RuntimeWarning``) because it is about the caller's
    choice of ``max_iter``/``tol``, not a floating-point accident.
    """


# --------------------------------------------------------------------------- #
# validation and centring
# --------------------------------------------------------------------------- #
def _check_Xy(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, "X", ndim=2).astype(np.float64)
    y = check_array(y, "y", ndim=1).astype(np.float64)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have one entry per row of X: X has {X.shape[0]} rows, y has length {y.shape[0]}"
        )
    return X, y


def _check_alphas(alphas: Any) -> np.ndarray:
    alphas = check_array(alphas, "alphas", ndim=1).astype(np.float64)
    if np.any(alphas < 0):
        raise ValueError(f"alphas must all be >= 0, got {alphas[alphas < 0][0]!r} in {alphas!r}")
    return alphas


def _center(
    X: np.ndarray, y: np.ndarray, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Return centred copies ``(Xc, yc)`` and the means needed to recover ``b``."""
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    x_mean = X.mean(axis=0)
    y_mean = float(y.mean())
    Xc = X - x_mean
    # A constant column centres to +-1 ulp noise rather than exact zeros; left
    # in, that noise would get a huge coefficient (it is "explained" by b).
    Xc[:, np.ptp(X, axis=0) == 0] = 0.0
    return Xc, y - y_mean, x_mean, y_mean


# --------------------------------------------------------------------------- #
# ridge
# --------------------------------------------------------------------------- #
def _ridge_coefs(Xc: np.ndarray, yc: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """Ridge coefficients for every alpha from one thin SVD ``Xc = U diag(s) Vᵀ``.

    ``w(alpha) = V diag(s / (s² + alpha)) Uᵀ y`` – each principal direction is
    shrunk by ``s² / (s² + alpha)``; this works for any n, p (no p×p inverse).
    """
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    Uty = U.T @ yc
    coefs = np.empty((alphas.size, Xc.shape[1]))
    ols: np.ndarray | None = None
    for k, alpha in enumerate(alphas):
        if alpha == 0.0:
            # alpha = 0 is ordinary least squares; lstsq gives the minimum-norm
            # solution when XᵀX is singular (e.g. more features than samples).
            if ols is None:
                ols = np.linalg.lstsq(Xc, yc, rcond=None)[0]
            coefs[k] = ols
        else:
            coefs[k] = Vt.T @ (s / (s * s + alpha) * Uty)
    return coefs


def fit_ridge(
    X: np.ndarray, y: np.ndarray, alpha: float, fit_intercept: bool = True
) -> tuple[np.ndarray, float]:
    """Ridge regression (L2 penalty) in closed form; returns ``(coef, intercept)``.

    Minimizes ``||y - Xw - b||² + alpha·||w||₂²`` (scikit-learn ``Ridge(alpha)``).
    On centred data the solution is ``w = (XᵀX + alpha·I)⁻¹ Xᵀy``, computed via
    the SVD so it also works when ``n_features > n_samples``.  ``alpha = 0``
    gives ordinary least squares (minimum-norm solution if not unique).

    Parameters
    ----------
    X : (n_samples, n_features) array of real numbers.
    y : (n_samples,) targets.
    alpha : penalty strength, ``>= 0``.
    fit_intercept : fit an unpenalized ``b`` (by centring X and y).
    """
    X, y = _check_Xy(X, y)
    alpha = check_float(alpha, "alpha", minimum=0.0)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    Xc, yc, x_mean, y_mean = _center(X, y, fit_intercept)
    coef = _ridge_coefs(Xc, yc, np.array([alpha]))[0]
    return coef, float(y_mean - x_mean @ coef)


def ridge_path(
    X: np.ndarray, y: np.ndarray, alphas: np.ndarray, fit_intercept: bool = True
) -> np.ndarray:
    """Ridge coefficients for each alpha, shape ``(len(alphas), n_features)``.

    Row ``k`` equals ``fit_ridge(X, y, alphas[k], fit_intercept)[0]``; one SVD
    is shared by all alphas.
    """
    X, y = _check_Xy(X, y)
    alphas = _check_alphas(alphas)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    Xc, yc, _, _ = _center(X, y, fit_intercept)
    return _ridge_coefs(Xc, yc, alphas)


# --------------------------------------------------------------------------- #
# lasso
# --------------------------------------------------------------------------- #
def soft_threshold(z: Any, threshold: float) -> np.ndarray | float:
    """Soft-thresholding ``S_t(z) = sign(z)·max(|z| - t, 0)``, elementwise.

    The proximal operator of ``t·|x|``: ``argmin_x ½(x - z)² + t·|x|``.  It
    moves ``z`` towards 0 by ``t`` and clips at zero – the source of the exact
    zeros in lasso.  A scalar ``z`` gives a ``float``, an array an array.
    """
    z_arr = check_array(z, "z", allow_empty=True).astype(np.float64)
    t = check_float(threshold, "threshold", minimum=0.0)
    out = np.sign(z_arr) * np.maximum(np.abs(z_arr) - t, 0.0)
    return float(out) if out.ndim == 0 else out


def _duality_gap(Xc: np.ndarray, yc: np.ndarray, w: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """Duality gap of ``½||y - Xw||² + lam·||w||₁`` and the fresh residual.

    With ``r = y - Xw`` the dual point ``θ = s·r``, ``s = min(1, lam/||Xᵀr||_∞)``
    is feasible and ``P(w) - D(θ) = ½(1-s)²||r||² + Σ_j (lam|w_j| - s·(Xᵀr)_j·w_j)``.
    Written this way every term is >= 0, so there is no cancellation against
    ``||y||²``; the gap bounds how far ``P(w)`` is above the optimum.
    """
    r = yc - Xc @ w
    grad = Xc.T @ r
    g_max = float(np.max(np.abs(grad)))
    s = 1.0 if g_max <= lam else lam / g_max
    gap = 0.5 * (1.0 - s) ** 2 * float(r @ r) + float(np.sum(lam * np.abs(w) - s * grad * w))
    return gap, r


def _lasso_cd(
    Xc: np.ndarray, yc: np.ndarray, alpha: float, w: np.ndarray, max_iter: int, tol: float
) -> np.ndarray:
    """Cyclic coordinate descent on centred data, starting from (a copy of) ``w``."""
    n = Xc.shape[0]
    w = w.copy()
    y_sq = float(yc @ yc)
    if y_sq == 0.0:
        # Nothing to explain: w = 0 is optimal for every alpha (and the
        # minimum-norm least-squares answer for alpha = 0).
        return np.zeros_like(w)
    lam = n * alpha  # penalty of the equivalent objective ½||r||² + lam·||w||₁
    if alpha > 0.0 and alpha >= float(np.max(np.abs(Xc.T @ yc))) / n:
        # w = 0 meets the optimality condition |x_jᵀy| <= n·alpha for every j.  Tested in the docstring's own
        # arithmetic, so alpha = λ_max computed that way gives exact zeros: the sweeps sum x_jᵀr in another
        # order (another BLAS routine), could find ρ an ulp above lam and chase a weight of 1e-17 for ever.
        return np.zeros_like(w)
    col_sq = np.einsum("ij,ij->j", Xc, Xc)
    w[col_sq == 0.0] = 0.0  # a zero column cannot lower the error; 0 is its minimum-norm weight
    r = yc - Xc @ w
    max_dw = gap = np.inf
    for _ in range(max_iter):
        max_dw = 0.0
        for j in np.flatnonzero(col_sq):
            w_old = w[j]
            # 1-D problem in w_j with the others fixed: ρ = x_jᵀ(r + x_j·w_j),
            # w_j = S(ρ, lam) / ||x_j||².
            rho = Xc[:, j] @ r + col_sq[j] * w_old
            w_new = np.sign(rho) * max(abs(rho) - lam, 0.0) / col_sq[j]
            if w_new != w_old:
                r -= Xc[:, j] * (w_new - w_old)
                w[j] = w_new
                max_dw = max(max_dw, abs(w_new - w_old))
        # Cheap test first (no coefficient moved much), then the certificate.
        if max_dw > tol * float(np.max(np.abs(w))):
            continue
        if alpha == 0.0:
            # The dual of plain least squares is degenerate (gap never
            # closes), so the step-size test is the whole criterion.
            return w
        gap, r = _duality_gap(Xc, yc, w, lam)
        if gap <= tol * 0.5 * y_sq:
            return w
    if alpha > 0.0:
        gap, _ = _duality_gap(Xc, yc, w, lam)
    warnings.warn(
        f"fit_lasso did not converge in max_iter={max_iter} sweeps "
        f"(last max coefficient change {max_dw:.3g}, relative duality gap "
        f"{gap / (0.5 * y_sq):.3g}, tol={tol:g}); returning the last iterate. "
        "Increase max_iter, loosen tol, or standardize X.",
        ConvergenceWarning,
        stacklevel=3,
    )
    return w


def _check_lasso_options(max_iter: Any, tol: Any) -> tuple[int, float]:
    return (
        check_int(max_iter, "max_iter", minimum=1),
        check_float(tol, "tol", minimum=0.0, include_min=False),
    )


def fit_lasso(
    X: np.ndarray,
    y: np.ndarray,
    alpha: float,
    fit_intercept: bool = True,
    *,
    max_iter: int = 10000,
    tol: float = 1e-10,
    coef_init: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Lasso regression (L1 penalty) by coordinate descent; returns ``(coef, intercept)``.

    Minimizes ``(1/(2n))·||y - Xw - b||² + alpha·||w||₁`` (scikit-learn
    ``Lasso(alpha)``).  Each sweep updates one weight at a time in closed form,
    ``w_j ← S(x_jᵀr_j / n, alpha) / (x_jᵀx_j / n)`` with ``r_j`` the residual
    without feature ``j`` and ``S`` = :func:`soft_threshold`.  For
    ``alpha >= max_j |x_jᵀ(y - ȳ)| / n`` every weight is exactly zero.

    Convergence: a sweep in which no weight moved by more than
    ``tol·max|w|`` *and* a duality gap ``<= tol·||y - ȳ||²/(2n)`` (i.e.
    relative to the objective at ``w = 0``).  For ``alpha = 0`` (plain least
    squares, whose dual is degenerate) the step test alone is used.  If
    ``max_iter`` sweeps are not enough a :class:`ConvergenceWarning` is issued
    and the last iterate is returned.

    Parameters
    ----------
    X, y, alpha, fit_intercept : as in :func:`fit_ridge`.
    max_iter : maximum number of full sweeps over the features, ``>= 1``.
    tol : relative tolerance, ``> 0``.
    coef_init : optional starting weights, shape ``(n_features,)`` (warm start).
    """
    X, y = _check_Xy(X, y)
    alpha = check_float(alpha, "alpha", minimum=0.0)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    max_iter, tol = _check_lasso_options(max_iter, tol)
    if coef_init is None:
        w0 = np.zeros(X.shape[1])
    else:
        w0 = check_array(coef_init, "coef_init", ndim=1).astype(np.float64)
        if w0.shape[0] != X.shape[1]:
            raise ValueError(
                f"coef_init must have one entry per column of X ({X.shape[1]}), got length {w0.shape[0]}"
            )
    Xc, yc, x_mean, y_mean = _center(X, y, fit_intercept)
    coef = _lasso_cd(Xc, yc, alpha, w0, max_iter, tol)
    return coef, float(y_mean - x_mean @ coef)


def lasso_path(
    X: np.ndarray,
    y: np.ndarray,
    alphas: np.ndarray,
    fit_intercept: bool = True,
    *,
    max_iter: int = 10000,
    tol: float = 1e-10,
) -> np.ndarray:
    """Lasso coefficients for each alpha, shape ``(len(alphas), n_features)``.

    Alphas are solved from largest to smallest, each warm-started from the
    previous solution (neighbouring solutions are close, so few sweeps are
    needed); rows are returned in the order of the given ``alphas``.
    """
    X, y = _check_Xy(X, y)
    alphas = _check_alphas(alphas)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    max_iter, tol = _check_lasso_options(max_iter, tol)
    Xc, yc, _, _ = _center(X, y, fit_intercept)
    coefs = np.empty((alphas.size, X.shape[1]))
    w = np.zeros(X.shape[1])
    for k in np.argsort(-alphas, kind="stable"):
        w = _lasso_cd(Xc, yc, float(alphas[k]), w, max_iter, tol)
        coefs[k] = w
    return coefs


# --------------------------------------------------------------------------- #
# geometry of the two-weight picture
# --------------------------------------------------------------------------- #
def constrained_optimum(X: np.ndarray, y: np.ndarray, radius: float, norm: str) -> np.ndarray:
    """Least squares inside a norm ball: ``argmin ||y - Xw||²  s.t.  ||w|| <= radius``.

    ``norm='l2'`` (disc) or ``'l1'`` (diamond); no intercept.  The constrained
    problem equals the penalized one for some alpha (Lagrange duality), and
    the penalized solution's norm shrinks as alpha grows, so alpha is found by
    bisection until ``||w(alpha)|| = radius`` – ridge for L2, lasso for L1.
    If the least-squares solution already lies in the ball it is returned.
    """
    X, y = _check_Xy(X, y)
    radius = check_float(radius, "radius", minimum=0.0, include_min=False)
    norm = check_choice(norm, "norm", ("l1", "l2"))
    ord_ = 1 if norm == "l1" else 2
    n = X.shape[0]

    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    if np.linalg.norm(w_ols, ord_) <= radius:
        return w_ols

    if norm == "l2":
        U, s, Vt = np.linalg.svd(X, full_matrices=False)
        Uty = U.T @ y

        def solve(alpha: float, _prev: np.ndarray) -> np.ndarray:
            return Vt.T @ (s / (s * s + alpha) * Uty)

        # ||w(alpha)||₂ <= ||Xᵀy||₂ / alpha, so this alpha is already inside.
        alpha_hi = float(np.linalg.norm(X.T @ y)) / radius
    else:

        def solve(alpha: float, prev: np.ndarray) -> np.ndarray:
            return _lasso_cd(X, y, alpha, prev, 100000, 1e-12)

        # At alpha >= ||Xᵀy||_∞ / n the lasso solution is exactly 0.
        alpha_hi = float(np.max(np.abs(X.T @ y))) / n

    alpha_lo = 0.0
    w_hi = np.zeros(X.shape[1]) if norm == "l1" else solve(alpha_hi, w_ols)
    for _ in range(200):
        alpha = 0.5 * (alpha_lo + alpha_hi)
        w = solve(alpha, w_hi)
        size = float(np.linalg.norm(w, ord_))
        if size > radius:
            alpha_lo = alpha
        else:
            alpha_hi, w_hi = alpha, w
        if abs(size - radius) <= 1e-12 * radius:
            return w
        if alpha_hi - alpha_lo <= 1e-15 * alpha_hi:
            break
    # Bisection exhausted: return the feasible end of the bracket.
    return w_hi


def squared_error_grid(X: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """Squared error ``E(w1, w2) = ||y - X @ [w1, w2]||²`` on a grid (no intercept).

    ``X`` must have exactly two columns.  ``w1``/``w2`` are either 1-D axes
    (the result has shape ``(len(w2), len(w1))``, ready for
    ``plt.contour(w1, w2, E)``) or two same-shaped arrays such as the output of
    ``np.meshgrid`` (the result has that shape).

    Uses ``E(w) = E(ŵ) + (w - ŵ)ᵀ XᵀX (w - ŵ)`` with ``ŵ`` the least-squares
    solution: O(1) per grid point and no cancellation near the minimum.
    """
    X, y = _check_Xy(X, y)
    if X.shape[1] != 2:
        raise ValueError(f"X must have exactly 2 columns (one per weight), got shape {X.shape}")
    w1 = check_array(w1, "w1", ndim=(1, 2)).astype(np.float64)
    w2 = check_array(w2, "w2", ndim=(1, 2)).astype(np.float64)
    if w1.ndim == 1 and w2.ndim == 1:
        W1, W2 = np.meshgrid(w1, w2)
    elif w1.shape == w2.shape:
        W1, W2 = w1, w2
    else:
        raise ValueError(
            f"w1 and w2 must both be 1-D axes or have the same shape, got shapes {w1.shape} and {w2.shape}"
        )
    w_hat = np.linalg.lstsq(X, y, rcond=None)[0]
    r_hat = y - X @ w_hat
    G = X.T @ X
    d1, d2 = W1 - w_hat[0], W2 - w_hat[1]
    quad = G[0, 0] * d1 * d1 + 2.0 * G[0, 1] * d1 * d2 + G[1, 1] * d2 * d2
    # The quadratic form is >= 0 in exact arithmetic; clip rounding noise.
    return float(r_hat @ r_hat) + np.maximum(quad, 0.0)
