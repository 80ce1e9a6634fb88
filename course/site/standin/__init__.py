"""Stand-in for ``course.site_explorer`` until the grid's real package is merged (delete this folder then).

It keeps the contract the site relies on, so the site, its build and its
browser test run before the precomputed grid exists:

- :func:`placeholder_html` returns one ``<div class="course-explorer">`` per
  explorer, carrying the page's language and the cell's literal settings;
- ``static/`` holds ``explorer.js`` (finds every placeholder on
  DOMContentLoaded, reads ``standin-grid.json`` next to its own script URL and
  draws two made-up curves on a canvas that move with λ and dropout_ratio),
  ``explorer.css`` and that data file.

The curves are a drawing exercise, not training results; the page says so.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
LANGUAGES = ("en", "ja")


def placeholder_html(lang: str, settings: dict | None = None) -> str:
    """The HTML of one kernel-free explorer: a ``div`` that ``explorer.js`` fills in.

    ``settings`` are the live explorer's keyword arguments (JSON-able literals);
    the stand-in passes them on in ``data-settings`` and ignores what it cannot
    encode.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    if settings is not None and not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict or None, got {type(settings).__name__}")
    plain = {}
    for key, value in (settings or {}).items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue  # not a literal the page can use
        plain[str(key)] = value
    return (f'<div class="course-explorer" data-lang="{lang}" '
            f'data-settings="{html.escape(json.dumps(plain, ensure_ascii=False), quote=True)}"></div>')
