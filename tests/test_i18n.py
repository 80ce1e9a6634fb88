"""Tests for :mod:`course.i18n`: matching catalogues, switching languages, Japanese that really renders in plots."""

from __future__ import annotations

import io
import string
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from course import i18n
from course.i18n import locale_en, locale_ja
from course.i18n import get_language, set_language, t

# Text a learner meets in Japanese figures: kana, kanji, the lecture's terms, and the symbols
# the course's legends use (₁ and ≤ are not in IPAex Gothic: they must come from the fallback font; ŵ is
# drawn as mathtext, $\hat{w}$, because the fallback put the hat beside the w).
JAPANESE_TITLE = "過学習と正則化：L1正則化はスパース推定"
JAPANESE_LABELS = ("荷重減衰 λ（ラムダ）", "テストデータの正解率")
JAPANESE_LEGEND = ("リッジ回帰 ‖w‖₂ ≤ r", "ラッソ回帰 ‖w‖₁ ≤ r", "最小二乗解 $\\hat{w}$")


def placeholders(text: str) -> list[tuple[str, str, str | None]]:
    """The ``{name:spec!conv}`` fields of a message, in order (what ``str.format`` will fill)."""
    return [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None]


# ---------------------------------------------------------------------------
# (a) the two catalogues match
# ---------------------------------------------------------------------------


def test_both_catalogues_have_the_same_keys():
    only_en = sorted(set(locale_en.MESSAGES) - set(locale_ja.MESSAGES))
    only_ja = sorted(set(locale_ja.MESSAGES) - set(locale_en.MESSAGES))
    assert not only_en, f"keys missing from course/i18n/locale_ja.py: {only_en}"
    assert not only_ja, f"keys missing from course/i18n/locale_en.py: {only_ja}"


@pytest.mark.parametrize("key", sorted(locale_en.MESSAGES))
def test_each_message_has_the_same_placeholders_and_is_not_empty(key):
    en, ja = locale_en.MESSAGES[key], locale_ja.MESSAGES.get(key)
    assert isinstance(en, str) and en.strip(), f"{key}: empty English message"
    assert isinstance(ja, str) and ja.strip(), f"{key}: empty or missing Japanese message"
    # Same fields in the same form; the order may differ (Japanese word order is not English's).
    assert sorted(placeholders(en)) == sorted(placeholders(ja)), key
    assert "." in key and key.split(".")[0], f"{key}: keys are 'section.name'"


def test_the_placeholder_check_can_fail():
    assert sorted(placeholders("{a} and {b:.2f}")) != sorted(placeholders("{a} と {b}"))
    assert sorted(placeholders("{b:.2f} で {a}")) == sorted(placeholders("{a} and {b:.2f}"))


# ---------------------------------------------------------------------------
# (b) set_language / t
# ---------------------------------------------------------------------------


def test_english_is_the_default_and_t_switches():
    assert get_language() == "en"  # tests/conftest.py starts every test in English
    assert t("tuning.no_penalty") == "no penalty"
    set_language("ja")
    assert get_language() == "ja" and t("tuning.no_penalty") == "正則化なし"
    set_language("EN")  # case does not matter
    assert get_language() == "en" and t("tuning.no_penalty") == "no penalty"


def test_t_fills_placeholders_in_either_language():
    assert t("tuning.with_dropout", ratio=0.15) == ", dropout 0.15"
    set_language("ja")
    assert t("tuning.with_dropout", ratio=0.15) == "、ドロップアウト 0.15"


@pytest.mark.parametrize("bad", ["fr", "", "japanese", None, 1, ["ja"]])
def test_set_language_rejects_other_values_and_keeps_the_language(bad):
    set_language("ja")
    with pytest.raises(ValueError, match="language must be one of"):
        set_language(bad)
    assert get_language() == "ja"


def test_unknown_key_names_the_catalogue():
    with pytest.raises(KeyError, match="locale_en.py"):
        t("nowhere.nothing")


# ---------------------------------------------------------------------------
# (c) Japanese renders with a real font
# ---------------------------------------------------------------------------


def japanese_figure() -> Figure:
    fig, ax = plt.subplots(figsize=(4, 3))
    for label in JAPANESE_LEGEND:
        ax.plot([0, 1], [0, len(label) % 3], label=label)
    ax.set_title(JAPANESE_TITLE)
    ax.set_xlabel(JAPANESE_LABELS[0])
    ax.set_ylabel(JAPANESE_LABELS[1])
    ax.legend()
    return fig


