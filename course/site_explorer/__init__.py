"""The kernel-free explorer: the live explorer's λ and dropout levers on a static page, no Python needed.

Wherever a notebook shows ``course.explorer.TrainingExplorer``, the static site
shows this instead: the same two panels (train and test accuracy; the data loss
of both sets with the penalty apart, on a log scale), the mean of the stored
seeds with a ±1 sd band, and the status line, drawn by ``static/explorer.js``
from a precomputed grid of the lecture's runs (:mod:`course.site_explorer.grid`,
rebuilt by ``python -m course.site_explorer.build_grid``).

For a page (the site copies :data:`STATIC` into its ``_static/`` as it is)::

    from course.site_explorer import placeholder_html, ASSETS
    html = placeholder_html("ja", {"regularization": "l1", "weight_decay_lambda": 0.004,
                                   "use_dropout": True, "dropout_ratio": 0.08})

The page loads ``explorer.css`` and ``explorer.js`` (:data:`ASSETS`) once; the
script finds ``grid.json`` and ``grid.bin`` next to itself and turns every
placeholder into an explorer on DOMContentLoaded.  The words come from the
course's catalogues (``course.i18n``), written into each placeholder here.
``python -m course.site_explorer.demo`` serves a page with one explorer per language.
"""

from __future__ import annotations

import html
import json
from typing import Any

from course.i18n import CATALOGUES, LANGUAGES
from course.site_explorer.grid import STATIC, snap_settings

__all__ = ["placeholder_html", "messages", "ASSETS", "STATIC", "MESSAGE_KEYS"]

ASSETS = ("explorer.css", "explorer.js")
"""What a page that shows explorers loads from the copied :data:`STATIC` folder."""

MESSAGE_KEYS = (
    "explorer.label.regularization", "explorer.tip.regularization",
    "explorer.choice.none", "explorer.choice.l2", "explorer.choice.l1",
    "explorer.tip.weight_decay_lambda",
    "explorer.label.use_dropout", "explorer.tip.use_dropout",
    "explorer.label.dropout_ratio", "explorer.tip.dropout_ratio",
    "explorer.axis.epoch", "explorer.axis.accuracy", "explorer.axis.loss",
    "explorer.legend.train", "explorer.legend.test", "explorer.legend.band",
    "explorer.legend.train_data_loss", "explorer.legend.test_data_loss", "explorer.legend.penalty",
    "explorer.status.epoch", "explorer.status.seeds", "explorer.note.lambda_no_effect",
)
"""The catalogue entries the page shows (the λ slider is labelled "λ" alone: 荷重減衰 is L2's name only)."""


def _status_numbers(language: str) -> str:
    """The live status line's numbers, with the gap named as the glossary names it.

    The catalogue's ``explorer.status.numbers`` is used as it is, except for its
    gap segment, which is rebuilt from ``seeds.name_gap`` (ギャップ, not 差).
    """
    catalogue = CATALOGUES[language]
    segments = catalogue["explorer.status.numbers"].split(" · ")
    return " · ".join(f"{catalogue['seeds.name_gap']} {{gap}}" if "{gap}" in part else part for part in segments)


def messages(lang: str) -> dict[str, str]:
    """The words one explorer shows in ``lang`` (``'en'`` or ``'ja'``), by catalogue key."""
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    words = {key: CATALOGUES[lang][key] for key in MESSAGE_KEYS}
    words["status.numbers"] = _status_numbers(lang)
    return words


def placeholder_html(lang: str, settings: dict[str, Any] | None = None) -> str:
    """The HTML of one explorer in ``lang`` (``'en'`` or ``'ja'``), starting at ``settings``.

    ``settings`` takes the live explorer's keywords (``regularization``,
    ``weight_decay_lambda``, ``use_dropout``, ``dropout_ratio``); other keys are
    ignored and values are snapped to the grid
    (:func:`course.site_explorer.grid.snap_settings`).
    """
    words = messages(lang)
    start = snap_settings({k: v for k, v in (settings or {}).items()
                           if k in ("regularization", "weight_decay_lambda", "use_dropout", "dropout_ratio")}
                          if isinstance(settings, dict) else settings)

    def attr(value: Any) -> str:
        return html.escape(json.dumps(value, ensure_ascii=False), quote=True)

    return (f'<div class="course-explorer" lang="{lang}" data-lang="{lang}" data-settings="{attr(start)}" '
            f'data-messages="{attr(words)}"></div>')
