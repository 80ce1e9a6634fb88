"""Tests for course.geometry_plots: the two-weight picture of ridge and lasso."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from course.geometry_plots import (  # noqa: E402
    ConstraintExplorer,
    ConstraintPicture,
    ball_boundary,
    draw_constraint_geometry,
    equivalent_penalty,
    plot_coefficient_paths,
)
from course.linear import constrained_optimum, fit_lasso, fit_ridge, lasso_path, ridge_path  # noqa: E402


@pytest.fixture(scope="module")
def problem():
    """Two correlated features; least squares near (1.5, 0.5), upper right of the origin."""
    rng = np.random.default_rng(0)
    X = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]], size=50)
    y = X @ np.array([1.5, 0.5]) + 0.3 * rng.standard_normal(50)
    return X, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def sse(X, y, W):
    """Squared error of each row of W (shape (m, 2))."""
    return np.sum((y[:, None] - X @ np.atleast_2d(W).T) ** 2, axis=0)


def drawn_marker(ax, gid: str) -> np.ndarray:
    lines = [line for line in ax.get_lines() if line.get_gid() == gid]
    assert len(lines) == 1, f"expected one marker with gid {gid!r}, found {len(lines)}"
    return np.column_stack(lines[0].get_data())[0].astype(float)


# --------------------------------------------------------------------------- #
# ball_boundary
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("norm, order", [("l1", 1), ("l2", 2)])
@pytest.mark.parametrize("radius", [0.3, 2.0])
def test_ball_boundary_points_have_the_radius_and_close(norm, order, radius):
    pts = ball_boundary(radius, norm, n_points=101)
    np.testing.assert_allclose(np.linalg.norm(pts, ord=order, axis=1), radius, rtol=1e-12)
    np.testing.assert_allclose(pts[0], pts[-1], atol=1e-12)


def test_l1_boundary_has_its_four_corners_and_rounds_up_to_4k_plus_1():
    pts = ball_boundary(1.5, "l1", n_points=10)
    assert pts.shape == (13, 2)  # 3 points per edge + the closing point
    for corner in ([1.5, 0.0], [0.0, 1.5], [-1.5, 0.0], [0.0, -1.5]):
        assert np.any(np.all(pts == corner, axis=1)), corner
    assert ball_boundary(1.0, "l2", n_points=10).shape == (10, 2)


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(radius=0.0, norm="l1"), ValueError, "radius"),
        (dict(radius=1.0, norm="l3"), ValueError, "norm"),
        (dict(radius=1.0, norm="l2", n_points=3), ValueError, "n_points"),
        (dict(radius="1", norm="l2"), TypeError, "radius"),
    ],
)
def test_ball_boundary_bad_arguments(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        ball_boundary(**kwargs)


# --------------------------------------------------------------------------- #
# equivalent_penalty
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("radius", [0.3, 0.8, 1.2])
def test_equivalent_penalty_reproduces_the_constrained_optimum(problem, radius):
    X, y = problem
    w_l2 = constrained_optimum(X, y, radius, "l2")
    w_l1 = constrained_optimum(X, y, radius, "l1")
    coef_l2, b_l2 = fit_ridge(X, y, equivalent_penalty(X, y, w_l2, "l2"), fit_intercept=False)
    coef_l1, b_l1 = fit_lasso(X, y, equivalent_penalty(X, y, w_l1, "l1"), fit_intercept=False)
    np.testing.assert_allclose(coef_l2, w_l2, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(coef_l1, w_l1, rtol=1e-6, atol=1e-8)
    assert b_l2 == 0.0 and b_l1 == 0.0


def test_equivalent_penalty_grows_as_the_radius_shrinks(problem):
    X, y = problem
    for norm in ("l2", "l1"):
        lams = [equivalent_penalty(X, y, constrained_optimum(X, y, r, norm), norm) for r in (1.2, 0.8, 0.4, 0.1)]
        assert np.all(np.diff(lams) > 0), (norm, lams)


def test_equivalent_penalty_limits(problem):
    X, y = problem
    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    assert equivalent_penalty(X, y, w_ols, "l2") == pytest.approx(0.0, abs=1e-9)
    assert equivalent_penalty(X, y, w_ols, "l1") == pytest.approx(0.0, abs=1e-9)
    assert equivalent_penalty(X, y, np.zeros(2), "l2") == np.inf
    alpha_max = equivalent_penalty(X, y, np.zeros(2), "l1")
    assert alpha_max == pytest.approx(np.max(np.abs(X.T @ y)) / len(y))
    assert np.all(fit_lasso(X, y, alpha_max * 1.001, fit_intercept=False)[0] == 0.0)


def test_equivalent_penalty_bad_shapes(problem):
    X, y = problem
    with pytest.raises(ValueError, match="shapes"):
        equivalent_penalty(X, y, np.zeros(3), "l2")
    with pytest.raises(ValueError, match="norm"):
        equivalent_penalty(X, y, np.zeros(2), "linf")


# --------------------------------------------------------------------------- #
# draw_constraint_geometry
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("radius", [0.3, 0.6, 0.9])
def test_drawn_optima_lie_on_the_boundary_and_l1_has_a_zero(problem, radius):
    X, y = problem
    picture = draw_constraint_geometry(X, y, radius)
    ax = picture.ax
    w_l1 = drawn_marker(ax, "optimum-l1")
    w_l2 = drawn_marker(ax, "optimum-l2")
    # on the boundary of its own region
    assert np.abs(w_l1).sum() == pytest.approx(radius, rel=1e-8)
    assert np.linalg.norm(w_l2) == pytest.approx(radius, rel=1e-8)
    # the diamond is touched at a corner: one weight exactly zero; the disc only shrinks
    assert np.count_nonzero(w_l1 == 0.0) == 1 and w_l1[0] > 0
    assert np.all(w_l2 > 0)
    assert picture.n_zero("l1") == 1 and picture.n_zero("l2") == 0
    # what is drawn is what course.linear computes
    np.testing.assert_array_equal(w_l1, constrained_optimum(X, y, radius, "l1"))
    np.testing.assert_array_equal(w_l2, constrained_optimum(X, y, radius, "l2"))
    np.testing.assert_array_equal(picture.optima["l1"], w_l1)


@pytest.mark.parametrize("norm", ["l1", "l2"])
def test_the_touching_contour_is_the_lowest_error_on_the_boundary(problem, norm):
    X, y = problem
    picture = draw_constraint_geometry(X, y, 0.7, norms=(norm,))
    boundary_errors = sse(X, y, ball_boundary(0.7, norm, n_points=20_001))
    assert picture.errors[norm] <= boundary_errors.min() + 1e-9
    assert picture.errors[norm] == pytest.approx(boundary_errors.min(), rel=1e-5)
    assert picture.errors[norm] > picture.error_ols
    assert picture.active[norm]


def test_large_radius_gives_least_squares_and_l1_leaves_the_corner(problem):
    X, y = problem
    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    big = 1.01 * np.abs(w_ols).sum()
    picture = draw_constraint_geometry(X, y, big)
    np.testing.assert_allclose(drawn_marker(picture.ax, "optimum-l1"), w_ols, atol=1e-12)
    np.testing.assert_allclose(drawn_marker(picture.ax, "optimum-l2"), w_ols, atol=1e-12)
    assert not picture.active["l1"] and not picture.active["l2"]
    assert picture.penalties["l2"] == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(drawn_marker(picture.ax, "least-squares"), w_ols)
    # between the two norms of ŵ: the disc already holds ŵ, the diamond still binds with no zero
    mid = 0.5 * (np.linalg.norm(w_ols) + np.abs(w_ols).sum())
    picture = draw_constraint_geometry(X, y, mid)
    assert not picture.active["l2"] and picture.active["l1"]
    assert picture.n_zero("l1") == 0


def test_draw_uses_given_axes_and_limits(problem):
    X, y = problem
    fig, ax = plt.subplots()
    picture = draw_constraint_geometry(X, y, 0.5, ax=ax, limits=((-3, 3), (-2, 4)), legend=False, title="t")
    assert picture.ax is ax
    assert ax.get_xlim() == (-3.0, 3.0) and ax.get_ylim() == (-2.0, 4.0)
    assert ax.get_title() == "t" and ax.get_legend() is None
    assert isinstance(picture, ConstraintPicture)


def test_default_frame_holds_origin_ball_and_least_squares(problem):
    X, y = problem
    picture = draw_constraint_geometry(X, y, 1.0)
    (x0, x1), (y0, y1) = picture.ax.get_xlim(), picture.ax.get_ylim()
    for px, py in [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), tuple(picture.w_ols)]:
        assert x0 < px < x1 and y0 < py < y1


@pytest.mark.parametrize(
    "args, kwargs, exc, name",
    [
        ((np.ones((10, 3)), np.ones(10), 1.0), {}, ValueError, "2 columns"),
        ((np.ones((10, 2)), np.ones(9), 1.0), {}, ValueError, "y"),
        ((np.ones((10, 2)), np.ones(10), 1.0), {}, ValueError, "independent"),
        ((None, None, -1.0), {}, ValueError, "radius"),
        ((None, None, 1.0), {"norms": "l1"}, TypeError, "norms"),
        ((None, None, 1.0), {"norms": ("l1", "l1")}, ValueError, "norms"),
        ((None, None, 1.0), {"norms": ("l0",)}, ValueError, "norms"),
        ((None, None, 1.0), {"limits": ((1, 0), (0, 1))}, ValueError, "limits"),
        ((None, None, 1.0), {"limits": 3}, TypeError, "limits"),
    ],
)
def test_draw_bad_arguments(problem, args, kwargs, exc, name):
    X, y = problem
    a = (X if args[0] is None else args[0], y if args[1] is None else args[1], args[2])
    with pytest.raises(exc, match=name):
        draw_constraint_geometry(*a, **kwargs)


# --------------------------------------------------------------------------- #
# plot_coefficient_paths
# --------------------------------------------------------------------------- #
def test_paths_draw_one_line_per_weight_and_count_nonzeros():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 6))
    truth = np.array([3.0, -2.0, 0.0, 0.0, 1.0, 0.0])
    y = X @ truth + 0.5 * rng.standard_normal(40)
    alphas = np.logspace(-3, 1, 25)
    coefs = lasso_path(X, y, alphas)
    fig = plot_coefficient_paths(alphas, coefs, true_coef=truth)
    ax = fig.axes[0]
    paths = [line for line in ax.get_lines() if len(line.get_xdata()) == len(alphas)]
    assert len(paths) == 6
    assert ax.get_xscale() == "log"
    first, last = (int(np.count_nonzero(coefs[i])) for i in (0, -1))
    assert ax.get_title() == f"non-zero weights: {first} at small λ → {last} at large λ"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["w1", "w2", "w5"]
    fig2 = plot_coefficient_paths(alphas, ridge_path(X, y, alphas), title="ridge")
    assert fig2.axes[0].get_title() == "ridge"


@pytest.mark.parametrize(
    "alphas, coefs, kwargs, exc, name",
    [
        (np.array([0.0, 1.0]), np.zeros((2, 3)), {}, ValueError, "alphas"),
        (np.array([0.1, 1.0]), np.zeros((3, 3)), {}, ValueError, "coefs"),
        (np.array([0.1, 1.0]), np.zeros(2), {}, ValueError, "coefs"),
        (np.array([0.1, 1.0]), np.zeros((2, 3)), {"true_coef": np.zeros(2)}, ValueError, "true_coef"),
    ],
)
def test_paths_bad_arguments(alphas, coefs, kwargs, exc, name):
    with pytest.raises(exc, match=name):
        plot_coefficient_paths(alphas, coefs, **kwargs)


# --------------------------------------------------------------------------- #
# ConstraintExplorer (no browser needed)
# --------------------------------------------------------------------------- #
def test_explorer_slider_moves_the_optimum_and_redraws(problem):
    X, y = problem
    explorer = ConstraintExplorer(X, y, radius=0.5)
    assert explorer.slider.continuous_update is False
    first_png = explorer.image.value
    assert first_png[:8] == b"\x89PNG\r\n\x1a\n"
    first = explorer.picture
    assert first.radius == 0.5 and first.n_zero("l1") == 1
    assert "exactly 0" in explorer.status.value

    picture = explorer.set_radius(1.5)
    assert explorer.slider.value == 1.5
    assert picture is explorer.picture and picture is not first
    assert explorer.image.value != first_png
    assert np.abs(picture.optima["l1"]).sum() == pytest.approx(1.5, rel=1e-8)
    assert picture.n_zero("l1") == 0  # past the corner region
    assert "exactly 0" not in explorer.status.value


def test_explorer_drag_is_the_same_as_set_radius(problem):
    X, y = problem
    explorer = ConstraintExplorer(X, y, radius=0.5)
    explorer.slider.value = 0.8  # what the browser does on release
    np.testing.assert_array_equal(explorer.picture.optima["l1"], constrained_optimum(X, y, 0.8, "l1"))
    np.testing.assert_array_equal(explorer.picture.optima["l2"], constrained_optimum(X, y, 0.8, "l2"))
    before = explorer.image.value
    explorer.set_radius(0.8)  # same value: redraws, same picture
    assert explorer.image.value == before


def test_explorer_keeps_its_frame_and_range(problem):
    X, y = problem
    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    explorer = ConstraintExplorer(X, y)
    # just past ŵ's L1 norm (ŵ then fits inside both regions), rounded up to the slider's step
    assert 1.1 * np.abs(w_ols).sum() <= explorer.slider.max < 1.1 * np.abs(w_ols).sum() + explorer.step
    assert explorer.slider.max / explorer.step == pytest.approx(round(explorer.slider.max / explorer.step))
    frame = (explorer._ax.get_xlim(), explorer._ax.get_ylim())
    explorer.set_radius(0.2)
    assert (explorer._ax.get_xlim(), explorer._ax.get_ylim()) == frame
    explorer.set_radius(explorer.radius_max)
    assert not explorer.picture.active["l1"]


def test_explorer_bad_arguments(problem):
    X, y = problem
    explorer = ConstraintExplorer(X, y, radius=0.5, radius_max=2.0)
    with pytest.raises(ValueError, match="radius"):
        explorer.set_radius(2.5)
    with pytest.raises(ValueError, match="radius"):
        explorer.set_radius(0.0)
    with pytest.raises(ValueError, match="radius"):
        ConstraintExplorer(X, y, radius=3.0, radius_max=2.0)
    with pytest.raises(ValueError, match="step"):
        ConstraintExplorer(X, y, step=0.0)
    with pytest.raises(ValueError, match="step"):
        ConstraintExplorer(X, y, step=3.0, radius_max=2.0)
    with pytest.raises(ValueError, match="norms"):
        ConstraintExplorer(X, y, norms=("l3",))


def test_explorer_with_one_norm(problem):
    X, y = problem
    explorer = ConstraintExplorer(X, y, radius=0.6, norms=("l1",))
    assert list(explorer.picture.optima) == ["l1"]
    assert "L2" not in explorer.status.value
    gids = {line.get_gid() for line in explorer._ax.get_lines()}
    assert "optimum-l1" in gids and "optimum-l2" not in gids
    assert isinstance(explorer._ax.get_lines()[0], Line2D)


# --------------------------------------------------------------------------- #
# the same pictures in Japanese (English is the default, checked above)
# --------------------------------------------------------------------------- #
def test_english_legend_wording(problem):
    X, y = problem
    fig, ax = plt.subplots()
    draw_constraint_geometry(X, y, 0.5, ax=ax)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] == "contours of the squared error E(w)" and texts[1].startswith("least squares $\\hat{w}$ (")
    assert "L2 (ridge) disc: ‖w‖₂ ≤ 0.50" in texts and "L1 (lasso) diamond: ‖w‖₁ ≤ 0.50" in texts
    assert ax.get_title() == "constraint radius r = 0.50"


def test_japanese_titles_legends_and_status(problem):
    from course.i18n import set_language

    X, y = problem
    set_language("ja")  # tests/conftest.py switches back to English afterwards
    fig, ax = plt.subplots()
    draw_constraint_geometry(X, y, 0.5, ax=ax)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] == "二乗誤差 E(w) の等高線" and texts[1].startswith("最小二乗解 $\\hat{w}$ (")
    assert "L1（ラッソ回帰）のひし形: ‖w‖₁ ≤ 0.50" in texts and any(t.startswith("L2（リッジ回帰）の最適解") for t in texts)
    assert ax.get_title() == "制約の半径 r = 0.50"
    alphas = np.logspace(-3, 1, 5)
    paths = plot_coefficient_paths(alphas, lasso_path(X, y, alphas), true_coef=np.array([1.5, 0.0]))
    assert paths.axes[0].get_xlabel() == "λ（正則化の強さ、対数目盛）" and paths.axes[0].get_ylabel() == "係数"
    assert paths.axes[0].get_title().startswith("0 でない重み") and paths.axes[0].get_legend().get_title().get_text() == "本当は 0 でない重み"
    explorer = ConstraintExplorer(X, y, radius=0.5)
    assert explorer.slider.description == "半径 r"
    assert "L1（ラッソ回帰）" in explorer.status.value and "個の重みがちょうど 0" in explorer.status.value
    explorer.set_radius(explorer.radius_max)
    assert "λ = 0（制約が効いていない）" in explorer.status.value
