"""The language of everything a learner reads on screen: English (default) or Japanese.

One notebook cell picks it (``set_language("ja")``); widgets, status lines,
grader feedback, progress text and plot labels then look their words up with
:func:`t`.  The words live in one catalogue per language,
:mod:`course.i18n.locale_en` and :mod:`course.i18n.locale_ja`, with the same keys
(``tests/test_i18n.py`` checks that they match, placeholders included).
Exceptions meant for programmers (``ValueError`` and friends) stay English.
"""

from __future__ import annotations

from typing import Any

from . import locale_en
from . import locale_ja

LANGUAGES = ("en", "ja")
CATALOGUES: dict[str, dict[str, str]] = {"en": locale_en.MESSAGES, "ja": locale_ja.MESSAGES}
JAPANESE_FONT = "IPAexGothic"
"""The family ``matplotlib-fontja`` ships (``ipaexg.ttf``)."""

_language = "en"
_font_family_before: list[str] | None = None  # matplotlib's font.family before Japanese took over


def set_language(language: str) -> None:
    """Show every message in ``language`` (``'en'`` or ``'ja'``) from now on.

    Japanese also loads a Japanese font for matplotlib (``matplotlib-fontja``),
    so plot titles and labels never show empty boxes.
    """
    global _language
    if not isinstance(language, str) or language.lower() not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    _language = language.lower()
    if _language == "ja":
        use_japanese_font()
    else:
        use_default_font()


def get_language() -> str:
    """The current language code, ``'en'`` or ``'ja'``."""
    return _language


def t(key: str, **fields: Any) -> str:
    """The message ``key`` in the current language, with ``{placeholders}`` filled from ``fields``."""
    try:
        text = CATALOGUES[_language][key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the {_language!r} catalogue (course/i18n/locale_{_language}.py)") from None
    return text.format(**fields) if fields else text


def use_japanese_font() -> None:
    """Make matplotlib draw with the Japanese font that ``matplotlib-fontja`` ships (IPAex Gothic).

    The previous families stay behind it in ``font.family``: IPAex Gothic has
    no ``₁`` or ``≤``, and matplotlib (>= 3.6) takes each glyph a font
    lacks from the next family in the list (DejaVu Sans by default).
    """
    global _font_family_before
    import matplotlib

    # Read before the import below: its first run sets font.family to IPAex Gothic alone.
    others = [f for f in matplotlib.rcParams["font.family"] if f != JAPANESE_FONT] or ["sans-serif"]
    import matplotlib_fontja  # noqa: F401  (the first import registers the font file with matplotlib)

    if _font_family_before is None:
        _font_family_before = others
    # Set every time: importing selects the font only once, and rcParams may have been reset since.
    matplotlib.rcParams["font.family"] = [JAPANESE_FONT, *others]


def use_default_font() -> None:
    """Undo :func:`use_japanese_font`: English figures look as they did before Japanese was chosen."""
    global _font_family_before
    if _font_family_before is None:
        return
    import matplotlib

    if list(matplotlib.rcParams["font.family"])[:1] == [JAPANESE_FONT]:
        matplotlib.rcParams["font.family"] = _font_family_before
    _font_family_before = None


def divergence_message(error: BaseException) -> str:
    """``error`` (a :class:`common.trainer.TrainingDiverged`) worded in the current language."""
    what = getattr(error, "what", None)
    if what not in ("loss", "outputs", "weights"):
        return str(error)
    norm = getattr(error, "norm", None)
    part = t(f"trainer.diverged_{what}", norm=f"{norm:.3g}" if norm is not None else "?")
    return t("trainer.diverged", epoch=error.epoch, what=part, lr=error.lr)
