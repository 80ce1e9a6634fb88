"""The static site (``python -m course.site``): every page of both editions, offline, explorers that work.

One build of the ``COURSE_FAST`` site per module, into a temporary folder:
the two playground notebooks (``09_playground``, one per edition) are
executed and every other notebook is rendered unexecuted, since nbval already
executes each of them in this test run.  The browser test serves the build
with a plain ``http.server`` on 127.0.0.1, opens it in Debian's Chromium with
every request to another host refused and recorded, moves λ and dropout in
both playgrounds' kernel-free explorers, and searches the Japanese edition.

The JupyterLab defaults the course ships (``jupyterlab-settings/``: no news
pop-up) are checked here too, through JupyterLab's own reader of them.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest

from browser_support import ARTIFACTS, ROOT, chromium_browser, require_browser, serve_folder
from course.site import build_site
from course.site.notebooks import (
    EDITIONS, cached, execute, explorer_settings, explorer_static, make_static, notebook_names,
)

PLAYGROUND = "09_playground"
NOTEBOOK_STEMS = {edition: [Path(n).stem for n in notebook_names(edition)] for edition in EDITIONS}


def _explorer_cells(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and explorer_settings(c.source) is not None)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The COURSE_FAST site, built once: ``(report, out folder)``."""
    folder = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_FAST", "1")
        report = build_site(folder / "html", folder / "work", jobs=2, execute={PLAYGROUND})
    return report, folder / "html"


def _page(out: Path, edition: str, stem: str) -> Path:
    return (out if edition == "en" else out / "ja") / f"{stem}.html"


# -- pieces that need no build ---------------------------------------------------------------------------


def test_explorer_settings_keeps_the_literal_keywords_only():
    source = ('explorer = TrainingExplorer(\n    show=["weight_decay_lambda", "epochs"],\n'
              '    regularization="l1", weight_decay_lambda=0.004, use_dropout=True, epochs=pick(201, 31),\n)\nexplorer')
    assert explorer_settings(source) == {"show": ["weight_decay_lambda", "epochs"], "regularization": "l1",
                                         "weight_decay_lambda": 0.004, "use_dropout": True}
    assert explorer_settings("from course.explorer import TrainingExplorer\nx = 1") is None
    assert explorer_settings("%matplotlib inline") is None  # a magic is no explorer, and no crash


def test_make_static_replaces_widgets_by_the_placeholder():
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    widget = {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "VBox()"}
    explorer = nbformat.v4.new_code_cell("e = TrainingExplorer(weight_decay_lambda=0.1)\ne", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
        nbformat.v4.new_output("display_data", data=widget),
    ])
    progress = nbformat.v4.new_code_cell("run()", outputs=[nbformat.v4.new_output("display_data", data=widget)])
    assert make_static(nb, "ja") == 0  # no cells yet
    nb.cells = [explorer, progress]
    assert make_static(nb, "ja") == 1
    assert "widgets" not in nb.metadata
    assert progress.outputs == []
    assert [o.output_type for o in explorer.outputs] == ["stream", "display_data"]
    html = explorer.outputs[-1]["data"]["text/html"]
    assert 'data-lang="ja"' in html and "weight_decay_lambda" in html


def test_a_failing_notebook_stops_or_is_shown_but_never_reused(tmp_path):
    source = tmp_path / "broken.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('before')\n1 / 0")]), source)
    target = tmp_path / "executed" / "broken.ipynb"
    with pytest.raises(Exception, match="ZeroDivisionError"):
        execute(str(source), str(target), "key", str(tmp_path), 60, {})
    assert not cached(target, "key")
    assert execute(str(source), str(target), "key", str(tmp_path), 60, {}, allow_errors=True) is False
    assert target.exists() and not cached(target, "key"), "an executed copy with an error must not be reused"
    outputs = nbformat.read(target, as_version=4).cells[0].outputs
    assert [o.output_type for o in outputs] == ["stream", "error"]


