"""End-to-end: the explorers work in a real JupyterLab (and as a Voilà app) in headless Chromium.

Unit tests and nbval cannot see a widget that fails to render, a slider that
does nothing or a plot that never updates.  For every notebook with a
``TrainingExplorer`` this test opens it in JupyterLab, waits for the kernel,
runs all cells, checks that every cell ran without a traceback or "Error
displaying widget", then moves the λ (and dropout) slider with the keyboard as
a learner would and waits for a new curve and new numbers.  Screenshots land in
``test-artifacts/`` (``docs/explorer.png`` is refreshed from them when
``UPDATE_SCREENSHOTS=1``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import pytest

from browser_support import ARTIFACTS, NOTEBOOKS, ROOT, chromium_page, require_browser, run_server

pytestmark = pytest.mark.browser

EXPLORER_NOTEBOOKS = sorted(
    p.name for p in NOTEBOOKS.glob("*.ipynb") if "TrainingExplorer(" in p.read_text(encoding="utf-8")
)
RUN_TIMEOUT_MS = 420_000
LAMBDA_LABEL = "λ (weight decay)"
DROPOUT_LABEL = "dropout ratio"
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


def _status_text(explorer) -> str:
    return explorer.locator(".explorer-status").inner_text()


def _wait_run_done(explorer, previous: str | None, timeout_ms: int = 120_000) -> str:
    """Wait until the explorer's status says the run finished (and differs from ``previous``)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        text = _status_text(explorer)
        if "done" in text and text != previous:
            return text
        if "diverged" in text.lower() or "error" in text.lower():
            raise AssertionError(f"explorer reported a problem: {text}")
        time.sleep(0.25)
    raise AssertionError(f"explorer did not finish a new run; status: {_status_text(explorer)!r}")


def _move_slider(page, explorer, label: str | None, key: str = "ArrowRight") -> bool:
    """Focus the slider whose label contains ``label`` (``None``: the first slider) and press ``key``."""
    slider = explorer.locator(".widget-slider")
    if label is not None:
        slider = slider.filter(has=page.locator(".widget-label", has_text=label))
    if slider.count() == 0:
        return False
    handle = slider.first.locator(".noUi-handle")
    handle.focus()
    page.keyboard.press(key)
    return True


@pytest.fixture(scope="module")
def lab():
    require_browser()
    with run_server("lab") as server:
        yield server


@pytest.mark.parametrize("name", EXPLORER_NOTEBOOKS)
def test_explorer_notebook_in_jupyterlab(lab, name):
    ARTIFACTS.mkdir(exist_ok=True)
    stem = name.removesuffix(".ipynb")
    with chromium_page() as page:
        page.goto(lab.url(f"lab/tree/{name}?reset"))
        _wait_kernel_idle(page)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        state = _wait_all_executed(page)
        problems = [(c["source"], c["problems"]) for c in state["cells"] if c["problems"]]
        assert not problems, f"{name}: cells raised: {problems}"
        assert page.get_by_text("Error displaying widget").count() == 0, f"{name}: a widget failed to render"

        explorer = page.locator(".training-explorer").last
        explorer.scroll_into_view_if_needed()
        image = explorer.locator(".widget-image")
        image.wait_for(state="visible", timeout=30_000)
        status_before = _wait_run_done(explorer, None)
        png_before = image.screenshot(path=str(ARTIFACTS / f"{stem}-before.png"))
        explorer.screenshot(path=str(ARTIFACTS / f"{stem}-explorer-before.png"))

        moved = [label for label in (LAMBDA_LABEL, DROPOUT_LABEL) if _move_slider(page, explorer, label)]
        if name in REGULARIZATION_NOTEBOOKS:
            assert LAMBDA_LABEL in moved or DROPOUT_LABEL in moved, f"{name}: no λ or dropout slider to move"
        if not moved:
            # 01 (training-set size, width) and 05 (augmentation strength) show other knobs: move the first one.
            assert _move_slider(page, explorer, None), f"{name}: the explorer shows no slider"
            moved = ["first slider"]
        status_after = _wait_run_done(explorer, status_before)
        png_after = image.screenshot(path=str(ARTIFACTS / f"{stem}-after.png"))
        explorer.screenshot(path=str(ARTIFACTS / f"{stem}-explorer-after.png"))

        assert png_after != png_before, f"{name}: the plot did not change after moving {moved}"
        numbers_before = re.findall(r"\d\.\d{3}", status_before)
        numbers_after = re.findall(r"\d\.\d{3}", status_after)
        assert numbers_after and numbers_after != numbers_before, (
            f"{name}: the status line did not show new accuracies: {status_before!r} -> {status_after!r}"
        )
        assert page.get_by_text("Error displaying widget").count() == 0
        final = page.evaluate(NOTEBOOK_STATE_JS)
        assert not [c for c in final["cells"] if c["problems"]], f"{name}: a cell shows an error after the slider move"

    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and name == SCREENSHOT_NOTEBOOK:
        docs = ROOT / "docs"
        docs.mkdir(exist_ok=True)
        shutil.copy(ARTIFACTS / f"{stem}-explorer-after.png", docs / "explorer.png")


def test_there_is_an_explorer_notebook():
    assert EXPLORER_NOTEBOOKS, "no notebook creates a TrainingExplorer"


APP_NOTEBOOK = "09_playground.ipynb"


def test_voila_app_mode():
    """``voila notebooks/09_playground.ipynb`` serves the explorer as a code-free app."""
    require_browser()
    try:
        import voila  # noqa: F401
    except ImportError:
        pytest.fail("voila is not installed; it comes with requirements.txt")
    ARTIFACTS.mkdir(exist_ok=True)
    with run_server("voila", APP_NOTEBOOK) as server, chromium_page() as page:
        # Voilà's page asks a CDN for icon fonts; offline that request fails harmlessly.
        page.goto(server.url(""), wait_until="domcontentloaded")
        explorer = page.locator(".training-explorer").first
        explorer.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
        image = explorer.locator(".widget-image")
        status_before = _wait_run_done(explorer, None)
        png_before = image.screenshot(path=str(ARTIFACTS / "voila-before.png"))
        assert _move_slider(page, explorer, LAMBDA_LABEL), "the app shows no λ slider"
        status_after = _wait_run_done(explorer, status_before)
        png_after = image.screenshot(path=str(ARTIFACTS / "voila-after.png"))
        assert png_after != png_before, "the app's plot did not change after moving λ"
        assert status_after != status_before
        assert "Traceback" not in page.content()
        (ARTIFACTS / "voila-status.json").write_text(json.dumps({"before": status_before, "after": status_after}))
