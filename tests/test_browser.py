"""End-to-end: the explorers work in a real JupyterLab (and as a Voilà app) in headless Chromium.

Unit tests and nbval cannot see a widget that fails to render, a slider that
does nothing or a plot that never updates.  For every English notebook with
a ``TrainingExplorer`` and the Japanese playground (``notebooks/ja/``) this
test opens it in JupyterLab, waits for the kernel, runs all cells, checks
that every cell ran without a traceback or "Error displaying widget", then
moves the λ (and dropout) slider with the keyboard as
a learner would and waits for a new curve and new numbers.  In the playground
it also presses "pin" and checks that the faded reference curves and the pins'
legend appear and that the status line compares with the pin.  In a Japanese
notebook it checks that the page draws the Japanese labels with a font that
has them (not empty boxes).  Screenshots land in ``test-artifacts/``
(``docs/explorer.png`` is refreshed from them when ``UPDATE_SCREENSHOTS=1``).

The explorer's state is read from markers that do not depend on the language:
``data-state`` on the status line (training / done / error), ``data-run`` /
``data-points`` / ``data-done`` on the live curves' SVG, ``data-pin`` in the
pins' legend.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import pytest

from browser_support import (
    ARTIFACTS, NOTEBOOKS, ROOT, chromium_browser, chromium_page, explorer_notebooks, labels_for, move_slider,
    notebook_language, platform_fonts, require_browser, run_server, wait_run_done,
)

pytestmark = pytest.mark.browser

PIN_NOTEBOOK = "09_playground.ipynb"  # the playground: pin, move λ, compare
# Every English explorer notebook, and of the Japanese edition the playground: the editions' code is the
# same cell for cell (tests/test_editions.py), so one Japanese notebook shows the Japanese page (labels,
# status, fonts, pins) and the others would repeat the English checks at ~20 s each.
EXPLORER_NOTEBOOKS = [n for n in explorer_notebooks() if not n.startswith("ja/") or n == f"ja/{PIN_NOTEBOOK}"]
RUN_TIMEOUT_MS = 420_000
# The notebooks whose explorer is about λ or dropout: there the test must move those sliders.
REGULARIZATION_NOTEBOOKS = {"02_weight_decay_l2.ipynb", "03_l1_sparsity.ipynb", "04_dropout.ipynb", "09_playground.ipynb"}
SCREENSHOT_NOTEBOOK = "04_dropout.ipynb"  # the README's picture: λ and dropout sliders, both moved

# What the page reports about the open notebook: per code cell, its execution count and problems.
NOTEBOOK_STATE_JS = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = [];
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') continue;
    const outputs = cell.model.outputs.toJSON();
    const problems = [];
    for (const out of outputs) {
      if (out.output_type === 'error') problems.push(out.ename + ': ' + out.evalue);
      const text = [].concat(out.text || [], (out.data && out.data['text/plain']) || []).join('');
      if (/Traceback \\(most recent call last\\)/.test(text)) problems.push(text.slice(0, 300));
    }
    cells.push({count: cell.model.executionCount, problems: problems,
                source: cell.model.sharedModel.getSource().slice(0, 80)});
  }
  return {kernel: kernel ? kernel.status : null, cells: cells};
}
"""


def _wait_kernel_idle(page, timeout_ms: int = 120_000) -> None:
    # The status bar names the kernel and its state ("Python 3 (ipykernel) | Idle") only once the
    # kernel has really started; the toolbar's execution indicator reads idle before that.
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\|\s*Idle")).wait_for(timeout=timeout_ms)
    page.wait_for_function(
        "() => { const p = window.jupyterapp.shell.currentWidget;"
        " const k = p && p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel;"
        " return !!k && k.status === 'idle'; }",
        timeout=timeout_ms,
    )


def _wait_all_executed(page) -> dict:
    page.wait_for_function(
        f"() => {{ const s = ({NOTEBOOK_STATE_JS})();"
        " return !!s && s.kernel === 'idle' && s.cells.length > 0 && s.cells.every(c => c.count !== null); }",
        timeout=RUN_TIMEOUT_MS,
        polling=500,
    )
    return page.evaluate(NOTEBOOK_STATE_JS)


