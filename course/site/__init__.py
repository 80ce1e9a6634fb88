"""The course as a static site: both editions, every notebook executed, explorers that need no kernel.

Build it from the repository's root folder (offline: the theme, MathJax and
the explorer come from installed packages)::

    python -m course.site              # -> _build/html/index.html (English), _build/html/ja/ (日本語)
    COURSE_FAST=1 python -m course.site  # the same site from the fast settings

Open ``_build/html/index.html`` through any static file server, e.g.
``python -m http.server -d _build/html``.  Options: ``--out``, ``--jobs``,
``--execute 09_playground`` (execute only those notebooks; the rest show their
code).  Executed notebooks are kept in ``_build/html-work/`` and reused while
the notebook and the course's code are unchanged.

Pieces: :mod:`course.site.notebooks` (execution and widget outputs),
:mod:`course.site.build` (the two Sphinx builds), ``conf.py`` (Sphinx's
settings and the edition switch), ``standin/`` (the explorer used until
``course.site_explorer`` exists).
"""

from course.site.build import DEFAULT_OUT, SiteReport, build_site

__all__ = ["DEFAULT_OUT", "SiteReport", "build_site"]