def test_build_site_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="execute"):
        build_site(tmp_path / "html", execute={"99_no_such_notebook"})
    with pytest.raises(ValueError, match="jobs"):
        build_site(tmp_path / "html", jobs=0)
    assert not (tmp_path / "html").exists()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    with pytest.raises(ValueError, match="out must be"):
        build_site(tmp_path / "notes", execute=set())
    assert (tmp_path / "notes" / "mine.txt").exists()


# -- the built site ----------------------------------------------------------------------------------------


def test_every_notebook_of_both_editions_has_its_page(site):
    report, out = site
    assert (out / "index.html").exists() and (out / "ja" / "index.html").exists()
    for edition, stems in NOTEBOOK_STEMS.items():
        assert stems, f"no notebooks found for {edition}"
        index = (out if edition == "en" else out / "ja").joinpath("index.html").read_text(encoding="utf-8")
        for stem in stems:
            page = _page(out, edition, stem)
            assert page.exists(), f"{edition}: no page for {stem}"
            assert f'href="{stem}.html"' in index, f"{edition}: the table of contents misses {stem}"
    assert sorted(report.executed) == [f"en/{PLAYGROUND}.ipynb", f"ja/{PLAYGROUND}.ipynb"]
    assert report.size_bytes < 50 * 2**20


def test_pages_are_in_their_language_and_switch_edition(site):
    _, out = site
    for edition, stems in NOTEBOOK_STEMS.items():
        other = "ja" if edition == "en" else "en"
        for stem in ["index", *stems]:
            page = _page(out, edition, stem)
            text = page.read_text(encoding="utf-8")
            assert re.search(rf'<html[^>]*lang="{edition}"', text), f"{page}: not marked {edition}"
            link = re.search(r'<a class="[^"]*edition-switch[^"]*" href="([^"]+)"[^>]*hreflang="(\w+)"', text)
            assert link, f"{page}: no edition switch"
            assert link.group(2) == other
            assert (page.parent / link.group(1)).resolve() == _page(out, other, stem).resolve()
    # the theme's own labels follow the edition (Sphinx's Japanese catalogue)
    assert "検索" in (out / "ja" / "index.html").read_text(encoding="utf-8")