def _check_pin(page, explorer, stem: str, labels: dict) -> None:
    """Press "pin": the background gains the faded curves, the pins' legend its first entry."""
    plot = explorer.locator(".explorer-plot")
    before = explorer.locator(".explorer-curves").screenshot()
    explorer.locator(".explorer-pin").click()
    explorer.locator(".explorer-pins [data-pin='1']").wait_for(timeout=30_000)
    deadline = time.monotonic() + 30
    while explorer.locator(".explorer-curves").screenshot() == before:  # the PNG is replaced a moment later
        assert time.monotonic() < deadline, "pressing pin did not draw the pinned curves"
        time.sleep(0.2)
    plot.screenshot(path=str(ARTIFACTS / f"{stem}-pinned.png"))
    legend = explorer.locator(".explorer-pins").inner_text()
    assert labels["explorer.button.pin"] and re.search(r"\d\.\d{3}", legend), legend
    assert explorer.locator(".explorer-delta").count() == 1, "the status line does not compare with the pin"


def _check_japanese_fonts(page, stem: str, labels: dict) -> None:
    """The labels and the status line are drawn with a font that has Japanese glyphs (a CJK font)."""
    probes = ((".training-explorer .widget-label", labels["explorer.label.seed"]),  # シード: on every explorer
              (".training-explorer .explorer-status [data-state]", None))
    for selector, text in probes:
        fonts = platform_fonts(page, selector, text)
        assert fonts, f"{stem}: no text {text!r} rendered in {selector}"
        assert any("CJK" in name or "Gothic" in name or "Mincho" in name for name in fonts), (
            f"{stem}: {selector} is drawn with {fonts}: Japanese shows as empty boxes (install fonts-noto-cjk)"
        )


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module; every test opens its page in a fresh context of it."""
    require_browser()
    with chromium_browser() as started:
        yield started


@pytest.fixture(scope="module")
def lab(browser):
    with run_server("lab") as server:
        yield server


@pytest.fixture(autouse=True)
def _kernels_end_with_their_test(request):
    yield
    if "lab" in request.fixturenames:
        request.getfixturevalue("lab").shutdown_kernels()


@pytest.mark.parametrize("name", EXPLORER_NOTEBOOKS)
def test_explorer_notebook_in_jupyterlab(lab, browser, name):
    ARTIFACTS.mkdir(exist_ok=True)
    stem = name.removesuffix(".ipynb").replace("/", "-")
    language = notebook_language(NOTEBOOKS / name)
    labels = labels_for(language)
    base = name.rsplit("/", 1)[-1]
    with chromium_page(browser=browser) as page:
        page.goto(lab.url(f"lab/tree/{name}?reset"))
        _wait_kernel_idle(page)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        state = _wait_all_executed(page)
        problems = [(c["source"], c["problems"]) for c in state["cells"] if c["problems"]]
        assert not problems, f"{name}: cells raised: {problems}"
        assert page.get_by_text("Error displaying widget").count() == 0, f"{name}: a widget failed to render"

        explorer = page.locator(".training-explorer").last
        explorer.scroll_into_view_if_needed()
        plot = explorer.locator(".explorer-plot")
        plot.wait_for(state="visible", timeout=30_000)
        run, status_before = wait_run_done(explorer, None)
        png_before = plot.screenshot(path=str(ARTIFACTS / f"{stem}-before.png"))
        explorer.screenshot(path=str(ARTIFACTS / f"{stem}-explorer-before.png"))
        if language == "ja":
            _check_japanese_fonts(page, stem, labels)
        if base == PIN_NOTEBOOK:
            _check_pin(page, explorer, stem, labels)
            png_before = plot.screenshot()

        lambda_label, dropout_label = labels["explorer.label.weight_decay_lambda"], labels["explorer.label.dropout_ratio"]
        moved = []
        # one move at a time, each waited for: a λ step the explorer trained ahead is done at once, and a
        # second key press sent meanwhile would start its run only after the test had read the first one
        for label in (lambda_label, dropout_label):
            if move_slider(page, explorer, label):
                moved.append(label)
                run, status_after = wait_run_done(explorer, run)
        if base in REGULARIZATION_NOTEBOOKS:
            assert lambda_label in moved or dropout_label in moved, f"{name}: no λ or dropout slider to move"
        if not moved:
            # 01 (training-set size, width) and 05 (augmentation strength) show other knobs: move the first one.
            assert move_slider(page, explorer, None), f"{name}: the explorer shows no slider"
            moved = ["first slider"]
            run, status_after = wait_run_done(explorer, run)
        png_after = plot.screenshot(path=str(ARTIFACTS / f"{stem}-after.png"))
        explorer.screenshot(path=str(ARTIFACTS / f"{stem}-explorer-after.png"))

        assert png_after != png_before, f"{name}: the plot did not change after moving {moved}"
        numbers_before = re.findall(r"\d\.\d{3}", status_before)
        numbers_after = re.findall(r"\d\.\d{3}", status_after)
        assert numbers_after and numbers_after != numbers_before, (
            f"{name}: the status line did not show new accuracies: {status_before!r} -> {status_after!r}"
        )
        if base == PIN_NOTEBOOK:
            assert explorer.locator(".explorer-pins [data-pin='1']").count() == 1, "the pin went away"
            assert explorer.locator(".explorer-delta").count() == 1
        assert page.get_by_text("Error displaying widget").count() == 0
        final = page.evaluate(NOTEBOOK_STATE_JS)
        assert not [c for c in final["cells"] if c["problems"]], f"{name}: a cell shows an error after the slider move"

    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and name == SCREENSHOT_NOTEBOOK:
        docs = ROOT / "docs"
        docs.mkdir(exist_ok=True)
        shutil.copy(ARTIFACTS / f"{stem}-explorer-after.png", docs / "explorer.png")


def test_there_is_an_explorer_notebook():
    assert EXPLORER_NOTEBOOKS, "no notebook creates a TrainingExplorer"
    assert PIN_NOTEBOOK in EXPLORER_NOTEBOOKS
    if (NOTEBOOKS / "ja" / PIN_NOTEBOOK).exists():
        assert f"ja/{PIN_NOTEBOOK}" in EXPLORER_NOTEBOOKS


APP_NOTEBOOKS = [n for n in EXPLORER_NOTEBOOKS if n.rsplit("/", 1)[-1] == PIN_NOTEBOOK]


@pytest.mark.parametrize("name", APP_NOTEBOOKS)
def test_voila_app_mode(browser, name):
    """``voila notebooks/09_playground.ipynb`` serves the explorer as a code-free app (each edition)."""
    try:
        import voila  # noqa: F401
    except ImportError:
        pytest.fail("voila is not installed; it comes with requirements.txt")
    ARTIFACTS.mkdir(exist_ok=True)
    stem = "voila-" + name.removesuffix(".ipynb").replace("/", "-")
    language = notebook_language(NOTEBOOKS / name)
    labels = labels_for(language)
    with run_server("voila", name) as server, chromium_page(browser=browser) as page:
        # Voilà's page asks a CDN for icon fonts; offline that request fails harmlessly.
        page.goto(server.url(""), wait_until="domcontentloaded")
        explorer = page.locator(".training-explorer").first
        explorer.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
        plot = explorer.locator(".explorer-plot")
        run, status_before = wait_run_done(explorer, None)
        if language == "ja":
            _check_japanese_fonts(page, stem, labels)
        _check_pin(page, explorer, stem, labels)
        png_before = plot.screenshot(path=str(ARTIFACTS / f"{stem}-before.png"))
        assert move_slider(page, explorer, labels["explorer.label.weight_decay_lambda"]), "the app shows no λ slider"
        _, status_after = wait_run_done(explorer, run)
        png_after = plot.screenshot(path=str(ARTIFACTS / f"{stem}-after.png"))
        assert png_after != png_before, "the app's plot did not change after moving λ"
        assert status_after != status_before
        assert explorer.locator(".explorer-delta").count() == 1
        assert "Traceback" not in page.content()
        (ARTIFACTS / f"{stem}-status.json").write_text(
            json.dumps({"before": status_before, "after": status_after}, ensure_ascii=False)
        )
