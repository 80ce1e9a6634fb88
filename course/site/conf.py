"""Sphinx settings of the course's site (both editions; ``language`` is set per build by course.site.build).

Offline by construction: the theme is a PyPI package, MathJax is copied from
the ``sphinx-mathjax-offline`` package (only the files a page loads), MyST-NB
loads no widget JavaScript, and the kernel-free explorer's files come from
``course.site_explorer``.
"""

from __future__ import annotations

import shutil
from importlib.metadata import distribution
from pathlib import Path

from course.site.notebooks import explorer_static

HERE = Path(__file__).resolve().parent
# The MathJax files tex-chtml.js loads (fonts, TeX extensions on demand, the menu and its
# accessibility helpers); the rest of the package (other bundles, speech rules) stays out of the site.
MATHJAX_FILES = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "ui")
EDITION_LABEL = {"en": "日本語", "ja": "English"}
EDITION_TITLE = {"en": "このページの日本語版", "ja": "This page in English"}

project = "Overfitting and regularization (過学習と正則化)"
author = "the course's authors"
language = "en"
extensions = ["myst_nb"]
templates_path = [str(HERE / "_templates")]
exclude_patterns = ["**.ipynb_checkpoints"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

nb_execution_mode = "off"  # course.site.build executed the notebooks already
nb_ipywidgets_js = {}  # no widget manager from a CDN: explorers are kernel-free placeholders
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = [str(explorer_static()), str(HERE / "static")]
html_js_files = ["explorer.js"]
html_css_files = ["explorer.css", "site.css"]
html_context = {"default_mode": "auto"}  # the theme logs an error for an empty mode (a fresh visitor)
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "article_header_end": ["edition-switch.html", "article-header-buttons.html"],
}


def _edition_switch(app, pagename, templatename, context, doctree) -> None:
    """The same page in the other edition: ``ja/<page>.html`` from English, ``../<page>.html`` back."""
    lang = app.config.language
    up = "../" * pagename.count("/")
    target = f"{up}ja/{pagename}.html" if lang == "en" else f"{up}../{pagename}.html"
    context["other_edition_url"] = target
    context["other_edition_lang"] = "ja" if lang == "en" else "en"
    context["other_edition_label"] = EDITION_LABEL[lang]
    context["other_edition_title"] = EDITION_TITLE[lang]


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    package = Path(distribution("sphinx-mathjax-offline").locate_file("sphinx-mathjax-offline/static/mathjax"))
    target = Path(app.outdir) / "_static" / "mathjax"
    for name in MATHJAX_FILES:
        source = package / name
        if source.is_dir():
            shutil.copytree(source, target / name, dirs_exist_ok=True)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def setup(app) -> None:
    app.connect("html-page-context", _edition_switch)
    app.connect("build-finished", _copy_mathjax)