def render_strictly(fig: Figure) -> bytes:
    """Draw ``fig`` to PNG with Agg; any warning (such as "Glyph … missing from font(s)") is an error."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def fonts_for_text() -> list[str]:
    """The font files matplotlib picks for text under the current rcParams, in fallback order."""
    prop = font_manager.FontProperties(family=matplotlib.rcParams["font.family"])
    return [Path(f).name for f in font_manager.fontManager._find_fonts_by_props(prop)]


def test_japanese_selects_the_shipped_font_with_a_fallback_and_english_restores_the_default():
    before = list(matplotlib.rcParams["font.family"])
    set_language("ja")
    assert matplotlib.rcParams["font.family"][0] == i18n.JAPANESE_FONT
    fonts = fonts_for_text()
    assert fonts[0] == "ipaexg.ttf", fonts  # the file matplotlib-fontja ships, not a system font
    assert len(fonts) >= 2, "no fallback font behind IPAex Gothic for ₁, ŵ, ≤"
    assert Path(font_manager.findfont(i18n.JAPANESE_FONT)).parent.parent.name == "matplotlib_fontja"
    set_language("en")
    assert list(matplotlib.rcParams["font.family"]) == before


def test_japanese_figure_renders_without_missing_glyphs():
    set_language("ja")
    png = render_strictly(japanese_figure())
    assert png.startswith(b"\x89PNG")


def test_the_render_check_catches_a_font_without_japanese():
    # The control: the same figure with matplotlib's default font must warn, or the test above proves nothing.
    set_language("ja")
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        with pytest.raises(UserWarning, match="missing from font"):
            render_strictly(japanese_figure())
    plt.close("all")


def test_japanese_survives_an_rcparams_reset():
    set_language("ja")
    with matplotlib.rc_context():  # put every rcParam back afterwards, for the other tests
        matplotlib.rcdefaults()  # e.g. a style change in a notebook
        set_language("ja")  # the notebook's language cell, run again
        assert fonts_for_text()[0] == "ipaexg.ttf"
        render_strictly(japanese_figure())


# ---------------------------------------------------------------------------
# the course's own Japanese figures render with every glyph
# ---------------------------------------------------------------------------


def _two_weights():
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2)) @ np.array([[1.0, 0.5], [0.0, 0.8]])
    return X, X @ np.array([2.0, 0.7]) + 0.3 * rng.standard_normal(40)


def _japanese_grid():
    """A RegularizationGrid with made-up scores: enough to draw the heat maps without training."""
    import numpy as np

    from course.tuning import RegularizationGrid, Scored

    lambdas, ratios = (0.0, 0.01), (0.0, 0.1)
    runs = {}
    for reg in ("l2", "l1"):
        for i, lam in enumerate(lambdas):
            for j, ratio in enumerate(ratios):
                settings = {"weight_decay_lambda": lam, "regularization": reg, "dropout_ratio": ratio,
                            "use_dropout": ratio > 0}
                runs[(reg, lam, ratio)] = Scored(settings, None, 1.0 - 0.01 * i, {"test": 0.7 + 0.01 * (i + j)},
                                                 {"test": np.ones(3, dtype=bool)})
    return RegularizationGrid(lambdas, ratios, ("l2", "l1"), runs)


def test_course_figures_render_in_japanese():
    from course.exercises import plot_constraint_panels
    from course.geometry_plots import draw_constraint_geometry, plot_coefficient_paths
    from course.linear import lasso_path
    from course.tuning import plot_heatmaps

    import numpy as np

    X, y = _two_weights()
    set_language("ja")
    figures = [plot_constraint_panels(X, y, 1.0, reveal=True)]
    fig, ax = plt.subplots()
    draw_constraint_geometry(X, y, 0.8, ax=ax)
    figures.append(fig)
    alphas = np.logspace(-3, 0, 6)
    figures.append(plot_coefficient_paths(alphas, lasso_path(X, y, alphas), true_coef=np.array([2.0, 0.0])))
    figures.append(plot_heatmaps(_japanese_grid(), mark={"regularization": "l1", "weight_decay_lambda": 0.01,
                                                         "dropout_ratio": 0.1}))
    texts = [text.get_text() for f in figures for text in f.findobj(matplotlib.text.Text)]
    assert any("ひし形" in x for x in texts) and any("等高線" in x for x in texts)
    assert any("係数" == x for x in texts) and any("テストデータの正解率" in x for x in texts)
    assert "講義" in texts
    for fig in figures:
        render_strictly(fig)


def test_scored_label_in_japanese():
    grid = _japanese_grid()
    assert grid.run("l1", 0.01, 0.1).label == "L1 λ=0.01, dropout 0.1"
    set_language("ja")
    assert grid.run("l1", 0.01, 0.1).label == "L1 λ=0.01、ドロップアウト 0.1"
    assert grid.run("l2", 0.0, 0.0).label == "正則化なし"