class _Resources(HTMLParser):
    """Every URL a page loads by itself: scripts, stylesheets, images, frames, media."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href") and set((attrs.get("rel") or "").split()) & {
                "stylesheet", "preload", "icon", "modulepreload", "prefetch"}:
            self.urls.append(attrs["href"])


def test_nothing_is_loaded_from_another_host(site):
    _, out = site
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 2 * (len(NOTEBOOK_STEMS["en"]) + 1)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = _Resources()
        parser.feed(text)
        remote = [u for u in parser.urls if urlsplit(u).scheme or u.startswith("//")]
        assert not remote, f"{page.relative_to(out)} loads {remote}"
        assert "embed-amd" not in text and "require.min.js" not in text, f"{page}: widget JavaScript"
        assert "widget-view+json" not in text, f"{page}: a dead widget view"


def test_explorers_become_kernel_free_placeholders(site):
    _, out = site
    shipped = [p.relative_to(explorer_static()) for p in explorer_static().rglob("*") if p.is_file()]
    assert any(p.name == "explorer.js" for p in shipped)
    for edition, folder in EDITIONS.items():
        static = (out if edition == "en" else out / "ja") / "_static"
        for path in shipped:
            assert (static / path).is_file(), f"{edition}: _static/{path} missing"
        for stem in NOTEBOOK_STEMS[edition]:
            expected = _explorer_cells(folder / f"{stem}.ipynb")
            text = _page(out, edition, stem).read_text(encoding="utf-8")
            assert text.count('class="course-explorer"') == expected, f"{edition}/{stem}"
            assert f'data-lang="{edition}"' in text or expected == 0
            assert "_static/explorer.js" in text


def test_math_renders_from_the_site_itself(site):
    _, out = site
    with_math = [p for p in out.rglob("*.html") if 'class="math' in p.read_text(encoding="utf-8")]
    assert with_math, "no page shows math; the notebooks do"
    for page in with_math:
        text = page.read_text(encoding="utf-8")
        assert re.search(r'<script[^>]*src="(\.\./)*_static/mathjax/tex-chtml\.js', text), page
    for edition_root in (out, out / "ja"):
        assert (edition_root / "_static" / "mathjax" / "tex-chtml.js").is_file()
        assert any((edition_root / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))


def test_japanese_search_index_splits_japanese_words(site):
    _, out = site
    script = (out / "ja" / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(script[script.index("(") + 1:script.rindex(")")])["terms"]
    assert {"過学習", "正則化"} <= set(terms), "Japanese words are not in the search index as words"


# -- the JupyterLab defaults the course ships --------------------------------------------------------------


def test_jupyterlab_defaults_turn_the_news_off(tmp_path):
    """JupyterLab reads ``<prefix>/share/jupyter/lab/settings/overrides.d/*.json``; requirements.txt installs it."""
    from jupyterlab_server.settings_utils import _get_overrides

    overrides, error = _get_overrides(str(_install_jupyterlab_settings(tmp_path)))
    assert not error
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert overrides["@jupyterlab/apputils-extension:notification"]["checkForUpdates"] is False
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "./jupyterlab-settings" in [line.split("#")[0].strip() for line in requirements]


def _install_jupyterlab_settings(prefix: Path) -> Path:
    """Lay out ``jupyterlab-settings/``'s data files under ``prefix`` as pip does; returns its app settings dir."""
    package = ROOT / "jupyterlab-settings"
    pyproject = (package / "pyproject.toml").read_text(encoding="utf-8")
    section = pyproject.split("[tool.setuptools.data-files]", 1)[1].split("\n[", 1)[0]
    entries = re.findall(r'^"([^"]+)"\s*=\s*\[([^\]]*)\]', section, flags=re.M)  # tomllib is 3.11+
    assert entries, "jupyterlab-settings/pyproject.toml installs no data files"
    for target, sources in entries:
        (prefix / target).mkdir(parents=True, exist_ok=True)
        for source in re.findall(r'"([^"]+)"', sources):
            shutil.copy(package / source, prefix / target)
    return prefix / "share" / "jupyter" / "lab" / "settings"


@pytest.mark.browser
def test_jupyterlab_first_run_shows_no_news_toast(tmp_path):
    """JupyterLab with the shipped defaults and a learner's empty settings: no news question, news off."""
    require_browser()
    from browser_support import chromium_page, run_server

    app_settings = _install_jupyterlab_settings(tmp_path)
    with run_server("lab", extra_args=(f"--LabApp.app_settings_dir={app_settings}",), silence_news=False) as server:
        with urllib.request.urlopen(server.url("lab/api/settings/@jupyterlab/apputils-extension:notification"),
                                    timeout=30) as resp:
            schema = json.loads(resp.read())["schema"]["properties"]
        assert schema["fetchNews"]["default"] == "false" and schema["checkForUpdates"]["default"] is False
        with chromium_page() as page:
            page.goto(server.url("lab/tree/01_overfitting.ipynb"))
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=90_000)
            page.evaluate("() => window.jupyterapp.restored")
            # the announcements plugin asks right after the app is restored, once it has read the setting
            page.wait_for_timeout(3000)
            toasts = page.locator(".Toastify__toast").all_inner_texts()
    assert not [t for t in toasts if "news" in t.lower()], toasts


# -- in a real browser --------------------------------------------------------------------------------------

SNAPSHOT_JS = """
(root) => [...root.querySelectorAll('canvas, svg')]
  .map(el => el.tagName === 'CANVAS' ? el.toDataURL() : el.outerHTML).join('|')
"""

# The index of the first control (range input or select) whose label matches the pattern: the label
# element, aria-label, name or the text around it, so it works for any explorer's markup.
FIND_CONTROL_JS = """
([root, pattern, kinds]) => {
  const re = new RegExp(pattern, 'i');
  const controls = [...root.querySelectorAll(kinds)];
  return controls.findIndex(el => {
    const text = [...(el.labels || [])].map(l => l.textContent).join(' ') + ' ' +
      (el.getAttribute('aria-label') || '') + ' ' + (el.name || '') + ' ' + (el.id || '') + ' ' +
      (el.closest('label') ? el.closest('label').textContent : '') + ' ' +
      (el.parentElement ? el.parentElement.textContent : '');
    return re.test(text);
  });
}
"""


def _move(page, root, pattern: str) -> None:
    """Move the explorer's control whose label matches ``pattern`` one step, as a learner would."""
    checkbox = page.evaluate(FIND_CONTROL_JS, [root.element_handle(), pattern, "input[type=checkbox]"])
    if checkbox >= 0:  # e.g. "use dropout": switch it on first, so its ratio has an effect
        box = root.locator("input[type=checkbox]").nth(checkbox)
        if not box.is_checked():
            box.check()
    index = page.evaluate(FIND_CONTROL_JS, [root.element_handle(), pattern, "input[type=range], select"])
    assert index >= 0, f"the explorer has no control labelled /{pattern}/"
    control = root.locator("input[type=range], select").nth(index)
    if control.evaluate("el => el.tagName") == "SELECT":
        options = control.evaluate("el => [...el.options].map(o => o.value)")
        current = control.input_value()
        control.select_option(options[(options.index(current) + 1) % len(options)])
    else:
        before = control.input_value()
        control.focus()
        page.keyboard.press("ArrowRight")
        if control.input_value() == before:  # it was at its maximum
            page.keyboard.press("ArrowLeft")


def _redrawn(page, root, before: str, what: str) -> str:
    try:
        page.wait_for_function("([root, before]) => (" + SNAPSHOT_JS + ")(root) !== before",
                               arg=[root.element_handle(), before], timeout=15_000)
    except Exception as exc:
        raise AssertionError(f"the explorer did not redraw after moving {what}") from exc
    return root.evaluate(SNAPSHOT_JS)


@pytest.mark.browser
def test_site_in_chromium_offline(site):
    require_browser()
    _, out = site
    with serve_folder(out) as base, chromium_browser() as browser:
        host = urlsplit(base).netloc
        refused: list[str] = []
        failed: list[str] = []
        errors: list[str] = []
        context = browser.new_context(viewport={"width": 1300, "height": 1000})

        def route(r):
            if urlsplit(r.request.url).netloc == host:
                r.continue_()
            else:
                refused.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        try:
            for edition in EDITIONS:
                url = urljoin(base, ("" if edition == "en" else "ja/") + f"{PLAYGROUND}.html")
                page.goto(url, wait_until="load")
                root = page.locator(".course-explorer").first
                root.wait_for(timeout=15_000)
                page.wait_for_function("(root) => (" + SNAPSHOT_JS + ")(root).length > 0",
                                       arg=root.element_handle(), timeout=15_000)
                first = root.evaluate(SNAPSHOT_JS)
                _move(page, root, "λ|lambda")
                after_lambda = _redrawn(page, root, first, "λ")
                _move(page, root, "dropout|ドロップアウト")
                _redrawn(page, root, after_lambda, "dropout")
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"site-playground-{edition}.png"))
                switch = page.locator("a.edition-switch").first
                assert switch.get_attribute("hreflang") == ("ja" if edition == "en" else "en")

            # math is typeset by the site's own MathJax
            math_page = next(p for p in sorted(out.glob("*.html")) if 'class="math' in p.read_text(encoding="utf-8"))
            page.goto(urljoin(base, math_page.name), wait_until="load")
            page.locator("mjx-container").first.wait_for(timeout=20_000)

            # Japanese search finds a Japanese word
            page.goto(urljoin(base, "ja/search.html?q=" + "過学習"), wait_until="load")
            page.locator("#search-results li").first.wait_for(timeout=20_000)
            assert page.locator("#search-results li").count() >= 1
        finally:
            context.close()
    assert not refused, f"requests to other hosts: {refused}"
    assert not failed, f"missing files: {failed}"
    assert not errors, "\n".join(errors)
