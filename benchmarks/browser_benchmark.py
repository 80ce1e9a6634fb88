"""How fast the live explorer answers: λ moved one step in ``09_playground``, in the browser and in the kernel.

``python -m benchmarks.browser_benchmark [--moves N] [--no-browser] [--smoke] [--json PATH]``

Two measurements of the same thing a learner does, moving the λ slider one
step (0 → 0.001 → 0.003 → 0.004 → …, the lecture's setting otherwise: 300
digits, 6×100, SGD lr 0.01, 201 epochs, 1,000 test digits scored every epoch):

- **browser**: JupyterLab with ``notebooks/09_playground.ipynb`` in headless
  Debian Chromium (the browser test's machinery, ``tests/browser_support.py``),
  run all, then per move: the time from the key press on the λ slider (a
  capturing ``keydown`` listener in the page) to (a) the first redrawn points
  of the new run in the page and (b) the complete 201-epoch curve, both taken
  when the live curves' SVG is replaced (a ``MutationObserver``) and then
  painted (the next animation frame).  Without Chromium or Playwright the row
  says so and is skipped.
- **kernel**: the explorer's own path in one Python process, no browser: set
  the slider's value, ``await explorer.wait()``; training plus drawing, with
  ``explorer.last_timing`` split into training and drawing time.

Medians and min–max over the moves (at least 5) are reported, with the load
average before and after: on a busy machine the numbers mean little.

For ``python -m benchmarks``: :func:`run` returns a JSON-able dict and
:func:`markdown` renders it as the README's table rows.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "09_playground.ipynb"
TARGETS = {"browser_full_curve_s": 1.0, "browser_first_points_s": 0.15, "kernel_full_curve_s": 0.8}
"""Issue 11's targets (medians): complete curve ≤ 1.0 s and first points ≤ 0.15 s in the browser,
≤ 0.8 s for the explorer's own path in the kernel."""

# Installed in the page once: records every replacement of the live curves' SVG after a key press.
RECORDER_JS = """
(root) => {
  const rec = window.__explorerBench = {t0: null, events: []};
  document.addEventListener('keydown', () => { rec.t0 = performance.now(); rec.events = []; }, true);
  const live = root.querySelector('.explorer-live');
  const observer = new MutationObserver(() => {
    const svg = live.querySelector('svg[data-run]');
    if (!svg || rec.t0 === null) return;
    const e = {t: performance.now(), run: Number(svg.dataset.run), points: Number(svg.dataset.points),
               done: svg.dataset.done === '1', kernel: Number(svg.dataset.kernelSeconds), painted: null};
    rec.events.push(e);
    requestAnimationFrame(() => setTimeout(() => { e.painted = performance.now(); }, 0));
  });
  observer.observe(live, {childList: true, subtree: true});
  // resolves once a run later than `run` is complete and painted; checks every 50 ms inside the page,
  // so waiting costs the browser next to nothing (polling from Python through DevTools would not)
  rec.waitDone = (run) => new Promise(resolve => {
    const check = () => {
      const e = rec.events.find(e => e.run > run && e.done && e.painted !== null);
      if (e) resolve(e.run); else setTimeout(check, 50);
    };
    check();
  });
  const svg = live.querySelector('svg[data-run]');
  return svg ? Number(svg.dataset.run) : 0;
}
"""


def _summary(values: list[float]) -> dict[str, Any]:
    values = [float(v) for v in values]
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": values}


def _load() -> float:
    return round(os.getloadavg()[0], 2)


# -- kernel side ----------------------------------------------------------------------


def kernel_benchmark(moves: int = 5, smoke: bool = False, look_seconds: float = 0.0) -> dict[str, Any]:
    """The explorer's path in this process: one λ step per move, set → ``await explorer.wait()``.

    ``look_seconds``: how long the learner looks at each finished curve before
    the next move (the explorer trains the neighbouring λ meanwhile); 0 moves at once.
    """
    from course.explorer import LAMBDA_OPTIONS, TrainingExplorer

    small = dict(epochs=5, n_train=100) if smoke else {}
    lambdas = [LAMBDA_OPTIONS[1 + i % (len(LAMBDA_OPTIONS) - 1)] for i in range(moves)]

    async def measure() -> dict[str, list[float]]:
        explorer = TrainingExplorer(show="all", **small)
        await explorer.wait()  # warm-up: loads the digits, first figure, first run
        out: dict[str, list[float]] = {"total": [], "first_draw": [], "train": [], "draw": [], "redraws": [],
                                       "ahead_epochs": []}
        for lam in lambdas:
            await asyncio.sleep(look_seconds)
            start = time.perf_counter()
            explorer.controls["weight_decay_lambda"].value = lam
            await explorer.wait()
            out["total"].append(time.perf_counter() - start)
            for key in ("first_draw", "train", "draw", "redraws"):
                out[key].append(explorer.last_timing[key])
            timing = explorer.last_timing  # epochs already trained ahead when the move came (all if "ready")
            out["ahead_epochs"].append(explorer.history.epoch[-1] if timing.get("ready") else timing.get("ahead_epochs", 0))
        return out

    before = _load()
    data = asyncio.run(measure())
    return {"lambdas": lambdas, "look_seconds": look_seconds, "load_before": before, "load_after": _load(),
            **{key: _summary(values) for key, values in data.items()}}


# -- browser side -----------------------------------------------------------------------


def _browser_support():
    """``tests/browser_support.py``, loaded by path (the tests folder is not a package)."""
    spec = importlib.util.spec_from_file_location("browser_support", ROOT / "tests" / "browser_support.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def browser_missing() -> str | None:
    """Why the browser row cannot run here, or ``None``."""
    support = _browser_support()
    missing = []
    if not Path(support.CHROMIUM).exists():
        missing.append(f"Chromium at {support.CHROMIUM}")
    if importlib.util.find_spec("playwright") is None:
        missing.append("Playwright for Python")
    return " and ".join(missing) + " not installed" if missing else None


def browser_benchmark(moves: int = 5, look_seconds: Sequence[float] = (0.0,)) -> list[dict[str, Any]]:
    """JupyterLab + Chromium: key press on λ → first new points / complete curve painted, per move.

    One result per entry of ``look_seconds`` (the pause on each finished curve
    before the next move), all in one JupyterLab session.
    """
    reason = browser_missing()
    if reason:
        return [{"skipped": reason} for _ in look_seconds]
    support = _browser_support()
    labels = support.labels_for("en")
    results = []
    with support.run_server("lab") as server, support.chromium_page() as page:
        page.goto(server.url(f"lab/tree/{NOTEBOOK}?reset"))
        page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=120_000)
        page.wait_for_function(
            "() => { const p = window.jupyterapp.shell.currentWidget;"
            " const k = p && p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel;"
            " return !!k && k.status === 'idle'; }", timeout=120_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        explorer = page.locator(".training-explorer").first
        explorer.wait_for(state="visible", timeout=300_000)
        explorer.scroll_into_view_if_needed()
        run, _ = support.wait_run_done(explorer, None, timeout_ms=300_000)
        explorer.evaluate(RECORDER_JS)
        for k, look in enumerate(look_seconds):
            # up the λ slider, then back down: every move changes λ (at most 10 steps each way)
            key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
            result, run = _time_moves(page, explorer, support, labels, run, moves, look, key)
            results.append(result)
    return results


def _time_moves(page: Any, explorer: Any, support: Any, labels: dict[str, str], run: int, moves: int,
                look: float, key: str) -> tuple[dict[str, Any], int]:
    """``moves`` λ steps (``key``: ArrowRight or ArrowLeft), each ``look`` seconds after the curve before was complete."""
    before = _load()
    first, full, kernel_full = [], [], []
    for _ in range(moves):
        time.sleep(look)
        assert support.move_slider(page, explorer, labels["explorer.label.weight_decay_lambda"], key), "no λ slider"
        finished = page.evaluate(
            "(run) => Promise.race([window.__explorerBench.waitDone(run),"
            " new Promise(resolve => setTimeout(() => resolve(null), 120000))])", run)
        assert finished is not None, f"no complete curve within 120 s of the move: {support.explorer_state(explorer)[1]}"
        state, text = support.explorer_state(explorer)
        assert state == "done", f"the explorer did not finish the run: {text}"
        rec = page.evaluate("({t0: window.__explorerBench.t0, events: window.__explorerBench.events})")
        events = [e for e in rec["events"] if e["run"] > run]
        done = next(e for e in events if e["done"])
        shown = next(e for e in events if e["points"] > 0)
        first.append((shown["painted"] - rec["t0"]) / 1000)
        full.append((done["painted"] - rec["t0"]) / 1000)
        kernel_full.append(done["kernel"])
        run = done["run"]
    return {"notebook": NOTEBOOK, "look_seconds": look, "load_before": before, "load_after": _load(),
            "first_points": _summary(first), "full_curve": _summary(full),
            "kernel_full_curve": _summary(kernel_full)}, run


# -- together ---------------------------------------------------------------------------


LOOK_SECONDS = 2.0
"""The "after a look" rows: the learner looks at each finished curve this long before the next move."""


def run(moves: int = 5, browser: bool = True, smoke: bool = False) -> dict[str, Any]:
    """Both measurements, each moved at once (``kernel``, ``browser``: the explorer trains the new λ
    from scratch, bar the few epochs it trained ahead) and after a look of :data:`LOOK_SECONDS`
    (``kernel_after_look``, ``browser_after_look``: the neighbouring λ trained meanwhile);
    ``browser=False`` (or ``smoke``) leaves the browser out."""
    from course.explorer import LAMBDA_OPTIONS

    steps = len(LAMBDA_OPTIONS) - 1
    if not 1 <= moves <= steps:
        raise ValueError(f"moves must be in [1, {steps}] (the λ slider's steps), got {moves!r}")
    look = 0.05 if smoke else LOOK_SECONDS
    result: dict[str, Any] = {"moves": moves, "cpus": os.cpu_count(), "smoke": smoke,
                              "kernel": kernel_benchmark(moves, smoke=smoke),
                              "kernel_after_look": kernel_benchmark(moves, smoke=smoke, look_seconds=look)}
    if browser and not smoke:
        result["browser"], result["browser_after_look"] = browser_benchmark(moves, look_seconds=(0.0, look))
    else:
        skipped = {"skipped": "not requested" if not smoke else "smoke run"}
        result["browser"], result["browser_after_look"] = skipped, dict(skipped)
    return result


def _fmt(s: dict[str, Any]) -> str:
    return f"{s['median']:.3f} s median ({s['min']:.3f}–{s['max']:.3f})"


def markdown(result: dict[str, Any]) -> str:
    """The results as Markdown lines (for the README's results section)."""
    lines = [
        f"Explorer, λ moved one step in `{NOTEBOOK}` ({result['moves']} moves, lecture setting); moved at once "
        f"after the curve before was complete, and after looking at it for {LOOK_SECONDS:g} s (while the "
        "explorer trains the neighbouring λ ahead):",
        "",
        "| where | when moved | first redrawn points | complete curve | target (complete / first) | load before → after |",
        "|---|---|---|---|---|---|",
    ]
    for key, when in (("browser", "at once"), ("browser_after_look", f"after {LOOK_SECONDS:g} s")):
        b = result[key]
        if "skipped" in b:
            lines.append(f"| browser (JupyterLab + Chromium) | {when} | skipped: {b['skipped']} | | ≤ 1.0 s / ≤ 0.15 s | |")
        else:
            lines.append(f"| browser (JupyterLab + Chromium) | {when} | {_fmt(b['first_points'])} | "
                         f"{_fmt(b['full_curve'])} | ≤ 1.0 s / ≤ 0.15 s | {b['load_before']} → {b['load_after']} |")
    for key, when in (("kernel", "at once"), ("kernel_after_look", f"after {result['kernel_after_look']['look_seconds']:g} s")):
        k = result[key]
        lines.append(f"| kernel (set + `await explorer.wait()`) | {when} | {_fmt(k['first_draw'])} | {_fmt(k['total'])} | "
                     f"≤ 0.8 s | {k['load_before']} → {k['load_after']} |")
    k, b = result["kernel"], result["browser"]
    lines += ["", f"In the kernel, moved at once, per move: training {_fmt(k['train'])}, drawing {_fmt(k['draw'])} "
                  f"in {statistics.median(k['redraws']['values']):.0f} redraws (median); epochs already trained "
                  f"ahead when the move came: {k['ahead_epochs']['values']} (at once), "
                  f"{result['kernel_after_look']['ahead_epochs']['values']} (after the look)."]
    if "skipped" not in b:
        lines.append(f"In the browser, moved at once, the JupyterLab kernel had the curve complete after "
                     f"{_fmt(b['kernel_full_curve'])}; the rest is messages and the page's drawing.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser_benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=5, help="λ moves to time (default 5)")
    parser.add_argument("--no-browser", action="store_true", help="kernel side only")
    parser.add_argument("--smoke", action="store_true", help="tiny run of the kernel side, no browser")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if os.getloadavg()[0] > (os.cpu_count() or 1) / 2:
        print(f"warning: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: timings will be noisy",
              file=sys.stderr)
    result = run(args.moves, browser=not args.no_browser, smoke=args.smoke)
    print(markdown(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
